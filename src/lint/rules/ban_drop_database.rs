//! `ban-drop-database`: `DROP DATABASE` in a migration.
//!
//! It deletes every table of the database and cannot be undone or run inside a transaction
//! block; a migration that does it on the wrong server is an outage with data loss. A database
//! created earlier in the same file is quiet.

use super::helpers;
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::{ObjectKind, Op};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct BanDropDatabase;

impl Check for BanDropDatabase {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        for op in &stmt.ops {
            let Op::Drop {
                kind: ObjectKind::Database,
                names,
                ..
            } = op
            else {
                continue;
            };
            let existing: Vec<_> = names
                .iter()
                .filter(|n| !ctx.is_new(ObjectKind::Database, n))
                .collect();
            let Some(first) = existing.first() else {
                continue;
            };
            out.push(Finding::new(
                stmt.span.clone(),
                format!(
                    "Dropping database {} deletes every table and row in it, and cannot be undone",
                    helpers::join_names(&existing)
                ),
                format!(
                    "Drop databases by hand, after a backup (pg_dump --format=custom {first}), not \
                     from a migration"
                ),
            ));
        }
    }
}
