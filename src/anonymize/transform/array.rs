//! `array`: applies the rule `each` to every element of a PostgreSQL array, read and written in
//! the array text format (`{a,"b c",NULL}`, nested `{{a,b},{c,d}}`, with a `[1:2]=` bounds
//! prefix kept). NULL elements stay NULL unless `each` is `null`/`constant`. Deterministic and
//! unique exactly as `each` is. Fits array columns whose element type `each` fits.
//! Example: `{ transform = "array", each = "email" }`.

use super::{BuildCtx, PgType, RowLookup, Transform, Transformer};
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str = "apply `each` to every array element (PostgreSQL array text).";

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    each: toml::Value,
}

struct Array(Transformer);

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let o: Options = ctx.options(rule)?;
    let each = ColumnRule::from_value(&o.each).map_err(|e| format!("`each`: {e}"))?;
    Ok(Box::new(Array(ctx.nested(&each)?)))
}

/// One element of a parsed array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Element {
    Null,
    Text(String),
    Array(Vec<Element>),
}

/// Parses PostgreSQL array text output into its optional bounds prefix and elements.
pub fn parse(text: &str) -> Result<(String, Vec<Element>), String> {
    let (prefix, body) = match text.find('=') {
        Some(i) if text.starts_with('[') => text.split_at(i + 1),
        _ => ("", text),
    };
    let chars: Vec<char> = body.chars().collect();
    let mut pos = 0;
    skip_ws(&chars, &mut pos);
    let list = parse_list(&chars, &mut pos, 1)?;
    skip_ws(&chars, &mut pos);
    if pos != chars.len() {
        return Err("text after the closing `}` of the array".into());
    }
    Ok((prefix.to_owned(), list))
}

/// PostgreSQL's array scanner treats only ASCII whitespace as space (`scanner_isspace`); a
/// non-breaking space is data.
fn pg_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

fn skip_ws(c: &[char], pos: &mut usize) {
    while *pos < c.len() && pg_space(c[*pos]) {
        *pos += 1;
    }
}

/// PostgreSQL's MAXDIM: deeper nesting is not an array PostgreSQL printed (and would recurse).
const MAX_DIMS: usize = 6;

fn parse_list(c: &[char], pos: &mut usize, depth: usize) -> Result<Vec<Element>, String> {
    if c.get(*pos) != Some(&'{') {
        return Err("not an array: expected `{`".into());
    }
    if depth > MAX_DIMS {
        return Err(format!("array nested deeper than {MAX_DIMS} dimensions"));
    }
    *pos += 1;
    let mut out = Vec::new();
    skip_ws(c, pos);
    if c.get(*pos) == Some(&'}') {
        *pos += 1;
        return Ok(out);
    }
    loop {
        skip_ws(c, pos);
        match c.get(*pos) {
            Some('{') => out.push(Element::Array(parse_list(c, pos, depth + 1)?)),
            Some('"') => {
                *pos += 1;
                let mut s = String::new();
                loop {
                    match c.get(*pos) {
                        Some('\\') => {
                            s.push(*c.get(*pos + 1).ok_or("unterminated escape in array")?);
                            *pos += 2;
                        }
                        Some('"') => {
                            *pos += 1;
                            break;
                        }
                        Some(&ch) => {
                            s.push(ch);
                            *pos += 1;
                        }
                        None => return Err("unterminated quoted array element".into()),
                    }
                }
                out.push(Element::Text(s));
            }
            Some(_) => {
                let mut s = String::new();
                let mut escaped = false;
                let mut trailing_ws = 0; // unescaped whitespace at the end, trimmed below
                loop {
                    match c.get(*pos) {
                        Some('\\') => {
                            s.push(*c.get(*pos + 1).ok_or("unterminated escape in array")?);
                            *pos += 2;
                            escaped = true;
                            trailing_ws = 0;
                        }
                        Some(',' | '}') => break,
                        Some('{' | '"') => {
                            return Err("unexpected `{` or `\"` in array element".into());
                        }
                        Some(&ch) => {
                            s.push(ch);
                            trailing_ws = if pg_space(ch) {
                                trailing_ws + ch.len_utf8()
                            } else {
                                0
                            };
                            *pos += 1;
                        }
                        None => return Err("unterminated array".into()),
                    }
                }
                s.truncate(s.len() - trailing_ws);
                if !escaped && s.eq_ignore_ascii_case("NULL") {
                    out.push(Element::Null);
                } else {
                    out.push(Element::Text(s));
                }
            }
            None => return Err("unterminated array".into()),
        }
        skip_ws(c, pos);
        match c.get(*pos) {
            Some(',') => *pos += 1,
            Some('}') => {
                *pos += 1;
                return Ok(out);
            }
            _ => return Err("expected `,` or `}` in array".into()),
        }
    }
}

/// Writes elements in PostgreSQL array text format, quoting and escaping as PostgreSQL does.
pub fn encode(prefix: &str, elements: &[Element]) -> String {
    let mut out = String::from(prefix);
    encode_list(elements, &mut out);
    out
}

fn encode_list(elements: &[Element], out: &mut String) {
    out.push('{');
    for (i, e) in elements.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match e {
            Element::Null => out.push_str("NULL"),
            Element::Array(a) => encode_list(a, out),
            Element::Text(s) => {
                let quote = s.is_empty()
                    || s.eq_ignore_ascii_case("NULL")
                    || s.chars()
                        .any(|c| matches!(c, '{' | '}' | ',' | '"' | '\\') || pg_space(c));
                if quote {
                    out.push('"');
                    for c in s.chars() {
                        if c == '"' || c == '\\' {
                            out.push('\\');
                        }
                        out.push(c);
                    }
                    out.push('"');
                } else {
                    out.push_str(s);
                }
            }
        }
    }
    out.push('}');
}

fn map(
    elements: Vec<Element>,
    f: &Transformer,
    row: &dyn RowLookup,
) -> Result<Vec<Element>, String> {
    elements
        .into_iter()
        .map(|e| {
            let value = match e {
                Element::Array(a) => return Ok(Element::Array(map(a, f, row)?)),
                Element::Null => None,
                Element::Text(s) => Some(s),
            };
            match f.apply(value.as_deref(), row) {
                Ok(Some(s)) => Ok(Element::Text(s)),
                Ok(None) => Ok(Element::Null),
                Err(e) => Err(format!("in an element: {e}")),
            }
        })
        .collect()
}

impl Transform for Array {
    fn row_columns(&self) -> Vec<String> {
        self.0.row_columns()
    }
    fn apply(&self, value: &str, row: &dyn RowLookup) -> Result<Option<String>, String> {
        let (prefix, elements) = parse(value)?;
        Ok(Some(encode(&prefix, &map(elements, &self.0, row)?)))
    }
    fn fits_type(&self, ty: &PgType) -> Result<(), String> {
        if ty.array_dims == 0 {
            return Err(format!("`array` fits array columns, not `{}`", ty.written));
        }
        // PostgreSQL array types do not track dimensions: `text[][]` is `text[]`.
        let mut elem = ty.element();
        elem.array_dims = 0;
        self.0
            .fits_type(&elem.base)
            .map_err(|e| format!("element type: {e}"))
    }
}
