//! `json`: applies a rule per JSON path inside a json/jsonb value; everything else is kept.
//!
//! Paths: `$` is the root, `.key` or `["key with spaces"]` a member, `[N]` an element, `[*]`
//! every element (or every member value of an object). Example:
//! `{ transform = "json", paths = { "$.email" = "email", "$.contacts[*].phone" = "phone" } }`.
//! A path that does not exist in a value is skipped (documents vary). At a path, a string is
//! transformed as text; a JSON null stays null unless the rule is `null`/`constant`; a number or
//! boolean is transformed as its text and stays a number when the result is one (so
//! `number_noise` works); an object or array is transformed as its compact JSON text and stays
//! JSON when the result parses (so `keep`, `null` and nested `json` work).
//! Deterministic as the path rules are (the same email gets the same fake in a column and in
//! JSON). Object keys come out sorted and whitespace compact: jsonb does not keep either anyway,
//! json columns keep the same meaning. Numbers beyond f64 precision are rounded.

use serde_json::Value;

use super::{BuildCtx, PgType, RowLookup, Transform, Transformer};
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str = "apply a rule per JSON path ($.a.b, $.list[*].c).";

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    paths: toml::Table,
}

/// One step of a JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Key(String),
    Index(usize),
    All,
}

struct Json(Vec<(Vec<Segment>, Transformer)>);

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let o: Options = ctx.options(rule)?;
    if o.paths.is_empty() {
        return Err("`paths` is empty: map at least one JSON path to a rule".into());
    }
    let mut paths = Vec::new();
    for (path, value) in &o.paths {
        let segments = parse_path(path).map_err(|e| format!("JSON path `{path}`: {e}"))?;
        let rule = ColumnRule::from_value(value).map_err(|e| format!("JSON path `{path}`: {e}"))?;
        let t = ctx
            .nested(&rule)
            .map_err(|e| format!("JSON path `{path}`: {e}"))?;
        paths.push((segments, t));
    }
    Ok(Box::new(Json(paths)))
}

/// Parses a JSON path as profiles write them (`$.a.b`, `$["a b"][*]`, `$.l[0]`); the error says
/// what is wrong. Coverage reads the same paths with it.
pub(crate) fn parse_path(path: &str) -> Result<Vec<Segment>, String> {
    let rest = path
        .strip_prefix('$')
        .ok_or("a path starts with `$` (e.g. `$.email`)")?;
    let c: Vec<char> = rest.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < c.len() {
        match c[i] {
            '.' => {
                i += 1;
                let start = i;
                while i < c.len() && c[i] != '.' && c[i] != '[' {
                    i += 1;
                }
                let key: String = c[start..i].iter().collect();
                if key.is_empty() {
                    return Err("empty key after `.`".into());
                }
                out.push(if key == "*" {
                    Segment::All
                } else {
                    Segment::Key(key)
                });
            }
            '[' => {
                i += 1;
                if c.get(i) == Some(&'"') {
                    i += 1;
                    let mut key = String::new();
                    loop {
                        match c.get(i) {
                            Some('\\') if i + 1 < c.len() => {
                                key.push(c[i + 1]);
                                i += 2;
                            }
                            Some('"') => break,
                            Some(&ch) => {
                                key.push(ch);
                                i += 1;
                            }
                            None => return Err("unterminated `[\"`".into()),
                        }
                    }
                    i += 1;
                    out.push(Segment::Key(key));
                } else {
                    let start = i;
                    while i < c.len() && c[i] != ']' {
                        i += 1;
                    }
                    let inner: String = c[start..i].iter().collect();
                    out.push(match inner.trim() {
                        "*" => Segment::All,
                        n => Segment::Index(
                            n.parse()
                                .map_err(|_| "expected `[*]`, `[N]` or `[\"key\"]`".to_owned())?,
                        ),
                    });
                }
                if c.get(i) != Some(&']') {
                    return Err("missing `]`".into());
                }
                i += 1;
            }
            _ => return Err("expected `.key` or `[...]` after `$`".into()),
        }
    }
    if out.is_empty() {
        return Err("the path names the whole value: use the rule on the column instead".into());
    }
    Ok(out)
}

fn visit(
    v: &mut Value,
    path: &[Segment],
    f: &Transformer,
    row: &dyn RowLookup,
) -> Result<(), String> {
    let Some((first, rest)) = path.split_first() else {
        return leaf(v, f, row);
    };
    match (first, v) {
        (Segment::Key(k), Value::Object(m)) => match m.get_mut(k) {
            Some(child) => visit(child, rest, f, row),
            None => Ok(()),
        },
        (Segment::Index(n), Value::Array(a)) => match a.get_mut(*n) {
            Some(child) => visit(child, rest, f, row),
            None => Ok(()),
        },
        (Segment::All, Value::Array(a)) => a.iter_mut().try_for_each(|c| visit(c, rest, f, row)),
        (Segment::All, Value::Object(m)) => m.values_mut().try_for_each(|c| visit(c, rest, f, row)),
        _ => Ok(()),
    }
}

fn leaf(v: &mut Value, f: &Transformer, row: &dyn RowLookup) -> Result<(), String> {
    let text = match &mut *v {
        Value::Null => None,
        Value::String(s) => Some(std::mem::take(s)),
        other => Some(other.to_string()),
    };
    let was_string = v.is_string();
    let out = f
        .apply(text.as_deref(), row)
        .map_err(|e| format!("at a JSON path: {e}"))?;
    *v = match out {
        None => Value::Null,
        Some(s) if was_string => Value::String(s),
        Some(s) => match serde_json::from_str::<Value>(&s) {
            Ok(parsed)
                if std::mem::discriminant(&parsed) == std::mem::discriminant(v)
                    && !matches!(parsed, Value::Null) =>
            {
                parsed
            }
            _ => Value::String(s),
        },
    };
    Ok(())
}

impl Transform for Json {
    fn row_columns(&self) -> Vec<String> {
        self.0.iter().flat_map(|(_, t)| t.row_columns()).collect()
    }
    fn apply(&self, value: &str, row: &dyn RowLookup) -> Result<Option<String>, String> {
        let mut doc: Value =
            serde_json::from_str(value).map_err(|_| "input is not valid JSON".to_owned())?;
        for (path, f) in &self.0 {
            visit(&mut doc, path, f, row)?;
        }
        Ok(Some(doc.to_string()))
    }
    fn fits_type(&self, ty: &PgType) -> Result<(), String> {
        if ty.is_json() {
            Ok(())
        } else {
            Err(format!(
                "`json` fits json and jsonb columns, not `{}`",
                ty.written
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        use Segment::*;
        assert_eq!(
            parse_path("$.a.b").unwrap(),
            [Key("a".into()), Key("b".into())]
        );
        assert_eq!(
            parse_path("$.list[*].c").unwrap(),
            [Key("list".into()), All, Key("c".into())]
        );
        assert_eq!(
            parse_path("$[\"a b\"][2]").unwrap(),
            [Key("a b".into()), Index(2)]
        );
        for bad in ["a.b", "$", "$..a", "$[x]", "$[1", "$.a[\"b"] {
            assert!(parse_path(bad).is_err(), "{bad}");
        }
    }
}
