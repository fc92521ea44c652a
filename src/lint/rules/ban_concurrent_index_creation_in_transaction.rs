//! `ban-concurrent-index-creation-in-transaction`: `CONCURRENTLY` index work inside a transaction.
//!
//! `CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY` and `REINDEX ... CONCURRENTLY` commit
//! internally between their phases, so PostgreSQL refuses them inside a transaction block (an
//! explicit `BEGIN`, the runner's transaction with `assume_in_transaction`, or the implicit block
//! of a query string of several statements, which runners like Pop's autocommit files send) and
//! inside a `DO` block or function: the statement fails with an ERROR and the migration stops.

use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::{ObjectKind, Op};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct BanConcurrentIndexCreationInTransaction;

/// How migration runners turn their per-file transaction off.
const NO_TRANSACTION_MODES: &str = "Rails `disable_ddl_transaction!`, Django `atomic = False`, \
     dbmate `-- migrate:up transaction:false`, Flyway `executeInTransaction=false`";

impl Check for BanConcurrentIndexCreationInTransaction {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        for op in &stmt.ops {
            let what = match op {
                Op::CreateIndex {
                    concurrently: true,
                    ..
                } => "CREATE INDEX CONCURRENTLY",
                Op::Drop {
                    kind: ObjectKind::Index,
                    concurrently: true,
                    ..
                } => "DROP INDEX CONCURRENTLY",
                Op::Reindex {
                    concurrently: true,
                    ..
                } => "REINDEX CONCURRENTLY",
                _ => continue,
            };
            let (message, help) = if stmt.in_do_block {
                (
                    format!(
                        "{what} cannot run inside a DO block: PostgreSQL raises an ERROR \
                         (it cannot be executed from a function) and the migration fails"
                    ),
                    format!(
                        "Move the statement out of the DO block to the top level of a migration \
                         that runs without a transaction ({NO_TRANSACTION_MODES})"
                    ),
                )
            } else if ctx.in_explicit_transaction() {
                (
                    format!(
                        "{what} cannot run inside a transaction block: this BEGIN ... COMMIT \
                         makes PostgreSQL raise an ERROR and the migration fails"
                    ),
                    format!(
                        "Move the statement after the COMMIT, outside BEGIN ... COMMIT; if the \
                         runner also wraps the file in a transaction, use its no-transaction mode \
                         ({NO_TRANSACTION_MODES})"
                    ),
                )
            } else if ctx.one_query_string {
                (
                    format!(
                        "{what} cannot run inside a transaction block, and the runner sends this \
                         file as one query string, which PostgreSQL runs in an implicit \
                         transaction block: it raises an ERROR and the migration fails"
                    ),
                    "Put the statement in a migration file of its own: a query string of one \
                     statement runs outside any transaction block"
                        .to_owned(),
                )
            } else if ctx.in_transaction() {
                (
                    format!(
                        "{what} cannot run inside a transaction block, and the runner wraps this \
                         migration in one (assume_in_transaction): PostgreSQL raises an ERROR and \
                         the migration fails"
                    ),
                    format!(
                        "Put the statement in a migration of its own that the runner runs without \
                         a transaction ({NO_TRANSACTION_MODES})"
                    ),
                )
            } else {
                continue;
            };
            let span = stmt.find("CONCURRENTLY");
            out.push(Finding::new(span, message, help));
        }
    }
}
