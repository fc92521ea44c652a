//! `prefer-jsonb`: `json` columns (`CREATE TABLE`, `ADD COLUMN`, `ALTER COLUMN TYPE`).
//!
//! `json` stores the text as given and re-parses it on every access; it has no equality operator
//! (`DISTINCT`, `GROUP BY`, `UNION` and unique indexes fail on it) and no GIN index support.
//! `jsonb` is the default choice; `json` only keeps key order, duplicate keys and whitespace.

use super::helpers::{self, ColumnSite};
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::quote_ident;
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct PreferJsonb;

impl Check for PreferJsonb {
    fn statement(&self, stmt: &Statement, _ctx: &Context, out: &mut Vec<Finding>) {
        let words = helpers::words(stmt);
        for col in helpers::typed_columns(stmt) {
            let ty = col.ty;
            if ty.name != "json" {
                continue;
            }
            let name = quote_ident(col.column);
            let (span, written) = helpers::column_type_site(stmt, &words, col.column, ty);
            let new_ty = if ty.array { "jsonb[]" } else { "jsonb" };
            let help = match col.site {
                ColumnSite::AlterColumnType => {
                    format!("Use ALTER COLUMN {name} TYPE {new_ty} instead")
                }
                _ => format!("Declare it as {name} {new_ty}"),
            };
            out.push(Finding::new(
                span,
                format!(
                    "Column {} is {}: re-parsed on every access, not comparable (DISTINCT, GROUP \
                     BY and unique indexes fail on it) and not indexable with GIN",
                    helpers::column_ref(col.table, col.column),
                    written,
                ),
                help,
            ));
        }
    }
}
