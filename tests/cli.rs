//! Runs the `pgward` binary the way users do: exit codes, every output format,
//! configuration errors, suppressions, stdin, and bad input.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

const CREATE_INDEX: &str = "CREATE INDEX orders_created_idx ON orders (created_at);\n";

fn pgward(dir: &Path, args: &[&str]) -> Output {
    pgward_stdin(dir, args, None)
}

fn pgward_stdin(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pgward"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("PGWARD_FORMAT")
        .env_remove("PGWARD_PG_VERSION")
        .env_remove("PGWARD_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run pgward");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn dir_with(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

#[test]
fn clean_migration_exits_zero() {
    let dir = dir_with(&[(
        "m.sql",
        "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY orders_created_idx ON orders (created_at);\n",
    )]);
    let out = pgward(dir.path(), &["lint", "m.sql"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stdout(&out).contains("No problems"), "{}", stdout(&out));
}

#[test]
fn error_finding_exits_one_with_a_pretty_report_and_summary() {
    let dir = dir_with(&[("m.sql", CREATE_INDEX)]);
    let out = pgward(dir.path(), &["lint", "m.sql"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("require-concurrent-index-creation"), "{text}");
    assert!(text.contains("m.sql:1:1"), "{text}");
    assert!(text.contains("CONCURRENTLY"), "{text}");
    assert!(text.contains("in 1 file"), "{text}");
}

#[test]
fn json_output_follows_the_contract() {
    let dir = dir_with(&[("m.sql", CREATE_INDEX)]);
    let out = pgward(dir.path(), &["lint", "--format", "json", "m.sql"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files_checked"], 1);
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "require-concurrent-index-creation")
        .expect("the index diagnostic");
    assert_eq!(d["path"], "m.sql");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["line"], 1);
    assert_eq!(d["column"], 1);
    assert_eq!(d["lock"], "SHARE");
    assert_eq!(d["blocks"], "writes");
    assert_eq!(d["rewrites_table"], false);
    for key in ["end_line", "end_column", "message", "help"] {
        assert!(!d[key].is_null(), "{key}");
    }
}

#[test]
fn github_and_sarif_formats() {
    let dir = dir_with(&[("migrations/m.sql", CREATE_INDEX)]);
    let out = pgward(dir.path(), &["lint", "--format", "github", "migrations"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.lines().any(
            |l| l.starts_with("::error file=migrations/m.sql,line=1,col=1")
                && l.contains("title=require-concurrent-index-creation")
        ),
        "{text}"
    );
    let out = pgward(dir.path(), &["lint", "--format", "sarif", "migrations"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let result = &v["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "require-concurrent-index-creation");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "migrations/m.sql"
    );
}

#[test]
fn stdin_is_linted_with_its_display_name() {
    let dir = tempfile::tempdir().unwrap();
    let out = pgward_stdin(
        dir.path(),
        &[
            "lint",
            "--format",
            "json",
            "--stdin-filename",
            "0042.sql",
            "-",
        ],
        Some(CREATE_INDEX),
    );
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["diagnostics"][0]["path"], "0042.sql");
}

#[test]
fn ignore_comments_silence_and_unused_ones_are_reported() {
    let dir = dir_with(&[(
        "m.sql",
        "SET lock_timeout = '2s';\n\
         -- pgward-ignore: require-concurrent-index-creation -- table has 10 rows\n\
         CREATE INDEX a_idx ON orders (a);\n\
         -- pgward-ignore: ban-drop-column\n\
         CREATE INDEX CONCURRENTLY b_idx ON orders (b);\n",
    )]);
    let out = pgward(dir.path(), &["lint", "--format", "json", "m.sql"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert!(
        !rules.contains(&"require-concurrent-index-creation"),
        "{rules:?}"
    );
    assert!(rules.contains(&"unused-ignore"), "{rules:?}");
    // unused-ignore is a warning: the default fail_on = error keeps exit 0.
    assert_eq!(out.status.code(), Some(0), "{rules:?}");
}

#[test]
fn file_level_ignore() {
    let dir = dir_with(&[(
        "m.sql",
        "-- pgward-ignore-file: require-concurrent-index-creation, require-timeout-settings\n\
         CREATE INDEX a_idx ON orders (a);\nCREATE INDEX b_idx ON orders (b);\n",
    )]);
    let out = pgward(dir.path(), &["lint", "m.sql"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn unknown_rule_in_an_ignore_comment_is_an_error_naming_the_line() {
    let dir = dir_with(&[(
        "m.sql",
        "SELECT 1;\n-- pgward-ignore: require-concurent-index-creation\nCREATE INDEX a ON t (x);\n",
    )]);
    let out = pgward(dir.path(), &["lint", "m.sql"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("m.sql:2"), "{err}");
    assert!(err.contains("require-concurrent-index-creation"), "{err}");
}

#[test]
fn config_file_is_found_from_a_subdirectory_and_applied() {
    let dir = dir_with(&[
        (
            "pgward.toml",
            "pg_version = 15\n[rules]\nexclude = [\"require-concurrent-index-creation\", \"require-timeout-settings\"]\n",
        ),
        ("db/m.sql", CREATE_INDEX),
    ]);
    let out = pgward(&dir.path().join("db"), &["lint", "m.sql"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn config_severity_and_fail_on() {
    let dir = dir_with(&[
        (
            "pgward.toml",
            "fail_on = \"warning\"\n[rules]\nexclude = [\"require-timeout-settings\"]\nseverity = { require-concurrent-index-creation = \"warning\" }\n",
        ),
        ("m.sql", CREATE_INDEX),
    ]);
    let out = pgward(dir.path(), &["lint", "--format", "json", "m.sql"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let index = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "require-concurrent-index-creation")
        .expect("the index diagnostic");
    assert_eq!(index["severity"], "warning");
    assert_eq!(
        out.status.code(),
        Some(1),
        "fail_on = warning fails on warnings"
    );
}

#[test]
fn configured_profiles_catch_an_uncovered_personal_column() {
    let profile = "version = 1\n[salt]\nenv = \"PGWARD_SALT\"\n[tables.\"public.users\"]\ncolumns.email = \"email\"\n";
    let dir = dir_with(&[
        (
            "pgward.toml",
            "[anonymize]\nprofiles = [\"ops/anonymize.toml\"]\n",
        ),
        ("ops/anonymize.toml", profile),
        (
            "db/0001.sql",
            "ALTER TABLE users ADD COLUMN email text;\nALTER TABLE users ADD COLUMN ssn text;\n",
        ),
    ]);
    let out = pgward(
        &dir.path().join("db"),
        &["lint", "--format", "json", "0001.sql"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pii: Vec<&serde_json::Value> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "pii-column-not-in-profile")
        .collect();
    assert_eq!(pii.len(), 1, "only ssn is uncovered: {v}");
    assert_eq!(pii[0]["line"], 2);
    assert!(
        pii[0]["help"]
            .as_str()
            .unwrap()
            .contains("ops/anonymize.toml"),
        "{v}"
    );

    // A profile that does not parse is a configuration error naming it.
    std::fs::write(
        dir.path().join("ops/anonymize.toml"),
        "version = 1\n[tables.x]\ncolumns.a = \"nope\"\n",
    )
    .unwrap();
    let out = pgward(&dir.path().join("db"), &["lint", "0001.sql"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("anonymize.toml"), "{}", stderr(&out));
}

#[test]
fn config_errors_name_file_and_line_and_exit_two() {
    let dir = dir_with(&[
        (
            "pgward.toml",
            "pg_version = 15\n[rules]\nexclud = [\"x\"]\n",
        ),
        ("m.sql", "SELECT 1;\n"),
    ]);
    let out = pgward(dir.path(), &["lint", "m.sql"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("pgward.toml:3"), "{}", stderr(&out));

    let dir = dir_with(&[
        (
            "pgward.toml",
            "[rules]\ninclude = [\"prefer-robust-stmt\"]\n",
        ),
        ("m.sql", "SELECT 1;\n"),
    ]);
    let out = pgward(dir.path(), &["lint", "m.sql"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("pgward.toml:2"), "{err}");
    assert!(err.contains("prefer-robust-stmts"), "{err}");
}

#[test]
fn pg_version_changes_verdicts() {
    let sql =
        "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN flag boolean DEFAULT false;\n";
    let dir = dir_with(&[("m.sql", sql)]);
    let out = pgward(dir.path(), &["lint", "m.sql"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    for v in ["10", "10.0", "10.23"] {
        let out = pgward(dir.path(), &["lint", "--pg-version", v, "m.sql"]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "--pg-version {v}: {}",
            stdout(&out)
        );
        assert!(stdout(&out).contains("adding-field-with-default"));
    }
    let out = pgward(dir.path(), &["lint", "--pg-version", "eleven", "m.sql"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn missing_path_is_reported_and_the_rest_still_linted() {
    let dir = dir_with(&[("m.sql", CREATE_INDEX)]);
    let out = pgward(dir.path(), &["lint", "nope.sql", "m.sql"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nope.sql"), "{}", stderr(&out));
    assert!(stdout(&out).contains("require-concurrent-index-creation"));
}

#[test]
fn directory_without_sql_is_an_error() {
    let dir = dir_with(&[("empty/readme.txt", "hi")]);
    let out = pgward(dir.path(), &["lint", "empty"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("empty"), "{}", stderr(&out));
}

#[test]
fn invalid_utf8_names_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("bad.sql"),
        b"SELECT 1;\nSELECT '\xff\xfe';\n",
    )
    .unwrap();
    let out = pgward(dir.path(), &["lint", "bad.sql"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("bad.sql"), "{err}");
    assert!(err.contains("line 2") || err.contains(":2"), "{err}");
    assert!(err.to_lowercase().contains("utf-8"), "{err}");
}

#[test]
fn unterminated_dollar_quote_is_a_syntax_error_and_earlier_statements_are_linted() {
    let dir = dir_with(&[(
        "m.sql",
        "CREATE INDEX a_idx ON orders (a);\nCREATE FUNCTION f() RETURNS int AS $body$\nSELECT 1;\n",
    )]);
    let out = pgward(dir.path(), &["lint", "--format", "json", "m.sql"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let diags = v["diagnostics"].as_array().unwrap();
    let syntax = diags
        .iter()
        .find(|d| d["rule"] == "syntax-error")
        .expect("syntax-error");
    assert_eq!(syntax["line"], 2);
    assert!(syntax["message"].as_str().unwrap().contains("$body$"));
    assert!(
        diags
            .iter()
            .any(|d| d["rule"] == "require-concurrent-index-creation")
    );
}

#[test]
fn a_large_file_is_linted() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::with_capacity(51 << 20);
    let mut i = 0;
    while text.len() < 50 << 20 {
        text.push_str(&format!(
            "ALTER TABLE t{i} ADD COLUMN c{i} text; -- padding to make the file large enough\n"
        ));
        i += 1;
    }
    fs::write(dir.path().join("big.sql"), &text).unwrap();
    let out = pgward(dir.path(), &["lint", "--format", "json", "big.sql"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files_checked"], 1);
}

#[test]
fn rules_and_explain() {
    let dir = tempfile::tempdir().unwrap();
    let out = pgward(dir.path(), &["rules"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("require-concurrent-index-creation"));
    assert!(text.contains("prefer-robust-stmts") && text.contains("opt-in"));

    let out = pgward(dir.path(), &["explain", "setting-not-null"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("# setting-not-null"), "{text}");
    assert!(text.contains("## Example"), "{text}");

    let out = pgward(dir.path(), &["explain", "adding-not-nullable-field"]);
    assert!(
        stdout(&out).starts_with("# setting-not-null"),
        "squawk alias"
    );

    let out = pgward(dir.path(), &["explain", "no-such-rule"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn usage_errors_exit_two() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(pgward(dir.path(), &["lint"]).status.code(), Some(2));
    assert_eq!(
        pgward(dir.path(), &["lint", "--format", "xml", "x.sql"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        pgward(dir.path(), &["lint", "--exclude", "nope", "x.sql"])
            .status
            .code(),
        Some(2)
    );
}
