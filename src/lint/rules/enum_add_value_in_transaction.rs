//! `enum-add-value-in-transaction`: `ALTER TYPE ... ADD VALUE` where the transaction breaks it.
//!
//! Before PostgreSQL 12, `ALTER TYPE ... ADD VALUE` fails inside a transaction block. From 12 it
//! runs, but the new value cannot be used until the transaction commits ("unsafe use of new
//! value"): the rule then fires on the later statement of the same transaction that quotes the
//! value as a string literal, even for a type created in the same transaction (measured on 15).
//! Before 12, a type created earlier in the file is exempt: PostgreSQL lets a type created in the
//! same transaction get values there.

use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::{Name, ObjectKind, Op};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct EnumAddValueInTransaction;

impl Check for EnumAddValueInTransaction {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        let adds: Vec<(&Name, &String)> = stmt
            .ops
            .iter()
            .filter_map(|op| match op {
                Op::AlterEnumAddValue { name, value } => Some((name, value)),
                _ => None,
            })
            .collect();
        if !adds.is_empty() {
            if ctx.pg_version < 12 && ctx.in_transaction() {
                for (name, value) in adds {
                    if ctx.is_new(ObjectKind::Type, name) {
                        continue;
                    }
                    out.push(Finding::new(
                        stmt.span.clone(),
                        format!(
                            "ALTER TYPE {name} ADD VALUE {} runs inside a transaction: before \
                             PostgreSQL 12 it fails with \"ALTER TYPE ... ADD cannot run inside \
                             a transaction block\"",
                            literal(value)
                        ),
                        format!(
                            "Run ALTER TYPE {name} ADD VALUE {}; outside a transaction: in a \
                             migration of its own with the runner's transaction turned off, \
                             without BEGIN/COMMIT around it",
                            literal(value)
                        ),
                    ));
                }
            }
            // The ADD VALUE statements themselves (`AFTER 'x'`) are not uses.
            return;
        }
        if ctx.pg_version < 12 {
            return;
        }
        let used = ctx
            .enum_values_added
            .iter()
            .find(|(_, value)| stmt.text.contains(&literal(value)));
        if let Some((name, value)) = used {
            let lit = literal(value);
            out.push(Finding::new(
                stmt.find(&lit),
                format!(
                    "{lit} was added to {name} earlier in this transaction: using it before COMMIT \
                     fails with \"unsafe use of new value {lit} of enum type {name}\""
                ),
                format!(
                    "Commit after ALTER TYPE {name} ADD VALUE {lit}; and use the value in a later \
                     transaction (a separate migration)"
                ),
            ));
        }
    }
}

/// The SQL string literal for an enum label.
fn literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::context::FileSettings;
    use crate::lint::ops::{DmlKind, TransactionOp};
    use crate::lint::rules::helpers::run_check;

    fn add(value: &str) -> Vec<Op> {
        vec![Op::AlterEnumAddValue {
            name: Name::bare("order_status"),
            value: value.into(),
        }]
    }

    fn update() -> Vec<Op> {
        vec![Op::Dml {
            kind: DmlKind::Update,
            table: Name::bare("orders"),
            has_where: true,
            select_from: vec![],
            select_filtered: false,
        }]
    }

    fn tx(op: TransactionOp) -> Vec<Op> {
        vec![Op::Transaction(op)]
    }

    fn settings(pg_version: u32, assume_in_transaction: bool) -> FileSettings {
        FileSettings {
            pg_version,
            assume_in_transaction,
            ..FileSettings::default()
        }
    }

    #[test]
    fn before_12_fires_on_the_alter_inside_a_transaction_only() {
        let found = run_check(
            &EnumAddValueInTransaction,
            &settings(11, false),
            &[
                ("ALTER TYPE order_status ADD VALUE 'a'", add("a")),
                ("BEGIN", tx(TransactionOp::Begin)),
                ("ALTER TYPE order_status ADD VALUE 'b'", add("b")),
                ("UPDATE orders SET status = 'b' WHERE id = 1", update()),
                ("COMMIT", tx(TransactionOp::Commit)),
            ],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, Some(2));
        assert!(found[0].1.message.contains("cannot run inside a transaction block"));
        let found = run_check(
            &EnumAddValueInTransaction,
            &settings(10, true),
            &[("ALTER TYPE order_status ADD VALUE 'a'", add("a"))],
        );
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn from_12_fires_on_the_later_use_in_the_same_transaction() {
        let use_it = "UPDATE orders SET status = 'it''s' WHERE status = 'b'";
        let found = run_check(
            &EnumAddValueInTransaction,
            &settings(12, true),
            &[
                ("ALTER TYPE order_status ADD VALUE 'it''s'", add("it's")),
                ("ALTER TYPE order_status ADD VALUE 'c' AFTER 'it''s'", add("c")),
                ("UPDATE orders SET status = 'x' WHERE status = 'b'", update()),
                (use_it, update()),
                ("COMMIT", tx(TransactionOp::Commit)),
                (use_it, update()),
            ],
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, Some(3));
        let f = &found[0].1;
        assert!(f.message.contains("unsafe use of new value 'it''s'"));
        // Statement 3 starts after three statements and their separators.
        let start = [
            "ALTER TYPE order_status ADD VALUE 'it''s'",
            "ALTER TYPE order_status ADD VALUE 'c' AFTER 'it''s'",
            "UPDATE orders SET status = 'x' WHERE status = 'b'",
        ]
        .iter()
        .map(|s| s.len() + 2)
        .sum::<usize>();
        assert_eq!(f.span, start + 27..start + 34);
    }

    #[test]
    fn quiet_outside_transactions_and_before_12_for_new_types() {
        let found = run_check(
            &EnumAddValueInTransaction,
            &settings(15, false),
            &[
                ("ALTER TYPE order_status ADD VALUE 'a'", add("a")),
                ("UPDATE orders SET status = 'a' WHERE id = 1", update()),
            ],
        );
        assert!(found.is_empty());
        let new_type = |version| {
            run_check(
                &EnumAddValueInTransaction,
                &settings(version, true),
                &[
                    (
                        "CREATE TYPE order_status AS ENUM ('x')",
                        vec![Op::CreateEnum {
                            name: Name::bare("order_status"),
                            values: vec!["x".into()],
                        }],
                    ),
                    ("ALTER TYPE order_status ADD VALUE 'a'", add("a")),
                    ("UPDATE orders SET status = 'a' WHERE id = 1", update()),
                ],
            )
        };
        assert!(new_type(11).is_empty());
        // From 12, a value added to a type created in the same transaction is still unusable.
        let found = new_type(15);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, Some(2));
    }
}
