//! `renaming-column`: `ALTER TABLE ... RENAME COLUMN` on a table that existed before this file.
//!
//! The rename is instant once its ACCESS EXCLUSIVE lock is granted, and from that moment every
//! query of the code still deployed that names the old column fails: the code and the migration
//! cannot switch at the same instant. A table created earlier in the same file is quiet.

use super::helpers;
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::{Op, TableAction, quote_ident};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct RenamingColumn;

impl Check for RenamingColumn {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        let words = helpers::words(stmt);
        for op in &stmt.ops {
            let Op::AlterTable {
                table,
                action: TableAction::RenameColumn { from, to },
                ..
            } = op
            else {
                continue;
            };
            if ctx.is_new_table(table) {
                continue;
            }
            let old = helpers::column_ref(table, from);
            let (from_q, to_q) = (quote_ident(from), quote_ident(to));
            let ty = ctx
                .column_type(table, from)
                .map_or_else(|| "<type>".to_owned(), |t| t.written.clone());
            let span = helpers::find_words(
                &words,
                &["rename", "?column", from.as_str(), "to", to.as_str()],
            )
            .unwrap_or_else(|| stmt.span.clone());
            let mut finding = Finding::new(
                span,
                format!(
                    "Renaming column {old} to {to_q} breaks running code that still uses the old \
                     name, from the moment the migration commits"
                ),
                format!(
                    "Expand and contract instead: ALTER TABLE {table} ADD COLUMN {to_q} {ty}; \
                     write both columns and backfill {to_q}, move every reader to {to_q} and \
                     deploy, then drop {from_q} in a later migration"
                ),
            )
            .rewrites(false);
            if let Some(effect) = helpers::op_lock(op, ctx) {
                finding.message = format!("{}; it {}", finding.message, effect.describe());
                finding = finding.lock(effect.mode);
            }
            out.push(finding);
        }
    }
}
