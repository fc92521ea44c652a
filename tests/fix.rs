//! `pgward lint --fix` and `--diff`, through the real binary on copies of `fixtures/fix/`.
//!
//! Each directory of `fixtures/fix/` is one migration set of a framework layout (plain SQL, goose
//! with and without a transaction, golang-migrate, dbmate). The tests copy them to a temp dir and
//! check that `--diff` shows the fixes (snapshot) and writes nothing; that `--fix` writes exactly
//! that, leaves down files and down sections alone, fixes nothing where `CONCURRENTLY` would run in
//! a transaction block, re-lints clean apart from the findings it says it cannot fix, and changes
//! nothing the second time; that the fixed migrations run on a real PostgreSQL the way their runner
//! runs them; and stdin and the exit codes.

mod support;

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const SETS: [&str; 5] = ["plain", "goose", "goose-no-tx", "golang-migrate", "dbmate"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temp dir holding a copy of every set of `fixtures/fix/`.
fn copy_fixtures() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for set in SETS {
        let from = root().join("fixtures/fix").join(set);
        fs::create_dir(dir.path().join(set)).unwrap();
        for entry in fs::read_dir(&from).unwrap() {
            let entry = entry.unwrap();
            fs::copy(entry.path(), dir.path().join(set).join(entry.file_name())).unwrap();
        }
    }
    dir
}

/// Every file under `dir`, by path relative to it, with its content.
fn files(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for set in SETS {
        let mut names: Vec<_> = fs::read_dir(dir.join(set))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in names {
            let rel = format!("{set}/{name}");
            out.push((rel.clone(), fs::read_to_string(dir.join(&rel)).unwrap()));
        }
    }
    out
}

fn pgward(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pgward"))
        .args(args)
        .current_dir(dir)
        .env_remove("PGWARD_CONFIG")
        .env_remove("PGWARD_FORMAT")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn lint_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["lint"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&SETS);
    args
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn snapshot(name: &str, value: &str) {
    insta::with_settings!({
        snapshot_path => root().join("fixtures/fix/snapshots"),
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, value);
    });
}

/// What `--fix` says it cannot fix: (file, rule, line).
const UNFIXED: [(&str, &str, usize); 7] = [
    // An unnamed CHECK: its default name depends on its expression.
    ("plain/0001_orders.sql", "constraint-missing-not-valid", 12),
    // Inside BEGIN ... COMMIT.
    (
        "plain/0002_transaction.sql",
        "require-concurrent-index-creation",
        5,
    ),
    (
        "plain/0002_transaction.sql",
        "constraint-missing-not-valid",
        6,
    ),
    // goose and dbmate wrap the migration in a transaction.
    (
        "goose/20240101000000_orders_status.sql",
        "require-concurrent-index-creation",
        4,
    ),
    (
        "dbmate/20240101000000_orders_status.sql",
        "require-concurrent-index-creation",
        3,
    ),
    // golang-migrate sends two statements as one query: one implicit transaction block.
    (
        "golang-migrate/000002_two_indexes.up.sql",
        "require-concurrent-index-creation",
        3,
    ),
    (
        "golang-migrate/000002_two_indexes.up.sql",
        "require-concurrent-index-creation",
        4,
    ),
];

const FIXABLE: [&str; 4] = [
    "require-concurrent-index-creation",
    "require-concurrent-index-deletion",
    "constraint-missing-not-valid",
    "require-timeout-settings",
];

/// The fixable rules' diagnostics as (path, rule, line).
fn fixable_findings(dir: &Path) -> BTreeSet<(String, String, usize)> {
    let out = pgward(dir, &lint_args(&["--format", "json"]), None);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}{}", text(&out.stdout), text(&out.stderr));
    });
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| FIXABLE.contains(&d["rule"].as_str().unwrap()))
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_owned(),
                d["rule"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap() as usize,
            )
        })
        .collect()
}

#[test]
fn diff_shows_the_fixes_and_writes_nothing() {
    let dir = copy_fixtures();
    let before = files(dir.path());
    let out = pgward(dir.path(), &lint_args(&["--diff"]), None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(files(dir.path()), before, "--diff wrote to a file");
    snapshot("diff", &text(&out.stdout));
    snapshot("diff_stderr", &text(&out.stderr));
}

#[test]
fn fix_writes_the_diff_relints_clean_and_is_idempotent() {
    let dir = copy_fixtures();
    let before = files(dir.path());
    let out = pgward(dir.path(), &lint_args(&["--fix"]), None);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("Fixed 13 findings in 7 files"), "{stderr}");
    // Errors are left (the ones it cannot fix): exit code 1.
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let after = files(dir.path());
    snapshot(
        "fixed",
        &after
            .iter()
            .filter(|f| !before.contains(f))
            .map(|(path, text)| format!("==> {path} <==\n{text}"))
            .collect::<String>(),
    );

    // Down files and down sections are as they were.
    for ((path, old), (_, new)) in before.iter().zip(&after) {
        if path.ends_with(".down.sql") {
            assert_eq!(old, new, "{path}: a down file was rewritten");
        }
        for marker in ["-- +goose Down", "-- migrate:down"] {
            if let Some(at) = old.find(marker) {
                assert_eq!(
                    &old[at..],
                    &new[new.find(marker).unwrap()..],
                    "{path}: the down section changed"
                );
            }
        }
    }

    // Nothing is built CONCURRENTLY where a transaction block surrounds it.
    for (path, new) in after.iter().filter(|(p, _)| !p.ends_with(".down.sql")) {
        let wrapped = path.starts_with("goose/")
            || path.starts_with("dbmate/")
            || path.contains("two_indexes")
            || path.contains("transaction");
        let concurrently = new
            .lines()
            .filter(|l| !l.trim_start().starts_with("--"))
            .any(|l| l.to_ascii_uppercase().contains("CONCURRENTLY"));
        assert_eq!(concurrently, !wrapped, "{path}:\n{new}");
    }

    // Re-linted, the fixable rules report only what --fix said it could not fix.
    let left = fixable_findings(dir.path());
    let expected: BTreeSet<_> = UNFIXED
        .iter()
        .map(|(p, r, l)| (p.to_string(), r.to_string(), *l))
        .collect();
    assert_eq!(left, expected);
    for (path, rule, line) in &UNFIXED {
        assert!(
            stderr.contains(&format!("{path}:{line}:")) && stderr.contains(rule),
            "{path}:{line} {rule} has no `no automatic fix` line:\n{stderr}"
        );
    }

    // A second --fix changes nothing.
    let again = pgward(dir.path(), &lint_args(&["--fix"]), None);
    assert!(
        text(&again.stderr).contains("Fixed 0 findings in 0 files"),
        "{}",
        text(&again.stderr)
    );
    assert_eq!(files(dir.path()), after);
    let diff = pgward(dir.path(), &lint_args(&["--diff"]), None);
    assert_eq!(text(&diff.stdout), "");
    assert_eq!(
        diff.status.code(),
        Some(0),
        "nothing to fix: --diff exits 0"
    );
}

#[test]
fn stdin_prints_the_fixed_sql_and_reports_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let sql = "CREATE INDEX orders_status_idx ON orders (status);\n";
    let out = pgward(dir.path(), &["lint", "--fix", "-"], Some(sql));
    assert_eq!(
        text(&out.stdout),
        "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);\n"
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains("Fixed 2 findings in 1 file"), "{stderr}");
    assert!(stderr.contains("No problems in 1 file"), "{stderr}");
    assert_eq!(out.status.code(), Some(0));

    // Unchanged SQL is echoed as it is.
    let clean = "SELECT 1;\n";
    let out = pgward(dir.path(), &["lint", "--fix", "-"], Some(clean));
    assert_eq!(text(&out.stdout), clean);

    let out = pgward(
        dir.path(),
        &["lint", "--diff", "--stdin-filename", "up.sql", "-"],
        Some(sql),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).starts_with("--- a/up.sql\n+++ b/up.sql\n"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn suppressed_and_excluded_findings_are_not_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("1.sql");
    let sql = "-- pgward-ignore: require-concurrent-index-creation\n\
               CREATE INDEX a_idx ON orders (status);\n";
    fs::write(&path, sql).unwrap();
    let out = pgward(
        dir.path(),
        &[
            "lint",
            "--fix",
            "--exclude",
            "require-timeout-settings",
            "1.sql",
        ],
        None,
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), sql);
    assert!(text(&out.stderr).contains("Fixed 0 findings in 0 files"));
    // Fixed with the timeout rule on: the SET goes above the ignore comment, which keeps
    // silencing its statement.
    let out = pgward(dir.path(), &["lint", "--fix", "1.sql"], None);
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        format!("SET lock_timeout = '2s';\n{sql}")
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

#[test]
fn diff_and_fix_cannot_be_combined() {
    let dir = tempfile::tempdir().unwrap();
    let out = pgward(dir.path(), &["lint", "--fix", "--diff", "-"], Some(""));
    assert_eq!(out.status.code(), Some(2));
}

/// Runs SQL the way a runner does; errors name the file.
async fn run(client: &tokio_postgres::Client, path: &str, sql: &str) {
    client
        .batch_execute(sql)
        .await
        .unwrap_or_else(|e| panic!("{path}: {}\n{sql}", support::message(&e)));
}

/// The fixed migrations run on PostgreSQL as their runners run them: statement by statement
/// (plain, goose NO TRANSACTION), the up part in a transaction (goose, dbmate), the whole file
/// as one query (golang-migrate).
#[tokio::test]
async fn fixed_migrations_run_on_postgres() {
    let dir = copy_fixtures();
    let out = pgward(dir.path(), &lint_args(&["--fix"]), None);
    assert!(out.status.code() != Some(2), "{}", text(&out.stderr));
    let schema = fs::read_to_string(root().join("fixtures/lock_model/schema.sql")).unwrap();
    for set in SETS {
        let url = support::database(&format!("fix_{}", set.replace('-', "_"))).await;
        let client = support::connect(&url).await;
        run(&client, "fixtures/lock_model/schema.sql", &schema).await;
        for (path, sql) in files(dir.path())
            .iter()
            .filter(|(p, _)| p.starts_with(&format!("{set}/")))
        {
            if path.ends_with(".down.sql") {
                continue;
            }
            match set {
                "plain" | "goose-no-tx" => {
                    let up = sql.split("-- +goose Down").next().unwrap();
                    for range in pgward::lint::split::split(up).statements {
                        run(&client, path, &up[range]).await;
                    }
                }
                "goose" | "dbmate" => {
                    let up = sql
                        .split("-- +goose Down")
                        .next()
                        .unwrap()
                        .split("-- migrate:down")
                        .next()
                        .unwrap();
                    run(&client, path, &format!("BEGIN;\n{up}\nCOMMIT;")).await;
                }
                _ => run(&client, path, sql).await,
            }
        }
        // Every constraint the fixes added NOT VALID was validated.
        let invalid = client
            .query_one(
                "SELECT count(*) FROM pg_constraint WHERE NOT convalidated \
                 AND conname <> 'orders_amount_positive'",
                &[],
            )
            .await
            .unwrap();
        assert_eq!(
            invalid.get::<_, i64>(0),
            0,
            "{set}: a constraint is left NOT VALID"
        );
    }
}

#[test]
fn configured_transaction_mode_and_line_endings_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("1.sql");
    let sql = "CREATE INDEX a_idx ON orders (status);\r\nDROP INDEX b_idx;\r\n";
    fs::write(&path, sql).unwrap();
    // The runner wraps every file (pgward.toml): no CONCURRENTLY; SET LOCAL, in CRLF.
    fs::write(
        dir.path().join("pgward.toml"),
        "[migrations]\ntransaction = \"wrapped\"\n",
    )
    .unwrap();
    let out = pgward(dir.path(), &["lint", "--fix", "1.sql"], None);
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        format!("SET LOCAL lock_timeout = '2s';\r\n{sql}"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stderr)
            .contains("1.sql:2:1: require-concurrent-index-creation: no automatic fix"),
        "{}",
        text(&out.stderr)
    );
    // Without it, a plain file runs statement by statement.
    fs::remove_file(dir.path().join("pgward.toml")).unwrap();
    fs::write(&path, sql).unwrap();
    pgward(dir.path(), &["lint", "--fix", "1.sql"], None);
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "SET lock_timeout = '2s';\r\nCREATE INDEX CONCURRENTLY a_idx ON orders (status);\r\n\
         DROP INDEX CONCURRENTLY b_idx;\r\n"
    );
}

/// A 1-based (line, column in characters) of `text` as a byte offset.
fn offset(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum();
    start
        + text[start..]
            .chars()
            .take(column - 1)
            .map(char::len_utf8)
            .sum::<usize>()
}

#[test]
fn json_shows_the_fixes_that_fix_applies() {
    let dir = copy_fixtures();
    let out = pgward(dir.path(), &lint_args(&["--format", "json"]), None);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let diagnostics = json["diagnostics"].as_array().unwrap();

    let key = |d: &Value| {
        (
            d["path"].as_str().unwrap().to_owned(),
            d["rule"].as_str().unwrap().to_owned(),
            d["line"].as_u64().unwrap() as usize,
        )
    };
    let with_fix: BTreeSet<_> = diagnostics
        .iter()
        .filter(|d| !d["fix"].is_null())
        .map(key)
        .collect();
    let without_fix: BTreeSet<_> = diagnostics
        .iter()
        .filter(|d| d["fix"].is_null() && FIXABLE.contains(&d["rule"].as_str().unwrap()))
        .map(key)
        .collect();
    assert!(!with_fix.is_empty());
    // What --diff lists as `no automatic fix` (at lines of the original text) has no fix in the
    // JSON. (A finding another fix makes go away, such as the lock_timeout of an index that
    // becomes CONCURRENTLY, has none either, but is not listed.)
    let diff = pgward(dir.path(), &lint_args(&["--diff"]), None);
    let listed: BTreeSet<_> = text(&diff.stderr)
        .lines()
        .filter(|l| l.contains(": no automatic fix: "))
        .map(|l| {
            let mut parts = l.splitn(4, ':');
            let path = parts.next().unwrap().to_owned();
            let line: usize = parts.next().unwrap().parse().unwrap();
            let rule = l.split(": ").nth(1).unwrap().to_owned();
            (path, rule, line)
        })
        .collect();
    assert!(!listed.is_empty());
    assert!(
        listed.is_subset(&without_fix),
        "{listed:#?} {without_fix:#?}"
    );
    for d in diagnostics.iter().filter(|d| !d["fix"].is_null()) {
        assert_eq!(d["fix"]["applicability"], "safe", "{d}");
        assert!(!d["fix"]["title"].as_str().unwrap().is_empty(), "{d}");
    }

    // Applying the JSON's edits (one pass, skipping overlaps as --fix does), then --fix, ends
    // where --fix alone ends: the edits are --fix's own.
    let applied = copy_fixtures();
    let mut edits: std::collections::BTreeMap<String, Vec<(usize, usize, String)>> =
        Default::default();
    for d in diagnostics.iter().filter(|d| !d["fix"].is_null()) {
        let path = d["path"].as_str().unwrap().to_owned();
        let text = fs::read_to_string(applied.path().join(&path)).unwrap();
        let fix_edits: Vec<_> = d["fix"]["edits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let at = |l: &str, c: &str| {
                    offset(
                        &text,
                        e[l].as_u64().unwrap() as usize,
                        e[c].as_u64().unwrap() as usize,
                    )
                };
                (
                    at("line", "column"),
                    at("end_line", "end_column"),
                    e["content"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let taken = edits.entry(path).or_default();
        let overlaps =
            |a: &(usize, usize, String)| taken.iter().any(|b| a.0 < b.1 && b.0 < a.1 || a.0 == b.0);
        if !fix_edits.iter().any(overlaps) {
            taken.extend(fix_edits);
        }
    }
    for (path, mut list) in edits {
        let file = applied.path().join(&path);
        let mut text = fs::read_to_string(&file).unwrap();
        list.sort_by_key(|e| std::cmp::Reverse((e.0, e.1)));
        for (start, end, content) in list {
            text.replace_range(start..end, &content);
        }
        fs::write(&file, text).unwrap();
    }
    pgward(applied.path(), &lint_args(&["--fix"]), None);
    pgward(dir.path(), &lint_args(&["--fix"]), None);
    assert_eq!(files(applied.path()), files(dir.path()));
}

#[test]
fn the_configured_lock_timeout_is_the_one_recommended_and_set() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("pgward.toml"), "lock_timeout = \"500ms\"\n").unwrap();
    fs::write(
        dir.path().join("0001.sql"),
        "ALTER TABLE orders ADD COLUMN note text;\n",
    )
    .unwrap();
    let out = pgward(dir.path(), &["lint", "0001.sql"], None);
    assert!(
        text(&out.stdout).contains("SET lock_timeout = '500ms';"),
        "{}",
        text(&out.stdout)
    );
    let out = pgward(dir.path(), &["lint", "--diff", "0001.sql"], None);
    assert!(
        text(&out.stdout).contains("+SET lock_timeout = '500ms';"),
        "{}",
        text(&out.stdout)
    );
    fs::write(dir.path().join("pgward.toml"), "lock_timeout = \"0\"\n").unwrap();
    let out = pgward(dir.path(), &["lint", "0001.sql"], None);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("lock_timeout"),
        "{}",
        text(&out.stderr)
    );
}
