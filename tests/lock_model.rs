//! Checks what pgward says about locks against a real PostgreSQL server.
//!
//! - `rule_lock_claims_hold`: every rule whose doc (`rules/<id>.toml`) has a `[lock]` table: its
//!   first bad example (after the claim's `setup`) takes that lock mode on that table, and
//!   rewrites it or not as claimed.
//! - `lock_model_matches_the_server`: the lock model (`src/lint/locks.rs`) for 55 statements of
//!   `../shared/pg15-locks.md`, from hand-built operations; and the lowering (`parse_file`) must
//!   give operations the model treats the same way, so the whole path from SQL to lock is checked.
//!
//! Each statement runs inside `BEGIN ... ROLLBACK` on a database loaded with
//! `fixtures/lock_model/schema.sql`. What it did is read inside the transaction: the strongest lock
//! the backend holds on each relation (`pg_locks`), and which tables got a new file
//! (`pg_relation_filenode` changed: a rewrite, or TRUNCATE's empty file).

mod support;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use pgward::lint::context::{Context, FileSettings};
use pgward::lint::locks::{self, Target};
use pgward::lint::ops::{
    ColumnDef, Constraint, ConstraintKind, DmlKind, Expr, Generated, LockMode, Name, ObjectKind,
    Op, ReindexTarget, SqlType, TableAction, Volatility,
};
use pgward::lint::rules::{Example, LockClaim, RuleId};
use tokio_postgres::Client;

const SCHEMA: &str = include_str!("../fixtures/lock_model/schema.sql");

/// A fresh database with the fixture schema, and a session that fails fast instead of waiting.
async fn fixture_database(name: &str) -> Client {
    let url = support::database(name).await;
    let client = support::connect(&url).await;
    client
        .batch_execute(SCHEMA)
        .await
        .unwrap_or_else(|e| panic!("fixtures/lock_model/schema.sql: {}", support::message(&e)));
    // UTC: `timestamp` -> `timestamptz` is then binary-coercible, as pg15-locks.md measured it.
    client
        .batch_execute("SET TimeZone = 'UTC'; SET lock_timeout = '10s'")
        .await
        .unwrap_or_else(|e| panic!("{}", support::message(&e)));
    client
}

/// A relation of the fixture schema, as it was before the statement ran.
struct Relation {
    name: String,
    /// `pg_class.relkind`: `r` table, `p` partitioned table, `m` materialized view, `i` index...
    kind: String,
    filenode: Option<u32>,
}

/// What a statement did to the relations that existed before it.
#[derive(Debug, Default)]
struct Observed {
    /// The strongest lock the backend holds on each table, partitioned table, view and
    /// materialized view (indexes, sequences and relations the statement created are left out).
    locks: BTreeMap<String, LockMode>,
    /// Tables and materialized views whose `relfilenode` changed.
    new_file: BTreeSet<String>,
}

async fn relations(client: &Client) -> Result<HashMap<u32, Relation>, String> {
    let rows = client
        .query(
            "SELECT c.oid, c.relname::text, c.relkind::text, pg_relation_filenode(c.oid) \
             FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace",
            &[],
        )
        .await
        .map_err(|e| support::message(&e))?;
    Ok(rows
        .iter()
        .map(|r| {
            let rel = Relation {
                name: r.get(1),
                kind: r.get(2),
                filenode: r.get(3),
            };
            (r.get(0), rel)
        })
        .collect())
}

/// Runs `statements` in a transaction that is rolled back, and reports what they locked and
/// rewrote.
async fn observe(client: &Client, statements: &[&str]) -> Result<Observed, String> {
    let before = relations(client).await?;
    client
        .batch_execute("BEGIN")
        .await
        .map_err(|e| support::message(&e))?;
    let observed = observe_in_transaction(client, statements, &before).await;
    client
        .batch_execute("ROLLBACK")
        .await
        .map_err(|e| support::message(&e))?;
    observed
}

async fn observe_in_transaction(
    client: &Client,
    statements: &[&str],
    before: &HashMap<u32, Relation>,
) -> Result<Observed, String> {
    for sql in statements {
        client
            .batch_execute(sql)
            .await
            .map_err(|e| format!("`{sql}` failed: {}", support::message(&e)))?;
    }
    let rows = client
        .query(
            "SELECT relation, mode FROM pg_locks \
             WHERE pid = pg_backend_pid() AND locktype = 'relation' AND granted \
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            &[],
        )
        .await
        .map_err(|e| support::message(&e))?;
    let mut observed = Observed::default();
    for row in rows {
        let oid: u32 = row.get(0);
        let mode: String = row.get(1);
        let Some(rel) = before.get(&oid) else {
            continue;
        };
        if !matches!(rel.kind.as_str(), "r" | "p" | "m" | "v") {
            continue;
        }
        let mode = LockMode::parse(&mode).ok_or_else(|| format!("unknown lock mode {mode}"))?;
        let held = observed.locks.entry(rel.name.clone()).or_insert(mode);
        *held = (*held).max(mode);
    }
    let after = relations(client).await?;
    for (oid, rel) in before {
        if !matches!(rel.kind.as_str(), "r" | "m") {
            continue;
        }
        if let (Some(old), Some(Some(new))) = (rel.filenode, after.get(oid).map(|r| r.filenode))
            && old != new
        {
            observed.new_file.insert(rel.name.clone());
        }
    }
    Ok(observed)
}

/// The statements of `sql`, each to run on its own.
fn split_statements(sql: &str) -> Vec<&str> {
    pgward::lint::split::split(sql)
        .statements
        .into_iter()
        .map(|span| &sql[span])
        .collect()
}

/// The statements of a doc example to run inside our transaction: its own `BEGIN`/`COMMIT` would
/// end ours, so they are left out.
fn example_statements(sql: &str) -> Vec<&str> {
    split_statements(sql)
        .into_iter()
        .filter(|stmt| !is_transaction_control(stmt))
        .collect()
}

fn is_transaction_control(stmt: &str) -> bool {
    let mut words = stmt
        .split_whitespace()
        .map(|w| w.trim_end_matches(';').to_ascii_uppercase());
    match words.next().as_deref() {
        Some("BEGIN" | "START" | "COMMIT" | "END" | "ABORT") => true,
        Some("ROLLBACK") => words.next().as_deref() != Some("TO"),
        _ => false,
    }
}

#[tokio::test]
async fn rule_lock_claims_hold() {
    let claims: Vec<_> = RuleId::ALL
        .iter()
        .filter_map(|rule| Some((*rule, rule.doc().lock.as_ref()?)))
        .collect();
    if claims.is_empty() {
        eprintln!("no rule doc has a [lock] table yet: nothing to check");
        return;
    }
    // Examples are rolled back, so they share a database; a claim's setup is committed, so a claim
    // with one gets a database of its own.
    let shared = fixture_database("rule_lock_claims").await;
    let server_major = server_major(&shared).await;
    let mut failures = Vec::new();
    for (i, (rule, claim)) in claims.into_iter().enumerate() {
        let file = format!("rules/{rule}.toml");
        let own_db = format!("rule_lock_claim_{i}");
        match rule.doc().example.first() {
            Some(example) => {
                let found = check_claim(&shared, &own_db, &file, claim, example, server_major);
                failures.extend(found.await);
            }
            None => failures.push(format!(
                "{file}: has a [lock] table but no [[example]] to check it with"
            )),
        }
    }
    assert!(failures.is_empty(), "\n{}\n", failures.join("\n"));
}

/// The checker itself, on claims written here: it accepts a true one and reports false ones.
#[tokio::test]
async fn claim_check_tells_true_claims_from_false() {
    let client = fixture_database("claim_check").await;
    let major = server_major(&client).await;
    let example = |bad: &str| Example {
        bad: bad.to_owned(),
        good: String::new(),
        pg_version: None,
        assume_in_transaction: false,
        profile: None,
    };
    let claim = |table: &str, mode: &str, rewrites| LockClaim {
        table: table.to_owned(),
        mode: mode.to_owned(),
        rewrites,
        setup: None,
    };
    let index = example("CREATE INDEX orders_amount_idx ON orders (amount);");
    let uuid = example("ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();");
    let check = |c: LockClaim, e: &Example| {
        let (client, e) = (&client, e.clone());
        async move { check_claim(client, "claim_check_setup", "t.toml", &c, &e, major).await }
    };

    assert_eq!(
        check(claim("orders", "SHARE", false), &index).await,
        Vec::<String>::new()
    );
    assert_eq!(
        check(claim("public.orders", "ACCESS EXCLUSIVE", true), &uuid).await,
        Vec::<String>::new()
    );
    let wrong = check(claim("orders", "ACCESS EXCLUSIVE", true), &index).await;
    assert_eq!(wrong.len(), 2, "{wrong:?}");
    assert!(wrong[0].contains("the server holds SHARE"), "{wrong:?}");
    assert!(wrong[1].contains("did not rewrite"), "{wrong:?}");
    let elsewhere = check(claim("customers", "SHARE", false), &index).await;
    assert!(elsewhere[0].contains("holds no lock"), "{elsewhere:?}");
    let bad_mode = check(claim("orders", "SHARED", false), &index).await;
    assert!(bad_mode[0].contains("is not a lock mode"), "{bad_mode:?}");
    let broken = check(claim("orders", "SHARE", false), &example("DROP INDEX nope")).await;
    assert!(broken[0].contains("does not exist"), "{broken:?}");
    let other_version = Example {
        pg_version: Some(major - 1),
        ..index.clone()
    };
    assert!(
        check(claim("orders", "ACCESS EXCLUSIVE", true), &other_version)
            .await
            .is_empty()
    );
    // A setup runs first, committed, in a database of its own; the example's BEGIN/COMMIT are
    // left out so that the locks are read before the rollback.
    let with_setup = LockClaim {
        setup: Some("CREATE TABLE order_archive AS SELECT id, total FROM orders;".to_owned()),
        ..claim("order_archive", "ACCESS EXCLUSIVE", false)
    };
    let add_pk = example("BEGIN;\nALTER TABLE order_archive ADD PRIMARY KEY (id);\nCOMMIT;");
    assert_eq!(check(with_setup, &add_pk).await, Vec::<String>::new());
    let archive: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_class WHERE relname = 'order_archive'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(archive, 0, "the setup ran in the shared database");
}

async fn server_major(client: &Client) -> u32 {
    let version: String = client
        .query_one("SHOW server_version_num", &[])
        .await
        .map(|row| row.get(0))
        .unwrap_or_else(|e| panic!("{}", support::message(&e)));
    version.parse::<u32>().unwrap_or(0) / 10_000
}

/// What is wrong with one `[lock]` claim about `example` (from `file`); empty when it holds.
/// Runs in `shared`, or, when the claim has a setup, in a new database `own_db`.
async fn check_claim(
    shared: &Client,
    own_db: &str,
    file: &str,
    claim: &LockClaim,
    example: &Example,
    server_major: u32,
) -> Vec<String> {
    if let Some(v) = example.pg_version.filter(|v| *v != server_major) {
        eprintln!(
            "{file}: the example is for PostgreSQL {v}, the server is {server_major}: skipped"
        );
        return Vec::new();
    }
    let Some(mode) = LockMode::parse(&claim.mode) else {
        return vec![format!(
            "{file}: [lock] mode {:?} is not a lock mode (write e.g. \"ACCESS EXCLUSIVE\")",
            claim.mode
        )];
    };
    let own;
    let client = match &claim.setup {
        None => shared,
        Some(setup) => {
            own = fixture_database(own_db).await;
            for sql in split_statements(setup) {
                if let Err(e) = own.batch_execute(sql).await {
                    return vec![format!(
                        "{file}: [lock] setup `{sql}` failed: {}",
                        support::message(&e)
                    )];
                }
            }
            &own
        }
    };
    let table = claim.table.strip_prefix("public.").unwrap_or(&claim.table);
    let seen = match observe(client, &example_statements(&example.bad)).await {
        Ok(seen) => seen,
        Err(e) => {
            return vec![format!(
                "{file}: the first bad example does not run on fixtures/lock_model/schema.sql: {e}"
            )];
        }
    };
    let mut failures = Vec::new();
    let held = seen.locks.get(table).copied();
    if held != Some(mode) {
        failures.push(format!(
            "{file}: [lock] claims {mode} on {table}; the server holds {} (all it holds: {:?})",
            held.map_or("no lock".to_owned(), |m| m.to_string()),
            seen.locks
        ));
    }
    let rewrote = seen.new_file.contains(table);
    if rewrote != claim.rewrites {
        failures.push(format!(
            "{file}: [lock] claims rewrites = {}; the server {} {table}",
            claim.rewrites,
            if rewrote {
                "rewrote"
            } else {
                "did not rewrite"
            }
        ));
    }
    failures
}

/// One statement of pg15-locks.md, with the operations the lowering should produce for it.
struct Case {
    sql: &'static str,
    ops: Vec<Op>,
    /// Set when locks.rs is known to disagree with the server here, saying why. The test then
    /// checks that the disagreement is still there, so fixing locks.rs flags the note for removal.
    known: Option<&'static str>,
}

fn case(sql: &'static str, op: Op) -> Case {
    Case {
        sql,
        ops: vec![op],
        known: None,
    }
}

impl Case {
    fn known(mut self, why: &'static str) -> Case {
        self.known = Some(why);
        self
    }
}

fn n(name: &str) -> Name {
    Name::bare(name)
}

/// `varchar(200)` -> name `varchar`, args `[200]`. Names must already be canonical.
fn ty(written: &str) -> SqlType {
    let (name, args) = match written.split_once('(') {
        Some((name, args)) => (
            name,
            args.trim_end_matches(')')
                .split(',')
                .map(|a| a.trim().parse().expect("numeric type modifier"))
                .collect(),
        ),
        None => (written, Vec::new()),
    };
    SqlType {
        name: name.to_owned(),
        args,
        array: false,
        written: written.to_owned(),
    }
}

fn column(name: &str, type_: &str) -> ColumnDef {
    ColumnDef {
        name: name.to_owned(),
        ty: Some(ty(type_)),
        default: None,
        not_null: false,
        primary_key: false,
        unique: false,
        references: None,
        check: None,
        generated: None,
    }
}

fn with_default(mut c: ColumnDef, text: &str, volatility: Volatility) -> ColumnDef {
    c.default = Some(Expr {
        text: text.to_owned(),
        volatility,
    });
    c
}

fn alter(table: &str, action: TableAction) -> Op {
    Op::AlterTable {
        table: n(table),
        only: false,
        if_exists: false,
        action,
    }
}

fn add_column(table: &str, column: ColumnDef) -> Op {
    alter(
        table,
        TableAction::AddColumn {
            column,
            if_not_exists: false,
        },
    )
}

fn add_constraint(table: &str, name: &str, kind: ConstraintKind, not_valid: bool) -> Op {
    alter(
        table,
        TableAction::AddConstraint(Constraint {
            name: Some(name.to_owned()),
            kind,
            not_valid,
        }),
    )
}

fn alter_type(table: &str, column: &str, type_: &str) -> Op {
    alter(
        table,
        TableAction::AlterColumnType {
            column: column.to_owned(),
            ty: ty(type_),
            using: None,
        },
    )
}

fn other(table: &str, what: &str) -> Op {
    alter(
        table,
        TableAction::Other {
            what: what.to_owned(),
        },
    )
}

fn drop_object(kind: ObjectKind, name: &str) -> Op {
    Op::Drop {
        kind,
        names: vec![n(name)],
        if_exists: false,
        cascade: false,
        concurrently: false,
        on_table: None,
    }
}

fn create_index(name: &str, table: &str, unique: bool) -> Op {
    Op::CreateIndex {
        name: Some(n(name)),
        table: n(table),
        unique,
        concurrently: false,
        if_not_exists: false,
        only: false,
    }
}

fn foreign_key(column: &str, references: &str) -> ConstraintKind {
    ConstraintKind::ForeignKey {
        columns: vec![column.to_owned()],
        references: n(references),
    }
}

/// What the linter knows about the fixture's columns, as it would from the migration history.
fn context() -> Context {
    let mut ctx = Context::new(&FileSettings::default());
    for (table, column, type_) in [
        ("orders", "note", "varchar(100)"),
        ("orders", "amount", "numeric(12,2)"),
        ("orders", "created_at", "timestamp"),
        ("orders", "email", "text"),
        ("order_items", "qty", "integer"),
    ] {
        ctx.know_column(n(table), column.to_owned(), ty(type_));
    }
    ctx
}

/// The statements of pg15-locks.md that can run inside a transaction block. Left out: everything
/// `CONCURRENTLY` and `VACUUM` (they refuse to run in one), and `SET TABLESPACE` (the fixture has
/// no second tablespace, and moving to the current one does nothing).
fn cases() -> Vec<Case> {
    use LockMode::*;
    use TableAction as A;
    let col = |s: &str| s.to_owned();
    let check = |expr: &str| ConstraintKind::Check {
        expr: expr.to_owned(),
        not_null_column: None,
    };
    vec![
        case(
            "CREATE INDEX orders_amount_idx ON orders (amount)",
            create_index("orders_amount_idx", "orders", false),
        ),
        case(
            "CREATE UNIQUE INDEX orders_email_idx ON orders (email)",
            create_index("orders_email_idx", "orders", true),
        ),
        case(
            "CREATE INDEX events_id_idx ON events (id)",
            create_index("events_id_idx", "events", false),
        )
        .known(
            "on a partitioned table CREATE INDEX also takes SHARE on every partition (and builds \
             the index on each); locks.rs names only the parent",
        ),
        case(
            "DROP INDEX orders_created_idx",
            drop_object(ObjectKind::Index, "orders_created_idx"),
        ),
        case(
            "ALTER TABLE order_items ADD CONSTRAINT order_items_order_fk \
             FOREIGN KEY (order_id) REFERENCES orders (id)",
            add_constraint(
                "order_items",
                "order_items_order_fk",
                foreign_key("order_id", "orders"),
                false,
            ),
        ),
        case(
            "ALTER TABLE order_items ADD CONSTRAINT order_items_order_fk \
             FOREIGN KEY (order_id) REFERENCES orders (id) NOT VALID",
            add_constraint(
                "order_items",
                "order_items_order_fk",
                foreign_key("order_id", "orders"),
                true,
            ),
        ),
        case(
            "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0)",
            add_constraint("orders", "orders_total_positive", check("total > 0"), false),
        ),
        case(
            "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID",
            add_constraint("orders", "orders_total_positive", check("total > 0"), true),
        ),
        case(
            "ALTER TABLE orders VALIDATE CONSTRAINT orders_amount_positive",
            alter(
                "orders",
                A::ValidateConstraint {
                    name: col("orders_amount_positive"),
                },
            ),
        ),
        case(
            "ALTER TABLE orders ADD CONSTRAINT orders_email_key UNIQUE (email)",
            add_constraint(
                "orders",
                "orders_email_key",
                ConstraintKind::Unique {
                    columns: vec![col("email")],
                    using_index: None,
                },
                false,
            ),
        ),
        case(
            "ALTER TABLE import_rows ADD CONSTRAINT import_rows_pkey PRIMARY KEY (line_no)",
            add_constraint(
                "import_rows",
                "import_rows_pkey",
                ConstraintKind::PrimaryKey {
                    columns: vec![col("line_no")],
                    using_index: None,
                },
                false,
            ),
        ),
        case(
            "ALTER TABLE import_rows ADD CONSTRAINT import_rows_pkey \
             PRIMARY KEY USING INDEX import_rows_line_no_idx",
            add_constraint(
                "import_rows",
                "import_rows_pkey",
                ConstraintKind::PrimaryKey {
                    columns: Vec::new(),
                    using_index: Some(col("import_rows_line_no_idx")),
                },
                false,
            ),
        ),
        case(
            "ALTER TABLE orders ALTER COLUMN email SET NOT NULL",
            alter("orders", A::SetNotNull { column: col("email") }),
        ),
        case(
            "ALTER TABLE orders ADD COLUMN source text NOT NULL DEFAULT 'web'",
            add_column(
                "orders",
                ColumnDef {
                    not_null: true,
                    ..with_default(column("source", "text"), "'web'", Volatility::Constant)
                },
            ),
        ),
        case(
            "ALTER TABLE orders ADD COLUMN imported_at timestamptz DEFAULT now()",
            add_column(
                "orders",
                with_default(
                    column("imported_at", "timestamptz"),
                    "now()",
                    Volatility::NonVolatile,
                ),
            ),
        ),
        case(
            "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid()",
            add_column(
                "orders",
                with_default(
                    column("token", "uuid"),
                    "gen_random_uuid()",
                    Volatility::Volatile,
                ),
            ),
        ),
        case(
            "ALTER TABLE orders ADD COLUMN line_no serial",
            add_column("orders", column("line_no", "serial")),
        ),
        case(
            "ALTER TABLE orders ADD COLUMN number bigint GENERATED ALWAYS AS IDENTITY",
            add_column(
                "orders",
                ColumnDef {
                    generated: Some(Generated::Identity),
                    not_null: true,
                    ..column("number", "bigint")
                },
            ),
        ),
        case(
            "ALTER TABLE orders ADD COLUMN doubled numeric GENERATED ALWAYS AS (amount * 2) STORED",
            add_column(
                "orders",
                ColumnDef {
                    generated: Some(Generated::Stored),
                    ..column("doubled", "numeric")
                },
            ),
        ),
        case(
            "ALTER TABLE orders ADD COLUMN buyer_id bigint REFERENCES customers (id)",
            add_column(
                "orders",
                ColumnDef {
                    references: Some(n("customers")),
                    ..column("buyer_id", "bigint")
                },
            ),
        ),
        case(
            "ALTER TABLE orders ALTER COLUMN note TYPE varchar(200)",
            alter_type("orders", "note", "varchar(200)"),
        ),
        case(
            "ALTER TABLE orders ALTER COLUMN note TYPE text",
            alter_type("orders", "note", "text"),
        ),
        case(
            "ALTER TABLE orders ALTER COLUMN amount TYPE numeric(14,2)",
            alter_type("orders", "amount", "numeric(14,2)"),
        ),
        case(
            "ALTER TABLE orders ALTER COLUMN amount TYPE numeric",
            alter_type("orders", "amount", "numeric"),
        ),
        case(
            "ALTER TABLE orders ALTER COLUMN amount TYPE numeric(12,4)",
            alter_type("orders", "amount", "numeric(12,4)"),
        ),
        case(
            "ALTER TABLE order_items ALTER COLUMN qty TYPE bigint",
            alter_type("order_items", "qty", "bigint"),
        ),
        case(
            "ALTER TABLE orders ALTER COLUMN created_at TYPE timestamptz",
            alter_type("orders", "created_at", "timestamptz"),
        )
        .known(
            "timestamp -> timestamptz is binary-coercible when the session TimeZone is UTC (PG 12+): \
             no table rewrite, only its indexes are rebuilt; locks.rs says Rewrite",
        ),
        case(
            "ALTER TABLE orders RENAME COLUMN note TO remark",
            alter(
                "orders",
                A::RenameColumn {
                    from: col("note"),
                    to: col("remark"),
                },
            ),
        ),
        case(
            "ALTER TABLE orders RENAME TO purchases",
            alter("orders", A::RenameTable { to: col("purchases") }),
        ),
        case(
            "ALTER TABLE orders DROP COLUMN note",
            alter(
                "orders",
                A::DropColumn {
                    column: col("note"),
                    if_exists: false,
                },
            ),
        ),
        case(
            "ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'new'",
            alter(
                "orders",
                A::SetDefault {
                    column: col("status"),
                    default: Expr {
                        text: col("'new'"),
                        volatility: Volatility::Constant,
                    },
                },
            ),
        ),
        case(
            "ALTER TABLE import_rows ALTER COLUMN line DROP NOT NULL",
            alter("import_rows", A::DropNotNull { column: col("line") }),
        ),
        case(
            "ALTER TABLE import_rows SET LOGGED",
            alter("import_rows", A::SetLogged),
        ),
        case(
            "ALTER TABLE customers SET UNLOGGED",
            alter("customers", A::SetUnlogged),
        ),
        case(
            "CLUSTER orders USING orders_pkey",
            Op::Cluster {
                table: Some(n("orders")),
            },
        ),
        case(
            "REINDEX TABLE orders",
            Op::Reindex {
                target: ReindexTarget::Table,
                name: n("orders"),
                concurrently: false,
            },
        ),
        case(
            "REINDEX INDEX orders_created_idx",
            Op::Reindex {
                target: ReindexTarget::Index,
                name: n("orders_created_idx"),
                concurrently: false,
            },
        ),
        case(
            "ALTER TABLE events ATTACH PARTITION events_2025 \
             FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
            alter(
                "events",
                A::AttachPartition {
                    partition: n("events_2025"),
                },
            ),
        ),
        case(
            "ALTER TABLE events DETACH PARTITION events_2023",
            alter(
                "events",
                A::DetachPartition {
                    partition: n("events_2023"),
                    concurrently: false,
                    finalize: false,
                },
            ),
        ),
        case(
            "CREATE TABLE events_2022 PARTITION OF events \
             FOR VALUES FROM ('2022-01-01') TO ('2023-01-01')",
            Op::CreateTable {
                table: n("events_2022"),
                columns: Vec::new(),
                constraints: Vec::new(),
                partition_of: Some(n("events")),
                as_query: false,
                if_not_exists: false,
                temporary: false,
            },
        ),
        case(
            "REFRESH MATERIALIZED VIEW order_totals",
            Op::RefreshMaterializedView {
                name: n("order_totals"),
                concurrently: false,
            },
        ),
        case(
            "CREATE TRIGGER orders_audit AFTER INSERT ON orders \
             FOR EACH ROW EXECUTE FUNCTION orders_audit()",
            Op::Create {
                kind: ObjectKind::Trigger,
                name: n("orders_audit"),
                on_table: Some(n("orders")),
                or_replace: false,
            },
        ),
        case(
            "ALTER TABLE orders DISABLE TRIGGER USER",
            other("orders", "DISABLE TRIGGER USER"),
        ),
        case(
            "TRUNCATE order_items",
            Op::Truncate {
                tables: vec![n("order_items")],
            },
        ),
        case(
            "LOCK TABLE orders IN SHARE MODE",
            Op::LockTable {
                tables: vec![n("orders")],
                mode: Share,
            },
        ),
        case(
            "LOCK TABLE customers",
            Op::LockTable {
                tables: vec![n("customers")],
                mode: AccessExclusive,
            },
        ),
        case(
            "COMMENT ON TABLE orders IS 'What customers bought'",
            Op::CommentOn {
                kind: ObjectKind::Table,
                name: n("orders"),
            },
        ),
        case(
            "ALTER TABLE orders ALTER COLUMN amount SET STATISTICS 500",
            other("orders", "ALTER COLUMN amount SET STATISTICS 500"),
        ),
        case(
            "ALTER TABLE orders CLUSTER ON orders_pkey",
            other("orders", "CLUSTER ON orders_pkey"),
        ),
        case(
            "ALTER TABLE orders SET (fillfactor = 70)",
            other("orders", "SET (fillfactor = 70)"),
        ),
        case(
            "DROP TABLE customers",
            drop_object(ObjectKind::Table, "customers"),
        ),
        case(
            "DROP MATERIALIZED VIEW order_totals",
            drop_object(ObjectKind::MaterializedView, "order_totals"),
        ),
        case(
            "UPDATE orders SET note = 'checked'",
            Op::Dml {
                kind: DmlKind::Update,
                table: n("orders"),
                has_where: false,
                select_from: Vec::new(),
                select_filtered: false,
            },
        ),
        case(
            "ALTER TYPE order_status ADD VALUE 'refunded'",
            Op::AlterEnumAddValue {
                name: n("order_status"),
                value: col("refunded"),
            },
        ),
        case(
            "ALTER DOMAIN postal_code ADD CONSTRAINT postal_code_digits CHECK (VALUE ~ '^[0-9]+$')",
            Op::AlterDomainAddConstraint {
                name: n("postal_code"),
                not_valid: false,
            },
        )
        .known(
            "a validated domain constraint scans every column of that domain under a SHARE lock \
             on its table (customers here); locks.rs gives AlterDomainAddConstraint no effects",
        ),
    ]
}

/// The table an index belongs to, looked up before the statement (which may drop the index).
async fn table_of_index(client: &Client, index: &str) -> Result<String, String> {
    client
        .query_opt(
            "SELECT t.relname::text FROM pg_index i \
             JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid \
             WHERE x.relname = $1 AND x.relnamespace = 'public'::regnamespace",
            &[&index],
        )
        .await
        .map_err(|e| support::message(&e))?
        .map(|row| row.get(0))
        .ok_or_else(|| format!("no index {index} in the fixture"))
}

/// What locks.rs says `ops` do, per relation: the strongest lock, and whether it is rewritten.
type Model = BTreeMap<String, (LockMode, bool)>;

async fn model_of(client: &Client, ops: &[Op]) -> Result<Model, String> {
    let ctx = context();
    let mut model = Model::new();
    for op in ops {
        for effect in locks::effects(op, &ctx) {
            let relation = match &effect.target {
                Target::Table(name) | Target::Relation(name) => name.name.clone(),
                Target::TableOfIndex(index) => table_of_index(client, &index.name).await?,
            };
            let entry = model
                .entry(relation)
                .or_insert((effect.mode, effect.work.rewrites()));
            entry.0 = entry.0.max(effect.mode);
            entry.1 |= effect.work.rewrites();
        }
    }
    Ok(model)
}

/// How locks.rs and the server differ on one statement; empty when they agree.
async fn compare(client: &Client, case: &Case) -> Result<Vec<String>, String> {
    let model = model_of(client, &case.ops).await?;
    // TRUNCATE swaps in an empty file: relfilenode changes, but nothing is rewritten.
    let emptied: BTreeSet<String> = case
        .ops
        .iter()
        .filter_map(|op| match op {
            Op::Truncate { tables } => Some(tables.iter().map(|t| t.name.clone())),
            _ => None,
        })
        .flatten()
        .collect();

    let seen = observe(client, &[case.sql]).await?;
    let mut differences = Vec::new();
    for (relation, (mode, rewrites)) in &model {
        let held = seen.locks.get(relation).copied();
        if held != Some(*mode) {
            differences.push(format!(
                "locks.rs says {mode} on {relation}, the server holds {}",
                held.map_or("no lock".to_owned(), |m| m.to_string())
            ));
        }
        let rewrote = seen.new_file.contains(relation) && !emptied.contains(relation);
        if rewrote != *rewrites {
            differences.push(format!(
                "locks.rs says {relation} is{} rewritten, the server {}",
                if *rewrites { "" } else { " not" },
                if rewrote { "rewrote it" } else { "did not" }
            ));
        }
    }
    // Locks that stop DDL or writes must all be in the model; weaker ones (reading a referenced
    // table, writing rows) need not be.
    for (relation, mode) in &seen.locks {
        if *mode >= LockMode::ShareUpdateExclusive && !model.contains_key(relation) {
            differences.push(format!(
                "the server holds {mode} on {relation}, locks.rs says nothing about it"
            ));
        }
    }
    for relation in &seen.new_file {
        if !model.contains_key(relation) && !emptied.contains(relation) {
            differences.push(format!(
                "the server rewrote {relation}, locks.rs says nothing about it"
            ));
        }
    }
    Ok(differences)
}

#[tokio::test]
async fn lock_model_matches_the_server() {
    let client = fixture_database("lock_model").await;
    let mut failures = Vec::new();
    let mut known = Vec::new();
    for case in cases() {
        // The hand-built ops stand for what the lowering makes of the SQL: check that they do.
        let lowered: Vec<Op> = pgward::lint::parse_file(case.sql)
            .into_iter()
            .flat_map(|stmt| stmt.ops)
            .collect();
        match (
            model_of(&client, &lowered).await,
            model_of(&client, &case.ops).await,
        ) {
            (Ok(from_sql), Ok(by_hand)) if from_sql != by_hand => failures.push(format!(
                "{}: lowered to {lowered:?}, for which locks.rs says {from_sql:?}; \
                 for the ops in this table it says {by_hand:?}",
                case.sql
            )),
            (Err(e), _) | (_, Err(e)) => failures.push(format!("{}: {e}", case.sql)),
            _ => {}
        }
        match (compare(&client, &case).await, case.known) {
            (Err(e), _) => failures.push(format!("{}: {e}", case.sql)),
            (Ok(diffs), None) if !diffs.is_empty() => {
                failures.push(format!("{}:\n    {}", case.sql, diffs.join("\n    ")));
            }
            (Ok(diffs), Some(why)) if diffs.is_empty() => failures.push(format!(
                "{}: locks.rs now agrees with the server; remove the known disagreement ({why})",
                case.sql
            )),
            (Ok(diffs), Some(why)) => {
                known.push(format!("{}: {}\n    {why}", case.sql, diffs.join("; ")));
            }
            (Ok(_), None) => {}
        }
    }
    if !known.is_empty() {
        eprintln!(
            "known disagreements between locks.rs and the server:\n{}",
            known.join("\n")
        );
    }
    assert!(failures.is_empty(), "\n{}\n", failures.join("\n"));
}

#[test]
fn leaves_transaction_control_out_of_examples() {
    assert!(is_transaction_control("BEGIN"));
    assert!(is_transaction_control("commit;"));
    assert!(is_transaction_control("ROLLBACK"));
    assert!(!is_transaction_control("ROLLBACK TO SAVEPOINT a"));
    assert!(!is_transaction_control(
        "ALTER TABLE orders ADD COLUMN x int"
    ));
}
