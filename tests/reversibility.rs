//! The reversibility rules (`missing-down-migration`, `down-not-inverse`,
//! `irreversible-data-loss`) through the real binary, on the fixture repositories in
//! `fixtures/reversibility/<layout>/` (see its README): each up is paired with its down as its
//! framework pairs them, and the rules stay quiet where a layout has no downs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const RULES: [&str; 3] = [
    "missing-down-migration",
    "down-not-inverse",
    "irreversible-data-loss",
];

fn fixture(layout: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/reversibility")
        .join(layout)
}

/// `pgward lint <dir> --format json`: (file name, rule, message) of the reversibility rules.
fn lint(dir: &Path) -> Vec<(String, String, String)> {
    let out = Command::new(env!("CARGO_BIN_EXE_pgward"))
        .arg("lint")
        .arg(dir)
        .args(["--format", "json"])
        .current_dir(if dir.is_dir() {
            dir
        } else {
            dir.parent().unwrap()
        })
        .output()
        .expect("run pgward");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "pgward failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON output");
    json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| RULES.contains(&d["rule"].as_str().unwrap_or("")))
        .map(|d| {
            let path = Path::new(d["path"].as_str().unwrap());
            // diesel and prisma: the migration's directory names it.
            let name = match path.file_name().unwrap().to_str().unwrap() {
                "up.sql" | "migration.sql" => path.parent().unwrap().file_name().unwrap(),
                _ => path.file_name().unwrap(),
            };
            (
                name.to_string_lossy().into_owned(),
                d["rule"].as_str().unwrap().to_owned(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn rules_by_file(found: &[(String, String, String)]) -> BTreeSet<(String, String)> {
    found
        .iter()
        .map(|(f, r, _)| (f.clone(), r.clone()))
        .collect()
}

/// The five fixture migrations give the same verdicts in every layout with downs: `up(n)` is the
/// name of migration n's up file (or directory) in that layout.
fn assert_reversible_layout(layout: &str, up: impl Fn(usize, &str) -> String) {
    let found = lint(&fixture(layout));
    let expected: BTreeSet<(String, String)> = [
        (up(2, "created_at"), "down-not-inverse"),
        (up(3, "nickname"), "missing-down-migration"),
        (up(4, "bio"), "missing-down-migration"),
        (up(5, "drop_nickname"), "irreversible-data-loss"),
    ]
    .into_iter()
    .map(|(f, r)| (f, r.to_owned()))
    .collect();
    assert_eq!(rules_by_file(&found), expected, "{layout}: {found:#?}");
    assert_eq!(found.len(), 4, "{layout}: one finding each: {found:#?}");
    let message = |rule: &str| {
        found
            .iter()
            .find(|(_, r, _)| r == rule)
            .map(|(_, _, m)| m.clone())
            .unwrap()
    };
    let forgotten = message("down-not-inverse");
    assert!(
        forgotten.contains("index accounts_email_lower_idx (created)"),
        "{layout}: {forgotten}"
    );
    let loss = message("irreversible-data-loss");
    assert!(
        loss.contains("recreates the column but not its data"),
        "{layout}: {loss}"
    );
}

#[test]
fn golang_migrate_pairs_up_and_down_files() {
    assert_reversible_layout("golang-migrate", |n, name| format!("{n}_{name}.up.sql"));
    let found = lint(&fixture("golang-migrate"));
    let missing = found
        .iter()
        .find(|(f, _, _)| f == "4_bio.up.sql")
        .map(|(_, _, m)| m)
        .unwrap();
    assert!(
        missing.contains("4_bio.down.sql"),
        "names the file expected: {missing}"
    );
    let empty = found
        .iter()
        .find(|(f, _, _)| f == "3_nickname.up.sql")
        .map(|(_, _, m)| m)
        .unwrap();
    assert!(empty.contains("is empty"), "{empty}");
}

#[test]
fn sqlx_reversible_pairs_and_quiet_simple_migrations() {
    // `6_drop_bio.sql` is a simple sqlx migration: irreversible by design, quiet.
    assert_reversible_layout("sqlx", |n, name| format!("{n}_{name}.up.sql"));
}

#[test]
fn diesel_pairs_up_and_down_in_one_directory() {
    assert_reversible_layout("diesel", |n, name| format!("2024-01-0{n}-000000_{name}"));
}

#[test]
fn goose_reads_the_down_section_of_the_same_file() {
    assert_reversible_layout("goose", |n, name| format!("2024010{n}000000_{name}.sql"));
    let found = lint(&fixture("goose"));
    let missing = found
        .iter()
        .find(|(f, _, _)| f.ends_with("_bio.sql"))
        .map(|(_, _, m)| m)
        .unwrap();
    assert!(missing.contains("-- +goose Down"), "{missing}");
}

#[test]
fn dbmate_reads_the_down_section_of_the_same_file() {
    assert_reversible_layout("dbmate", |n, name| format!("2024010{n}000000_{name}.sql"));
}

#[test]
fn flyway_with_undo_files_pairs_v_and_u() {
    assert_reversible_layout("flyway", |n, name| format!("V{n}__{name}.sql"));
    let found = lint(&fixture("flyway"));
    let missing = found
        .iter()
        .find(|(f, _, _)| f == "V4__bio.sql")
        .map(|(_, _, m)| m)
        .unwrap();
    assert!(missing.contains("U4__bio.sql"), "{missing}");
}

#[test]
fn layouts_without_downs_stay_quiet() {
    for layout in ["prisma", "plain"] {
        let found = lint(&fixture(layout));
        assert!(found.is_empty(), "{layout}: {found:#?}");
    }
}

#[test]
fn a_file_linted_alone_still_finds_its_down() {
    // The pre-commit hook names the staged files: the up's down is read from disk.
    let up = fixture("golang-migrate").join("migrations/2_created_at.up.sql");
    let found = lint(&up);
    assert_eq!(
        rules_by_file(&found),
        BTreeSet::from([(
            "2_created_at.up.sql".to_owned(),
            "down-not-inverse".to_owned()
        )])
    );
    let up = fixture("goose").join("migrations/20240104000000_bio.sql");
    let found = lint(&up);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].1, "missing-down-migration");
}

#[test]
fn stdin_never_expects_a_down() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pgward"))
        .args(["lint", "-", "--format", "json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run pgward");
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"ALTER TABLE accounts DROP COLUMN nickname;\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    for rule in RULES {
        assert!(!stdout.contains(rule), "{rule}: {stdout}");
    }
    assert!(stdout.contains("ban-drop-column"), "{stdout}");
}

/// A scratch directory under the target directory, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn migrations_older_than_the_first_down_expect_none() {
    // hatchet's history: early goose files without a Down section, downs written later on.
    let dir = scratch("reversibility_first_down");
    let files = [
        (
            "1_old.sql",
            "-- +goose Up\nALTER TABLE a ADD COLUMN b int;\n",
        ),
        (
            "2_first_down.sql",
            "-- +goose Up\nALTER TABLE a ADD COLUMN c int;\n-- +goose Down\nALTER TABLE a DROP COLUMN c;\n",
        ),
        (
            "3_new.sql",
            "-- +goose Up\nALTER TABLE a ADD COLUMN d int;\n",
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let found = lint(&dir);
    assert_eq!(
        rules_by_file(&found),
        BTreeSet::from([("3_new.sql".to_owned(), "missing-down-migration".to_owned())])
    );
}

#[test]
fn pop_sets_are_not_paired_by_number() {
    // gobuffalo/pop (ory/kratos): the downs of a split migration undo the group, not the part
    // with the same number, and a part without a down is normal.
    let dir = scratch("reversibility_pop");
    let files = [
        (
            "20200101000000000000_x.postgres.up.sql",
            "ALTER TABLE a ADD COLUMN b int;",
        ),
        (
            "20200101000000000001_x.postgres.up.sql",
            "CREATE INDEX a_b_idx ON a (b);",
        ),
        (
            "20200101000000000000_x.postgres.down.sql",
            "DROP INDEX a_b_idx;",
        ),
        (
            "20200101000000000001_x.postgres.down.sql",
            "ALTER TABLE a DROP COLUMN b;",
        ),
        (
            "20200102000000000000_y.postgres.up.sql",
            "ALTER TABLE a ADD COLUMN c int;",
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let found = lint(&dir);
    assert!(found.is_empty(), "{found:#?}");
}

/// The schema history gives `irreversible-data-loss` the type a column got in an earlier
/// migration: narrowing it in a later file loses data whatever the down does.
#[test]
fn narrowing_a_column_typed_in_an_earlier_migration_is_irreversible() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, sql: &str| std::fs::write(dir.path().join(name), sql).unwrap();
    write("go.mod", "module example.com/app\n");
    write(
        "1_users.up.sql",
        "CREATE TABLE users (id bigint PRIMARY KEY, name varchar(100));\n",
    );
    write("1_users.down.sql", "DROP TABLE users;\n");
    write(
        "2_short_names.up.sql",
        "ALTER TABLE users ALTER COLUMN name TYPE varchar(50);\n",
    );
    write(
        "2_short_names.down.sql",
        "ALTER TABLE users ALTER COLUMN name TYPE varchar(100);\n",
    );
    let found = lint(dir.path());
    let loss: Vec<_> = found
        .iter()
        .filter(|(_, rule, _)| rule == "irreversible-data-loss")
        .collect();
    assert_eq!(loss.len(), 1, "{found:?}");
    assert_eq!(loss[0].0, "2_short_names.up.sql");
    assert!(loss[0].2.contains("varchar(100)"), "{}", loss[0].2);
}
