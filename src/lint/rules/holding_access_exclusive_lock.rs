//! `holding-access-exclusive-lock`: long work while an ACCESS EXCLUSIVE lock is still held.
//!
//! Locks last until the transaction ends. After an instant `ALTER TABLE`, a backfill, an index
//! build or a validation in the same transaction keeps every read and write of the altered table
//! waiting for as long as that work runs. Only long work counts (a whole-table or filtered
//! `UPDATE`/`DELETE`, `INSERT ... SELECT`, or anything the lock model says scans, builds or
//! rewrites), and only locks on tables that existed before the file. A statement that itself
//! takes ACCESS EXCLUSIVE with long work on the held table adds nothing: that table is blocked
//! either way, and other rules report the statement.

use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::locks::{self, LockEffect, Target};
use crate::lint::ops::{DmlKind, LockMode, Name, Op};
use crate::lint::rules::Check;

use crate::lint::statement::Statement;

pub struct HoldingAccessExclusiveLock;

impl Check for HoldingAccessExclusiveLock {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        if !ctx.in_transaction() {
            return;
        }
        let Some(work) = long_work(stmt, ctx) else {
            return;
        };
        // Tables this statement blocks completely anyway.
        let blocked_anyway: Vec<&Target> = work
            .effects
            .iter()
            .filter(|e| e.mode == LockMode::AccessExclusive && e.work.is_long())
            .map(|e| &e.target)
            .collect();
        let mut held: Vec<&Name> = Vec::new();
        for lock in &ctx.held {
            let target = &lock.effect.target;
            if lock.effect.mode != LockMode::AccessExclusive
                || ctx.is_new_target(target)
                || blocked_anyway.iter().any(|t| t.name().matches(target.name()))
                || held.iter().any(|n| n.matches(target.name()))
            {
                continue;
            }
            held.push(target.name());
        }
        if held.is_empty() {
            return;
        }
        let names = name_list(&held);
        let (lock_word, verb) = if held.len() == 1 {
            ("lock", "is")
        } else {
            ("locks", "are")
        };
        out.push(
            Finding::new(
                stmt.span.clone(),
                format!(
                    "This statement {} while the ACCESS EXCLUSIVE {lock_word} on {names}, taken \
                     earlier in this transaction, {verb} still held: every read and write of \
                     {names} waits until the transaction ends",
                    work.what
                ),
                format!(
                    "COMMIT right after the statement that locks {names}, and run this work in a \
                     transaction of its own (a separate migration, or COMMIT; before it); for a \
                     backfill, update in batches by primary key range, one transaction per batch"
                ),
            )
            .lock(LockMode::AccessExclusive),
        );
    }
}

/// "orders", "orders, customers", "orders, customers, items and 2 more tables".
fn name_list(names: &[&Name]) -> String {
    const SHOWN: usize = 3;
    let shown = names
        .iter()
        .take(SHOWN)
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    match names.len().saturating_sub(SHOWN) {
        0 => shown,
        1 => format!("{shown} and 1 more table"),
        more => format!("{shown} and {more} more tables"),
    }
}

struct LongWork {
    /// "updates rows of orders", "builds an index on orders".
    what: String,
    /// The locks the statement itself takes.
    effects: Vec<LockEffect>,
}

/// What long-running work the statement does, if any.
fn long_work(stmt: &Statement, ctx: &Context) -> Option<LongWork> {
    let effects: Vec<LockEffect> = stmt
        .ops
        .iter()
        .flat_map(|op| locks::effects(op, ctx))
        .collect();
    for op in &stmt.ops {
        if let Op::Dml {
            kind,
            table,
            select_from,
            ..
        } = op
        {
            let what = match kind {
                // New tables are empty or small: updating them is quick.
                DmlKind::Update if !ctx.is_new_table(table) => format!("updates rows of {table}"),
                DmlKind::Delete if !ctx.is_new_table(table) => {
                    format!("deletes rows of {table}")
                }
                // Reading a whole existing table is long whatever the target.
                DmlKind::Insert if select_from.iter().any(|t| !ctx.is_new_table(t)) => {
                    let sources = select_from
                        .iter()
                        .map(|t| t.to_string())
                        .collect::<Vec<_>>()
                        .join(", ");
                    format!("copies rows from {sources} into {table}")
                }
                _ => continue,
            };
            return Some(LongWork { what, effects });
        }
    }
    let long = effects
        .iter()
        .filter(|e| e.work.is_long() && !ctx.is_new_target(&e.target))
        .max_by_key(|e| e.work)?;
    let what = format!(
        "{} {}",
        match long.work {
            locks::Work::IndexBuild => "builds an index on",
            locks::Work::Rewrite | locks::Work::MaybeRewrite => "rewrites",
            _ => "scans every row of",
        },
        long.target.describe()
    );
    Some(LongWork { what, effects })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::context::FileSettings;
    use crate::lint::ops::{ColumnDef, TableAction, TransactionOp};
    use crate::lint::rules::helpers::run_check;

    fn alter(table: &str, action: TableAction) -> Vec<Op> {
        vec![Op::AlterTable {
            table: Name::bare(table),
            only: false,
            if_exists: false,
            action,
        }]
    }

    fn add_column(table: &str) -> Vec<Op> {
        alter(
            table,
            TableAction::AddColumn {
                column: ColumnDef {
                    name: "shipped".into(),
                    ty: None,
                    default: None,
                    not_null: false,
                    primary_key: false,
                    unique: false,
                    references: None,
                    check: None,
                    generated: None,
                },
                if_not_exists: false,
            },
        )
    }

    fn dml(kind: DmlKind, table: &str, has_where: bool, from: &[&str]) -> Vec<Op> {
        vec![Op::Dml {
            kind,
            table: Name::bare(table),
            has_where,
            select_from: from.iter().map(|t| Name::bare(t)).collect(),
            select_filtered: false,
        }]
    }

    fn tx(op: TransactionOp) -> Vec<Op> {
        vec![Op::Transaction(op)]
    }

    fn index(table: &str) -> Vec<Op> {
        vec![Op::CreateIndex {
            name: Some(Name::bare("idx")),
            table: Name::bare(table),
            unique: false,
            concurrently: false,
            if_not_exists: false,
            only: false,
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

    fn explicit() -> FileSettings {
        FileSettings::default()
    }

    #[test]
    fn backfill_after_ddl_in_one_transaction_fires_once() {
        let found = run_check(
            &HoldingAccessExclusiveLock,
            &explicit(),
            &[
                ("BEGIN", tx(TransactionOp::Begin)),
                ("ALTER TABLE orders ADD COLUMN shipped boolean", add_column("orders")),
                (
                    "UPDATE orders SET shipped = false",
                    dml(DmlKind::Update, "orders", false, &[]),
                ),
                (
                    "UPDATE orders SET shipped = true WHERE status = 'sent'",
                    dml(DmlKind::Update, "orders", true, &[]),
                ),
                ("CREATE INDEX idx ON customers (email)", index("customers")),
                ("COMMIT", tx(TransactionOp::Commit)),
                (
                    "UPDATE orders SET shipped = false",
                    dml(DmlKind::Update, "orders", false, &[]),
                ),
            ],
        );
        let at: Vec<_> = found.iter().map(|(i, _)| *i).collect();
        assert_eq!(at, [Some(2), Some(3), Some(4)]);
        let f = &found[0].1;
        assert_eq!(f.lock, Some(LockMode::AccessExclusive));
        assert!(f.message.starts_with(
            "This statement updates rows of orders while the ACCESS EXCLUSIVE lock on orders, \
             taken earlier in this transaction, is still held"
        ));
        assert!(found[2].1.message.contains("builds an index on customers"));
    }

    #[test]
    fn long_lists_of_held_tables_are_cut() {
        let names: Vec<Name> = ["a", "b", "c", "d", "e"].map(Name::bare).to_vec();
        let refs: Vec<&Name> = names.iter().collect();
        assert_eq!(name_list(&refs[..1]), "a");
        assert_eq!(name_list(&refs[..4]), "a, b, c and 1 more table");
        assert_eq!(name_list(&refs), "a, b, c and 2 more tables");
    }

    #[test]
    fn the_runners_transaction_counts_too() {
        let settings = FileSettings {
            pg_version: 15,
            assume_in_transaction: true,
            ..FileSettings::default()
        };
        let found = run_check(
            &HoldingAccessExclusiveLock,
            &settings,
            &[
                ("ALTER TABLE orders ADD COLUMN shipped boolean", add_column("orders")),
                (
                    "INSERT INTO archive SELECT * FROM orders",
                    dml(DmlKind::Insert, "archive", false, &["orders"]),
                ),
            ],
        );
        assert_eq!(found.len(), 1);
        assert!(found[0].1.message.contains("copies rows from orders into archive"));
    }

    #[test]
    fn quiet_outside_transactions_for_new_tables_short_work_and_self_blocking() {
        let cases: Vec<Vec<(&str, Vec<Op>)>> = vec![
            // No transaction: each statement commits on its own.
            vec![
                ("ALTER TABLE orders ADD COLUMN shipped boolean", add_column("orders")),
                (
                    "UPDATE orders SET shipped = false",
                    dml(DmlKind::Update, "orders", false, &[]),
                ),
            ],
            // The locked table is new.
            vec![
                ("BEGIN", tx(TransactionOp::Begin)),
                ("CREATE TABLE staging ()", create("staging")),
                ("ALTER TABLE staging ADD COLUMN shipped boolean", add_column("staging")),
                ("CREATE INDEX idx ON orders (id)", index("orders")),
            ],
            // Short work: INSERT ... VALUES, another instant DDL, work on a new table.
            vec![
                ("BEGIN", tx(TransactionOp::Begin)),
                ("ALTER TABLE orders ADD COLUMN shipped boolean", add_column("orders")),
                (
                    "INSERT INTO orders VALUES (1)",
                    dml(DmlKind::Insert, "orders", false, &[]),
                ),
                ("ALTER TABLE customers ADD COLUMN shipped boolean", add_column("customers")),
                ("CREATE TABLE staging ()", create("staging")),
                ("CREATE INDEX idx ON staging (id)", index("staging")),
                (
                    "UPDATE staging SET shipped = false",
                    dml(DmlKind::Update, "staging", false, &[]),
                ),
            ],
            // The long statement blocks the held table by itself anyway.
            vec![
                ("BEGIN", tx(TransactionOp::Begin)),
                ("ALTER TABLE orders ADD COLUMN shipped boolean", add_column("orders")),
                (
                    "ALTER TABLE orders SET LOGGED",
                    alter("orders", TableAction::SetLogged),
                ),
            ],
        ];
        for stmts in cases {
            let found = run_check(&HoldingAccessExclusiveLock, &explicit(), &stmts);
            assert!(found.is_empty(), "{stmts:?}: {found:?}");
        }
    }
}
