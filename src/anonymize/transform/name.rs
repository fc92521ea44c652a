//! `name`: a fake full name (`fake` en Name).
//!
//! Deterministic (keyed by the salt and the value); not unique. No options.
//! Example: `columns.name = "name"`.

use fake::Fake;

use super::{BuildCtx, Faked, NoOptions, Transform};
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str = "a fake full name (`fake` en Name).";

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let NoOptions {} = ctx.options(rule)?;
    Ok(Box::new(Faked {
        kind: "name",
        keyed: ctx.keyed.clone(),
        generate: |rng| fake::faker::name::en::Name().fake_with_rng(rng),
    }))
}
