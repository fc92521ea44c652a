//! `last_name`: a fake last name.
//!
//! Deterministic (keyed by the salt and the value); not unique. No options.
//! Example: `columns.last_name = "last_name"`.

use fake::Fake;

use super::{BuildCtx, Faked, NoOptions, Transform};
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str = "a fake last name.";

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let NoOptions {} = ctx.options(rule)?;
    Ok(Box::new(Faked {
        kind: "last_name",
        keyed: ctx.keyed.clone(),
        generate: |rng| fake::faker::name::en::LastName().fake_with_rng(rng),
    }))
}
