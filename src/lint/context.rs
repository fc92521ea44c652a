//! What is true at a given statement of a migration file.
//!
//! The engine walks a file once, in order. Before each statement the rules see
//! the context as it stands (transaction open?, `lock_timeout` set?, tables
//! created earlier, column types known, locks held); after the rules ran, the
//! engine calls [`Context::apply`] with that statement.

use std::borrow::Borrow;
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
    /// The anonymization profiles of `pgward.toml`'s `[anonymize] profiles`.
    pub profiles: PiiProfiles,
    /// The `lock_timeout` the help recommends and `--fix` sets, as an SQL literal (`'2s'`):
    /// `pgward.toml`'s `lock_timeout`.
    pub lock_timeout: String,
}

/// The `lock_timeout` pgward recommends unless `pgward.toml` says otherwise.
pub const DEFAULT_LOCK_TIMEOUT: &str = "'2s'";

impl Default for FileSettings {
    fn default() -> FileSettings {
        FileSettings {
            pg_version: 15,
            assume_in_transaction: false,
            profiles: PiiProfiles::default(),
            lock_timeout: DEFAULT_LOCK_TIMEOUT.to_owned(),
        }
    }
}

/// Anonymization profiles the staging sync uses, as `(path as configured, profile)`: the
/// `pii-column-not-in-profile` rule checks new columns against them. Empty: the rule is quiet.
#[derive(Clone, Debug, Default)]
pub struct PiiProfiles(pub std::sync::Arc<Vec<(String, crate::anonymize::Profile)>>);

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
    created: ByName<ObjectKind, ()>,
    /// Column types declared earlier (in this file, or known from history).
    column_types: ByName<String, SqlType>,
    /// Validated `CHECK (col IS NOT NULL)` constraints, by table and column, with the
    /// constraint's name when it has one.
    not_null_checks: ByName<String, Option<String>>,
    /// Check constraints added `NOT VALID` (not yet validated), by table and name, with their column
    /// when they are `col IS NOT NULL` checks.
    unvalidated_checks: ByName<String, Option<String>>,
    /// Tables that got a validated `CHECK` constraint earlier in the file (added valid, or added
    /// `NOT VALID` and then validated): `ATTACH PARTITION` can use one to skip its scan.
    /// Keyed by the constraint's name (`None`: unnamed).
    validated_checks: ByName<Option<String>, ()>,
    /// Constraints added `NOT VALID` in the open transaction, by table and name.
    pub not_valid_in_transaction: HashSet<(Name, String)>,
    /// Locks held by the open transaction.
    pub held: Vec<HeldLock>,
    /// Enum values added in the open transaction.
    pub enum_values_added: Vec<(Name, String)>,
    /// The configured anonymization profiles.
    pub profiles: PiiProfiles,
    /// The `lock_timeout` to recommend and to set in fixes (an SQL literal).
    pub recommended_lock_timeout: String,
    /// The runner sends the file as one query string of several statements: PostgreSQL runs them
    /// in implicit transaction blocks, whatever `BEGIN`/`COMMIT` the file has, so statements that
    /// refuse transaction blocks fail anywhere in it.
    pub one_query_string: bool,
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
            created: ByName::default(),
            column_types: ByName::default(),
            not_null_checks: ByName::default(),
            unvalidated_checks: ByName::default(),
            validated_checks: ByName::default(),
            not_valid_in_transaction: HashSet::new(),
            held: Vec::new(),
            enum_values_added: Vec::new(),
            profiles: settings.profiles.clone(),
            recommended_lock_timeout: settings.lock_timeout.clone(),
            one_query_string: false,
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
        self.created.get(&kind, name).is_some()
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
        self.column_types.get(column, table)
    }

    pub fn has_validated_not_null_check(&self, table: &Name, column: &str) -> bool {
        self.not_null_checks.get(column, table).is_some()
    }

    /// The table got a validated `CHECK` constraint earlier in the file.
    pub fn has_validated_check(&self, table: &Name) -> bool {
        self.validated_checks.any(table)
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
        // Only locks that block writes while they wait in the queue count (require-timeout-settings
        // reports the first such statement); a plain UPDATE's ROW EXCLUSIVE does not.
        if effects.iter().any(|e| e.mode.blocks_writes()) && !self.lock_timeout {
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
        if !super::history::is_understood(stmt) {
            // It may have changed any table it names: what is known about them goes.
            for word in super::history::words(&stmt.text) {
                let name = Name::bare(&word);
                self.column_types.remove_name(&name);
                self.not_null_checks.remove_name(&name);
                self.unvalidated_checks.remove_name(&name);
                self.validated_checks.remove_name(&name);
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
                self.created.insert(ObjectKind::Table, table, ());
                for c in columns {
                    if let Some(ty) = &c.ty {
                        self.column_types.insert(c.name.clone(), table, ty.clone());
                    }
                }
                for c in constraints {
                    if let ConstraintKind::Check {
                        not_null_column: Some(col),
                        ..
                    } = &c.kind
                        && !c.not_valid
                    {
                        self.not_null_checks
                            .insert(col.clone(), table, c.name.clone());
                    }
                }
            }
            Op::CreateIndex {
                name: Some(name), ..
            } => {
                self.created.insert(ObjectKind::Index, name, ());
            }
            Op::Create { kind, name, .. } => {
                self.created.insert(*kind, name, ());
            }
            Op::CreateEnum { name, .. } => {
                self.created.insert(ObjectKind::Type, name, ());
            }
            Op::CreateDomain { name, .. } => {
                self.created.insert(ObjectKind::Domain, name, ());
            }
            Op::AlterEnumAddValue { name, value } if self.in_transaction() => {
                self.enum_values_added.push((name.clone(), value.clone()));
            }
            Op::Drop { kind, names, .. } => {
                for n in names {
                    self.created.remove(kind, n);
                    if *kind == ObjectKind::Table {
                        self.column_types.remove_name(n);
                        self.not_null_checks.remove_name(n);
                        self.unvalidated_checks.remove_name(n);
                        self.validated_checks.remove_name(n);
                    }
                    // Columns of a dropped type (CASCADE) are gone, or unknown.
                    if matches!(kind, ObjectKind::Type | ObjectKind::Domain) {
                        self.column_types
                            .retain_all(|_, ty| !super::history::is_of_type(ty, n));
                    }
                }
            }
            Op::AlterTable { table, action, .. } => self.apply_table_action(table, action),
            // Columns of a renamed or dropped type no longer have the type of that name.
            Op::Rename {
                kind: ObjectKind::Type | ObjectKind::Domain,
                from,
                ..
            } => self
                .column_types
                .retain_all(|_, ty| !super::history::is_of_type(ty, from)),
            _ => {}
        }
    }

    fn apply_table_action(&mut self, table: &Name, action: &TableAction) {
        match action {
            TableAction::AddColumn { column, .. } => {
                if let Some(ty) = &column.ty {
                    self.column_types
                        .insert(column.name.clone(), table, ty.clone());
                }
            }
            TableAction::AlterColumnType { column, ty, .. } => {
                self.column_types.remove(column, table);
                self.column_types.insert(column.clone(), table, ty.clone());
            }
            TableAction::DropColumn { column, .. } => {
                self.column_types.remove(column, table);
                self.not_null_checks.remove(column, table);
            }
            TableAction::RenameColumn { from, to } => {
                if let Some(ty) = self.column_types.remove(from, table) {
                    self.column_types.insert(to.clone(), table, ty);
                }
                if let Some(name) = self.not_null_checks.remove(from, table) {
                    self.not_null_checks.insert(to.clone(), table, name);
                }
            }
            TableAction::RenameTable { to } => {
                let renamed = Name::new(table.schema.as_deref(), to);
                if self.is_new_table(table) {
                    self.created.insert(ObjectKind::Table, &renamed, ());
                }
                for (column, ty) in self.column_types.remove_name(table) {
                    self.column_types.insert(column, &renamed, ty);
                }
                for (column, name) in self.not_null_checks.remove_name(table) {
                    self.not_null_checks.insert(column, &renamed, name);
                }
                for (name, column) in self.unvalidated_checks.remove_name(table) {
                    self.unvalidated_checks.insert(name, &renamed, column);
                }
                for (name, ()) in self.validated_checks.remove_name(table) {
                    self.validated_checks.insert(name, &renamed, ());
                }
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
                    if c.not_valid {
                        if let Some(name) = &c.name {
                            self.unvalidated_checks.insert(
                                name.clone(),
                                table,
                                not_null_column.clone(),
                            );
                        }
                    } else {
                        self.validated_checks.insert(c.name.clone(), table, ());
                        if let Some(col) = not_null_column {
                            self.not_null_checks
                                .insert(col.clone(), table, c.name.clone());
                        }
                    }
                }
            }
            TableAction::ValidateConstraint { name } => {
                if let Some(not_null_column) = self.unvalidated_checks.remove(name, table) {
                    self.validated_checks.insert(Some(name.clone()), table, ());
                    if let Some(col) = not_null_column {
                        self.not_null_checks.insert(col, table, Some(name.clone()));
                    }
                }
            }
            TableAction::DropConstraint { name, .. } => {
                // An unnamed check may be the one PostgreSQL named `name`: it goes too.
                self.unvalidated_checks.remove(name, table);
                self.not_null_checks
                    .retain_for(table, |_, n| n.as_deref().is_some_and(|n| n != name));
                self.validated_checks
                    .retain_for(table, |n, _| n.as_deref().is_some_and(|n| n != name));
            }
            TableAction::RenameConstraint { from, to } => {
                if let Some(column) = self.unvalidated_checks.remove(from, table) {
                    self.unvalidated_checks.insert(to.clone(), table, column);
                }
                self.not_null_checks.for_each_for(table, |_, n| {
                    if n.as_deref() == Some(from.as_str()) {
                        *n = Some(to.clone());
                    }
                });
                if self
                    .validated_checks
                    .remove(&Some(from.clone()), table)
                    .is_some()
                {
                    self.validated_checks.insert(Some(to.clone()), table, ());
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

    /// Seeds the context with a column known from schema history (see `lint::history`), with
    /// its type. Unlike tables created in the file, its table is not new.
    pub fn know_column(&mut self, table: Name, column: String, ty: SqlType) {
        self.column_types.insert(column, &table, ty);
    }

    /// Seeds the context with an object created by an earlier migration that is not deployed yet:
    /// like a table created earlier in the file, it is new and empty.
    pub fn know_new(&mut self, kind: ObjectKind, name: &Name) {
        self.created.insert(kind, name, ());
    }

    /// Seeds the context with a `CHECK` constraint from schema history: `validated`, or added
    /// `NOT VALID` and not validated yet (a `VALIDATE CONSTRAINT` in the file then validates it).
    /// `not_null_column` is set for a `CHECK (col IS NOT NULL)`.
    pub fn know_check(
        &mut self,
        table: &Name,
        name: Option<&str>,
        not_null_column: Option<&str>,
        validated: bool,
    ) {
        if validated {
            let name = name.map(str::to_owned);
            self.validated_checks.insert(name.clone(), table, ());
            if let Some(col) = not_null_column {
                self.not_null_checks.insert(col.to_owned(), table, name);
            }
        } else if let Some(name) = name {
            self.unvalidated_checks.insert(
                name.to_owned(),
                table,
                not_null_column.map(str::to_owned),
            );
        }
    }
}

/// Facts about named objects, looked up the way [`Name::matches`] compares names (an unqualified
/// name matches any schema) in constant time: entries are grouped by the unqualified name, and
/// each group is small. A linear scan here made linting quadratic in the file's length.
#[derive(Clone, Debug)]
struct ByName<K, V> {
    groups: HashMap<String, Vec<Entry<K, V>>>,
}

#[derive(Clone, Debug)]
struct Entry<K, V> {
    key: K,
    schema: Option<String>,
    value: V,
}

impl<K, V> Default for ByName<K, V> {
    fn default() -> Self {
        ByName {
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

impl<K: PartialEq, V> ByName<K, V> {
    fn get<Q: PartialEq + ?Sized>(&self, key: &Q, name: &Name) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.groups
            .get(name.name.as_str())?
            .iter()
            .find(|e| e.key.borrow() == key && schemas_match(&e.schema, &name.schema))
            .map(|e| &e.value)
    }

    /// Adds or replaces the entry for exactly this key and name.
    fn insert(&mut self, key: K, name: &Name, value: V) {
        let group = self.groups.entry(name.name.clone()).or_default();
        match group
            .iter_mut()
            .find(|e| e.key == key && e.schema == name.schema)
        {
            Some(e) => e.value = value,
            None => group.push(Entry {
                key,
                schema: name.schema.clone(),
                value,
            }),
        }
    }

    /// Removes the first entry that matches, returning its value.
    fn remove<Q: PartialEq + ?Sized>(&mut self, key: &Q, name: &Name) -> Option<V>
    where
        K: Borrow<Q>,
    {
        let group = self.groups.get_mut(name.name.as_str())?;
        let i = group
            .iter()
            .position(|e| e.key.borrow() == key && schemas_match(&e.schema, &name.schema))?;
        Some(group.swap_remove(i).value)
    }

    /// Keeps, under every name, only the entries `keep` says to keep.
    fn retain_all(&mut self, mut keep: impl FnMut(&K, &V) -> bool) {
        for group in self.groups.values_mut() {
            group.retain(|e| keep(&e.key, &e.value));
        }
    }

    /// Whether any entry is under a matching name.
    fn any(&self, name: &Name) -> bool {
        self.groups
            .get(name.name.as_str())
            .is_some_and(|group| group.iter().any(|e| schemas_match(&e.schema, &name.schema)))
    }

    /// Keeps, under a matching name, only the entries `keep` says to keep.
    fn retain_for(&mut self, name: &Name, mut keep: impl FnMut(&K, &V) -> bool) {
        if let Some(group) = self.groups.get_mut(name.name.as_str()) {
            group.retain(|e| !schemas_match(&e.schema, &name.schema) || keep(&e.key, &e.value));
        }
    }

    /// Calls `f` on every entry under a matching name.
    fn for_each_for(&mut self, name: &Name, mut f: impl FnMut(&K, &mut V)) {
        if let Some(group) = self.groups.get_mut(name.name.as_str()) {
            for e in group
                .iter_mut()
                .filter(|e| schemas_match(&e.schema, &name.schema))
            {
                f(&e.key, &mut e.value);
            }
        }
    }

    /// Removes every entry under a matching name, returning keys and values.
    fn remove_name(&mut self, name: &Name) -> Vec<(K, V)> {
        let Some(group) = self.groups.get_mut(name.name.as_str()) else {
            return Vec::new();
        };
        let (gone, kept): (Vec<_>, Vec<_>) = std::mem::take(group)
            .into_iter()
            .partition(|e| schemas_match(&e.schema, &name.schema));
        *group = kept;
        gone.into_iter().map(|e| (e.key, e.value)).collect()
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
