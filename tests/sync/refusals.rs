//! Every pre-flight refusal of the contract exits 1, creates no `__pgward_new`, leaves the
//! existing target untouched and names the object in stderr; so does a run failing after the
//! pre-flight (a failing `[after] sql`, a bad `rows = { where }`); a malformed profile exits 2.

use std::path::{Path, PathBuf};

use crate::harness::*;
use crate::support;

const PHONE_LINE: &str = r#"columns.phone = "phone"   # tests replace this line"#;
const ISSUED_ON_LINE: &str =
    r#"columns.issued_on = { transform = "date_shift", days = 30 }   # tests replace this line"#;
/// The lines of hard_cases.toml the variants replace (checked by `fixtures`).
const WHERE_LINE: &str = r#"rows = { where = "attempted_at >= '2026-06-01 00:00:00+00'" }"#;
const AFTER_LINE: &str = r#"sql = ["DO $$ BEGIN EXECUTE format('COMMENT ON DATABASE %I IS %L', current_database(), 'staging copy made by pgward'); END $$"]"#;
/// The lines of hard_cases.toml the variants replace (checked by `fixtures`).
pub const REPLACED_LINES: &[&str] = &[PHONE_LINE, ISSUED_ON_LINE, WHERE_LINE, AFTER_LINE];

/// hard_cases.toml with one line replaced, written to `dir/name`.
fn variant(dir: &Path, name: &str, line: &str, replacement: &str) -> PathBuf {
    let text = read_fixture("hard_cases.toml");
    assert!(text.contains(line), "hard_cases.toml lacks `{line}`");
    let path = dir.join(name);
    std::fs::write(&path, text.replacen(line, replacement, 1)).unwrap();
    path
}

/// What an existing database holds: its tables with their row counts.
async fn contents(url: &str) -> std::collections::BTreeMap<String, i64> {
    let c = support::connect(url).await;
    row_counts(&c).await
}

#[tokio::test]
async fn refusals_exit_1_and_write_nothing() {
    let (src_url, src_name) = fresh_database("rf_src").await;
    load_hard_cases(&src_url).await;
    let (stage_url, stage) = fresh_database("rf_stage").await;
    let (marked_url, marked) = fresh_database("rf_marked").await;
    for (url, db) in [(&stage_url, &stage), (&marked_url, &marked)] {
        let c = support::connect(url).await;
        exec(
            &c,
            "CREATE TABLE previous_marker (note text); INSERT INTO previous_marker VALUES ('old')",
            "marker",
        )
        .await;
        if db == &marked {
            exec(
                &c,
                &format!("COMMENT ON DATABASE {db} IS 'shared reporting copy; pgward:production'"),
                "comment",
            )
            .await;
        }
    }
    let before_stage = contents(&stage_url).await;
    let before_marked = contents(&marked_url).await;
    let admin = support::connect(&src_url).await;
    let dir = tempfile::tempdir().unwrap();
    let profile = fixture("hard_cases.toml");

    let missing_table = dir.path().join("missing_table.toml");
    std::fs::write(
        &missing_table,
        format!(
            "{}\n[tables.\"public.no_such_table\"]\ncolumns.email = \"email\"\n",
            read_fixture("hard_cases.toml")
        ),
    )
    .unwrap();
    let missing_column = variant(
        dir.path(),
        "missing_column.toml",
        ISSUED_ON_LINE,
        r#"columns.no_such_column = "email""#,
    );
    let wrong_type = variant(
        dir.path(),
        "wrong_type.toml",
        ISSUED_ON_LINE,
        r#"columns.amount_cents = "ip""#,
    );
    let uncovered = variant(dir.path(), "uncovered.toml", PHONE_LINE, "");
    // Failures after the pre-flight: the run must still leave nothing behind.
    let after_fails = variant(
        dir.path(),
        "after_fails.toml",
        AFTER_LINE,
        r#"sql = ["SELECT 1 / 0"]"#,
    );
    let bad_where = variant(
        dir.path(),
        "bad_where.toml",
        WHERE_LINE,
        r#"rows = { where = "no_such_col > 1" }"#,
    );

    struct Case {
        what: &'static str,
        target: String,
        profile: PathBuf,
        lock: Option<&'static str>,
        /// Each must appear in stderr.
        stderr: Vec<&'static str>,
    }
    let case = |what, target: &str, profile: &Path, lock, stderr| Case {
        what,
        target: target.to_owned(),
        profile: profile.to_path_buf(),
        lock,
        stderr,
    };
    let prod_name = "rf_prod_copy";
    let live_name = "live_rf";
    let mut cases = vec![
        case(
            "no safety lock",
            &stage_url,
            &profile,
            None,
            vec!["STAGING_SAFETY_LOCK"],
        ),
        case(
            "safety lock not `enabled`",
            &stage_url,
            &profile,
            Some("yes"),
            vec!["STAGING_SAFETY_LOCK"],
        ),
        case(
            "target is the source (same URL)",
            &src_url,
            &profile,
            Some("enabled"),
            vec!["same database"],
        ),
        case(
            "target named *prod* (default-style protect pattern)",
            &url_for(&src_url, prod_name),
            &profile,
            Some("enabled"),
            vec!["production", prod_name],
        ),
        case(
            "target matching the profile's protect pattern live_*",
            &url_for(&src_url, live_name),
            &profile,
            Some("enabled"),
            vec!["production", live_name],
        ),
        case(
            "target commented pgward:production",
            &marked_url,
            &profile,
            Some("enabled"),
            vec!["production"],
        ),
        case(
            "profile names a missing table",
            &stage_url,
            &missing_table,
            Some("enabled"),
            vec!["no_such_table"],
        ),
        case(
            "profile names a missing column",
            &stage_url,
            &missing_column,
            Some("enabled"),
            vec!["no_such_column"],
        ),
        case(
            "transformer not fitting the column type",
            &stage_url,
            &wrong_type,
            Some("enabled"),
            vec!["amount_cents", "integer", "ip"],
        ),
        case(
            "uncovered PII-named column",
            &stage_url,
            &uncovered,
            Some("enabled"),
            vec!["public.user.phone", "profile"],
        ),
        case(
            "[after] sql failing (after the data, before the swap)",
            &stage_url,
            &after_fails,
            Some("enabled"),
            vec!["[after]"],
        ),
        case(
            "rows = { where } naming a missing column",
            &stage_url,
            &bad_where,
            Some("enabled"),
            vec!["login_attempts"],
        ),
    ];
    if let Some(kw) = keyword_form(&src_url) {
        cases.push(case(
            "target is the source (key=value spelling)",
            &kw,
            &profile,
            Some("enabled"),
            vec!["same database"],
        ));
    }

    let pii = collect_values(&admin, crate::hard_cases::PII_QUERIES).await;
    let mut checks = Checks::default();
    for c in &cases {
        let mut cmd = sync_command(&src_url, &c.target, &c.profile, SALT_A);
        cmd.env_remove("STAGING_SAFETY_LOCK");
        if let Some(lock) = c.lock {
            cmd.env("STAGING_SAFETY_LOCK", lock);
        }
        let run = run(cmd).await;
        checks.check(run.code == Some(1), || {
            format!("{}: expected exit 1: {}", c.what, run.describe())
        });
        for needle in &c.stderr {
            checks.check(run.stderr.contains(needle), || {
                format!(
                    "{}: stderr should mention `{needle}`: {}",
                    c.what,
                    run.describe()
                )
            });
        }
        let leaked = find_pii(&pii, &format!("{}\n{}", run.stdout, run.stderr));
        checks.check(leaked.is_empty(), || {
            format!(
                "{}: pgward's output shows original values: {leaked:?}",
                c.what
            )
        });
        let mut stray = Vec::new();
        for prefix in [&stage, &marked, &src_name] {
            stray.extend(
                databases_like(&admin, &format!("{prefix}__pgward"))
                    .await
                    .into_iter(),
            );
        }
        for name in [prod_name, live_name] {
            stray.extend(databases_like(&admin, name).await.into_iter());
        }
        checks.check(stray.is_empty(), || {
            format!("{}: the refused run created {stray:?}", c.what)
        });
        checks.check(contents(&stage_url).await == before_stage, || {
            format!("{}: the existing target {stage} changed", c.what)
        });
        checks.check(contents(&marked_url).await == before_marked, || {
            format!("{}: the existing target {marked} changed", c.what)
        });
    }
    checks.finish("refusals_exit_1_and_write_nothing");
}

#[tokio::test]
async fn bad_profiles_exit_2() {
    let (src_url, _) = fresh_database("bad_src").await;
    {
        let c = support::connect(&src_url).await;
        exec(
            &c,
            "CREATE TABLE people (id int PRIMARY KEY, email text); \
             INSERT INTO people VALUES (1, 'zebulon.quillfeather@corp-mail.com')",
            "source",
        )
        .await;
    }
    let admin = support::connect(&src_url).await;
    let target = url_for(&src_url, "bad_stage");
    let dir = tempfile::tempdir().unwrap();
    let good = read_fixture("killed.toml");
    let cases: Vec<(&str, String, Vec<&str>, bool)> = vec![
        (
            "malformed TOML",
            good.replace("[tables.\"public.people\"]", "[tables.\"public.people\""),
            vec![],
            true,
        ),
        (
            "unknown transformer",
            good.replace("columns.email = \"email\"", "columns.email = \"emial\""),
            vec!["emial"],
            true,
        ),
        (
            "unsupported version",
            good.replace("version = 1", "version = 7"),
            vec!["version"],
            true,
        ),
        (
            "salt variable unset",
            good.clone(),
            vec!["PGWARD_SALT"],
            false,
        ),
    ];
    let mut checks = Checks::default();
    for (i, (what, text, needles, with_salt)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("bad{i}.toml"));
        std::fs::write(&path, text).unwrap();
        let mut cmd = sync_command(&src_url, &target, &path, SALT_A);
        if !with_salt {
            cmd.env_remove("PGWARD_SALT");
        }
        let run = run(cmd).await;
        checks.check(run.code == Some(2), || {
            format!("{what}: expected exit 2: {}", run.describe())
        });
        for n in needles {
            checks.check(run.stderr.contains(n), || {
                format!("{what}: stderr should mention `{n}`: {}", run.describe())
            });
        }
        let made = databases_like(&admin, "bad_stage").await;
        checks.check(made.is_empty(), || format!("{what}: created {made:?}"));
    }
    // A profile that does not exist is a configuration error too.
    let run = run(sync_command(
        &src_url,
        &target,
        &dir.path().join("missing.toml"),
        SALT_A,
    ))
    .await;
    checks.check(run.code == Some(2), || {
        format!("unreadable profile: expected exit 2: {}", run.describe())
    });
    checks.finish("bad_profiles_exit_2");
}
