//! Helpers shared by several rules. Rules never import each other.

use crate::lint::context::Context;
use crate::lint::locks::LockEffect;
use crate::lint::statement::Statement;

/// The locks the statement takes on tables that existed before this file, strongest first.
pub fn existing_effects(stmt: &Statement, ctx: &Context) -> Vec<LockEffect> {
    let mut effects = ctx.effects_on_existing(stmt);
    effects.sort_by(|a, b| b.mode.cmp(&a.mode).then(b.work.cmp(&a.work)));
    effects
}

// --- rulesC (breaking changes and hygiene rules) -------------------------------------------

/// rulesC: one word of a statement, for pointing a diagnostic at the clause that matters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// Normalised like an identifier: unquoted words lower-cased, quoted ones unquoted as is.
    /// Punctuation (`(`, `,`, `.`, ...) is a word of its own.
    pub text: String,
    pub quoted: bool,
    /// Byte range in the file.
    pub span: std::ops::Range<usize>,
}

/// rulesC: the words of a statement, skipping comments, string literals and dollar-quoted bodies.
/// Empty when the statement's text does not map byte for byte onto the file (SQL from an
/// `EXECUTE '...'` literal): callers then fall back to the statement's span.
pub fn words(stmt: &Statement) -> Vec<Word> {
    if stmt.text.len() != stmt.span.len() {
        return Vec::new();
    }
    let text = stmt.text.as_str();
    let bytes = text.as_bytes();
    let base = stmt.span.start;
    let mut out = Vec::new();
    let mut i = 0;
    // Set by an `E` prefix: the next string literal may escape its quote with a backslash.
    let mut escapes = false;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if text[i..].starts_with("--") {
            i = text[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
        } else if text[i..].starts_with("/*") {
            let mut depth = 0usize;
            while i < bytes.len() {
                if text[i..].starts_with("/*") {
                    depth += 1;
                    i += 2;
                } else if text[i..].starts_with("*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == b'\'' {
            i += 1;
            while i < bytes.len() {
                if bytes[i] == b'\'' {
                    if bytes.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                if escapes && bytes[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            escapes = false;
        } else if c == b'"' {
            let start = i;
            let mut ident = String::new();
            i += 1;
            while i < bytes.len() {
                if bytes[i] == b'"' {
                    if bytes.get(i + 1) == Some(&b'"') {
                        ident.push('"');
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                let ch = text[i..].chars().next().unwrap_or('"');
                ident.push(ch);
                i += ch.len_utf8();
            }
            out.push(Word {
                text: ident,
                quoted: true,
                span: base + start..base + i,
            });
        } else if c == b'$' && dollar_tag(&text[i..]).is_some() {
            let tag = dollar_tag(&text[i..]).unwrap_or("$$");
            let body = i + tag.len();
            i = text[body..]
                .find(tag)
                .map_or(bytes.len(), |n| body + n + tag.len());
        } else if c == b'_' || c.is_ascii_alphanumeric() || c >= 0x80 {
            let start = i;
            while i < bytes.len()
                && (bytes[i] == b'_'
                    || bytes[i] == b'$'
                    || bytes[i].is_ascii_alphanumeric()
                    || bytes[i] >= 0x80)
            {
                i += 1;
            }
            // A string prefix (E'..', B'..', X'..') is part of the literal that follows.
            if bytes.get(i) == Some(&b'\'') {
                escapes = text[start..i].eq_ignore_ascii_case("e");
                continue;
            }
            out.push(Word {
                text: text[start..i].to_lowercase(),
                quoted: false,
                span: base + start..base + i,
            });
        } else {
            let len = text[i..].chars().next().map_or(1, char::len_utf8);
            out.push(Word {
                text: text[i..i + len].to_owned(),
                quoted: false,
                span: base + i..base + i + len,
            });
            i += len;
        }
    }
    out
}

/// rulesC: `$tag$` or `$$` at the start of `s`, when `s` opens a dollar quote there.
fn dollar_tag(s: &str) -> Option<&str> {
    let rest = s.strip_prefix('$')?;
    let end = rest.find('$')?;
    let tag = &rest[..end];
    let valid = tag
        .chars()
        .next()
        .is_none_or(|c| c.is_alphabetic() || c == '_')
        && tag.chars().all(|c| c.is_alphanumeric() || c == '_');
    valid.then(|| &s[..end + 2])
}

/// rulesC: the byte range of the first run of words matching `pattern`, from the first matched
/// word to the last. Each element is compared with a word's normalised text (keywords in lower
/// case, identifiers as `Name` holds them); an element starting with `?` may be absent.
pub fn find_words(words: &[Word], pattern: &[&str]) -> Option<std::ops::Range<usize>> {
    (0..words.len()).find_map(|start| {
        let mut at = start;
        let mut first: Option<usize> = None;
        let mut last = None;
        for part in pattern {
            let (optional, want) = match part.strip_prefix('?') {
                Some(p) => (true, p),
                None => (false, *part),
            };
            match words.get(at) {
                Some(w) if w.text == want => {
                    first.get_or_insert(w.span.start);
                    last = Some(w.span.end);
                    at += 1;
                }
                _ if optional => {}
                _ => return None,
            }
        }
        Some(first?..last?)
    })
}

/// rulesC: where a column's type is written (`note varchar(100)`, `ALTER COLUMN note TYPE
/// varchar(100)`): the span from the column name to the end of the type, and the type as written
/// in the file (sqlparser's rendering when the text cannot be found, with the statement's span).
pub fn column_type_site(
    stmt: &Statement,
    words: &[Word],
    column: &str,
    ty: &crate::lint::ops::SqlType,
) -> (std::ops::Range<usize>, String) {
    let ty_first = ty
        .written
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '"'))
        .find(|w| !w.is_empty())
        .unwrap_or("")
        .trim_matches('"')
        .to_lowercase();
    for (i, w) in words.iter().enumerate() {
        if w.text != column {
            continue;
        }
        let mut j = i + 1;
        while words
            .get(j)
            .is_some_and(|w| !w.quoted && matches!(w.text.as_str(), "set" | "data" | "type"))
        {
            j += 1;
        }
        let Some(t) = words.get(j) else { continue };
        if t.text.to_lowercase() != ty_first {
            continue;
        }
        // The type's other words: `character varying (20)`, `timestamp(3) without time zone`,
        // `double precision`, `int[]`, `text ARRAY`.
        let mut end = t.span.end;
        let mut k = j + 1;
        while let Some(next) = words.get(k) {
            let part_of_type = !next.quoted
                && matches!(
                    next.text.as_str(),
                    "varying" | "precision" | "without" | "with" | "time" | "zone" | "array"
                );
            if part_of_type {
                end = next.span.end;
                k += 1;
            } else if next.text == "(" || next.text == "[" {
                let close = if next.text == "(" { ")" } else { "]" };
                let Some(n) = words[k..].iter().position(|w| w.text == close) else {
                    break;
                };
                end = words[k + n].span.end;
                k += n + 1;
            } else {
                break;
            }
        }
        let offset = stmt.span.start;
        let written = stmt.text[t.span.start - offset..end - offset].to_owned();
        return (w.span.start..end, written);
    }
    (stmt.span.clone(), ty.written.to_lowercase())
}

/// rulesC: where a column gets its type, in the statements the hygiene rules read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnSite {
    CreateTable,
    AddColumn,
    AlterColumnType,
}

/// rulesC: a column type declared by a statement: the columns of `CREATE TABLE`, `ADD COLUMN`,
/// and the new type of `ALTER COLUMN ... TYPE`.
#[derive(Clone, Debug)]
pub struct TypedColumn<'a> {
    pub table: &'a crate::lint::ops::Name,
    pub column: &'a str,
    pub ty: &'a crate::lint::ops::SqlType,
    /// The whole definition (not for `ALTER COLUMN TYPE`).
    pub def: Option<&'a crate::lint::ops::ColumnDef>,
    /// Named in a table-level `PRIMARY KEY (...)` of the same `CREATE TABLE`.
    pub in_primary_key: bool,
    /// Named in a table-level `FOREIGN KEY (...)` of the same `CREATE TABLE`.
    pub in_foreign_key: bool,
    pub site: ColumnSite,
}

/// rulesC: every column type the statement declares, in order.
pub fn typed_columns(stmt: &Statement) -> Vec<TypedColumn<'_>> {
    let mut out = Vec::new();
    for op in &stmt.ops {
        match op {
            crate::lint::ops::Op::CreateTable {
                table,
                columns,
                constraints,
                ..
            } => {
                let listed = |c: &str, pk: bool| {
                    constraints.iter().any(|k| match &k.kind {
                        crate::lint::ops::ConstraintKind::PrimaryKey { columns, .. } if pk => {
                            columns.iter().any(|x| x == c)
                        }
                        crate::lint::ops::ConstraintKind::ForeignKey { columns, .. } if !pk => {
                            columns.iter().any(|x| x == c)
                        }
                        _ => false,
                    })
                };
                for c in columns {
                    if let Some(ty) = &c.ty {
                        out.push(TypedColumn {
                            table,
                            column: &c.name,
                            ty,
                            def: Some(c),
                            in_primary_key: listed(&c.name, true),
                            in_foreign_key: listed(&c.name, false),
                            site: ColumnSite::CreateTable,
                        });
                    }
                }
            }
            crate::lint::ops::Op::AlterTable {
                table,
                action: crate::lint::ops::TableAction::AddColumn { column, .. },
                ..
            } => {
                if let Some(ty) = &column.ty {
                    out.push(TypedColumn {
                        table,
                        column: &column.name,
                        ty,
                        def: Some(column),
                        in_primary_key: false,
                        in_foreign_key: false,
                        site: ColumnSite::AddColumn,
                    });
                }
            }
            crate::lint::ops::Op::AlterTable {
                table,
                action: crate::lint::ops::TableAction::AlterColumnType { column, ty, .. },
                ..
            } => out.push(TypedColumn {
                table,
                column,
                ty,
                def: None,
                in_primary_key: false,
                in_foreign_key: false,
                site: ColumnSite::AlterColumnType,
            }),
            _ => {}
        }
    }
    out
}

/// rulesC: "orders.note", for messages.
pub fn column_ref(table: &crate::lint::ops::Name, column: &str) -> String {
    format!("{table}.{}", crate::lint::ops::quote_ident(column))
}

/// rulesC: the strongest lock one operation takes, on a relation that existed before this file.
pub fn op_lock(op: &crate::lint::ops::Op, ctx: &Context) -> Option<LockEffect> {
    crate::lint::locks::effects(op, ctx)
        .into_iter()
        .filter(|e| !ctx.is_new_target(&e.target))
        .max_by(|a, b| a.mode.cmp(&b.mode).then(a.work.cmp(&b.work)))
}

/// rulesC: names joined for a message: `orders`, `orders and customers`, `a, b and c`.
pub fn join_names<T: std::fmt::Display>(items: &[T]) -> String {
    let parts: Vec<String> = items.iter().map(ToString::to_string).collect();
    match parts.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// rulesC: why an integer column is key-like (so that running out of values is an outage), or
/// `None`: primary keys (inline or table-level), identity and serial columns, foreign keys, and
/// columns named `id` or `*_id`.
pub fn key_like_reason(col: &TypedColumn<'_>) -> Option<&'static str> {
    use crate::lint::ops::Generated;
    let def = col.def;
    if col.in_primary_key || def.is_some_and(|d| d.primary_key) {
        Some("a primary key")
    } else if def.is_some_and(|d| d.generated == Some(Generated::Identity)) {
        Some("an identity column")
    } else if def.is_some_and(|d| d.is_serial()) {
        Some("a serial column")
    } else if col.in_foreign_key || def.is_some_and(|d| d.references.is_some()) {
        Some("a foreign key")
    } else if col.column == "id" || col.column.ends_with("_id") {
        Some("an id column")
    } else {
        None
    }
}

// rulesC: tests of the helpers above.
#[cfg(test)]
mod rules_c_tests {
    use super::*;
    use crate::lint::statement::ParsedBy;

    fn stmt(sql: &str) -> Statement {
        Statement {
            span: 10..10 + sql.len(),
            text: sql.to_owned(),
            ops: Vec::new(),
            parsed_by: ParsedBy::Parser,
            syntax_error: None,
            in_do_block: false,
        }
    }

    fn texts(sql: &str) -> Vec<String> {
        words(&stmt(sql)).into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn words_skip_comments_literals_and_dollar_quotes() {
        assert_eq!(
            texts("ALTER TABLE \"Orders\" -- drop column x\n DROP /* a /* nested */ b */ note"),
            ["alter", "table", "Orders", "drop", "note"]
        );
        assert_eq!(
            texts("SELECT 'it''s', E'a\\'b', 'c:\\' , $f$ drop $f$, $$x$$ AS done"),
            ["select", ",", ",", ",", ",", "as", "done"]
        );
        let w = words(&stmt("DROP \"a\"\"b\""));
        assert_eq!(w[1].text, "a\"b");
        assert!(w[1].quoted);
        assert_eq!(w[1].span, 15..21);
    }

    #[test]
    fn find_words_skips_optional_words() {
        let s = stmt("ALTER TABLE orders DROP IF EXISTS note, DROP COLUMN email");
        let w = words(&s);
        let range = |p: &[&str]| find_words(&w, p).map(|r| &s.text[r.start - 10..r.end - 10]);
        assert_eq!(
            range(&["drop", "?column", "?if", "?exists", "note"]),
            Some("DROP IF EXISTS note")
        );
        assert_eq!(
            range(&["drop", "?column", "?if", "?exists", "email"]),
            Some("DROP COLUMN email")
        );
        assert_eq!(range(&["drop", "constraint"]), None);
    }

    #[test]
    fn column_type_site_covers_multi_word_types() {
        let ty = |written: &str| crate::lint::ops::SqlType {
            name: String::new(),
            args: Vec::new(),
            array: false,
            written: written.to_owned(),
        };
        let s = stmt("CREATE TABLE t (id bigint, note character varying (20) NOT NULL)");
        let (span, written) =
            column_type_site(&s, &words(&s), "note", &ty("CHARACTER VARYING(20)"));
        assert_eq!(written, "character varying (20)");
        assert_eq!(
            &s.text[span.start - 10..span.end - 10],
            "note character varying (20)"
        );
        let s = stmt("ALTER TABLE t ALTER COLUMN at SET DATA TYPE timestamp(3) without time zone");
        let (_, written) = column_type_site(&s, &words(&s), "at", &ty("TIMESTAMP(3)"));
        assert_eq!(written, "timestamp(3) without time zone");
        let s = stmt("ALTER TABLE t ADD COLUMN tags int[] NOT NULL");
        let (_, written) = column_type_site(&s, &words(&s), "tags", &ty("INT[]"));
        assert_eq!(written, "int[]");
    }
}
