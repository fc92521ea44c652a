//! `create-table-as`: `CREATE TABLE ... AS` / `SELECT INTO`.
//!
//! The new table gets only column names and types: no primary key, constraints, indexes,
//! defaults or `NOT NULL`, which are easy to forget and slow to add once the table has rows. The
//! query also reads its source tables in one statement. Temporary tables are exempt.

use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::Op;
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct CreateTableAs;

impl Check for CreateTableAs {
    fn statement(&self, stmt: &Statement, _ctx: &Context, out: &mut Vec<Finding>) {
        for op in &stmt.ops {
            let Op::CreateTable {
                table,
                as_query: true,
                temporary: false,
                ..
            } = op
            else {
                continue;
            };
            // In a PL/pgSQL body, `SELECT ... INTO x` assigns variables: it creates no table.
            if stmt.in_do_block && !starts_with_create(&stmt.text) {
                continue;
            }
            out.push(Finding::new(
                stmt.span.clone(),
                format!(
                    "{table} is created from a query: it gets column names and types only, with \
                     no primary key, constraints, indexes, defaults or NOT NULL, and its rows are \
                     copied in one statement"
                ),
                format!(
                    "Create {table} with its full definition (CREATE TABLE {table} (id bigint \
                     PRIMARY KEY, ...);), then fill it with INSERT INTO {table} SELECT ... in \
                     batches by primary key range, one transaction per batch"
                ),
            ));
        }
    }
}

fn starts_with_create(text: &str) -> bool {
    text.split_whitespace()
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case("create"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::context::FileSettings;
    use crate::lint::ops::Name;
    use crate::lint::rules::helpers::run_check;

    fn create(as_query: bool, temporary: bool) -> Vec<Op> {
        vec![Op::CreateTable {
            table: Name::bare("order_copy"),
            columns: vec![],
            constraints: vec![],
            partition_of: None,
            as_query,
            if_not_exists: false,
            temporary,
        }]
    }

    #[test]
    fn fires_for_permanent_tables_from_queries_only() {
        let found = run_check(
            &CreateTableAs,
            &FileSettings::default(),
            &[
                ("CREATE TABLE order_copy AS SELECT * FROM orders", create(true, false)),
                (
                    "CREATE TEMP TABLE order_copy AS SELECT * FROM orders",
                    create(true, true),
                ),
                ("CREATE TABLE order_copy (id bigint)", create(false, false)),
            ],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, Some(0));
        assert!(found[0].1.message.starts_with("order_copy is created from a query"));
        assert!(found[0].1.help.contains("INSERT INTO order_copy SELECT"));
    }

    #[test]
    fn select_into_in_a_do_body_assigns_variables() {
        let ctx = Context::new(&FileSettings::default());
        for (text, fires) in [
            ("SELECT count(*) INTO n FROM orders", false),
            ("CREATE TABLE order_copy AS SELECT * FROM orders", true),
        ] {
            let stmt = Statement {
                span: 0..text.len(),
                text: text.into(),
                ops: create(true, false),
                parsed_by: crate::lint::statement::ParsedBy::Parser,
                syntax_error: None,
                in_do_block: true,
            };
            let mut out = Vec::new();
            CreateTableAs.statement(&stmt, &ctx, &mut out);
            assert_eq!(out.len(), usize::from(fires), "{text}");
        }
    }
}
