//! Framework layouts on the fixture repositories in `fixtures/frameworks/<layout>/`: what is read,
//! in which order, what is linted, the transaction mode chosen for each file, and the findings.
//! Snapshots live in `fixtures/frameworks/snapshots/` (`cargo insta review` to update them).
//!
//! Alembic and Django have no layout of their own: their offline SQL (`alembic upgrade --sql`,
//! `manage.py sqlmigrate`) is piped to `pgward lint -`; the tests at the end run the binary on it.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use pgward::lint::context::FileSettings;
use pgward::lint::layout::{Layout, Part, Transaction};
use pgward::lint::rules::DownPart;
use pgward::lint::source::{self, Migration};
use pgward::lint::{self, LintSettings};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/frameworks")
}

fn collect(dir: &Path, layout: Option<Layout>) -> Vec<Migration> {
    let (migrations, errors) = source::collect_migrations(&[dir.to_owned()], "<stdin>", layout);
    assert!(errors.is_empty(), "{errors:?}");
    migrations
}

/// Every file in runner order with its part and transaction mode, then the findings.
fn render(root: &Path, migrations: Vec<Migration>) -> String {
    let settings = LintSettings::default();
    let mut out = String::new();
    for m in migrations {
        let shown = Path::new(&m.file.path)
            .strip_prefix(root)
            .unwrap_or(Path::new(&m.file.path))
            .display()
            .to_string();
        let text = m.prepared.lint_text.as_deref().unwrap_or(&m.file.text);
        let assume = m
            .prepared
            .transaction
            .assume_in_transaction(&lint::parse_file(text), &FileSettings::default());
        writeln!(
            out,
            "{shown}: {} {} v{} | {} -> in transaction: {} ({})",
            m.layout,
            m.prepared.part.as_str(),
            m.prepared.version,
            m.prepared.transaction.as_str(),
            assume,
            m.prepared.reason
        )
        .unwrap();
        if !m.is_linted() {
            writeln!(out, "    not linted").unwrap();
            continue;
        }
        let report = lint::lint_migration(
            m.file,
            m.prepared.lint_text,
            m.prepared.transaction,
            // The reversibility rules have their own fixture repositories (tests/reversibility.rs).
            &DownPart::NotExpected,
            &settings,
        );
        writeln!(out, "    {} statements", report.statements).unwrap();
        for d in &report.diagnostics {
            writeln!(
                out,
                "    {}:{} {}: {}",
                d.start.line, d.start.column, d.rule, d.message
            )
            .unwrap();
        }
    }
    out
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({
        snapshot_path => fixtures().join("snapshots"),
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

/// The fixture of `layout`, detected (not forced), rendered and snapshotted.
fn check_layout(layout: Layout) -> String {
    let root = fixtures().join(layout.as_str());
    let migrations = collect(&root, None);
    assert!(!migrations.is_empty());
    for m in &migrations {
        assert_eq!(m.layout, layout, "{} detected as {}", m.file.path, m.layout);
    }
    let text = render(&root, migrations);
    snapshot(layout.as_str(), &text);
    text
}

/// Lines of the rendering for one file (its header and findings).
fn section(text: &str, file: &str) -> String {
    let mut lines = text
        .lines()
        .skip_while(|l| !l.starts_with(&format!("{file}:")));
    let header = lines
        .next()
        .unwrap_or_else(|| panic!("{file} not in\n{text}"));
    let mut out = format!("{header}\n");
    for l in lines.take_while(|l| l.starts_with(' ')) {
        out.push_str(l);
        out.push('\n');
    }
    out
}

#[test]
fn sqlx_layout() {
    let text = check_layout(Layout::Sqlx);
    let order: Vec<&str> = text.lines().filter(|l| !l.starts_with(' ')).collect();
    assert!(order[0].starts_with("migrations/1_create_users.sql"));
    assert!(order[1].starts_with("migrations/2_index_email.sql"));
    assert!(
        order
            .last()
            .unwrap()
            .starts_with("migrations/10_index_email_concurrently.sql"),
        "{text}"
    );
    assert!(
        section(&text, "migrations/2_index_email.sql")
            .contains("require-concurrent-index-creation")
    );
    let no_tx = section(&text, "migrations/10_index_email_concurrently.sql");
    assert!(
        no_tx.contains("one-query -> in transaction: false"),
        "{no_tx}"
    );
    assert!(!no_tx.contains("ban-concurrent"), "{no_tx}");
    assert!(section(&text, "migrations/3_add_name.down.sql").contains("not linted"));
}

#[test]
fn diesel_layout() {
    let text = check_layout(Layout::Diesel);
    let off = section(
        &text,
        "migrations/2024-01-02-000000_index_concurrently/up.sql",
    );
    assert!(off.contains("in transaction: false"), "{off}");
    assert!(!off.contains("ban-concurrent"), "{off}");
    let on = section(
        &text,
        "migrations/2024-01-03-000000_index_in_transaction/up.sql",
    );
    assert!(on.contains("wrapped -> in transaction: true"), "{on}");
    assert!(
        on.contains("ban-concurrent-index-creation-in-transaction"),
        "{on}"
    );
    assert!(
        !text.contains("ban-drop-table"),
        "down.sql files are not linted:\n{text}"
    );
}

#[test]
fn golang_migrate_layout() {
    let text = check_layout(Layout::GolangMigrate);
    let two = section(&text, "migrations/000002_two_concurrent_indexes.up.sql");
    assert!(two.contains("one-query -> in transaction: true"), "{two}");
    assert!(
        two.contains("ban-concurrent-index-creation-in-transaction"),
        "{two}"
    );
    let one = section(&text, "migrations/000003_one_concurrent_index.up.sql");
    assert!(one.contains("in transaction: false"), "{one}");
    assert!(!one.contains("ban-concurrent"), "{one}");
}

#[test]
fn pop_layout() {
    let text = check_layout(Layout::Pop);
    let wrapped = section(
        &text,
        "migrations/20240201000000000000_identities_state.postgres.up.sql",
    );
    assert!(
        wrapped.contains("wrapped -> in transaction: true"),
        "{wrapped}"
    );
    assert!(
        wrapped.contains("require-concurrent-index-creation"),
        "{wrapped}"
    );
    // The dialect-free file of that version and the MySQL file do not run on PostgreSQL.
    for skipped in [
        "migrations/20240201000000000000_identities_state.up.sql",
        "migrations/20240201000000000000_identities_state.mysql.up.sql",
    ] {
        let s = section(&text, skipped);
        assert!(s.contains("pop skipped") && s.contains("not linted"), "{s}");
    }
    let one = section(
        &text,
        "migrations/20240301000000000000_identities_email_idx.autocommit.up.sql",
    );
    assert!(one.contains("one-query -> in transaction: false"), "{one}");
    assert!(!one.contains("ban-concurrent"), "{one}");
    let two = section(
        &text,
        "migrations/20240401000000000000_identities_email_ci.postgres.autocommit.up.sql",
    );
    assert!(
        two.contains("ban-concurrent-index-creation-in-transaction"),
        "{two}"
    );
}

#[test]
fn goose_layout() {
    let text = check_layout(Layout::Goose);
    assert!(!text.contains("syntax-error"), "{text}");
    assert!(
        !text.contains("ban-drop"),
        "Down sections are not linted:\n{text}"
    );
    let block = section(&text, "migrations/20240102000000_enum_and_function.sql");
    // CREATE TYPE, ALTER TABLE ... ADD COLUMN (ended by StatementEnd), CREATE FUNCTION, ALTER TYPE.
    assert!(block.contains("    4 statements"), "{block}");
    // The ALTER COLUMN TYPE is on line 18 of the file: positions survive the blanked Down section.
    assert!(block.contains("    18:38 changing-column-type"), "{block}");
    let no_tx = section(&text, "migrations/20240103000000_index_concurrently.sql");
    assert!(
        no_tx.contains("per-statement -> in transaction: false"),
        "{no_tx}"
    );
}

#[test]
fn dbmate_layout() {
    let text = check_layout(Layout::Dbmate);
    let idx = section(&text, "db/migrations/20240102000000_index_email.sql");
    assert!(idx.contains("one-query -> in transaction: false"), "{idx}");
    let col = section(
        &text,
        "db/migrations/20240103000000_add_required_column.sql",
    );
    assert!(
        col.contains("2:1 adding-required-field") || col.contains("adding-required-field"),
        "{col}"
    );
    assert!(!text.contains("ban-drop-column"), "{text}");
}

#[test]
fn flyway_layout() {
    let text = check_layout(Layout::Flyway);
    let order: Vec<&str> = text.lines().filter(|l| !l.starts_with(' ')).collect();
    let names: Vec<&str> = order.iter().map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(
        names,
        [
            "sql/V1__create_users.sql",
            "sql/V1_1__index_email.sql",
            "sql/U2__email_not_null.sql",
            "sql/V2__email_not_null.sql",
            "sql/V10__drop_legacy.sql",
            "sql/R__active_users.sql"
        ]
    );
    let not_null = section(&text, "sql/V2__email_not_null.sql");
    assert!(not_null.contains("    3:24 setting-not-null"), "{not_null}");
    let idx = section(&text, "sql/V1_1__index_email.sql");
    assert!(
        idx.contains("per-statement -> in transaction: false"),
        "{idx}"
    );
    assert!(!text.contains("syntax-error"), "{text}");
}

#[test]
fn prisma_layout() {
    let text = check_layout(Layout::Prisma);
    let alone = section(
        &text,
        "prisma/migrations/20240102000000_index_email/migration.sql",
    );
    assert!(alone.contains("in transaction: false"), "{alone}");
    assert!(!alone.contains("ban-concurrent"), "{alone}");
    let two = section(
        &text,
        "prisma/migrations/20240103000000_add_role/migration.sql",
    );
    assert!(two.contains("one-query -> in transaction: true"), "{two}");
    assert!(
        two.contains("ban-concurrent-index-creation-in-transaction"),
        "{two}"
    );
}

#[test]
fn plain_layout() {
    let text = check_layout(Layout::Plain);
    assert!(
        section(&text, "migrations/0002_index_orders.sql")
            .contains("configured -> in transaction: false")
    );
    assert!(section(&text, "migrations/0003_rollback.down.sql").contains("not linted"));
}

#[test]
fn the_configured_layout_wins_over_detection() {
    let root = fixtures().join("goose");
    let forced = collect(&root, Some(Layout::Plain));
    assert!(forced.iter().all(|m| m.layout == Layout::Plain));
    // As plain SQL the Down sections are linted again, and goose's StatementEnd means nothing.
    let text = render(&root, forced);
    assert!(text.contains("ban-drop-column"), "{text}");
    assert!(text.contains("syntax-error"), "{text}");
}

#[test]
fn a_file_named_alone_gets_its_directorys_layout() {
    let path = fixtures().join("diesel/migrations/2024-01-01-000000_create_users/down.sql");
    let (migrations, errors) = source::collect_migrations(&[path], "<stdin>", None);
    assert!(errors.is_empty());
    assert_eq!(migrations[0].layout, Layout::Diesel);
    assert_eq!(migrations[0].prepared.part, Part::Down);
    let path = fixtures().join("goose/migrations/20240103000000_index_concurrently.sql");
    let (migrations, _) = source::collect_migrations(&[path], "<stdin>", None);
    assert_eq!(migrations[0].layout, Layout::Goose);
    assert_eq!(
        migrations[0].prepared.transaction,
        Transaction::PerStatement
    );
}

/// The corpus' hatchet migration that leaves out the `;` before `-- +goose StatementEnd`: goose and
/// PostgreSQL run it, and through the goose layout it is no longer a syntax error.
#[test]
fn goose_statement_end_ends_the_statement_in_the_corpus() {
    let corpus = [
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus")),
        PathBuf::from("/work/shared/corpus"),
    ]
    .into_iter()
    .find(|p| p.is_dir());
    let Some(corpus) = corpus else {
        println!("note: corpus not found; skipped");
        return;
    };
    let path = corpus.join(
        "hatchet-dev__hatchet/cmd/hatchet-migrate/migrate/migrations/20250519145912_v1_0_21.sql",
    );
    let (migrations, errors) = source::collect_migrations(&[path], "<stdin>", None);
    assert!(errors.is_empty(), "{errors:?}");
    let m = migrations.into_iter().next().unwrap();
    assert_eq!(m.layout, Layout::Goose);
    let report = lint::lint_migration(
        m.file,
        m.prepared.lint_text,
        m.prepared.transaction,
        &DownPart::NotExpected,
        &LintSettings::default(),
    );
    assert_eq!(report.statements, 2);
    assert!(
        report
            .diagnostics
            .iter()
            .all(|d| d.rule.as_str() != "syntax-error"),
        "{:?}",
        report.diagnostics
    );
}

fn lint_stdin(fixture: &str, name: &str) -> serde_json::Value {
    let sql = std::fs::read(fixtures().join("stdin").join(fixture)).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pgward"))
        .args(["lint", "--format", "json", "--stdin-filename", name, "-"])
        .current_dir(fixtures())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&sql).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.code() == Some(1),
        "expected findings (exit 1): {out:?}"
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn rules(json: &serde_json::Value) -> Vec<(String, u64)> {
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// `alembic upgrade --sql 1975ea83b712:ae1027a6acf | pgward lint -`: Alembic's own BEGIN/COMMIT
/// are the transaction; nothing about them is reported, the index build is.
#[test]
fn alembic_offline_sql_on_stdin() {
    let json = lint_stdin("alembic-upgrade.sql", "alembic/versions/ae1027a6acf.py");
    let found = rules(&json);
    assert_eq!(json["files_checked"], 1);
    assert!(
        found.contains(&("require-concurrent-index-creation".into(), 7)),
        "{found:?}"
    );
    assert!(
        found.contains(&("prefer-timestamptz".into(), 5)),
        "{found:?}"
    );
    for quiet in [
        "transaction-nesting",
        "ban-uncommitted-transaction",
        "syntax-error",
    ] {
        assert!(found.iter().all(|(r, _)| r != quiet), "{quiet}: {found:?}");
    }
    assert_eq!(
        json["diagnostics"][0]["path"],
        "alembic/versions/ae1027a6acf.py"
    );
}

/// `python manage.py sqlmigrate blog 0042 | pgward lint -`.
#[test]
fn django_sqlmigrate_on_stdin() {
    let json = lint_stdin("django-sqlmigrate.sql", "blog/migrations/0042_article.py");
    let found = rules(&json);
    assert!(
        found.contains(&("require-concurrent-index-creation".into(), 14)),
        "{found:?}"
    );
    for quiet in [
        "transaction-nesting",
        "ban-uncommitted-transaction",
        "syntax-error",
    ] {
        assert!(found.iter().all(|(r, _)| r != quiet), "{quiet}: {found:?}");
    }
}

/// golang-migrate with `x-multi-statement=true` sends statement by statement: `[migrations]
/// transaction = "per-statement"` says so, and two `CREATE INDEX CONCURRENTLY` in one file are fine.
#[test]
fn the_configured_transaction_mode_wins_over_the_layout() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("pgward.toml");
    let lint = |config: Option<&Path>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_pgward"));
        cmd.args(["lint", "--format", "json"]);
        if let Some(c) = config {
            cmd.arg("--config").arg(c);
        }
        let out = cmd
            .arg(fixtures().join("golang-migrate/migrations/000002_two_concurrent_indexes.up.sql"))
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["rule"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let default = lint(None);
    assert!(
        default.contains(&"ban-concurrent-index-creation-in-transaction".to_owned()),
        "{default:?}"
    );
    std::fs::write(&config, "[migrations]\ntransaction = \"per-statement\"\n").unwrap();
    let per_statement = lint(Some(&config));
    assert!(
        !per_statement
            .iter()
            .any(|r| r.starts_with("ban-concurrent")),
        "{per_statement:?}"
    );
}
