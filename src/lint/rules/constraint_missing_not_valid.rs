//! `constraint-missing-not-valid`: a foreign key or check added to an existing table without
//! `NOT VALID`, or validated in the same transaction that added it `NOT VALID`.
//!
//! Adding a valid foreign key holds SHARE ROW EXCLUSIVE on both tables (writes blocked) while the
//! referencing table is scanned; a valid `CHECK` holds ACCESS EXCLUSIVE (reads blocked too) while
//! the table is scanned. `NOT VALID` makes the add instant and leaves the scan to `VALIDATE
//! CONSTRAINT`, which only takes SHARE UPDATE EXCLUSIVE -- unless it runs in the same transaction,
//! where the add's lock is still held. `UNIQUE`, `PRIMARY KEY` and `EXCLUDE` cannot be `NOT VALID`:
//! other rules cover them. PostgreSQL 18's `NOT NULL` constraints belong to `setting-not-null`.

use super::helpers;
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::locks::Work;
use crate::lint::ops::{
    ColumnDef, Constraint, ConstraintKind, LockMode, Name, Op, TableAction, quote_ident,
};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct ConstraintMissingNotValid;

impl Check for ConstraintMissingNotValid {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        let single = stmt.ops.len() == 1;
        for op in &stmt.ops {
            let Op::AlterTable { table, action, .. } = op else {
                continue;
            };
            if ctx.is_new_table(table) {
                continue;
            }
            match action {
                TableAction::AddConstraint(c) if !c.not_valid => {
                    if let Some(f) = add_constraint(stmt, single, table, c) {
                        out.push(f);
                    }
                }
                TableAction::AddColumn { column, .. } => {
                    if column.references.is_some() {
                        out.push(inline_foreign_key(stmt, table, column));
                    }
                    if column.check.is_some() {
                        out.push(inline_check(stmt, table, column));
                    }
                }
                TableAction::ValidateConstraint { name }
                    if ctx
                        .not_valid_in_transaction
                        .iter()
                        .any(|(t, n)| n == name && t.matches(table)) =>
                {
                    out.push(validate_in_same_transaction(stmt, ctx, table, name));
                }
                _ => {}
            }
        }
    }
}

/// `ADD [CONSTRAINT name] FOREIGN KEY ...` or `CHECK (...)` without `NOT VALID`.
fn add_constraint(stmt: &Statement, single: bool, table: &Name, c: &Constraint) -> Option<Finding> {
    let (name, message, lock, template) = match &c.kind {
        ConstraintKind::ForeignKey {
            columns,
            references,
        } => {
            let name = c
                .name
                .clone()
                .unwrap_or_else(|| helpers::default_constraint_name(table, columns, "fkey"));
            let mode = LockMode::ShareRowExclusive;
            let message = if references.matches(table) {
                format!(
                    "Adding foreign key {} takes a {mode} lock on {table}: blocks {} {}",
                    quote_ident(&name),
                    mode.blocks(),
                    scanned(table),
                )
            } else {
                format!(
                    "Adding foreign key {} takes a {mode} lock on {table} and {references}: \
                     blocks {} to both {}",
                    quote_ident(&name),
                    mode.blocks(),
                    scanned(table),
                )
            };
            let template = format!(
                "ALTER TABLE {table} ADD CONSTRAINT {} FOREIGN KEY {} REFERENCES {references} NOT \
                 VALID",
                quote_ident(&name),
                helpers::column_list(columns),
            );
            (name, message, mode, template)
        }
        ConstraintKind::Check { expr, .. } => {
            let name = c
                .name
                .clone()
                .unwrap_or_else(|| helpers::default_constraint_name(table, &[], "check"));
            let mode = LockMode::AccessExclusive;
            let message = format!(
                "Adding check constraint {} takes an {mode} lock on {table}: blocks {} {}",
                quote_ident(&name),
                mode.blocks(),
                Work::Scan.while_phrase(),
            );
            let template = format!(
                "ALTER TABLE {table} ADD CONSTRAINT {} CHECK {} NOT VALID",
                quote_ident(&name),
                helpers::check_body(expr),
            );
            (name, message, mode, template)
        }
        _ => return None,
    };
    // Reuse the statement as written when it is this one action: it keeps ON DELETE clauses and
    // referenced columns the op does not carry.
    let add = single
        .then(|| helpers::sql_for_help(&stmt.text))
        .flatten()
        .and_then(|sql| {
            let sql = if c.name.is_none() {
                let constraint = format!("CONSTRAINT {}", quote_ident(&name));
                helpers::insert_after_keyword(&sql, "ADD", &constraint)?
            } else {
                sql
            };
            Some(format!("{sql} NOT VALID"))
        })
        .unwrap_or(template);
    let help = format!("Add it NOT VALID: {}", two_steps(&add, table, &name));
    let span = match &c.name {
        Some(n) => helpers::find_ident(stmt, n),
        None => stmt.find("ADD"),
    };
    Some(
        Finding::new(span, message, help)
            .lock(lock)
            .rewrites(false),
    )
}

/// `ADD COLUMN col type REFERENCES other`: the inline form cannot be `NOT VALID`.
fn inline_foreign_key(stmt: &Statement, table: &Name, column: &ColumnDef) -> Finding {
    let references = column
        .references
        .as_ref()
        .map_or_else(String::new, |r| r.to_string());
    let name = helpers::default_constraint_name(table, std::slice::from_ref(&column.name), "fkey");
    let clause = helpers::sql_for_help(&stmt.text)
        .and_then(|sql| helpers::references_clause_of(&sql, &column.name))
        .unwrap_or_else(|| format!("REFERENCES {references}"));
    let self_reference = column.references.as_ref().is_some_and(|r| r.matches(table));
    let message = if self_reference {
        format!(
            "Adding column {}.{} with REFERENCES {references} takes an ACCESS EXCLUSIVE lock on \
             {table}: blocks reads and writes {}",
            table,
            quote_ident(&column.name),
            scanned(table),
        )
    } else {
        format!(
            "Adding column {}.{} with REFERENCES {references} takes an ACCESS EXCLUSIVE lock on \
             {table} and a SHARE ROW EXCLUSIVE lock on {references}: blocks reads and writes on \
             {table}, and writes on {references}, {}",
            table,
            quote_ident(&column.name),
            scanned(table),
        )
    };
    let add = format!(
        "ALTER TABLE {table} ADD CONSTRAINT {} FOREIGN KEY ({}) {clause} NOT VALID",
        quote_ident(&name),
        quote_ident(&column.name),
    );
    let help = format!(
        "Add the column without REFERENCES, then the foreign key NOT VALID: {}",
        two_steps(&add, table, &name)
    );
    let span = helpers::find_after(stmt, helpers::find_ident(stmt, &column.name), "REFERENCES");
    Finding::new(span, message, help)
        .lock(LockMode::AccessExclusive)
        .rewrites(false)
}

/// `ADD COLUMN col type CHECK (...)`: the inline form cannot be `NOT VALID`.
fn inline_check(stmt: &Statement, table: &Name, column: &ColumnDef) -> Finding {
    let name = helpers::default_constraint_name(table, std::slice::from_ref(&column.name), "check");
    let expr = column.check.as_deref().unwrap_or_default();
    let message = format!(
        "Adding column {}.{} with a CHECK takes an ACCESS EXCLUSIVE lock on {table}: blocks \
         reads and writes {}",
        table,
        quote_ident(&column.name),
        Work::Scan.while_phrase(),
    );
    let add = format!(
        "ALTER TABLE {table} ADD CONSTRAINT {} CHECK {} NOT VALID",
        quote_ident(&name),
        helpers::check_body(expr),
    );
    let help = format!(
        "Add the column without the CHECK, then the check NOT VALID: {}",
        two_steps(&add, table, &name)
    );
    let span = helpers::find_after(stmt, helpers::find_ident(stmt, &column.name), "CHECK");
    Finding::new(span, message, help)
        .lock(LockMode::AccessExclusive)
        .rewrites(false)
}

/// `VALIDATE CONSTRAINT` in the transaction that added the constraint `NOT VALID`.
fn validate_in_same_transaction(
    stmt: &Statement,
    ctx: &Context,
    table: &Name,
    name: &str,
) -> Finding {
    let held = helpers::held_lock_on(ctx, table);
    let lock = match held {
        Some(mode) => format!(
            "the {mode} lock ADD CONSTRAINT took on {table} is still held, so this blocks {} {}",
            mode.blocks(),
            Work::Scan.while_phrase()
        ),
        None => format!(
            "the lock ADD CONSTRAINT took on {table} is still held {}",
            Work::Scan.while_phrase()
        ),
    };
    let message = format!(
        "VALIDATE CONSTRAINT {} runs in the same transaction that added it NOT VALID: {lock}",
        quote_ident(name)
    );
    let validate = format!(
        "ALTER TABLE {table} VALIDATE CONSTRAINT {};",
        quote_ident(name)
    );
    let help = if ctx.in_explicit_transaction() {
        format!(
            "COMMIT after the ADD CONSTRAINT ... NOT VALID and run {validate} in a separate \
             transaction"
        )
    } else {
        format!(
            "Move {validate} to a separate migration: the runner's transaction keeps the \
             ADD CONSTRAINT lock until the end of this one"
        )
    };
    let mut f = Finding::new(stmt.find("VALIDATE"), message, help).rewrites(false);
    if let Some(mode) = held {
        f = f.lock(mode);
    }
    f
}

/// "while every row of orders is checked".
fn scanned(table: &Name) -> String {
    format!("while every row of {table} is checked")
}

/// "ALTER TABLE ... NOT VALID; then, in a separate transaction, ALTER TABLE ... VALIDATE ...;".
fn two_steps(add: &str, table: &Name, name: &str) -> String {
    format!(
        "{add}; then, in a separate transaction, ALTER TABLE {table} VALIDATE CONSTRAINT {};",
        quote_ident(name)
    )
}

