//! `number_noise`: multiplies a number by a keyed factor in `1 ± percent/100` (default 10),
//! keeping the input's number of decimal places (integers stay integers, `numeric(10,2)` keeps 2
//! places). Deterministic per value. `NaN` and `Infinity` are kept. Values are computed in f64:
//! beyond 15 significant digits the noise also rounds. Fits numeric columns; a value noised past
//! the column's range (e.g. 32767 in a smallint) fails on load, so use small percentages there.

use super::{BuildCtx, PgType, RowLookup, Transform};
use crate::anonymize::keyed::Keyed;
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str = "keyed noise of ±`percent` (default 10), same decimal places.";

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    percent: Option<f64>,
}

struct NumberNoise {
    keyed: Keyed,
    percent: f64,
}

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let o: Options = ctx.options(rule)?;
    let percent = o.percent.unwrap_or(10.0);
    if !(percent > 0.0 && percent <= 100.0) {
        return Err("`percent` must be above 0 and at most 100".into());
    }
    Ok(Box::new(NumberNoise {
        keyed: ctx.keyed.clone(),
        percent,
    }))
}

impl Transform for NumberNoise {
    fn apply(&self, value: &str, _: &dyn RowLookup) -> Result<Option<String>, String> {
        let v = value.trim();
        if matches!(v, "NaN" | "Infinity" | "-Infinity" | "inf" | "-inf") {
            return Ok(Some(value.to_owned()));
        }
        let x: f64 = v
            .parse()
            .map_err(|_| "input is not a number (money values need a numeric column)".to_owned())?;
        let unit = self.keyed.below("number_noise", value.as_bytes(), 1 << 53) as f64
            / (1u64 << 53) as f64; // [0, 1)
        let y = x * (1.0 + self.percent / 100.0 * (2.0 * unit - 1.0));
        if v.contains(['e', 'E']) {
            return Ok(Some(format!("{y:e}")));
        }
        let places = v.split_once('.').map_or(0, |(_, f)| f.len());
        let mut out = format!("{y:.places$}");
        if out.starts_with('-') && out.trim_start_matches(['-', '0', '.']).is_empty() {
            out.remove(0); // no "-0"
        }
        Ok(Some(out))
    }
    fn fits_type(&self, ty: &PgType) -> Result<(), String> {
        if ty.is_numeric() && ty.base != "money" {
            Ok(())
        } else {
            Err(format!(
                "`number_noise` fits numeric columns, not `{}`",
                ty.written
            ))
        }
    }
}
