//! `renaming-object`: `ALTER ... RENAME TO` of anything but a table or a column (index, view,
//! sequence, type, schema, function, constraint, ...) that existed before this file.
//!
//! Code, other services and later migrations that name the object by its old name fail once the
//! migration commits. Less often fatal than a table or column rename (an index is rarely named by
//! queries), hence a warning. Objects created earlier in the same file, and constraints of tables
//! created there, are quiet.

use super::helpers;
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::{LockMode, ObjectKind, Op, TableAction, quote_ident};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct RenamingObject;

impl Check for RenamingObject {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        let words = helpers::words(stmt);
        for op in &stmt.ops {
            match op {
                Op::Rename { kind, from, to } if *kind != ObjectKind::Table => {
                    if ctx.is_new(*kind, from) {
                        continue;
                    }
                    let noun = kind.noun();
                    let to_q = quote_ident(to);
                    let span = helpers::find_words(&words, &["rename", "to", to.as_str()])
                        .unwrap_or_else(|| stmt.span.clone());
                    let mut finding = Finding::new(
                        span,
                        format!(
                            "Renaming {noun} {from} to {to_q} breaks {users} that still use the \
                             old name",
                            users = users(*kind),
                        ),
                        help(*kind, &from.to_string(), &to_q),
                    )
                    .rewrites(false);
                    if let Some(mode) = rename_lock(*kind) {
                        finding = finding.lock(mode);
                    }
                    out.push(finding);
                }
                Op::AlterTable {
                    table,
                    action: TableAction::RenameConstraint { from, to },
                    ..
                } => {
                    if ctx.is_new_table(table) {
                        continue;
                    }
                    let (from_q, to_q) = (quote_ident(from), quote_ident(to));
                    let span = helpers::find_words(
                        &words,
                        &["rename", "constraint", from.as_str(), "to", to.as_str()],
                    )
                    .unwrap_or_else(|| stmt.span.clone());
                    let mut finding = Finding::new(
                        span,
                        format!(
                            "Renaming constraint {from_q} of {table} to {to_q} breaks code that \
                             names it (ON CONFLICT ON CONSTRAINT {from_q}, error handling that \
                             matches the name) and later migrations that drop or validate it"
                        ),
                        format!(
                            "Search the code and the migrations for {from_q} and update them in \
                             the same release; if nothing names it, suppress this warning with \
                             `-- pgward-ignore: renaming-object` above the statement"
                        ),
                    )
                    .rewrites(false);
                    if let Some(effect) = helpers::op_lock(op, ctx) {
                        finding = finding.lock(effect.mode);
                    }
                    out.push(finding);
                }
                _ => {}
            }
        }
    }
}

/// Who uses an object of this kind by name.
fn users(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::Index => "later migrations and scripts",
        ObjectKind::Function | ObjectKind::Procedure => "running code and triggers",
        ObjectKind::Schema | ObjectKind::Database | ObjectKind::Role => {
            "running code, connection settings and grants"
        }
        _ => "running code and later migrations",
    }
}

fn help(kind: ObjectKind, from: &str, to: &str) -> String {
    match kind {
        ObjectKind::View => format!(
            "Create the new view beside the old one (CREATE VIEW {to} AS ...), move the code to \
             {to} and deploy, then DROP VIEW {from} in a later migration"
        ),
        ObjectKind::Function | ObjectKind::Procedure => format!(
            "Create {to} beside {from}, move every caller to {to} and deploy, then drop {from} in \
             a later migration"
        ),
        _ => format!(
            "Search the code, scripts and later migrations for {from} and update them in the same \
             release; if nothing names it, suppress this warning with `-- pgward-ignore: \
             renaming-object` above the statement"
        ),
    }
}

/// The lock PostgreSQL's `RenameRelation` takes on the renamed relation: SHARE UPDATE EXCLUSIVE
/// for `ALTER INDEX`, ACCESS EXCLUSIVE for views, materialized views and sequences; no relation
/// lock for the other kinds.
fn rename_lock(kind: ObjectKind) -> Option<LockMode> {
    match kind {
        ObjectKind::Index => Some(LockMode::ShareUpdateExclusive),
        ObjectKind::View | ObjectKind::MaterializedView | ObjectKind::Sequence => {
            Some(LockMode::AccessExclusive)
        }
        _ => None,
    }
}
