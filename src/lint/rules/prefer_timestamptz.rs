//! `prefer-timestamptz`: `timestamp` (without time zone) columns (`CREATE TABLE`, `ADD COLUMN`,
//! `ALTER COLUMN TYPE`).
//!
//! A `timestamp` stores a wall-clock reading with no zone: the same instant written by sessions
//! or servers in different zones gets different values, `now()` is silently converted to the
//! session's zone, and daylight-saving changes make times ambiguous. `timestamptz` stores the
//! instant (as UTC) and takes the same 8 bytes.

use super::helpers::{self, ColumnSite};
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::quote_ident;
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct PreferTimestamptz;

impl Check for PreferTimestamptz {
    fn statement(&self, stmt: &Statement, _ctx: &Context, out: &mut Vec<Finding>) {
        let words = helpers::words(stmt);
        for col in helpers::typed_columns(stmt) {
            let ty = col.ty;
            if ty.name != "timestamp" {
                continue;
            }
            let name = quote_ident(col.column);
            let (span, written) = helpers::column_type_site(stmt, &words, col.column, ty);
            let shown = if written.to_ascii_lowercase().contains("without") {
                written.clone()
            } else {
                format!("{written} (without time zone)")
            };
            let new_ty = match (ty.args.first(), ty.array) {
                (Some(p), false) => format!("timestamptz({p})"),
                (Some(p), true) => format!("timestamptz({p})[]"),
                (None, false) => "timestamptz".to_owned(),
                (None, true) => "timestamptz[]".to_owned(),
            };
            let help = match col.site {
                ColumnSite::AlterColumnType => {
                    format!("Use ALTER COLUMN {name} TYPE {new_ty} instead")
                }
                _ => format!("Declare it as {name} {new_ty}"),
            };
            out.push(Finding::new(
                span,
                format!(
                    "Column {} is {shown}: it stores wall-clock readings, so values written \
                     from different time zones cannot be compared",
                    helpers::column_ref(col.table, col.column),
                ),
                help,
            ));
        }
    }
}
