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
