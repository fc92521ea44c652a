//! `phone`: a fake phone number (`fake` en PhoneNumber formats).
//!
//! Deterministic (keyed by the salt and the value); not unique. No options.
//! Example: `columns.phone = "phone"`.

use fake::Fake;

use super::{BuildCtx, Faked, NoOptions, Transform};
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str = "a fake phone number (`fake` en PhoneNumber formats).";

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let NoOptions {} = ctx.options(rule)?;
    Ok(Box::new(Faked {
        kind: "phone",
        keyed: ctx.keyed.clone(),
        generate: |rng| fake::faker::phone_number::en::PhoneNumber().fake_with_rng(rng),
    }))
}
