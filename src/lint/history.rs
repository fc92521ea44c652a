//! The schema that earlier migrations left behind, replayed from their lowered operations.
//!
//! `pgward lint` on a migrations directory replays the up part of every migration before the one
//! it lints, in the runner's order, into a [`History`]: tables with their columns, types and
//! `NOT NULL`, constraints (with whether they are validated), partitions, indexes, enum types and
//! their values, domains, views, materialized views, sequences and functions. The engine then
//! seeds each linted file's [`Context`] from it ([`History::seed`]), so that rules know, say, a
//! column's old type from the file that created it.
//!
//! Replay reads the same [`Op`]s the rules see, never sqlparser's AST. It must never make a fact
//! up: a statement pgward does not understand (unparsable, `Op::Other` such as `SELECT
//! create_hypertable('events', ...)`, an `ALTER TABLE` action it does not model, a function called
//! after it was created) makes every object it mentions by name *unknown*: the column types,
//! `NOT NULL` and constraints known for it are forgotten, so rules behave as without history.
//! Statements inside a `DO` block may not run (they are usually guarded by an `IF`): they only
//! create what does not exist yet, and whatever else they touch is forgotten rather than changed.
//!
//! Objects created by a migration that is not deployed yet ([`History::set_pending`], from
//! `--since`) are new: empty and unused, like tables created earlier in the same file.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use super::context::Context;
use super::ops::{
    ColumnDef, Constraint, ConstraintKind, Name, ObjectKind, Op, SqlType, TableAction,
};
use super::statement::{ParsedBy, Statement};

/// The schema as the replayed migrations leave it. See the module documentation.
#[derive(Clone, Debug, Default)]
pub struct History {
    tables: Objects<Table>,
    indexes: Objects<Index>,
    /// Types created with `CREATE TYPE`: enums (with their values when known) and others.
    types: Objects<TypeDef>,
    /// Domains, views, materialized views, sequences, functions and procedures: only whether
    /// they exist (and are new); functions keep their definition (see [`History::forget_mentioned`]).
    others: HashMap<ObjectKind, Objects<Other>>,
    /// The migration being replayed is not deployed yet: what it creates is new.
    pending: bool,
}

#[derive(Clone, Debug, Default)]
struct Table {
    /// In order of creation. A column not listed is unknown, not absent.
    columns: Vec<Column>,
    constraints: Vec<ConstraintFact>,
    /// `PARTITION OF parent`, or attached to it.
    partition_of: Option<Name>,
    /// Created by a migration that is not deployed yet.
    new: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Column {
    name: String,
    /// `None`: unknown.
    ty: Option<SqlType>,
    /// `None`: unknown.
    not_null: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct ConstraintFact {
    /// `None` for an unnamed constraint (PostgreSQL chose a name pgward does not reproduce).
    name: Option<String>,
    kind: ConstraintKind,
    validated: bool,
}

#[derive(Clone, Debug)]
struct Index {
    table: Name,
    unique: bool,
    new: bool,
}

#[derive(Clone, Debug)]
struct TypeDef {
    /// `Some` for an enum whose values are known, in no guaranteed order (`ADD VALUE BEFORE`).
    enum_values: Option<Vec<String>>,
    new: bool,
}

#[derive(Clone, Debug)]
struct Other {
    /// For functions and procedures: the `CREATE` statement's text, whose objects become unknown
    /// when a later statement calls it.
    definition: Option<String>,
    new: bool,
}

/// `Op::Other` statements that cannot change any object's columns, types or constraints.
const HARMLESS: &[&str] = &[
    "GRANT",
    "REVOKE",
    "ANALYZE",
    "SHOW",
    "NOTIFY",
    "LISTEN",
    "UNLISTEN",
    "DISCARD",
    "CHECKPOINT",
    "EXPLAIN",
    "SET",
    "RESET",
    "CREATE ROLE",
    "CREATE USER",
    "ALTER ROLE",
    "ALTER USER",
    "DROP ROLE",
    "DROP USER",
    "ALTER DEFAULT PRIVILEGES",
    "SECURITY LABEL",
    "COMMENT",
];

impl History {
    pub fn new() -> History {
        History::default()
    }

    /// Whether the migrations replayed from now on are deployed (`false`) or part of the change
    /// being linted (`true`: what they create counts as new).
    pub fn set_pending(&mut self, pending: bool) {
        self.pending = pending;
    }

    /// Replays one migration's statements. `unparsed` is the text after the point where the file
    /// could not be split any further (an unterminated quote): everything it names becomes
    /// unknown.
    pub fn replay(&mut self, statements: &[Statement], unparsed: Option<&str>) {
        for stmt in statements {
            self.replay_statement(stmt);
        }
        if let Some(text) = unparsed {
            self.forget_mentioned(text);
        }
    }

    fn replay_statement(&mut self, stmt: &Statement) {
        if !is_understood(stmt) {
            self.forget_mentioned(&stmt.text);
        }
        let certain = !stmt.in_do_block;
        for op in &stmt.ops {
            self.apply(op, certain, &stmt.text);
        }
    }

    /// Forgets what is known about every table, type and column named in `text` (as a word, in
    /// identifiers, quoted identifiers or string literals), and about what the functions it names
    /// touch. Existence and newness stay: an unknown statement does not make a new table old.
    pub fn forget_mentioned(&mut self, text: &str) {
        let mut bodies = Vec::new();
        for word in words(text) {
            self.forget_word(&word);
            for kind in [ObjectKind::Function, ObjectKind::Procedure] {
                if let Some(objs) = self.others.get(&kind) {
                    bodies.extend(
                        objs.all_named(&word)
                            .filter_map(|o| o.definition.clone())
                            .collect::<Vec<_>>(),
                    );
                }
            }
        }
        // One level deep: the tables a called function names.
        for body in bodies {
            for word in words(&body) {
                self.forget_word(&word);
            }
        }
    }

    fn forget_word(&mut self, word: &str) {
        for table in self.tables.all_named_mut(word) {
            table.forget();
        }
        for ty in self.types.all_named_mut(word) {
            ty.enum_values = None;
        }
    }

    fn apply(&mut self, op: &Op, certain: bool, text: &str) {
        let pending = self.pending;
        match op {
            Op::CreateTable {
                table,
                columns,
                constraints,
                partition_of,
                if_not_exists,
                temporary,
                ..
            } => {
                if *temporary || ((*if_not_exists || !certain) && self.tables.find(table).is_some())
                {
                    return;
                }
                let mut t = Table {
                    partition_of: partition_of.clone(),
                    new: pending,
                    ..Table::default()
                };
                // A partition has its parent's columns and CHECK constraints.
                if let Some(parent) = partition_of.as_ref().and_then(|p| self.tables.find(p)) {
                    t.columns = parent.columns.clone();
                    t.constraints = parent
                        .constraints
                        .iter()
                        .filter(|c| matches!(c.kind, ConstraintKind::Check { .. }))
                        .cloned()
                        .collect();
                }
                for c in columns {
                    t.add_column(c);
                }
                for c in constraints {
                    t.add_constraint(c);
                }
                self.tables.insert(table, t);
            }
            Op::CreateIndex {
                name: Some(name),
                table,
                unique,
                if_not_exists,
                ..
            } => {
                if (*if_not_exists || !certain) && self.indexes.find(name).is_some() {
                    return;
                }
                let index = Index {
                    table: qualified_like(table, name),
                    unique: *unique,
                    new: pending,
                };
                self.indexes.insert(name, index);
            }
            Op::CreateEnum { name, values } => {
                if !certain && self.types.find(name).is_some() {
                    return;
                }
                let ty = TypeDef {
                    enum_values: Some(values.clone()),
                    new: pending,
                };
                self.types.insert(name, ty);
            }
            Op::AlterEnumAddValue { name, value } => {
                if let Some(ty) = self.types.find_mut(name) {
                    match &mut ty.enum_values {
                        Some(values) if certain => {
                            if !values.contains(value) {
                                values.push(value.clone());
                            }
                        }
                        values => *values = None,
                    }
                }
            }
            Op::CreateDomain { name, .. } => self.create_other(ObjectKind::Domain, name, None),
            Op::Create {
                kind,
                name,
                or_replace,
                ..
            } => match kind {
                ObjectKind::Type if self.types.find(name).is_none() || (certain && !or_replace) => {
                    let ty = TypeDef {
                        enum_values: None,
                        new: pending,
                    };
                    self.types.insert(name, ty);
                }
                ObjectKind::View
                | ObjectKind::MaterializedView
                | ObjectKind::Sequence
                | ObjectKind::Domain
                | ObjectKind::Function
                | ObjectKind::Procedure => {
                    let definition = matches!(kind, ObjectKind::Function | ObjectKind::Procedure)
                        .then(|| text.to_owned());
                    if *or_replace
                        && let Some(existing) = self.others.entry(*kind).or_default().find_mut(name)
                    {
                        // Replaced, not created: it keeps being old or new.
                        existing.definition = definition;
                    } else if certain || self.others.entry(*kind).or_default().find(name).is_none()
                    {
                        self.create_other(*kind, name, definition);
                    }
                }
                _ => {}
            },
            Op::Drop {
                kind,
                names,
                cascade,
                ..
            } => {
                for name in names {
                    self.drop(*kind, name, *cascade);
                }
            }
            Op::Rename { kind, from, to } => {
                let to = Name::new(from.schema.as_deref(), to);
                self.rename(*kind, from, &to, certain);
            }
            Op::AlterTable {
                table,
                if_exists,
                action,
                ..
            } => self.alter_table(table, *if_exists, action, certain),
            _ => {}
        }
    }

    fn create_other(&mut self, kind: ObjectKind, name: &Name, definition: Option<String>) {
        let other = Other {
            definition,
            new: self.pending,
        };
        self.others.entry(kind).or_default().insert(name, other);
    }

    fn drop(&mut self, kind: ObjectKind, name: &Name, cascade: bool) {
        match kind {
            ObjectKind::Table => {
                self.tables.remove(name);
                // Its indexes and partitions go with it.
                self.indexes.retain(|_, i| !i.table.matches(name));
                let children: Vec<Name> = self
                    .tables
                    .iter()
                    .filter(|(_, t)| t.partition_of.as_ref().is_some_and(|p| p.matches(name)))
                    .map(|(n, _)| n)
                    .collect();
                for child in children {
                    self.drop(ObjectKind::Table, &child, cascade);
                }
            }
            ObjectKind::Index => {
                self.indexes.remove(name);
            }
            ObjectKind::Type => {
                self.types.remove(name);
                if cascade {
                    // Columns of the type are dropped with it.
                    self.forget_type_columns(name);
                }
            }
            ObjectKind::Domain => {
                self.others.entry(kind).or_default().remove(name);
                if cascade {
                    self.forget_type_columns(name);
                }
            }
            ObjectKind::Schema => {
                let schema = &name.name;
                self.tables.remove_schema(schema);
                self.indexes.remove_schema(schema);
                self.types.remove_schema(schema);
                for objs in self.others.values_mut() {
                    objs.remove_schema(schema);
                }
            }
            _ => {
                if let Some(objs) = self.others.get_mut(&kind) {
                    objs.remove(name);
                }
            }
        }
    }

    fn forget_type_columns(&mut self, ty: &Name) {
        for (_, t) in self.tables.iter_mut() {
            t.columns
                .retain(|c| c.ty.as_ref().is_none_or(|c| !is_of_type(c, ty)));
        }
    }

    fn rename(&mut self, kind: ObjectKind, from: &Name, to: &Name, certain: bool) {
        if !certain {
            // It may or may not have happened: neither name is known any more.
            match kind {
                ObjectKind::Table => {
                    for n in [from, to] {
                        if let Some(t) = self.tables.find_mut(n) {
                            t.forget();
                        }
                    }
                }
                ObjectKind::Type => {
                    for n in [from, to] {
                        if let Some(t) = self.types.find_mut(n) {
                            t.enum_values = None;
                        }
                    }
                }
                _ => {}
            }
            return;
        }
        match kind {
            ObjectKind::Table => {
                if let Some(t) = self.tables.remove(from).into_iter().next() {
                    self.tables.insert(to, t);
                    for (_, child) in self.tables.iter_mut() {
                        if child.partition_of.as_ref().is_some_and(|p| p.matches(from)) {
                            child.partition_of = Some(to.clone());
                        }
                    }
                    for (_, i) in self.indexes.iter_mut() {
                        if i.table.matches(from) {
                            i.table = to.clone();
                        }
                    }
                } else {
                    // `ALTER TABLE v RENAME TO w` works on views, sequences and indexes too.
                    for kind in [
                        ObjectKind::View,
                        ObjectKind::MaterializedView,
                        ObjectKind::Sequence,
                    ] {
                        self.rename(kind, from, to, certain);
                    }
                    self.rename(ObjectKind::Index, from, to, certain);
                }
            }
            ObjectKind::Index => {
                if let Some(i) = self.indexes.remove(from).into_iter().next() {
                    self.indexes.insert(to, i);
                }
            }
            ObjectKind::Type => {
                if let Some(t) = self.types.remove(from).into_iter().next() {
                    self.types.insert(to, t);
                }
                // Columns of the type keep it under its new name: forget their type instead.
                self.forget_type_columns(from);
            }
            _ => {
                if let Some(objs) = self.others.get_mut(&kind)
                    && let Some(o) = objs.remove(from).into_iter().next()
                {
                    objs.insert(to, o);
                }
                if kind == ObjectKind::Domain {
                    self.forget_type_columns(from);
                }
            }
        }
    }

    /// An `ALTER TABLE` action; column changes reach the table's partitions too, as in
    /// PostgreSQL.
    fn alter_table(&mut self, table: &Name, if_exists: bool, action: &TableAction, certain: bool) {
        self.alter_one(table, if_exists, action, certain);
        let recurses = matches!(
            action,
            TableAction::AddColumn { .. }
                | TableAction::DropColumn { .. }
                | TableAction::AlterColumnType { .. }
                | TableAction::RenameColumn { .. }
                | TableAction::SetNotNull { .. }
                | TableAction::DropNotNull { .. }
        );
        if !recurses {
            return;
        }
        let mut seen = vec![table.clone()];
        let mut queue = vec![table.clone()];
        while let Some(parent) = queue.pop() {
            let children: Vec<Name> = self
                .tables
                .iter()
                .filter(|(n, t)| {
                    t.partition_of.as_ref().is_some_and(|p| p.matches(&parent))
                        && !seen.iter().any(|s| s == n)
                })
                .map(|(n, _)| n)
                .collect();
            for child in children {
                self.alter_one(&child, true, action, certain);
                seen.push(child.clone());
                queue.push(child);
            }
        }
    }

    fn alter_one(&mut self, table: &Name, if_exists: bool, action: &TableAction, certain: bool) {
        match action {
            TableAction::RenameTable { to } => {
                let to = Name::new(table.schema.as_deref(), to);
                return self.rename(ObjectKind::Table, table, &to, certain);
            }
            TableAction::SetSchema { schema } => {
                let to = Name::new(Some(schema), &table.name);
                return self.rename(ObjectKind::Table, table, &to, certain);
            }
            _ => {}
        }
        if self.tables.find(table).is_none() {
            if if_exists || !certain || self.tables.is_ambiguous(table) {
                return;
            }
            // Created by something pgward did not follow: what this statement says is still true.
            self.tables.insert(table, Table::default());
        }
        let Some(t) = self.tables.find_mut(table) else {
            return;
        };
        match action {
            TableAction::AddColumn {
                column,
                if_not_exists,
            } => {
                if t.column(&column.name).is_some() && (*if_not_exists || !certain) {
                    return;
                }
                t.add_column(column);
            }
            TableAction::DropColumn { column, .. } => t.drop_column(column),
            TableAction::AlterColumnType { column, ty, .. } => {
                let ty = certain.then(|| ty.clone());
                match t.column_mut(column) {
                    Some(c) => c.ty = ty,
                    None => t.columns.push(Column {
                        name: column.clone(),
                        ty,
                        not_null: None,
                    }),
                }
            }
            TableAction::SetNotNull { column } | TableAction::DropNotNull { column } => {
                let value = certain.then_some(matches!(action, TableAction::SetNotNull { .. }));
                match t.column_mut(column) {
                    Some(c) => c.not_null = value,
                    None => t.columns.push(Column {
                        name: column.clone(),
                        ty: None,
                        not_null: value,
                    }),
                }
            }
            TableAction::AddConstraint(c) => {
                if certain {
                    t.add_constraint(c);
                }
            }
            TableAction::ValidateConstraint { name } => {
                if certain
                    && let Some(c) = t
                        .constraints
                        .iter_mut()
                        .find(|c| c.name.as_deref() == Some(name.as_str()))
                {
                    c.validated = true;
                }
            }
            TableAction::DropConstraint { name, .. } => t.drop_constraint(name),
            TableAction::RenameConstraint { from, to } => {
                let found = t
                    .constraints
                    .iter_mut()
                    .find(|c| c.name.as_deref() == Some(from.as_str()));
                match found {
                    Some(c) if certain => c.name = Some(to.clone()),
                    _ => {
                        t.drop_constraint(from);
                        t.drop_constraint(to);
                    }
                }
            }
            TableAction::RenameColumn { from, to } => {
                if certain {
                    t.rename_column(from, to);
                } else {
                    t.drop_column(from);
                    t.drop_column(to);
                }
            }
            TableAction::AttachPartition { partition } => {
                let parent = table.clone();
                let p = qualified_like(partition, table);
                if let Some(child) = self.tables.find_mut(&p) {
                    child.partition_of = certain.then_some(parent);
                } else if certain && !self.tables.is_ambiguous(&p) {
                    let child = Table {
                        partition_of: Some(parent),
                        ..Table::default()
                    };
                    self.tables.insert(&p, child);
                }
            }
            TableAction::DetachPartition { partition, .. } => {
                if let Some(child) = self.tables.find_mut(&qualified_like(partition, table)) {
                    child.partition_of = None;
                }
            }
            TableAction::Other { what } => {
                let w = what.to_ascii_uppercase();
                let changes_columns = w
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .any(|word| matches!(word, "TYPE" | "INHERIT" | "OF" | "EXPRESSION"));
                if changes_columns || !certain {
                    t.forget();
                }
            }
            TableAction::SetDefault { .. }
            | TableAction::DropDefault { .. }
            | TableAction::AlterConstraint { .. }
            | TableAction::SetTablespace
            | TableAction::SetLogged
            | TableAction::SetUnlogged
            | TableAction::SetAccessMethod
            | TableAction::RenameTable { .. }
            | TableAction::SetSchema { .. } => {}
        }
    }

    /// Tells the context what exists before the file runs: column types, validated and
    /// not-yet-validated `CHECK`s, and (for migrations not deployed yet) which objects are new.
    /// Only objects the file's statements name are told (rules only ask about those), which
    /// keeps seeding proportional to the file rather than to the schema. Names shared by objects
    /// in several schemas are left out: an unqualified name in the file could mean any of them.
    pub fn seed(&self, ctx: &mut Context, statements: &[Statement]) {
        let mut names = Vec::new();
        for stmt in statements {
            for op in &stmt.ops {
                op_names(op, &mut names);
            }
        }
        let mut seen = HashSet::new();
        for name in names {
            let word = name.name.as_str();
            if !seen.insert(word) {
                continue;
            }
            if let Some((name, t)) = self.tables.only(word) {
                if t.new {
                    ctx.know_new(ObjectKind::Table, &name);
                }
                for c in &t.columns {
                    if let Some(ty) = &c.ty {
                        ctx.know_column(name.clone(), c.name.clone(), ty.clone());
                    }
                }
                for c in &t.constraints {
                    if let ConstraintKind::Check {
                        not_null_column, ..
                    } = &c.kind
                    {
                        ctx.know_check(
                            &name,
                            c.name.as_deref(),
                            not_null_column.as_deref(),
                            c.validated,
                        );
                    }
                }
            }
            if let Some((name, i)) = self.indexes.only(word)
                && i.new
            {
                ctx.know_new(ObjectKind::Index, &name);
            }
            if let Some((name, t)) = self.types.only(word)
                && t.new
            {
                ctx.know_new(ObjectKind::Type, &name);
            }
            for (kind, objs) in &self.others {
                if let Some((name, o)) = objs.only(word)
                    && o.new
                {
                    ctx.know_new(*kind, &name);
                }
            }
        }
    }

    /// The column's type, when known.
    pub fn column_type(&self, table: &Name, column: &str) -> Option<&SqlType> {
        self.tables.find(table)?.column(column)?.ty.as_ref()
    }

    /// Whether the column is `NOT NULL`, when known.
    pub fn column_not_null(&self, table: &Name, column: &str) -> Option<bool> {
        self.tables.find(table)?.column(column)?.not_null
    }

    /// The known columns of a table, in order; `None` when the table is not known.
    pub fn columns(&self, table: &Name) -> Option<Vec<&str>> {
        let t = self.tables.find(table)?;
        Some(t.columns.iter().map(|c| c.name.as_str()).collect())
    }

    /// Whether a validated `CHECK (column IS NOT NULL)` is known on the table.
    pub fn has_validated_not_null_check(&self, table: &Name, column: &str) -> bool {
        self.tables.find(table).is_some_and(|t| {
            t.constraints.iter().any(|c| {
                c.validated
                    && matches!(&c.kind, ConstraintKind::Check { not_null_column: Some(col), .. }
                        if col == column)
            })
        })
    }

    /// The names of the table's known constraints, with whether each is validated.
    pub fn constraints(&self, table: &Name) -> Vec<(Option<&str>, bool)> {
        self.tables.find(table).map_or_else(Vec::new, |t| {
            t.constraints
                .iter()
                .map(|c| (c.name.as_deref(), c.validated))
                .collect()
        })
    }

    /// The partitioned table a table is a partition of, when known.
    pub fn partition_of(&self, table: &Name) -> Option<&Name> {
        self.tables.find(table)?.partition_of.as_ref()
    }

    /// The known values of an enum type.
    pub fn enum_values(&self, ty: &Name) -> Option<&[String]> {
        self.types.find(ty)?.enum_values.as_deref()
    }

    /// Whether the named object is known to exist.
    pub fn exists(&self, kind: ObjectKind, name: &Name) -> bool {
        match kind {
            ObjectKind::Table => self.tables.find(name).is_some(),
            ObjectKind::Index => self.indexes.find(name).is_some(),
            ObjectKind::Type => self.types.find(name).is_some(),
            _ => self
                .others
                .get(&kind)
                .is_some_and(|o| o.find(name).is_some()),
        }
    }

    /// The table an index is on, and whether it is unique.
    pub fn index(&self, name: &Name) -> Option<(&Name, bool)> {
        let i = self.indexes.find(name)?;
        Some((&i.table, i.unique))
    }

    /// Whether the object was created by a migration that is not deployed yet.
    pub fn is_new(&self, kind: ObjectKind, name: &Name) -> bool {
        match kind {
            ObjectKind::Table => self.tables.find(name).is_some_and(|t| t.new),
            ObjectKind::Index => self.indexes.find(name).is_some_and(|i| i.new),
            ObjectKind::Type => self.types.find(name).is_some_and(|t| t.new),
            _ => self
                .others
                .get(&kind)
                .and_then(|o| o.find(name))
                .is_some_and(|o| o.new),
        }
    }
}

impl Table {
    fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }

    fn add_column(&mut self, def: &ColumnDef) {
        self.columns.retain(|c| c.name != def.name);
        self.columns.push(Column {
            name: def.name.clone(),
            ty: def.ty.as_ref().map(stored_type),
            not_null: Some(def.not_null || def.primary_key || def.is_serial()),
        });
        if let Some(expr) = &def.check {
            self.constraints.push(ConstraintFact {
                name: None,
                kind: ConstraintKind::Check {
                    expr: expr.clone(),
                    not_null_column: is_not_null_check(expr, &def.name).then(|| def.name.clone()),
                },
                validated: true,
            });
        }
    }

    fn add_constraint(&mut self, c: &Constraint) {
        match &c.kind {
            ConstraintKind::PrimaryKey { columns, .. } => {
                for col in columns {
                    if let Some(col) = self.column_mut(col) {
                        col.not_null = Some(true);
                    }
                }
            }
            ConstraintKind::NotNull { column } if !c.not_valid => {
                if let Some(col) = self.column_mut(column) {
                    col.not_null = Some(true);
                }
            }
            _ => {}
        }
        if let Some(name) = &c.name {
            self.constraints
                .retain(|k| k.name.as_deref() != Some(name.as_str()));
        }
        self.constraints.push(ConstraintFact {
            name: c.name.clone(),
            kind: c.kind.clone(),
            validated: !c.not_valid,
        });
    }

    /// A constraint PostgreSQL named itself may be the one dropped: those go too.
    fn drop_constraint(&mut self, name: &str) {
        let named = self
            .constraints
            .iter()
            .any(|c| c.name.as_deref() == Some(name));
        if named {
            self.constraints.retain(|c| c.name.as_deref() != Some(name));
        } else {
            self.constraints.retain(|c| c.name.is_some());
        }
    }

    /// The column and every constraint that involves it (PostgreSQL drops them with it).
    fn drop_column(&mut self, column: &str) {
        self.columns.retain(|c| c.name != column);
        self.constraints
            .retain(|c| !constraint_involves(&c.kind, column));
    }

    fn rename_column(&mut self, from: &str, to: &str) {
        self.columns.retain(|c| c.name != to);
        if let Some(c) = self.column_mut(from) {
            c.name = to.to_owned();
        }
        for c in &mut self.constraints {
            match &mut c.kind {
                ConstraintKind::Check {
                    not_null_column: Some(col),
                    ..
                }
                | ConstraintKind::NotNull { column: col }
                    if col == from =>
                {
                    *col = to.to_owned();
                }
                ConstraintKind::PrimaryKey { columns, .. }
                | ConstraintKind::Unique { columns, .. }
                | ConstraintKind::ForeignKey { columns, .. } => {
                    for col in columns.iter_mut().filter(|c| *c == from) {
                        *col = to.to_owned();
                    }
                }
                _ => {}
            }
        }
        // Other CHECK expressions name the column as text pgward does not rewrite.
        self.constraints.retain(|c| match &c.kind {
            ConstraintKind::Check {
                expr,
                not_null_column: None,
            } => !words(expr).any(|w| w == from),
            _ => true,
        });
    }

    /// Forgets the columns' types and `NOT NULL`, and the constraints.
    fn forget(&mut self) {
        self.columns.clear();
        self.constraints.clear();
    }
}

fn constraint_involves(kind: &ConstraintKind, column: &str) -> bool {
    match kind {
        ConstraintKind::Check {
            not_null_column: Some(col),
            ..
        } => col == column,
        ConstraintKind::Check { expr, .. } => words(expr).any(|w| w == column),
        ConstraintKind::NotNull { column: col } => col == column,
        ConstraintKind::PrimaryKey { columns, .. }
        | ConstraintKind::Unique { columns, .. }
        | ConstraintKind::ForeignKey { columns, .. } => columns.iter().any(|c| c == column),
        ConstraintKind::Exclusion => true,
    }
}

/// Every object name an operation mentions: what a rule may ask the context about.
fn op_names<'a>(op: &'a Op, out: &mut Vec<&'a Name>) {
    match op {
        Op::CreateTable {
            table,
            partition_of,
            columns,
            constraints,
            ..
        } => {
            out.push(table);
            out.extend(partition_of);
            out.extend(columns.iter().filter_map(|c| c.references.as_ref()));
            for c in constraints {
                if let ConstraintKind::ForeignKey { references, .. } = &c.kind {
                    out.push(references);
                }
            }
        }
        Op::CreateIndex { name, table, .. } => {
            out.push(table);
            out.extend(name);
        }
        Op::AlterTable { table, action, .. } => {
            out.push(table);
            match action {
                TableAction::AttachPartition { partition }
                | TableAction::DetachPartition { partition, .. } => out.push(partition),
                TableAction::AddColumn { column, .. } => out.extend(&column.references),
                TableAction::AddConstraint(Constraint {
                    kind: ConstraintKind::ForeignKey { references, .. },
                    ..
                }) => out.push(references),
                _ => {}
            }
        }
        Op::AlterIndex { index, .. } => out.push(index),
        Op::Drop {
            names, on_table, ..
        } => {
            out.extend(names);
            out.extend(on_table);
        }
        Op::Create { name, on_table, .. } => {
            out.push(name);
            out.extend(on_table);
        }
        Op::Rename { from, .. } => out.push(from),
        Op::CreateEnum { name, .. }
        | Op::AlterEnumAddValue { name, .. }
        | Op::CreateDomain { name, .. }
        | Op::AlterDomainAddConstraint { name, .. }
        | Op::Reindex { name, .. }
        | Op::RefreshMaterializedView { name, .. }
        | Op::CommentOn { name, .. } => out.push(name),
        Op::Truncate { tables } | Op::Vacuum { tables, .. } | Op::LockTable { tables, .. } => {
            out.extend(tables);
        }
        Op::Cluster { table } => out.extend(table),
        Op::Dml {
            table, select_from, ..
        } => {
            out.push(table);
            out.extend(select_from);
        }
        Op::Transaction(_) | Op::Set { .. } | Op::DoBlock | Op::Other { .. } => {}
    }
}

/// The type a column really has: `serial` is `integer` (with a sequence default), so changing
/// it to `integer` later rewrites nothing.
fn stored_type(ty: &SqlType) -> SqlType {
    let real = match ty.name.as_str() {
        "smallserial" => "smallint",
        "serial" => "integer",
        "bigserial" => "bigint",
        _ => return ty.clone(),
    };
    SqlType {
        name: real.to_owned(),
        args: Vec::new(),
        array: ty.array,
        written: real.to_owned(),
    }
}

/// Whether pgward knows everything the statement can do to columns and constraints: it was
/// parsed, and it is not an `Op::Other` that may do anything (`SELECT some_function()`).
pub(crate) fn is_understood(stmt: &Statement) -> bool {
    stmt.parsed_by != ParsedBy::Unrecognized
        && stmt.ops.iter().all(|op| match op {
            Op::Other { keyword } => is_harmless(keyword),
            _ => true,
        })
}

/// The column type is the named user type (enum or domain), possibly schema-qualified.
pub(crate) fn is_of_type(ty: &SqlType, name: &Name) -> bool {
    ty.name.rsplit('.').next() == Some(name.name.as_str())
}

/// An inline `CHECK (col IS NOT NULL)` as written.
fn is_not_null_check(expr: &str, column: &str) -> bool {
    let flat: Vec<String> = expr
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let col = flat.first().map(|c| c.trim_matches('"'));
    flat.len() == 4 && col == Some(column) && flat[1..] == ["is", "not", "null"]
}

fn is_harmless(keyword: &str) -> bool {
    let k = keyword.to_ascii_uppercase();
    HARMLESS
        .iter()
        .any(|h| k == *h || k.strip_prefix(h).is_some_and(|rest| rest.starts_with(' ')))
}

/// `other`'s schema given to an unqualified `name`: an index is in its table's schema, a
/// partition named bare in `ATTACH PARTITION` most likely in the parent's.
fn qualified_like(name: &Name, other: &Name) -> Name {
    match (&name.schema, &other.schema) {
        (None, Some(s)) => Name::new(Some(s), &name.name),
        _ => name.clone(),
    }
}

/// The identifiers and words of a text, as PostgreSQL would fold them: unquoted words
/// lower-cased, `"quoted"` ones as written. Words inside string literals count too
/// (`SELECT create_hypertable('events', 'at')`). Scans bytes and borrows what it can: it runs
/// over every linted file.
pub(crate) fn words(text: &str) -> impl Iterator<Item = Cow<'_, str>> + '_ {
    // Non-ASCII bytes are parts of words: slicing happens at ASCII bytes only.
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80;
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        loop {
            while at < bytes.len()
                && !(is_word(bytes[at]) && bytes[at] != b'$' || bytes[at] == b'"')
            {
                at += 1;
            }
            if at >= bytes.len() {
                return None;
            }
            if bytes[at] == b'"' {
                let start = at + 1;
                let end = bytes[start..]
                    .iter()
                    .position(|&b| b == b'"')
                    .map_or(bytes.len(), |p| start + p);
                at = (end + 1).min(bytes.len());
                if end > start {
                    return Some(Cow::Borrowed(&text[start..end]));
                }
                continue;
            }
            let start = at;
            while at < bytes.len() && is_word(bytes[at]) {
                at += 1;
            }
            let word = &text[start..at];
            return Some(
                if word.bytes().any(|b| b.is_ascii_uppercase() || b >= 0x80) {
                    Cow::Owned(word.to_lowercase())
                } else {
                    Cow::Borrowed(word)
                },
            );
        }
    })
}

/// Objects by name, compared the way [`Name::matches`] does (an unqualified name matches any
/// schema), grouped by the unqualified name so that a lookup is constant time.
#[derive(Clone, Debug)]
struct Objects<T> {
    groups: HashMap<String, Vec<(Option<String>, T)>>,
}

impl<T> Default for Objects<T> {
    fn default() -> Self {
        Objects {
            groups: HashMap::new(),
        }
    }
}

fn schemas_match(a: &Option<String>, b: &Option<String>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

impl<T> Objects<T> {
    /// The one object the name can mean; `None` when there is none or several.
    fn find(&self, name: &Name) -> Option<&T> {
        let mut found = self
            .groups
            .get(&name.name)?
            .iter()
            .filter(|(s, _)| schemas_match(s, &name.schema));
        let first = found.next()?;
        found.next().is_none().then_some(&first.1)
    }

    fn find_mut(&mut self, name: &Name) -> Option<&mut T> {
        if self.is_ambiguous(name) {
            return None;
        }
        self.groups
            .get_mut(&name.name)?
            .iter_mut()
            .find(|(s, _)| schemas_match(s, &name.schema))
            .map(|(_, t)| t)
    }

    fn is_ambiguous(&self, name: &Name) -> bool {
        self.groups.get(&name.name).is_some_and(|g| {
            g.iter()
                .filter(|(s, _)| schemas_match(s, &name.schema))
                .count()
                > 1
        })
    }

    /// Adds the object, replacing one of exactly the same name and schema.
    fn insert(&mut self, name: &Name, value: T) {
        let group = self.groups.entry(name.name.clone()).or_default();
        group.retain(|(s, _)| *s != name.schema);
        group.push((name.schema.clone(), value));
    }

    /// Removes every object the name can mean.
    fn remove(&mut self, name: &Name) -> Vec<T> {
        let Some(group) = self.groups.get_mut(&name.name) else {
            return Vec::new();
        };
        let (gone, kept): (Vec<_>, Vec<_>) = std::mem::take(group)
            .into_iter()
            .partition(|(s, _)| schemas_match(s, &name.schema));
        *group = kept;
        gone.into_iter().map(|(_, t)| t).collect()
    }

    fn remove_schema(&mut self, schema: &str) {
        for group in self.groups.values_mut() {
            group.retain(|(s, _)| s.as_deref() != Some(schema));
        }
    }

    fn retain(&mut self, mut keep: impl FnMut(&Name, &T) -> bool) {
        for (name, group) in &mut self.groups {
            group.retain(|(s, t)| keep(&Name::new(s.as_deref(), name), t));
        }
    }

    fn all_named(&self, name: &str) -> impl Iterator<Item = &T> {
        self.groups.get(name).into_iter().flatten().map(|(_, t)| t)
    }

    fn all_named_mut(&mut self, name: &str) -> impl Iterator<Item = &mut T> {
        self.groups
            .get_mut(name)
            .into_iter()
            .flatten()
            .map(|(_, t)| t)
    }

    fn iter(&self) -> impl Iterator<Item = (Name, &T)> {
        self.groups.iter().flat_map(|(name, group)| {
            group
                .iter()
                .map(move |(s, t)| (Name::new(s.as_deref(), name), t))
        })
    }

    fn iter_mut(&mut self) -> impl Iterator<Item = (Name, &mut T)> {
        self.groups.iter_mut().flat_map(|(name, group)| {
            group
                .iter_mut()
                .map(move |(s, t)| (Name::new(s.as_deref(), name), t))
        })
    }

    /// The object of this unqualified name, when there is exactly one.
    fn only(&self, name: &str) -> Option<(Name, &T)> {
        match self.groups.get(name)?.as_slice() {
            [(schema, t)] => Some((Name::new(schema.as_deref(), name), t)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::context::FileSettings;
    use crate::lint::parse_file;

    fn replayed(sql: &str) -> History {
        let mut h = History::new();
        h.replay(&parse_file(sql), None);
        h
    }

    fn ty(h: &History, table: &str, column: &str) -> Option<String> {
        h.column_type(&Name::bare(table), column)
            .map(ToString::to_string)
    }

    #[test]
    fn if_not_exists_keeps_what_exists() {
        let h = replayed(
            "CREATE TABLE t (a varchar(10));
             CREATE TABLE IF NOT EXISTS t (a text, b int);
             ALTER TABLE t ADD COLUMN IF NOT EXISTS a integer;",
        );
        assert_eq!(h.columns(&Name::bare("t")), Some(vec!["a"]));
        assert_eq!(ty(&h, "t", "a").as_deref(), Some("varchar(10)"));
    }

    #[test]
    fn do_blocks_only_add_what_is_missing_and_forget_what_they_change() {
        let h = replayed(
            "CREATE TABLE t (a varchar(10), b int NOT NULL);
             CREATE TYPE mood AS ENUM ('ok');
             DO $$ BEGIN
               IF true THEN
                 ALTER TABLE t ALTER COLUMN a TYPE text;
                 ALTER TABLE t ALTER COLUMN b DROP NOT NULL;
                 ALTER TYPE mood ADD VALUE 'sad';
                 CREATE TABLE u (x int);
               END IF;
             END $$;",
        );
        assert_eq!(ty(&h, "t", "a"), None);
        assert_eq!(ty(&h, "t", "b").as_deref(), Some("int"));
        assert_eq!(h.column_not_null(&Name::bare("t"), "b"), None);
        assert_eq!(h.enum_values(&Name::bare("mood")), None);
        assert_eq!(ty(&h, "u", "x").as_deref(), Some("int"));
    }

    #[test]
    fn a_called_function_makes_what_it_names_unknown() {
        let h = replayed(
            "CREATE TABLE t (a varchar(10));
             CREATE TABLE other (a varchar(10));
             CREATE FUNCTION widen() RETURNS void LANGUAGE plpgsql AS $$
             BEGIN EXECUTE 'ALTER TABLE t ALTER COLUMN a TYPE text'; END $$;
             GRANT SELECT ON other TO reader;
             SELECT widen();",
        );
        assert_eq!(ty(&h, "t", "a"), None);
        // GRANT changes no column.
        assert_eq!(ty(&h, "other", "a").as_deref(), Some("varchar(10)"));
    }

    #[test]
    fn the_same_name_in_two_schemas_is_not_guessed() {
        let h = replayed(
            "CREATE TABLE public.t (a integer);
             CREATE TABLE audit.t (a text);",
        );
        assert_eq!(ty(&h, "t", "a"), None);
        assert_eq!(
            h.column_type(&Name::new(Some("audit"), "t"), "a")
                .map(ToString::to_string)
                .as_deref(),
            Some("text")
        );
        let mut ctx = Context::new(&FileSettings::default());
        h.seed(
            &mut ctx,
            &parse_file("ALTER TABLE t ALTER COLUMN a TYPE bigint"),
        );
        assert_eq!(ctx.column_type(&Name::bare("t"), "a"), None);
    }

    #[test]
    fn constraints_follow_validation_renames_and_drops() {
        let h = replayed(
            "CREATE TABLE t (a int, b int, CHECK (b > 0));
             ALTER TABLE t ADD CONSTRAINT a_nn CHECK (a IS NOT NULL) NOT VALID;
             ALTER TABLE t VALIDATE CONSTRAINT a_nn;
             ALTER TABLE t RENAME COLUMN a TO aa;",
        );
        let t = Name::bare("t");
        assert!(h.has_validated_not_null_check(&t, "aa"));
        assert_eq!(h.constraints(&t), [(None, true), (Some("a_nn"), true)]);
        // Dropping a name pgward does not know may drop the unnamed check; a_nn stays.
        let mut h = h;
        h.replay(&parse_file("ALTER TABLE t DROP CONSTRAINT t_b_check"), None);
        assert_eq!(h.constraints(&t), [(Some("a_nn"), true)]);
        h.replay(&parse_file("ALTER TABLE t DROP COLUMN aa"), None);
        assert!(h.constraints(&t).is_empty());
    }

    #[test]
    fn pending_migrations_create_new_objects_and_seed_them() {
        let mut h = replayed("CREATE TABLE old (a int);");
        h.set_pending(true);
        h.replay(
            &parse_file(
                "CREATE TABLE fresh (a int);
                 CREATE INDEX fresh_a ON fresh (a);
                 ALTER TABLE old ADD CONSTRAINT a_nn CHECK (a IS NOT NULL) NOT VALID;",
            ),
            None,
        );
        assert!(h.is_new(ObjectKind::Table, &Name::bare("fresh")));
        assert!(h.is_new(ObjectKind::Index, &Name::bare("fresh_a")));
        assert!(!h.is_new(ObjectKind::Table, &Name::bare("old")));
        let file = parse_file(
            "ALTER TABLE fresh ADD COLUMN b int;
             ALTER TABLE old VALIDATE CONSTRAINT a_nn;
             ALTER TABLE old ALTER COLUMN a SET NOT NULL;",
        );
        let mut ctx = Context::new(&FileSettings::default());
        h.seed(&mut ctx, &file);
        assert!(ctx.is_new_table(&Name::bare("fresh")));
        assert!(!ctx.is_new_table(&Name::bare("old")));
        assert!(!ctx.has_validated_not_null_check(&Name::bare("old"), "a"));
        ctx.apply(&file[1]);
        assert!(ctx.has_validated_not_null_check(&Name::bare("old"), "a"));
    }

    #[test]
    fn serial_is_stored_as_its_integer_type() {
        let h = replayed("CREATE TABLE t (id serial PRIMARY KEY, big bigserial);");
        assert_eq!(ty(&h, "t", "id").as_deref(), Some("integer"));
        assert_eq!(ty(&h, "t", "big").as_deref(), Some("bigint"));
        assert_eq!(h.column_not_null(&Name::bare("t"), "big"), Some(true));
    }

    #[test]
    fn column_changes_reach_the_partitions() {
        let h = replayed(
            "CREATE TABLE ev (id int, note varchar(10)) PARTITION BY RANGE (id);
             CREATE TABLE ev_1 PARTITION OF ev FOR VALUES FROM (0) TO (10);
             CREATE TABLE ev_2 (id int, note varchar(10));
             ALTER TABLE ev ATTACH PARTITION ev_2 FOR VALUES FROM (10) TO (20);
             ALTER TABLE ev ALTER COLUMN note TYPE text;
             ALTER TABLE ev RENAME COLUMN id TO ev_id;",
        );
        for t in ["ev", "ev_1", "ev_2"] {
            assert_eq!(ty(&h, t, "note").as_deref(), Some("text"), "{t}");
            assert_eq!(
                h.columns(&Name::bare(t)),
                Some(vec!["ev_id", "note"]),
                "{t}"
            );
        }
        assert_eq!(h.partition_of(&Name::bare("ev_2")), Some(&Name::bare("ev")));
    }

    #[test]
    fn a_check_dropped_in_the_file_no_longer_proves_not_null() {
        let h = replayed(
            "CREATE TABLE t (a int, b int);
             ALTER TABLE t ADD CONSTRAINT a_nn CHECK (a IS NOT NULL);
             ALTER TABLE t ADD CONSTRAINT b_nn CHECK (b IS NOT NULL);",
        );
        let file = parse_file(
            "ALTER TABLE t DROP CONSTRAINT a_nn;
             ALTER TABLE t ALTER COLUMN a SET NOT NULL;",
        );
        let mut ctx = Context::new(&FileSettings::default());
        h.seed(&mut ctx, &file);
        let t = Name::bare("t");
        assert!(ctx.has_validated_not_null_check(&t, "a"));
        ctx.apply(&file[0]);
        assert!(!ctx.has_validated_not_null_check(&t, "a"));
        assert!(ctx.has_validated_not_null_check(&t, "b"));
        assert!(ctx.has_validated_check(&t));
    }

    #[test]
    fn a_type_renamed_in_the_file_is_not_the_columns_type_any_more() {
        let h = replayed(
            "CREATE TYPE vis AS ENUM ('a');
             CREATE TABLE c (v vis);",
        );
        let file = parse_file(
            "ALTER TYPE vis RENAME TO vis_old;
             CREATE TYPE vis AS ENUM ('a', 'b');
             SELECT rebuild('c');
             ALTER TABLE c ALTER COLUMN v TYPE vis USING v::text::vis;",
        );
        let mut ctx = Context::new(&FileSettings::default());
        h.seed(&mut ctx, &file);
        let c = Name::bare("c");
        assert_eq!(
            ctx.column_type(&c, "v").map(|t| t.name.as_str()),
            Some("vis")
        );
        ctx.apply(&file[0]);
        assert_eq!(ctx.column_type(&c, "v"), None);
        // A statement pgward does not understand forgets the tables it names.
        let mut ctx = Context::new(&FileSettings::default());
        h.seed(&mut ctx, &file);
        ctx.apply(&file[2]);
        assert_eq!(ctx.column_type(&c, "v"), None);
    }

    #[test]
    fn words_fold_like_postgres() {
        let w: Vec<_> = words(r#"SELECT f('Orders', "Mixed") FROM Public.T1_x"#).collect();
        assert_eq!(
            w,
            ["select", "f", "orders", "Mixed", "from", "public", "t1_x"]
        );
    }
}
