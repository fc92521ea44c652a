//! Schema history: `pgward lint <directory>` replays every earlier migration's up part, in the
//! runner's order, so that rules know what exists before the file they lint. Each case is a small
//! migrations directory under `fixtures/history/<case>/`, linted by the real binary; `--since`
//! cases build a temporary git repository as `tests/since.rs` does.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pgward::lint::history::History;
use pgward::lint::ops::{Name, ObjectKind};
use pgward::lint::source;
use pgward::lint::{self, LintSettings, Selection};

mod support;
use support::git::{git, write};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/history")
}

fn pgward(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pgward"))
        .args(args)
        .current_dir(dir)
        .env_remove("PGWARD_SINCE")
        .env_remove("PGWARD_PG_VERSION")
        .env_remove("PGWARD_FORMAT")
        .output()
        .unwrap()
}

/// One diagnostic: (file name, line, message).
type Found = (String, u64, String);

/// The diagnostics of `rule` in a `--format json` run, as (file name, line, message).
fn findings(out: &Output, rule: &str) -> Vec<Found> {
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == rule)
        .map(|d| {
            let path = d["path"].as_str().unwrap();
            let file = Path::new(path).file_name().unwrap().to_string_lossy();
            (
                file.into_owned(),
                d["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn lint_case(case: &str, extra: &[&str], rule: &str) -> Vec<Found> {
    let mut args = vec!["lint", "--format", "json"];
    args.extend_from_slice(extra);
    args.push(case);
    findings(&pgward(&fixtures(), &args), rule)
}

fn lines(found: &[Found]) -> Vec<(&str, u64)> {
    found.iter().map(|(f, l, _)| (f.as_str(), *l)).collect()
}

#[test]
fn the_old_type_comes_from_an_earlier_migration() {
    let found = lint_case("types", &[], "changing-column-type");
    // 002's three binary-coercible changes and 003's varchar(100) -> varchar(200) are quiet (the
    // down files are never replayed); 003's integer -> bigint rewrites.
    assert_eq!(lines(&found), [("003_qty.up.sql", 3)], "{found:#?}");
    let message = &found[0].2;
    assert!(
        message.contains("Changing orders.qty from integer to bigint takes an ACCESS EXCLUSIVE"),
        "{message}"
    );
    assert!(!message.contains("does not know"), "{message}");
}

#[test]
fn a_file_named_on_its_own_has_no_history() {
    let found = lint_case("types/002_widen.up.sql", &[], "changing-column-type");
    assert_eq!(found.len(), 3, "{found:#?}");
    for (_, _, message) in &found {
        assert!(
            message.contains("which pgward does not know here"),
            "{message}"
        );
    }
}

#[test]
fn renames_and_drops_are_followed() {
    let found = lint_case("renames", &[], "changing-column-type");
    assert_eq!(lines(&found), [("0003_alter.sql", 6)], "{found:#?}");
    assert!(
        found[0]
            .2
            .contains("Changing purchases.qty from text to varchar(20)"),
        "{}",
        found[0].2
    );
}

#[test]
fn a_validated_check_from_an_earlier_migration_silences_setting_not_null() {
    let found = lint_case("not-null", &[], "setting-not-null");
    // Only name, whose check was never validated. phone's check, added NOT VALID in 20240102, is
    // validated in the same file that sets NOT NULL.
    assert_eq!(
        lines(&found),
        [("20240104000000_set.up.sql", 4)],
        "{found:#?}"
    );
    assert!(found[0].2.contains("Setting users.name NOT NULL"));

    // Before PostgreSQL 12 the check does not help: both fire.
    let found = lint_case("not-null", &["--pg-version", "11"], "setting-not-null");
    assert_eq!(
        lines(&found),
        [
            ("20240104000000_set.up.sql", 2),
            ("20240104000000_set.up.sql", 4),
            ("20240105000000_phone.up.sql", 3)
        ],
        "{found:#?}"
    );
}

#[test]
fn a_validated_check_from_an_earlier_migration_silences_attach_partition() {
    let found = lint_case("partitions", &[], "attach-partition-without-check");
    assert_eq!(lines(&found), [("0004_attach.sql", 4)], "{found:#?}");
    assert!(found[0].2.contains("Attaching events_2026 to events"));
}

#[test]
fn what_history_cannot_read_becomes_unknown() {
    let out = pgward(&fixtures(), &["lint", "--format", "json", "unparsable"]);
    let found = findings(&out, "changing-column-type");
    assert_eq!(
        lines(&found),
        [
            ("0004_alter.sql", 2),
            ("0004_alter.sql", 3),
            ("0004_alter.sql", 5),
            ("0004_alter.sql", 7)
        ],
        "{found:#?}"
    );
    // Nothing claims an old type: each says it is not known.
    for (file, line, message) in &found {
        assert!(
            message.contains("which pgward does not know here"),
            "{file}:{line}: {message}"
        );
    }
    // The unreadable statements themselves are reported.
    assert!(!findings(&out, "syntax-error").is_empty());
}

#[test]
fn without_since_every_earlier_migration_is_deployed() {
    let tmp = repository();
    let out = pgward(tmp.path(), &["lint", "--format", "json", "migrations"]);
    // 0002 created audit_log, but without --since it counts as deployed: it has rows.
    let found = findings(&out, "require-concurrent-index-creation");
    assert_eq!(
        lines(&found),
        [("0003_index.sql", 1), ("0003_index.sql", 2)],
        "{found:#?}"
    );
    let found = findings(&out, "adding-required-field");
    assert_eq!(lines(&found), [("0003_index.sql", 4)], "{found:#?}");
}

/// Every case's findings of the rules history feeds, in one reviewable file
/// (`fixtures/history/snapshots/`).
#[test]
fn snapshot_of_every_case() {
    const RULES: &[&str] = &[
        "changing-column-type",
        "setting-not-null",
        "attach-partition-without-check",
    ];
    let mut text = String::new();
    for case in ["types", "renames", "not-null", "partitions", "unparsable"] {
        text.push_str(&format!("== {case}\n"));
        let out = pgward(&fixtures(), &["lint", "--format", "json", case]);
        for rule in RULES {
            for (file, line, message) in findings(&out, rule) {
                text.push_str(&format!("{file}:{line} {rule}: {message}\n"));
            }
        }
    }
    insta::with_settings!({
        snapshot_path => fixtures().join("snapshots"),
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!("history", text);
    });
}

// `--since`: real git repositories.

const ORDERS: &str = "CREATE TABLE orders (id bigint PRIMARY KEY, created_at timestamptz);\n";
const AUDIT_LOG: &str = "CREATE TABLE audit_log (id bigint PRIMARY KEY, at timestamptz);\n\
     CREATE TYPE audit_kind AS ENUM ('insert', 'update');\n";
const INDEXES: &str = "CREATE INDEX audit_log_at_idx ON audit_log (at);\n\
     CREATE INDEX orders_at_idx ON orders (created_at);\n\
     ALTER TYPE audit_kind ADD VALUE 'delete';\n\
     ALTER TABLE audit_log ADD COLUMN actor bigint NOT NULL;\n";

/// main: 0001 creates orders. feature: 0002 creates audit_log (and an enum), 0003 indexes both
/// tables (and adds an enum value).
fn repository() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    git(repo, &["init", "-q"]);
    write(repo, "migrations/0001_orders.sql", ORDERS);
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "main"]);
    git(repo, &["checkout", "-q", "-b", "feature"]);
    write(repo, "migrations/0002_audit_log.sql", AUDIT_LOG);
    write(repo, "migrations/0003_index.sql", INDEXES);
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "feature"]);
    tmp
}

#[test]
fn a_table_created_earlier_in_the_same_change_is_new() {
    let tmp = repository();
    let out = pgward(
        tmp.path(),
        &["lint", "--format", "json", "--since", "main", "migrations"],
    );
    // audit_log comes from 0002, not deployed yet: empty, so its index is fine. orders is
    // deployed.
    let found = findings(&out, "require-concurrent-index-creation");
    assert_eq!(lines(&found), [("0003_index.sql", 2)], "{found:#?}");
    assert!(found[0].2.contains("orders"), "{}", found[0].2);
    // An empty table takes a NOT NULL column without a default.
    assert_eq!(findings(&out, "adding-required-field"), []);
}

#[test]
fn an_enum_created_earlier_in_the_same_change_is_new() {
    let tmp = repository();
    // Before PostgreSQL 12, ADD VALUE cannot run in a transaction, except on an enum created in
    // the same transaction... or one nobody uses yet.
    let since = [
        "lint",
        "--format",
        "json",
        "--pg-version",
        "11",
        "--assume-in-transaction",
        "--since",
        "main",
        "migrations",
    ];
    let found = findings(&pgward(tmp.path(), &since), "enum-add-value-in-transaction");
    assert!(found.is_empty(), "{found:#?}");
    let all = [
        "lint",
        "--format",
        "json",
        "--pg-version",
        "11",
        "--assume-in-transaction",
        "migrations",
    ];
    let found = findings(&pgward(tmp.path(), &all), "enum-add-value-in-transaction");
    assert_eq!(lines(&found), [("0003_index.sql", 3)], "{found:#?}");
}

/// [`repository`] after 0002 landed on main and the branch was rebased onto it: the branch adds
/// only 0003.
fn audit_log_on_main() -> tempfile::TempDir {
    let tmp = repository();
    let repo = tmp.path();
    git(repo, &["checkout", "-q", "main"]);
    write(repo, "migrations/0002_audit_log.sql", AUDIT_LOG);
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "audit_log"]);
    git(repo, &["checkout", "-q", "feature"]);
    git(repo, &["rebase", "-q", "main"]);
    tmp
}

#[test]
fn a_table_created_by_a_migration_already_on_the_base_exists() {
    // 0002 lands on main first: only 0003 is new on the branch.
    let tmp = audit_log_on_main();
    let repo = tmp.path();
    let out = pgward(
        repo,
        &["lint", "--format", "json", "--since", "main", "migrations"],
    );
    let found = findings(&out, "require-concurrent-index-creation");
    assert_eq!(
        lines(&found),
        [("0003_index.sql", 1), ("0003_index.sql", 2)],
        "{found:#?}"
    );
}

#[test]
fn an_old_migration_edited_in_place_stays_deployed() {
    let tmp = audit_log_on_main();
    let repo = tmp.path();
    // 0001 is edited on the branch: changed, so linted. 0002, unchanged, runs after it, so 0001
    // ran before 0002 was deployed: orders is not new.
    write(
        repo,
        "migrations/0001_orders.sql",
        &format!("{ORDERS}COMMENT ON TABLE orders IS 'orders';\n"),
    );
    let out = pgward(
        repo,
        &["lint", "--format", "json", "--since", "main", "migrations"],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["files_checked"], 2, "0001 and 0003");
    let found = findings(&out, "require-concurrent-index-creation");
    assert_eq!(
        lines(&found),
        [("0003_index.sql", 1), ("0003_index.sql", 2)],
        "{found:#?}"
    );
}

#[test]
fn the_latest_deployed_migration_edited_in_place_stays_deployed() {
    // main has 0001 and 0002; the branch edits 0002, the latest migration on main, and adds
    // 0003. No unchanged migration runs after 0002, so only git's status tells that it was on
    // the base (modified, not added): audit_log exists and has rows.
    let tmp = audit_log_on_main();
    let repo = tmp.path();
    write(
        repo,
        "migrations/0002_audit_log.sql",
        &format!("{AUDIT_LOG}COMMENT ON TABLE audit_log IS 'audit';\n"),
    );
    let out = pgward(
        repo,
        &["lint", "--format", "json", "--since", "main", "migrations"],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["files_checked"], 2, "0002 and 0003");
    let found = findings(&out, "require-concurrent-index-creation");
    assert_eq!(
        lines(&found),
        [("0003_index.sql", 1), ("0003_index.sql", 2)],
        "{found:#?}"
    );
}

// The library entry point and the model.

#[test]
fn lint_migrations_lints_only_the_selected_files_with_the_history_of_all() {
    let dir = fixtures().join("types");
    let (migrations, errors) = source::collect_migrations(&[dir], "<stdin>", None);
    assert!(errors.is_empty(), "{errors:?}");
    let settings = LintSettings::default();
    let reports = lint::lint_migrations(
        migrations,
        |m| match m.file.path.ends_with("003_qty.up.sql") {
            true => Selection::Linted,
            false => Selection::Deployed,
        },
        &settings,
    );
    assert_eq!(reports.len(), 1);
    let changes: Vec<_> = reports[0]
        .diagnostics
        .iter()
        .filter(|d| d.rule.as_str() == "changing-column-type")
        .collect();
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert!(changes[0].message.contains("from integer to bigint"));
}

#[test]
fn the_model_follows_renames_drops_partitions_and_enums() {
    let sql = "
        CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL, note varchar(50));
        CREATE TYPE mood AS ENUM ('sad', 'ok');
        ALTER TYPE mood ADD VALUE 'happy';
        CREATE TABLE events (id bigint, at timestamptz) PARTITION BY RANGE (at);
        CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
        CREATE TABLE events_2026 (id bigint, at timestamptz);
        ALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
        CREATE INDEX orders_status_idx ON orders (status);
        ALTER INDEX orders_status_idx RENAME TO orders_state_idx;
        ALTER TABLE orders RENAME COLUMN status TO state;
        ALTER TABLE orders ALTER COLUMN state DROP NOT NULL;
        ALTER TABLE orders ALTER COLUMN note TYPE text;
        ALTER TABLE orders RENAME TO purchases;
        CREATE VIEW open_orders AS SELECT * FROM purchases;
        CREATE SEQUENCE order_no;
        CREATE DOMAIN positive AS integer;
        DROP TABLE events;
    ";
    let mut h = History::new();
    h.replay(&lint::parse_file(sql), None);
    let purchases = Name::bare("purchases");
    assert!(!h.exists(ObjectKind::Table, &Name::bare("orders")));
    assert_eq!(h.columns(&purchases), Some(vec!["id", "state", "note"]));
    assert_eq!(
        h.column_type(&purchases, "note").unwrap().to_string(),
        "text"
    );
    assert_eq!(
        h.column_type(&purchases, "state").unwrap().to_string(),
        "text"
    );
    assert_eq!(h.column_not_null(&purchases, "state"), Some(false));
    assert_eq!(h.column_not_null(&purchases, "id"), Some(true));
    assert_eq!(
        h.index(&Name::bare("orders_state_idx")),
        Some((&purchases, false))
    );
    assert_eq!(
        h.enum_values(&Name::bare("mood")),
        Some(&["sad".to_owned(), "ok".to_owned(), "happy".to_owned()][..])
    );
    // The partitions went with their parent.
    for t in ["events", "events_2025", "events_2026"] {
        assert!(!h.exists(ObjectKind::Table, &Name::bare(t)), "{t}");
    }
    assert!(h.exists(ObjectKind::View, &Name::bare("open_orders")));
    assert!(h.exists(ObjectKind::Sequence, &Name::bare("order_no")));
    assert!(h.exists(ObjectKind::Domain, &Name::bare("positive")));
    assert!(!h.is_new(ObjectKind::Table, &purchases));
}
