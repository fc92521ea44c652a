//! `company`: a fake company name.
//!
//! Deterministic (keyed by the salt and the value); not unique. No options.
//! Example: `columns.company = "company"`.

use super::{BuildCtx, Faked, NoOptions, Transform, fakes};
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str = "a fake company name.";

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let NoOptions {} = ctx.options(rule)?;
    Ok(Box::new(Faked {
        kind: "company",
        keyed: ctx.keyed.clone(),
        generate: fakes::company_name,
    }))
}
