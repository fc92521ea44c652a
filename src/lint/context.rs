//! What is true at a given statement of a migration file.
//!
//! The engine walks a file once, in order. Before each statement the rules see
//! the context as it stands (transaction open?, `lock_timeout` set?, tables
//! created earlier, column types known, locks held); after the rules ran, the
//! engine calls [`Context::apply`] with that statement.

use std::collections::{HashMap, HashSet};

use super::locks::{self, LockEffect, Target};
use super::ops::{ConstraintKind, Name, ObjectKind, Op, SqlType, TableAction, TransactionOp};
use super::statement::Statement;

/// A lock taken by an earlier statement and still held by the open transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldLock {
    pub effect: LockEffect,
    /// Byte offset of the statement that took it, for messages.
    pub taken_at: usize,
}

/// The settings the engine starts each file with.
#[derive(Clone, Debug)]
pub struct FileSettings {
    /// Target PostgreSQL major version.
    pub pg_version: u32,
    /// The migration runner wraps the file in a transaction.
    pub assume_in_transaction: bool,
}

impl Default for FileSettings {
    fn default() -> FileSettings {
        FileSettings {
            pg_version: 15,
            assume_in_transaction: false,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Context {
    pub pg_version: u32,
    pub assume_in_transaction: bool,
    /// The runner's implicit transaction is still open (it ends at a `COMMIT` in the file).
    implicit_open: bool,
    /// Depth of explicit `BEGIN`s (above 1 is a mistake PostgreSQL only warns about).
    pub explicit_depth: u32,
    /// A non-zero `lock_timeout` is in force.
    pub lock_timeout: bool,
    /// A non-zero `statement_timeout` is in force.
    pub statement_timeout: bool,
    /// A statement that waits for a lock on an existing table already ran without `lock_timeout`
    /// (the `require-timeout-settings` rule reports only the first).
    pub unguarded_lock_seen: bool,
    /// Tables (and other relations) created earlier in this file or migration: they are new and
    /// empty, so lock and rewrite rules do not apply to them.
    created: HashSet<(ObjectKind, Name)>,
    /// Column types declared earlier (in this file, or known from history).
    column_types: HashMap<(Name, String), SqlType>,
    /// Validated `CHECK (col IS NOT NULL)` constraints, by table and column.
    not_null_checks: HashSet<(Name, String)>,
    /// Check constraints added `NOT VALID` (not yet validated), by table and name, with their column
    /// when they are `col IS NOT NULL` checks.
    unvalidated_checks: HashMap<(Name, String), Option<String>>,
    /// Constraints added `NOT VALID` in the open transaction, by table and name.
    pub not_valid_in_transaction: HashSet<(Name, String)>,
    /// Locks held by the open transaction.
    pub held: Vec<HeldLock>,
    /// Enum values added in the open transaction.
    pub enum_values_added: Vec<(Name, String)>,
}

impl Context {
    pub fn new(settings: &FileSettings) -> Context {
        Context {
            pg_version: settings.pg_version,
            assume_in_transaction: settings.assume_in_transaction,
            implicit_open: settings.assume_in_transaction,
            explicit_depth: 0,
            lock_timeout: false,
            statement_timeout: false,
            unguarded_lock_seen: false,
            created: HashSet::new(),
            column_types: HashMap::new(),
            not_null_checks: HashSet::new(),
            unvalidated_checks: HashMap::new(),
            not_valid_in_transaction: HashSet::new(),
            held: Vec::new(),
            enum_values_added: Vec::new(),
        }
    }

    /// A transaction is open: explicit, or the runner's.
    pub fn in_transaction(&self) -> bool {
        self.explicit_depth > 0 || self.implicit_open
    }

    /// An explicit `BEGIN` in the file is open (as opposed to the runner's transaction).
    pub fn in_explicit_transaction(&self) -> bool {
        self.explicit_depth > 0
    }

    /// The table was created earlier in this file or migration, so it is empty and nobody else
    /// uses it yet.
    pub fn is_new_table(&self, table: &Name) -> bool {
        self.is_new(ObjectKind::Table, table)
    }

    pub fn is_new(&self, kind: ObjectKind, name: &Name) -> bool {
        self.created
            .iter()
            .any(|(k, n)| *k == kind && n.matches(name))
    }

    /// The relation a lock lands on was created in this file.
    pub fn is_new_target(&self, target: &Target) -> bool {
        match target {
            Target::Table(n) => self.is_new_table(n),
            Target::TableOfIndex(n) => self.is_new(ObjectKind::Index, n),
            Target::Relation(n) => {
                self.is_new(ObjectKind::MaterializedView, n)
                    || self.is_new(ObjectKind::View, n)
                    || self.is_new(ObjectKind::Sequence, n)
                    || self.is_new_table(n)
            }
        }
    }

    pub fn column_type(&self, table: &Name, column: &str) -> Option<&SqlType> {
        self.column_types
            .iter()
            .find(|((t, c), _)| c == column && t.matches(table))
            .map(|(_, ty)| ty)
    }

    pub fn has_validated_not_null_check(&self, table: &Name, column: &str) -> bool {
        self.not_null_checks
            .iter()
            .any(|(t, c)| c == column && t.matches(table))
    }

    /// The locks this statement takes on relations that existed before this file.
    pub fn effects_on_existing(&self, stmt: &Statement) -> Vec<LockEffect> {
        stmt.ops
            .iter()
            .flat_map(|op| locks::effects(op, self))
            .filter(|e| !self.is_new_target(&e.target))
            .collect()
    }

    /// Records what the statement did. Called by the engine after the rules saw the statement.
    pub fn apply(&mut self, stmt: &Statement) {
        let effects = self.effects_on_existing(stmt);
        if !effects.is_empty() && !self.lock_timeout {
            self.unguarded_lock_seen = true;
        }
        if self.in_transaction() {
            for effect in effects {
                self.held.push(HeldLock {
                    effect,
                    taken_at: stmt.span.start,
                });
            }
        }
        for op in &stmt.ops {
            self.apply_op(op);
        }
    }

    fn apply_op(&mut self, op: &Op) {
        match op {
            Op::Transaction(TransactionOp::Begin) => self.explicit_depth += 1,
            Op::Transaction(TransactionOp::Commit | TransactionOp::Rollback) => {
                if self.explicit_depth > 0 {
                    self.explicit_depth = 0;
                } else {
                    self.implicit_open = false;
                }
                self.end_transaction();
            }
            Op::Transaction(TransactionOp::Savepoint) => {}
            Op::Set { name, value, .. } => {
                let on = value.as_deref().is_some_and(|v| !is_zero_timeout(v));
                match name.as_str() {
                    "lock_timeout" => self.lock_timeout = on,
                    "statement_timeout" => self.statement_timeout = on,
                    _ => {}
                }
            }
            Op::CreateTable {
                table,
                columns,
                constraints,
                ..
            } => {
                self.created.insert((ObjectKind::Table, table.clone()));
                for c in columns {
                    if let Some(ty) = &c.ty {
                        self.column_types
                            .insert((table.clone(), c.name.clone()), ty.clone());
                    }
                }
                for c in constraints {
                    if let ConstraintKind::Check {
                        not_null_column: Some(col),
                        ..
                    } = &c.kind
                        && !c.not_valid
                    {
                        self.not_null_checks.insert((table.clone(), col.clone()));
                    }
                }
            }
            Op::CreateIndex {
                name: Some(name), ..
            } => {
                self.created.insert((ObjectKind::Index, name.clone()));
            }
            Op::Create { kind, name, .. } => {
                self.created.insert((*kind, name.clone()));
            }
            Op::CreateEnum { name, .. } => {
                self.created.insert((ObjectKind::Type, name.clone()));
            }
            Op::CreateDomain { name, .. } => {
                self.created.insert((ObjectKind::Domain, name.clone()));
            }
            Op::AlterEnumAddValue { name, value } if self.in_transaction() => {
                self.enum_values_added.push((name.clone(), value.clone()));
            }
            Op::Drop { kind, names, .. } => {
                for n in names {
                    self.created.retain(|(k, c)| !(k == kind && c.matches(n)));
                    if *kind == ObjectKind::Table {
                        self.column_types.retain(|(t, _), _| !t.matches(n));
                    }
                }
            }
            Op::AlterTable { table, action, .. } => self.apply_table_action(table, action),
            _ => {}
        }
    }

    fn apply_table_action(&mut self, table: &Name, action: &TableAction) {
        match action {
            TableAction::AddColumn { column, .. } => {
                if let Some(ty) = &column.ty {
                    self.column_types
                        .insert((table.clone(), column.name.clone()), ty.clone());
                }
            }
            TableAction::AlterColumnType { column, ty, .. } => {
                self.column_types
                    .retain(|(t, c), _| !(c == column && t.matches(table)));
                self.column_types
                    .insert((table.clone(), column.clone()), ty.clone());
            }
            TableAction::DropColumn { column, .. } => {
                self.column_types
                    .retain(|(t, c), _| !(c == column && t.matches(table)));
            }
            TableAction::RenameColumn { from, to } => {
                let key = self
                    .column_types
                    .keys()
                    .find(|(t, c)| c == from && t.matches(table))
                    .cloned();
                if let Some(key) = key
                    && let Some(ty) = self.column_types.remove(&key)
                {
                    self.column_types.insert((key.0, to.clone()), ty);
                }
            }
            TableAction::RenameTable { to } => {
                let renamed = Name::new(table.schema.as_deref(), to);
                if self.is_new_table(table) {
                    self.created.insert((ObjectKind::Table, renamed.clone()));
                }
                let moved: Vec<_> = self
                    .column_types
                    .iter()
                    .filter(|((t, _), _)| t.matches(table))
                    .map(|((_, c), ty)| ((renamed.clone(), c.clone()), ty.clone()))
                    .collect();
                self.column_types.extend(moved);
            }
            TableAction::AddConstraint(c) => {
                if let Some(name) = &c.name
                    && c.not_valid
                    && self.in_transaction()
                {
                    self.not_valid_in_transaction
                        .insert((table.clone(), name.clone()));
                }
                if let ConstraintKind::Check {
                    not_null_column, ..
                } = &c.kind
                {
                    match (c.not_valid, not_null_column) {
                        (false, Some(col)) => {
                            self.not_null_checks.insert((table.clone(), col.clone()));
                        }
                        (true, col) => {
                            if let Some(name) = &c.name {
                                self.unvalidated_checks
                                    .insert((table.clone(), name.clone()), col.clone());
                            }
                        }
                        _ => {}
                    }
                }
            }
            TableAction::ValidateConstraint { name } => {
                let key = self
                    .unvalidated_checks
                    .keys()
                    .find(|(t, n)| n == name && t.matches(table))
                    .cloned();
                if let Some(key) = key
                    && let Some(Some(col)) = self.unvalidated_checks.remove(&key)
                {
                    self.not_null_checks.insert((key.0, col));
                }
            }
            _ => {}
        }
    }

    fn end_transaction(&mut self) {
        self.held.clear();
        self.not_valid_in_transaction.clear();
        self.enum_values_added.clear();
    }

    /// Seeds the context with a table known to exist already (from schema history), with its
    /// column types. Unlike tables created in the file, it is not new.
    pub fn know_column(&mut self, table: Name, column: String, ty: SqlType) {
        self.column_types.insert((table, column), ty);
    }
}

/// `0`, `'0'`, `0s`, `'0ms'`, `DEFAULT` all switch a timeout off.
fn is_zero_timeout(value: &str) -> bool {
    let v = value.trim().trim_matches('\'').trim().to_ascii_lowercase();
    if v == "default" {
        return true;
    }
    let digits: String = v
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    !digits.is_empty() && digits.parse::<f64>().is_ok_and(|n| n == 0.0)
}

#[cfg(test)]
mod tests {
    use super::is_zero_timeout;

    #[test]
    fn zero_timeouts() {
        for v in ["0", "'0'", "'0ms'", "0s", "DEFAULT"] {
            assert!(is_zero_timeout(v), "{v}");
        }
        for v in ["'2s'", "5000", "'1min'"] {
            assert!(!is_zero_timeout(v), "{v}");
        }
    }
}
