//! The output formats of `pgward lint`, on reports built by hand.
//!
//! The diagnostics here are constructed directly, with real spans into the SQL
//! of `fixtures/report/*.sql`, so that these tests depend on the reporters
//! only, not on what the rules currently find. Every format is snapshotted
//! (`tests/snapshots/`; `INSTA_UPDATE=always cargo test --test report` writes
//! new ones), and the contracts are asserted: the JSON keys, the GitHub
//! escaping, the SARIF schema, the summary line, and rendering that stays
//! linear in the number of diagnostics.

use std::collections::BTreeSet;
use std::fs;
use std::ops::Range;
use std::path::PathBuf;

use pgward::lint::FileReport;
use pgward::lint::diagnostic::{Diagnostic, Severity};
use pgward::lint::line_index::LineIndex;
use pgward::lint::ops::LockMode;
use pgward::lint::report::{self, Format, PrettyOptions};
use pgward::lint::rules::RuleId;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A file report under construction.
struct Report {
    path: String,
    text: String,
    index: LineIndex,
    statements: usize,
    diagnostics: Vec<Diagnostic>,
}

impl Report {
    fn new(path: &str, text: &str, statements: usize) -> Report {
        Report {
            path: path.to_owned(),
            text: text.to_owned(),
            index: LineIndex::new(text),
            statements,
            diagnostics: Vec::new(),
        }
    }

    /// A fixture from `fixtures/report/`, under its path relative to the crate root.
    fn fixture(name: &str, statements: usize) -> Report {
        let rel = format!("fixtures/report/{name}");
        let text = fs::read_to_string(root().join(&rel)).unwrap();
        Report::new(&rel, &text, statements)
    }

    /// The byte range of the only occurrence of `needle`.
    fn find(&self, needle: &str) -> Range<usize> {
        let start = self
            .text
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} in {}", self.path));
        assert_eq!(
            self.text.rfind(needle),
            Some(start),
            "{needle:?} is not unique"
        );
        start..start + needle.len()
    }

    fn add(
        &mut self,
        rule: RuleId,
        severity: Severity,
        span: Range<usize>,
        message: &str,
        help: &str,
    ) -> &mut Diagnostic {
        self.diagnostics.push(Diagnostic {
            rule,
            severity,
            start: self.index.position(&self.text, span.start),
            end: self.index.position(&self.text, span.end),
            span,
            message: message.to_owned(),
            help: help.to_owned(),
            lock: None,
            rewrites_table: None,
            fix: None,
        });
        self.diagnostics.last_mut().unwrap()
    }

    fn build(mut self) -> FileReport {
        self.diagnostics.sort_by_key(|d| (d.span.start, d.rule));
        FileReport {
            path: self.path,
            text: self.text,
            line_index: self.index,
            diagnostics: self.diagnostics,
            statements: self.statements,
            bad_suppressions: Vec::new(),
        }
    }
}

/// Three migrations: two errors with locks, a multi-line file with warnings, non-ASCII text,
/// tabs and a diagnostic at the end of the file, and a clean one.
fn fixtures() -> Vec<FileReport> {
    let mut index = Report::fixture("0001_add_orders_index.sql", 3);
    let span = index.find("CREATE INDEX orders_customer_idx ON orders (customer_id);");
    let d = index.add(
        RuleId::RequireConcurrentIndexCreation,
        Severity::Error,
        span,
        "CREATE INDEX without CONCURRENTLY blocks writes to `orders` until the index is built",
        "Build it with CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id); \
         outside a transaction.",
    );
    d.lock = Some(LockMode::Share);
    d.rewrites_table = Some(false);
    let span = index.find("ALTER TABLE users ALTER COLUMN email SET NOT NULL;");
    let d = index.add(
        RuleId::SettingNotNull,
        Severity::Error,
        span,
        "SET NOT NULL scans all of `users` while holding an ACCESS EXCLUSIVE lock",
        "Add CHECK (email IS NOT NULL) NOT VALID, VALIDATE it in a later migration, then SET NOT \
         NULL: PostgreSQL 12 and later skip the scan.",
    );
    d.lock = Some(LockMode::AccessExclusive);
    d.rewrites_table = Some(false);

    let mut backfill = Report::fixture("0002_backfill_names.sql", 4);
    let alter = backfill.find(
        "ALTER TABLE customers\n\tADD COLUMN display_name varchar(120)\n\tDEFAULT 'Ünknown';",
    );
    let d = backfill.add(
        RuleId::RequireTimeoutSettings,
        Severity::Warning,
        alter,
        "ALTER TABLE waits for its ACCESS EXCLUSIVE lock on `customers` with no lock_timeout, \
         and every query on the table queues behind it",
        "Start the migration with SET lock_timeout = '2s'; and retry on timeout.",
    );
    d.lock = Some(LockMode::AccessExclusive);
    let span = backfill.find("varchar(120)");
    backfill.add(
        RuleId::PreferTextField,
        Severity::Warning,
        span,
        "varchar(120) limits the length in the type; changing the limit later takes an ACCESS \
         EXCLUSIVE lock",
        "Use text with a CHECK (char_length(display_name) <= 120) constraint.",
    );
    let span = backfill.find("UPDATE customers SET display_name = first_name || ' ' || last_name;");
    let d = backfill.add(
        RuleId::UnbatchedBackfill,
        Severity::Warning,
        span,
        "UPDATE without WHERE rewrites every row of `customers` in one transaction",
        "Backfill in batches of a few thousand rows by primary key, committing between batches.",
    );
    d.lock = Some(LockMode::RowExclusive);
    let end = backfill.text.len();
    backfill.add(
        RuleId::BanUncommittedTransaction,
        Severity::Error,
        end..end,
        "the file ends inside the transaction that BEGIN opened on line 1",
        "End the migration with COMMIT;",
    );

    let clean = Report::fixture("0003_concurrent_index.sql", 2);
    vec![index.build(), backfill.build(), clean.build()]
}

fn render(format: Format, reports: &[FileReport]) -> String {
    render_with(format, reports, false)
}

fn render_with(format: Format, reports: &[FileReport], color: bool) -> String {
    let mut out = Vec::new();
    report::render(
        format,
        reports,
        &PrettyOptions { color, width: 100 },
        &mut out,
    )
    .unwrap();
    String::from_utf8(out).unwrap()
}

fn sarif(reports: &[FileReport]) -> Value {
    serde_json::from_str(&render(Format::Sarif, reports)).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Snapshots

#[test]
fn pretty_snapshot() {
    insta::assert_snapshot!("pretty", render(Format::Pretty, &fixtures()));
}

#[test]
fn json_snapshot() {
    // The raw text, so that the snapshot also pins the key order.
    insta::assert_snapshot!("json", render(Format::Json, &fixtures()));
}

#[test]
fn github_snapshot() {
    insta::assert_snapshot!("github", render(Format::Github, &fixtures()));
}

#[test]
fn gitlab_snapshot() {
    let text = render(Format::Gitlab, &fixtures());
    let issues: Value = serde_json::from_str(&text).unwrap();
    let issues = issues.as_array().unwrap();
    let total: usize = fixtures().iter().map(|r| r.diagnostics.len()).sum();
    assert_eq!(issues.len(), total);
    let mut fingerprints = BTreeSet::new();
    for issue in issues {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(issue[key].is_string(), "{key} in {issue}");
        }
        assert!(issue["location"]["lines"]["begin"].is_u64(), "{issue}");
        assert!(fingerprints.insert(issue["fingerprint"].as_str().unwrap().to_owned()));
    }
    insta::assert_snapshot!("gitlab", text);
}

#[test]
fn gitlab_fingerprints_survive_lines_inserted_above() {
    let mut moved = fixtures();
    for r in &mut moved {
        for d in &mut r.diagnostics {
            d.start.line += 10;
            d.end.line += 10;
        }
    }
    let fingerprints = |reports: &[FileReport]| -> Vec<Value> {
        let v: Value = serde_json::from_str(&render(Format::Gitlab, reports)).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|i| i["fingerprint"].clone())
            .collect()
    };
    assert_eq!(fingerprints(&fixtures()), fingerprints(&moved));
}

#[test]
fn junit_snapshot() {
    let text = render(Format::Junit, &fixtures());
    let total: usize = fixtures().iter().map(|r| r.diagnostics.len()).sum();
    assert_eq!(text.matches("<failure ").count(), total);
    assert_eq!(text.matches("<testsuite ").count(), fixtures().len());
    assert_eq!(
        text.matches("<testcase ").count(),
        text.matches("</testcase>").count() + text.matches("/>").count()
    );
    insta::assert_snapshot!("junit", text);
}

#[test]
fn sarif_snapshot() {
    let mut log = sarif(&fixtures());
    // The rule docs belong to the rules' authors and change with them, and so does the version:
    // `sarif_driver_describes_every_rule` checks them against the registry instead.
    let driver = &mut log["runs"][0]["tool"]["driver"];
    assert_eq!(driver["rules"].as_array().unwrap().len(), RuleId::ALL.len());
    driver["rules"] = Value::from("[every rule in RuleId::ALL]");
    driver["version"] = Value::from("[CARGO_PKG_VERSION]");
    driver["semanticVersion"] = Value::from("[CARGO_PKG_VERSION]");
    // Registry order: checked by `sarif_driver_describes_every_rule`.
    for result in log["runs"][0]["results"].as_array_mut().unwrap() {
        result["ruleIndex"] = Value::from("[index of ruleId]");
    }
    insta::assert_json_snapshot!("sarif", log);
}

// ---------------------------------------------------------------------------------------------
// Pretty

fn last_line(text: &str) -> &str {
    text.lines().last().unwrap_or("")
}

fn report_with(path: &str, statements: usize, severities: &[Severity]) -> FileReport {
    let text = "SELECT 1;\n".repeat(statements.max(1));
    let mut r = Report::new(path, &text, statements);
    for (i, severity) in severities.iter().enumerate() {
        let start = (i % statements.max(1)) * 10;
        r.add(
            RuleId::PreferRobustStmts,
            *severity,
            start..start + 9,
            "message",
            "help",
        );
    }
    r.build()
}

#[test]
fn summary_line_counts_and_pluralises() {
    use Severity::{Error, Warning};
    let cases: Vec<(Vec<FileReport>, &str)> = vec![
        (vec![], "No problems in 0 files (0 statements)"),
        (
            vec![report_with("a.sql", 1, &[])],
            "No problems in 1 file (1 statement)",
        ),
        (
            vec![report_with("a.sql", 20, &[]), report_with("b.sql", 20, &[])],
            "No problems in 2 files (40 statements)",
        ),
        (
            vec![report_with("a.sql", 2, &[Error])],
            "1 error in 1 file (2 statements)",
        ),
        (
            vec![report_with("a.sql", 1, &[Warning])],
            "1 warning in 1 file (1 statement)",
        ),
        (
            vec![
                report_with("a.sql", 30, &[Error, Warning, Error]),
                report_with("b.sql", 10, &[Error]),
            ],
            "3 errors, 1 warning in 2 files (40 statements)",
        ),
        (
            vec![report_with("a.sql", 3, &[Warning, Warning, Error])],
            "1 error, 2 warnings in 1 file (3 statements)",
        ),
        (
            vec![report_with("a.sql", 3, &[Warning, Warning])],
            "2 warnings in 1 file (3 statements)",
        ),
    ];
    for (reports, want) in cases {
        let out = render(Format::Pretty, &reports);
        assert_eq!(last_line(&out), want, "{out}");
    }
}

#[test]
fn a_clean_run_prints_only_the_summary() {
    let out = render(Format::Pretty, &[report_with("a.sql", 1, &[])]);
    assert_eq!(out, "No problems in 1 file (1 statement)\n");
}

#[test]
fn pretty_shows_header_snippet_label_help_and_location() {
    let out = render(Format::Pretty, &fixtures());
    for want in [
        "error[require-concurrent-index-creation]: CREATE INDEX without CONCURRENTLY",
        "[fixtures/report/0001_add_orders_index.sql:4:1]",
        "4 │ CREATE INDEX orders_customer_idx ON orders (customer_id);",
        "SHARE lock: blocks writes",
        "help: Build it with CREATE INDEX CONCURRENTLY",
        "ACCESS EXCLUSIVE lock: blocks reads and writes",
        "warning[prefer-text-field]: varchar(120)",
        // The column counts characters: the tab is one.
        "[fixtures/report/0002_backfill_names.sql:4:26]",
        "prefer-text-field",
        // The end of the file: after the last text, not on the empty line 7.
        "[fixtures/report/0002_backfill_names.sql:6:68]",
        "the file ends here",
        "error[ban-uncommitted-transaction]",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
    assert!(!out.contains('\x1b'), "no colour was asked for");
    assert!(
        out.lines().all(|l| l.chars().count() <= 100),
        "lines fit the width:\n{out}"
    );
}

#[test]
fn pretty_colours_only_when_asked() {
    let out = render_with(Format::Pretty, &fixtures(), true);
    assert!(out.contains("\x1b[1;31merror[require-concurrent-index-creation]\x1b[0m"));
    assert!(out.contains("\x1b[1;33mwarning[prefer-text-field]\x1b[0m"));
}

#[test]
fn pretty_survives_spans_at_odd_places() {
    // CRLF line ends, an empty file, a span past the end, one inside a character.
    let mut crlf = Report::new("crlf.sql", "SELECT 1;\r\nDROP TABLE t;\r\n", 2);
    let span = crlf.find("DROP TABLE t;");
    crlf.add(
        RuleId::BanDropTable,
        Severity::Error,
        span,
        "drops t",
        "don't",
    );
    let mut empty = Report::new("empty.sql", "", 0);
    empty.add(RuleId::SyntaxError, Severity::Warning, 0..0, "empty", "");
    let mut odd = Report::new("odd.sql", "SELECT 'é';", 1);
    odd.add(
        RuleId::SyntaxError,
        Severity::Warning,
        9..9,
        "inside é",
        "x",
    );
    odd.add(
        RuleId::SyntaxError,
        Severity::Warning,
        5..99,
        "past the end",
        "x",
    );
    let out = render(Format::Pretty, &[crlf.build(), empty.build(), odd.build()]);
    assert!(out.contains("[crlf.sql:2:1]"), "{out}");
    assert!(!out.contains('\r'), "{out:?}");
    assert!(out.contains("[empty.sql:1:1]"), "{out}");
    assert!(out.contains("[odd.sql:1:9]"), "{out}");
    assert!(out.contains("[odd.sql:1:6]"), "{out}");
    assert!(!out.contains("Failed to read"), "{out}");
}

/// 20,000 diagnostics over one 20,000-statement file. Rendering must not rescan the file per
/// diagnostic: miette's own `SourceCode` for a string does, which takes minutes here. This test
/// finishes in seconds even in a debug build; the release figure is in the commit message.
#[test]
fn twenty_thousand_diagnostics_render_in_linear_time() {
    const N: usize = 20_000;
    let mut text = String::with_capacity(N * 40);
    for i in 0..N {
        text.push_str(&format!("CREATE INDEX i{i} ON t (c{i});\n"));
    }
    let mut big = Report::new("big.sql", &text, N);
    let mut start = 0;
    for _ in 0..N {
        let end = start + text[start..].find('\n').unwrap();
        let d = big.add(
            RuleId::RequireConcurrentIndexCreation,
            Severity::Error,
            start..end,
            "CREATE INDEX without CONCURRENTLY blocks writes",
            "Use CREATE INDEX CONCURRENTLY.",
        );
        d.lock = Some(LockMode::Share);
        start = end + 1;
    }
    let out = render(Format::Pretty, &[big.build()]);
    assert_eq!(
        out.matches("error[require-concurrent-index-creation]")
            .count(),
        N
    );
    assert!(out.contains(&format!("[big.sql:{N}:1]")));
    assert!(out.contains(&format!("{N} │ CREATE INDEX i{} ON t (c{});", N - 1, N - 1)));
    assert_eq!(last_line(&out), "20000 errors in 1 file (20000 statements)");
}

// ---------------------------------------------------------------------------------------------
// JSON

#[test]
fn json_has_the_contract_keys_in_order() {
    let out = render(Format::Json, &fixtures());
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["files_checked"], 3);
    assert_eq!(v["summary"]["errors"], 3);
    assert_eq!(v["summary"]["warnings"], 3);
    let diags = v["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 6);

    // Key order, from the text: the top level, then each diagnostic object.
    let keys_at = |indent: usize| -> Vec<String> {
        let prefix = format!("{}\"", " ".repeat(indent));
        out.lines()
            .filter_map(|l| l.strip_prefix(&prefix))
            .filter(|l| l.as_bytes()[0] != b' ')
            .filter_map(|l| l.split_once("\":").map(|(k, _)| k.to_owned()))
            .collect()
    };
    assert_eq!(
        keys_at(2),
        ["files_checked", "diagnostics", "summary"],
        "{out}"
    );
    let contract = [
        "path",
        "rule",
        "severity",
        "line",
        "column",
        "end_line",
        "end_column",
        "message",
        "help",
        "lock",
        "blocks",
        "rewrites_table",
        "fix",
    ];
    let keys = keys_at(6);
    assert_eq!(keys.len(), contract.len() * diags.len(), "{keys:?}");
    for chunk in keys.chunks(contract.len()) {
        assert_eq!(chunk, contract);
    }

    let first = &diags[0];
    assert_eq!(first["path"], "fixtures/report/0001_add_orders_index.sql");
    assert_eq!(first["rule"], "require-concurrent-index-creation");
    assert_eq!(first["severity"], "error");
    assert_eq!(
        (&first["line"], &first["column"]),
        (&Value::from(4), &Value::from(1))
    );
    assert_eq!(
        (&first["end_line"], &first["end_column"]),
        (&Value::from(4), &Value::from(58))
    );
    assert_eq!(first["lock"], "SHARE");
    assert_eq!(first["blocks"], "writes");
    assert_eq!(first["rewrites_table"], false);

    let text_field = diags
        .iter()
        .find(|d| d["rule"] == "prefer-text-field")
        .unwrap();
    assert_eq!(text_field["severity"], "warning");
    assert!(text_field["lock"].is_null());
    assert!(text_field["blocks"].is_null());
    assert!(text_field["rewrites_table"].is_null());
    assert_eq!(
        (&text_field["line"], &text_field["column"]),
        (&Value::from(4), &Value::from(26))
    );
}

#[test]
fn json_with_no_files() {
    let v: Value = serde_json::from_str(&render(Format::Json, &[])).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"files_checked": 0, "diagnostics": [], "summary": {"errors": 0, "warnings": 0}})
    );
}

// ---------------------------------------------------------------------------------------------
// GitHub

#[test]
fn github_escapes_data_and_properties() {
    let mut r = Report::new("dir, a:b/50%.sql", "SELECT 1;\nDROP TABLE t;\n", 2);
    let span = r.find("DROP TABLE t;");
    r.add(
        RuleId::BanDropTable,
        Severity::Warning,
        span,
        "drops t: 100% of\r\nits rows",
        "keep it, or: rename it",
    );
    let out = render(Format::Github, &[r.build()]);
    assert_eq!(
        out,
        "::warning file=dir%2C a%3Ab/50%25.sql,line=2,col=1,endLine=2,endColumn=14,\
         title=ban-drop-table::drops t: 100%25 of%0D%0Aits rows Help: keep it, or: rename it\n"
    );
}

#[test]
fn github_prints_one_line_per_diagnostic() {
    let out = render(Format::Github, &fixtures());
    assert_eq!(out.lines().count(), 6);
    assert_eq!(out.lines().filter(|l| l.starts_with("::error ")).count(), 3);
    assert_eq!(
        out.lines().filter(|l| l.starts_with("::warning ")).count(),
        3
    );
    assert_eq!(render(Format::Github, &[report_with("a.sql", 1, &[])]), "");
}

// ---------------------------------------------------------------------------------------------
// SARIF

fn sarif_validator() -> jsonschema::Validator {
    let path = root().join("fixtures/report/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn schema_errors(validator: &jsonschema::Validator, log: &Value) -> Vec<String> {
    validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let validator = sarif_validator();
    let mut odd = Report::new("my migrations/<stdin>", "SELECT 1;\n", 1);
    odd.add(RuleId::SyntaxError, Severity::Warning, 10..10, "x", "");
    for reports in [
        fixtures(),
        vec![],
        vec![report_with("a.sql", 1, &[])],
        vec![odd.build()],
    ] {
        let log = sarif(&reports);
        let errors = schema_errors(&validator, &log);
        assert!(errors.is_empty(), "{errors:#?}\n{log:#}");
    }

    // The validator is live: a level SARIF does not know is refused.
    let mut log = sarif(&fixtures());
    log["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!schema_errors(&validator, &log).is_empty());
}

#[test]
fn sarif_driver_describes_every_rule() {
    let log = sarif(&fixtures());
    assert_eq!(log["version"], "2.1.0");
    let driver = &log["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "pgward");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), RuleId::ALL.len());
    for (descriptor, rule) in rules.iter().zip(RuleId::ALL) {
        let doc = rule.doc();
        assert_eq!(descriptor["id"], rule.as_str());
        assert_eq!(descriptor["shortDescription"]["text"], doc.summary.as_str());
        assert_eq!(descriptor["fullDescription"]["text"], doc.why.as_str());
        assert_eq!(descriptor["help"]["text"], doc.instead.as_str());
        assert_eq!(descriptor["helpUri"], rule.help_uri().as_str());
        assert_eq!(
            descriptor["defaultConfiguration"]["level"],
            doc.severity.as_str()
        );
    }
    for result in log["runs"][0]["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }
}

#[test]
fn sarif_results_carry_locations_and_lock_facts() {
    let log = sarif(&fixtures());
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let artifacts = run["artifacts"].as_array().unwrap();
    assert_eq!(artifacts.len(), 3);
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 6);

    let first = &results[0];
    assert_eq!(first["ruleId"], "require-concurrent-index-creation");
    assert_eq!(first["level"], "error");
    let text = first["message"]["text"].as_str().unwrap();
    assert!(
        text.starts_with("CREATE INDEX without CONCURRENTLY"),
        "{text}"
    );
    assert!(
        text.contains("Help: Build it with CREATE INDEX CONCURRENTLY"),
        "{text}"
    );
    let location = &first["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "fixtures/report/0001_add_orders_index.sql"
    );
    let artifact = location["artifactLocation"]["index"].as_u64().unwrap() as usize;
    assert_eq!(
        artifacts[artifact]["location"]["uri"],
        location["artifactLocation"]["uri"]
    );
    let region = &location["region"];
    assert_eq!(
        [
            &region["startLine"],
            &region["startColumn"],
            &region["endLine"],
            &region["endColumn"]
        ],
        [
            &Value::from(4),
            &Value::from(1),
            &Value::from(4),
            &Value::from(58)
        ]
    );
    assert_eq!(first["properties"]["lock"], "SHARE");
    assert_eq!(first["properties"]["blocks"], "writes");
    assert_eq!(first["properties"]["rewrites_table"], false);

    let text_field = results
        .iter()
        .find(|r| r["ruleId"] == "prefer-text-field")
        .unwrap();
    assert_eq!(text_field["level"], "warning");
    assert!(text_field.get("properties").is_none());
    assert_eq!(
        text_field["locations"][0]["physicalLocation"]["artifactLocation"]["index"],
        1
    );
}

#[test]
fn sarif_and_json_carry_the_fix_that_fix_applies() {
    let text = "CREATE INDEX orders_status_idx ON orders (status);\n";
    let settings = pgward::lint::LintSettings {
        rules: pgward::lint::RuleSettings::only(RuleId::RequireConcurrentIndexCreation),
        ..Default::default()
    };
    let report = pgward::lint::lint_file(
        pgward::lint::SourceFile {
            path: "migrations/0001.sql".to_owned(),
            text: text.to_owned(),
        },
        &settings,
    );
    assert_eq!(report.diagnostics.len(), 1);
    let reports = [report];

    // SARIF: a valid log whose result has one fix inserting CONCURRENTLY after INDEX (line 1,
    // column 13, an empty region).
    let log: Value = serde_json::from_str(&render(Format::Sarif, &reports)).unwrap();
    assert_eq!(
        schema_errors(&sarif_validator(), &log),
        Vec::<String>::new()
    );
    let fix = &log["runs"][0]["results"][0]["fixes"][0];
    assert_eq!(fix["description"]["text"], "Add CONCURRENTLY", "{fix}");
    let change = &fix["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "migrations/0001.sql");
    let replacement = &change["replacements"][0];
    assert_eq!(replacement["insertedContent"]["text"], " CONCURRENTLY");
    let region = &replacement["deletedRegion"];
    assert_eq!(
        (
            &region["startLine"],
            &region["startColumn"],
            &region["endLine"],
            &region["endColumn"]
        ),
        (
            &Value::from(1),
            &Value::from(13),
            &Value::from(1),
            &Value::from(13)
        ),
        "{region}"
    );

    // JSON: the same edit.
    let json: Value = serde_json::from_str(&render(Format::Json, &reports)).unwrap();
    let fix = &json["diagnostics"][0]["fix"];
    assert_eq!(fix["title"], "Add CONCURRENTLY");
    assert_eq!(fix["applicability"], "safe");
    assert_eq!(
        fix["edits"],
        serde_json::json!([{"line": 1, "column": 13, "end_line": 1, "end_column": 13, "content": " CONCURRENTLY"}])
    );
}
