//! `ban-drop-not-null`: `ALTER COLUMN ... DROP NOT NULL` on a table that existed before this
//! file.
//!
//! An instant catalog change under an ACCESS EXCLUSIVE lock, but a contract change: running code
//! and other services that read the column may assume it is never NULL and fail, or compute
//! wrong results, on the first NULL. A table created earlier in the same file is quiet.

use super::helpers;
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::{Op, TableAction};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct BanDropNotNull;

impl Check for BanDropNotNull {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        let words = helpers::words(stmt);
        for op in &stmt.ops {
            let Op::AlterTable {
                table,
                action: TableAction::DropNotNull { column },
                ..
            } = op
            else {
                continue;
            };
            if ctx.is_new_table(table) {
                continue;
            }
            let target = helpers::column_ref(table, column);
            let span = helpers::find_words(
                &words,
                &["?alter", "?column", column.as_str(), "drop", "not", "null"],
            )
            .unwrap_or_else(|| stmt.span.clone());
            let mut finding = Finding::new(
                span,
                format!(
                    "Dropping NOT NULL on {target} lets NULLs in: code and other services that \
                     read {target} may assume it is never NULL"
                ),
                format!(
                    "Make every reader of {target} handle NULL (application, reports, other \
                     services) and deploy that first, then drop NOT NULL"
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
