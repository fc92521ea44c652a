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

/// The first `len` lowercase hex characters of `digest` (one allocation).
fn hex(digest: &[u8], len: usize) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(len);
    for &x in digest {
        out.push(char::from(HEX[usize::from(x >> 4)]));
        out.push(char::from(HEX[usize::from(x & 15)]));
    }
    out.truncate(len);
    out
}

impl Transform for Hash {
    fn apply(&self, value: &str, _: &dyn RowLookup) -> Result<Option<String>, String> {
        Ok(Some(hex(
            &self.keyed.digest("hash", value.as_bytes()),
            self.length,
        )))
    }
    fn fits_type(&self, ty: &PgType) -> Result<(), String> {
        text_only("hash", ty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_the_formatted_digest() {
        let keyed = crate::anonymize::keyed::Salt::new("s").keyed();
        for i in 0..1000 {
            let d = keyed.digest("hash", format!("v{i}").as_bytes());
            let want: String = d.iter().map(|x| format!("{x:02x}")).collect();
            for len in [1, 7, 32, 64] {
                assert_eq!(hex(&d, len), want[..len]);
            }
        }
    }
}
