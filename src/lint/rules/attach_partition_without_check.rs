//! `attach-partition-without-check`: `ATTACH PARTITION` of a table that already has rows.
//!
//! PostgreSQL proves that every row of the new partition fits the partition bounds by scanning
//! it, under an ACCESS EXCLUSIVE lock on the partition (SHARE UPDATE EXCLUSIVE on the parent).
//! A validated `CHECK` constraint that implies the bounds lets it skip the scan. A table created
//! in the same file (or, with `--since`, by an earlier migration of the same change) is empty:
//! nothing to scan. A table that has a validated `CHECK`, from earlier in the file or from an
//! earlier migration (schema history), is taken to have one matching the bounds (pgward cannot
//! compare the expressions).

use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::locks;
use crate::lint::ops::{LockMode, Name, Op, TableAction};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct AttachPartitionWithoutCheck;

impl Check for AttachPartitionWithoutCheck {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        for op in &stmt.ops {
            let Op::AlterTable {
                table,
                action: TableAction::AttachPartition { partition },
                ..
            } = op
            else {
                continue;
            };
            if ctx.is_new_table(partition) || ctx.has_validated_check(partition) {
                continue;
            }
            // The scan and its lock, from the lock model (the partition's effect comes first).
            let scan = locks::effects(op, ctx)
                .into_iter()
                .find(|e| e.target.name() == partition);
            let what = match scan {
                Some(effect) => effect.describe(),
                None => format!(
                    "takes an ACCESS EXCLUSIVE lock on {partition}: blocks reads and writes while \
                     every row is scanned"
                ),
            };
            out.push(
                Finding::new(
                    stmt.find("ATTACH"),
                    format!(
                        "Attaching {partition} to {table} {what} to prove it fits the partition \
                         bounds (and a SHARE UPDATE EXCLUSIVE lock on {table})"
                    ),
                    help(table, partition, &stmt.text),
                )
                .lock(LockMode::AccessExclusive)
                .rewrites(false),
            );
        }
    }
}

/// The recipe, with the statement's own `FOR VALUES ...` clause when it is there.
fn help(table: &Name, partition: &Name, text: &str) -> String {
    let bounds = for_values(text).unwrap_or_else(|| "FOR VALUES ...".to_owned());
    let check = format!("{}_bounds", partition.name);
    format!(
        "First add a CHECK that matches the bounds without a scan, validate it (SHARE UPDATE \
         EXCLUSIVE: reads and writes go on), then attach; PostgreSQL then skips the scan:\n\
         ALTER TABLE {partition} ADD CONSTRAINT {check} CHECK (<partition key within the bounds>) \
         NOT VALID;\n\
         ALTER TABLE {partition} VALIDATE CONSTRAINT {check};\n\
         ALTER TABLE {table} ATTACH PARTITION {partition} {bounds};\n\
         ALTER TABLE {partition} DROP CONSTRAINT {check};"
    )
}

/// `FOR VALUES FROM (...) TO (...)` / `DEFAULT` as written, whitespace collapsed.
fn for_values(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let at = lower.find("for values").or_else(|| {
        let words: Vec<&str> = lower.split_whitespace().collect();
        (words.last() == Some(&"default")).then(|| lower.rfind("default"))?
    })?;
    let clause = text[at..].split_whitespace().collect::<Vec<_>>().join(" ");
    Some(clause.trim_end_matches(';').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::context::FileSettings;
    use crate::lint::rules::helpers::run_check;

    const ATTACH: &str = "ALTER TABLE events ATTACH PARTITION events_2025\n  FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')";

    fn attach() -> Vec<Op> {
        vec![Op::AlterTable {
            table: Name::bare("events"),
            only: false,
            if_exists: false,
            action: TableAction::AttachPartition {
                partition: Name::bare("events_2025"),
            },
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
    fn attaching_an_existing_table_fires_with_the_scan_lock() {
        let found = run_check(
            &AttachPartitionWithoutCheck,
            &FileSettings::default(),
            &[(ATTACH, attach())],
        );
        assert_eq!(found.len(), 1);
        let f = &found[0].1;
        assert_eq!(f.lock, Some(LockMode::AccessExclusive));
        assert!(
            f.message.contains(
                "takes an ACCESS EXCLUSIVE lock on events_2025: blocks reads and writes while \
                 every row is scanned"
            ),
            "{}",
            f.message
        );
        assert!(
            f.help.contains(
                "ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') \
                 TO ('2026-01-01');"
            ),
            "{}",
            f.help
        );
        assert!(f.help.contains("VALIDATE CONSTRAINT events_2025_bounds"));
    }

    #[test]
    fn quiet_for_a_partition_created_in_the_file_but_not_for_a_new_parent() {
        let found = run_check(
            &AttachPartitionWithoutCheck,
            &FileSettings::default(),
            &[("CREATE TABLE events_2025 ...", create("events_2025")), (ATTACH, attach())],
        );
        assert!(found.is_empty());
        let found = run_check(
            &AttachPartitionWithoutCheck,
            &FileSettings::default(),
            &[("CREATE TABLE events ...", create("events")), (ATTACH, attach())],
        );
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn reads_the_bounds_clause() {
        assert_eq!(
            for_values("ALTER TABLE t ATTACH PARTITION p DEFAULT").as_deref(),
            Some("DEFAULT")
        );
        assert_eq!(
            for_values("alter table t attach partition p for values in (1,\n 2)").as_deref(),
            Some("for values in (1, 2)")
        );
        assert_eq!(for_values("ALTER TABLE t ATTACH PARTITION p"), None);
    }
}
