//! `require-timeout-settings`: a lock on an existing table requested with no `lock_timeout` set.
//!
//! A lock request that waits behind a running query queues every later request for the table
//! behind it, so even an instant `ALTER TABLE` can stall all traffic on the table for as long as
//! that query runs. `lock_timeout` bounds the wait. Reported once per file, on the first
//! statement that needs it.
//!
//! Scope (precision first): only locks of SHARE or stronger count, i.e. locks that block writes
//! while they wait. Plain DML (ROW EXCLUSIVE) and SHARE UPDATE EXCLUSIVE statements (`VALIDATE
//! CONSTRAINT`, `CREATE INDEX CONCURRENTLY`, `COMMENT ON TABLE`) do not block application reads
//! or writes while queued, so they are not reported.
//!
//! Fix (`pgward lint --fix`): `SET lock_timeout = '2s';` on a line of its own before the statement
//! (`SET LOCAL` inside a transaction, so that the setting ends with it and does not stay on a
//! pooled connection the application uses next).

use crate::lint::context::Context;
use crate::lint::diagnostic::{Edit, Finding, Fix, Needs};
use crate::lint::rules::Check;
use crate::lint::rules::helpers::existing_effects;
use crate::lint::statement::Statement;

pub struct RequireTimeoutSettings;

impl Check for RequireTimeoutSettings {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        if ctx.lock_timeout || ctx.unguarded_lock_seen {
            return;
        }
        // Strongest first.
        let Some(effect) = existing_effects(stmt, ctx)
            .into_iter()
            .find(|e| e.mode.blocks_writes())
        else {
            return;
        };
        let mode = effect.mode;
        let table = effect.target.describe();
        let statement_timeout = if ctx.statement_timeout {
            ""
        } else {
            "\nSET statement_timeout = '5min';"
        };
        out.push(
            Finding::new(
                stmt.span.clone(),
                format!(
                    "This statement waits for {} {mode} lock on {table} with no lock_timeout set: \
                     while it waits behind a running query, every later query on {table} that \
                     conflicts with it queues too ({} blocked; reported once per file)",
                    article(&mode.to_string()),
                    mode.blocks()
                ),
                format!(
                    "Set the timeouts at the top of the migration:\nSET lock_timeout = {};\
                     {statement_timeout}\nWhen the lock is not granted in time the statement \
                     fails instead of stalling traffic; retry the migration later (a few \
                     attempts with a pause between them)",
                    ctx.recommended_lock_timeout
                ),
            )
            .lock(mode)
            .fix(fix(stmt, ctx)),
        );
    }
}

/// `SET [LOCAL] lock_timeout = <the recommended value>;` before the statement.
fn fix(stmt: &Statement, ctx: &Context) -> Result<Fix, String> {
    if stmt.in_do_block {
        return Err(
            "the statement is inside a DO block: put SET lock_timeout before the block by hand"
                .into(),
        );
    }
    let local = if ctx.in_transaction() { " LOCAL" } else { "" };
    Ok(Fix::safe(
        "Set lock_timeout before the first statement that waits for a lock",
        vec![Edit::insert(
            stmt.span.start,
            format!(
                "SET{local} lock_timeout = {};\n",
                ctx.recommended_lock_timeout
            ),
        )],
        Needs::AnotherStatement,
    ))
}

fn article(mode: &str) -> &'static str {
    if mode.starts_with(['A', 'E']) {
        "an"
    } else {
        "a"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::context::FileSettings;
    use crate::lint::ops::{DmlKind, LockMode, Name, Op, TableAction};
    use crate::lint::rules::helpers::run_check;

    fn set(name: &str, value: &str) -> Vec<Op> {
        vec![Op::Set {
            name: name.into(),
            value: Some(value.into()),
            local: false,
        }]
    }

    fn drop_default(table: &str) -> Vec<Op> {
        vec![Op::AlterTable {
            table: Name::bare(table),
            only: false,
            if_exists: false,
            action: TableAction::DropDefault {
                column: "status".into(),
            },
        }]
    }

    fn update(table: &str) -> Vec<Op> {
        vec![Op::Dml {
            kind: DmlKind::Update,
            table: Name::bare(table),
            has_where: true,
            select_from: vec![],
            select_filtered: false,
        }]
    }

    fn validate(table: &str) -> Vec<Op> {
        vec![Op::AlterTable {
            table: Name::bare(table),
            only: false,
            if_exists: false,
            action: TableAction::ValidateConstraint { name: "c".into() },
        }]
    }

    #[test]
    fn fires_once_on_the_first_unguarded_ddl() {
        let found = run_check(
            &RequireTimeoutSettings,
            &FileSettings::default(),
            &[
                ("SET search_path = app", set("search_path", "app")),
                ("ALTER TABLE orders ALTER status DROP DEFAULT", drop_default("orders")),
                ("ALTER TABLE customers ALTER status DROP DEFAULT", drop_default("customers")),
            ],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, Some(1));
        let f = &found[0].1;
        assert_eq!(f.lock, Some(LockMode::AccessExclusive));
        assert!(f.message.contains("an ACCESS EXCLUSIVE lock on orders"));
        assert!(f.help.contains("SET lock_timeout = '2s';"));
        assert!(f.help.contains("SET statement_timeout"));
        assert!(f.help.contains("retry"));
    }

    #[test]
    fn quiet_when_lock_timeout_was_set_earlier() {
        for value in ["'2s'", "5000"] {
            let found = run_check(
                &RequireTimeoutSettings,
                &FileSettings::default(),
                &[
                    ("SET lock_timeout = ...", set("lock_timeout", value)),
                    ("ALTER TABLE orders ALTER status DROP DEFAULT", drop_default("orders")),
                ],
            );
            assert!(found.is_empty());
        }
        // Switched off again: unguarded.
        let found = run_check(
            &RequireTimeoutSettings,
            &FileSettings::default(),
            &[
                ("SET lock_timeout = '2s'", set("lock_timeout", "'2s'")),
                ("SET lock_timeout = 0", set("lock_timeout", "0")),
                ("ALTER TABLE orders ALTER status DROP DEFAULT", drop_default("orders")),
            ],
        );
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn dml_share_update_exclusive_and_new_tables_are_quiet() {
        let create = vec![Op::CreateTable {
            table: Name::bare("staging"),
            columns: vec![],
            constraints: vec![],
            partition_of: None,
            as_query: false,
            if_not_exists: false,
            temporary: false,
        }];
        let found = run_check(
            &RequireTimeoutSettings,
            &FileSettings::default(),
            &[
                ("CREATE TABLE staging ()", create),
                ("ALTER TABLE staging ALTER status DROP DEFAULT", drop_default("staging")),
                ("ALTER TABLE orders VALIDATE CONSTRAINT c", validate("orders")),
            ],
        );
        assert!(found.is_empty());
        let found = run_check(
            &RequireTimeoutSettings,
            &FileSettings::default(),
            &[("UPDATE orders SET status = 'x' WHERE id = 1", update("orders"))],
        );
        assert!(found.is_empty());
    }

    #[test]
    fn statement_timeout_already_set_is_not_repeated() {
        let found = run_check(
            &RequireTimeoutSettings,
            &FileSettings::default(),
            &[
                ("SET statement_timeout = '1min'", set("statement_timeout", "'1min'")),
                ("ALTER TABLE orders ALTER status DROP DEFAULT", drop_default("orders")),
            ],
        );
        assert_eq!(found.len(), 1);
        assert!(!found[0].1.help.contains("statement_timeout"));
    }
}
