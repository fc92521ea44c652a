//! `ban-lock-table`: an explicit `LOCK TABLE` in a migration.
//!
//! `LOCK TABLE` takes the named mode (ACCESS EXCLUSIVE when none is named) and keeps it until the
//! transaction ends, on top of whatever the following statements need. While it waits for the
//! lock it also queues every later request for the table behind it. Tables created earlier in the
//! file are exempt: nobody else uses them yet.

use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::{LockMode, Name, Op};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct BanLockTable;

impl Check for BanLockTable {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        for op in &stmt.ops {
            let Op::LockTable { tables, mode } = op else {
                continue;
            };
            let existing: Vec<&Name> = tables.iter().filter(|t| !ctx.is_new_table(t)).collect();
            if existing.is_empty() {
                continue;
            }
            let names = existing
                .iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            let article = match mode {
                LockMode::AccessShare | LockMode::AccessExclusive | LockMode::Exclusive => "an",
                _ => "a",
            };
            out.push(
                Finding::new(
                    stmt.span.clone(),
                    format!(
                        "LOCK TABLE takes {article} {mode} lock on {names}: blocks {} until the \
                         transaction ends, and queues every later request for {names} while it \
                         waits",
                        mode.blocks()
                    ),
                    format!(
                        "Remove the LOCK TABLE and let each statement take the lock it needs; put \
                         SET lock_timeout = '2s'; at the top so a blocked lock request fails fast \
                         instead of stalling traffic on {names}, and retry the migration"
                    ),
                )
                .lock(*mode),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::context::FileSettings;
    use crate::lint::rules::helpers::run_check;

    fn lock(tables: &[&str], mode: LockMode) -> Vec<Op> {
        vec![Op::LockTable {
            tables: tables.iter().map(|t| Name::bare(t)).collect(),
            mode,
        }]
    }

    fn create(name: &str) -> Vec<Op> {
        vec![Op::CreateTable {
            table: Name::bare(name),
            columns: vec![],
            constraints: vec![],
            partition_of: None,
            as_query: false,
            if_not_exists: false,
            temporary: false,
        }]
    }

    #[test]
    fn names_the_mode_and_what_it_blocks() {
        let found = run_check(
            &BanLockTable,
            &FileSettings::default(),
            &[
                ("LOCK TABLE orders", lock(&["orders"], LockMode::AccessExclusive)),
                (
                    "LOCK TABLE orders IN SHARE MODE",
                    lock(&["orders"], LockMode::Share),
                ),
                (
                    "LOCK TABLE orders IN ROW EXCLUSIVE MODE",
                    lock(&["orders"], LockMode::RowExclusive),
                ),
            ],
        );
        assert_eq!(found.len(), 3);
        assert!(
            found[0]
                .1
                .message
                .starts_with("LOCK TABLE takes an ACCESS EXCLUSIVE lock on orders: blocks reads and writes")
        );
        assert_eq!(found[0].1.lock, Some(LockMode::AccessExclusive));
        assert!(found[1].1.message.contains("a SHARE lock on orders: blocks writes"));
        assert_eq!(found[2].1.lock, Some(LockMode::RowExclusive));
    }

    #[test]
    fn tables_created_in_the_file_are_exempt() {
        let found = run_check(
            &BanLockTable,
            &FileSettings::default(),
            &[
                ("CREATE TABLE staging ...", create("staging")),
                ("LOCK TABLE staging", lock(&["staging"], LockMode::AccessExclusive)),
                (
                    "LOCK TABLE staging, orders",
                    lock(&["staging", "orders"], LockMode::AccessExclusive),
                ),
            ],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, Some(2));
        assert!(found[0].1.message.contains("lock on orders:"));
        assert!(!found[0].1.message.contains("staging"));
    }
}
