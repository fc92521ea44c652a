//! What PostgreSQL locks, rewrites and scans for each operation.
//!
//! This is `../shared/pg15-locks.md` as data (measured on PostgreSQL 15 with
//! `pg_locks` and `relfilenode`); `tests/lock_model.rs` checks each rule's
//! example against a real server. Rules take their lock wording from here so
//! that every message agrees with the measurements.

use std::fmt;

use super::context::Context;
use super::ops::{
    ColumnDef, ConstraintKind, DmlKind, LockMode, Name, ObjectKind, Op, SqlType, TableAction,
    Volatility,
};

impl LockMode {
    /// The name PostgreSQL uses, as in `pg_locks.mode` without the `Lock` suffix.
    pub fn sql(self) -> &'static str {
        match self {
            LockMode::AccessShare => "ACCESS SHARE",
            LockMode::RowShare => "ROW SHARE",
            LockMode::RowExclusive => "ROW EXCLUSIVE",
            LockMode::ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE",
            LockMode::Share => "SHARE",
            LockMode::ShareRowExclusive => "SHARE ROW EXCLUSIVE",
            LockMode::Exclusive => "EXCLUSIVE",
            LockMode::AccessExclusive => "ACCESS EXCLUSIVE",
        }
    }

    /// `pg_locks.mode` spelling: `AccessExclusiveLock`.
    pub fn pg_locks_name(self) -> &'static str {
        match self {
            LockMode::AccessShare => "AccessShareLock",
            LockMode::RowShare => "RowShareLock",
            LockMode::RowExclusive => "RowExclusiveLock",
            LockMode::ShareUpdateExclusive => "ShareUpdateExclusiveLock",
            LockMode::Share => "ShareLock",
            LockMode::ShareRowExclusive => "ShareRowExclusiveLock",
            LockMode::Exclusive => "ExclusiveLock",
            LockMode::AccessExclusive => "AccessExclusiveLock",
        }
    }

    /// Parses `ACCESS EXCLUSIVE`, `access exclusive`, `AccessExclusiveLock`.
    pub fn parse(text: &str) -> Option<LockMode> {
        let norm: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '_')
            .collect::<String>()
            .to_ascii_lowercase();
        let norm = norm.strip_suffix("lock").unwrap_or(&norm);
        Some(match norm {
            "accessshare" => LockMode::AccessShare,
            "rowshare" => LockMode::RowShare,
            "rowexclusive" => LockMode::RowExclusive,
            "shareupdateexclusive" => LockMode::ShareUpdateExclusive,
            "share" => LockMode::Share,
            "sharerowexclusive" => LockMode::ShareRowExclusive,
            "exclusive" => LockMode::Exclusive,
            "accessexclusive" => LockMode::AccessExclusive,
            _ => return None,
        })
    }

    /// What the lock blocks for other sessions, as the JSON `blocks` field and in messages.
    pub fn blocks(self) -> &'static str {
        match self {
            LockMode::AccessExclusive => "reads and writes",
            LockMode::Exclusive | LockMode::ShareRowExclusive | LockMode::Share => "writes",
            LockMode::ShareUpdateExclusive => "other DDL, VACUUM and ANALYZE",
            LockMode::RowExclusive | LockMode::RowShare => "DDL and index builds",
            LockMode::AccessShare => "only ACCESS EXCLUSIVE locks",
        }
    }

    /// True when the lock stops ordinary application traffic (writes at least).
    pub fn blocks_writes(self) -> bool {
        self >= LockMode::Share
    }
}

impl fmt::Display for LockMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.sql())
    }
}

/// How long the statement keeps its lock, in terms of the work it does under it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Work {
    /// A catalog change: instant once the lock is granted.
    Instant,
    /// Reads every row (validation), without writing a new copy.
    Scan,
    /// Builds an index over every row.
    IndexBuild,
    /// Writes a new copy of the whole table (its `relfilenode` changes).
    Rewrite,
    /// Rewrites the table unless a function we cannot see is non-volatile.
    MaybeRewrite,
}

impl Work {
    pub fn is_long(self) -> bool {
        self != Work::Instant
    }

    /// The JSON `rewrites_table` value.
    pub fn rewrites(self) -> bool {
        matches!(self, Work::Rewrite)
    }

    /// Words for messages: "while the whole table is rewritten".
    pub fn while_phrase(self) -> &'static str {
        match self {
            Work::Instant => "briefly, but queued behind any running query",
            Work::Scan => "while every row is scanned",
            Work::IndexBuild => "while the index is built",
            Work::Rewrite => "while the whole table is rewritten",
            Work::MaybeRewrite => {
                "while the whole table is rewritten if the expression is volatile"
            }
        }
    }
}

/// Which relation a lock is on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Table(Name),
    /// The table that owns this index (a `DROP INDEX` does not name its table).
    TableOfIndex(Name),
    /// A materialized view, view or sequence.
    Relation(Name),
}

impl Target {
    pub fn name(&self) -> &Name {
        match self {
            Target::Table(n) | Target::TableOfIndex(n) | Target::Relation(n) => n,
        }
    }

    /// "orders", or "the table of index orders_idx".
    pub fn describe(&self) -> String {
        match self {
            Target::Table(n) | Target::Relation(n) => n.to_string(),
            Target::TableOfIndex(n) => format!("the table of index {n}"),
        }
    }
}

/// One lock one operation takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockEffect {
    pub target: Target,
    pub mode: LockMode,
    pub work: Work,
}

impl LockEffect {
    fn new(target: Target, mode: LockMode, work: Work) -> LockEffect {
        LockEffect { target, mode, work }
    }

    /// "takes an ACCESS EXCLUSIVE lock on orders: blocks reads and writes while the whole table is
    /// rewritten".
    pub fn describe(&self) -> String {
        format!(
            "takes {} {} lock on {}: blocks {} {}",
            article(self.mode),
            self.mode,
            self.target.describe(),
            self.mode.blocks(),
            self.work.while_phrase()
        )
    }
}

fn article(mode: LockMode) -> &'static str {
    match mode {
        LockMode::AccessShare | LockMode::AccessExclusive | LockMode::Exclusive => "an",
        _ => "a",
    }
}

/// The locks an operation takes, strongest first. Empty for operations that take no lock on an
/// existing relation (creating a new table, `SET`, enum values, functions).
pub fn effects(op: &Op, ctx: &Context) -> Vec<LockEffect> {
    use LockMode::*;
    let table = |n: &Name| Target::Table(n.clone());
    match op {
        Op::CreateIndex {
            table: t,
            concurrently,
            only,
            ..
        } => {
            let work = if *only {
                Work::Instant
            } else {
                Work::IndexBuild
            };
            let mode = if *concurrently {
                ShareUpdateExclusive
            } else {
                Share
            };
            vec![LockEffect::new(table(t), mode, work)]
        }
        Op::AlterTable {
            table: t, action, ..
        } => alter_table_effects(t, action, ctx),
        Op::CreateTable {
            partition_of,
            columns,
            constraints,
            ..
        } => {
            let mut out = Vec::new();
            if let Some(parent) = partition_of {
                out.push(LockEffect::new(
                    table(parent),
                    AccessExclusive,
                    Work::Instant,
                ));
            }
            let referenced = columns.iter().filter_map(|c| c.references.as_ref()).chain(
                constraints.iter().filter_map(|c| match &c.kind {
                    ConstraintKind::ForeignKey { references, .. } => Some(references),
                    _ => None,
                }),
            );
            for r in referenced {
                out.push(LockEffect::new(table(r), ShareRowExclusive, Work::Instant));
            }
            out
        }
        Op::Drop {
            kind,
            names,
            concurrently,
            on_table,
            ..
        } => match kind {
            ObjectKind::Index => names
                .iter()
                .map(|n| {
                    let mode = if *concurrently {
                        ShareUpdateExclusive
                    } else {
                        AccessExclusive
                    };
                    LockEffect::new(Target::TableOfIndex(n.clone()), mode, Work::Instant)
                })
                .collect(),
            ObjectKind::Table => names
                .iter()
                .map(|n| LockEffect::new(table(n), AccessExclusive, Work::Instant))
                .collect(),
            ObjectKind::View | ObjectKind::MaterializedView | ObjectKind::Sequence => names
                .iter()
                .map(|n| {
                    LockEffect::new(Target::Relation(n.clone()), AccessExclusive, Work::Instant)
                })
                .collect(),
            ObjectKind::Trigger | ObjectKind::Policy | ObjectKind::Rule => on_table
                .iter()
                .map(|t| LockEffect::new(table(t), AccessExclusive, Work::Instant))
                .collect(),
            _ => Vec::new(),
        },
        Op::Create {
            kind: ObjectKind::Trigger,
            on_table: Some(t),
            ..
        } => vec![LockEffect::new(table(t), ShareRowExclusive, Work::Instant)],
        Op::Truncate { tables } => tables
            .iter()
            .map(|t| LockEffect::new(table(t), AccessExclusive, Work::Instant))
            .collect(),
        Op::Vacuum { full: true, tables } => tables
            .iter()
            .map(|t| LockEffect::new(table(t), AccessExclusive, Work::Rewrite))
            .collect(),
        Op::Vacuum {
            full: false,
            tables,
        } => tables
            .iter()
            .map(|t| LockEffect::new(table(t), ShareUpdateExclusive, Work::Scan))
            .collect(),
        Op::Cluster { table: Some(t) } => {
            vec![LockEffect::new(table(t), AccessExclusive, Work::Rewrite)]
        }
        Op::Reindex {
            name,
            concurrently,
            target,
        } => {
            let mode = if *concurrently {
                ShareUpdateExclusive
            } else {
                Share
            };
            match target {
                super::ops::ReindexTarget::Table => {
                    vec![LockEffect::new(table(name), mode, Work::IndexBuild)]
                }
                super::ops::ReindexTarget::Index => vec![LockEffect::new(
                    Target::TableOfIndex(name.clone()),
                    mode,
                    Work::IndexBuild,
                )],
                _ => Vec::new(),
            }
        }
        Op::RefreshMaterializedView { name, concurrently } => {
            let mode = if *concurrently {
                Exclusive
            } else {
                AccessExclusive
            };
            vec![LockEffect::new(
                Target::Relation(name.clone()),
                mode,
                Work::Rewrite,
            )]
        }
        Op::LockTable { tables, mode } => tables
            .iter()
            .map(|t| LockEffect::new(table(t), *mode, Work::Instant))
            .collect(),
        Op::Dml {
            table: t,
            kind,
            has_where,
            select_from,
            ..
        } => {
            let whole = match kind {
                DmlKind::Insert => !select_from.is_empty(),
                DmlKind::Update | DmlKind::Delete => !has_where,
            };
            let work = if whole { Work::Scan } else { Work::Instant };
            vec![LockEffect::new(table(t), RowExclusive, work)]
        }
        Op::CommentOn {
            kind: ObjectKind::Table,
            name,
        } => vec![LockEffect::new(
            table(name),
            ShareUpdateExclusive,
            Work::Instant,
        )],
        _ => Vec::new(),
    }
}

fn alter_table_effects(t: &Name, action: &TableAction, ctx: &Context) -> Vec<LockEffect> {
    use LockMode::*;
    let on = |mode, work| vec![LockEffect::new(Target::Table(t.clone()), mode, work)];
    match action {
        TableAction::AddColumn { column, .. } => {
            let mut out = on(AccessExclusive, add_column_work(column, ctx.pg_version));
            if let Some(r) = &column.references {
                out.push(LockEffect::new(
                    Target::Table(r.clone()),
                    ShareRowExclusive,
                    Work::Instant,
                ));
            }
            out
        }
        TableAction::AlterColumnType { column, ty, .. } => {
            let old = ctx.column_type(t, column);
            let work = match type_change_rewrites(old, ty) {
                Some(false) => Work::Instant,
                _ => Work::Rewrite,
            };
            on(AccessExclusive, work)
        }
        TableAction::SetNotNull { column } => {
            let work = if ctx.pg_version >= 12 && ctx.has_validated_not_null_check(t, column) {
                Work::Instant
            } else {
                Work::Scan
            };
            on(AccessExclusive, work)
        }
        TableAction::AddConstraint(c) => match &c.kind {
            ConstraintKind::ForeignKey { references, .. } => {
                let work = if c.not_valid {
                    Work::Instant
                } else {
                    Work::Scan
                };
                let mut out = on(ShareRowExclusive, work);
                out.push(LockEffect::new(
                    Target::Table(references.clone()),
                    ShareRowExclusive,
                    Work::Instant,
                ));
                out
            }
            ConstraintKind::Check { .. } | ConstraintKind::NotNull { .. } => on(
                AccessExclusive,
                if c.not_valid {
                    Work::Instant
                } else {
                    Work::Scan
                },
            ),
            ConstraintKind::PrimaryKey { using_index, .. }
            | ConstraintKind::Unique { using_index, .. } => on(
                AccessExclusive,
                if using_index.is_some() {
                    Work::Instant
                } else {
                    Work::IndexBuild
                },
            ),
            ConstraintKind::Exclusion => on(AccessExclusive, Work::IndexBuild),
        },
        TableAction::ValidateConstraint { .. } => on(ShareUpdateExclusive, Work::Scan),
        TableAction::AttachPartition { partition } => {
            let mut out = on(ShareUpdateExclusive, Work::Instant);
            out.insert(
                0,
                LockEffect::new(
                    Target::Table(partition.clone()),
                    AccessExclusive,
                    Work::Scan,
                ),
            );
            out
        }
        TableAction::DetachPartition {
            partition,
            concurrently,
            ..
        } => {
            let mode = if *concurrently {
                ShareUpdateExclusive
            } else {
                AccessExclusive
            };
            let mut out = on(mode, Work::Instant);
            out.push(LockEffect::new(
                Target::Table(partition.clone()),
                AccessExclusive,
                Work::Instant,
            ));
            out
        }
        TableAction::SetTablespace
        | TableAction::SetLogged
        | TableAction::SetUnlogged
        | TableAction::SetAccessMethod => on(AccessExclusive, Work::Rewrite),
        TableAction::Other { what } => {
            let w = what.to_ascii_uppercase();
            let mode = if w.contains("SET STATISTICS")
                || w.starts_with("CLUSTER ON")
                || is_share_update_exclusive_reloption(&w)
            {
                ShareUpdateExclusive
            } else if w.contains("TRIGGER") {
                ShareRowExclusive
            } else {
                AccessExclusive
            };
            on(mode, Work::Instant)
        }
        TableAction::DropColumn { .. }
        | TableAction::DropNotNull { .. }
        | TableAction::SetDefault { .. }
        | TableAction::DropDefault { .. }
        | TableAction::DropConstraint { .. }
        | TableAction::AlterConstraint { .. }
        | TableAction::RenameColumn { .. }
        | TableAction::RenameTable { .. }
        | TableAction::RenameConstraint { .. }
        | TableAction::SetSchema { .. } => on(AccessExclusive, Work::Instant),
    }
}

/// `SET (...)` / `RESET (...)` of storage parameters that PostgreSQL changes under SHARE UPDATE
/// EXCLUSIVE (reloptions.c marks them so; fillfactor measured): every option must be one of them.
fn is_share_update_exclusive_reloption(what: &str) -> bool {
    const LIGHT: &[&str] = &[
        "FILLFACTOR",
        "AUTOVACUUM_",
        "TOAST.AUTOVACUUM_",
        "PARALLEL_WORKERS",
        "TOAST_TUPLE_TARGET",
        "VACUUM_INDEX_CLEANUP",
        "VACUUM_TRUNCATE",
        "TOAST.VACUUM_INDEX_CLEANUP",
        "TOAST.VACUUM_TRUNCATE",
        "LOG_AUTOVACUUM_MIN_DURATION",
    ];
    let Some(list) = what
        .strip_prefix("SET (")
        .or_else(|| what.strip_prefix("RESET ("))
        .or_else(|| what.strip_prefix("SET("))
        .or_else(|| what.strip_prefix("RESET("))
    else {
        return false;
    };
    let list = list.trim_end().trim_end_matches(')');
    list.split(',').all(|opt| {
        let opt = opt.trim();
        LIGHT.iter().any(|l| opt.starts_with(l))
    })
}

/// The work `ADD COLUMN` does on an existing table at this PostgreSQL version.
pub fn add_column_work(column: &ColumnDef, pg_version: u32) -> Work {
    if column.is_serial() || column.generated.is_some() {
        return Work::Rewrite;
    }
    let work = match &column.default {
        None => Work::Instant,
        Some(d) if d.text.trim().eq_ignore_ascii_case("null") => Work::Instant,
        Some(_) if pg_version < 11 => Work::Rewrite,
        Some(d) => match d.volatility {
            Volatility::Constant | Volatility::NonVolatile => Work::Instant,
            Volatility::Volatile => Work::Rewrite,
            Volatility::Unknown => Work::MaybeRewrite,
        },
    };
    // An inline CHECK or UNIQUE makes the new column's values be checked or indexed.
    if column.unique || column.primary_key {
        return work.max(Work::IndexBuild);
    }
    if column.check.is_some() && work == Work::Instant && column.default.is_some() {
        return Work::Scan;
    }
    work
}

/// Whether changing a column from `old` to `new` rewrites the table: `Some(false)` when the change
/// is binary-coercible (PostgreSQL only updates the catalog), `Some(true)` when it is known to
/// rewrite, `None` when the old type is unknown.
pub fn type_change_rewrites(old: Option<&SqlType>, new: &SqlType) -> Option<bool> {
    let old = old?;
    if old.array != new.array {
        return Some(true);
    }
    let same = |a: &str, b: &str| old.name == a && new.name == b;
    let coercible = if old.name == new.name {
        match old.name.as_str() {
            // Widening or removing the length limit only changes the catalog.
            "varchar" | "bit varying" => match (old.args.first(), new.args.first()) {
                (_, None) => true,
                (Some(o), Some(n)) => n >= o,
                (None, Some(_)) => false,
            },
            "numeric" => match (old.args.as_slice(), new.args.as_slice()) {
                (_, []) => true,
                ([op, os], [np, ns]) => ns == os && np >= op,
                ([op], [np]) => np >= op,
                ([op], [np, 0]) => np >= op,
                _ => false,
            },
            // PostgreSQL's TemporalSimplify (timestamp_support, time_support): no rewrite when
            // the new precision is unconstrained or the maximum (6), or not below an old one.
            "timestamp" | "timestamptz" | "time" | "timetz" => {
                match (old.args.first(), new.args.first()) {
                    (_, None) | (_, Some(6)) => true,
                    (Some(o), Some(n)) => n >= o,
                    (None, Some(_)) => false,
                }
            }
            // Same precision-bearing type with the same modifiers is a no-op; anything else
            // (char(n), interval(p), ...) we do not claim to know.
            _ => old.args == new.args,
        }
    } else {
        same("varchar", "text")
            || same("text", "varchar") && new.args.is_empty()
            || same("cidr", "inet")
            || same("xml", "text")
    };
    Some(!coercible)
}
