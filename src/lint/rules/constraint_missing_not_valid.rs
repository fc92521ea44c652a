//! `constraint-missing-not-valid`: a foreign key or check added to an existing table without
//! `NOT VALID`, or validated in the same transaction that added it `NOT VALID`.
//!
//! Adding a valid foreign key holds SHARE ROW EXCLUSIVE on both tables (writes blocked) while the
//! referencing table is scanned; a valid `CHECK` holds ACCESS EXCLUSIVE (reads blocked too) while
//! the table is scanned. `NOT VALID` makes the add instant and leaves the scan to `VALIDATE
//! CONSTRAINT`, which only takes SHARE UPDATE EXCLUSIVE -- unless it runs in the same transaction,
//! where the add's lock is still held. `UNIQUE`, `PRIMARY KEY` and `EXCLUDE` cannot be `NOT VALID`:
//! other rules cover them. PostgreSQL 18's `NOT NULL` constraints belong to `setting-not-null`.
//!
//! Fix (`pgward lint --fix`): for an `ALTER TABLE` that only adds the constraint, `NOT VALID` at
//! its end and `ALTER TABLE ... VALIDATE CONSTRAINT name;` after it, where the two commit
//! separately (not inside a transaction block, and a runner that sends statement by statement).
//! An unnamed foreign key gets the name PostgreSQL would give it (`<table>_<columns>_fkey`),
//! written out so that the `VALIDATE` can name it; an unnamed `CHECK` is not fixed, since its
//! default name depends on the columns of its expression.

use super::helpers;
use crate::lint::context::Context;
use crate::lint::diagnostic::{Edit, Finding, Fix, Needs};
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
            let Op::AlterTable {
                table,
                action,
                only,
                if_exists,
            } = op
            else {
                continue;
            };
            if ctx.is_new_table(table) {
                continue;
            }
            match action {
                TableAction::AddConstraint(c) if !c.not_valid => {
                    if let Some(f) = add_constraint(stmt, single, table, c) {
                        let target = Target {
                            table,
                            only: *only,
                            if_exists: *if_exists,
                        };
                        out.push(f.fix(add_fix(stmt, ctx, single, &target, c)));
                    }
                }
                TableAction::AddColumn { column, .. } => {
                    let split = || Err(INLINE.to_owned());
                    if column.references.is_some() {
                        out.push(inline_foreign_key(stmt, table, column).fix(split()));
                    }
                    if column.check.is_some() {
                        out.push(inline_check(stmt, table, column).fix(split()));
                    }
                }
                TableAction::ValidateConstraint { name }
                    if ctx
                        .not_valid_in_transaction
                        .iter()
                        .any(|(t, n)| n == name && t.matches(table)) =>
                {
                    out.push(
                        validate_in_same_transaction(stmt, ctx, table, name).fix(Err(
                            "the VALIDATE must move to a separate transaction or migration: move \
                             it by hand"
                                .to_owned(),
                        )),
                    );
                }
                _ => {}
            }
        }
    }
}

const INLINE: &str = "the column and its constraint must be split into two statements: split \
                      them by hand";

/// The table an `ALTER TABLE` names, as written for the `VALIDATE`.
struct Target<'a> {
    table: &'a Name,
    only: bool,
    if_exists: bool,
}

/// PostgreSQL's longest identifier (NAMEDATALEN - 1): longer default names are truncated.
const MAX_IDENT: usize = 63;

/// `... NOT VALID;` then `ALTER TABLE t VALIDATE CONSTRAINT name;`, for a statement that only adds
/// the constraint and commits on its own.
fn add_fix(
    stmt: &Statement,
    ctx: &Context,
    single: bool,
    target: &Target<'_>,
    c: &Constraint,
) -> Result<Fix, String> {
    if stmt.in_do_block {
        return Err("the statement is inside a DO block: rewrite it by hand".into());
    }
    if !single {
        return Err(
            "the ALTER TABLE does more than add this constraint: add NOT VALID after the \
             constraint and VALIDATE it separately by hand"
                .into(),
        );
    }
    if ctx.in_explicit_transaction() {
        return Err(
            "the statement is inside BEGIN ... COMMIT: a VALIDATE there would still hold the \
             ADD's lock; validate after the COMMIT by hand"
                .into(),
        );
    }
    if ctx.in_transaction() {
        return Err(
            "the migration runs in one transaction, so a VALIDATE in it would hold the ADD's \
             lock: add NOT VALID here and VALIDATE in the next migration"
                .into(),
        );
    }
    let words = helpers::words(stmt);
    if words.is_empty() || stmt.text.len() != stmt.span.len() {
        return Err("the statement's text does not map onto the file".into());
    }
    let lower = words
        .first()
        .is_some_and(|w| stmt.text[..w.span.end - stmt.span.start].bytes().all(|b| b.is_ascii_lowercase()));
    let kw = |k: &str| {
        if lower {
            k.to_ascii_lowercase()
        } else {
            k.to_owned()
        }
    };
    let mut edits = Vec::new();
    let name = match (&c.name, &c.kind) {
        (Some(name), _) => name.clone(),
        (None, ConstraintKind::ForeignKey { columns, .. }) => {
            let name = helpers::default_constraint_name(target.table, columns, "fkey");
            if name.len() > MAX_IDENT {
                return Err(format!(
                    "PostgreSQL truncates the default name {name}: name the constraint by hand"
                ));
            }
            let foreign = words
                .iter()
                .find(|w| !w.quoted && w.text == "foreign")
                .ok_or("cannot find the FOREIGN keyword in the statement's text")?;
            edits.push(Edit::insert(
                foreign.span.start,
                format!("{} {} ", kw("CONSTRAINT"), quote_ident(&name)),
            ));
            name
        }
        (None, _) => {
            return Err(
                "the check has no name, and the one PostgreSQL gives it depends on its \
                 expression: name it (ADD CONSTRAINT name CHECK ...) so that VALIDATE can refer \
                 to it"
                    .into(),
            );
        }
    };
    let only = if target.only { " ONLY" } else { "" };
    let if_exists = if target.if_exists { " IF EXISTS" } else { "" };
    edits.push(Edit::insert(
        stmt.span.end,
        format!(
            " {};\n{} {}",
            kw("NOT VALID"),
            kw(&format!("ALTER TABLE{if_exists}{only}")),
            format_args!(
                "{} {} {}",
                target.table,
                kw("VALIDATE CONSTRAINT"),
                quote_ident(&name)
            ),
        ),
    ));
    Ok(Fix::safe(
        "Add NOT VALID, then VALIDATE CONSTRAINT",
        edits,
        Needs::SeparateCommits,
    ))
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

