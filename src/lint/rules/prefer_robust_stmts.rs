//! `prefer-robust-stmts` (opt-in): statements that fail when the migration runs a second time,
//! in a file that runs outside a transaction.
//!
//! Outside a transaction each statement commits on its own: a migration that fails half-way
//! leaves the first half applied, and running it again stops at the first `CREATE TABLE` /
//! `CREATE INDEX` / `ADD COLUMN` without `IF NOT EXISTS`, or `DROP` without `IF EXISTS`. Quiet
//! inside a transaction (explicit, or assumed with `assume_in_transaction`) and inside `DO`
//! blocks, which are atomic; quiet for temporary tables, and for drops of objects created earlier
//! in the same file (a re-run recreates them first).

use super::helpers;
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::{Op, TableAction, quote_ident};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct PreferRobustStmts;

const RERUN: &str = "outside a transaction: if the migration fails after it, running it again \
                     fails here";
const OR_TX: &str = "or run the migration in a transaction (BEGIN; ... COMMIT;) so that a failure \
                     undoes all of it";

impl Check for PreferRobustStmts {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        if ctx.in_transaction() || stmt.in_do_block {
            return;
        }
        let words = helpers::words(stmt);
        let at = |pattern: &[&str]| {
            helpers::find_words(&words, pattern).unwrap_or_else(|| stmt.span.clone())
        };
        for op in &stmt.ops {
            match op {
                Op::CreateTable {
                    table,
                    if_not_exists: false,
                    temporary: false,
                    ..
                } => out.push(Finding::new(
                    at(&["create", "table"]),
                    format!("CREATE TABLE {table} without IF NOT EXISTS, {RERUN}"),
                    format!("Write CREATE TABLE IF NOT EXISTS {table}, {OR_TX}"),
                )),
                Op::CreateIndex {
                    name,
                    table,
                    if_not_exists: false,
                    concurrently,
                    ..
                } => {
                    let help = match (name, concurrently) {
                        (None, _) => format!(
                            "Name the index and write CREATE INDEX IF NOT EXISTS <name> ON \
                             {table}, {OR_TX}"
                        ),
                        (Some(n), true) => format!(
                            "Write DROP INDEX CONCURRENTLY IF EXISTS {n}; then CREATE INDEX \
                             CONCURRENTLY IF NOT EXISTS {n}: a failed concurrent build leaves an \
                             INVALID index behind that IF NOT EXISTS alone would keep"
                        ),
                        (Some(n), false) => {
                            format!("Write CREATE INDEX IF NOT EXISTS {n}, {OR_TX}")
                        }
                    };
                    let what = name
                        .as_ref()
                        .map_or_else(|| format!("on {table}"), ToString::to_string);
                    out.push(Finding::new(
                        at(&["create", "?unique", "index"]),
                        format!("CREATE INDEX {what} without IF NOT EXISTS, {RERUN}"),
                        help,
                    ));
                }
                Op::Drop {
                    kind,
                    names,
                    if_exists: false,
                    concurrently,
                    ..
                } => {
                    if names.iter().all(|n| ctx.is_new(*kind, n)) {
                        continue;
                    }
                    let sql = kind.sql();
                    let mut pattern = vec!["drop"];
                    let lower = sql.to_ascii_lowercase();
                    pattern.extend(lower.split(' '));
                    out.push(Finding::new(
                        at(&pattern),
                        format!(
                            "DROP {sql} {} without IF EXISTS, {RERUN}",
                            helpers::join_names(names)
                        ),
                        format!(
                            "Write DROP {sql}{conc} IF EXISTS {}, {OR_TX}",
                            names
                                .iter()
                                .map(ToString::to_string)
                                .collect::<Vec<_>>()
                                .join(", "),
                            conc = if *concurrently { " CONCURRENTLY" } else { "" },
                        ),
                    ));
                }
                Op::AlterTable { table, action, .. } => {
                    let (clause, name, pattern) = match action {
                        TableAction::AddColumn {
                            column,
                            if_not_exists: false,
                        } => (
                            "ADD COLUMN IF NOT EXISTS",
                            &column.name,
                            ["add", "?column", column.name.as_str()],
                        ),
                        TableAction::DropColumn {
                            column,
                            if_exists: false,
                        } => (
                            "DROP COLUMN IF EXISTS",
                            column,
                            ["drop", "?column", column.as_str()],
                        ),
                        TableAction::DropConstraint {
                            name,
                            if_exists: false,
                        } => (
                            "DROP CONSTRAINT IF EXISTS",
                            name,
                            ["drop", "constraint", name.as_str()],
                        ),
                        _ => continue,
                    };
                    let without = clause.rsplit_once(" IF").map_or(clause, |(c, _)| c);
                    let guard = &clause[without.len() + 1..];
                    out.push(Finding::new(
                        at(&pattern),
                        format!(
                            "{without} {} on {table} without {guard}, {RERUN}",
                            quote_ident(name)
                        ),
                        format!(
                            "Write ALTER TABLE {table} {clause} {}{rest}, {OR_TX}",
                            quote_ident(name),
                            rest = if clause.starts_with("ADD") { " ..." } else { "" },
                        ),
                    ));
                }
                _ => {}
            }
        }
    }
}
