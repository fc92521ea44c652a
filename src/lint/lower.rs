//! Lowers one statement's SQL into [`Op`]s: sqlparser's AST first, the token
//! fallback for what sqlparser rejects.
//!
//! Everything that knows sqlparser's AST lives here and in `lower/`: rules only see [`Op`]s.
//! Identifiers are folded the way PostgreSQL folds them (unquoted to lower case, quoted kept as
//! written); a name with three or more parts keeps its last two (`db.schema.table` is
//! `schema.table`). Types are canonicalised in `lower/types.rs`, default volatility is decided in
//! `lower/volatility.rs`, `CREATE`/`ALTER TABLE` live in `lower/table.rs` and DML and queries in
//! `lower/dml.rs`.

mod dml;
mod table;
#[cfg(test)]
mod tests;
mod types;
mod volatility;

use std::ops::Range;

use sqlparser::ast::{
    AlterFunctionOperation, AlterIndexOperation, AlterPolicyOperation, AlterRoleOperation,
    AlterSchemaOperation, AlterTypeOperation, CommentObject, ContextModifier, CreateIndex,
    DropBehavior, Expr, FunctionDesc, Ident, LockTableMode, ObjectName, ObjectNamePart, ObjectType,
    ReferentialAction, Reset, SchemaName, Set, Statement as Ast, UserDefinedTypeRepresentation,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Location, Token, Tokenizer};

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
                error: Some(describe_error(&err, text)),
                embedded: Vec::new(),
            },
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Parse errors

/// sqlparser's error as a message for people, and the byte range it points at.
///
/// `sql parser error: Expected: identifier, found: ) at Line: 1, Column: 20` becomes
/// `expected identifier, found `)`` pointing at the `)`. An error at the end of the statement
/// points at its last token; one without a position at the whole statement.
fn describe_error(err: &ParserError, text: &str) -> (String, Range<usize>) {
    let raw = match err {
        ParserError::TokenizerError(s) | ParserError::ParserError(s) => s.as_str(),
        ParserError::RecursionLimitExceeded => "the statement is nested too deeply to parse",
    };
    let (body, location) = split_location(raw);
    let at_end = body.ends_with("found: EOF");
    let message = readable(body);
    let whole = 0..text.len();
    let span = match location {
        Some(loc) => match offset_of(text, loc) {
            Some(start) if matches!(err, ParserError::TokenizerError(_)) => {
                // An unterminated literal or comment runs from where it starts to the end.
                start..text.len()
            }
            Some(start) => token_at(text, start).unwrap_or(start..text.len()),
            None => whole,
        },
        None if at_end => last_token(text).unwrap_or(whole),
        None => whole,
    };
    (message, span)
}

/// Splits `... at Line: 3, Column: 7` into the message and the location.
fn split_location(raw: &str) -> (&str, Option<Location>) {
    let Some(i) = raw.rfind(" at Line: ") else {
        return (raw, None);
    };
    let rest = &raw[i + " at Line: ".len()..];
    let mut parts = rest.splitn(2, ", Column: ");
    let line = parts.next().and_then(|l| l.trim().parse::<u64>().ok());
    let column = parts.next().and_then(|c| c.trim().parse::<u64>().ok());
    match (line, column) {
        (Some(line), Some(column)) => (&raw[..i], Some(Location { line, column })),
        _ => (raw, None),
    }
}

/// `Expected: X, found: Y` reads as `expected X, found `Y``; other messages keep their words.
fn readable(body: &str) -> String {
    let body = body.trim();
    if let Some(rest) = body.strip_prefix("Expected: ")
        && let Some((expected, found)) = rest.rsplit_once(", found: ")
    {
        let found = if found == "EOF" {
            "the end of the statement".to_owned()
        } else {
            format!("`{found}`")
        };
        return format!("expected {expected}, found {found}");
    }
    let mut chars = body.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "sqlparser could not parse the statement".to_owned(),
    }
}

/// Byte offset of a 1-based line and column (counted in characters, as sqlparser does).
fn offset_of(text: &str, loc: Location) -> Option<usize> {
    let (mut line, mut column) = (1u64, 1u64);
    for (i, c) in text.char_indices() {
        if line == loc.line && column == loc.column {
            return Some(i);
        }
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    (line == loc.line && column == loc.column).then_some(text.len())
}

/// The byte range of the token that starts at `start`.
fn token_at(text: &str, start: usize) -> Option<Range<usize>> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, text)
        .tokenize_with_location()
        .ok()?;
    tokens.iter().find_map(|t| {
        let s = offset_of(text, t.span.start)?;
        (s == start).then(|| s..offset_of(text, t.span.end).unwrap_or(text.len()).max(s))
    })
}

/// The byte range of the last token that is not whitespace or a comment.
fn last_token(text: &str) -> Option<Range<usize>> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, text)
        .tokenize_with_location()
        .ok()?;
    let last = tokens
        .iter()
        .rev()
        .find(|t| !matches!(t.token, Token::Whitespace(_) | Token::EOF))?;
    let start = offset_of(text, last.span.start)?;
    Some(start..offset_of(text, last.span.end).unwrap_or(text.len()))
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
    const COMPOUND: [&str; 10] = [
        "MATERIALIZED",
        "EVENT",
        "FOREIGN",
        "TEXT",
        "ACCESS",
        "USER",
        "DEFAULT",
        "OPERATOR",
        "LARGE",
        "CONSTRAINT",
    ];
    let mut out = vec![first.clone()];
    let mut rest = words[1..]
        .iter()
        .skip_while(|w| MODIFIERS.contains(&w.as_str()));
    if let Some(kind) = rest.next() {
        out.push(kind.clone());
        if COMPOUND.contains(&kind.as_str())
            && let Some(next) = rest.next()
        {
            out.push(next.clone());
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
        Ast::CreateTable(ct) => vec![table::create_table(ct)],
        Ast::AlterTable(at) => table::alter_table(at),
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
        } => vec![comment_on(object_type, object_name)],
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
        _ => create_or_drop(stmt).unwrap_or_else(|| vec![other(text)]),
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

/// `COMMENT ON`. A comment on a column is lowered as one on its table: that is the relation it
/// locks (SHARE UPDATE EXCLUSIVE), and [`ObjectKind`] has no column kind.
fn comment_on(object_type: &CommentObject, object_name: &ObjectName) -> Op {
    let kind = match object_type {
        CommentObject::Column => {
            let mut p = parts(object_name);
            p.pop();
            return Op::CommentOn {
                kind: ObjectKind::Table,
                name: name_of(&p),
            };
        }
        CommentObject::Table => ObjectKind::Table,
        CommentObject::View => ObjectKind::View,
        CommentObject::MaterializedView => ObjectKind::MaterializedView,
        CommentObject::Index => ObjectKind::Index,
        CommentObject::Sequence => ObjectKind::Sequence,
        CommentObject::Function => ObjectKind::Function,
        CommentObject::Procedure => ObjectKind::Procedure,
        CommentObject::Type => ObjectKind::Type,
        CommentObject::Domain => ObjectKind::Domain,
        CommentObject::Extension => ObjectKind::Extension,
        CommentObject::Schema => ObjectKind::Schema,
        CommentObject::Database => ObjectKind::Database,
        CommentObject::Role | CommentObject::User => ObjectKind::Role,
        CommentObject::Collation => ObjectKind::Other,
    };
    Op::CommentOn {
        kind,
        name: name(object_name),
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

fn drop_behavior_cascade(b: &Option<DropBehavior>) -> bool {
    matches!(b, Some(DropBehavior::Cascade))
}

fn drop_op(kind: ObjectKind, names: Vec<Name>, if_exists: bool, cascade: bool) -> Op {
    Op::Drop {
        kind,
        names,
        if_exists,
        cascade,
        concurrently: false,
        on_table: None,
    }
}

fn create_op(kind: ObjectKind, name: Name, or_replace: bool) -> Op {
    Op::Create {
        kind,
        name,
        on_table: None,
        or_replace,
    }
}

fn function_names(descs: &[FunctionDesc]) -> Vec<Name> {
    descs.iter().map(|d| name(&d.name)).collect()
}

/// `CREATE <object>` and `DROP <object>` for everything but tables, indexes, enums and domains.
fn create_or_drop(stmt: &Ast) -> Option<Vec<Op>> {
    let op = match stmt {
        Ast::Drop {
            object_type,
            if_exists,
            names,
            cascade,
            table,
            ..
        } => Op::Drop {
            kind: match object_type {
                ObjectType::Table => ObjectKind::Table,
                ObjectType::View => ObjectKind::View,
                ObjectType::MaterializedView => ObjectKind::MaterializedView,
                ObjectType::Index => ObjectKind::Index,
                ObjectType::Schema => ObjectKind::Schema,
                ObjectType::Database => ObjectKind::Database,
                ObjectType::Role | ObjectType::User => ObjectKind::Role,
                ObjectType::Sequence => ObjectKind::Sequence,
                ObjectType::Type => ObjectKind::Type,
                _ => ObjectKind::Other,
            },
            names: names.iter().map(name).collect(),
            if_exists: *if_exists,
            cascade: *cascade,
            concurrently: false,
            on_table: table.as_ref().map(name),
        },
        Ast::DropFunction(f) => drop_op(
            ObjectKind::Function,
            function_names(&f.func_desc),
            f.if_exists,
            drop_behavior_cascade(&f.drop_behavior),
        ),
        Ast::DropProcedure {
            if_exists,
            proc_desc,
            drop_behavior,
        } => drop_op(
            ObjectKind::Procedure,
            function_names(proc_desc),
            *if_exists,
            drop_behavior_cascade(drop_behavior),
        ),
        Ast::DropDomain(d) => drop_op(
            ObjectKind::Domain,
            vec![name(&d.name)],
            d.if_exists,
            drop_behavior_cascade(&d.drop_behavior),
        ),
        Ast::DropExtension(e) => drop_op(
            ObjectKind::Extension,
            e.names.iter().map(bare).collect(),
            e.if_exists,
            matches!(e.cascade_or_restrict, Some(ReferentialAction::Cascade)),
        ),
        Ast::DropTrigger(t) => Op::Drop {
            kind: ObjectKind::Trigger,
            names: vec![name(&t.trigger_name)],
            if_exists: t.if_exists,
            cascade: matches!(t.option, Some(ReferentialAction::Cascade)),
            concurrently: false,
            on_table: t.table_name.as_ref().map(name),
        },
        Ast::DropPolicy(p) => Op::Drop {
            kind: ObjectKind::Policy,
            names: vec![bare(&p.name)],
            if_exists: p.if_exists,
            cascade: drop_behavior_cascade(&p.drop_behavior),
            concurrently: false,
            on_table: Some(name(&p.table_name)),
        },
        Ast::DropOperatorFamily(d) => drop_op(
            ObjectKind::Other,
            d.names.iter().map(name).collect(),
            d.if_exists,
            drop_behavior_cascade(&d.drop_behavior),
        ),
        Ast::DropOperatorClass(d) => drop_op(
            ObjectKind::Other,
            d.names.iter().map(name).collect(),
            d.if_exists,
            drop_behavior_cascade(&d.drop_behavior),
        ),
        Ast::DropOperator(d) => drop_op(
            ObjectKind::Other,
            d.operators.iter().map(|o| name(&o.name)).collect(),
            d.if_exists,
            drop_behavior_cascade(&d.drop_behavior),
        ),
        Ast::CreateView(v) => create_op(
            if v.materialized {
                ObjectKind::MaterializedView
            } else {
                ObjectKind::View
            },
            name(&v.name),
            v.or_replace,
        ),
        Ast::CreateFunction(f) => create_op(ObjectKind::Function, name(&f.name), f.or_replace),
        Ast::CreateProcedure { name: n, .. } => create_op(ObjectKind::Procedure, name(n), false),
        Ast::CreateSequence { name: n, .. } => create_op(ObjectKind::Sequence, name(n), false),
        Ast::CreateExtension(e) => create_op(ObjectKind::Extension, bare(&e.name), false),
        Ast::CreateSchema {
            schema_name,
            or_replace,
            ..
        } => create_op(
            ObjectKind::Schema,
            match schema_name {
                SchemaName::Simple(n) | SchemaName::NamedAuthorization(n, _) => name(n),
                SchemaName::UnnamedAuthorization(owner) => bare(owner),
            },
            *or_replace,
        ),
        Ast::CreateTrigger(t) => Op::Create {
            kind: ObjectKind::Trigger,
            name: name(&t.name),
            on_table: Some(name(&t.table_name)),
            or_replace: t.or_replace,
        },
        Ast::CreatePolicy(p) => Op::Create {
            kind: ObjectKind::Policy,
            name: bare(&p.name),
            on_table: Some(name(&p.table_name)),
            or_replace: false,
        },
        Ast::CreateType { name: n, .. } => create_op(ObjectKind::Type, name(n), false),
        Ast::CreateDatabase {
            db_name,
            or_replace,
            ..
        } => create_op(ObjectKind::Database, name(db_name), *or_replace),
        Ast::CreateRole(r) => {
            return Some(
                r.names
                    .iter()
                    .map(|n| create_op(ObjectKind::Role, name(n), false))
                    .collect(),
            );
        }
        Ast::CreateCollation(c) => create_op(ObjectKind::Other, name(&c.name), false),
        Ast::CreateOperator(o) => create_op(ObjectKind::Other, name(&o.name), false),
        Ast::CreateOperatorFamily(o) => create_op(ObjectKind::Other, name(&o.name), false),
        Ast::CreateOperatorClass(o) => create_op(ObjectKind::Other, name(&o.name), false),
        Ast::CreateTextSearch(t) => create_op(ObjectKind::Other, name(&t.name), false),
        _ => return None,
    };
    Some(vec![op])
}
