//! `ban-drop-object`: `DROP` of a view, materialized view, function, procedure, type, sequence,
//! domain, extension, trigger, policy or rule that existed before this file.
//!
//! Code that still uses the object fails once the migration commits, and a dropped trigger,
//! policy or rule silently stops doing its job (auditing, row security). Tables, indexes,
//! schemas and databases have rules of their own. Objects created earlier in the same file, and
//! triggers, policies and rules of tables created there, are quiet.

use super::helpers;
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::{ObjectKind, Op};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct BanDropObject;

impl Check for BanDropObject {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        for op in &stmt.ops {
            let Op::Drop {
                kind,
                names,
                cascade,
                on_table,
                ..
            } = op
            else {
                continue;
            };
            let Some(what) = consequence(*kind) else {
                continue;
            };
            if on_table.as_ref().is_some_and(|t| ctx.is_new_table(t)) {
                continue;
            }
            let existing: Vec<_> = names.iter().filter(|n| !ctx.is_new(*kind, n)).collect();
            if existing.is_empty() {
                continue;
            }
            let noun = kind.noun();
            let list = helpers::join_names(&existing);
            let on = on_table
                .as_ref()
                .map(|t| format!(" on {t}"))
                .unwrap_or_default();
            let mut message = format!("Dropping {noun} {list}{on} {what}");
            if *cascade {
                message.push_str("; CASCADE also drops every object that depends on it");
            }
            let help = match kind {
                ObjectKind::Trigger | ObjectKind::Policy | ObjectKind::Rule => format!(
                    "Make sure nothing relies on what {list} does any more (or that its \
                     replacement is in place) before dropping it; keep its definition (pg_dump \
                     --schema-only) to recreate it"
                ),
                _ => format!(
                    "Stop using {list} in the application and deploy that first, then drop it in \
                     a later migration; keep its definition (pg_dump --schema-only) to recreate it"
                ),
            };
            let mut finding = Finding::new(stmt.span.clone(), message, help);
            if let Some(effect) = helpers::op_lock(op, ctx) {
                finding = finding.lock(effect.mode);
            }
            out.push(finding);
        }
    }
}

/// What dropping an object of this kind breaks; `None` for the kinds other rules cover (tables,
/// indexes, schemas, databases) and those this rule leaves alone (roles, statistics).
fn consequence(kind: ObjectKind) -> Option<&'static str> {
    Some(match kind {
        ObjectKind::View | ObjectKind::MaterializedView => {
            "breaks running code and reports that still query it"
        }
        ObjectKind::Function | ObjectKind::Procedure => {
            "breaks running code, triggers and defaults that still call it"
        }
        ObjectKind::Type | ObjectKind::Domain => "breaks running code that still casts to it",
        ObjectKind::Sequence => "breaks inserts and code that still draw values from it",
        ObjectKind::Extension => "removes its functions, types and operators from running code",
        ObjectKind::Trigger => "silently stops what it did on every write (audit, sync, checks)",
        ObjectKind::Policy => "changes which rows each role can see or write",
        ObjectKind::Rule => "silently changes what queries on the table do",
        _ => return None,
    })
}
