//! Every rule, checked three ways:
//!
//! 1. Fixtures: `fixtures/lint/<id>/*.sql` run with only that rule enabled. In
//!    every file, a statement preceded by a `-- expect: <id>` comment must get
//!    a diagnostic of the rule and every other statement must not
//!    (`-- expect-at-end: <id>` for diagnostics at the end of the file).
//!    `ok.sql` must produce nothing at all. A first-line header
//!    `-- pgward-test: pg-version=10 assume-in-transaction also=<id>,<id> profile=<file>`
//!    sets the version, the transaction mode and extra rules to enable;
//!    `down=<file>` (relative to the fixture, e.g. `down/bad.sql`, kept in a
//!    subdirectory so that it is not a fixture itself) lints the fixture as an up
//!    migration with that down file, `down=missing` as one whose expected down
//!    does not exist. The pretty output is snapshotted into
//!    `fixtures/lint/<id>/snapshots/`.
//! 2. Docs: each `[[example]]` in `rules/<id>.toml` gives exactly one
//!    diagnostic of the rule for `bad` and none for `good` (with the i-th
//!    `[[example_down]]`'s `bad` / `good` as their down files).
//! 3. The registry: the ids in `RuleId::ALL`, `rules/*.toml`,
//!    `src/lint/rules/*.rs` and `fixtures/lint/*/` are the same set.
//!
//! `PGWARD_RULE=<id> cargo test --test lint_rules` checks one rule;
//! `INSTA_UPDATE=always` writes new snapshots.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use pgward::anonymize::Profile;
use pgward::lint::context::{FileSettings, PiiProfiles};
use pgward::lint::layout::Transaction;
use pgward::lint::report::{self, Format, PrettyOptions};
use pgward::lint::rules::{DownPart, RuleId};
use pgward::lint::{self, FileReport, LintSettings, RuleSettings, SourceFile, split};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn selected_rules() -> Vec<RuleId> {
    match std::env::var("PGWARD_RULE") {
        Ok(id) => vec![id.parse().expect("PGWARD_RULE names a rule")],
        Err(_) => RuleId::ALL.to_vec(),
    }
}

/// What a fixture's `-- pgward-test:` header sets: the settings, the down part, and how the
/// runner runs the file (`transaction=one-query|wrapped|per-statement`).
struct Fixture {
    settings: LintSettings,
    down: DownPart,
    transaction: Transaction,
}

/// Settings, down part and transaction mode from a fixture's `-- pgward-test:` header.
fn fixture_settings(rule: RuleId, dir: &std::path::Path, text: &str) -> Fixture {
    let mut settings = LintSettings {
        file: FileSettings::default(),
        rules: RuleSettings::only(rule),
    };
    let mut down = DownPart::NotExpected;
    let mut transaction = Transaction::Configured;
    let Some(header) = text
        .lines()
        .next()
        .and_then(|l| l.trim().strip_prefix("-- pgward-test:"))
    else {
        return Fixture {
            settings,
            down,
            transaction,
        };
    };
    for word in header.split_whitespace() {
        if let Some(v) = word.strip_prefix("pg-version=") {
            settings.file.pg_version = v.parse().expect("pg-version=N");
        } else if word == "assume-in-transaction" {
            settings.file.assume_in_transaction = true;
        } else if let Some(mode) = word.strip_prefix("transaction=") {
            transaction = mode
                .parse()
                .expect("transaction=one-query|wrapped|per-statement");
        } else if word == "down=missing" {
            down = DownPart::Missing {
                expected: "the down migration".to_owned(),
            };
        } else if let Some(file) = word.strip_prefix("down=") {
            let path = dir.join(file);
            let text = fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("down={file}: {}: {e}", path.display()));
            down = DownPart::present(file, &text);
        } else if let Some(file) = word.strip_prefix("profile=") {
            settings.file.profiles = profile_settings(&dir.join(file));
        } else if let Some(list) = word.strip_prefix("also=") {
            for id in list.split(',') {
                settings
                    .rules
                    .set_enabled(id.parse().expect("also=<rule ids>"), true);
            }
        } else {
            panic!("unknown pgward-test option `{word}`");
        }
    }
    Fixture {
        settings,
        down,
        transaction,
    }
}

/// A fixture's `profile=FILE`, configured as `anonymize.toml` would be.
fn profile_settings(path: &std::path::Path) -> PiiProfiles {
    let profile = Profile::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    PiiProfiles(Arc::new(vec![(name, profile)]))
}

fn lint(
    path: &str,
    text: &str,
    down: &DownPart,
    transaction: Transaction,
    settings: &LintSettings,
) -> FileReport {
    lint::lint_migration(
        SourceFile {
            path: path.to_owned(),
            text: text.to_owned(),
        },
        None,
        transaction,
        down,
        settings,
    )
}

fn render_pretty(report: FileReport) -> String {
    let mut out = Vec::new();
    report::render(
        Format::Pretty,
        &[report],
        &PrettyOptions {
            color: false,
            width: 100,
        },
        &mut out,
    )
    .unwrap();
    String::from_utf8(out).unwrap()
}

/// Compares the `-- expect:` markers of one fixture with the diagnostics of its rule.
fn check_markers(rule: RuleId, rel: &str, text: &str, report: &FileReport) -> Vec<String> {
    let split = split::split(text);
    let statements = &split.statements;
    let marker = format!("expect: {rule}");
    let end_marker = format!("expect-at-end: {rule}");
    let mut expected = vec![false; statements.len()];
    let mut expect_at_end = false;
    for comment in &split.comments {
        let body = text[comment.clone()].trim_start_matches("--").trim();
        if body == end_marker {
            expect_at_end = true;
        } else if body == marker {
            match statements.iter().position(|s| s.start >= comment.end) {
                Some(i) => expected[i] = true,
                None => panic!("{rel}: `-- {marker}` after the last statement"),
            }
        }
    }
    let mut fired = vec![false; statements.len()];
    let mut fired_at_end = false;
    for d in report.diagnostics.iter().filter(|d| d.rule == rule) {
        match statements
            .iter()
            .rposition(|s| s.start <= d.span.start && d.span.start <= s.end)
        {
            Some(i) => fired[i] = true,
            None if d.span.start >= statements.last().map_or(0, |s| s.end) => fired_at_end = true,
            None => panic!(
                "{rel}: diagnostic outside any statement at byte {}",
                d.span.start
            ),
        }
    }
    let mut problems = Vec::new();
    let line = |i: usize| report.line_index.position(text, statements[i].start).line;
    for i in 0..statements.len() {
        match (expected[i], fired[i]) {
            (true, false) => problems.push(format!(
                "{rel}:{}: expected {rule} to fire on this statement, it did not",
                line(i)
            )),
            (false, true) => problems.push(format!(
                "{rel}:{}: {rule} fired here without an `-- expect: {rule}` marker",
                line(i)
            )),
            _ => {}
        }
    }
    if expect_at_end != fired_at_end {
        problems.push(format!(
            "{rel}: expect-at-end {expect_at_end}, fired at end {fired_at_end}"
        ));
    }
    problems
}

fn fixture_files(rule: RuleId) -> Vec<PathBuf> {
    let dir = root().join("fixtures/lint").join(rule.as_str());
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    files
}

#[test]
fn fixtures_fire_where_marked_and_nowhere_else() {
    let mut problems = Vec::new();
    for rule in selected_rules() {
        let files = fixture_files(rule);
        let names: BTreeSet<_> = files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        if !names.contains("bad.sql") || !names.contains("ok.sql") {
            problems.push(format!("fixtures/lint/{rule}/ needs bad.sql and ok.sql"));
        }
        for path in files {
            let text = fs::read_to_string(&path).unwrap();
            let rel = path.strip_prefix(root()).unwrap().display().to_string();
            let f = fixture_settings(rule, path.parent().unwrap(), &text);
            let report = lint(&rel, &text, &f.down, f.transaction, &f.settings);
            let is_ok = path.file_name().is_some_and(|n| n == "ok.sql");
            if is_ok {
                for d in &report.diagnostics {
                    problems.push(format!(
                        "{rel}:{}: ok.sql must be silent, got {}: {}",
                        d.start.line, d.rule, d.message
                    ));
                }
            } else {
                problems.extend(check_markers(rule, &rel, &text, &report));
                if !report.diagnostics.iter().any(|d| d.rule == rule) {
                    problems.push(format!("{rel}: no diagnostic of {rule} at all"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn fixture_snapshots() {
    for rule in selected_rules() {
        let dir = root().join("fixtures/lint").join(rule.as_str());
        for path in fixture_files(rule) {
            let text = fs::read_to_string(&path).unwrap();
            let rel = path.strip_prefix(root()).unwrap().display().to_string();
            let f = fixture_settings(rule, path.parent().unwrap(), &text);
            let report = lint(&rel, &text, &f.down, f.transaction, &f.settings);
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            insta::with_settings!({
                snapshot_path => dir.join("snapshots"),
                prepend_module_to_snapshot => false,
                input_file => &path,
                omit_expression => true,
            }, {
                insta::assert_snapshot!(stem, render_pretty(report));
            });
        }
    }
}

#[test]
fn doc_examples_fire_once_when_bad_and_never_when_good() {
    let mut problems = Vec::new();
    for rule in selected_rules() {
        let doc = rule.doc();
        if rule != RuleId::UnusedIgnore && doc.example.is_empty() {
            problems.push(format!("rules/{rule}.toml has no [[example]]"));
        }
        if doc.example_down.len() > doc.example.len() {
            problems.push(format!(
                "rules/{rule}.toml has more [[example_down]] than [[example]]"
            ));
        }
        for (i, example) in doc.example.iter().enumerate() {
            let settings = LintSettings {
                file: FileSettings {
                    pg_version: example.pg_version.unwrap_or(15),
                    assume_in_transaction: example.assume_in_transaction,
                    profiles: match &example.profile {
                        Some(text) => PiiProfiles(Arc::new(vec![(
                            "anonymize.toml".to_owned(),
                            Profile::parse("anonymize.toml", text).expect("example profile"),
                        )])),
                        None => PiiProfiles::default(),
                    },
                    ..FileSettings::default()
                },
                rules: RuleSettings::only(rule),
            };
            let (bad_down, good_down) = match doc.example_down.get(i) {
                Some(d) => (
                    DownPart::present("down.sql", &d.bad),
                    DownPart::present("down.sql", d.good.as_ref().unwrap_or(&d.bad)),
                ),
                None => (DownPart::NotExpected, DownPart::NotExpected),
            };
            let bad = lint(
                "bad.sql",
                &example.bad,
                &bad_down,
                Transaction::Configured,
                &settings,
            );
            let fired = bad.diagnostics.iter().filter(|d| d.rule == rule).count();
            if fired != 1 {
                problems.push(format!(
                    "rules/{rule}.toml example {}: bad gives {fired} diagnostics of the rule, expected 1",
                    i + 1
                ));
            }
            let good = lint(
                "good.sql",
                &example.good,
                &good_down,
                Transaction::Configured,
                &settings,
            );
            if good.diagnostics.iter().any(|d| d.rule == rule) {
                problems.push(format!(
                    "rules/{rule}.toml example {}: good gives a diagnostic: {}",
                    i + 1,
                    good.diagnostics[0].message
                ));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

fn stems(dir: &Path, ext: Option<&str>) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| match ext {
            Some(ext) => p.extension().is_some_and(|e| e == ext),
            None => p.is_dir(),
        })
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn registry_docs_modules_and_fixtures_agree() {
    let ids: BTreeSet<String> = RuleId::ALL.iter().map(|r| r.as_str().to_owned()).collect();
    let docs = stems(&root().join("rules"), Some("toml"));
    let modules: BTreeSet<String> = stems(&root().join("src/lint/rules"), Some("rs"))
        .into_iter()
        .filter(|m| m != "mod" && m != "helpers")
        .map(|m| m.replace('_', "-"))
        .collect();
    let fixtures = stems(&root().join("fixtures/lint"), None);
    assert_eq!(ids, docs, "RuleId::ALL vs rules/*.toml");
    assert_eq!(ids, modules, "RuleId::ALL vs src/lint/rules/*.rs");
    assert_eq!(ids, fixtures, "RuleId::ALL vs fixtures/lint/*/");
}
