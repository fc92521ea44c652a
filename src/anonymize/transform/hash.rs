//! `hash`: lowercase hex of the keyed HMAC of the value, `length` hex characters (default 32,
//! at most 64). Deterministic; unique for unique input at the default length. Unlike a plain
//! hash it cannot be reversed by hashing guesses without the salt.

use super::{BuildCtx, PgType, RowLookup, Transform, text_only};
use crate::anonymize::keyed::Keyed;
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str = "keyed hex digest (`length`, default 32).";

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    length: Option<usize>,
}

struct Hash {
    keyed: Keyed,
    length: usize,
}

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let o: Options = ctx.options(rule)?;
    let length = o.length.unwrap_or(32);
    if !(1..=64).contains(&length) {
        return Err("`length` must be between 1 and 64 hex characters".into());
    }
    Ok(Box::new(Hash {
        keyed: ctx.keyed.clone(),
        length,
    }))
}

impl Transform for Hash {
    fn apply(&self, value: &str, _: &dyn RowLookup) -> Result<Option<String>, String> {
        let d = self.keyed.digest("hash", value.as_bytes());
        let mut hex: String = d.iter().map(|x| format!("{x:02x}")).collect();
        hex.truncate(self.length);
        Ok(Some(hex))
    }
    fn fits_type(&self, ty: &PgType) -> Result<(), String> {
        text_only("hash", ty)
    }
}
