//! `name`: a fake full name (`fake` en Name).
//!
//! Deterministic (keyed by the salt and the value); not unique. No options.
//! Example: `columns.name = "name"`.

use super::{BuildCtx, Faked, NoOptions, Transform, fakes};
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str = "a fake full name (`fake` en Name).";

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let NoOptions {} = ctx.options(rule)?;
    Ok(Box::new(Faked {
        kind: "name",
        keyed: ctx.keyed.clone(),
        generate: fakes::name,
    }))
}
