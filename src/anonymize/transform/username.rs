//! `username`: a fake user name plus a 6-character keyed suffix (`alice` -> `robin_221ivb` with salt `snapshot-salt`), because
//! username columns are usually unique. Deterministic. No options.

use fake::Fake;

use super::{BuildCtx, NoOptions, PgType, RowLookup, Transform, text_only};
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
        let mut rng = self.0.rng("username", value.as_bytes());
        let name: String = fake::faker::internet::en::Username().fake_with_rng(&mut rng);
        let name: String = name
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let suffix = base36(&self.0.digest("username", value.as_bytes()), 6);
        Ok(Some(format!("{name}_{suffix}")))
    }
    fn fits_type(&self, ty: &PgType) -> Result<(), String> {
        text_only("username", ty)
    }
}
