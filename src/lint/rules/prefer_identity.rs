//! `prefer-identity`: `serial`/`bigserial`/`smallserial` columns (`CREATE TABLE`, `ADD COLUMN`).
//!
//! `serial` is a `DEFAULT nextval()` on a sequence that is a separate object: a role granted
//! `INSERT` on the table also needs `USAGE` on the sequence, copies made with `(LIKE ...
//! INCLUDING DEFAULTS)` share it, and rows inserted with explicit ids are accepted until the
//! sequence reaches them and inserts start failing. `GENERATED ... AS IDENTITY` ties the sequence
//! to the column and, with `ALWAYS`, rejects explicit values. Quiet before PostgreSQL 10, which
//! has no identity columns.

use super::helpers;
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::quote_ident;
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct PreferIdentity;

impl Check for PreferIdentity {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        // Identity columns arrived in PostgreSQL 10.
        if ctx.pg_version < 10 {
            return;
        }
        let words = helpers::words(stmt);
        for col in helpers::typed_columns(stmt) {
            // `ALTER COLUMN ... TYPE serial` is rejected by PostgreSQL: serial is not a type.
            let Some(def) = col.def else {
                continue;
            };
            if !def.is_serial() {
                continue;
            }
            let ty = col.ty;
            let name = quote_ident(col.column);
            let (span, written) = helpers::column_type_site(stmt, &words, col.column, ty);
            out.push(Finding::new(
                span,
                format!(
                    "Column {} is {}: its sequence is a separate object with grants of its own, \
                     and ids inserted explicitly collide with it later",
                    helpers::column_ref(col.table, col.column),
                    written,
                ),
                format!(
                    "Declare it as {name} bigint GENERATED ALWAYS AS IDENTITY (BY DEFAULT if code \
                     inserts explicit ids)"
                ),
            ));
        }
    }
}
