//! Lowers one statement's SQL into [`Op`]s: sqlparser's AST first, the token
//! fallback for what sqlparser rejects.
//!
//! Everything that knows sqlparser's AST lives here and in `lower/`: rules only see [`Op`]s.
//! Identifiers are folded the way PostgreSQL folds them (unquoted to lower case, quoted kept as
//! written); a name with three or more parts keeps its last two (`db.schema.table` is
//! `schema.table`).
//!
//! `lower/table.rs` has `CREATE`/`ALTER TABLE`, `lower/dml.rs` DML and queries,
//! `lower/objects.rs` the `CREATE`/`DROP` of other objects and `COMMENT ON`, `lower/types.rs` the
//! canonical type names, `lower/volatility.rs` how volatile a default is (from two function lists
//! kept as data files), `lower/source.rs` the source text of types and defaults, and
//! `lower/error.rs` the messages and spans of parse errors.

mod dml;
mod error;
mod objects;
mod source;
mod table;
#[cfg(test)]
mod tests;
mod types;
pub(crate) mod volatility;

use std::ops::Range;

use sqlparser::ast::{
    AlterFunctionOperation, AlterIndexOperation, AlterPolicyOperation, AlterRoleOperation,
    AlterSchemaOperation, AlterTypeOperation, ContextModifier, CreateIndex, Expr, Ident,
    LockTableMode, ObjectName, ObjectNamePart, Reset, Set, Statement as Ast,
    UserDefinedTypeRepresentation,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use super::fallback;
use super::ops::{LockMode, Name, ObjectKind, Op, TransactionOp};
use super::statement::ParsedBy;

/// SQL found inside a statement that is linted as statements of its own: the body of a `DO`
/// block, and the string literals it `EXECUTE`s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Embedded {
    /// Byte range relative to the start of the outer statement's text. For an `EXECUTE '...'`
    /// literal, the literal's range (quotes excluded).
    pub span: Range<usize>,
    /// The SQL: equal to the outer text at `span`, except that quotes doubled inside a
    /// literal are undone.
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lowered {
    pub ops: Vec<Op>,
    pub parsed_by: ParsedBy,
    /// The parse error for an unrecognised statement: message and byte range relative to the
    /// statement's text.
    pub error: Option<(String, Range<usize>)>,
    pub embedded: Vec<Embedded>,
}

/// Lowers one statement (its text without the trailing `;`).
///
/// sqlparser's AST gives the ops when it parses the statement (`ParsedBy::Parser`, never any
/// `embedded` SQL: sqlparser does not parse `DO`). Otherwise the token fallback gets a try
/// (`ParsedBy::Tokens`), and when it does not recognise the statement either, the result is
/// `ParsedBy::Unrecognized` with sqlparser's error, pointing at the token it stopped at.
pub fn lower(text: &str) -> Lowered {
    let parsed = Parser::new(&PostgreSqlDialect {})
        .try_with_sql(text)
        .and_then(|mut p| p.parse_statements());
    match parsed {
        Ok(statements) => Lowered {
            ops: statements.iter().flat_map(|s| statement(s, text)).collect(),
            parsed_by: ParsedBy::Parser,
            error: None,
            embedded: Vec::new(),
        },
        Err(err) => match fallback::recognize(text) {
            Some(recognized) => Lowered {
                ops: recognized.ops,
                parsed_by: ParsedBy::Tokens,
                error: None,
                embedded: recognized.embedded,
            },
            None => Lowered {
                ops: Vec::new(),
                parsed_by: ParsedBy::Unrecognized,
                error: Some(error::describe_error(&err, text)),
                embedded: Vec::new(),
            },
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Names

/// An identifier as PostgreSQL folds it: unquoted to lower case, quoted as written.
fn ident(i: &Ident) -> String {
    if i.quote_style.is_some() {
        i.value.clone()
    } else {
        i.value.to_ascii_lowercase()
    }
}

/// The parts of an object name, folded.
fn parts(name: &ObjectName) -> Vec<String> {
    name.0
        .iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(i) => ident(i),
            other => other.to_string(),
        })
        .collect()
}

/// A possibly qualified name; of three or more parts the last two are kept.
fn name(object: &ObjectName) -> Name {
    name_of(&parts(object))
}

fn name_of(parts: &[String]) -> Name {
    match parts {
        [] => Name::bare(""),
        [name] => Name::bare(name),
        [.., schema, name] => Name::new(Some(schema), name),
    }
}

/// The last part of a name (`RENAME TO new`, index names in `ALTER TABLE`).
fn last_part(object: &ObjectName) -> String {
    parts(object).pop().unwrap_or_default()
}

fn bare(i: &Ident) -> Name {
    Name::bare(&ident(i))
}

/// The leading keywords of a statement, upper-cased, for `Op::Other`: `GRANT`,
/// `CREATE ROLE`, `ALTER DEFAULT PRIVILEGES`.
fn leading_keywords(text: &str) -> String {
    let words: Vec<String> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .take(6)
        .map(str::to_ascii_uppercase)
        .collect();
    let Some(first) = words.first() else {
        return String::new();
    };
    if !matches!(
        first.as_str(),
        "CREATE" | "ALTER" | "DROP" | "COMMENT" | "SECURITY"
    ) {
        return first.clone();
    }
    // Skip modifiers, then take the object type (two words for the compound ones).
    const MODIFIERS: [&str; 11] = [
        "OR",
        "REPLACE",
        "TEMP",
        "TEMPORARY",
        "UNLOGGED",
        "UNIQUE",
        "GLOBAL",
        "LOCAL",
        "TRUSTED",
        "PROCEDURAL",
        "RECURSIVE",
    ];
    const COMPOUND: [(&str, &str); 12] = [
        ("MATERIALIZED", "VIEW"),
        ("EVENT", "TRIGGER"),
        ("FOREIGN", "TABLE"),
        ("FOREIGN", "DATA"),
        ("TEXT", "SEARCH"),
        ("ACCESS", "METHOD"),
        ("USER", "MAPPING"),
        ("DEFAULT", "PRIVILEGES"),
        ("OPERATOR", "CLASS"),
        ("OPERATOR", "FAMILY"),
        ("LARGE", "OBJECT"),
        ("CONSTRAINT", "TRIGGER"),
    ];
    let mut out = vec![first.clone()];
    let mut rest = words[1..]
        .iter()
        .skip_while(|w| MODIFIERS.contains(&w.as_str()))
        .peekable();
    if let Some(kind) = rest.next() {
        out.push(kind.clone());
        if let Some(next) = rest.peek()
            && COMPOUND.contains(&(kind.as_str(), next.as_str()))
        {
            out.push((*next).clone());
        }
    }
    out.join(" ")
}

fn other(text: &str) -> Op {
    Op::Other {
        keyword: leading_keywords(text),
    }
}

// ---------------------------------------------------------------------------------------------
// Statements

/// The ops of one parsed statement.
fn statement(stmt: &Ast, text: &str) -> Vec<Op> {
    match stmt {
        Ast::CreateTable(ct) => vec![table::create_table(ct, &source::Source::new(text))],
        Ast::AlterTable(at) => table::alter_table(at, &source::Source::new(text)),
        Ast::CreateIndex(ci) => vec![create_index(ci)],
        Ast::Insert(_) | Ast::Update(_) | Ast::Delete(_) => dml::dml(stmt, &[]),
        Ast::Query(q) => dml::query(q),
        Ast::Set(set) => set_ops(set, text),
        Ast::Reset(r) => vec![Op::Set {
            name: match &r.reset {
                Reset::ALL => "all".to_owned(),
                Reset::SessionAuthorization => "session_authorization".to_owned(),
                Reset::ConfigurationParameter(n) => parts(n).join("."),
            },
            value: None,
            local: false,
        }],
        Ast::StartTransaction { .. } => vec![Op::Transaction(TransactionOp::Begin)],
        Ast::Commit { chain, .. } => chained(TransactionOp::Commit, *chain),
        Ast::Rollback {
            savepoint: Some(_), ..
        } => vec![Op::Transaction(TransactionOp::Savepoint)],
        Ast::Rollback { chain, .. } => chained(TransactionOp::Rollback, *chain),
        Ast::Savepoint { .. } | Ast::ReleaseSavepoint { .. } => {
            vec![Op::Transaction(TransactionOp::Savepoint)]
        }
        Ast::Truncate(t) => vec![Op::Truncate {
            tables: t.table_names.iter().map(|t| name(&t.name)).collect(),
        }],
        Ast::Vacuum(v) => vec![Op::Vacuum {
            full: v.full,
            tables: v.table_name.iter().map(name).collect(),
        }],
        Ast::Lock(lock) => vec![Op::LockTable {
            tables: lock.tables.iter().map(|t| name(&t.name)).collect(),
            mode: lock
                .lock_mode
                .as_ref()
                .map_or(LockMode::AccessExclusive, lock_mode),
        }],
        Ast::Comment {
            object_type,
            object_name,
            ..
        } => vec![objects::comment_on(object_type, object_name)],
        Ast::CreateType {
            name: n,
            representation: Some(UserDefinedTypeRepresentation::Enum { labels }),
        } => vec![Op::CreateEnum {
            name: name(n),
            values: labels.iter().map(|l| l.value.clone()).collect(),
        }],
        Ast::CreateDomain(d) => vec![Op::CreateDomain {
            name: name(&d.name),
            has_constraint: !d.constraints.is_empty(),
        }],
        Ast::AlterType(at) => vec![match &at.operation {
            AlterTypeOperation::AddValue(add) => Op::AlterEnumAddValue {
                name: name(&at.name),
                value: add.value.value.clone(),
            },
            AlterTypeOperation::Rename(r) => Op::Rename {
                kind: ObjectKind::Type,
                from: name(&at.name),
                to: ident(&r.new_name),
            },
            AlterTypeOperation::RenameValue(_) => other(text),
        }],
        Ast::AlterIndex { name: n, operation } => vec![match operation {
            AlterIndexOperation::RenameIndex { index_name } => Op::Rename {
                kind: ObjectKind::Index,
                from: name(n),
                to: last_part(index_name),
            },
        }],
        Ast::AlterSchema(s) => s
            .operations
            .iter()
            .map(|op| match op {
                AlterSchemaOperation::Rename { name: to } => Op::Rename {
                    kind: ObjectKind::Schema,
                    from: name(&s.name),
                    to: last_part(to),
                },
                _ => other(text),
            })
            .collect(),
        Ast::AlterFunction(f) => vec![match &f.operation {
            AlterFunctionOperation::RenameTo { new_name } => Op::Rename {
                kind: ObjectKind::Function,
                from: name(&f.function.name),
                to: ident(new_name),
            },
            _ => other(text),
        }],
        Ast::AlterRole {
            name: n,
            operation: AlterRoleOperation::RenameRole { role_name },
        } => vec![Op::Rename {
            kind: ObjectKind::Role,
            from: bare(n),
            to: ident(role_name),
        }],
        Ast::AlterPolicy(p) => vec![match &p.operation {
            AlterPolicyOperation::Rename { new_name } => Op::Rename {
                kind: ObjectKind::Policy,
                from: bare(&p.name),
                to: ident(new_name),
            },
            AlterPolicyOperation::Apply { .. } => other(text),
        }],
        _ => objects::create_or_drop(stmt).unwrap_or_else(|| vec![other(text)]),
    }
}

/// `COMMIT AND CHAIN` ends the transaction and opens the next one at once.
fn chained(end: TransactionOp, chain: bool) -> Vec<Op> {
    let mut ops = vec![Op::Transaction(end)];
    if chain {
        ops.push(Op::Transaction(TransactionOp::Begin));
    }
    ops
}

fn create_index(ci: &CreateIndex) -> Op {
    Op::CreateIndex {
        name: ci.name.as_ref().map(name),
        table: name(&ci.table_name),
        unique: ci.unique,
        concurrently: ci.concurrently,
        if_not_exists: ci.if_not_exists,
        // sqlparser rejects `ON ONLY`; the token fallback sets it.
        only: false,
    }
}

fn lock_mode(mode: &LockTableMode) -> LockMode {
    match mode {
        LockTableMode::AccessShare => LockMode::AccessShare,
        LockTableMode::RowShare => LockMode::RowShare,
        LockTableMode::RowExclusive => LockMode::RowExclusive,
        LockTableMode::ShareUpdateExclusive => LockMode::ShareUpdateExclusive,
        LockTableMode::Share => LockMode::Share,
        LockTableMode::ShareRowExclusive => LockMode::ShareRowExclusive,
        LockTableMode::Exclusive => LockMode::Exclusive,
        LockTableMode::AccessExclusive => LockMode::AccessExclusive,
    }
}

/// `SET` in its forms. The value is kept as written (`'2s'`, `5000`, `DEFAULT`).
fn set_ops(set: &Set, text: &str) -> Vec<Op> {
    let local = |scope: &Option<ContextModifier>| matches!(scope, Some(ContextModifier::Local));
    let value = |values: &[Expr]| {
        Some(
            values
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        )
    };
    match set {
        Set::SingleAssignment {
            scope,
            variable,
            values,
            ..
        } => vec![Op::Set {
            name: parts(variable).join("."),
            value: value(values),
            local: local(scope),
        }],
        Set::MultipleAssignments { assignments } => assignments
            .iter()
            .map(|a| Op::Set {
                name: parts(&a.name).join("."),
                value: value(std::slice::from_ref(&a.value)),
                local: local(&a.scope),
            })
            .collect(),
        Set::ParenthesizedAssignments { variables, values } => variables
            .iter()
            .zip(values)
            .map(|(n, v)| Op::Set {
                name: parts(n).join("."),
                value: value(std::slice::from_ref(v)),
                local: false,
            })
            .collect(),
        Set::SetTimeZone { local, value: v } => vec![Op::Set {
            name: "timezone".to_owned(),
            value: value(std::slice::from_ref(v)),
            local: *local,
        }],
        Set::SetRole {
            context_modifier,
            role_name,
        } => vec![Op::Set {
            name: "role".to_owned(),
            value: Some(
                role_name
                    .as_ref()
                    .map_or("NONE".to_owned(), |r| r.to_string()),
            ),
            local: local(context_modifier),
        }],
        Set::SetSessionAuthorization(param) => vec![Op::Set {
            name: "session_authorization".to_owned(),
            value: Some(param.to_string()),
            local: false,
        }],
        Set::SetNames { charset_name, .. } => vec![Op::Set {
            name: "client_encoding".to_owned(),
            value: Some(charset_name.to_string()),
            local: false,
        }],
        Set::SetNamesDefault {} => vec![Op::Set {
            name: "client_encoding".to_owned(),
            value: Some("DEFAULT".to_owned()),
            local: false,
        }],
        // `SET TRANSACTION ...`, `SET SESSION CHARACTERISTICS ...`: not a setting rules track.
        Set::SetTransaction { .. } | Set::SetSessionParam(_) => vec![Op::Other {
            keyword: if text.to_ascii_uppercase().contains("TRANSACTION") {
                "SET TRANSACTION".to_owned()
            } else {
                "SET".to_owned()
            },
        }],
    }
}
