//! The pre-commit hook, for real: a temporary git repository installs pgward's hook with the
//! `pre-commit` tool (`pip install pre-commit`; `.ci/run` installs it), then a commit of an unsafe
//! migration is refused and a commit of a safe one goes through.
//!
//! The hook's `id`, `entry` and `files` come from the repository's `.pre-commit-hooks.yaml`; the test
//! declares it as a `repo: local` hook running the binary under test, so that no network is needed.
//! Set `PGWARD_SKIP_PRECOMMIT=1` to skip the test where `pre-commit` cannot be installed.

use std::path::Path;
use std::process::{Command, Output};

/// `key: value` of the first hook in `.pre-commit-hooks.yaml`.
fn hook_field(yaml: &str, key: &str) -> String {
    yaml.lines()
        .map(|l| l.trim_start_matches(['-', ' ']))
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .unwrap_or_else(|| panic!("{key} missing from .pre-commit-hooks.yaml"))
        .trim()
        .to_owned()
}

fn run(dir: &Path, program: &str, args: &[&str], home: &Path) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("PRE_COMMIT_HOME", home.join("cache"))
        .env("HOME", home)
        .env("GIT_AUTHOR_NAME", "pgward test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "pgward test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
}

fn ok(out: Output, what: &str) -> Output {
    assert!(out.status.success(), "{what}: {out:?}");
    out
}

#[test]
fn the_hook_blocks_an_unsafe_migration_and_passes_a_safe_one() {
    if std::env::var_os("PGWARD_SKIP_PRECOMMIT").is_some() {
        println!("note: PGWARD_SKIP_PRECOMMIT is set; skipped");
        return;
    }
    let version = Command::new("pre-commit").arg("--version").output();
    assert!(
        version.as_ref().is_ok_and(|o| o.status.success()),
        "the pre-commit tool is needed: `pip install pre-commit` (or set PGWARD_SKIP_PRECOMMIT=1)"
    );

    let hooks = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    let id = hook_field(&hooks, "id");
    assert_eq!(id, "pgward-lint");
    let entry = hook_field(&hooks, "entry");
    let files = hook_field(&hooks, "files");
    assert_eq!(files, r"\.sql$");
    // `pgward lint` -> the binary under test, same arguments.
    let entry = entry.replacen("pgward", env!("CARGO_BIN_EXE_pgward"), 1);

    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join("migrations")).unwrap();
    ok(
        run(&repo, "git", &["init", "-q", "-b", "main"], &home),
        "git init",
    );
    std::fs::write(
        repo.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: local\n    hooks:\n      - id: {id}\n        name: pgward lint\n        \
             entry: {entry}\n        language: system\n        files: {files}\n"
        ),
    )
    .unwrap();
    ok(
        run(&repo, "pre-commit", &["install"], &home),
        "pre-commit install",
    );
    assert!(repo.join(".git/hooks/pre-commit").is_file());
    std::fs::write(repo.join("README.md"), "app\n").unwrap();
    ok(run(&repo, "git", &["add", "."], &home), "git add");
    ok(
        run(&repo, "git", &["commit", "-q", "-m", "setup"], &home),
        "commit without migrations",
    );

    // Unsafe: a plain CREATE INDEX on an existing table blocks writes.
    std::fs::write(
        repo.join("migrations/0002_index.sql"),
        "CREATE INDEX orders_created_at_idx ON orders (created_at);\n",
    )
    .unwrap();
    ok(run(&repo, "git", &["add", "migrations"], &home), "git add");
    let refused = run(&repo, "git", &["commit", "-m", "unsafe index"], &home);
    assert!(
        !refused.status.success(),
        "the hook let it through: {refused:?}"
    );
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&refused.stdout),
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(said.contains("require-concurrent-index-creation"), "{said}");
    assert!(said.contains("migrations/0002_index.sql"), "{said}");
    let log = ok(run(&repo, "git", &["log", "--oneline"], &home), "git log");
    assert_eq!(String::from_utf8_lossy(&log.stdout).lines().count(), 1);

    // Safe: the same index built concurrently, outside a transaction.
    std::fs::write(
        repo.join("migrations/0002_index.sql"),
        "SET lock_timeout = '5s';\nCREATE INDEX CONCURRENTLY orders_created_at_idx ON orders (created_at);\n",
    )
    .unwrap();
    ok(run(&repo, "git", &["add", "migrations"], &home), "git add");
    let passed = run(&repo, "git", &["commit", "-m", "safe index"], &home);
    assert!(
        passed.status.success(),
        "the hook refused a safe migration: {passed:?}"
    );
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&passed.stdout),
        String::from_utf8_lossy(&passed.stderr)
    );
    assert!(
        said.contains("pgward lint") && said.contains("Passed"),
        "{said}"
    );
    let log = ok(run(&repo, "git", &["log", "--oneline"], &home), "git log");
    assert_eq!(String::from_utf8_lossy(&log.stdout).lines().count(), 2);
}
