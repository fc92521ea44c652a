//! `mask`: replaces every character but the last `keep` (default 4) with `char` (default `*`):
//! `4111111111111111` -> `************1111`. Keeps the length. Deterministic (not keyed: it
//! reveals the kept characters by design); not unique.

use super::{BuildCtx, PgType, RowLookup, Transform, text_only};
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str = "mask all but the last `keep` characters (default 4) with `char`.";

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    keep: Option<usize>,
    char: Option<char>,
}

struct Mask {
    keep: usize,
    with: char,
}

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let o: Options = ctx.options(rule)?;
    Ok(Box::new(Mask {
        keep: o.keep.unwrap_or(4),
        with: o.char.unwrap_or('*'),
    }))
}

impl Transform for Mask {
    fn apply(&self, value: &str, _: &dyn RowLookup) -> Result<Option<String>, String> {
        let n = value.chars().count();
        let masked = n.saturating_sub(self.keep);
        Ok(Some(
            value
                .chars()
                .enumerate()
                .map(|(i, c)| if i < masked { self.with } else { c })
                .collect(),
        ))
    }
    fn fits_type(&self, ty: &PgType) -> Result<(), String> {
        text_only("mask", ty)
    }
}
