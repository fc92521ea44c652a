//! `constant`: the same `value` for every row, NULL rows included (the value is cast by
//! PostgreSQL on load, so it fits any type it parses as).
//! Example: `{ transform = "constant", value = "$2b$12$..." }`.

use super::{BuildCtx, PgType, RowLookup, Transform};
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str = "the same `value` for every row, NULLs included.";

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    value: String,
}

struct Constant(String);

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let o: Options = ctx.options(rule)?;
    Ok(Box::new(Constant(o.value)))
}

impl Transform for Constant {
    fn apply(&self, _: &str, _: &dyn RowLookup) -> Result<Option<String>, String> {
        Ok(Some(self.0.clone()))
    }
    fn apply_null(&self) -> Option<String> {
        Some(self.0.clone())
    }
    fn fits_type(&self, _: &PgType) -> Result<(), String> {
        Ok(())
    }
}
