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

// --- Group rulesA (lock and rewrite rules): SQL text helpers for help messages. ---

/// What a stretch of SQL text is, for [`sql_pieces`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Piece {
    Code,
    /// A string literal, quoted identifier or dollar-quoted body: kept verbatim.
    Quoted,
    Comment,
}

// Group rulesA.
/// Cuts SQL into code, quoted text and comments (an unterminated construct runs to the end).
fn sql_pieces(sql: &str) -> Vec<(Piece, std::ops::Range<usize>)> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut code_start = 0;
    let mut i = 0;
    while i < b.len() {
        let end = match b[i] {
            q @ (b'\'' | b'"') => Some((Piece::Quoted, closing_quote(b, i, q))),
            b'-' if b.get(i + 1) == Some(&b'-') => {
                let nl = b[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(b.len(), |p| i + p);
                Some((Piece::Comment, nl))
            }
            b'/' if b.get(i + 1) == Some(&b'*') => Some((Piece::Comment, block_comment_end(b, i))),
            b'$' if i == 0 || !is_word_byte(b[i - 1]) => dollar_tag(b, i).map(|tag| {
                let body = i + tag.len();
                let close = sql[body..]
                    .find(tag)
                    .map_or(b.len(), |p| body + p + tag.len());
                (Piece::Quoted, close)
            }),
            _ => None,
        };
        match end {
            Some((piece, end)) => {
                if code_start < i {
                    out.push((Piece::Code, code_start..i));
                }
                out.push((piece, i..end));
                i = end;
                code_start = end;
            }
            None => i += 1,
        }
    }
    if code_start < b.len() {
        out.push((Piece::Code, code_start..b.len()));
    }
    out
}

// Group rulesA.
fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

// Group rulesA.
/// End (exclusive) of the quote opened at `start`; a doubled quote is an escaped one.
fn closing_quote(b: &[u8], start: usize, q: u8) -> usize {
    let mut j = start + 1;
    while j < b.len() {
        if b[j] == q {
            if b.get(j + 1) == Some(&q) {
                j += 2;
                continue;
            }
            return j + 1;
        }
        j += 1;
    }
    b.len()
}

// Group rulesA.
/// End (exclusive) of the (nestable) block comment opened at `start`.
fn block_comment_end(b: &[u8], start: usize) -> usize {
    let mut depth = 0;
    let mut j = start;
    while j + 1 < b.len() {
        if b[j] == b'/' && b[j + 1] == b'*' {
            depth += 1;
            j += 2;
        } else if b[j] == b'*' && b[j + 1] == b'/' {
            depth -= 1;
            j += 2;
            if depth == 0 {
                return j;
            }
        } else {
            j += 1;
        }
    }
    b.len()
}

// Group rulesA.
/// The `$tag$` opening at `start`, if there is one.
fn dollar_tag(b: &[u8], start: usize) -> Option<&str> {
    let rest = &b[start + 1..];
    let len = rest.iter().position(|&c| c == b'$')?;
    let tag = &rest[..len];
    let valid = tag.first().is_none_or(|c| !c.is_ascii_digit())
        && tag
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80);
    if !valid {
        return None;
    }
    std::str::from_utf8(&b[start..start + len + 2]).ok()
}

// Group rulesA.
/// Longest statement quoted verbatim in a help message; longer ones get a template instead.
pub const HELP_SQL_MAX: usize = 200;

// Group rulesA.
/// The statement on one line for a help message: comments dropped, runs of whitespace outside
/// quotes collapsed, no trailing `;`. `None` when it is longer than [`HELP_SQL_MAX`].
pub fn sql_for_help(sql: &str) -> Option<String> {
    let mut out = String::with_capacity(sql.len());
    for (piece, range) in sql_pieces(sql) {
        let text = &sql[range];
        match piece {
            Piece::Quoted => out.push_str(text),
            Piece::Comment => out.push(' '),
            Piece::Code => {
                for c in text.chars() {
                    if c.is_whitespace() {
                        out.push(' ');
                    } else {
                        out.push(c);
                    }
                }
            }
        }
    }
    // Collapse the spaces introduced above, outside quotes.
    let mut collapsed = String::with_capacity(out.len());
    for (piece, range) in sql_pieces(&out) {
        let text = &out[range];
        if piece == Piece::Code {
            for c in text.chars() {
                if !(c == ' ' && collapsed.ends_with(' ')) {
                    collapsed.push(c);
                }
            }
        } else {
            collapsed.push_str(text);
        }
    }
    let one = collapsed.trim().trim_end_matches(';').trim_end().to_owned();
    (one.chars().count() <= HELP_SQL_MAX).then_some(one)
}

// Group rulesA.
/// Byte ranges of the bare words (outside quotes and comments) of `sql`.
fn code_words(sql: &str) -> Vec<std::ops::Range<usize>> {
    let mut words = Vec::new();
    for (piece, range) in sql_pieces(sql) {
        if piece != Piece::Code {
            continue;
        }
        let b = sql.as_bytes();
        let mut i = range.start;
        while i < range.end {
            if is_word_byte(b[i]) {
                let start = i;
                while i < range.end && is_word_byte(b[i]) {
                    i += 1;
                }
                words.push(start..i);
            } else {
                i += 1;
            }
        }
    }
    words
}

// Group rulesA.
/// `sql` with ` insert` added after the first bare word equal to `keyword` (ASCII
/// case-insensitive): `insert_after_keyword("CREATE INDEX i ON t (c)", "INDEX", "CONCURRENTLY")`.
pub fn insert_after_keyword(sql: &str, keyword: &str, insert: &str) -> Option<String> {
    let word = code_words(sql)
        .into_iter()
        .find(|w| sql[w.clone()].eq_ignore_ascii_case(keyword))?;
    // Follow the statement's case: `create index concurrently` for `create index`.
    let insert = if sql[word.clone()].bytes().all(|c| c.is_ascii_lowercase()) {
        insert.to_ascii_lowercase()
    } else {
        insert.to_owned()
    };
    Some(format!("{} {insert}{}", &sql[..word.end], &sql[word.end..]))
}

// Group rulesA.
/// The `REFERENCES target (cols) [MATCH ...] [ON DELETE ...] [ON UPDATE ...]` clause of a one-line
/// statement, as written.
pub fn references_clause(sql: &str) -> Option<String> {
    let words = code_words(sql);
    let at = words
        .iter()
        .position(|w| sql[w.clone()].eq_ignore_ascii_case("references"))?;
    let start = words[at].start;
    let b = sql.as_bytes();
    // The target: everything up to the first space or `(` outside quotes.
    let mut i = words[at].end;
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    while i < b.len() && b[i] != b' ' && b[i] != b'(' && b[i] != b',' && b[i] != b')' {
        i = if b[i] == b'"' {
            closing_quote(b, i, b'"')
        } else {
            i + 1
        };
    }
    let mut end = i;
    // An optional column list.
    let mut j = i;
    while j < b.len() && b[j] == b' ' {
        j += 1;
    }
    if b.get(j) == Some(&b'(') {
        let close = sql[j..].find(')').map(|p| j + p + 1)?;
        end = close;
    }
    // Referential actions that follow.
    let rest: Vec<&str> = words
        .iter()
        .filter(|w| w.start >= end)
        .map(|w| &sql[w.clone()])
        .collect();
    let mut k = 0;
    let mut taken = 0;
    loop {
        let upper = |n: usize| rest.get(n).map(|w| w.to_ascii_uppercase());
        let step = match (upper(k).as_deref(), upper(k + 1).as_deref()) {
            (Some("MATCH"), Some(_)) => 2,
            (Some("ON"), Some("DELETE" | "UPDATE")) => match upper(k + 2).as_deref() {
                Some("NO" | "SET") => 4,
                Some(_) => 3,
                None => break,
            },
            _ => break,
        };
        k += step;
        taken = k;
    }
    if taken > 0 {
        let last = words.iter().filter(|w| w.start >= end).nth(taken - 1)?;
        end = last.end;
    }
    Some(sql[start..end].to_owned())
}

// Group rulesA.
/// The `REFERENCES` clause that follows the first mention of `column` in a one-line statement, so
/// that `ADD COLUMN a ... REFERENCES x, ADD COLUMN b ... REFERENCES y` gives `y` for `b`.
pub fn references_clause_of(sql: &str, column: &str) -> Option<String> {
    let quoted = format!("\"{column}\"");
    let at = code_words(sql)
        .into_iter()
        .find(|w| sql[w.clone()].eq_ignore_ascii_case(column))
        .map(|w| w.end)
        .or_else(|| sql.find(&quoted).map(|p| p + quoted.len()))?;
    references_clause(&sql[at..])
}

// Group rulesA.
/// The strongest lock the open transaction already holds on `table`.
pub fn held_lock_on(
    ctx: &Context,
    table: &crate::lint::ops::Name,
) -> Option<crate::lint::ops::LockMode> {
    ctx.held
        .iter()
        .filter(|h| match &h.effect.target {
            crate::lint::locks::Target::Table(t) => t.matches(table),
            _ => false,
        })
        .map(|h| h.effect.mode)
        .max()
}

// Group rulesA.
/// The name PostgreSQL gives an unnamed constraint: `orders_customer_id_fkey`, `orders_pkey`.
pub fn default_constraint_name(
    table: &crate::lint::ops::Name,
    columns: &[String],
    suffix: &str,
) -> String {
    let mut name = table.name.clone();
    for c in columns {
        name.push('_');
        name.push_str(c);
    }
    name.push('_');
    name.push_str(suffix);
    name
}

// Group rulesA.
/// Columns as a parenthesised SQL list: `(customer_id, "Order Id")`.
pub fn column_list(columns: &[String]) -> String {
    let quoted: Vec<String> = columns
        .iter()
        .map(|c| crate::lint::ops::quote_ident(c))
        .collect();
    format!("({})", quoted.join(", "))
}

// Group rulesA.
/// A `CHECK` expression as written inside `CHECK (...)`, parenthesised exactly once.
pub fn check_body(expr: &str) -> String {
    let e = expr.trim();
    let wrapped = e.starts_with('(') && e.ends_with(')') && {
        // The first `(` must close at the very end, not earlier as in `(a) AND (b)`.
        let mut depth = 0i32;
        let mut closes_at_end = true;
        for (piece, range) in sql_pieces(e) {
            if piece != Piece::Code {
                continue;
            }
            for (i, c) in e[range.clone()].char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 && range.start + i != e.len() - 1 {
                            closes_at_end = false;
                        }
                    }
                    _ => {}
                }
            }
        }
        closes_at_end
    };
    if wrapped {
        e.to_owned()
    } else {
        format!("({e})")
    }
}

// Group rulesA.
/// `s` with its first letter in lower case, to continue a sentence with a help text.
pub fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

// Group rulesA.
/// A type for messages, in the lower case migrations are usually written in (sqlparser prints
/// built-in types in upper case); quoted names are kept as they are.
pub fn type_sql(ty: &crate::lint::ops::SqlType) -> String {
    if ty.written.contains('"') {
        ty.written.clone()
    } else {
        ty.written.to_ascii_lowercase()
    }
}

// Group rulesA.
/// Where the identifier (a column or constraint name) is written in the statement: its quoted
/// form when it needs quotes, else the first bare word equal to it. The whole statement when it
/// cannot be found.
pub fn find_ident(stmt: &Statement, ident: &str) -> std::ops::Range<usize> {
    let quoted = crate::lint::ops::quote_ident(ident);
    if quoted.starts_with('"') || stmt.text.len() != stmt.span.len() {
        return stmt.find(&quoted);
    }
    code_words(&stmt.text)
        .into_iter()
        .find(|w| stmt.text[w.clone()].eq_ignore_ascii_case(ident))
        .map_or_else(
            // Quoted although it need not be: `"id"`.
            || stmt.find(&format!("\"{ident}\"")),
            |w| stmt.span.start + w.start..stmt.span.start + w.end,
        )
}

// Group rulesA.
/// The first `needle` (ASCII case-insensitive) after the byte range `after` of the statement;
/// `after` itself when there is none.
pub fn find_after(
    stmt: &Statement,
    after: std::ops::Range<usize>,
    needle: &str,
) -> std::ops::Range<usize> {
    if stmt.text.len() != stmt.span.len() || after.end < stmt.span.start {
        return after;
    }
    let from = after.end - stmt.span.start;
    let hay = stmt.text.as_bytes();
    let pat = needle.as_bytes();
    (from..hay.len().saturating_sub(pat.len()) + 1)
        .find(|&i| {
            hay.get(i..i + pat.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(pat))
        })
        .map_or(after, |i| {
            stmt.span.start + i..stmt.span.start + i + pat.len()
        })
}

// Group rulesA.
#[cfg(test)]
mod rules_a_tests {
    use super::*;
    use crate::lint::ops::Name;

    #[test]
    fn help_sql_is_one_line_without_comments() {
        assert_eq!(
            sql_for_help("CREATE INDEX  i\n  ON t -- why\n (c) WHERE x = 'a  b';").as_deref(),
            Some("CREATE INDEX i ON t (c) WHERE x = 'a  b'")
        );
        assert_eq!(sql_for_help(&"x ".repeat(300)), None);
    }

    #[test]
    fn keyword_insertion_skips_quotes() {
        assert_eq!(
            insert_after_keyword("CREATE INDEX \"index\" ON t (c)", "index", "CONCURRENTLY")
                .as_deref(),
            Some("CREATE INDEX CONCURRENTLY \"index\" ON t (c)")
        );
        assert_eq!(
            insert_after_keyword("CREATE UNIQUE INDEX IF NOT EXISTS i ON t (c)", "INDEX", "X")
                .as_deref(),
            Some("CREATE UNIQUE INDEX X IF NOT EXISTS i ON t (c)")
        );
        assert_eq!(insert_after_keyword("SELECT 'index'", "index", "X"), None);
        assert_eq!(
            insert_after_keyword("create index i on t (c)", "INDEX", "CONCURRENTLY").as_deref(),
            Some("create index concurrently i on t (c)")
        );
        assert_eq!(
            insert_after_keyword("SELECT $$index$$, $1", "index", "X"),
            None
        );
    }

    #[test]
    fn references_clause_keeps_actions() {
        let sql = "ALTER TABLE a ADD COLUMN b bigint \
                   REFERENCES s.\"B\" (id) ON DELETE SET NULL ON UPDATE CASCADE NOT NULL";
        assert_eq!(
            references_clause(sql).as_deref(),
            Some("REFERENCES s.\"B\" (id) ON DELETE SET NULL ON UPDATE CASCADE")
        );
        assert_eq!(
            references_clause("ALTER TABLE a ADD COLUMN b bigint REFERENCES orders").as_deref(),
            Some("REFERENCES orders")
        );
        let two = "ALTER TABLE t ADD COLUMN a bigint REFERENCES x (id), \
                   ADD COLUMN \"B\" int REFERENCES y";
        assert_eq!(
            references_clause_of(two, "a").as_deref(),
            Some("REFERENCES x (id)")
        );
        assert_eq!(
            references_clause_of(two, "B").as_deref(),
            Some("REFERENCES y")
        );
        assert_eq!(
            references_clause("ALTER TABLE a ADD COLUMN b bigint REFERENCES orders, ADD c int")
                .as_deref(),
            Some("REFERENCES orders")
        );
    }

    #[test]
    fn identifiers_are_found_as_whole_words() {
        let text = "ALTER TABLE id_map ADD COLUMN \"Id\" int, ADD COLUMN id int";
        let stmt = Statement {
            span: 10..10 + text.len(),
            text: text.to_owned(),
            ops: Vec::new(),
            parsed_by: crate::lint::statement::ParsedBy::Parser,
            syntax_error: None,
            in_do_block: false,
        };
        let at = |r: std::ops::Range<usize>| &text[r.start - 10..r.end - 10];
        assert_eq!(at(find_ident(&stmt, "id")), "id");
        assert_eq!(
            find_ident(&stmt, "id").start,
            10 + text.rfind("id").unwrap()
        );
        assert_eq!(at(find_ident(&stmt, "Id")), "\"Id\"");
        assert_eq!(find_ident(&stmt, "missing"), stmt.span);
        let col = find_ident(&stmt, "id");
        assert_eq!(at(find_after(&stmt, col.clone(), "INT")), "int");
        assert!(find_after(&stmt, col.clone(), "int").start > col.end);
        assert_eq!(find_after(&stmt, col.clone(), "nowhere"), col);
    }

    #[test]
    fn check_bodies_are_parenthesised_once() {
        assert_eq!(check_body("total >= 0"), "(total >= 0)");
        assert_eq!(check_body("(total >= 0)"), "(total >= 0)");
        assert_eq!(check_body("(a) AND (b)"), "((a) AND (b))");
        assert_eq!(check_body("(a = ')')"), "(a = ')')");
    }

    #[test]
    fn constraint_names_follow_postgres() {
        let t = Name::bare("orders");
        assert_eq!(
            default_constraint_name(&t, &["customer_id".into()], "fkey"),
            "orders_customer_id_fkey"
        );
        assert_eq!(default_constraint_name(&t, &[], "pkey"), "orders_pkey");
        assert_eq!(column_list(&["a".into(), "B".into()]), "(a, \"B\")");
    }
}

// rulesB group (partition, lock, transaction and backfill rules): a small engine for unit tests.
// Runs one check over hand-built statements exactly as `lint_file` does (rule first, then
// `Context::apply`, then `end_of_file`), so a rule's tests do not depend on the splitter or the
// lowering. Returns each finding with the index of its statement, `None` for the end of the file.
#[cfg(test)]
pub fn run_check(
    check: &dyn super::Check,
    settings: &crate::lint::context::FileSettings,
    statements: &[(&str, Vec<crate::lint::ops::Op>)],
) -> Vec<(Option<usize>, crate::lint::diagnostic::Finding)> {
    use crate::lint::statement::ParsedBy;
    let mut ctx = Context::new(settings);
    let mut offset = 0;
    let mut out = Vec::new();
    for (i, (text, ops)) in statements.iter().enumerate() {
        let stmt = Statement {
            span: offset..offset + text.len(),
            text: (*text).to_owned(),
            ops: ops.clone(),
            parsed_by: ParsedBy::Parser,
            syntax_error: None,
            in_do_block: false,
        };
        let mut found = Vec::new();
        check.statement(&stmt, &ctx, &mut found);
        out.extend(found.into_iter().map(|f| (Some(i), f)));
        ctx.apply(&stmt);
        offset += text.len() + 2;
    }
    let mut found = Vec::new();
    check.end_of_file(&ctx, offset, &mut found);
    out.extend(found.into_iter().map(|f| (None, f)));
    out
}

// rulesB group: reads an object name as written (`public.order_qty`, `"Order Qty"`) the way
// PostgreSQL folds it, for rules that work around statements the lowering does not recognise yet.
pub fn name_from_text(word: &str) -> Option<crate::lint::ops::Name> {
    let word = word.trim_end_matches(';');
    let parts: Vec<String> = word
        .split('.')
        .map(
            |p| match p.strip_prefix('"').and_then(|p| p.strip_suffix('"')) {
                Some(quoted) => quoted.replace("\"\"", "\""),
                None => p.to_ascii_lowercase(),
            },
        )
        .collect();
    match parts.as_slice() {
        [name] if !name.is_empty() => Some(crate::lint::ops::Name::new(None, name)),
        [schema, name] if !name.is_empty() => Some(crate::lint::ops::Name::new(Some(schema), name)),
        _ => None,
    }
}

// rulesB group: the lowering reads an `INSERT ... SELECT`'s source tables through `WITH` queries
// and subqueries, but sets `select_filtered` only for a `WHERE`/`LIMIT` on the outer `SELECT`. True
// when the statement has a `WHERE`, `LIMIT` or `FETCH` anywhere outside string literals, which
// then narrows a `WITH` query or a subquery (precision first: treated as filtered).
pub fn has_filter_keyword(text: &str) -> bool {
    let mut outside = String::with_capacity(text.len());
    for (i, part) in text.split('\'').enumerate() {
        if i % 2 == 0 {
            outside.push_str(part);
        }
        outside.push(' ');
    }
    outside
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '"'))
        .any(|w| {
            w.eq_ignore_ascii_case("where")
                || w.eq_ignore_ascii_case("limit")
                || w.eq_ignore_ascii_case("fetch")
        })
}

#[cfg(test)]
mod rules_b_tests {
    use super::*;
    use crate::lint::ops::Name;

    #[test]
    fn filter_keywords_outside_literals() {
        assert!(has_filter_keyword(
            "WITH r AS (SELECT * FROM orders WHERE id > 5) INSERT INTO t SELECT * FROM r"
        ));
        assert!(has_filter_keyword(
            "INSERT INTO t SELECT * FROM (SELECT * FROM orders\nLIMIT 10) s"
        ));
        assert!(!has_filter_keyword(
            "INSERT INTO t SELECT 'where', nowhere FROM orders"
        ));
        assert!(!has_filter_keyword("INSERT INTO t SELECT * FROM orders"));
    }

    #[test]
    fn names_fold_like_postgres() {
        assert_eq!(
            name_from_text("Public.Orders;"),
            Some(Name::new(Some("public"), "orders"))
        );
        assert_eq!(
            name_from_text("\"Order Qty\""),
            Some(Name::bare("Order Qty"))
        );
        assert_eq!(name_from_text("a.b.c"), None);
    }
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
        } else if c == b'$' && dollar_quote_tag(&text[i..]).is_some() {
            let tag = dollar_quote_tag(&text[i..]).unwrap_or("$$");
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
fn dollar_quote_tag(s: &str) -> Option<&str> {
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

/// A key type that runs out: `integer`/`serial` or `smallint`/`smallserial`.
pub struct NarrowKeyType {
    pub plain: &'static str,
    pub serial: &'static str,
    /// The largest value, as written in messages: "2,147,483,647".
    pub max: &'static str,
}

/// Shared by `prefer-bigint-over-int` and `prefer-bigint-over-smallint`: reports key-like columns
/// (primary keys, identity, serial, foreign keys, `id`/`*_id`) declared with a narrow type.
pub fn report_narrow_key_columns(
    stmt: &Statement,
    narrow: &NarrowKeyType,
    out: &mut Vec<crate::lint::diagnostic::Finding>,
) {
    let words = words(stmt);
    for col in typed_columns(stmt) {
        let ty = col.ty;
        if ty.array || (ty.name != narrow.plain && ty.name != narrow.serial) {
            continue;
        }
        let Some(reason) = key_like_reason(&col) else {
            continue;
        };
        // "is serial, a serial column" says nothing twice.
        let reason = if col.def.is_some_and(|d| d.is_serial()) && reason == "a serial column" {
            String::new()
        } else {
            format!(" and {reason}")
        };
        let name = crate::lint::ops::quote_ident(col.column);
        let (span, written) = column_type_site(stmt, &words, col.column, ty);
        let help = match col.site {
            ColumnSite::AlterColumnType => {
                format!("Change it to bigint instead (ALTER COLUMN {name} TYPE bigint)")
            }
            _ if ty.name == narrow.serial => format!(
                "Declare it as {name} bigint GENERATED BY DEFAULT AS IDENTITY (or bigserial)"
            ),
            _ => format!("Declare it as {name} bigint"),
        };
        out.push(crate::lint::diagnostic::Finding::new(
            span,
            format!(
                "Column {} is {}{reason}: after {} values every insert fails, and \
                 widening it then rewrites the table under an ACCESS EXCLUSIVE lock",
                column_ref(col.table, col.column),
                written,
                narrow.max,
            ),
            help,
        ));
    }
}

// --- reversibility (missing-down-migration, down-not-inverse, irreversible-data-loss) -----------
/// reversibility: helpers of the three reversibility rules, in a module of their own so that
/// their imports cannot clash with other groups' additions.
pub mod reversibility {
    use super::{column_ref, join_names};
    use crate::lint::context::Context;
    use crate::lint::ops::{Op, TableAction};
    use crate::lint::statement::Statement;

    /// reversibility: whether an up operation changes the schema in a way a down should undo. Quiet
    /// (false) for what a rollback need not or cannot undo: SET, transaction control, COMMENT ON, DML,
    /// GRANT and other statements, VACUUM/ANALYZE/REINDEX/REFRESH, `CREATE OR REPLACE` (the old
    /// definition is not in the migration), `CREATE EXTENSION`, enum values (PostgreSQL cannot drop
    /// them), temporary tables, and column tweaks that old code survives (DROP NOT NULL, defaults).
    pub fn needs_down(op: &Op) -> bool {
        use crate::lint::ops::ObjectKind as K;
        match op {
            Op::CreateTable { temporary, .. } => !temporary,
            Op::CreateIndex { .. } | Op::Rename { .. } | Op::CreateEnum { .. } => true,
            Op::CreateDomain { .. } => true,
            Op::AlterTable { action, .. } => matches!(
                action,
                TableAction::AddColumn { .. }
                    | TableAction::DropColumn { .. }
                    | TableAction::AlterColumnType { .. }
                    | TableAction::SetNotNull { .. }
                    | TableAction::AddConstraint(_)
                    | TableAction::DropConstraint { .. }
                    | TableAction::RenameColumn { .. }
                    | TableAction::RenameTable { .. }
                    | TableAction::RenameConstraint { .. }
                    | TableAction::AttachPartition { .. }
                    | TableAction::DetachPartition { .. }
                    | TableAction::SetSchema { .. }
            ),
            Op::Drop { kind, .. } | Op::Create { kind, .. } if !creates_or_replaces(op) => {
                matches!(
                    kind,
                    K::Table
                        | K::Index
                        | K::View
                        | K::MaterializedView
                        | K::Sequence
                        | K::Function
                        | K::Procedure
                        | K::Type
                        | K::Domain
                        | K::Trigger
                        | K::Policy
                        | K::Schema
                )
            }
            _ => false,
        }
    }

    /// reversibility: `CREATE OR REPLACE ...`.
    fn creates_or_replaces(op: &Op) -> bool {
        matches!(
            op,
            Op::Create {
                or_replace: true,
                ..
            }
        )
    }

    /// reversibility: what an up operation does, for messages ("adds column orders.note").
    pub fn describe_change(op: &Op) -> String {
        match op {
            Op::CreateTable { table, .. } => format!("creates table {table}"),
            Op::CreateIndex {
                name: Some(name), ..
            } => format!("creates index {name}"),
            Op::CreateIndex { table, .. } => format!("creates an index on {table}"),
            Op::CreateEnum { name, .. } => format!("creates type {name}"),
            Op::CreateDomain { name, .. } => format!("creates domain {name}"),
            Op::Create { kind, name, .. } => format!("creates {} {name}", kind.noun()),
            Op::Drop { kind, names, .. } => format!("drops {} {}", kind.noun(), join_names(names)),
            Op::Rename { kind, from, to } => format!(
                "renames {} {from} to {}",
                kind.noun(),
                crate::lint::ops::quote_ident(to)
            ),
            Op::AlterTable { table, action, .. } => match action {
                TableAction::AddColumn { column, .. } => {
                    format!("adds column {}", column_ref(table, &column.name))
                }
                TableAction::DropColumn { column, .. } => {
                    format!("drops column {}", column_ref(table, column))
                }
                TableAction::AlterColumnType { column, ty, .. } => {
                    format!("changes {} to {ty}", column_ref(table, column))
                }
                TableAction::SetNotNull { column } => {
                    format!("makes {} NOT NULL", column_ref(table, column))
                }
                TableAction::AddConstraint(c) => match &c.name {
                    Some(n) => format!(
                        "adds constraint {} on {table}",
                        crate::lint::ops::quote_ident(n)
                    ),
                    None => format!("adds a constraint on {table}"),
                },
                TableAction::DropConstraint { name, .. } => format!(
                    "drops constraint {} of {table}",
                    crate::lint::ops::quote_ident(name)
                ),
                TableAction::RenameColumn { from, to } => format!(
                    "renames {} to {}",
                    column_ref(table, from),
                    crate::lint::ops::quote_ident(to)
                ),
                TableAction::RenameTable { to } => format!(
                    "renames table {table} to {}",
                    crate::lint::ops::quote_ident(to)
                ),
                _ => format!("alters table {table}"),
            },
            _ => "changes the schema".to_owned(),
        }
    }

    /// reversibility: the SQL that undoes an up operation, when the operation alone says what it
    /// is (creations and renames; a drop's inverse needs the old definition).
    pub fn inverse_sql(op: &Op) -> Option<String> {
        use crate::lint::ops::quote_ident as q;
        Some(match op {
            Op::CreateTable { table, .. } => format!("DROP TABLE {table};"),
            Op::CreateIndex {
                name: Some(name), ..
            } => format!("DROP INDEX {name};"),
            Op::CreateEnum { name, .. } => format!("DROP TYPE {name};"),
            Op::CreateDomain { name, .. } => format!("DROP DOMAIN {name};"),
            Op::Create {
                kind,
                name,
                on_table,
                ..
            } => match on_table {
                Some(t) => format!("DROP {} {name} ON {t};", kind.sql()),
                None => format!("DROP {} {name};", kind.sql()),
            },
            Op::Rename { kind, from, to } => {
                let renamed = crate::lint::ops::Name::new(from.schema.as_deref(), to);
                format!(
                    "ALTER {} {renamed} RENAME TO {};",
                    kind.sql(),
                    q(&from.name)
                )
            }
            Op::AlterTable { table, action, .. } => match action {
                TableAction::AddColumn { column, .. } => {
                    format!("ALTER TABLE {table} DROP COLUMN {};", q(&column.name))
                }
                TableAction::SetNotNull { column } => {
                    format!(
                        "ALTER TABLE {table} ALTER COLUMN {} DROP NOT NULL;",
                        q(column)
                    )
                }
                TableAction::AddConstraint(c) => {
                    format!(
                        "ALTER TABLE {table} DROP CONSTRAINT {};",
                        q(c.name.as_ref()?)
                    )
                }
                TableAction::RenameColumn { from, to } => {
                    format!(
                        "ALTER TABLE {table} RENAME COLUMN {} TO {};",
                        q(to),
                        q(from)
                    )
                }
                TableAction::RenameConstraint { from, to } => {
                    format!(
                        "ALTER TABLE {table} RENAME CONSTRAINT {} TO {};",
                        q(to),
                        q(from)
                    )
                }
                TableAction::RenameTable { to } => {
                    let renamed = crate::lint::ops::Name::new(table.schema.as_deref(), to);
                    format!("ALTER TABLE {renamed} RENAME TO {};", q(&table.name))
                }
                _ => return None,
            },
            _ => return None,
        })
    }

    /// reversibility: a down that does nothing: no statement, or only comments, SET, transaction
    /// control and constant `SELECT`s (`SELECT 1`, goose's template `SELECT 'down SQL query'`).
    pub fn is_noop_down(statements: &[Statement]) -> bool {
        statements.iter().all(|s| {
            s.parsed_by != crate::lint::statement::ParsedBy::Unrecognized
                && s.ops.iter().all(|op| match op {
                    Op::Transaction(_) | Op::Set { .. } => true,
                    Op::Other { keyword } => {
                        keyword.eq_ignore_ascii_case("SELECT") && is_constant_select(&s.text)
                    }
                    _ => false,
                })
        })
    }

    /// reversibility: `SELECT 1`, `SELECT 'x'`: no function call, no FROM.
    fn is_constant_select(text: &str) -> bool {
        let lower = text.to_ascii_lowercase();
        !lower.contains('(')
            && !lower
                .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .any(|w| w == "from" || w == "into")
    }

    /// reversibility: a down written to refuse the rollback (`DO $$ BEGIN RAISE EXCEPTION
    /// 'irreversible'; END $$`): the author marked the migration one-way on purpose.
    pub fn down_refuses(statements: &[Statement]) -> bool {
        statements.iter().any(|s| {
            !s.in_do_block
                && s.ops.iter().any(|op| matches!(op, Op::DoBlock))
                && s.text.to_ascii_lowercase().contains("raise exception")
        })
    }

    /// reversibility: runs `f` on every up statement with the context as the engine had it before
    /// that statement (replayed from the context at the start of the file).
    pub fn replay<'a>(
        up: &'a [Statement],
        start: &Context,
        mut f: impl FnMut(&'a Statement, &Context),
    ) {
        let mut ctx = start.clone();
        for stmt in up {
            f(stmt, &ctx);
            ctx.apply(stmt);
        }
    }
}

/// The fix both index rules offer: `CONCURRENTLY` after the `INDEX` keyword, where the statement
/// runs outside a transaction block. `verb` says what the migration of its own would do ("run the
/// index", "drop the index").
pub fn add_concurrently(
    stmt: &Statement,
    ctx: &Context,
    verb: &str,
) -> Result<crate::lint::diagnostic::Fix, String> {
    use crate::lint::diagnostic::{Fix, Needs};
    if stmt.in_do_block {
        return Err("the statement is inside a DO block, where CONCURRENTLY cannot run".into());
    }
    if ctx.in_explicit_transaction() {
        return Err("the statement is inside BEGIN ... COMMIT, where CONCURRENTLY fails".into());
    }
    if ctx.one_query_string {
        return Err(format!(
            "the runner sends the file as one query string, which PostgreSQL runs in an implicit \
             transaction block, where CONCURRENTLY fails: {verb} in a migration file of its own"
        ));
    }
    if ctx.in_transaction() {
        return Err(format!(
            "the migration runs in a transaction, where CONCURRENTLY fails: {verb} in a \
             migration of its own without a transaction"
        ));
    }
    let index = words(stmt)
        .into_iter()
        .find(|w| !w.quoted && w.text == "index")
        .ok_or("cannot find the INDEX keyword in the statement's text")?;
    let edit = crate::lint::fix::insert_after(stmt, index.span, " CONCURRENTLY");
    Ok(Fix::safe(
        "Add CONCURRENTLY",
        vec![edit],
        Needs::NoTransactionBlock,
    ))
}
