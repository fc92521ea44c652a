//! `template`: text built from other columns of the row: `{ transform = "template", template =
//! "User {id}" }`. `{column}` is that column's (original, decoded) value, NULL renders as empty;
//! `{{` and `}}` are literal braces. Deterministic; unique if it names a unique column.

use super::{BuildCtx, PgType, RowLookup, Transform, text_only};
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str = "text from other columns of the row: \"User {id}\".";

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    template: String,
}

enum Part {
    Text(String),
    Column(String),
}

struct Template(Vec<Part>);

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let o: Options = ctx.options(rule)?;
    Ok(Box::new(Template(parse(&o.template)?)))
}

fn parse(template: &str) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut column = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) => column.push(c),
                        None => {
                            return Err("unclosed `{` in template (write `{{` for a brace)".into());
                        }
                    }
                }
                if column.is_empty() {
                    return Err("empty `{}` in template: name a column, e.g. {id}".into());
                }
                parts.push(Part::Text(std::mem::take(&mut text)));
                parts.push(Part::Column(column));
            }
            '}' => return Err("unmatched `}` in template (write `}}` for a brace)".into()),
            c => text.push(c),
        }
    }
    parts.push(Part::Text(text));
    Ok(parts)
}

impl Transform for Template {
    fn apply(&self, _: &str, row: &dyn RowLookup) -> Result<Option<String>, String> {
        let mut out = String::new();
        for part in &self.0 {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Column(c) => match row.get(c) {
                    Some(v) => out.push_str(v.unwrap_or("")),
                    None => {
                        return Err(format!("the row has no column `{c}` named in the template"));
                    }
                },
            }
        }
        Ok(Some(out))
    }
    fn fits_type(&self, ty: &PgType) -> Result<(), String> {
        text_only("template", ty)
    }
    fn row_columns(&self) -> Vec<String> {
        self.0
            .iter()
            .filter_map(|p| match p {
                Part::Column(c) => Some(c.clone()),
                Part::Text(_) => None,
            })
            .collect()
    }
}
