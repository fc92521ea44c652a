//! `address`: a fake street address ("<number> <street>").
//!
//! Deterministic (keyed by the salt and the value); not unique. No options.
//! Example: `columns.address = "address"`.

use super::{BuildCtx, Faked, NoOptions, Transform, fakes};
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str = "a fake street address (`<number> <street>`).";

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let NoOptions {} = ctx.options(rule)?;
    Ok(Box::new(Faked {
        kind: "address",
        keyed: ctx.keyed.clone(),
        generate: fakes::street_address,
    }))
}
