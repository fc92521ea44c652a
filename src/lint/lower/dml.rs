//! `INSERT`/`UPDATE`/`DELETE` (also inside `WITH`), `SELECT ... INTO`, and
//! `SELECT set_config(...)`.

use sqlparser::ast::{
    Cte, Expr, FromTable, FunctionArg, FunctionArgExpr, FunctionArguments, Query, Select,
    SelectItem, SetExpr, Statement, TableFactor, TableObject, TableWithJoins, Value,
};

use super::{ident, name, name_of, parts};
use crate::lint::ops::{DmlKind, Name, Op};

/// A parsed query: the DML it contains (in `WITH` and as its body), `SELECT ... INTO`, and
/// `set_config` calls. A plain `SELECT` is `Op::Other`.
pub(super) fn query(q: &Query) -> Vec<Op> {
    let ctes: Vec<&Cte> = q.with.iter().flat_map(|w| &w.cte_tables).collect();
    let mut ops: Vec<Op> = ctes
        .iter()
        .flat_map(|c| match &*c.query.body {
            SetExpr::Insert(s) | SetExpr::Update(s) | SetExpr::Delete(s) => dml(s, &ctes),
            _ => Vec::new(),
        })
        .collect();
    match &*q.body {
        SetExpr::Insert(s) | SetExpr::Update(s) | SetExpr::Delete(s) => {
            ops.extend(dml(s, &ctes));
        }
        SetExpr::Select(select) => {
            if let Some(into) = &select.into {
                ops.extend(into.targets.iter().map(|t| Op::CreateTable {
                    table: expr_name(t),
                    columns: Vec::new(),
                    constraints: Vec::new(),
                    partition_of: None,
                    as_query: true,
                    if_not_exists: false,
                    temporary: into.temporary,
                }));
            } else {
                ops.extend(set_config(select));
            }
        }
        _ => {}
    }
    if ops.is_empty() {
        let keyword = match &*q.body {
            SetExpr::Values(_) => "VALUES",
            SetExpr::Table(_) => "TABLE",
            _ => "SELECT",
        };
        ops.push(Op::Other {
            keyword: keyword.to_owned(),
        });
    }
    ops
}

/// `SELECT set_config('lock_timeout', '2s', false)`: each such call in the select list.
fn set_config(select: &Select) -> Vec<Op> {
    select
        .projection
        .iter()
        .filter_map(|item| match item {
            SelectItem::UnnamedExpr(Expr::Function(f))
            | SelectItem::ExprWithAlias {
                expr: Expr::Function(f),
                ..
            } => Some(f),
            _ => None,
        })
        .filter_map(|f| {
            let p = parts(&f.name);
            let is_set_config = match p.as_slice() {
                [n] => n == "set_config",
                [schema, n] => schema == "pg_catalog" && n == "set_config",
                _ => false,
            };
            if !is_set_config {
                return None;
            }
            let FunctionArguments::List(list) = &f.args else {
                return None;
            };
            let args: Vec<&Expr> = list
                .args
                .iter()
                .filter_map(|a| match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
                    _ => None,
                })
                .collect();
            let [setting, value, is_local] = args.as_slice() else {
                return None;
            };
            let Expr::Value(v) = setting else {
                return None;
            };
            let setting = match &v.value {
                Value::SingleQuotedString(s) => s.clone(),
                _ => return None,
            };
            Some(Op::Set {
                name: setting.to_ascii_lowercase(),
                value: Some(value.to_string()),
                local: matches!(is_local, Expr::Value(v) if v.value == Value::Boolean(true)),
            })
        })
        .collect()
}

/// `INSERT`, `UPDATE` or `DELETE`; `ctes` are the `WITH` queries in scope, so that
/// `INSERT ... SELECT FROM cte` reports the tables the CTE reads.
pub(super) fn dml(stmt: &Statement, ctes: &[&Cte]) -> Vec<Op> {
    let op = match stmt {
        Statement::Insert(insert) => {
            let table = match &insert.table {
                TableObject::TableName(n) => name(n),
                other => Name::bare(&other.to_string()),
            };
            let (select_from, select_filtered) = match &insert.source {
                Some(source) => (query_tables(source, ctes), filtered(source)),
                None => (Vec::new(), false),
            };
            Op::Dml {
                kind: DmlKind::Insert,
                table,
                has_where: false,
                select_from,
                select_filtered,
            }
        }
        Statement::Update(update) => Op::Dml {
            kind: DmlKind::Update,
            table: factor_name(&update.table.relation),
            has_where: update.selection.is_some(),
            select_from: Vec::new(),
            select_filtered: false,
        },
        Statement::Delete(delete) => {
            let from = match &delete.from {
                FromTable::WithFromKeyword(t) | FromTable::WithoutKeyword(t) => t,
            };
            let table = delete
                .tables
                .first()
                .map(name)
                .or_else(|| from.first().map(|t| factor_name(&t.relation)))
                .unwrap_or_else(|| Name::bare(""));
            Op::Dml {
                kind: DmlKind::Delete,
                table,
                has_where: delete.selection.is_some(),
                select_from: Vec::new(),
                select_filtered: false,
            }
        }
        _ => return Vec::new(),
    };
    vec![op]
}

/// A `SELECT INTO` target: `name`, `schema.name`.
fn expr_name(e: &Expr) -> Name {
    match e {
        Expr::Identifier(i) => Name::bare(&ident(i)),
        Expr::CompoundIdentifier(p) => name_of(&p.iter().map(ident).collect::<Vec<_>>()),
        other => Name::bare(&other.to_string()),
    }
}

fn factor_name(factor: &TableFactor) -> Name {
    match factor {
        TableFactor::Table { name: n, .. } => name(n),
        other => Name::bare(&other.to_string()),
    }
}

/// Whether a query is narrowed by `WHERE` or `LIMIT`/`FETCH` (every branch of a `UNION`).
fn filtered(q: &Query) -> bool {
    q.limit_clause.is_some() || q.fetch.is_some() || body_filtered(&q.body)
}

fn body_filtered(body: &SetExpr) -> bool {
    match body {
        SetExpr::Select(s) => s.selection.is_some(),
        SetExpr::Query(q) => filtered(q),
        SetExpr::SetOperation { left, right, .. } => body_filtered(left) && body_filtered(right),
        _ => false,
    }
}

/// The tables a query reads (`FROM`, joins, subqueries in `FROM`, and through `WITH` names),
/// in order of appearance, without repeats.
fn query_tables<'a>(q: &'a Query, outer: &[&'a Cte]) -> Vec<Name> {
    let mut out = Vec::new();
    query_into(q, outer, &mut Vec::new(), &mut out);
    out
}

/// The tables of a (sub)query, whose own `WITH` names shadow the outer ones.
fn query_into<'a>(
    q: &'a Query,
    outer: &[&'a Cte],
    expanding: &mut Vec<String>,
    out: &mut Vec<Name>,
) {
    let mut scope: Vec<&Cte> = q.with.iter().flat_map(|w| &w.cte_tables).collect();
    scope.extend(outer.iter().copied());
    body_tables(&q.body, &scope, expanding, out);
}

fn body_tables<'a>(
    body: &'a SetExpr,
    scope: &[&'a Cte],
    expanding: &mut Vec<String>,
    out: &mut Vec<Name>,
) {
    match body {
        SetExpr::Select(s) => {
            for t in &s.from {
                from_tables(t, scope, expanding, out);
            }
        }
        SetExpr::Query(q) => query_into(q, scope, expanding, out),
        SetExpr::SetOperation { left, right, .. } => {
            body_tables(left, scope, expanding, out);
            body_tables(right, scope, expanding, out);
        }
        SetExpr::Table(t) => {
            if let Some(table) = &t.table_name {
                let mut p: Vec<String> = t.schema_name.iter().cloned().collect();
                p.push(table.clone());
                push(out, name_of(&p));
            }
        }
        _ => {}
    }
}

fn from_tables<'a>(
    t: &'a TableWithJoins,
    scope: &[&'a Cte],
    expanding: &mut Vec<String>,
    out: &mut Vec<Name>,
) {
    factor_tables(&t.relation, scope, expanding, out);
    for j in &t.joins {
        factor_tables(&j.relation, scope, expanding, out);
    }
}

fn factor_tables<'a>(
    factor: &'a TableFactor,
    scope: &[&'a Cte],
    expanding: &mut Vec<String>,
    out: &mut Vec<Name>,
) {
    match factor {
        // `generate_series(1, 10)` and other set-returning functions read no table.
        TableFactor::Table { args: Some(_), .. } => {}
        TableFactor::Table { name: n, .. } => {
            let table = name(n);
            let cte = if table.schema.is_none() {
                scope.iter().find(|c| ident(&c.alias.name) == table.name)
            } else {
                None
            };
            match cte.map(|c| (&*c.query.body, &c.query)) {
                // `WITH moved AS (DELETE FROM old RETURNING *) INSERT ... SELECT FROM moved`
                // reads the rows of the table the CTE changes.
                Some((SetExpr::Insert(s) | SetExpr::Update(s) | SetExpr::Delete(s), _)) => {
                    for op in dml(s, &[]) {
                        if let Op::Dml { table, .. } = op {
                            push(out, table);
                        }
                    }
                }
                Some((_, query)) => {
                    // A recursive CTE names itself: expand each one once.
                    if !expanding.contains(&table.name) {
                        expanding.push(table.name.clone());
                        query_into(query, scope, expanding, out);
                        expanding.pop();
                    }
                }
                None => push(out, table),
            }
        }
        TableFactor::Derived { subquery, .. } => query_into(subquery, scope, expanding, out),
        TableFactor::NestedJoin {
            table_with_joins, ..
        } => from_tables(table_with_joins, scope, expanding, out),
        _ => {}
    }
}

fn push(out: &mut Vec<Name>, n: Name) {
    if !out.contains(&n) {
        out.push(n);
    }
}
