//! `ban-drop-column`: `ALTER TABLE ... DROP COLUMN` on a table that existed before this file.
//!
//! The drop is a catalog change, instant once its ACCESS EXCLUSIVE lock is granted, and that is
//! the problem: application code still deployed that selects or writes the column fails at once,
//! and the data is gone for good. A table created earlier in the same file is new, so dropping
//! its columns breaks nobody.

use super::helpers;
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::{Op, TableAction};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct BanDropColumn;

impl Check for BanDropColumn {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        let words = helpers::words(stmt);
        for op in &stmt.ops {
            let Op::AlterTable {
                table,
                action: TableAction::DropColumn { column, .. },
                ..
            } = op
            else {
                continue;
            };
            if ctx.is_new_table(table) {
                continue;
            }
            let target = helpers::column_ref(table, column);
            let clause = ["drop", "?column", "?if", "?exists", column.as_str()];
            let span = helpers::find_words(&words, &clause).unwrap_or_else(|| stmt.span.clone());
            let cascade = helpers::find_words(
                &words,
                &["drop", "?column", "?if", "?exists", column.as_str(), "cascade"],
            )
            .is_some();
            let mut message = format!(
                "Dropping column {target} breaks running code that still reads or writes it, and \
                 deletes its data for good"
            );
            if cascade {
                message.push_str("; CASCADE also drops the views and constraints that use it");
            }
            let mut finding = Finding::new(
                span,
                message,
                format!(
                    "Stop using {target} in the application and deploy that first; then drop the \
                     column in a later migration, after keeping a copy of its data (CREATE TABLE \
                     {backup} AS SELECT <key>, {col} FROM {table})",
                    col = crate::lint::ops::quote_ident(column),
                    backup = crate::lint::ops::quote_ident(&format!("{}_{column}_backup", table.name)),
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
