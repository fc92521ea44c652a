//! `pgward lint --since GITREF` on real temporary git repositories: only the migrations added or
//! modified since the merge base are linted, and a shallow clone without the history gets an error
//! that says how to fetch it.

use std::path::Path;
use std::process::{Command, Output};

mod support;
use support::git::{git, write};

fn pgward(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pgward"))
        .args(args)
        .current_dir(dir)
        .env_remove("PGWARD_SINCE")
        .output()
        .unwrap()
}

fn linted_paths(out: &Output) -> Vec<String> {
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    let mut paths: Vec<String> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap().to_owned())
        .collect();
    paths.dedup();
    paths
}

fn flat(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

const UNSAFE_INDEX: &str = "CREATE INDEX orders_at_idx ON orders (created_at);\n";

/// main: three migrations (one of them unsafe). feature: one modified, one added, one untouched.
fn repository() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    git(repo, &["init", "-q"]);
    write(
        repo,
        "migrations/0001_orders.sql",
        "CREATE TABLE orders (id bigint PRIMARY KEY, created_at timestamptz);\n",
    );
    write(repo, "migrations/0002_old_index.sql", UNSAFE_INDEX);
    write(
        repo,
        "migrations/0003_note.sql",
        "COMMENT ON TABLE orders IS 'orders';\n",
    );
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "main"]);
    git(repo, &["checkout", "-q", "-b", "feature"]);
    write(
        repo,
        "migrations/0003_note.sql",
        "ALTER TABLE orders DROP COLUMN created_at;\n",
    );
    git(repo, &["commit", "-q", "-am", "modify 0003"]);
    write(
        repo,
        "migrations/0004_new_index.sql",
        "CREATE INDEX orders_id_idx ON orders (id);\n",
    );
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "add 0004"]);
    tmp
}

#[test]
fn only_files_changed_since_the_merge_base_are_linted() {
    let tmp = repository();
    let repo = tmp.path();
    // main moves on after the branch point: its new file is not part of this change.
    git(repo, &["checkout", "-q", "main"]);
    write(repo, "migrations/0005_main_only.sql", UNSAFE_INDEX);
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "main moves"]);
    git(repo, &["checkout", "-q", "feature"]);

    let all = pgward(repo, &["lint", "--format", "json", "migrations"]);
    assert_eq!(
        linted_paths(&all),
        [
            "migrations/0002_old_index.sql",
            "migrations/0003_note.sql",
            "migrations/0004_new_index.sql"
        ]
    );

    let out = pgward(
        repo,
        &["lint", "--format", "json", "--since", "main", "migrations"],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(
        linted_paths(&out),
        ["migrations/0003_note.sql", "migrations/0004_new_index.sql"]
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["files_checked"], 2);

    // Uncommitted work counts too: an untracked migration and an edited one.
    write(repo, "migrations/0006_wip.sql", UNSAFE_INDEX);
    write(
        repo,
        "migrations/0001_orders.sql",
        "CREATE TABLE orders (id bigint PRIMARY KEY, created_at timestamptz);\nCREATE INDEX orders_created_idx ON orders (created_at);\n",
    );
    let out = pgward(
        repo,
        &["lint", "--format", "json", "--since", "main", "migrations"],
    );
    assert_eq!(
        linted_paths(&out),
        [
            "migrations/0003_note.sql",
            "migrations/0004_new_index.sql",
            "migrations/0006_wip.sql"
        ],
        "0001 creates the table it indexes: no finding, but it was linted"
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["files_checked"], 4);

    // From a subdirectory, with a relative path.
    let out = pgward(
        &repo.join("migrations"),
        &["lint", "--format", "json", "--since", "main", "."],
    );
    let sub: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sub["files_checked"], 4, "{out:?}");
    assert_eq!(linted_paths(&out).len(), 3, "{out:?}");
}

#[test]
fn nothing_changed_is_clean() {
    let tmp = repository();
    let out = pgward(
        tmp.path(),
        &["lint", "--format", "json", "--since", "HEAD", "migrations"],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["files_checked"], 0);
}

#[test]
fn an_unknown_ref_is_a_usage_error() {
    let tmp = repository();
    let out = pgward(
        tmp.path(),
        &["lint", "--since", "no-such-branch", "migrations"],
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    // miette wraps the help text: compare with the line breaks flattened.
    let err = flat(&out.stderr);
    assert!(
        err.contains("--since no-such-branch: no such commit or branch"),
        "{err}"
    );
}

#[test]
fn a_shallow_clone_without_the_ref_says_to_fetch_it() {
    let tmp = repository();
    let origin = tmp.path();
    let clones = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.display());
    // What actions/checkout does by default: the PR head only, one commit deep.
    git(
        clones.path(),
        &[
            "clone", "-q", "--depth", "1", "--branch", "feature", &url, "single",
        ],
    );
    let single = clones.path().join("single");
    let out = pgward(&single, &["lint", "--since", "origin/main", "migrations"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    // miette wraps the help text: compare with the line breaks flattened.
    let err = flat(&out.stderr);
    assert!(
        err.contains("no such commit or branch in this shallow clone"),
        "{err}"
    );
    assert!(err.contains("git fetch --unshallow"), "{err}");
    assert!(err.contains("fetch-depth: 0"), "{err}");

    // Both branches fetched, but one commit deep: the merge base is missing.
    git(
        clones.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-single-branch",
            "--branch",
            "feature",
            &url,
            "both",
        ],
    );
    let both = clones.path().join("both");
    let out = pgward(&both, &["lint", "--since", "origin/main", "migrations"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    // miette wraps the help text: compare with the line breaks flattened.
    let err = flat(&out.stderr);
    assert!(
        err.contains("no merge base with HEAD in this shallow clone"),
        "{err}"
    );
    assert!(err.contains("fetch-depth: 0"), "{err}");

    // After `git fetch --unshallow` it works.
    git(&both, &["fetch", "-q", "--unshallow"]);
    let out = pgward(
        &both,
        &[
            "lint",
            "--format",
            "json",
            "--since",
            "origin/main",
            "migrations",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(
        linted_paths(&out),
        ["migrations/0003_note.sql", "migrations/0004_new_index.sql"]
    );
}

#[test]
fn outside_a_repository_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "m/1.sql", UNSAFE_INDEX);
    let out = Command::new(env!("CARGO_BIN_EXE_pgward"))
        .args(["lint", "--since", "main", "m"])
        .current_dir(tmp.path())
        .env("GIT_CEILING_DIRECTORIES", tmp.path().parent().unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not inside a git repository"));
}
