//! `irreversible-data-loss`: an up migration that deletes data (drops a column or a table,
//! truncates, narrows a column's type) while its down migration looks like it can undo it.
//!
//! No down can bring that data back: a down that re-adds the column or recreates the table gets
//! the structure back, empty. Teams that write downs count on them for a rollback, so this says
//! so even though the down exists: one finding per migration, at the first loss, naming the
//! others. It complements `ban-drop-column`, `ban-drop-table` and `ban-truncate` (about the code
//! still running) and fires only where reversibility is in play: a down file or section with
//! content. A missing or empty down is `missing-down-migration`'s; a down that refuses on purpose
//! (`RAISE EXCEPTION`) marks the migration one-way: quiet. Tables created earlier in the same file
//! are new and empty: quiet.

use super::helpers;
use super::helpers::reversibility::{down_refuses, is_noop_down, replay};
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::{Name, ObjectKind, Op, SqlType, TableAction, quote_ident};
use crate::lint::rules::{Check, DownPart};
use crate::lint::statement::Statement;

pub struct IrreversibleDataLoss;

impl Check for IrreversibleDataLoss {
    fn migration(
        &self,
        up: &[Statement],
        down: &DownPart,
        start: &Context,
        out: &mut Vec<Finding>,
    ) {
        // A missing or empty down is `missing-down-migration`'s; a refusing one is deliberate.
        let DownPart::Present(file) = down else {
            return;
        };
        let statements = file.statements();
        if is_noop_down(statements) || down_refuses(statements) {
            return;
        }
        let down_ops: Vec<&Op> = statements.iter().flat_map(|s| &s.ops).collect();
        let mut losses: Vec<(&Statement, Loss)> = Vec::new();
        replay(up, start, |stmt, ctx| {
            losses.extend(stmt.ops.iter().filter_map(|op| loss(op, ctx)).map(|l| (stmt, l)));
        });
        let Some(((stmt, first), rest)) = losses.split_first() else {
            return;
        };
        let others: Vec<String> = rest.iter().map(|(_, l)| l.object()).collect();
        out.push(finding(stmt, first, &others, &file.describe(), &down_ops));
    }
}

/// Data one operation deletes.
enum Loss {
    Column { table: Name, column: String },
    Tables { names: Vec<Name> },
    Truncate { names: Vec<Name> },
    Narrow {
        table: Name,
        column: String,
        old: SqlType,
        new: SqlType,
        how: &'static str,
    },
}

impl Loss {
    /// What is lost, for the list of other losses: "column orders.note".
    fn object(&self) -> String {
        match self {
            Loss::Column { table, column } => {
                format!("column {}", helpers::column_ref(table, column))
            }
            Loss::Tables { names } => format!("table {}", helpers::join_names(names)),
            Loss::Truncate { names } => format!("the rows of {}", helpers::join_names(names)),
            Loss::Narrow { table, column, .. } => {
                format!("values of {}", helpers::column_ref(table, column))
            }
        }
    }
}

fn loss(op: &Op, ctx: &Context) -> Option<Loss> {
    match op {
        Op::AlterTable { table, action, .. } if !ctx.is_new_table(table) => match action {
            TableAction::DropColumn { column, .. } => Some(Loss::Column {
                table: table.clone(),
                column: column.clone(),
            }),
            TableAction::AlterColumnType { column, ty, using } => {
                let old = ctx.column_type(table, column)?;
                let how = narrowing(old, ty, using.is_some())?;
                Some(Loss::Narrow {
                    table: table.clone(),
                    column: column.clone(),
                    old: old.clone(),
                    new: ty.clone(),
                    how,
                })
            }
            _ => None,
        },
        Op::Drop {
            kind: ObjectKind::Table,
            names,
            ..
        } => {
            let names: Vec<Name> = names
                .iter()
                .filter(|n| !ctx.is_new_table(n))
                .cloned()
                .collect();
            (!names.is_empty()).then_some(Loss::Tables { names })
        }
        Op::Truncate { tables } => {
            let names: Vec<Name> = tables
                .iter()
                .filter(|n| !ctx.is_new_table(n))
                .cloned()
                .collect();
            (!names.is_empty()).then_some(Loss::Truncate { names })
        }
        _ => None,
    }
}

/// How narrowing `old` to `new` loses data, or `None` when it does not narrow.
fn narrowing(old: &SqlType, new: &SqlType, using: bool) -> Option<&'static str> {
    if old.array != new.array {
        return None;
    }
    const FAILS_OR_CUTS: &str = "values that do not fit make the ALTER fail, and cutting them to \
                                 fit (a USING clause) loses the rest";
    let cut = if using {
        "the USING clause decides what is kept; the rest is gone"
    } else {
        FAILS_OR_CUTS
    };
    let text_limit = |t: &SqlType| match t.name.as_str() {
        "text" | "citext" => Some(u64::MAX),
        "varchar" => Some(t.args.first().copied().unwrap_or(u64::MAX)),
        "char" | "bpchar" => Some(t.args.first().copied().unwrap_or(1)),
        _ => None,
    };
    if let (Some(a), Some(b)) = (text_limit(old), text_limit(new)) {
        return (b < a).then_some(cut);
    }
    let int_rank = |t: &SqlType| match t.name.as_str() {
        "smallint" | "smallserial" => Some(1),
        "integer" | "serial" => Some(2),
        "bigint" | "bigserial" => Some(3),
        _ => None,
    };
    if let (Some(a), Some(b)) = (int_rank(old), int_rank(new)) {
        return (b < a).then_some(if using {
            cut
        } else {
            "values out of range make the ALTER fail, and bringing them into range loses them"
        });
    }
    if old.name == "numeric" {
        if int_rank(new).is_some() {
            return Some("the fractional digits are rounded away");
        }
        if new.name == "numeric" {
            let (p, s) = numeric_digits(old)?;
            let (p2, s2) = numeric_digits(new).unwrap_or((u64::MAX, u64::MAX));
            if s2 < s {
                return Some("values are rounded to fewer decimal places");
            }
            if p2.saturating_sub(s2) < p.saturating_sub(s) {
                return Some(FAILS_OR_CUTS);
            }
        }
        return None;
    }
    if old.name == "double precision" && new.name == "real" {
        return Some("values are rounded to 6 significant digits");
    }
    None
}

/// `numeric(p, s)` as (precision, scale); `numeric` without a limit is `None`.
fn numeric_digits(t: &SqlType) -> Option<(u64, u64)> {
    let p = *t.args.first()?;
    Some((p, t.args.get(1).copied().unwrap_or(0)))
}

fn finding(
    stmt: &Statement,
    loss: &Loss,
    others: &[String],
    down: &str,
    down_ops: &[&Op],
) -> Finding {
    let words = helpers::words(stmt);
    let (what, brought_back, span, first_table) = match loss {
        Loss::Column { table, column } => {
            let back = down_ops.iter().any(|op| match op {
                Op::AlterTable {
                    table: t,
                    action: TableAction::AddColumn { column: c, .. },
                    ..
                } => t.matches(table) && c.name == *column,
                _ => false,
            });
            let span = helpers::find_words(
                &words,
                &["drop", "?column", "?if", "?exists", column.as_str()],
            );
            (
                format!(
                    "Dropping column {} deletes its data",
                    helpers::column_ref(table, column)
                ),
                back.then_some("the column"),
                span,
                table.clone(),
            )
        }
        Loss::Tables { names } => {
            let back = down_ops.iter().any(|op| {
                matches!(op, Op::CreateTable { table, .. } if names.iter().any(|n| n.matches(table)))
            });
            let noun = if names.len() == 1 { "table" } else { "tables" };
            (
                format!(
                    "Dropping {noun} {} deletes every row",
                    helpers::join_names(names)
                ),
                back.then_some(if names.len() == 1 {
                    "the table"
                } else {
                    "the tables"
                }),
                helpers::find_words(&words, &["drop", "table"]).map(|s| s.start..stmt.span.end),
                names[0].clone(),
            )
        }
        Loss::Truncate { names } => (
            format!("TRUNCATE deletes every row of {}", helpers::join_names(names)),
            None,
            None,
            names[0].clone(),
        ),
        Loss::Narrow {
            table,
            column,
            old,
            new,
            how,
        } => (
            format!(
                "Narrowing {} from {old} to {new} loses data ({how})",
                helpers::column_ref(table, column)
            ),
            None,
            helpers::find_words(&words, &["alter", "?column", column.as_str()]),
            table.clone(),
        ),
    };
    let also = match others.len() {
        0 => String::new(),
        n if n <= 3 => format!(" (this migration also deletes {})", helpers::join_names(others)),
        n => format!(
            " (this migration also deletes {} and {} more)",
            others[..3].join(", "),
            n - 3
        ),
    };
    let message = match brought_back {
        Some(structure) => format!(
            "{what}{also}: the down migration ({down}) recreates {structure} but not its data"
        ),
        None => format!(
            "{what} for good{also}: rolling back with the down migration ({down}) cannot bring it back"
        ),
    };
    let help = match loss {
        Loss::Column { table, column } => format!(
            "Copy the data aside first (CREATE TABLE {backup} AS SELECT <key>, {col} FROM \
             {table}) and have the down restore it from there; if this migration is one-way on \
             purpose, make the down say so (DO $$ BEGIN RAISE EXCEPTION 'irreversible \
             migration'; END $$)",
            col = quote_ident(column),
            backup = quote_ident(&format!("{}_{column}_backup", table.name)),
        ),
        Loss::Narrow { table, column, .. } => format!(
            "Keep the old values where the down can reach them (CREATE TABLE {backup} AS SELECT \
             <key>, {col} FROM {table}) or keep the wider type; if this migration is one-way on \
             purpose, make the down say so (DO $$ BEGIN RAISE EXCEPTION 'irreversible \
             migration'; END $$)",
            col = quote_ident(column),
            backup = quote_ident(&format!("{}_{column}_backup", table.name)),
        ),
        _ => format!(
            "Keep a copy the down can restore from (CREATE TABLE {backup} AS TABLE {first_table}, \
             or pg_dump --table={first_table}); if this migration is one-way on purpose, make the \
             down say so (DO $$ BEGIN RAISE EXCEPTION 'irreversible migration'; END $$)",
            backup = quote_ident(&format!("{}_backup", first_table.name)),
        ),
    };
    Finding::new(span.unwrap_or_else(|| stmt.span.clone()), message, help)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::context::FileSettings;

    fn run(up: &str, down: &DownPart) -> Vec<Finding> {
        let mut out = Vec::new();
        let start = Context::new(&FileSettings::default());
        IrreversibleDataLoss.migration(&crate::lint::parse_file(up), down, &start, &mut out);
        out
    }

    fn ty(sql: &str) -> SqlType {
        let stmts = crate::lint::parse_file(&format!("CREATE TABLE t (c {sql});"));
        match &stmts[0].ops[0] {
            Op::CreateTable { columns, .. } => columns[0].ty.clone().unwrap(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn drops_fire_even_with_a_down_and_say_what_the_down_cannot_do() {
        let down = DownPart::present("2_x.down.sql", "ALTER TABLE t ADD COLUMN c text;");
        let found = run("ALTER TABLE t DROP COLUMN c;", &down);
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .message
                .contains("recreates the column but not its data"),
            "{}",
            found[0].message
        );
        assert!(run("ALTER TABLE t DROP COLUMN c;", &DownPart::NotExpected).is_empty());
        let missing = DownPart::Missing {
            expected: "2_x.down.sql".to_owned(),
        };
        // Missing and empty downs are missing-down-migration's.
        assert!(run("TRUNCATE t;", &missing).is_empty());
        let other = DownPart::present("2_x.down.sql", "CREATE INDEX i ON u (a);");
        let found = run("TRUNCATE t; DROP TABLE u, v;", &other);
        assert_eq!(found.len(), 1, "one finding per migration");
        assert!(found[0].message.contains("also deletes table u and v"), "{}", found[0].message);
        assert!(run("CREATE TABLE n (a int); DROP TABLE n;", &other).is_empty());
        let refuses = DownPart::present("d.sql", "DO $$ BEGIN RAISE EXCEPTION 'no'; END $$;");
        assert!(run("DROP TABLE t;", &refuses).is_empty());
    }

    #[test]
    fn narrowing_is_known_from_the_old_type() {
        let missing = DownPart::present("x", "SELECT f();");
        let up = "CREATE TABLE n (a varchar(100)); COMMIT;\nALTER TABLE n ALTER COLUMN a TYPE varchar(50);";
        // A table created in the file is new: quiet.
        assert!(run(up, &missing).is_empty());
        assert!(narrowing(&ty("varchar(100)"), &ty("varchar(50)"), false).is_some());
        assert!(narrowing(&ty("varchar(50)"), &ty("varchar(100)"), false).is_none());
        assert!(narrowing(&ty("text"), &ty("varchar(10)"), false).is_some());
        assert!(narrowing(&ty("varchar(10)"), &ty("text"), false).is_none());
        assert!(narrowing(&ty("bigint"), &ty("int"), false).is_some());
        assert!(narrowing(&ty("int"), &ty("bigint"), false).is_none());
        assert!(narrowing(&ty("numeric(12,2)"), &ty("numeric(12,0)"), false).is_some());
        assert!(narrowing(&ty("numeric(12,2)"), &ty("numeric(10,2)"), false).is_some());
        assert!(narrowing(&ty("numeric(12,2)"), &ty("numeric(14,2)"), false).is_none());
        assert!(narrowing(&ty("numeric"), &ty("int"), false).is_some());
        assert!(narrowing(&ty("text"), &ty("jsonb"), false).is_none());
    }
}
