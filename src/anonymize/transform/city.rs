//! `city`: a fake city name.
//!
//! Deterministic (keyed by the salt and the value); not unique. No options.
//! Example: `columns.city = "city"`.

use super::{BuildCtx, Faked, NoOptions, Transform, fakes};
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str = "a fake city name.";

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let NoOptions {} = ctx.options(rule)?;
    Ok(Box::new(Faked {
        kind: "city",
        keyed: ctx.keyed.clone(),
        generate: fakes::city_name,
    }))
}
