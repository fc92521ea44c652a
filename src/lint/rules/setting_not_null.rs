//! `setting-not-null`: `ALTER COLUMN ... SET NOT NULL` (or PostgreSQL 18's `ADD CONSTRAINT ... NOT
//! NULL col`) on an existing table.
//!
//! PostgreSQL checks every row for NULLs while it holds an ACCESS EXCLUSIVE lock: reads and writes
//! wait for the whole scan. From PostgreSQL 12 the scan is skipped when a validated
//! `CHECK (col IS NOT NULL)` already proves the column has no NULLs (validated earlier in the file
//! or by an earlier migration: schema history), which is the recipe the help gives; before 12
//! there is no scan-free way.

use super::helpers;
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::locks::{LockEffect, Target, Work};
use crate::lint::ops::{ConstraintKind, LockMode, Name, Op, TableAction, quote_ident};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct SettingNotNull;

impl Check for SettingNotNull {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        for op in &stmt.ops {
            let Op::AlterTable { table, action, .. } = op else {
                continue;
            };
            if ctx.is_new_table(table) {
                continue;
            }
            let (column, constraint) = match action {
                TableAction::SetNotNull { column } => (column, None),
                TableAction::AddConstraint(c) if !c.not_valid => match &c.kind {
                    ConstraintKind::NotNull { column } => (column, Some(c.name.clone())),
                    _ => continue,
                },
                _ => continue,
            };
            if ctx.pg_version >= 12 && ctx.has_validated_not_null_check(table, column) {
                continue;
            }
            let effect = LockEffect {
                target: Target::Table(table.clone()),
                mode: LockMode::AccessExclusive,
                work: Work::Scan,
            };
            let col = quote_ident(column);
            let (message, help, span) = match constraint {
                None => (
                    format!("Setting {table}.{col} NOT NULL {}", effect.describe()),
                    set_not_null_help(ctx.pg_version, table, column),
                    helpers::find_after(stmt, helpers::find_ident(stmt, column), "SET NOT NULL"),
                ),
                Some(name) => {
                    let name = name.unwrap_or_else(|| format!("{}_{column}_not_null", table.name));
                    let name = quote_ident(&name);
                    (
                        format!(
                            "Adding NOT NULL constraint {name} on {table}.{col} {}",
                            effect.describe()
                        ),
                        format!(
                            "Add it NOT VALID: ALTER TABLE {table} ADD CONSTRAINT {name} NOT NULL \
                             {col} NOT VALID; then, in a separate transaction, ALTER TABLE {table} \
                             VALIDATE CONSTRAINT {name}; (the scan then runs under SHARE UPDATE \
                             EXCLUSIVE, which lets reads and writes go on)"
                        ),
                        stmt.find("NOT NULL"),
                    )
                }
            };
            out.push(
                Finding::new(span, message, help)
                    .lock(LockMode::AccessExclusive)
                    .rewrites(false),
            );
        }
    }
}

fn set_not_null_help(pg_version: u32, table: &Name, column: &str) -> String {
    let col = quote_ident(column);
    let check = quote_ident(&format!("{column}_not_null"));
    if pg_version >= 12 {
        format!(
            "Prove it first with a check PostgreSQL can trust: ALTER TABLE {table} ADD CONSTRAINT \
             {check} CHECK ({col} IS NOT NULL) NOT VALID; then, in a separate transaction, \
             ALTER TABLE {table} VALIDATE CONSTRAINT {check}; then ALTER TABLE {table} ALTER \
             COLUMN {col} SET NOT NULL; (no scan now) and ALTER TABLE {table} DROP CONSTRAINT \
             {check};"
        )
    } else {
        format!(
            "Before PostgreSQL 12 there is no scan-free way to SET NOT NULL: a validated CHECK \
             does not help. Keep ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({col} IS NOT \
             NULL) NOT VALID; plus a separate VALIDATE CONSTRAINT {check}; instead of NOT NULL, \
             or run SET NOT NULL in a maintenance window (after upgrading to 12+, the CHECK makes \
             it instant)"
        )
    }
}
