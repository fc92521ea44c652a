//! `keep`: the value unchanged. Option `reason` documents why the column is not masked
//! (`{ transform = "keep", reason = "public product names" }`); the PII check reads it.

use super::{BuildCtx, PgType, RowLookup, Transform};
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str = "the value unchanged (optional `reason`).";

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    #[allow(dead_code)]
    reason: Option<String>,
}

struct Keep;

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let _: Options = ctx.options(rule)?;
    Ok(Box::new(Keep))
}

impl Transform for Keep {
    fn apply(&self, value: &str, _: &dyn RowLookup) -> Result<Option<String>, String> {
        Ok(Some(value.to_owned()))
    }
    fn fits_type(&self, _: &PgType) -> Result<(), String> {
        Ok(())
    }
}
