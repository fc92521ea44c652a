//! `adding-required-field`: `ADD COLUMN ... NOT NULL` without a `DEFAULT` on an existing table.
//!
//! Existing rows would hold NULL in the new column, so PostgreSQL refuses the statement on any
//! table with rows ("column contains null values"). Even on an empty table it breaks the running
//! application: every `INSERT` that does not name the new column now fails. Identity, serial and
//! generated columns are filled by PostgreSQL and are not this rule's business.

use super::helpers;
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::{ColumnDef, LockMode, Op, TableAction, quote_ident};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct AddingRequiredField;

impl Check for AddingRequiredField {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        for op in &stmt.ops {
            let Op::AlterTable {
                table,
                action: TableAction::AddColumn { column, .. },
                ..
            } = op
            else {
                continue;
            };
            if ctx.is_new_table(table) || !is_required_without_default(column) {
                continue;
            }
            let col = quote_ident(&column.name);
            let ty = column
                .ty
                .as_ref()
                .map_or_else(|| "<type>".to_owned(), helpers::type_sql);
            let what = if column.primary_key && !column.not_null {
                "as a PRIMARY KEY (NOT NULL)"
            } else {
                "NOT NULL"
            };
            let message = format!(
                "Adding column {table}.{col} {what} without a DEFAULT fails on a table with rows \
                 (they would hold NULL), and breaks running INSERTs that do not name it"
            );
            let default_note = if ctx.pg_version >= 11 {
                " (a constant or other non-volatile default adds no rewrite on PostgreSQL 11+)"
            } else {
                " (before PostgreSQL 11 a default rewrites the table: prefer the second way)"
            };
            let help = format!(
                "Give it a default: ALTER TABLE {table} ADD COLUMN {col} {ty} NOT NULL DEFAULT \
                 <value>;{default_note}, or add it nullable, backfill it in batches, then set \
                 NOT NULL (see setting-not-null)"
            );
            out.push(
                Finding::new(helpers::find_ident(stmt, &column.name), message, help)
                    .lock(LockMode::AccessExclusive)
                    .rewrites(false),
            );
        }
    }
}

/// NOT NULL (or PRIMARY KEY), no usable default, and not a column PostgreSQL fills itself.
fn is_required_without_default(column: &ColumnDef) -> bool {
    let required = column.not_null || column.primary_key;
    let no_default = column
        .default
        .as_ref()
        .is_none_or(|d| d.text.trim().eq_ignore_ascii_case("null"));
    required && no_default && !column.is_serial() && column.generated.is_none()
}
