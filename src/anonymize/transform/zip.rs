//! `zip`: keyed decimal digits, 5 by default (so a domain like `CHECK (VALUE ~ '^[0-9]{5}$')`
//! holds); `digits = N` (1 to 10) for other formats. Deterministic; not unique.

use super::{BuildCtx, PgType, RowLookup, Transform, text_only};
use crate::anonymize::keyed::Keyed;
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str = "keyed digits, 5 by default (`digits = N`).";

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    digits: Option<u32>,
}

struct Zip {
    keyed: Keyed,
    digits: u32,
}

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let o: Options = ctx.options(rule)?;
    let digits = o.digits.unwrap_or(5);
    if !(1..=10).contains(&digits) {
        return Err("`digits` must be between 1 and 10".into());
    }
    Ok(Box::new(Zip {
        keyed: ctx.keyed.clone(),
        digits,
    }))
}

impl Transform for Zip {
    fn apply(&self, value: &str, _: &dyn RowLookup) -> Result<Option<String>, String> {
        let n = self
            .keyed
            .below("zip", value.as_bytes(), 10u64.pow(self.digits));
        Ok(Some(format!("{n:0width$}", width = self.digits as usize)))
    }
    fn fits_type(&self, ty: &PgType) -> Result<(), String> {
        text_only("zip", ty)
    }
}
