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
