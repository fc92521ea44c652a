//! The operations a statement performs, independent of how it was parsed.
//!
//! Rules never look at sqlparser's AST. A statement is lowered into a list of
//! [`Op`]s, either from the AST (`lower.rs`) or, for statements sqlparser
//! rejects, from the token stream (`fallback.rs`). Keeping rules on this small
//! vocabulary means a sqlparser upgrade touches one file, and a rule fires the
//! same way whichever path recognised the statement.

use std::fmt;

/// A possibly schema-qualified object name, normalised the way PostgreSQL
/// folds identifiers: unquoted parts are lower-cased, quoted parts kept as is.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name {
    pub schema: Option<String>,
    pub name: String,
}

impl Name {
    pub fn new(schema: Option<&str>, name: &str) -> Name {
        Name {
            schema: schema.map(str::to_owned),
            name: name.to_owned(),
        }
    }

    /// An unqualified name.
    pub fn bare(name: &str) -> Name {
        Name::new(None, name)
    }

    /// True when both names can refer to the same object: equal names, and
    /// schemas equal or at least one side unqualified (we do not know the
    /// search_path, so `orders` and `public.orders` are taken to match).
    pub fn matches(&self, other: &Name) -> bool {
        self.name == other.name
            && match (&self.schema, &other.schema) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.schema {
            Some(schema) => write!(f, "{}.{}", quote_ident(schema), quote_ident(&self.name)),
            None => write!(f, "{}", quote_ident(&self.name)),
        }
    }
}

/// Quotes an identifier only when PostgreSQL needs it to be quoted.
pub fn quote_ident(ident: &str) -> String {
    let plain = !ident.is_empty()
        && ident
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && ident
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    if plain {
        ident.to_owned()
    } else {
        format!("\"{}\"", ident.replace('"', "\"\""))
    }
}

/// A column type, canonicalised: `int`/`integer`/`int4` are all `integer`,
/// `character varying` is `varchar`, `timestamp with time zone` is
/// `timestamptz`, and so on. `args` holds the type modifiers
/// (`varchar(100)` -> `[100]`, `numeric(12,2)` -> `[12, 2]`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SqlType {
    /// Canonical lower-case name: `smallint`, `integer`, `bigint`, `smallserial`, `serial`,
    /// `bigserial`, `numeric`, `real`, `double precision`, `varchar`, `char`, `text`,
    /// `timestamp`, `timestamptz`, `time`, `timetz`, `date`, `interval`, `json`, `jsonb`,
    /// `boolean`, `uuid`, `bytea`, ... or the user type's name as written (lower-cased unless quoted).
    pub name: String,
    pub args: Vec<u64>,
    /// `text[]`, `integer ARRAY`.
    pub array: bool,
    /// The type as written in the SQL, for messages.
    pub written: String,
}

impl SqlType {
    pub fn is(&self, name: &str) -> bool {
        !self.array && self.name == name
    }
}

impl fmt::Display for SqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.written)
    }
}

/// How often a default expression's value can change, which decides whether
/// `ADD COLUMN ... DEFAULT` rewrites the table (PostgreSQL 11+ stores a
/// non-volatile default in the catalog instead).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Volatility {
    /// A literal, a cast of a literal, `-1`, `NULL`.
    Constant,
    /// Stable or immutable: `now()`, `CURRENT_DATE`, `lower('X')`: evaluated once.
    NonVolatile,
    /// `random()`, `gen_random_uuid()`, `clock_timestamp()`, `nextval(...)`: one value per row.
    Volatile,
    /// A function we do not know (user-defined): its volatility is in the database, not the migration.
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expr {
    /// The expression as written.
    pub text: String,
    pub volatility: Volatility,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Generated {
    /// `GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY`.
    Identity,
    /// `GENERATED ALWAYS AS (expr) STORED`.
    Stored,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnDef {
    pub name: String,
    /// `None` only when the token fallback could not read the type.
    pub ty: Option<SqlType>,
    pub default: Option<Expr>,
    pub not_null: bool,
    pub primary_key: bool,
    pub unique: bool,
    /// An inline `REFERENCES other (col)`.
    pub references: Option<Name>,
    /// An inline `CHECK (...)`.
    pub check: Option<String>,
    pub generated: Option<Generated>,
}

impl ColumnDef {
    /// A column with a name and type and no constraints yet; parsers fill in the rest.
    pub fn new(name: String, ty: Option<SqlType>) -> ColumnDef {
        ColumnDef {
            name,
            ty,
            default: None,
            not_null: false,
            primary_key: false,
            unique: false,
            references: None,
            check: None,
            generated: None,
        }
    }

    /// `serial`, `bigserial`, `smallserial`: a sequence default filled for every existing row.
    pub fn is_serial(&self) -> bool {
        self.ty
            .as_ref()
            .is_some_and(|t| matches!(t.name.as_str(), "serial" | "bigserial" | "smallserial"))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConstraintKind {
    PrimaryKey {
        columns: Vec<String>,
        /// `ADD PRIMARY KEY USING INDEX idx`: no index build under the lock.
        using_index: Option<String>,
    },
    Unique {
        columns: Vec<String>,
        using_index: Option<String>,
    },
    ForeignKey {
        columns: Vec<String>,
        references: Name,
    },
    Check {
        expr: String,
        /// `Some(col)` when the check is exactly `col IS NOT NULL`: on PostgreSQL 12+ a validated
        /// one lets `SET NOT NULL` skip its scan.
        not_null_column: Option<String>,
    },
    Exclusion,
    /// PostgreSQL 18 named `NOT NULL` constraint: `ADD CONSTRAINT nn NOT NULL col`.
    NotNull {
        column: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Constraint {
    pub name: Option<String>,
    pub kind: ConstraintKind,
    pub not_valid: bool,
}

/// One action of an `ALTER TABLE`; a statement with several actions is lowered
/// into several [`Op::AlterTable`]s on the same table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TableAction {
    AddColumn {
        column: ColumnDef,
        if_not_exists: bool,
    },
    DropColumn {
        column: String,
        if_exists: bool,
    },
    AlterColumnType {
        column: String,
        ty: SqlType,
        using: Option<String>,
    },
    SetNotNull {
        column: String,
    },
    DropNotNull {
        column: String,
    },
    SetDefault {
        column: String,
        default: Expr,
    },
    DropDefault {
        column: String,
    },
    AddConstraint(Constraint),
    ValidateConstraint {
        name: String,
    },
    DropConstraint {
        name: String,
        if_exists: bool,
    },
    /// `ALTER CONSTRAINT name [NOT] DEFERRABLE ...`.
    AlterConstraint {
        name: String,
    },
    RenameColumn {
        from: String,
        to: String,
    },
    RenameTable {
        to: String,
    },
    RenameConstraint {
        from: String,
        to: String,
    },
    AttachPartition {
        partition: Name,
    },
    DetachPartition {
        partition: Name,
        concurrently: bool,
        finalize: bool,
    },
    SetTablespace,
    SetLogged,
    SetUnlogged,
    SetAccessMethod,
    /// `SET SCHEMA`.
    SetSchema {
        schema: String,
    },
    /// Anything else (`OWNER TO`, `ENABLE TRIGGER`, `SET (fillfactor = ...)`, `ALTER COLUMN SET
    /// STATISTICS`, ...). The keyword text is kept for messages.
    Other {
        what: String,
    },
}

/// Kinds of objects for the generic create/drop/rename operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    Table,
    Index,
    View,
    MaterializedView,
    Sequence,
    Function,
    Procedure,
    Type,
    Domain,
    Extension,
    Trigger,
    Policy,
    Schema,
    Database,
    Statistics,
    Rule,
    Role,
    Other,
}

impl ObjectKind {
    pub fn sql(self) -> &'static str {
        match self {
            ObjectKind::Table => "TABLE",
            ObjectKind::Index => "INDEX",
            ObjectKind::View => "VIEW",
            ObjectKind::MaterializedView => "MATERIALIZED VIEW",
            ObjectKind::Sequence => "SEQUENCE",
            ObjectKind::Function => "FUNCTION",
            ObjectKind::Procedure => "PROCEDURE",
            ObjectKind::Type => "TYPE",
            ObjectKind::Domain => "DOMAIN",
            ObjectKind::Extension => "EXTENSION",
            ObjectKind::Trigger => "TRIGGER",
            ObjectKind::Policy => "POLICY",
            ObjectKind::Schema => "SCHEMA",
            ObjectKind::Database => "DATABASE",
            ObjectKind::Statistics => "STATISTICS",
            ObjectKind::Rule => "RULE",
            ObjectKind::Role => "ROLE",
            ObjectKind::Other => "OBJECT",
        }
    }

    /// Lower-case, for prose: "drops the view orders_v".
    pub fn noun(self) -> String {
        self.sql().to_ascii_lowercase()
    }
}

/// A lock mode named in `LOCK TABLE ... IN <mode> MODE`, or taken by a statement.
/// Ordered from weakest to strongest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LockMode {
    AccessShare,
    RowShare,
    RowExclusive,
    ShareUpdateExclusive,
    Share,
    ShareRowExclusive,
    Exclusive,
    AccessExclusive,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DmlKind {
    Insert,
    Update,
    Delete,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransactionOp {
    /// `BEGIN`, `START TRANSACTION`.
    Begin,
    /// `COMMIT`, `END`.
    Commit,
    /// `ROLLBACK` (not `ROLLBACK TO SAVEPOINT`).
    Rollback,
    /// `SAVEPOINT`, `RELEASE`, `ROLLBACK TO`: no effect on whether a transaction is open.
    Savepoint,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReindexTarget {
    Index,
    Table,
    Schema,
    Database,
    System,
}

/// What one statement does. Most statements lower to exactly one `Op`;
/// `ALTER TABLE` lowers to one per action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Transaction(TransactionOp),
    /// `SET [LOCAL|SESSION] name = value` / `SET name TO value` / `RESET name`
    /// (`value: None`), and `SELECT set_config('name', 'value', is_local)`.
    Set {
        name: String,
        value: Option<String>,
        local: bool,
    },
    CreateTable {
        table: Name,
        columns: Vec<ColumnDef>,
        constraints: Vec<Constraint>,
        /// `PARTITION OF parent`.
        partition_of: Option<Name>,
        /// `CREATE TABLE ... AS SELECT` / `SELECT INTO`.
        as_query: bool,
        if_not_exists: bool,
        temporary: bool,
    },
    CreateIndex {
        name: Option<Name>,
        table: Name,
        unique: bool,
        concurrently: bool,
        if_not_exists: bool,
        /// `ON ONLY parent`: builds nothing, the partitions' indexes are attached later.
        only: bool,
    },
    AlterTable {
        table: Name,
        only: bool,
        if_exists: bool,
        action: TableAction,
    },
    /// `ALTER INDEX ... ATTACH PARTITION`, `ALTER INDEX ... SET TABLESPACE` and others
    /// on an index that are not renames.
    AlterIndex {
        index: Name,
        what: String,
    },
    Drop {
        kind: ObjectKind,
        names: Vec<Name>,
        if_exists: bool,
        cascade: bool,
        /// `DROP INDEX CONCURRENTLY`.
        concurrently: bool,
        /// For triggers, policies and rules: the table they are on.
        on_table: Option<Name>,
    },
    /// Any other `CREATE` (view, function, sequence, type, extension, schema, trigger, policy,
    /// statistics, ...). Enum types and domains have their own ops.
    Create {
        kind: ObjectKind,
        name: Name,
        /// For triggers, policies and rules: the table they are on.
        on_table: Option<Name>,
        or_replace: bool,
    },
    /// `ALTER <kind> old RENAME TO new` for anything that is not a table (tables use
    /// [`TableAction::RenameTable`]).
    Rename {
        kind: ObjectKind,
        from: Name,
        to: String,
    },
    CreateEnum {
        name: Name,
        values: Vec<String>,
    },
    /// `ALTER TYPE name ADD VALUE [IF NOT EXISTS] 'value'`.
    AlterEnumAddValue {
        name: Name,
        value: String,
    },
    CreateDomain {
        name: Name,
        has_constraint: bool,
    },
    AlterDomainAddConstraint {
        name: Name,
        not_valid: bool,
    },
    Truncate {
        tables: Vec<Name>,
    },
    Vacuum {
        full: bool,
        tables: Vec<Name>,
    },
    Cluster {
        table: Option<Name>,
    },
    Reindex {
        target: ReindexTarget,
        name: Name,
        concurrently: bool,
    },
    RefreshMaterializedView {
        name: Name,
        concurrently: bool,
    },
    LockTable {
        tables: Vec<Name>,
        mode: LockMode,
    },
    Dml {
        kind: DmlKind,
        table: Name,
        /// `UPDATE`/`DELETE` with a `WHERE` clause.
        has_where: bool,
        /// `INSERT ... SELECT ... FROM <these tables>` (empty for `VALUES`).
        select_from: Vec<Name>,
        /// The `INSERT ... SELECT` has a `WHERE` or `LIMIT` narrowing it.
        select_filtered: bool,
    },
    CommentOn {
        kind: ObjectKind,
        name: Name,
    },
    /// `DO $$ ... $$`: the engine lints the body's statements separately; the op itself only
    /// records that the block was there.
    DoBlock,
    /// Anything else (`GRANT`, `SELECT`, `ANALYZE`, `CREATE ROLE`, ...): no rule cares, but
    /// it still runs inside any open transaction.
    Other {
        /// The leading keywords, upper-cased, for messages: `GRANT`, `ANALYZE`.
        keyword: String,
    },
}
