//! `transaction-nesting`: `BEGIN` inside an open transaction, or `COMMIT`/`ROLLBACK` that ends the
//! runner's transaction.
//!
//! PostgreSQL has no nested transactions: a second `BEGIN` is ignored with a WARNING, so the first
//! `COMMIT` commits everything, and the statements after it run outside any transaction. When the
//! migration runner wraps the file in a transaction (`assume_in_transaction`), any `BEGIN` is
//! such a second one, and a `COMMIT` or `ROLLBACK` with no `BEGIN` of the file open ends the
//! runner's transaction early. Statements inside `DO` bodies are left alone: their `BEGIN` is
//! PL/pgSQL block syntax and their `COMMIT` follows procedure rules.

use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::{Op, TransactionOp};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct TransactionNesting;

impl Check for TransactionNesting {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        if stmt.in_do_block {
            return;
        }
        for op in &stmt.ops {
            let Op::Transaction(kind) = op else {
                continue;
            };
            match kind {
                TransactionOp::Begin if ctx.in_explicit_transaction() => out.push(Finding::new(
                    stmt.span.clone(),
                    "BEGIN inside a transaction that is already open: PostgreSQL ignores it with \
                     a WARNING, and the first COMMIT commits everything since the outer BEGIN",
                    "Remove this BEGIN and its COMMIT; for a unit that can be rolled back on its \
                     own, use SAVEPOINT step; ... RELEASE SAVEPOINT step; (ROLLBACK TO SAVEPOINT \
                     step; to undo it)",
                )),
                TransactionOp::Begin if ctx.in_transaction() => out.push(Finding::new(
                    stmt.span.clone(),
                    "BEGIN while the migration runner's transaction is already open: PostgreSQL \
                     ignores it with a WARNING, and the COMMIT that closes it ends the runner's \
                     transaction early; what follows runs outside any transaction",
                    "Remove BEGIN and COMMIT: the runner already wraps the file in a transaction. \
                     If this migration must control its own transactions, turn the runner's \
                     transaction off for it",
                )),
                TransactionOp::Commit | TransactionOp::Rollback
                    if ctx.assume_in_transaction
                        && ctx.in_transaction()
                        && !ctx.in_explicit_transaction() =>
                {
                    let (word, before) = if *kind == TransactionOp::Commit {
                        ("COMMIT", "commits what came before")
                    } else {
                        ("ROLLBACK", "undoes what came before")
                    };
                    out.push(Finding::new(
                        stmt.span.clone(),
                        format!(
                            "{word} ends the migration runner's transaction early: it {before}, \
                             the statements after it run outside any transaction, and the \
                             runner's own COMMIT finds none to end"
                        ),
                        format!(
                            "Remove the {word}; if the migration needs two transactions, split it \
                             into two files (or turn the runner's transaction off for it)"
                        ),
                    ));
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::context::FileSettings;
    use crate::lint::rules::helpers::run_check;

    fn tx(op: TransactionOp) -> Vec<Op> {
        vec![Op::Transaction(op)]
    }

    fn settings(assume_in_transaction: bool) -> FileSettings {
        FileSettings {
            pg_version: 15,
            assume_in_transaction,
            ..FileSettings::default()
        }
    }

    #[test]
    fn nested_begin_fires_on_the_inner_begin() {
        let found = run_check(
            &TransactionNesting,
            &settings(false),
            &[
                ("BEGIN", tx(TransactionOp::Begin)),
                ("SAVEPOINT a", tx(TransactionOp::Savepoint)),
                ("BEGIN", tx(TransactionOp::Begin)),
                ("COMMIT", tx(TransactionOp::Commit)),
                ("BEGIN", tx(TransactionOp::Begin)),
                ("ROLLBACK", tx(TransactionOp::Rollback)),
            ],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, Some(2));
        assert!(found[0].1.message.contains("already open"));
    }

    #[test]
    fn under_the_runner_begin_and_bare_commit_fire() {
        let found = run_check(
            &TransactionNesting,
            &settings(true),
            &[
                ("BEGIN", tx(TransactionOp::Begin)),
                ("COMMIT", tx(TransactionOp::Commit)),
            ],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, Some(0));
        assert!(found[0].1.message.contains("runner's transaction"));
        for end in [TransactionOp::Commit, TransactionOp::Rollback] {
            let found = run_check(&TransactionNesting, &settings(true), &[("COMMIT", tx(end))]);
            assert_eq!(found.len(), 1);
            assert!(found[0].1.message.contains("ends the migration runner's transaction"));
        }
    }

    #[test]
    fn quiet_for_plain_transactions_and_do_bodies() {
        let found = run_check(
            &TransactionNesting,
            &settings(false),
            &[
                ("BEGIN", tx(TransactionOp::Begin)),
                ("COMMIT", tx(TransactionOp::Commit)),
                ("COMMIT", tx(TransactionOp::Commit)),
            ],
        );
        assert!(found.is_empty());
        let ctx = Context::new(&settings(true));
        let stmt = Statement {
            span: 0..6,
            text: "COMMIT".into(),
            ops: tx(TransactionOp::Commit),
            parsed_by: crate::lint::statement::ParsedBy::Tokens,
            syntax_error: None,
            in_do_block: true,
        };
        let mut out = Vec::new();
        TransactionNesting.statement(&stmt, &ctx, &mut out);
        assert!(out.is_empty());
    }
}
