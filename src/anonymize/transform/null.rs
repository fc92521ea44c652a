//! `null`: every value becomes NULL (the pre-flight checks the column is nullable). No options.

use super::{BuildCtx, NoOptions, PgType, RowLookup, Transform};
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str = "NULL for every row.";

struct Null;

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let NoOptions {} = ctx.options(rule)?;
    Ok(Box::new(Null))
}

impl Transform for Null {
    fn apply(&self, _: &str, _: &dyn RowLookup) -> Result<Option<String>, String> {
        Ok(None)
    }
    fn fits_type(&self, _: &PgType) -> Result<(), String> {
        Ok(())
    }
}
