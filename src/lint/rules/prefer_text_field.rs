//! `prefer-text-field`: `varchar(n)` columns (`CREATE TABLE`, `ADD COLUMN`, `ALTER COLUMN TYPE`).
//!
//! The length limit is part of the column's type, so changing it later is an `ALTER COLUMN TYPE`
//! under an ACCESS EXCLUSIVE lock (and a full rewrite when it shrinks). `text` with a `CHECK
//! (char_length(col) <= n)` enforces the same limit, and a check can be replaced without blocking
//! (`NOT VALID`, then `VALIDATE`). Plain `varchar` without a limit is `text` by another name and
//! stays quiet.

use super::helpers::{self, ColumnSite};
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::{LockMode, quote_ident};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct PreferTextField;

impl Check for PreferTextField {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        let words = helpers::words(stmt);
        for col in helpers::typed_columns(stmt) {
            let ty = col.ty;
            let Some(limit) = ty.args.first() else {
                continue;
            };
            if ty.name != "varchar" || ty.array {
                continue;
            }
            let name = quote_ident(col.column);
            let (span, written) = helpers::column_type_site(stmt, &words, col.column, ty);
            let check = format!("CHECK (char_length({name}) <= {limit})");
            let constraint = format!(
                "ALTER TABLE {table} ADD CONSTRAINT {cname} {check} NOT VALID; then ALTER TABLE \
                 {table} VALIDATE CONSTRAINT {cname}; in a later transaction",
                table = col.table,
                cname = quote_ident(&format!("{}_{}_length", col.table.name, col.column)),
            );
            let help = match col.site {
                ColumnSite::CreateTable => format!("Declare it as {name} text {check}"),
                ColumnSite::AddColumn if ctx.is_new_table(col.table) => {
                    format!("Add it as {name} text {check}")
                }
                ColumnSite::AddColumn => format!("Add it as {name} text, then {constraint}"),
                ColumnSite::AlterColumnType => {
                    format!("Change it to text instead (ALTER COLUMN {name} TYPE text), then {constraint}")
                }
            };
            out.push(Finding::new(
                span,
                format!(
                    "Column {} is {}: changing its length limit later takes an {} lock on {} \
                     (blocks {}), and shortening it rewrites the table",
                    helpers::column_ref(col.table, col.column),
                    written,
                    LockMode::AccessExclusive,
                    col.table,
                    LockMode::AccessExclusive.blocks(),
                ),
                help,
            ));
        }
    }
}
