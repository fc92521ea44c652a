//! `disallowed-unique-constraint`: `ADD CONSTRAINT ... UNIQUE` (without `USING INDEX`) or
//! `ADD COLUMN ... UNIQUE` on an existing table.
//!
//! PostgreSQL builds the unique index while holding an ACCESS EXCLUSIVE lock on the table (plus
//! SHARE for the build): reads and writes wait until every row is indexed. Building the index
//! with `CREATE UNIQUE INDEX CONCURRENTLY` first and attaching it with `UNIQUE USING INDEX` keeps
//! the exclusive lock to an instant.

use super::helpers;
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::locks::{LockEffect, Target, Work};
use crate::lint::ops::{ConstraintKind, LockMode, Name, Op, TableAction, quote_ident};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct DisallowedUniqueConstraint;

impl Check for DisallowedUniqueConstraint {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        for op in &stmt.ops {
            let Op::AlterTable { table, action, .. } = op else {
                continue;
            };
            if ctx.is_new_table(table) {
                continue;
            }
            let (subject, name, columns, prefix, span) = match action {
                TableAction::AddConstraint(c) => match &c.kind {
                    ConstraintKind::Unique {
                        columns,
                        using_index: None,
                    } => {
                        let name = c.name.clone().unwrap_or_else(|| {
                            helpers::default_constraint_name(table, columns, "key")
                        });
                        let span = match &c.name {
                            Some(n) => helpers::find_ident(stmt, n),
                            None => stmt.find("UNIQUE"),
                        };
                        (
                            format!("Adding unique constraint {}", quote_ident(&name)),
                            name,
                            columns.clone(),
                            String::new(),
                            span,
                        )
                    }
                    _ => continue,
                },
                TableAction::AddColumn { column, .. } if column.unique => {
                    let columns = vec![column.name.clone()];
                    (
                        format!(
                            "Adding column {table}.{} with UNIQUE",
                            quote_ident(&column.name)
                        ),
                        helpers::default_constraint_name(table, &columns, "key"),
                        columns,
                        "Add the column without UNIQUE. ".to_owned(),
                        helpers::find_after(
                            stmt,
                            helpers::find_ident(stmt, &column.name),
                            "UNIQUE",
                        ),
                    )
                }
                _ => continue,
            };
            let effect = LockEffect {
                target: Target::Table(table.clone()),
                mode: LockMode::AccessExclusive,
                work: Work::IndexBuild,
            };
            let message = format!("{subject} {}", effect.describe());
            let help = format!("{prefix}{}", recipe(table, &name, &columns));
            out.push(
                Finding::new(span, message, help)
                    .lock(LockMode::AccessExclusive)
                    .rewrites(false),
            );
        }
    }
}

fn recipe(table: &Name, name: &str, columns: &[String]) -> String {
    let name = quote_ident(name);
    format!(
        "Build the index without blocking: CREATE UNIQUE INDEX CONCURRENTLY {name} ON {table} {}; \
         (outside a transaction block), then attach it: ALTER TABLE {table} ADD CONSTRAINT {name} \
         UNIQUE USING INDEX {name};",
        helpers::column_list(columns)
    )
}
