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
        const DOMAINS: [&str; 3] = ["example.com", "example.net", "example.org"];
        let digest = self.0.digest("email", value.as_bytes());
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
}

impl Transform for Email {
    fn apply(&self, value: &str, _: &dyn RowLookup) -> Result<Option<String>, String> {
        Ok(Some(self.fake(value)))
    }
    fn fits_type(&self, ty: &PgType) -> Result<(), String> {
        text_only("email", ty)
    }
}
