//! `choice`: one of `values`, picked by the keyed hash of the value (deterministic; the same
//! input always gets the same pick). Example: `{ transform = "choice", values = ["a", "b"] }`.

use super::{BuildCtx, PgType, RowLookup, Transform};
use crate::anonymize::keyed::Keyed;
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str = "one of `values`, keyed by the input.";

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    values: Vec<String>,
}

struct Choice {
    keyed: Keyed,
    values: Vec<String>,
}

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let o: Options = ctx.options(rule)?;
    if o.values.is_empty() {
        return Err("`values` must not be empty".into());
    }
    Ok(Box::new(Choice {
        keyed: ctx.keyed.clone(),
        values: o.values,
    }))
}

impl Transform for Choice {
    fn apply(&self, value: &str, _: &dyn RowLookup) -> Result<Option<String>, String> {
        let i = self
            .keyed
            .below("choice", value.as_bytes(), self.values.len() as u64);
        Ok(Some(self.values[i as usize].clone()))
    }
    fn fits_type(&self, _: &PgType) -> Result<(), String> {
        // The values are cast by PostgreSQL on load; any type they parse as fits.
        Ok(())
    }
}
