//! `require-concurrent-index-creation`: `CREATE INDEX` without `CONCURRENTLY` on an existing table.
//!
//! A plain `CREATE INDEX` holds a SHARE lock on the table for the whole build: reads go on, but
//! every `INSERT`, `UPDATE` and `DELETE` waits until the index is done. `CONCURRENTLY` builds it
//! under SHARE UPDATE EXCLUSIVE instead. Quiet for tables and materialized views created earlier in
//! the file (empty, nobody uses them yet) and for `CREATE INDEX ... ON ONLY parent`, which builds
//! nothing.
//!
//! Fix (`pgward lint --fix`): adds `CONCURRENTLY` after `INDEX`, only where the statement runs
//! outside a transaction block (it fails inside one).

use super::helpers;
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::locks::{self, Target};
use crate::lint::ops::Op;
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct RequireConcurrentIndexCreation;

impl Check for RequireConcurrentIndexCreation {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        for op in &stmt.ops {
            let Op::CreateIndex {
                name,
                table,
                concurrently: false,
                only: false,
                ..
            } = op
            else {
                continue;
            };
            if ctx.is_new_target(&Target::Relation(table.clone())) {
                continue;
            }
            let Some(effect) = locks::effects(op, ctx).into_iter().next() else {
                continue;
            };
            let subject = match name {
                Some(n) => format!("Creating index {n}"),
                None => format!("Creating an index on {table}"),
            };
            let safe = helpers::sql_for_help(&stmt.text)
                .and_then(|sql| helpers::insert_after_keyword(&sql, "INDEX", "CONCURRENTLY"))
                .unwrap_or_else(|| match name {
                    Some(n) => format!("CREATE INDEX CONCURRENTLY {n} ON {table} (...)"),
                    None => format!("CREATE INDEX CONCURRENTLY ON {table} (...)"),
                });
            let help = if stmt.in_do_block {
                format!(
                    "Move it out of the DO block (CONCURRENTLY cannot run inside one) and run \
                     {safe}; outside a transaction block"
                )
            } else {
                format!("Use {safe}; outside a transaction block")
            };
            out.push(
                Finding::new(
                    stmt.span.clone(),
                    format!("{subject} {}", effect.describe()),
                    help,
                )
                .lock(effect.mode)
                .rewrites(false)
                .fix(helpers::add_concurrently(stmt, ctx, "run the index")),
            );
        }
    }
}
