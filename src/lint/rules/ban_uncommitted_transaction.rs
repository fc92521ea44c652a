//! `ban-uncommitted-transaction`: a `BEGIN` with no `COMMIT` or `ROLLBACK` before the end of the
//! file.
//!
//! Whatever the file did is rolled back when the session ends, or, when the runner keeps the
//! connection, stays uncommitted while the transaction sits "idle in transaction" holding every
//! lock it took. When the runner wraps the file in its own transaction, its `COMMIT` closes the
//! block, so the rule is quiet then (`transaction-nesting` reports the `BEGIN`).

use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::rules::Check;

pub struct BanUncommittedTransaction;

impl Check for BanUncommittedTransaction {
    fn end_of_file(&self, ctx: &Context, end: usize, out: &mut Vec<Finding>) {
        if !ctx.in_explicit_transaction() || ctx.assume_in_transaction {
            return;
        }
        out.push(Finding::new(
            end..end,
            "The transaction opened by BEGIN earlier in this file is never committed: the file \
             ends with it open, so its changes are rolled back when the session ends, or its \
             locks stay held while the connection sits idle in transaction",
            "Add COMMIT; at the end of the file",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::context::FileSettings;
    use crate::lint::ops::{Op, TransactionOp};
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
    fn fires_at_the_end_when_begin_is_left_open() {
        let found = run_check(
            &BanUncommittedTransaction,
            &settings(false),
            &[
                ("BEGIN", tx(TransactionOp::Begin)),
                ("COMMIT", tx(TransactionOp::Commit)),
                ("BEGIN", tx(TransactionOp::Begin)),
            ],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, None);
        assert_eq!(found[0].1.span, 22..22);
        assert!(found[0].1.help.contains("COMMIT;"));
    }

    #[test]
    fn quiet_when_closed_or_under_the_runner() {
        for end in [TransactionOp::Commit, TransactionOp::Rollback] {
            let found = run_check(
                &BanUncommittedTransaction,
                &settings(false),
                &[("BEGIN", tx(TransactionOp::Begin)), ("END", tx(end))],
            );
            assert!(found.is_empty());
        }
        let found = run_check(
            &BanUncommittedTransaction,
            &settings(true),
            &[("BEGIN", tx(TransactionOp::Begin))],
        );
        assert!(found.is_empty());
        let found = run_check(&BanUncommittedTransaction, &settings(false), &[]);
        assert!(found.is_empty());
    }
}
