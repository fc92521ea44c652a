//! `email`: `first.last.<suffix>@example.{com,net,org}`.
//!
//! Deterministic. Unique for unique input: the 10-character keyed base-36 suffix (about 2^51
//! values, times the name combinations) makes a collision on a unique index practically
//! impossible (tested over 100k inputs). The domains are reserved by RFC 2606 and never deliver.
//! The same address gives the same fake inside `json`, `array` and `scrub`. No options.
//! Example (salt `snapshot-salt`): `alice@corp.com` -> `franco.feil.elggd8p94f@example.org`.

use fake::Fake;

use super::{BuildCtx, NoOptions, PgType, RowLookup, Transform, text_only};
use crate::anonymize::keyed::{Keyed, base36};
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str =
    "a unique fake address on example.com/.net/.org (reserved, undeliverable).";

pub(crate) struct Email(pub(crate) Keyed);

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let NoOptions {} = ctx.options(rule)?;
    Ok(Box::new(Email(ctx.keyed.clone())))
}

impl Email {
    pub(crate) fn fake(&self, value: &str) -> String {
        let mut out = String::new();
        self.fake_into(value, &mut out);
        out
    }

    /// Appends the fake of `value` to `out` (one allocation at most, none when `out` has room).
    pub(crate) fn fake_into(&self, value: &str, out: &mut String) {
        const DOMAINS: [&str; 3] = ["example.com", "example.net", "example.org"];
        let digest = self.0.digest("email", value.as_bytes());
        let mut rng = Keyed::rng_from(digest);
        // The `&str` fakes draw from the RNG exactly as the `String` ones do.
        let first: &str = fake::faker::name::en::FirstName().fake_with_rng(&mut rng);
        let last: &str = fake::faker::name::en::LastName().fake_with_rng(&mut rng);
        let domain = DOMAINS[(digest[31] % 3) as usize];
        out.reserve(first.len() + last.len() + 13 + domain.len());
        push_local(out, first);
        out.push('.');
        push_local(out, last);
        out.push('.');
        out.push_str(&base36(&digest, 10));
        out.push('@');
        out.push_str(domain);
    }
}

/// Appends `name` lowercased, keeping only ASCII letters, digits and dots (what
/// `to_lowercase()` then that filter keep: only `Σ` lowercases by context, to another non-ASCII
/// letter, so char by char gives the same).
fn push_local(out: &mut String, name: &str) {
    if name.is_ascii() {
        for b in name.bytes() {
            if b.is_ascii_alphanumeric() || b == b'.' {
                out.push(char::from(b.to_ascii_lowercase()));
            }
        }
    } else {
        for c in name.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() || c == '.' {
                out.push(c);
            }
        }
    }
}

impl Transform for Email {
    fn apply(&self, value: &str, _: &dyn RowLookup) -> Result<Option<String>, String> {
        Ok(Some(self.fake(value)))
    }
    fn fits_type(&self, ty: &PgType) -> Result<(), String> {
        text_only("email", ty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anonymize::keyed::Salt;

    /// The implementation before [`Email::fake_into`].
    fn reference(e: &Email, value: &str) -> String {
        const DOMAINS: [&str; 3] = ["example.com", "example.net", "example.org"];
        let digest = e.0.digest("email", value.as_bytes());
        let mut rng = Keyed::rng_from(digest);
        let first: String = fake::faker::name::en::FirstName().fake_with_rng(&mut rng);
        let last: String = fake::faker::name::en::LastName().fake_with_rng(&mut rng);
        let local: String = format!("{first}.{last}")
            .to_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
            .collect();
        let domain = DOMAINS[(digest[31] % 3) as usize];
        format!("{local}.{}@{domain}", base36(&digest, 10))
    }

    #[test]
    fn same_output_as_the_reference() {
        for salt in ["s", "snapshot-salt", "another"] {
            let e = Email(Salt::new(salt).keyed());
            for i in 0..20_000 {
                let v = format!("user{i}@corp.example.com");
                assert_eq!(e.fake(&v), reference(&e, &v));
            }
            let mut out = String::from("to: ");
            e.fake_into("alice@corp.com", &mut out);
            assert_eq!(out, format!("to: {}", reference(&e, "alice@corp.com")));
        }
    }

    #[test]
    fn local_part_lowercases_like_to_lowercase() {
        for name in [
            "Mary-Jane",
            "O'Brien",
            "ÉLODIE",
            "Kelvin\u{212A}",
            "İpek",
            "ΣΑΣ",
            "a.b",
        ] {
            let mut out = String::new();
            push_local(&mut out, name);
            let want: String = name
                .to_lowercase()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
                .collect();
            assert_eq!(out, want, "{name}");
        }
    }
}
