//! `adding-exclusion-constraint`: `ADD CONSTRAINT ... EXCLUDE` on an existing table.
//!
//! PostgreSQL builds the exclusion constraint's index and checks every row against the others
//! while holding an ACCESS EXCLUSIVE lock: reads and writes wait throughout. Unlike UNIQUE, there
//! is no `USING INDEX` form and no concurrent build, so the only safe places are a new table or a
//! maintenance window.

use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::locks::{LockEffect, Target, Work};
use crate::lint::ops::{ConstraintKind, LockMode, Op, TableAction, quote_ident};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct AddingExclusionConstraint;

impl Check for AddingExclusionConstraint {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        for op in &stmt.ops {
            let Op::AlterTable {
                table,
                action: TableAction::AddConstraint(c),
                ..
            } = op
            else {
                continue;
            };
            if c.kind != ConstraintKind::Exclusion || ctx.is_new_table(table) {
                continue;
            }
            let effect = LockEffect {
                target: Target::Table(table.clone()),
                mode: LockMode::AccessExclusive,
                work: Work::IndexBuild,
            };
            let subject = match &c.name {
                Some(n) => format!("Adding exclusion constraint {}", quote_ident(n)),
                None => format!("Adding an exclusion constraint to {table}"),
            };
            let message = format!(
                "{subject} {} (PostgreSQL has no concurrent way to add one)",
                effect.describe()
            );
            let help = format!(
                "Run it in a maintenance window, or build a new table with the constraint, copy \
                 {table} into it in batches and swap by rename; meanwhile a trigger can reject \
                 conflicting rows (backed by an index built CONCURRENTLY)"
            );
            out.push(
                Finding::new(stmt.find("EXCLUDE"), message, help)
                    .lock(LockMode::AccessExclusive)
                    .rewrites(false),
            );
        }
    }
}
