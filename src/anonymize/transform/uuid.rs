//! `uuid`: a keyed version-4-shaped UUID (`xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`).
//! Deterministic, so foreign keys stored as UUIDs still join; unique for unique input (122 keyed
//! bits). Fits `uuid` and text columns. No options.

use super::{BuildCtx, NoOptions, PgType, RowLookup, Transform};
use crate::anonymize::keyed::Keyed;
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str = "a keyed UUID (v4 shape); joins keep working.";

struct Uuid(Keyed);

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let NoOptions {} = ctx.options(rule)?;
    Ok(Box::new(Uuid(ctx.keyed.clone())))
}

impl Transform for Uuid {
    fn apply(&self, value: &str, _: &dyn RowLookup) -> Result<Option<String>, String> {
        // Key on the canonical form, so `ABC...` in a text column and `abc...` in a uuid column
        // map to the same fake.
        let canonical = value.trim().to_ascii_lowercase();
        let mut b = self.0.digest("uuid", canonical.as_bytes());
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let hex: String = b[..16].iter().map(|x| format!("{x:02x}")).collect();
        Ok(Some(format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        )))
    }
    fn fits_type(&self, ty: &PgType) -> Result<(), String> {
        if ty.is_text() || (ty.array_dims == 0 && ty.base == "uuid") {
            Ok(())
        } else {
            Err(format!(
                "`uuid` fits uuid or text columns, not `{}`",
                ty.written
            ))
        }
    }
}
