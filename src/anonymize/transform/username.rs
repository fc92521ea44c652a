//! `username`: a fake user name plus a 6-character keyed suffix (`alice` -> `robin_221ivb` with salt `snapshot-salt`), because
//! username columns are usually unique. Deterministic. No options.

use super::{BuildCtx, NoOptions, PgType, RowLookup, Transform, fakes, text_only};
use crate::anonymize::keyed::{Keyed, base36};
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str = "a fake user name with a keyed suffix (stays unique).";

struct Username(Keyed);

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let NoOptions {} = ctx.options(rule)?;
    Ok(Box::new(Username(ctx.keyed.clone())))
}

impl Transform for Username {
    fn apply(&self, value: &str, _: &dyn RowLookup) -> Result<Option<String>, String> {
        // The RNG seed and the suffix come from the same digest: one HMAC, not two.
        let digest = self.0.digest("username", value.as_bytes());
        let name = fakes::username(&mut Keyed::rng_from(digest));
        let mut out = if name.is_ascii() {
            // Same as the general path below (ASCII lowercasing keeps a byte's class), in place.
            let mut bytes = name.into_bytes();
            for b in &mut bytes {
                *b = if b.is_ascii_alphanumeric() {
                    b.to_ascii_lowercase()
                } else {
                    b'_'
                };
            }
            // Only ASCII bytes, so always valid UTF-8.
            String::from_utf8(bytes).unwrap_or_default()
        } else {
            name.to_lowercase()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect()
        };
        out.push('_');
        out.push_str(&base36(&digest, 6));
        Ok(Some(out))
    }
    fn fits_type(&self, ty: &PgType) -> Result<(), String> {
        text_only("username", ty)
    }
}

#[cfg(test)]
mod tests {
    use fake::Fake;

    use super::*;
    use crate::anonymize::keyed::Salt;
    use crate::anonymize::transform::NoRow;

    /// The transformer as it was with `fake`'s generator and two HMACs: the output must not change.
    fn with_fake(keyed: &Keyed, value: &str) -> String {
        let mut rng = keyed.rng("username", value.as_bytes());
        let name: String = fake::faker::internet::en::Username().fake_with_rng(&mut rng);
        let name: String = name
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let suffix = base36(&keyed.digest("username", value.as_bytes()), 6);
        format!("{name}_{suffix}")
    }

    #[test]
    fn output_unchanged() {
        let keyed = Salt::new("username-equivalence").keyed();
        let t = Username(keyed.clone());
        for i in 0..50_000 {
            let value = format!("user{i}");
            let got = t.apply(&value, &NoRow).unwrap();
            assert_eq!(
                got.as_deref(),
                Some(with_fake(&keyed, &value).as_str()),
                "{value}"
            );
        }
    }
}
