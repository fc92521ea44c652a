//! `phone`: a fake phone number (`fake` en PhoneNumber formats).
//!
//! Deterministic (keyed by the salt and the value); not unique. No options.
//! Example: `columns.phone = "phone"`.

use super::{BuildCtx, Faked, NoOptions, Transform, fakes};
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str = "a fake phone number (`fake` en PhoneNumber formats).";

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let NoOptions {} = ctx.options(rule)?;
    Ok(Box::new(Faked {
        kind: "phone",
        keyed: ctx.keyed.clone(),
        generate: fakes::phone_number,
    }))
}
