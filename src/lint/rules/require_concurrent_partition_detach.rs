//! `require-concurrent-partition-detach`: `DETACH PARTITION` without `CONCURRENTLY` on PostgreSQL 14+.
//!
//! A plain detach takes ACCESS EXCLUSIVE on the partitioned parent and on the partition: every
//! query on the parent waits, and queues behind any long query already running on it. From 14,
//! `DETACH PARTITION ... CONCURRENTLY` takes only SHARE UPDATE EXCLUSIVE on the parent. Before 14
//! there is no concurrent form, so the rule stays quiet there.

use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::{LockMode, Op, TableAction};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct RequireConcurrentPartitionDetach;

impl Check for RequireConcurrentPartitionDetach {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        if ctx.pg_version < 14 {
            return;
        }
        for op in &stmt.ops {
            let Op::AlterTable {
                table,
                action:
                    TableAction::DetachPartition {
                        partition,
                        concurrently: false,
                        finalize: false,
                    },
                ..
            } = op
            else {
                continue;
            };
            if ctx.is_new_table(table) {
                continue;
            }
            let mode = LockMode::AccessExclusive;
            out.push(
                Finding::new(
                    stmt.find("DETACH"),
                    format!(
                        "Detaching {partition} takes an {mode} lock on {table} and on {partition}: \
                         blocks reads and writes of the whole partitioned table, and queues \
                         behind any query already running on it"
                    ),
                    format!(
                        "Use ALTER TABLE {table} DETACH PARTITION {partition} CONCURRENTLY; \
                         (SHARE UPDATE EXCLUSIVE on {table}: reads and writes go on). It cannot \
                         run inside a transaction block, so give it a migration of its own \
                         without the runner's transaction; if it is interrupted, finish with \
                         ALTER TABLE {table} DETACH PARTITION {partition} FINALIZE;"
                    ),
                )
                .lock(mode),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::context::FileSettings;
    use crate::lint::ops::{ColumnDef, Name};
    use crate::lint::rules::helpers::run_check;

    fn detach(concurrently: bool, finalize: bool) -> Vec<Op> {
        vec![Op::AlterTable {
            table: Name::bare("events"),
            only: false,
            if_exists: false,
            action: TableAction::DetachPartition {
                partition: Name::bare("events_2024"),
                concurrently,
                finalize,
            },
        }]
    }

    fn settings(pg_version: u32) -> FileSettings {
        FileSettings {
            pg_version,
            assume_in_transaction: false,
            ..FileSettings::default()
        }
    }

    #[test]
    fn plain_detach_fires_from_14() {
        let sql = "ALTER TABLE events DETACH PARTITION events_2024";
        let found = run_check(
            &RequireConcurrentPartitionDetach,
            &settings(14),
            &[(sql, detach(false, false))],
        );
        assert_eq!(found.len(), 1);
        let f = &found[0].1;
        assert_eq!(f.lock, Some(LockMode::AccessExclusive));
        assert_eq!(f.span, 19..25);
        assert!(f.message.contains("ACCESS EXCLUSIVE lock on events and on events_2024"));
        assert!(
            f.help
                .contains("ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY;")
        );
        assert!(f.help.contains("transaction block"));
    }

    #[test]
    fn quiet_before_14_concurrently_finalize_and_on_new_parents() {
        let sql = "ALTER TABLE events DETACH PARTITION events_2024";
        for (version, ops) in [
            (13, detach(false, false)),
            (15, detach(true, false)),
            (15, detach(true, true)),
            (15, detach(false, true)),
        ] {
            assert!(
                run_check(
                    &RequireConcurrentPartitionDetach,
                    &settings(version),
                    &[(sql, ops.clone())]
                )
                .is_empty(),
                "{version} {ops:?}"
            );
        }
        let create = Op::CreateTable {
            table: Name::bare("events"),
            columns: vec![ColumnDef {
                name: "id".into(),
                ty: None,
                default: None,
                not_null: false,
                primary_key: false,
                unique: false,
                references: None,
                check: None,
                generated: None,
            }],
            constraints: vec![],
            partition_of: None,
            as_query: false,
            if_not_exists: false,
            temporary: false,
        };
        let found = run_check(
            &RequireConcurrentPartitionDetach,
            &settings(15),
            &[("CREATE TABLE events ...", vec![create]), (sql, detach(false, false))],
        );
        assert!(found.is_empty());
    }
}
