//! `unbatched-backfill`: `UPDATE`/`DELETE` without `WHERE`, or `INSERT ... SELECT` of a whole table.
//!
//! One statement that touches every row of a live table runs as one long transaction: it locks
//! each row it changes until it commits (concurrent updates of those rows wait), leaves one dead
//! row version per row for VACUUM, and writes all of it to the WAL at once (replicas lag). Tables
//! created earlier in the file are exempt, and so is an `INSERT ... SELECT` that reads only such
//! tables.

use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::{DmlKind, LockMode, Name, Op};
use crate::lint::rules::Check;
use crate::lint::rules::helpers::has_filter_keyword;
use crate::lint::statement::Statement;

pub struct UnbatchedBackfill;

impl Check for UnbatchedBackfill {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        for op in &stmt.ops {
            let Op::Dml {
                kind,
                table,
                has_where,
                select_from,
                select_filtered,
            } = op
            else {
                continue;
            };
            if ctx.is_new_table(table) {
                continue;
            }
            // The table whose key ranges make the batches: the one read from.
            let (message, keyed, batch) = match kind {
                DmlKind::Update | DmlKind::Delete if !has_where => {
                    let verb = if *kind == DmlKind::Update {
                        "UPDATE"
                    } else {
                        "DELETE"
                    };
                    (
                        format!(
                            "{verb} of {table} without WHERE changes every row in one \
                             transaction: each row stays locked until it commits (concurrent \
                             updates of it wait), and every row leaves a dead version and WAL at \
                             once"
                        ),
                        table,
                        batched_statement(&stmt.text),
                    )
                }
                // A WHERE or LIMIT inside a WITH query or subquery narrows the copy too.
                DmlKind::Insert
                    if !select_filtered
                        && !has_filter_keyword(&stmt.text)
                        && select_from.iter().any(|t| !ctx.is_new_table(t)) =>
                {
                    let source = select_from
                        .iter()
                        .find(|t| !ctx.is_new_table(t))
                        .unwrap_or(&select_from[0]);
                    (
                        format!(
                            "INSERT INTO {table} ... SELECT copies all of {} in one \
                             transaction: the rows written to {table} stay locked until it \
                             commits, and the whole copy hits the WAL at once",
                            names(select_from)
                        ),
                        source,
                        format!(
                            "INSERT INTO {table} ... SELECT ... FROM {source} WHERE {source}.id \
                             >= lo AND {source}.id < lo + 10000;"
                        ),
                    )
                }
                _ => continue,
            };
            out.push(
                Finding::new(stmt.span.clone(), message, help(keyed, &batch))
                    .lock(LockMode::RowExclusive),
            );
        }
    }
}

fn names(tables: &[Name]) -> String {
    tables
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The statement with a key-range `WHERE` appended, when that is valid SQL (no `RETURNING`).
fn batched_statement(text: &str) -> String {
    let text = text.trim().trim_end_matches(';').trim_end();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.to_ascii_lowercase().contains(" returning ") || flat.len() > 120 {
        let head: Vec<&str> = flat.split_whitespace().take(3).collect();
        return format!("{} ... WHERE id >= lo AND id < lo + 10000;", head.join(" "));
    }
    format!("{flat} WHERE id >= lo AND id < lo + 10000;")
}

fn help(table: &Name, batch: &str) -> String {
    format!(
        "Batch by primary key range, one transaction per batch (id stands for the primary key of \
         {table}), e.g. from a script or, on PostgreSQL 11+, outside a transaction block:\n\
         DO $$\n\
         DECLARE lo bigint := 0; last bigint;\n\
         BEGIN\n\
         \x20 SELECT max(id) INTO last FROM {table};\n\
         \x20 WHILE lo <= last LOOP\n\
         \x20   {batch}\n\
         \x20   COMMIT;\n\
         \x20   lo := lo + 10000;\n\
         \x20 END LOOP;\n\
         END $$;"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::context::FileSettings;
    use crate::lint::rules::helpers::run_check;

    fn dml(kind: DmlKind, table: &str, has_where: bool, from: &[&str], filtered: bool) -> Vec<Op> {
        vec![Op::Dml {
            kind,
            table: Name::bare(table),
            has_where,
            select_from: from.iter().map(|t| Name::bare(t)).collect(),
            select_filtered: filtered,
        }]
    }

    fn create(table: &str) -> Vec<Op> {
        vec![Op::CreateTable {
            table: Name::bare(table),
            columns: vec![],
            constraints: vec![],
            partition_of: None,
            as_query: false,
            if_not_exists: false,
            temporary: false,
        }]
    }

    #[test]
    fn whole_table_writes_fire() {
        let found = run_check(
            &UnbatchedBackfill,
            &FileSettings::default(),
            &[
                (
                    "UPDATE orders SET status = 'new'",
                    dml(DmlKind::Update, "orders", false, &[], false),
                ),
                (
                    "DELETE FROM order_items",
                    dml(DmlKind::Delete, "order_items", false, &[], false),
                ),
                (
                    "INSERT INTO order_archive SELECT * FROM orders",
                    dml(DmlKind::Insert, "order_archive", false, &["orders"], false),
                ),
            ],
        );
        assert_eq!(found.len(), 3);
        let f = &found[0].1;
        assert_eq!(f.lock, Some(LockMode::RowExclusive));
        assert!(f.message.starts_with("UPDATE of orders without WHERE"));
        assert!(
            f.help
                .contains("UPDATE orders SET status = 'new' WHERE id >= lo AND id < lo + 10000;"),
            "{}",
            f.help
        );
        assert!(f.help.contains("COMMIT;"));
        assert!(found[1].1.message.starts_with("DELETE of order_items"));
        assert!(found[2].1.message.contains("copies all of orders"));
        // The batches range over the table read from.
        assert!(found[2].1.help.contains("SELECT max(id) INTO last FROM orders;"));
        assert!(
            found[2]
                .1
                .help
                .contains("FROM orders WHERE orders.id >= lo AND orders.id < lo + 10000;")
        );
    }

    #[test]
    fn quiet_with_where_filters_values_and_new_tables() {
        let found = run_check(
            &UnbatchedBackfill,
            &FileSettings::default(),
            &[
                (
                    "UPDATE orders SET status = 'new' WHERE id < 1000",
                    dml(DmlKind::Update, "orders", true, &[], false),
                ),
                (
                    "DELETE FROM orders WHERE id = 1",
                    dml(DmlKind::Delete, "orders", true, &[], false),
                ),
                (
                    "INSERT INTO orders VALUES (1)",
                    dml(DmlKind::Insert, "orders", false, &[], false),
                ),
                (
                    "INSERT INTO order_archive SELECT * FROM orders WHERE id < 1000",
                    dml(DmlKind::Insert, "order_archive", false, &["orders"], true),
                ),
                ("CREATE TABLE staging ()", create("staging")),
                (
                    "UPDATE staging SET status = 'new'",
                    dml(DmlKind::Update, "staging", false, &[], false),
                ),
                (
                    "INSERT INTO staging SELECT * FROM orders",
                    dml(DmlKind::Insert, "staging", false, &["orders"], false),
                ),
                (
                    "INSERT INTO orders SELECT * FROM staging",
                    dml(DmlKind::Insert, "orders", false, &["staging"], false),
                ),
                (
                    "WITH recent AS (SELECT * FROM orders WHERE id > 1000)\n\
                     INSERT INTO order_archive SELECT * FROM recent",
                    dml(DmlKind::Insert, "order_archive", false, &["orders"], false),
                ),
            ],
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_with_query_without_filter_still_counts() {
        let found = run_check(
            &UnbatchedBackfill,
            &FileSettings::default(),
            &[(
                "WITH r AS (SELECT * FROM orders) INSERT INTO order_archive SELECT * FROM r",
                dml(DmlKind::Insert, "order_archive", false, &["orders"], false),
            )],
        );
        assert_eq!(found.len(), 1);
        assert!(found[0].1.help.contains("FROM orders WHERE orders.id"));
    }

    #[test]
    fn returning_keeps_the_example_valid() {
        assert_eq!(
            batched_statement("DELETE FROM orders RETURNING id"),
            "DELETE FROM orders ... WHERE id >= lo AND id < lo + 10000;"
        );
    }
}
