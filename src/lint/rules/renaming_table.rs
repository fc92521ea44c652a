//! `renaming-table`: `ALTER TABLE ... RENAME TO` on a table that existed before this file.
//!
//! The rename is instant once its ACCESS EXCLUSIVE lock is granted, and from that moment every
//! query of the code still deployed that names the old table fails. A table created earlier in
//! the same file is quiet.

use super::helpers;
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::{Name, ObjectKind, Op, TableAction, quote_ident};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct RenamingTable;

impl Check for RenamingTable {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        let words = helpers::words(stmt);
        for op in &stmt.ops {
            let (table, to) = match op {
                Op::AlterTable {
                    table,
                    action: TableAction::RenameTable { to },
                    ..
                } => (table, to),
                // Tables are renamed through `TableAction::RenameTable`; accept the generic form
                // too, should a lowering path produce it.
                Op::Rename {
                    kind: ObjectKind::Table,
                    from,
                    to,
                } => (from, to),
                _ => continue,
            };
            if ctx.is_new_table(table) {
                continue;
            }
            let renamed = Name::new(table.schema.as_deref(), to);
            let span = helpers::find_words(&words, &["rename", "to", to.as_str()])
                .unwrap_or_else(|| stmt.span.clone());
            let mut finding = Finding::new(
                span,
                format!(
                    "Renaming table {table} to {to} breaks running code that still uses the old \
                     name, from the moment the migration commits",
                    to = quote_ident(to),
                ),
                format!(
                    "Keep the old name working: in one transaction, ALTER TABLE {table} RENAME TO \
                     {to}; CREATE VIEW {old} AS SELECT * FROM {renamed}; (a simple view accepts \
                     INSERT, UPDATE and DELETE), move the code to {to} and deploy, then DROP VIEW \
                     {table} in a later migration",
                    to = quote_ident(to),
                    old = table,
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
