//! `adding-field-with-default`: `ADD COLUMN ... DEFAULT` that rewrites the table.
//!
//! Since PostgreSQL 11 a non-volatile default (a constant, `now()`, `CURRENT_DATE`, an immutable
//! function of constants) is stored in the catalog and the add is instant. A volatile default
//! (`random()`, `gen_random_uuid()`, `clock_timestamp()`, `nextval(...)`) must be computed for
//! every row, so PostgreSQL rewrites the whole table under an ACCESS EXCLUSIVE lock; before 11
//! every non-NULL default does. A function pgward does not know is reported too, saying that the
//! rewrite happens only if it is volatile. `ALTER COLUMN ... SET DEFAULT` never rewrites: not this
//! rule. Serial, identity and generated columns belong to `adding-serial-column`.

use super::helpers;
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::locks::{self, LockEffect, Target, Work};
use crate::lint::ops::{ColumnDef, LockMode, Op, TableAction, quote_ident};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct AddingFieldWithDefault;

impl Check for AddingFieldWithDefault {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        for op in &stmt.ops {
            let Op::AlterTable {
                table,
                action: TableAction::AddColumn { column, .. },
                ..
            } = op
            else {
                continue;
            };
            if ctx.is_new_table(table) || column.is_serial() || column.generated.is_some() {
                continue;
            }
            let Some(default) = &column.default else {
                continue;
            };
            let work = locks::add_column_work(&default_only(column), ctx.pg_version);
            if !matches!(work, Work::Rewrite | Work::MaybeRewrite) {
                continue;
            }
            let effect = LockEffect {
                target: Target::Table(table.clone()),
                mode: LockMode::AccessExclusive,
                work,
            };
            let col = quote_ident(&column.name);
            let why = if ctx.pg_version < 11 {
                "before PostgreSQL 11 every non-NULL default is written into every row"
            } else if work == Work::Rewrite {
                "a volatile default is computed for every row"
            } else {
                "pgward cannot see the function's volatility; IMMUTABLE or STABLE adds no rewrite"
            };
            let message = format!(
                "Adding column {table}.{col} with DEFAULT {} {} ({why})",
                default.text.trim(),
                effect.describe()
            );
            let ty = column
                .ty
                .as_ref()
                .map_or_else(|| "<type>".to_owned(), helpers::type_sql);
            let not_null = if column.not_null {
                ", then set NOT NULL (see setting-not-null)"
            } else {
                ""
            };
            let recipe = format!(
                "Add the column without a default: ALTER TABLE {table} ADD COLUMN {col} {ty}; \
                 then ALTER TABLE {table} ALTER COLUMN {col} SET DEFAULT {}; (new rows only, no \
                 rewrite) and backfill existing rows in batches{not_null}",
                default.text.trim()
            );
            let help = if work == Work::MaybeRewrite {
                format!(
                    "If the function is IMMUTABLE or STABLE (SELECT provolatile FROM pg_proc), \
                     nothing is rewritten: silence this with `-- pgward-ignore: \
                     adding-field-with-default`. Otherwise: {}",
                    helpers::lowercase_first(&recipe)
                )
            } else {
                recipe
            };
            let mut finding = Finding::new(
                helpers::find_after(stmt, helpers::find_ident(stmt, &column.name), "DEFAULT"),
                message,
                help,
            )
                .lock(LockMode::AccessExclusive);
            if work == Work::Rewrite {
                finding = finding.rewrites(true);
            }
            out.push(finding);
        }
    }
}

/// The column with only its type and default, so that inline `UNIQUE`/`CHECK` (other rules'
/// business) do not change the verdict about the default.
fn default_only(column: &ColumnDef) -> ColumnDef {
    ColumnDef {
        unique: false,
        primary_key: false,
        check: None,
        references: None,
        ..column.clone()
    }
}

