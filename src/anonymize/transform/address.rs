//! `address`: a fake street address ("<number> <street>").
//!
//! Deterministic (keyed by the salt and the value); not unique. No options.
//! Example: `columns.address = "address"`.

use fake::Fake;

use super::{BuildCtx, Faked, NoOptions, Transform};
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str = "a fake street address (`<number> <street>`).";

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let NoOptions {} = ctx.options(rule)?;
    Ok(Box::new(Faked {
        kind: "address",
        keyed: ctx.keyed.clone(),
        generate: |rng| {
            let number: String = fake::faker::address::en::BuildingNumber().fake_with_rng(rng);
            let street: String = fake::faker::address::en::StreetName().fake_with_rng(rng);
            format!("{number} {street}")
        },
    }))
}
