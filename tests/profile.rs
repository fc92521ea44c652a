//! `pgward profile init` and `pgward profile check` through the binary, on the labelled schema of
//! the detector tests: init's profile, used as is, passes check and syncs with no original
//! personal value left in the target; a profile missing one column fails check naming it.

mod support;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Command, Output};

use regex::Regex;

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/detect")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn pgward(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pgward"))
        .args(args)
        .env("PGWARD_SALT", "profile-tests-salt")
        .env("STAGING_SAFETY_LOCK", "enabled")
        .env_remove("PGWARD_SOURCE")
        .env_remove("PGWARD_PROFILE")
        .output()
        .expect("run pgward")
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A data-only plain dump (COPY text) of a database.
fn data_dump(url: &str) -> String {
    let out = Command::new("pg_dump")
        .args(["--data-only", "--no-owner", "--dbname", url])
        .output()
        .expect("run pg_dump");
    assert!(
        out.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 dump")
}

#[tokio::test]
async fn init_check_and_sync_leave_no_personal_value() {
    let source = support::database("profile_src").await;
    let client = support::connect(&source).await;
    client
        .batch_execute(&fixture("labelled.sql"))
        .await
        .unwrap_or_else(|e| panic!("labelled.sql: {}", support::message(&e)));
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("anonymize.toml");
    let profile_arg = profile.to_str().unwrap();

    // init writes a commented profile, and never overwrites one.
    let out = pgward(&[
        "profile",
        "init",
        "--source",
        &source,
        "--output",
        profile_arg,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let written = std::fs::read_to_string(&profile).unwrap();
    assert!(
        written.contains("# "),
        "entries carry the detector's reasons"
    );
    let again = pgward(&[
        "profile",
        "init",
        "--source",
        &source,
        "--output",
        profile_arg,
    ]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(std::fs::read_to_string(&profile).unwrap(), written);

    // check: complete as written.
    let out = pgward(&[
        "profile",
        "check",
        "--source",
        &source,
        "--profile",
        profile_arg,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(" 0 uncovered"),
        "{}",
        text(&out)
    );
    let out = pgward(&[
        "profile",
        "check",
        "--source",
        &source,
        "--profile",
        profile_arg,
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["covered"], true, "{report}");
    assert!(report["findings"].as_array().unwrap().len() >= 50);

    // Without one column's rule, check fails naming it, in both formats.
    let partial = dir.path().join("partial.toml");
    let without: String = written
        .lines()
        .filter(|l| !l.starts_with("columns.api_key ="))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(without, written, "the scaffold names integration.api_key");
    std::fs::write(&partial, without).unwrap();
    let partial_arg = partial.to_str().unwrap();
    let out = pgward(&[
        "profile",
        "check",
        "--source",
        &source,
        "--profile",
        partial_arg,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("public.integration.api_key"));
    let out = pgward(&[
        "profile",
        "check",
        "--source",
        &source,
        "--profile",
        partial_arg,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let uncovered = report["uncovered"].as_array().unwrap();
    assert_eq!(uncovered.len(), 1, "{report}");
    assert_eq!(uncovered[0]["finding"]["column"], "api_key");
    // The sync refuses the same profile, naming the column.
    let target = support::with_dbname(&source, "profile_stage");
    let out = pgward(&[
        "sync",
        "--source",
        &source,
        "--target",
        &target,
        "--profile",
        partial_arg,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("public.integration.api_key"));

    // The scaffold, used as is, syncs, and no original personal value reaches the target.
    let out = pgward(&[
        "sync",
        "--source",
        &source,
        "--target",
        &target,
        "--profile",
        profile_arg,
        "--progress",
        "quiet",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let originals = personal_values(&client, &data_dump(&source), &written).await;
    assert!(
        originals.len() > 500,
        "{} values collected",
        originals.len()
    );
    let staged = data_dump(&target);
    let survivors: Vec<&String> = originals
        .iter()
        .filter(|v| staged.contains(v.as_str()))
        .collect();
    assert!(
        survivors.is_empty(),
        "original values in the target: {survivors:?}"
    );
}

/// Values the target must not contain: every email address anywhere in the source, and every
/// value of a column the profile masks as a whole. Left out, with the reason: values under 8
/// characters (they match unrelated text by chance), dates (a shifted date may equal another
/// row's real one), and columns masked by `scrub` or `json` (their personal parts are the
/// emails, phones and JSON leaves, checked through the emails and the whole-value columns).
async fn personal_values(
    client: &tokio_postgres::Client,
    source_dump: &str,
    profile: &str,
) -> BTreeSet<String> {
    let email =
        Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}").unwrap();
    let date = Regex::new(r"^\d{4}-\d{2}-\d{2}").unwrap();
    let mut values: BTreeSet<String> = email
        .find_iter(source_dump)
        .map(|m| m.as_str().to_owned())
        .collect();
    let table_header = Regex::new(r#"^\[tables\."([^.]+)\.(.+)"\]$"#).unwrap();
    let column_rule = Regex::new(r#"^columns\.("?)(.+?)("?) = (.*)$"#).unwrap();
    let mut table = None;
    for line in profile.lines() {
        if let Some(c) = table_header.captures(line) {
            table = Some((c[1].to_owned(), c[2].to_owned()));
            continue;
        }
        let (Some((schema, name)), Some(c)) = (&table, column_rule.captures(line)) else {
            continue;
        };
        let (column, rule) = (c[2].to_owned(), c[4].to_owned());
        if rule.contains("scrub") || rule.contains("json") {
            continue;
        }
        let sql = format!(
            "SELECT DISTINCT {col}::text FROM {s}.{t} WHERE {col} IS NOT NULL",
            col = quote(&column),
            s = quote(schema),
            t = quote(name)
        );
        for row in client
            .query(&sql, &[])
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
        {
            let value: String = row.get(0);
            if value.chars().count() >= 8 && !date.is_match(&value) && plain_copy_text(&value) {
                values.insert(value);
            }
        }
    }
    values
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A value COPY writes as is (no escapes), so the dump holds it verbatim.
fn plain_copy_text(value: &str) -> bool {
    !value.contains(['\\', '\t', '\n', '\r'])
}
