//! `ban-table-rewrite`: statements that copy a whole existing table under ACCESS EXCLUSIVE.
//!
//! `VACUUM FULL`, `CLUSTER`, `ALTER TABLE ... SET TABLESPACE`, `SET LOGGED`, `SET UNLOGGED` and
//! `SET ACCESS METHOD` write a new copy of the table (and rebuild its indexes) while holding an
//! ACCESS EXCLUSIVE lock: reads and writes wait for the whole copy. pg_repack or pg_squeeze do
//! the same job online; otherwise build a new table, copy in batches and swap.

use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::locks::{LockEffect, Target, Work};
use crate::lint::ops::{LockMode, Name, Op, TableAction};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct BanTableRewrite;

const COPY_SWAP: &str = "create a new table, copy the rows in batches and swap the two by rename";

impl Check for BanTableRewrite {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        for op in &stmt.ops {
            let (what, tables, help, span) = match op {
                Op::Vacuum { full: true, tables } => (
                    "VACUUM FULL",
                    Some(tables.clone()),
                    format!(
                        "Use plain VACUUM (it frees space for reuse without blocking), or compact \
                         the table online with pg_repack or pg_squeeze, or {COPY_SWAP}"
                    ),
                    stmt.find("FULL"),
                ),
                Op::Cluster { table } => (
                    "CLUSTER",
                    table.clone().map(|t| vec![t]),
                    format!(
                        "Reorder the table online with pg_repack (--order-by) or pg_squeeze, or \
                         {COPY_SWAP} (INSERT ... SELECT ... ORDER BY)"
                    ),
                    stmt.span.clone(),
                ),
                Op::AlterTable { table, action, .. } => {
                    let (what, help, keyword) = match action {
                        TableAction::SetTablespace => (
                            "SET TABLESPACE",
                            format!("Move it online with pg_repack (--tablespace), or {COPY_SWAP}"),
                            "TABLESPACE",
                        ),
                        TableAction::SetLogged => (
                            "SET LOGGED",
                            format!("{} (the copy is written to the WAL)", upper_first(COPY_SWAP)),
                            "LOGGED",
                        ),
                        TableAction::SetUnlogged => (
                            "SET UNLOGGED",
                            upper_first(COPY_SWAP),
                            "UNLOGGED",
                        ),
                        TableAction::SetAccessMethod => (
                            "SET ACCESS METHOD",
                            upper_first(COPY_SWAP),
                            "ACCESS METHOD",
                        ),
                        _ => continue,
                    };
                    (what, Some(vec![table.clone()]), help, stmt.find(keyword))
                }
                _ => continue,
            };
            let message = match tables {
                // Without a table name, VACUUM FULL and CLUSTER work through the whole database.
                None => format!(
                    "{what} without a table rewrites {}, each under an ACCESS EXCLUSIVE lock that \
                     blocks reads and writes while it is copied",
                    if what == "CLUSTER" {
                        "every previously clustered table in the database"
                    } else {
                        "every table in the database"
                    }
                ),
                Some(tables) if tables.is_empty() => format!(
                    "{what} without a table rewrites every table in the database, each under an \
                     ACCESS EXCLUSIVE lock that blocks reads and writes while it is copied"
                ),
                Some(tables) => {
                    let existing: Vec<&Name> =
                        tables.iter().filter(|t| !ctx.is_new_table(t)).collect();
                    let Some(first) = existing.first() else {
                        continue;
                    };
                    let effect = LockEffect {
                        target: Target::Table((*first).clone()),
                        mode: LockMode::AccessExclusive,
                        work: Work::Rewrite,
                    };
                    if existing.len() == 1 {
                        format!("{what} on {first} {}", effect.describe())
                    } else {
                        let list: Vec<String> = existing.iter().map(|t| t.to_string()).collect();
                        format!(
                            "{what} on {} takes an ACCESS EXCLUSIVE lock on each table: blocks \
                             reads and writes {}",
                            list.join(", "),
                            Work::Rewrite.while_phrase()
                        )
                    }
                }
            };
            out.push(
                Finding::new(span, message, help)
                    .lock(LockMode::AccessExclusive)
                    .rewrites(true),
            );
        }
    }
}

fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
