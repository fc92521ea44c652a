//! `ban-drop-table`: `DROP TABLE` of a table that existed before this file.
//!
//! The table and every row in it are gone the moment the statement commits; code still deployed
//! that uses it fails, and only a restore brings the data back. A table created earlier in the
//! same file is new and empty: dropping it is quiet.

use super::helpers;
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::{ObjectKind, Op};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct BanDropTable;

impl Check for BanDropTable {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        let words = helpers::words(stmt);
        for op in &stmt.ops {
            let Op::Drop {
                kind: ObjectKind::Table,
                names,
                cascade,
                ..
            } = op
            else {
                continue;
            };
            let existing: Vec<_> = names.iter().filter(|n| !ctx.is_new_table(n)).collect();
            let Some(first) = existing.first() else {
                continue;
            };
            let noun = if existing.len() == 1 {
                "table"
            } else {
                "tables"
            };
            let list = helpers::join_names(&existing);
            let mut message = format!(
                "Dropping {noun} {list} deletes every row for good and breaks running code that \
                 still uses {it}",
                it = if existing.len() == 1 { "it" } else { "them" },
            );
            if *cascade {
                message.push_str(
                    "; CASCADE also drops the views and foreign keys of other tables that depend on it",
                );
            }
            let span = helpers::find_words(&words, &["drop", "table"])
                .map(|s| s.start..stmt.span.end)
                .unwrap_or_else(|| stmt.span.clone());
            let mut finding = Finding::new(
                span,
                message,
                format!(
                    "Stop using {list} in the application and deploy that first; keep a backup \
                     (pg_dump --table={first}) or rename it aside (ALTER TABLE {first} RENAME TO \
                     {retired}) for a release, then drop it in a later migration",
                    retired = retired_name(&first.name),
                ),
            );
            if let Some(effect) = helpers::op_lock(op, ctx) {
                finding = finding.lock(effect.mode);
            }
            out.push(finding);
        }
    }
}

/// `orders` -> `orders_retired`, quoted when needed.
fn retired_name(name: &str) -> String {
    crate::lint::ops::quote_ident(&format!("{name}_retired"))
}
