//! `CREATE TABLE` and `ALTER TABLE`: columns, constraints and one op per `ALTER TABLE` action.

use sqlparser::ast::{
    self, AlterColumnOperation, AlterTable, AlterTableOperation, ColumnOption, CreateTable,
    GeneratedExpressionMode, IndexColumn, Partition, RenameTableNameKind, SqlOption,
    TableConstraint,
};

use super::source::Source;
use super::types::sql_type;
use super::volatility::volatility;
use super::{ident, last_part, name};
use crate::lint::ops::{
    ColumnDef, Constraint, ConstraintKind, Expr, Generated, Name, Op, TableAction,
};

pub(super) fn create_table(ct: &CreateTable, src: &Source) -> Op {
    Op::CreateTable {
        table: name(&ct.name),
        columns: ct.columns.iter().map(|c| column(c, src)).collect(),
        constraints: ct
            .constraints
            .iter()
            .filter_map(|c| constraint(c, false))
            .collect(),
        partition_of: ct.partition_of.as_ref().map(name),
        as_query: ct.query.is_some(),
        if_not_exists: ct.if_not_exists,
        temporary: ct.temporary,
    }
}

/// A default (or `SET DEFAULT`) expression with its volatility.
pub(super) fn expr(e: &ast::Expr) -> Expr {
    Expr {
        text: e.to_string(),
        volatility: volatility(e),
    }
}

fn column(def: &ast::ColumnDef, src: &Source) -> ColumnDef {
    let mut ty = sql_type(&def.data_type);
    let default_expr = def.options.iter().find_map(|o| match &o.option {
        ColumnOption::Default(e) => Some(e),
        _ => None,
    });
    let rendered_default = default_expr.map(ToString::to_string);
    let written = src
        .column(&def.name, &ty.written, rendered_default.as_deref())
        .unwrap_or_default();
    if let Some(w) = written.ty {
        ty.written = w;
    }
    let mut c = ColumnDef::new(ident(&def.name), Some(ty));
    for option in &def.options {
        match &option.option {
            ColumnOption::NotNull => c.not_null = true,
            ColumnOption::Null => c.not_null = false,
            ColumnOption::Default(e) => {
                let mut d = expr(e);
                if let Some(text) = &written.default {
                    d.text = text.clone();
                }
                c.default = Some(d);
            }
            ColumnOption::PrimaryKey(_) => c.primary_key = true,
            ColumnOption::Unique(_) => c.unique = true,
            ColumnOption::ForeignKey(fk) => c.references = Some(name(&fk.foreign_table)),
            ColumnOption::Check(check) => c.check = Some(check.expr.to_string()),
            ColumnOption::Generated {
                generation_expr,
                generation_expr_mode,
                ..
            } => {
                c.generated = match (generation_expr, generation_expr_mode) {
                    (None, _) => Some(Generated::Identity),
                    // PostgreSQL 18's virtual generated columns are computed on read: nothing is
                    // written, and `Generated` has no variant for them.
                    (Some(_), Some(GeneratedExpressionMode::Virtual)) => None,
                    (Some(_), _) => Some(Generated::Stored),
                }
            }
            ColumnOption::Identity(_) => c.generated = Some(Generated::Identity),
            _ => {}
        }
    }
    c
}

/// The column names of a key; an expression key keeps its text.
fn key_columns(columns: &[IndexColumn]) -> Vec<String> {
    columns
        .iter()
        .map(|c| match &c.column.expr {
            ast::Expr::Identifier(i) => ident(i),
            other => other.to_string(),
        })
        .collect()
}

/// `Some(col)` when a check is exactly `col IS NOT NULL` (parentheses allowed).
fn not_null_column(e: &ast::Expr) -> Option<String> {
    match e {
        ast::Expr::Nested(inner) => not_null_column(inner),
        ast::Expr::IsNotNull(inner) => match &**inner {
            ast::Expr::Identifier(i) => Some(ident(i)),
            ast::Expr::Nested(n) => match &**n {
                ast::Expr::Identifier(i) => Some(ident(i)),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// A table constraint; `None` for MySQL's inline `INDEX`/`FULLTEXT`, which PostgreSQL has not.
fn constraint(tc: &TableConstraint, not_valid: bool) -> Option<Constraint> {
    let (name, kind) = match tc {
        TableConstraint::PrimaryKey(pk) => (
            &pk.name,
            ConstraintKind::PrimaryKey {
                columns: key_columns(&pk.columns),
                using_index: None,
            },
        ),
        TableConstraint::Unique(u) => (
            &u.name,
            ConstraintKind::Unique {
                columns: key_columns(&u.columns),
                using_index: None,
            },
        ),
        TableConstraint::PrimaryKeyUsingIndex(u) => (
            &u.name,
            ConstraintKind::PrimaryKey {
                columns: Vec::new(),
                using_index: Some(ident(&u.index_name)),
            },
        ),
        TableConstraint::UniqueUsingIndex(u) => (
            &u.name,
            ConstraintKind::Unique {
                columns: Vec::new(),
                using_index: Some(ident(&u.index_name)),
            },
        ),
        TableConstraint::ForeignKey(fk) => (
            &fk.name,
            ConstraintKind::ForeignKey {
                columns: fk.columns.iter().map(ident).collect(),
                references: super::name(&fk.foreign_table),
            },
        ),
        TableConstraint::Check(check) => (
            &check.name,
            ConstraintKind::Check {
                expr: check.expr.to_string(),
                not_null_column: not_null_column(&check.expr),
            },
        ),
        TableConstraint::Exclude(ex) => (&ex.name, ConstraintKind::Exclusion),
        TableConstraint::Index(_) | TableConstraint::FulltextOrSpatial(_) => return None,
    };
    Some(Constraint {
        name: name.as_ref().map(ident),
        kind,
        not_valid,
    })
}

/// One op per action of an `ALTER TABLE` (and per column of a multi-column `DROP COLUMN`).
pub(super) fn alter_table(at: &AlterTable, src: &Source) -> Vec<Op> {
    let table = name(&at.name);
    at.operations
        .iter()
        .flat_map(|op| action(op, src))
        .map(|action| Op::AlterTable {
            table: table.clone(),
            only: at.only,
            if_exists: at.if_exists,
            action,
        })
        .collect()
}

fn action(op: &AlterTableOperation, src: &Source) -> Vec<TableAction> {
    use AlterTableOperation as A;
    let one = |a: TableAction| vec![a];
    match op {
        A::AddColumn {
            if_not_exists,
            column_def,
            ..
        } => one(TableAction::AddColumn {
            column: column(column_def, src),
            if_not_exists: *if_not_exists,
        }),
        A::DropColumn {
            column_names,
            if_exists,
            ..
        } => column_names
            .iter()
            .map(|c| TableAction::DropColumn {
                column: ident(c),
                if_exists: *if_exists,
            })
            .collect(),
        A::AlterColumn { column_name, op } => {
            let column = ident(column_name);
            one(match op {
                AlterColumnOperation::SetNotNull => TableAction::SetNotNull { column },
                AlterColumnOperation::DropNotNull => TableAction::DropNotNull { column },
                AlterColumnOperation::SetDefault { value } => {
                    let mut default = expr(value);
                    if let Some(text) = src.set_default(column_name, &default.text) {
                        default.text = text;
                    }
                    TableAction::SetDefault { column, default }
                }
                AlterColumnOperation::DropDefault => TableAction::DropDefault { column },
                AlterColumnOperation::SetDataType {
                    data_type, using, ..
                } => {
                    let mut ty = sql_type(data_type);
                    let mut using = using.as_ref().map(ToString::to_string);
                    let (ty_text, using_text) =
                        src.alter_type(column_name, &ty.written, using.as_deref());
                    if let Some(t) = ty_text {
                        ty.written = t;
                    }
                    if using_text.is_some() {
                        using = using_text;
                    }
                    TableAction::AlterColumnType { column, ty, using }
                }
                AlterColumnOperation::AddGenerated { .. } => TableAction::Other {
                    what: "ALTER COLUMN ADD GENERATED".to_owned(),
                },
            })
        }
        A::AddConstraint {
            constraint: c,
            not_valid,
        } => one(match constraint(c, *not_valid) {
            Some(c) => TableAction::AddConstraint(c),
            None => TableAction::Other {
                what: leading_upper_words(&op.to_string()),
            },
        }),
        A::ValidateConstraint { name } => {
            one(TableAction::ValidateConstraint { name: ident(name) })
        }
        A::DropConstraint {
            if_exists, name, ..
        } => one(TableAction::DropConstraint {
            name: ident(name),
            if_exists: *if_exists,
        }),
        A::RenameColumn {
            old_column_name,
            new_column_name,
        } => one(TableAction::RenameColumn {
            from: ident(old_column_name),
            to: ident(new_column_name),
        }),
        A::RenameTable { table_name } => one(TableAction::RenameTable {
            to: match table_name {
                RenameTableNameKind::To(n) | RenameTableNameKind::As(n) => last_part(n),
            },
        }),
        A::RenameConstraint { old_name, new_name } => one(TableAction::RenameConstraint {
            from: ident(old_name),
            to: ident(new_name),
        }),
        A::SetLogged => one(TableAction::SetLogged),
        A::SetUnlogged => one(TableAction::SetUnlogged),
        // sqlparser reads these as ClickHouse partitions; only a bare name means a table.
        A::AttachPartition {
            partition: Partition::Identifier(p),
        } => one(TableAction::AttachPartition {
            partition: Name::bare(&ident(p)),
        }),
        A::DetachPartition {
            partition: Partition::Identifier(p),
        } => one(TableAction::DetachPartition {
            partition: Name::bare(&ident(p)),
            concurrently: false,
            finalize: false,
        }),
        other => one(TableAction::Other { what: what(other) }),
    }
}

/// The keywords of an action no rule looks into, for messages: `OWNER TO`, `ENABLE TRIGGER`.
fn what(op: &AlterTableOperation) -> String {
    use AlterTableOperation as A;
    let s = match op {
        A::OwnerTo { .. } => "OWNER TO",
        A::EnableTrigger { .. } => "ENABLE TRIGGER",
        A::DisableTrigger { .. } => "DISABLE TRIGGER",
        A::EnableAlwaysTrigger { .. } => "ENABLE ALWAYS TRIGGER",
        A::EnableReplicaTrigger { .. } => "ENABLE REPLICA TRIGGER",
        A::EnableRule { .. } => "ENABLE RULE",
        A::DisableRule { .. } => "DISABLE RULE",
        A::EnableAlwaysRule { .. } => "ENABLE ALWAYS RULE",
        A::EnableReplicaRule { .. } => "ENABLE REPLICA RULE",
        A::EnableRowLevelSecurity => "ENABLE ROW LEVEL SECURITY",
        A::DisableRowLevelSecurity => "DISABLE ROW LEVEL SECURITY",
        A::ForceRowLevelSecurity => "FORCE ROW LEVEL SECURITY",
        A::NoForceRowLevelSecurity => "NO FORCE ROW LEVEL SECURITY",
        A::ReplicaIdentity { .. } => "REPLICA IDENTITY",
        // `SET (fillfactor, autovacuum_enabled)`: the parameters, without their values.
        A::SetOptionsParens { options } => {
            let keys: Vec<String> = options
                .iter()
                .map(|o| match o {
                    SqlOption::KeyValue { key, .. } => ident(key),
                    SqlOption::Ident(i) => ident(i),
                    other => other.to_string(),
                })
                .collect();
            return format!("SET ({})", keys.join(", "));
        }
        _ => return leading_upper_words(&op.to_string()),
    };
    s.to_owned()
}

/// The leading words of sqlparser's rendering that are keywords (it prints them upper-case).
fn leading_upper_words(rendered: &str) -> String {
    let words: Vec<&str> = rendered
        .split_whitespace()
        .take_while(|w| w.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .collect();
    if words.is_empty() {
        rendered
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase()
    } else {
        words.join(" ")
    }
}
