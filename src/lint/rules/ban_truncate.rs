//! `ban-truncate`: `TRUNCATE` of a table that existed before this file.
//!
//! TRUNCATE deletes every row at once, under an ACCESS EXCLUSIVE lock (it swaps in a new, empty
//! file); with `CASCADE` it also empties every table that references it through a foreign key,
//! and theirs in turn. Tables created earlier in the same file are new and empty: quiet.

use super::helpers;
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::{LockMode, Op};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct BanTruncate;

impl Check for BanTruncate {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        // `Op::Truncate` does not carry CASCADE; it can only be the statement's last word.
        let words = helpers::words(stmt);
        let cascade = words
            .last()
            .is_some_and(|w| !w.quoted && w.text == "cascade");
        for op in &stmt.ops {
            let Op::Truncate { tables } = op else {
                continue;
            };
            let existing: Vec<_> = tables.iter().filter(|t| !ctx.is_new_table(t)).collect();
            let Some(first) = existing.first() else {
                continue;
            };
            let list = helpers::join_names(&existing);
            let mut message = format!(
                "TRUNCATE deletes every row of {list} for good, under an {mode} lock on {them}: \
                 blocks {blocks} until the transaction ends",
                mode = LockMode::AccessExclusive,
                them = if existing.len() == 1 { "it" } else { "each" },
                blocks = LockMode::AccessExclusive.blocks(),
            );
            let help = if cascade {
                message.push_str(
                    "; CASCADE also empties every table with a foreign key to it, and the tables \
                     referencing those, without naming them",
                );
                format!(
                    "Drop CASCADE and list every table to empty by name, so the reviewer sees \
                     them; keep a backup first (pg_dump --data-only --table={first})"
                )
            } else {
                format!(
                    "If the rows must go, take a backup first (pg_dump --data-only \
                     --table={first}) and delete in batches (DELETE FROM {first} WHERE <key> IN \
                     (SELECT <key> FROM {first} LIMIT 10000)) so that reads and writes go on"
                )
            };
            out.push(
                Finding::new(stmt.span.clone(), message, help)
                    .lock(LockMode::AccessExclusive),
            );
        }
    }
}
