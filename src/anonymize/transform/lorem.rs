//! `lorem`: lorem-ipsum words, as many as the input has (1 to 200), so free-text columns keep
//! their rough size. Deterministic; not unique. No options.

use fake::Fake;

use super::{BuildCtx, NoOptions, PgType, RowLookup, Transform, text_only};
use crate::anonymize::keyed::Keyed;
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str = "lorem-ipsum words, as many as the input has.";

struct Lorem(Keyed);

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let NoOptions {} = ctx.options(rule)?;
    Ok(Box::new(Lorem(ctx.keyed.clone())))
}

impl Transform for Lorem {
    fn apply(&self, value: &str, _: &dyn RowLookup) -> Result<Option<String>, String> {
        let n = value.split_whitespace().count().clamp(1, 200);
        let mut rng = self.0.rng("lorem", value.as_bytes());
        let words: Vec<String> = (0..n)
            .map(|_| fake::faker::lorem::en::Word().fake_with_rng(&mut rng))
            .collect();
        Ok(Some(words.join(" ")))
    }
    fn fits_type(&self, ty: &PgType) -> Result<(), String> {
        text_only("lorem", ty)
    }
}
