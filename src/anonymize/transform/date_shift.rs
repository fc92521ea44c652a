//! `date_shift`: moves a date or timestamp by a keyed number of days in `-days..=days` (default
//! 30), the same shift for the same value. Works on PostgreSQL's ISO text output (`2024-03-01`,
//! `2024-03-01 12:34:56.789+01`): only the date part changes, time and zone are kept;
//! `infinity`, `-infinity` and BC dates are kept as they are. Fits date and timestamp columns.

use super::{BuildCtx, PgType, RowLookup, Transform};
use crate::anonymize::keyed::Keyed;
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str = "shift dates/timestamps by keyed ±`days` (default 30).";

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    days: Option<u32>,
}

struct DateShift {
    keyed: Keyed,
    days: i64,
}

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let o: Options = ctx.options(rule)?;
    let days = o.days.unwrap_or(30);
    if days == 0 || days > 36_500 {
        return Err("`days` must be between 1 and 36500".into());
    }
    Ok(Box::new(DateShift {
        keyed: ctx.keyed.clone(),
        days: days.into(),
    }))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Transform for DateShift {
    fn apply(&self, value: &str, _: &dyn RowLookup) -> Result<Option<String>, String> {
        if matches!(value, "infinity" | "-infinity") || value.ends_with(" BC") {
            return Ok(Some(value.to_owned()));
        }
        let bad = || "input is not an ISO date or timestamp (YYYY-MM-DD...)".to_owned();
        let dash1 = value.find('-').filter(|&i| i >= 4).ok_or_else(bad)?;
        let (y, rest) = value.split_at(dash1);
        let rest = &rest[1..];
        if rest.len() < 5 || rest.as_bytes()[2] != b'-' || !rest.is_char_boundary(5) {
            return Err(bad());
        }
        let (md, tail) = rest.split_at(5);
        let num = |s: &str| {
            // PostgreSQL years have at most 6 digits (294276 AD).
            if s.len() <= 6 && s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse::<i64>().map_err(|_| bad())
            } else {
                Err(bad())
            }
        };
        let (y, m, d) = (num(y)?, num(&md[..2])?, num(&md[3..])?);
        if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
            return Err(bad());
        }
        if !(tail.is_empty() || tail.starts_with(' ') || tail.starts_with('T')) {
            return Err(bad());
        }
        let span = 2 * self.days as u64 + 1;
        let mut shift = self.keyed.below("date_shift", value.as_bytes(), span) as i64 - self.days;
        if shift == 0 {
            shift = 1; // always move: an unshifted birthday is still a birthday
        }
        let (y2, m2, d2) = civil_from_days(days_from_civil(y, m, d) + shift);
        if y2 < 1 {
            return Ok(Some(value.to_owned()));
        }
        Ok(Some(format!("{y2:04}-{m2:02}-{d2:02}{tail}")))
    }
    fn fits_type(&self, ty: &PgType) -> Result<(), String> {
        if ty.is_datetime() {
            Ok(())
        } else {
            Err(format!(
                "`date_shift` fits date and timestamp columns, not `{}`",
                ty.written
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for z in [-800_000, -1, 0, 1, 11_016, 19_782, 2_932_896] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(
            days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28),
            2
        );
    }
}
