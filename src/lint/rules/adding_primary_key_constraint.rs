//! `adding-primary-key-constraint`: `ADD PRIMARY KEY` (without `USING INDEX`) or
//! `ADD COLUMN ... PRIMARY KEY` on an existing table.
//!
//! PostgreSQL builds the unique index and checks every row for NULLs while holding an ACCESS
//! EXCLUSIVE lock: reads and writes wait throughout. Building the index concurrently, proving the
//! columns NOT NULL with a validated CHECK, and attaching with `PRIMARY KEY USING INDEX` keeps the
//! exclusive lock to an instant.

use super::helpers;
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::locks::{LockEffect, Target, Work};
use crate::lint::ops::{ConstraintKind, LockMode, Name, Op, TableAction, quote_ident};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct AddingPrimaryKeyConstraint;

impl Check for AddingPrimaryKeyConstraint {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        for op in &stmt.ops {
            let Op::AlterTable { table, action, .. } = op else {
                continue;
            };
            if ctx.is_new_table(table) {
                continue;
            }
            let (subject, name, columns, prefix) = match action {
                TableAction::AddConstraint(c) => match &c.kind {
                    ConstraintKind::PrimaryKey {
                        columns,
                        using_index: None,
                    } => {
                        let default = || helpers::default_constraint_name(table, &[], "pkey");
                        let name = c.name.clone().unwrap_or_else(default);
                        (
                            format!("Adding primary key {}", quote_ident(&name)),
                            name,
                            columns.clone(),
                            "",
                        )
                    }
                    _ => continue,
                },
                TableAction::AddColumn { column, .. } if column.primary_key => (
                    format!(
                        "Adding column {table}.{} as PRIMARY KEY",
                        quote_ident(&column.name)
                    ),
                    helpers::default_constraint_name(table, &[], "pkey"),
                    vec![column.name.clone()],
                    "Add the column without PRIMARY KEY and fill it, then ",
                ),
                _ => continue,
            };
            let effect = LockEffect {
                target: Target::Table(table.clone()),
                mode: LockMode::AccessExclusive,
                work: Work::IndexBuild,
            };
            let message = format!(
                "{subject} {} and every row is checked for NULLs",
                effect.describe()
            );
            let help = recipe(ctx.pg_version, table, &name, &columns);
            let help = if prefix.is_empty() {
                help
            } else {
                format!("{prefix}{}", helpers::lowercase_first(&help))
            };
            out.push(
                Finding::new(stmt.find("PRIMARY KEY"), message, help)
                    .lock(LockMode::AccessExclusive)
                    .rewrites(false),
            );
        }
    }
}

fn recipe(pg_version: u32, table: &Name, name: &str, columns: &[String]) -> String {
    let name = quote_ident(name);
    let list = helpers::column_list(columns);
    let names: Vec<String> = columns.iter().map(|c| quote_ident(c)).collect();
    let names = names.join(", ");
    let not_null = if pg_version >= 12 {
        let checks: Vec<String> = columns
            .iter()
            .map(|c| {
                format!(
                    "ADD CONSTRAINT {} CHECK ({} IS NOT NULL) NOT VALID",
                    quote_ident(&format!("{c}_not_null")),
                    quote_ident(c)
                )
            })
            .collect();
        format!(
            "make {names} NOT NULL without a long lock ({}, VALIDATE CONSTRAINT in a separate \
             transaction, then SET NOT NULL: see setting-not-null)",
            checks.join(", ")
        )
    } else {
        format!(
            "make {names} NOT NULL in a quiet moment (before PostgreSQL 12, SET NOT NULL always \
             scans under ACCESS EXCLUSIVE)"
        )
    };
    format!(
        "Build the index without blocking: CREATE UNIQUE INDEX CONCURRENTLY {name} ON {table} \
         {list}; (outside a transaction block), {not_null}, then attach it: ALTER TABLE {table} \
         ADD CONSTRAINT {name} PRIMARY KEY USING INDEX {name};"
    )
}
