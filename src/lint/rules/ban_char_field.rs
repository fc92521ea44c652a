//! `ban-char-field`: `char(n)` / `character(n)` columns (`CREATE TABLE`, `ADD COLUMN`, `ALTER
//! COLUMN TYPE`).
//!
//! `char(n)` pads every value with spaces to `n` characters and ignores trailing spaces when
//! comparing, so `'ab'` and `'ab  '` are equal in the database but not in the application, and
//! `length()` and `LIKE` surprise. It saves no space over `text`. The quoted one-byte type
//! `"char"` is a different type and is left alone.

use super::helpers::{self, ColumnSite};
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::quote_ident;
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct BanCharField;

impl Check for BanCharField {
    fn statement(&self, stmt: &Statement, _ctx: &Context, out: &mut Vec<Finding>) {
        let words = helpers::words(stmt);
        for col in helpers::typed_columns(stmt) {
            let ty = col.ty;
            if !matches!(ty.name.as_str(), "char" | "bpchar") || ty.written.starts_with('"') {
                continue;
            }
            let n = ty.args.first().copied().unwrap_or(1);
            let name = quote_ident(col.column);
            let (span, written) = helpers::column_type_site(stmt, &words, col.column, ty);
            let new_ty = if ty.array { "text[]" } else { "text" };
            let help = match col.site {
                ColumnSite::AlterColumnType => {
                    format!("Use ALTER COLUMN {name} TYPE {new_ty} instead")
                }
                _ if ty.array => format!("Declare it as {name} text[]"),
                _ => format!(
                    "Declare it as {name} text, with CHECK (char_length({name}) = {n}) if the \
                     length is fixed"
                ),
            };
            out.push(Finding::new(
                span,
                format!(
                    "Column {} is {}: values are blank-padded to {n} character{s} and trailing \
                     spaces are ignored in comparisons, which surprises application code",
                    helpers::column_ref(col.table, col.column),
                    written,
                    s = if n == 1 { "" } else { "s" },
                ),
                help,
            ));
        }
    }
}
