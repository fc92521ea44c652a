//! `regex_replace`: replaces every match of `pattern` (Rust `regex` syntax) with `replacement`
//! (`$1`, `${name}` refer to groups). Deterministic, not keyed.
//! Example: `{ transform = "regex_replace", pattern = "\\d", replacement = "0" }`.

use super::{BuildCtx, PgType, RowLookup, Transform, text_only};
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str = "replace `pattern` matches with `replacement`.";

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    pattern: String,
    replacement: String,
}

struct RegexReplace {
    regex: regex::Regex,
    replacement: String,
}

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let o: Options = ctx.options(rule)?;
    let regex = regex::Regex::new(&o.pattern).map_err(|e| format!("invalid `pattern`: {e}"))?;
    Ok(Box::new(RegexReplace {
        regex,
        replacement: o.replacement,
    }))
}

impl Transform for RegexReplace {
    fn apply(&self, value: &str, _: &dyn RowLookup) -> Result<Option<String>, String> {
        Ok(Some(
            self.regex
                .replace_all(value, self.replacement.as_str())
                .into_owned(),
        ))
    }
    fn fits_type(&self, ty: &PgType) -> Result<(), String> {
        text_only("regex_replace", ty)
    }
}
