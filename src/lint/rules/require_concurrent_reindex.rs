//! `require-concurrent-reindex`: `REINDEX` without `CONCURRENTLY`.
//!
//! A plain `REINDEX` takes a SHARE lock on the table (writes wait) and an ACCESS EXCLUSIVE lock on
//! each index being rebuilt (reads that would use it wait too), for the whole rebuild. From
//! PostgreSQL 12, `REINDEX ... CONCURRENTLY` rebuilds without blocking; before 12, build a new
//! index concurrently and swap it in. Quiet for tables and indexes created earlier in the file.

use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::locks::Target;
use crate::lint::ops::{LockMode, ObjectKind, Op, ReindexTarget};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct RequireConcurrentReindex;

impl Check for RequireConcurrentReindex {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        for op in &stmt.ops {
            let Op::Reindex {
                target,
                name,
                concurrently: false,
            } = op
            else {
                continue;
            };
            let blocks = "blocks writes, and reads that use the indexes, while they are rebuilt";
            let (message, keyword) = match target {
                ReindexTarget::Table => {
                    if ctx.is_new_target(&Target::Relation(name.clone())) {
                        continue;
                    }
                    (
                        format!(
                            "REINDEX TABLE {name} takes a SHARE lock on {name} and an ACCESS \
                             EXCLUSIVE lock on each of its indexes: {blocks}"
                        ),
                        "TABLE",
                    )
                }
                ReindexTarget::Index => {
                    if ctx.is_new(ObjectKind::Index, name) {
                        continue;
                    }
                    (
                        format!(
                            "REINDEX INDEX {name} takes a SHARE lock on its table and an ACCESS \
                             EXCLUSIVE lock on {name}: blocks writes, and reads that use the \
                             index, while it is rebuilt"
                        ),
                        "INDEX",
                    )
                }
                ReindexTarget::Schema => (
                    format!(
                        "REINDEX SCHEMA {name} rebuilds every index in the schema, taking a SHARE \
                         lock on each table and an ACCESS EXCLUSIVE lock on each index: {blocks}"
                    ),
                    "SCHEMA",
                ),
                ReindexTarget::Database => (
                    format!(
                        "REINDEX DATABASE {name} rebuilds every index in the database, taking a \
                         SHARE lock on each table and an ACCESS EXCLUSIVE lock on each index: \
                         {blocks}"
                    ),
                    "DATABASE",
                ),
                ReindexTarget::System => (
                    "REINDEX SYSTEM rebuilds the system catalogs' indexes, taking a SHARE lock \
                     on each catalog and an ACCESS EXCLUSIVE lock on each index: every session \
                     that reads the catalogs waits"
                        .to_owned(),
                    "SYSTEM",
                ),
            };
            let help = if *target == ReindexTarget::System {
                "System catalogs cannot be reindexed concurrently: run this in a maintenance \
                 window, outside the migrations"
                    .to_owned()
            } else if ctx.pg_version >= 12 {
                format!(
                    "Use REINDEX {keyword} CONCURRENTLY {name}; outside a transaction block"
                )
            } else {
                "REINDEX CONCURRENTLY needs PostgreSQL 12: build a new index with CREATE INDEX \
                 CONCURRENTLY and the same definition, DROP INDEX CONCURRENTLY the old one, then \
                 rename the new one"
                    .to_owned()
            };
            out.push(
                Finding::new(stmt.span.clone(), message, help)
                    .lock(LockMode::Share)
                    .rewrites(false),
            );
        }
    }
}
