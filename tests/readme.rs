//! The README must tell the truth: its rule and transformer tables are generated from the
//! registries, and its test command is what CI runs.

use std::fs;
use std::path::PathBuf;

fn read(rel: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn between<'a>(text: &'a str, begin: &str, end: &str) -> &'a str {
    let start = text.find(begin).expect(begin) + begin.len();
    let stop = text.find(end).expect(end);
    text[start..stop].trim()
}

#[test]
fn rule_table_is_current() {
    let readme = read("README.md");
    let table = between(&readme, "<!-- rules:begin -->", "<!-- rules:end -->");
    let generated = pgward::commands::rules_markdown();
    assert!(
        table == generated.trim(),
        "README.md's rule table is stale: run scripts/update-readme-rules.sh"
    );
}

#[test]
fn transformer_table_is_current() {
    let readme = read("README.md");
    let table = between(
        &readme,
        "<!-- transformers:begin -->",
        "<!-- transformers:end -->",
    );
    let generated = pgward::anonymize::transform::reference();
    assert!(
        table == generated.trim(),
        "README.md's transformer table is stale: run scripts/update-readme-rules.sh"
    );
}

#[test]
fn ci_runs_the_readme_test_command() {
    let readme = read("README.md");
    let ci = read(".ci/run");
    let command = "cargo test --locked";
    assert!(
        readme.contains(&format!("```sh\n{command}\n```")),
        "README names {command}"
    );
    assert!(
        ci.lines().any(|l| l.trim() == command),
        ".ci/run must run exactly `{command}`"
    );
}
