//! `require-concurrent-index-deletion`: `DROP INDEX` without `CONCURRENTLY`.
//!
//! A plain `DROP INDEX` takes an ACCESS EXCLUSIVE lock on the index's table. The drop itself is
//! instant, but the lock waits behind every running query on the table, and every later query
//! (plain `SELECT`s included) queues behind it. `DROP INDEX CONCURRENTLY` waits without blocking
//! anyone. Quiet for indexes created earlier in the same file.
//!
//! Fix (`pgward lint --fix`): adds `CONCURRENTLY` after `INDEX` for a statement that drops one
//! index without `CASCADE` (`CONCURRENTLY` allows neither), outside a transaction block.

use crate::lint::context::Context;
use super::helpers;
use crate::lint::diagnostic::{Finding, Fix};
use crate::lint::locks::Work;
use crate::lint::ops::{LockMode, ObjectKind, Op};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct RequireConcurrentIndexDeletion;

impl Check for RequireConcurrentIndexDeletion {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        for op in &stmt.ops {
            let Op::Drop {
                kind: ObjectKind::Index,
                names,
                if_exists,
                cascade,
                concurrently: false,
                ..
            } = op
            else {
                continue;
            };
            let existing: Vec<_> = names
                .iter()
                .filter(|n| !ctx.is_new(ObjectKind::Index, n))
                .collect();
            let Some(first) = existing.first() else {
                continue;
            };
            let mode = LockMode::AccessExclusive;
            let blocks = format!("blocks {} {}", mode.blocks(), Work::Instant.while_phrase());
            let message = if existing.len() == 1 {
                format!("Dropping index {first} takes an {mode} lock on its table: {blocks}")
            } else {
                let list: Vec<String> = existing.iter().map(|n| n.to_string()).collect();
                format!(
                    "Dropping indexes {} takes an {mode} lock on each one's table: {blocks}",
                    list.join(", ")
                )
            };
            let if_exists = if *if_exists { " IF EXISTS" } else { "" };
            let drops: Vec<String> = existing
                .iter()
                .map(|n| format!("DROP INDEX CONCURRENTLY{if_exists} {n};"))
                .collect();
            let mut help = format!("Use {} outside a transaction block", drops.join(" "));
            if existing.len() > 1 {
                help.push_str(" (CONCURRENTLY drops one index per statement)");
            }
            if *cascade {
                help.push_str("; CONCURRENTLY cannot CASCADE: drop the dependent objects first");
            }
            let fix = fix(stmt, ctx, names.len(), *cascade);
            out.push(
                Finding::new(stmt.span.clone(), message, help)
                    .lock(LockMode::AccessExclusive)
                    .rewrites(false)
                    .fix(fix),
            );
        }
    }
}

/// `CONCURRENTLY` after the `INDEX` keyword: one index, no `CASCADE`, outside a transaction.
fn fix(stmt: &Statement, ctx: &Context, names: usize, cascade: bool) -> Result<Fix, String> {
    if stmt.in_do_block {
        return Err("the statement is inside a DO block, where CONCURRENTLY cannot run".into());
    }
    if names > 1 {
        return Err("DROP INDEX CONCURRENTLY drops one index per statement: split it by hand".into());
    }
    if cascade {
        return Err("DROP INDEX CONCURRENTLY cannot CASCADE: drop the dependent objects first".into());
    }
    helpers::add_concurrently(stmt, ctx, "drop the index")
}
