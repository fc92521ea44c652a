//! `token`: a keyed random string of the same length and alphabet as the input. Each character
//! is replaced by one of its class: digits by digits, letters by letters of the same case (by
//! hex digits `a-f`/`A-F` when the whole input is hex), anything else (`-`, `_`, `.`, `+`, `/`,
//! `=`) kept in place, so prefixes like `ghp_` keep their shape only in separators. Deterministic
//! (a token stored in two tables stays equal); unique for unique input in practice. No options.

use rand::RngExt;

use super::{BuildCtx, NoOptions, PgType, RowLookup, Transform, text_only};
use crate::anonymize::keyed::Keyed;
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str = "keyed random string, same length and alphabet as the input.";

struct Token(Keyed);

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let NoOptions {} = ctx.options(rule)?;
    Ok(Box::new(Token(ctx.keyed.clone())))
}

impl Transform for Token {
    fn apply(&self, value: &str, _: &dyn RowLookup) -> Result<Option<String>, String> {
        let hex = !value.is_empty() && value.chars().all(|c| c.is_ascii_hexdigit());
        let mut rng = self.0.rng("token", value.as_bytes());
        let mut pick = |set: &[u8]| set[rng.random_range(0..set.len())] as char;
        let out = value
            .chars()
            .map(|c| match c {
                '0'..='9' => pick(b"0123456789"),
                'a'..='z' if hex => pick(b"abcdef"),
                'A'..='Z' if hex => pick(b"ABCDEF"),
                'a'..='z' => pick(b"abcdefghijklmnopqrstuvwxyz"),
                'A'..='Z' => pick(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
                other => other,
            })
            .collect();
        Ok(Some(out))
    }
    fn fits_type(&self, ty: &PgType) -> Result<(), String> {
        text_only("token", ty)
    }
}
