//! `down-not-inverse`: the down migration does not undo what the up did: a column added and not
//! dropped, a table, index, type, view, function, sequence, trigger, policy or named constraint
//! created and not dropped, a rename not renamed back, a dropped object not recreated, a NOT NULL
//! or a type change not reverted.
//!
//! After such a rollback the schema is neither the old one nor the new one: re-running the up
//! fails on what is left behind, and the code rolled back meets objects it does not expect. The up
//! and down operations are compared by name (schema-qualified or not); dropping a table covers
//! its columns, indexes, constraints and triggers, and dropping a schema covers its objects. A
//! down pgward cannot read (a statement it does not recognise, a function call, a `DO` block) is
//! trusted, and an empty down is `missing-down-migration`'s.

use super::helpers::reversibility::{describe_change, inverse_sql, is_noop_down, needs_down};
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::{ConstraintKind, Name, ObjectKind, Op, TableAction};
use crate::lint::rules::{Check, DownPart};
use crate::lint::statement::{ParsedBy, Statement};

pub struct DownNotInverse;

/// What the down must do to undo one up operation.
#[derive(Clone, Debug, PartialEq)]
enum Undo {
    /// Drop an object the up created (`table` for objects that live on a table).
    Drop {
        kind: ObjectKind,
        name: Name,
        table: Option<Name>,
    },
    DropColumn {
        table: Name,
        column: String,
    },
    DropConstraint {
        table: Name,
        name: String,
        columns: Vec<String>,
    },
    /// Create again an object the up dropped (or dropped and re-created).
    Recreate {
        kind: ObjectKind,
        name: Name,
        /// Dropped `IF EXISTS`: before a `CREATE` of the same object, the idempotent-create idiom.
        if_exists: bool,
    },
    /// `DROP ... IF EXISTS` then `CREATE` of the same object: whether it existed before is not
    /// known, so the down may drop it or recreate it.
    DropOrRecreate {
        kind: ObjectKind,
        name: Name,
        table: Option<Name>,
    },
    AddColumn {
        table: Name,
        column: String,
    },
    AddConstraint {
        table: Name,
        name: String,
    },
    RenameBack {
        kind: ObjectKind,
        /// The name after the up's rename.
        renamed: Name,
        original: String,
    },
    RenameColumnBack {
        table: Name,
        renamed: String,
        original: String,
    },
    DropNotNull {
        table: Name,
        column: String,
    },
    AlterTypeBack {
        table: Name,
        column: String,
    },
}

struct Pending<'a> {
    stmt: &'a Statement,
    op: &'a Op,
    undo: Undo,
    /// A view or materialized view, or an object on one: a `DROP ... CASCADE` anywhere in the
    /// down may drop it through a dependency pgward cannot see.
    on_view: bool,
    /// For an index: its table and the words of its column list; dropping one of those columns
    /// drops the index.
    index_on: Option<(Name, Vec<String>)>,
}

impl Check for DownNotInverse {
    fn migration(
        &self,
        up: &[Statement],
        down: &DownPart,
        _start: &Context,
        out: &mut Vec<Finding>,
    ) {
        let DownPart::Present(file) = down else {
            return;
        };
        let down_stmts = file.statements();
        if is_noop_down(down_stmts) || opaque(down_stmts) {
            return;
        }
        let pending = obligations(up);
        // A column or table renamed by the up or the down may be handled under either name.
        let aliases = Aliases::from_ops(
            up.iter()
                .chain(down_stmts.iter())
                .flat_map(|s| s.ops.iter()),
        );
        let down_ops: Vec<&Op> = down_stmts.iter().flat_map(|s| &s.ops).collect();
        let cascades = down_ops
            .iter()
            .any(|op| matches!(op, Op::Drop { cascade: true, .. }));
        let unmet: Vec<&Pending> = pending
            .iter()
            .filter(|p| !(cascades && p.on_view))
            .filter(|p| {
                let Some((table, words)) = &p.index_on else {
                    return true;
                };
                !down_ops.iter().any(|op| {
                    matches!(op, Op::AlterTable { table: t, action: TableAction::DropColumn { column, .. }, .. }
                        if t.matches(table) && words.contains(column))
                })
            })
            .filter(|p| !down_ops.iter().any(|op| satisfies(op, &p.undo, &aliases)))
            .collect();
        let Some(first) = unmet.first() else {
            return;
        };
        let listed: Vec<String> = unmet.iter().take(4).map(|p| left_over(p)).collect();
        let more = match unmet.len().saturating_sub(4) {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        let mut fixes: Vec<String> = unmet
            .iter()
            .rev()
            .map(|p| fix_sql(p))
            .collect();
        fixes.dedup();
        let shown: Vec<&str> = fixes.iter().take(4).map(String::as_str).collect();
        out.push(Finding::new(
            first.stmt.span.clone(),
            format!(
                "The down migration ({}) does not undo this migration: after a rollback {}{more} \
                 {}",
                file.describe(),
                super::helpers::join_names(&listed),
                if unmet.len() == 1 { "is left behind" } else { "are left behind" },
            ),
            format!(
                "Make the down undo every change, in reverse order: {}",
                shown.join(" ")
            ),
        ));
    }
}

/// The down statement that meets one obligation (a sketch where the old definition is needed).
fn fix_sql(p: &Pending) -> String {
    use crate::lint::ops::quote_ident as q;
    match &p.undo {
        Undo::Recreate { kind, name, .. } | Undo::DropOrRecreate { kind, name, .. } => {
            format!("CREATE {} {name} ... (as it was);", kind.sql())
        }
        Undo::AddColumn { table, column } => {
            format!("ALTER TABLE {table} ADD COLUMN {} <its old type>;", q(column))
        }
        Undo::AddConstraint { table, name } => {
            format!("ALTER TABLE {table} ADD CONSTRAINT {} ... (as it was);", q(name))
        }
        Undo::AlterTypeBack { table, column } => {
            format!("ALTER TABLE {table} ALTER COLUMN {} TYPE <its old type>;", q(column))
        }
        _ => inverse_sql(p.op).unwrap_or_else(|| format!("undo: {}", describe_change(p.op))),
    }
}

/// What is left after the rollback, for the message.
fn left_over(p: &Pending) -> String {
    use crate::lint::ops::quote_ident as q;
    let col = super::helpers::column_ref;
    match &p.undo {
        Undo::Drop { kind, name, .. } => format!("{} {name} (created)", kind.noun()),
        Undo::DropColumn { table, column } => format!("column {} (added)", col(table, column)),
        Undo::DropConstraint { table, name, .. } => {
            format!("constraint {} on {table} (added)", q(name))
        }
        Undo::Recreate { kind, name, .. } => {
            format!("{} {name} (dropped, not recreated)", kind.noun())
        }
        Undo::DropOrRecreate { kind, name, .. } => {
            format!("{} {name} (replaced)", kind.noun())
        }
        Undo::AddColumn { table, column } => {
            format!("column {} (dropped, not recreated)", col(table, column))
        }
        Undo::AddConstraint { table, name } => {
            format!("constraint {} on {table} (dropped, not recreated)", q(name))
        }
        Undo::RenameBack {
            kind,
            renamed,
            original,
        } => format!("{} {renamed} (renamed from {})", kind.noun(), q(original)),
        Undo::RenameColumnBack {
            table,
            renamed,
            original,
        } => format!("column {} (renamed from {})", col(table, renamed), q(original)),
        Undo::DropNotNull { table, column } => format!("NOT NULL on {}", col(table, column)),
        Undo::AlterTypeBack { table, column } => {
            format!("the new type of {}", col(table, column))
        }
    }
}

/// A down whose effect pgward cannot read: it is trusted.
fn opaque(down: &[Statement]) -> bool {
    down.iter().any(|s| {
        s.parsed_by == ParsedBy::Unrecognized
            || s.ops.iter().any(|op| match op {
                Op::DoBlock => true,
                Op::Other { keyword } => {
                    let k = keyword.to_ascii_uppercase();
                    (k.starts_with("SELECT") || k.starts_with("CALL") || k.starts_with("EXECUTE"))
                        && s.text.contains('(')
                }
                _ => false,
            })
    })
}

/// What the down must undo, from the up's top-level statements in order. Objects created and
/// dropped again within the up need nothing; objects dropped and re-created need recreating;
/// changes to tables and columns the up created are covered by dropping those.
fn obligations<'a>(up: &'a [Statement]) -> Vec<Pending<'a>> {
    let mut out: Vec<Pending> = Vec::new();
    let mut new_tables: Vec<Name> = Vec::new();
    let mut new_views: Vec<Name> = Vec::new();
    let mut new_columns: Vec<(Name, String)> = Vec::new();
    let on_new = |table: &Name, new_tables: &[Name]| new_tables.iter().any(|t| t.matches(table));
    for stmt in up.iter().filter(|s| !s.in_do_block) {
        for op in &stmt.ops {
            if !needs_down(op) {
                continue;
            }
            let on_view = match op {
                Op::Create {
                    kind: ObjectKind::View | ObjectKind::MaterializedView,
                    ..
                } => true,
                Op::CreateIndex { table, .. } => new_views.iter().any(|v| v.matches(table)),
                Op::Create {
                    on_table: Some(t), ..
                } => new_views.iter().any(|v| v.matches(t)),
                _ => false,
            };
            let index_on = match op {
                Op::CreateIndex { table, .. } => Some((table.clone(), index_words(stmt))),
                _ => None,
            };
            let push = |out: &mut Vec<Pending<'a>>, undo: Undo| {
                out.push(Pending {
                    stmt,
                    op,
                    undo,
                    on_view,
                    index_on: index_on.clone(),
                })
            };
            match op {
                Op::CreateTable {
                    table,
                    partition_of,
                    ..
                } => {
                    new_tables.push(table.clone());
                    if !renamed_away(&out, ObjectKind::Table, table)
                        && !dropped_earlier(&mut out, ObjectKind::Table, table, partition_of.as_ref()) {
                        push(
                            &mut out,
                            Undo::Drop {
                                kind: ObjectKind::Table,
                                name: table.clone(),
                                table: partition_of.clone(),
                            },
                        );
                    }
                }
                Op::CreateIndex {
                    name: Some(name),
                    table,
                    ..
                } if !on_new(table, &new_tables)
                    && !dropped_earlier(&mut out, ObjectKind::Index, name, Some(table)) =>
                {
                    push(
                        &mut out,
                        Undo::Drop {
                            kind: ObjectKind::Index,
                            name: name.clone(),
                            table: Some(table.clone()),
                        },
                    );
                }
                Op::Create {
                    kind,
                    name,
                    on_table,
                    ..
                } => {
                    if on_table.as_ref().is_some_and(|t| on_new(t, &new_tables)) {
                        continue;
                    }
                    if matches!(kind, ObjectKind::View | ObjectKind::MaterializedView) {
                        new_tables.push(name.clone());
                        new_views.push(name.clone());
                    }
                    if !renamed_away(&out, *kind, name)
                        && !dropped_earlier(&mut out, *kind, name, on_table.as_ref())
                    {
                        push(
                            &mut out,
                            Undo::Drop {
                                kind: *kind,
                                name: name.clone(),
                                table: on_table.clone(),
                            },
                        );
                    }
                }
                Op::CreateEnum { name, .. } | Op::CreateDomain { name, .. } => {
                    let kind = if matches!(op, Op::CreateEnum { .. }) {
                        ObjectKind::Type
                    } else {
                        ObjectKind::Domain
                    };
                    if !renamed_away(&out, kind, name) && !dropped_earlier(&mut out, kind, name, None) {
                        push(
                            &mut out,
                            Undo::Drop {
                                kind,
                                name: name.clone(),
                                table: None,
                            },
                        );
                    }
                }
                Op::Drop {
                    kind,
                    names,
                    on_table,
                    if_exists,
                    ..
                } => {
                    for name in names {
                        // Created earlier in this up: nothing to undo for either.
                        let before = out.len();
                        out.retain(|p| {
                            !matches!(&p.undo, Undo::Drop { kind: k, name: n, .. }
                                if same_kind(*k, *kind) && n.matches(name))
                        });
                        // Renamed aside earlier in this up, then dropped: the old object was
                        // replaced; what the down must restore is not in the migration.
                        out.retain(|p| {
                            !matches!(&p.undo, Undo::RenameBack { kind: k, renamed, .. }
                                if same_kind(*k, *kind) && renamed.matches(name))
                        });
                        if out.len() < before
                            || on_table.as_ref().is_some_and(|t| on_new(t, &new_tables))
                            || (*kind == ObjectKind::Table && on_new(name, &new_tables))
                        {
                            continue;
                        }
                        push(
                            &mut out,
                            Undo::Recreate {
                                kind: *kind,
                                name: name.clone(),
                                if_exists: *if_exists,
                            },
                        );
                    }
                }
                Op::Rename { kind, from, to } => push(
                    &mut out,
                    Undo::RenameBack {
                        kind: *kind,
                        renamed: Name::new(from.schema.as_deref(), to),
                        original: from.name.clone(),
                    },
                ),
                Op::AlterTable { table, action, .. } => {
                    let new_table = on_new(table, &new_tables);
                    let new_column = |c: &str, new_columns: &[(Name, String)]| {
                        new_table || new_columns.iter().any(|(t, n)| t.matches(table) && n == c)
                    };
                    let undo = match action {
                        TableAction::AddColumn { column, .. } => {
                            new_columns.push((table.clone(), column.name.clone()));
                            if new_table {
                                continue;
                            }
                            Undo::DropColumn {
                                table: table.clone(),
                                column: column.name.clone(),
                            }
                        }
                        TableAction::DropColumn { column, .. } => {
                            if new_column(column, &new_columns) {
                                out.retain(|p| {
                                    !matches!(&p.undo, Undo::DropColumn { table: t, column: c }
                                        if t.matches(table) && c == column)
                                });
                                continue;
                            }
                            Undo::AddColumn {
                                table: table.clone(),
                                column: column.clone(),
                            }
                        }
                        TableAction::AlterColumnType { column, .. } => {
                            if new_column(column, &new_columns) {
                                continue;
                            }
                            Undo::AlterTypeBack {
                                table: table.clone(),
                                column: column.clone(),
                            }
                        }
                        TableAction::SetNotNull { column } => {
                            if new_column(column, &new_columns) {
                                continue;
                            }
                            Undo::DropNotNull {
                                table: table.clone(),
                                column: column.clone(),
                            }
                        }
                        TableAction::AddConstraint(c) => {
                            let Some(name) = &c.name else { continue };
                            if new_table {
                                continue;
                            }
                            Undo::DropConstraint {
                                table: table.clone(),
                                name: name.clone(),
                                columns: constraint_columns(&c.kind),
                            }
                        }
                        TableAction::DropConstraint { name, .. } => {
                            if new_table {
                                continue;
                            }
                            let before = out.len();
                            out.retain(|p| {
                                !matches!(&p.undo, Undo::DropConstraint { table: t, name: n, .. }
                                    if t.matches(table) && n == name)
                            });
                            if out.len() < before {
                                continue;
                            }
                            Undo::AddConstraint {
                                table: table.clone(),
                                name: name.clone(),
                            }
                        }
                        TableAction::RenameColumn { from, to } => {
                            if new_table {
                                continue;
                            }
                            Undo::RenameColumnBack {
                                table: table.clone(),
                                renamed: to.clone(),
                                original: from.clone(),
                            }
                        }
                        TableAction::RenameTable { to } => {
                            if new_table {
                                continue;
                            }
                            Undo::RenameBack {
                                kind: ObjectKind::Table,
                                renamed: Name::new(table.schema.as_deref(), to),
                                original: table.name.clone(),
                            }
                        }
                        _ => continue,
                    };
                    push(&mut out, undo);
                }
                _ => {}
            }
        }
    }
    out
}

/// The up dropped this object earlier and now creates it again: the down must recreate the old
/// one, which the `Recreate` already asks for; no drop is needed on top. After a
/// `DROP ... IF EXISTS` (the idempotent-create idiom) the down may drop or recreate it.
fn dropped_earlier(
    out: &mut [Pending],
    kind: ObjectKind,
    name: &Name,
    table: Option<&Name>,
) -> bool {
    let Some(p) = out.iter_mut().find(|p| {
        matches!(&p.undo, Undo::Recreate { kind: k, name: n, .. } if same_kind(*k, kind) && n.matches(name))
    }) else {
        return false;
    };
    if let Undo::Recreate {
        if_exists: true, ..
    } = p.undo
    {
        p.undo = Undo::DropOrRecreate {
            kind,
            name: name.clone(),
            table: table.cloned(),
        };
    }
    true
}

/// The up renamed an object named `name` aside before creating a new one under that name: a
/// replacement, whose undo (restore the old one) the migration does not show.
fn renamed_away(out: &[Pending], kind: ObjectKind, name: &Name) -> bool {
    out.iter().any(|p| {
        matches!(&p.undo, Undo::RenameBack { kind: k, original, .. }
            if same_kind(*k, kind) && *original == name.name)
    })
}

/// The words inside an index's column list (`(lower(email), created_at)` -> `lower`, `email`,
/// `created_at`): over-inclusive on purpose, since a dropped column only needs to be among them.
fn index_words(stmt: &Statement) -> Vec<String> {
    let words = super::helpers::words(stmt);
    let Some(on) = words.iter().position(|w| !w.quoted && w.text == "on") else {
        return Vec::new();
    };
    let Some(open) = words[on..].iter().position(|w| !w.quoted && w.text == "(") else {
        return Vec::new();
    };
    let mut depth = 0;
    let mut out = Vec::new();
    for w in &words[on + open..] {
        match (w.quoted, w.text.as_str()) {
            (false, "(") => depth += 1,
            (false, ")") => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => out.push(w.text.clone()),
        }
    }
    out
}

/// Enum types are created with `CREATE TYPE ... AS ENUM` and dropped with `DROP TYPE`.
fn same_kind(a: ObjectKind, b: ObjectKind) -> bool {
    a == b
}

fn constraint_columns(kind: &ConstraintKind) -> Vec<String> {
    match kind {
        ConstraintKind::PrimaryKey { columns, .. }
        | ConstraintKind::Unique { columns, .. }
        | ConstraintKind::ForeignKey { columns, .. } => columns.clone(),
        ConstraintKind::Check {
            not_null_column: Some(c),
            ..
        } => vec![c.clone()],
        ConstraintKind::NotNull { column } => vec![column.clone()],
        _ => Vec::new(),
    }
}

/// Whether one down operation does what `undo` asks.
/// Other names of the same columns and tables: renames in the up or the down (a down may restore
/// a column on the table's old name after renaming the table back).
#[derive(Default)]
struct Aliases {
    columns: Vec<(String, String)>,
    tables: Vec<(String, String)>,
}

impl Aliases {
    fn from_ops<'a>(ops: impl Iterator<Item = &'a Op>) -> Aliases {
        let mut out = Aliases::default();
        for op in ops {
            match op {
                Op::AlterTable {
                    action: TableAction::RenameColumn { from, to },
                    ..
                } => out.columns.push((from.clone(), to.clone())),
                Op::AlterTable {
                    table,
                    action: TableAction::RenameTable { to },
                    ..
                } => out.tables.push((table.name.clone(), to.clone())),
                _ => {}
            }
        }
        out
    }
}

fn satisfies(op: &Op, undo: &Undo, aliases: &Aliases) -> bool {
    // Dropping a schema drops everything in it; dropping a table drops its columns, indexes,
    // constraints, triggers and policies.
    if let Op::Drop {
        kind: ObjectKind::Schema,
        names,
        ..
    } = op
    {
        let schema = match undo {
            Undo::Drop { name, .. } => name.schema.as_deref(),
            Undo::DropColumn { table, .. }
            | Undo::DropConstraint { table, .. }
            | Undo::DropNotNull { table, .. }
            | Undo::AlterTypeBack { table, .. } => table.schema.as_deref(),
            _ => None,
        };
        if let Some(schema) = schema
            && names.iter().any(|n| n.name == schema)
        {
            return true;
        }
    }
    let same_table = |a: &Name, b: &Name| {
        a.matches(b)
            || aliases.tables.iter().any(|(x, y)| {
                (*x == a.name && *y == b.name) || (*x == b.name && *y == a.name)
            })
    };
    let drops_table = |t: &Name| {
        matches!(op, Op::Drop { kind: ObjectKind::Table | ObjectKind::MaterializedView | ObjectKind::View, names, .. }
            if names.iter().any(|n| same_table(n, t)))
    };
    let same_column = |a: &str, b: &str| {
        a == b
            || aliases
                .columns
                .iter()
                .any(|(x, y)| (x == a && y == b) || (x == b && y == a))
    };
    let drops_column = |t: &Name, c: &str| {
        matches!(op, Op::AlterTable { table, action: TableAction::DropColumn { column, .. }, .. }
            if same_table(table, t) && same_column(column, c))
    };
    match undo {
        Undo::Drop { kind, name, table } => {
            let direct = match op {
                Op::Drop { kind: k, names, .. } => {
                    same_kind(*k, *kind) && names.iter().any(|n| n.matches(name))
                }
                _ => false,
            };
            direct
                || table.as_ref().is_some_and(&drops_table)
                || (*kind == ObjectKind::Table && drops_table(name))
        }
        Undo::DropColumn { table, column } => drops_column(table, column) || drops_table(table),
        Undo::DropConstraint {
            table,
            name,
            columns,
        } => {
            drops_table(table)
                || matches!(op, Op::AlterTable { table: t, action: TableAction::DropConstraint { name: n, .. }, .. }
                    if same_table(t, table) && n == name)
                || matches!(op, Op::Drop { kind: ObjectKind::Index, names, .. }
                    if names.iter().any(|n| n.name == *name))
                || columns.iter().any(|c| drops_column(table, c))
        }
        Undo::DropOrRecreate { kind, name, table } => {
            satisfies(
                op,
                &Undo::Drop {
                    kind: *kind,
                    name: name.clone(),
                    table: table.clone(),
                },
                aliases,
            ) || satisfies(
                op,
                &Undo::Recreate {
                    kind: *kind,
                    name: name.clone(),
                    if_exists: false,
                },
                aliases,
            )
        }
        Undo::Recreate { kind, name, .. } => match op {
            Op::CreateTable { table, .. } => *kind == ObjectKind::Table && table.matches(name),
            Op::CreateIndex { name: Some(n), .. } => *kind == ObjectKind::Index && n.matches(name),
            Op::Create { kind: k, name: n, .. } => same_kind(*k, *kind) && n.matches(name),
            Op::CreateEnum { name: n, .. } => *kind == ObjectKind::Type && n.matches(name),
            Op::CreateDomain { name: n, .. } => *kind == ObjectKind::Domain && n.matches(name),
            _ => false,
        },
        Undo::AddColumn { table, column } => match op {
            Op::AlterTable {
                table: t,
                action: TableAction::AddColumn { column: c, .. },
                ..
            } => same_table(t, table) && same_column(&c.name, column),
            Op::CreateTable { table: t, .. } => same_table(t, table),
            _ => false,
        },
        Undo::AddConstraint { table, name } => match op {
            Op::AlterTable {
                table: t,
                action: TableAction::AddConstraint(c),
                ..
            } => same_table(t, table) && c.name.as_deref() == Some(name.as_str()),
            Op::CreateTable { table: t, .. } => same_table(t, table),
            _ => false,
        },
        Undo::RenameBack {
            kind,
            renamed,
            original,
        } => match op {
            Op::AlterTable {
                table,
                action: TableAction::RenameTable { to },
                ..
            } => *kind == ObjectKind::Table && table.matches(renamed) && to == original,
            Op::Rename { kind: k, from, to } => {
                same_kind(*k, *kind) && from.matches(renamed) && to == original
            }
            _ => false,
        },
        Undo::RenameColumnBack {
            table,
            renamed,
            original,
        } => {
            drops_table(table)
                || matches!(op, Op::AlterTable { table: t, action: TableAction::RenameColumn { from, to }, .. }
                    if same_table(t, table) && from == renamed && to == original)
                || matches!(op, Op::AlterTable { table: t, action: TableAction::AddColumn { column, .. }, .. }
                    if same_table(t, table) && column.name == *original)
        }
        Undo::DropNotNull { table, column } => {
            drops_table(table)
                || drops_column(table, column)
                || matches!(op, Op::AlterTable { table: t, action: TableAction::DropNotNull { column: c }, .. }
                    if same_table(t, table) && same_column(c, column))
        }
        Undo::AlterTypeBack { table, column } => {
            drops_table(table)
                || drops_column(table, column)
                || matches!(op, Op::AlterTable { table: t, action: TableAction::AlterColumnType { column: c, .. }, .. }
                    if same_table(t, table) && same_column(c, column))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::context::FileSettings;

    fn run(up: &str, down: &str) -> Vec<Finding> {
        let mut out = Vec::new();
        let start = Context::new(&FileSettings::default());
        DownNotInverse.migration(
            &crate::lint::parse_file(up),
            &DownPart::present("1_x.down.sql", down),
            &start,
            &mut out,
        );
        out
    }

    #[test]
    fn a_down_that_undoes_everything_is_quiet() {
        let up = "CREATE TABLE app.t (id int); CREATE INDEX t_idx ON app.t (id);\n\
                  ALTER TABLE u ADD c int; CREATE INDEX u_c ON u (c);\n\
                  ALTER TABLE v RENAME COLUMN a TO b; CREATE TYPE mood AS ENUM ('x');";
        let down = "DROP TYPE IF EXISTS mood; ALTER TABLE v RENAME COLUMN b TO a;\n\
                    DROP INDEX public.u_c; ALTER TABLE u DROP COLUMN IF EXISTS c;\n\
                    DROP TABLE IF EXISTS t CASCADE;";
        assert!(run(up, down).is_empty(), "{:?}", run(up, down));
    }

    #[test]
    fn a_forgotten_index_and_column_are_named() {
        let up = "ALTER TABLE u ADD c int;\nCREATE INDEX u_c ON u (a);\nALTER TABLE u ADD d int;";
        let found = run(up, "ALTER TABLE u DROP COLUMN c;");
        assert_eq!(found.len(), 1);
        let m = &found[0].message;
        assert!(m.contains("index u_c (created)") && m.contains("column u.d (added)"), "{m}");
        assert!(found[0].help.contains("DROP INDEX u_c;"), "{}", found[0].help);
        assert_eq!(found[0].span.start, up.find("CREATE INDEX").unwrap());
    }

    #[test]
    fn replaced_views_need_recreating_and_opaque_downs_are_trusted() {
        let up = "DROP VIEW v; CREATE VIEW v AS SELECT 1;";
        assert!(run(up, "DROP VIEW v; CREATE VIEW v AS SELECT 2;").is_empty());
        assert_eq!(run(up, "DROP VIEW v;").len(), 1);
        assert!(run("ALTER TABLE u ADD c int;", "SELECT undo_everything();").is_empty());
        // A column restored on the table's old name, after the down renamed the table back.
        let up = "ALTER TABLE user_ RENAME TO person; ALTER TABLE person DROP COLUMN email;";
        let down = "ALTER TABLE person RENAME TO user_; ALTER TABLE user_ ADD COLUMN email text;";
        assert!(run(up, down).is_empty(), "{:?}", run(up, down));
        // Dropping the column drops the index on it.
        let up = "ALTER TABLE u ADD c int; CREATE INDEX u_c ON u USING btree (lower(c));";
        assert!(run(up, "ALTER TABLE u DROP COLUMN c;").is_empty());
        // The rename-aside dance replaces a type: nothing the down can be checked against.
        let up = "ALTER TYPE e RENAME TO e__; CREATE TYPE e AS ENUM ('a'); DROP TYPE e__;";
        assert!(run(up, "ALTER TYPE e RENAME TO e__; CREATE TYPE e AS ENUM ('a', 'b'); DROP TYPE e__;").is_empty());
        assert!(run("CREATE TABLE t (a int); DROP TABLE t;", "SELECT 1 FROM x;").is_empty());
    }
}
