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
use crate::lint::ops::{LockMode, Name, ObjectKind, Op, TableAction, quote_ident};
use crate::lint::rules::Check;
use crate::lint::statement::{ParsedBy, Statement};

pub struct RenamingObject;

impl Check for RenamingObject {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        let words = helpers::words(stmt);
        let unparsed = unparsed_rename(stmt, &words);
        let ops = stmt
            .ops
            .iter()
            .map(|op| (op, None))
            .chain(unparsed.as_ref().map(|(op, on)| (op, on.as_ref())));
        for (op, on_table) in ops {
            match op {
                Op::Rename { kind, from, to } if *kind != ObjectKind::Table => {
                    if ctx.is_new(*kind, from) || on_table.is_some_and(|t| ctx.is_new_table(t)) {
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
                        finding.message = format!("{}; it {}", finding.message, effect.describe());
                        finding = finding.lock(effect.mode);
                    }
                    out.push(finding);
                }
                _ => {}
            }
        }
    }
}

/// A rename neither sqlparser 0.63 nor the token fallback recognises yet, read from the words of
/// an unrecognised statement in exactly one of these shapes, so that it is not missed:
/// `ALTER [MATERIALIZED] VIEW [IF EXISTS] name RENAME TO new` and `ALTER TRIGGER name ON table
/// RENAME TO new`. Returns the rename and, for a trigger, its table.
fn unparsed_rename(stmt: &Statement, words: &[helpers::Word]) -> Option<(Op, Option<Name>)> {
    if stmt.parsed_by != ParsedBy::Unrecognized {
        return None;
    }
    let keyword = |i: usize, k: &str| words.get(i).is_some_and(|w| !w.quoted && w.text == k);
    let ident = |i: usize| {
        words
            .get(i)
            .filter(|w| {
                w.quoted
                    || w.text
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
            })
            .map(|w| w.text.clone())
    };
    // A possibly qualified name at `i`, and the index after it.
    let name = |i: usize| -> Option<(Name, usize)> {
        let first = ident(i)?;
        if words.get(i + 1).is_some_and(|w| w.text == ".") {
            Some((Name::new(Some(&first), &ident(i + 2)?), i + 3))
        } else {
            Some((Name::bare(&first), i + 1))
        }
    };
    if !keyword(0, "alter") {
        return None;
    }
    let (kind, mut i) = if keyword(1, "materialized") && keyword(2, "view") {
        (ObjectKind::MaterializedView, 3)
    } else if keyword(1, "view") {
        (ObjectKind::View, 2)
    } else if keyword(1, "trigger") {
        (ObjectKind::Trigger, 2)
    } else {
        return None;
    };
    if kind != ObjectKind::Trigger && keyword(i, "if") && keyword(i + 1, "exists") {
        i += 2;
    }
    let (from, mut i) = name(i)?;
    let mut on_table = None;
    if kind == ObjectKind::Trigger {
        if !keyword(i, "on") {
            return None;
        }
        let (table, next) = name(i + 1)?;
        on_table = Some(table);
        i = next;
    }
    if !(keyword(i, "rename") && keyword(i + 1, "to")) || words.len() != i + 3 {
        return None;
    }
    let to = ident(i + 2)?;
    Some((Op::Rename { kind, from, to }, on_table))
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
