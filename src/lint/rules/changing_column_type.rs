//! `changing-column-type`: `ALTER COLUMN ... TYPE` on an existing table.
//!
//! Unless the change is binary-coercible, PostgreSQL rewrites the whole table and rebuilds its
//! indexes under an ACCESS EXCLUSIVE lock: reads and writes wait throughout. When the old type is
//! known (declared earlier in the file, or from schema history), binary-coercible changes
//! (`varchar` widening, `varchar` to `text`, `numeric` precision increase at the same scale, to
//! unconstrained `numeric`, `timestamp(p)` to a higher or no precision) stay quiet. When it is unknown, the verdict depends on it, and the
//! message says so. `timestamp` to `timestamptz` skips the table rewrite on 12+ only when the
//! session time zone is UTC, and still rebuilds the column's indexes under the lock.

use super::helpers;
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::locks::{self, LockEffect, Target, Work};
use crate::lint::ops::{LockMode, Op, SqlType, TableAction, quote_ident};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct ChangingColumnType;

/// The changes that need no rewrite, for help texts.
const SAFE_CHANGES: &str = "varchar(n) to a longer varchar or to text, numeric(p,s) to \
     numeric(q,s) with q >= p, or to plain numeric";

const REBUILT: &str = "(and its indexes rebuilt)";

/// Types whose casts pgward knows; between other types a binary-coercible cast may exist.
const BUILT_IN: &[&str] = &[
    "smallint",
    "integer",
    "bigint",
    "smallserial",
    "serial",
    "bigserial",
    "numeric",
    "real",
    "double precision",
    "varchar",
    "char",
    "text",
    "timestamp",
    "timestamptz",
    "time",
    "timetz",
    "date",
    "interval",
    "json",
    "jsonb",
    "boolean",
    "uuid",
    "bytea",
    "inet",
    "cidr",
    "xml",
    "bit",
    "bit varying",
    "money",
];

impl Check for ChangingColumnType {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        for op in &stmt.ops {
            let Op::AlterTable {
                table,
                action: TableAction::AlterColumnType { column, ty, using },
                ..
            } = op
            else {
                continue;
            };
            if ctx.is_new_table(table) {
                continue;
            }
            let old = ctx.column_type(table, column);
            let computed = using
                .as_deref()
                .is_some_and(|u| !is_plain_reference(u, column));
            let verdict = if computed {
                Some(true)
            } else {
                locks::type_change_rewrites(old, ty)
            };
            if verdict == Some(false) {
                continue;
            }
            let col = quote_ident(column);
            let what = format!("{table}.{col}");
            let new = helpers::type_sql(ty);
            let old_sql = old.map(helpers::type_sql).unwrap_or_default();
            let recipe = format!(
                "add a new column of the new type, fill it for new rows with a trigger and for \
                 existing rows in batches, switch the application over, then drop {col}"
            );
            let rewrite = LockEffect {
                target: Target::Table(table.clone()),
                mode: LockMode::AccessExclusive,
                work: Work::Rewrite,
            }
            .describe();
            let (message, help, rewrites) = match old {
                Some(_) if computed => (
                    format!(
                        "Changing {what} from {old_sql} to {new} with a USING expression {rewrite} \
                         (and its indexes rebuilt)"
                    ),
                    format!("Avoid the rewrite: {recipe}"),
                    Some(true),
                ),
                Some(old) if is_timestamp_to_timestamptz(old, ty) && ctx.pg_version >= 12 => (
                    format!(
                        "Changing {what} from {old_sql} to {new} takes an ACCESS EXCLUSIVE lock on \
                         {table}: blocks reads and writes while the whole table is rewritten, or, \
                         when the session time zone is UTC, while the indexes on the column are \
                         rebuilt"
                    ),
                    format!(
                        "Run it after SET LOCAL timezone = 'UTC'; to skip the table rewrite (the \
                         indexes on the column are still rebuilt under the lock), or {recipe}"
                    ),
                    None,
                ),
                Some(old) if is_built_in(old) && is_built_in(ty) => (
                    format!("Changing {what} from {old_sql} to {new} {rewrite} {REBUILT}"),
                    format!("Avoid the rewrite: {recipe}"),
                    Some(true),
                ),
                Some(_) => (
                    format!(
                        "Changing {what} from {old_sql} to {new} {rewrite} {REBUILT}, unless a \
                         binary-coercible cast exists between the two types"
                    ),
                    format!("Avoid the rewrite: {recipe}"),
                    None,
                ),
                None if computed => (
                    format!(
                        "Changing {what} to {new} with a USING expression {rewrite} (and its \
                         indexes rebuilt)"
                    ),
                    format!("Avoid the rewrite: {recipe}"),
                    Some(true),
                ),
                None => (
                    format!(
                        "Changing {what} to {new} {rewrite} (and its indexes rebuilt), unless the \
                         change is binary-coercible from the old type, which pgward does not know \
                         here"
                    ),
                    format!(
                        "If the old type makes this binary-coercible ({SAFE_CHANGES}), nothing is \
                         rewritten: silence this with `-- pgward-ignore: changing-column-type`. \
                         timestamp to timestamptz skips the table rewrite only with a UTC session \
                         time zone (PostgreSQL 12+), and still rebuilds the column's indexes under \
                         the lock. Otherwise {recipe}"
                    ),
                    None,
                ),
            };
            let span = helpers::find_after(stmt, helpers::find_ident(stmt, column), "TYPE");
            let mut finding = Finding::new(span, message, help).lock(LockMode::AccessExclusive);
            if let Some(r) = rewrites {
                finding = finding.rewrites(r);
            }
            out.push(finding);
        }
    }
}

fn is_timestamp_to_timestamptz(old: &SqlType, new: &SqlType) -> bool {
    old.is("timestamp") && new.is("timestamptz")
}

fn is_built_in(ty: &SqlType) -> bool {
    BUILT_IN.contains(&ty.name.as_str())
}

/// `USING col` or `USING col::type`: no computation beyond the cast itself.
fn is_plain_reference(using: &str, column: &str) -> bool {
    let u: String = using
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    let u = u.trim_matches(|c| c == '(' || c == ')');
    let col = column.to_ascii_lowercase();
    let quoted = format!("\"{col}\"");
    // After `::` only a type name may follow: `note::text`, `total::numeric(14,2)`.
    let is_type = |t: &str| {
        !t.is_empty()
            && t.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '_' | '(' | ')' | ',' | '[' | ']' | '"')
            })
    };
    [col.as_str(), quoted.as_str()].iter().any(|c| {
        u == *c
            || u.strip_prefix(c)
                .and_then(|rest| rest.strip_prefix("::"))
                .is_some_and(is_type)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::context::FileSettings;
    use crate::lint::ops::Name;

    /// Findings for `c` changing from `old` (known, as from schema history) to `new`.
    fn found(old: &str, new: &str) -> Vec<Finding> {
        let stmts = crate::lint::parse_file(&format!(
            "CREATE TABLE t (c {old});\nALTER TABLE t ALTER COLUMN c TYPE {new};"
        ));
        let Op::CreateTable { columns, .. } = &stmts[0].ops[0] else {
            panic!("{:?}", stmts[0].ops);
        };
        let mut ctx = Context::new(&FileSettings::default());
        let ty = columns[0].ty.clone().expect("a type");
        ctx.know_column(Name::bare("t"), "c".to_owned(), ty);
        let mut out = Vec::new();
        ChangingColumnType.statement(&stmts[1], &ctx, &mut out);
        out
    }

    #[test]
    fn temporal_precision_widening_is_quiet() {
        for (old, new) in [
            ("timestamp(3)", "timestamp(6)"),
            ("timestamp(3)", "timestamp"),
            ("timestamptz(0)", "timestamptz(3)"),
            ("time(2)", "time"),
            ("timetz(2)", "timetz(4)"),
            // Measured on PostgreSQL 15: the maximum precision is no rewrite even from none.
            ("timestamp", "timestamp(6)"),
            ("varchar(50)", "varchar(100)"),
            ("varchar(50)", "text"),
            ("numeric(10,2)", "numeric(12,2)"),
        ] {
            assert!(found(old, new).is_empty(), "{old} -> {new}");
        }
    }

    #[test]
    fn known_rewrites_name_the_old_type() {
        for (old, new) in [
            ("timestamp(6)", "timestamp(3)"),
            ("timestamp", "timestamp(3)"),
            ("integer", "bigint"),
            ("numeric(10,2)", "numeric(12,4)"),
        ] {
            let found = found(old, new);
            assert_eq!(found.len(), 1, "{old} -> {new}");
            assert!(
                found[0].message.contains(" from ") && !found[0].message.contains("unless"),
                "{old} -> {new}: {}",
                found[0].message
            );
        }
    }
}
