//! `pgward sync --dump`: archives made with the installed pg_dump from the sync tests' hard cases
//! (fixtures/sync/hard_cases.sql and its profile), in every form pg_dump writes, sync to the same
//! data a live `pgward sync` of the same source makes with the same salt; the committed archives
//! of newer and older pg_dump versions (fixtures/archive/) restore too; damaged or refused
//! archives exit 1 with a message that says what to do.
//!
//! Run: `cargo test --test sync_dump`.

mod support;

#[path = "sync/harness.rs"]
#[allow(dead_code)]
mod harness;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use harness::{
    Checks, Run, SALT_A, collect_values, databases_like, digests, find_pii, fixture,
    fresh_database, line_diff, load_hard_cases, pg_dump, pg_program, row_counts, run, scalar_i64,
    schema_lines, sequences, sync_command, url_for,
};

/// The PII columns of the hard cases (tests/sync/hard_cases.rs reads the same).
const PII_QUERIES: &[&str] = &[
    r#"SELECT email, full_name, phone, hashed_password, host(last_login_ip) FROM "user""#,
    r#"SELECT split_part(full_name, ' ', 2) FROM "user""#,
    "SELECT billing_address->>'email', billing_address->>'name', billing_address->>'street'
     FROM billing.invoices",
    r#"SELECT "Requester Email" FROM "Support Tickets""#,
    r#"SELECT unnest(cc_emails) FROM "Support Tickets""#,
    "SELECT token, refresh_token, client_secret FROM api_tokens",
    "SELECT recipient_name, recipient_phone, ship_to_address FROM shipments",
    "SELECT actor_email, host(ip_address), payload->'contact'->>'email',
            payload->'contact'->>'phone' FROM events",
    "SELECT username_tried, host(ip_address) FROM login_attempts",
    "SELECT actor_email, host(ip_address), details->>'name', details->>'phone' FROM audit_log",
];

/// `pgward sync --dump PATH --target T --profile P --jobs 2`, armed, with `PGWARD_SALT=salt`.
fn dump_command(dump: &Path, target: &str, profile: &Path, salt: &str) -> Command {
    dump_command_jobs(dump, target, profile, salt, 2)
}

/// [`dump_command`] with `--jobs jobs`.
fn dump_command_jobs(
    dump: &Path,
    target: &str,
    profile: &Path,
    salt: &str,
    jobs: usize,
) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pgward"));
    for var in [
        "PGWARD_SOURCE",
        "PGWARD_DUMP",
        "PGWARD_TARGET",
        "PGWARD_PROFILE",
        "PGWARD_JOBS",
        "PGWARD_REPORT",
        "PGWARD_PROGRESS",
        "STAGING_SAFETY_LOCK",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("STAGING_SAFETY_LOCK", "enabled")
        .env("PGWARD_SALT", salt)
        .arg("sync")
        .arg("--dump")
        .arg(dump)
        .arg("--target")
        .arg(target)
        .arg("--profile")
        .arg(profile)
        .args(["--jobs", &jobs.to_string(), "--progress", "log"])
        .stdin(Stdio::null());
    cmd
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Makes an archive of `url` with the installed pg_dump: `how` is the pg_dump arguments, or a
/// shell pipeline when it contains `|` (`{pg_dump}`, `{url}` and `{out}` are replaced).
fn make_archive(url: &str, how: &str, out: &Path) {
    let pg_dump = pg_program("pg_dump");
    let status = if how.contains('|') {
        let script = how
            .replace("{pg_dump}", &shell_quote(&pg_dump.to_string_lossy()))
            .replace("{url}", &shell_quote(url))
            .replace("{out}", &shell_quote(&out.to_string_lossy()));
        Command::new("sh").arg("-c").arg(&script).status()
    } else {
        Command::new(&pg_dump)
            .args(how.split_whitespace())
            .arg("--file")
            .arg(out)
            .arg("--dbname")
            .arg(url)
            .status()
    };
    assert!(
        status.is_ok_and(|s| s.success()),
        "pg_dump {how} of {url} failed"
    );
}

#[tokio::test]
async fn every_archive_form_syncs_like_a_live_sync() {
    let (src_url, _) = fresh_database("dump_src").await;
    load_hard_cases(&src_url).await;
    let src = support::connect(&src_url).await;
    let source_counts = row_counts(&src).await;
    let source_schema = schema_lines(&src_url).await;
    let pii = collect_values(&src, PII_QUERIES).await;
    assert!(pii.len() > 1000, "the PII query found {} values", pii.len());
    let profile = fixture("hard_cases.toml");

    // The reference: a live sync of the same source with the same salt.
    let live_url = url_for(&src_url, "dump_live");
    let live_run = run(sync_command(&src_url, &live_url, &profile, SALT_A)).await;
    assert_eq!(live_run.code, Some(0), "{}", live_run.describe());
    let live = support::connect(&live_url).await;
    let live_counts = row_counts(&live).await;
    let live_digests = digests(&live).await;
    let live_sequences = sequences(&live).await;

    let dir = tempfile::tempdir().unwrap();
    let forms: &[(&str, &str)] = &[
        ("fc_z0", "-Fc -Z0"),
        ("fc_gzip", "-Fc -Z 6"),
        ("fc_pipe", "{pg_dump} -Fc --dbname {url} | cat > {out}"),
        ("fd_j2", "-Fd -j 2"),
        ("plain", "-Fp"),
        ("plain_gz", "{pg_dump} -Fp --dbname {url} | gzip > {out}"),
    ];
    let mut checks = Checks::default();
    for (name, how) in forms {
        let path = dir.path().join(name);
        make_archive(&src_url, how, &path);
        let target_url = url_for(&src_url, &format!("dump_t_{name}"));
        let sync = run(dump_command(&path, &target_url, &profile, SALT_A)).await;
        if sync.code != Some(0) {
            checks.fail(format!("{name}: {}", sync.describe()));
            continue;
        }
        check_against_live(
            &mut checks,
            name,
            &target_url,
            &source_counts,
            &source_schema,
            &live_counts,
            &live_digests,
            &live_sequences,
            &pii,
        )
        .await;
    }
    checks.finish("every_archive_form_syncs_like_a_live_sync");
}

#[allow(clippy::too_many_arguments)]
async fn check_against_live(
    checks: &mut Checks,
    name: &str,
    target_url: &str,
    source_counts: &BTreeMap<String, i64>,
    source_schema: &[String],
    live_counts: &BTreeMap<String, i64>,
    live_digests: &BTreeMap<String, String>,
    live_sequences: &BTreeMap<String, Option<i64>>,
    pii: &std::collections::BTreeSet<String>,
) {
    let target = support::connect(target_url).await;
    let counts = row_counts(&target).await;
    checks.eq(live_counts, &counts, &format!("{name}: row counts"));
    for (table, n) in source_counts {
        // The profile copies part of login_attempts and none of audit_log.
        if table.ends_with("login_attempts") || table.ends_with("audit_log") {
            continue;
        }
        checks.eq(
            Some(n),
            counts.get(table),
            &format!("{name}: rows of {table} (source)"),
        );
    }
    if let Some(diff) = line_diff(source_schema, &schema_lines(target_url).await) {
        checks.fail(format!("{name}: schema differs from the source's: {diff}"));
    }
    let found = digests(&target).await;
    for (table, digest) in live_digests {
        checks.eq(
            Some(digest),
            found.get(table),
            &format!("{name}: data of {table} (live sync)"),
        );
    }
    checks.eq(
        live_sequences,
        &sequences(&target).await,
        &format!("{name}: sequences"),
    );
    let data = pg_dump(target_url, &["--data-only"]).await;
    let leaked = find_pii(pii, &data);
    checks.check(leaked.is_empty(), || {
        format!("{name}: original values in the target: {leaked:?}")
    });
}

fn archive_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/archive")
        .join(name)
}

fn dump_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/dump")
        .join(name)
}

#[tokio::test]
async fn archives_of_newer_pg_dump_versions_restore() {
    let (base, _) = fresh_database("dump_newer").await;
    let profile = dump_fixture("archive-fixtures.toml");
    let mut checks = Checks::default();
    for (i, name) in [
        "v16-custom-lz4.dump",
        "v17-custom-zstd.dump",
        "v18-custom-gzip-pipe.dump",
        "v18-custom-none.dump",
        "v17-dir-lz4",
        "v18-dir-zstd",
        "v18-plain.sql",
        "v18-server18-stats.dump",
    ]
    .iter()
    .enumerate()
    {
        let target_url = url_for(&base, &format!("dump_newer_{i}"));
        let sync = run(dump_command(
            &archive_fixture(name),
            &target_url,
            &profile,
            SALT_A,
        ))
        .await;
        if sync.code != Some(0) {
            checks.fail(format!("{name}: {}", sync.describe()));
            continue;
        }
        let t = support::connect(&target_url).await;
        for (sql, expected) in [
            (r#"SELECT count(*) FROM "Sales Dept"."People""#, 300),
            ("SELECT count(*) FROM public.readings", 2),
            ("SELECT n FROM public.people_count", 300),
            ("SELECT last_value FROM public.ticket_no", 1234),
            (
                r#"SELECT count(*) FROM "Sales Dept"."People" WHERE "Full Name" = 'Ada Lovelace' OR "Full Name" LIKE 'person %'"#,
                0,
            ),
            // Untouched columns keep their bytes (tabs, newlines, backslashes, `\.`).
            (
                r#"SELECT count(*) FROM "Sales Dept"."People" WHERE id = 3 AND note = '\.'"#,
                1,
            ),
            (
                "SELECT count(*) FROM pg_indexes WHERE indexname IN ('people_name', 'People_pkey')",
                2,
            ),
        ] {
            checks.eq(
                expected,
                scalar_i64(&t, sql).await,
                &format!("{name}: {sql}"),
            );
        }
    }
    checks.finish("archives_of_newer_pg_dump_versions_restore");
}

/// The archives of pg_dump 13 and 14 (archive version 1.14; fixtures/archive/README.md) restore
/// and mask like the newer ones: a custom archive to a file and through a pipe, a directory
/// archive made with `-j 2` (all gzip), and a plain dump.
#[tokio::test]
async fn archives_of_pg_dump_13_and_14_restore() {
    let (base, _) = fresh_database("dump_older").await;
    let profile = dump_fixture("archive-fixtures.toml");
    let mut checks = Checks::default();
    let mut names = Vec::new();
    for v in ["13", "14"] {
        for form in [
            "custom-gzip.dump",
            "custom-gzip-pipe.dump",
            "dir-gzip",
            "plain.sql",
        ] {
            names.push(format!("v{v}-{form}"));
        }
    }
    for (i, name) in names.iter().enumerate() {
        let target_url = url_for(&base, &format!("dump_older_{i}"));
        let sync = run(dump_command(
            &archive_fixture(name),
            &target_url,
            &profile,
            SALT_A,
        ))
        .await;
        if sync.code != Some(0) {
            checks.fail(format!("{name}: {}", sync.describe()));
            continue;
        }
        let t = support::connect(&target_url).await;
        for (sql, expected) in [
            (r#"SELECT count(*) FROM "Sales Dept"."People""#, 300),
            ("SELECT count(*) FROM public.readings", 2),
            ("SELECT count(*) FROM public.empty_table", 0),
            ("SELECT n FROM public.people_count", 300),
            ("SELECT last_value FROM public.ticket_no", 1234),
            // Masked: no original name, no avatar, every birth date moved.
            (
                r#"SELECT count(*) FROM "Sales Dept"."People" WHERE "Full Name" = 'Ada Lovelace' OR "Full Name" LIKE 'person %'"#,
                0,
            ),
            (
                r#"SELECT count(*) FROM "Sales Dept"."People" WHERE avatar IS NOT NULL"#,
                0,
            ),
            (
                r#"SELECT count(*) FROM "Sales Dept"."People" WHERE born = DATE '2000-01-01' + id"#,
                0,
            ),
            // Untouched columns keep their bytes (tabs, newlines, backslashes, `\.`).
            (
                r#"SELECT count(*) FROM "Sales Dept"."People" WHERE id = 3 AND note = '\.'"#,
                1,
            ),
            (
                r#"SELECT count(*) FROM "Sales Dept"."People" WHERE id = 1 AND note = E'tab\there, newline\nthere, backslash \\ here'"#,
                1,
            ),
            (
                r#"SELECT count(*) FROM "Sales Dept"."People" WHERE id > 3 AND note = repeat('x', id % 50)"#,
                297,
            ),
            (
                "SELECT count(*) FROM pg_indexes WHERE indexname IN ('people_name', 'People_pkey')",
                2,
            ),
            (
                "SELECT count(*) FROM pg_inherits WHERE inhrelid = 'public.readings_2025'::regclass",
                1,
            ),
        ] {
            checks.eq(
                expected,
                scalar_i64(&t, sql).await,
                &format!("{name}: {sql}"),
            );
        }
    }
    checks.finish("archives_of_pg_dump_13_and_14_restore");
}

#[tokio::test]
async fn truncated_and_refused_archives_exit_1_and_write_nothing() {
    let (base, _) = fresh_database("dump_refused").await;
    let dir = tempfile::tempdir().unwrap();
    let profile = dump_fixture("archive-fixtures.toml");
    let admin = support::connect(&base).await;
    let exists = |name: &'static str| {
        let admin = &admin;
        async move {
            scalar_i64(
                admin,
                &format!("SELECT count(*) FROM pg_database WHERE datname LIKE '{name}%'"),
            )
            .await
        }
    };

    // Cut inside the data: the reader sees it while the table is loading.
    let whole = std::fs::read(archive_fixture("v18-custom-none.dump")).unwrap();
    let cut = dir.path().join("cut.dump");
    std::fs::write(&cut, &whole[..whole.len() * 3 / 4]).unwrap();
    let target = url_for(&base, "dump_cut");
    let r = run(dump_command(&cut, &target, &profile, SALT_A)).await;
    expect_refusal(&r, &["truncated", "cut.dump"]);
    assert_eq!(exists("dump_cut").await, 0, "nothing left behind");

    // A table the profile names that the archive does not have.
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        std::fs::read_to_string(&profile).unwrap()
            + "\n[tables.\"public.nope\"]\ncolumns.x = \"null\"\n",
    )
    .unwrap();
    let target = url_for(&base, "dump_bad");
    let r = run(dump_command(
        &archive_fixture("v18-custom-none.dump"),
        &target,
        &bad,
        SALT_A,
    ))
    .await;
    expect_refusal(&r, &["public.nope", "the archive does not have"]);
    assert_eq!(exists("dump_bad").await, 0, "nothing written");

    // Value sampling: a column whose name says nothing, full of email addresses and phone
    // numbers, is found from the first rows of its data (in every archive form).
    let plain_profile = dir.path().join("plain.toml");
    std::fs::write(
        &plain_profile,
        "version = 1\n[salt]\nenv = \"PGWARD_SALT\"\n",
    )
    .unwrap();
    let (val_url, _) = fresh_database("dump_values_src").await;
    let val = support::connect(&val_url).await;
    val.batch_execute(
        "CREATE TABLE notes (id int PRIMARY KEY, misc text); \
         INSERT INTO notes SELECT g, 'person' || g || '@corp-mail.com' FROM generate_series(1, 50) g",
    )
    .await
    .unwrap();
    for (form, how) in [
        ("fc", "-Fc"),
        ("pipe", "{pg_dump} -Fc --dbname {url} | cat > {out}"),
        ("plain", "-Fp"),
    ] {
        let path = dir.path().join(format!("values-{form}"));
        make_archive(&val_url, how, &path);
        let target = url_for(&base, &format!("dump_values_{form}"));
        let r = run(dump_command(&path, &target, &plain_profile, SALT_A)).await;
        expect_refusal(&r, &["public.notes.misc", "sampled values", "email"]);
        assert!(
            !r.stderr.contains("corp-mail.com"),
            "no value in messages: {}",
            r.describe()
        );
    }

    // Data as INSERT statements cannot be masked: refused, in archives and plain dumps alike.
    for (form, how) in [("fc", "-Fc --inserts"), ("plain", "-Fp --column-inserts")] {
        let path = dir.path().join(format!("inserts-{form}"));
        make_archive(&val_url, how, &path);
        let target = url_for(&base, &format!("dump_inserts_{form}"));
        let r = run(dump_command(&path, &target, &plain_profile, SALT_A)).await;
        expect_refusal(&r, &["INSERT statements", "--inserts"]);
        assert!(!r.stderr.contains("corp-mail.com"), "{}", r.describe());
        assert_eq!(
            scalar_i64(
                &admin,
                &format!(
                    "SELECT count(*) FROM pg_database WHERE datname LIKE 'dump_inserts_{form}%'"
                )
            )
            .await,
            0,
            "nothing written"
        );
    }

    // A statement of the archive that fails on the target names its TOC entry and the server's
    // message: a policy for a role that exists on the source's server but not the target's.
    let (pol_url, _) = fresh_database("dump_policy_src").await;
    let pol = support::connect(&pol_url).await;
    pol.batch_execute(
        "DROP ROLE IF EXISTS dump_policy_role; CREATE ROLE dump_policy_role; \
         CREATE TABLE t (id int); ALTER TABLE t ENABLE ROW LEVEL SECURITY; \
         CREATE POLICY only_some ON t TO dump_policy_role USING (id > 0)",
    )
    .await
    .unwrap();
    let pol_dump = dir.path().join("policy.dump");
    make_archive(&pol_url, "-Fc", &pol_dump);
    pol.batch_execute("DROP POLICY only_some ON t; DROP ROLE dump_policy_role")
        .await
        .unwrap();
    let target = url_for(&base, "dump_pfail");
    let r = run(dump_command(&pol_dump, &target, &plain_profile, SALT_A)).await;
    expect_refusal(
        &r,
        &[
            "(POLICY public.t only_some)",
            "role \"dump_policy_role\" does not exist",
            "CREATE POLICY only_some",
        ],
    );
    assert_eq!(
        exists("dump_pfail").await,
        0,
        "the half-built database is dropped"
    );
}

/// Output text without miette's wrapping: box-drawing margins dropped, whitespace runs as one
/// space.
fn flatten(text: &str) -> String {
    text.replace(['│', '×'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn expect_refusal(r: &Run, needles: &[&str]) {
    assert_eq!(r.code, Some(1), "{}", r.describe());
    for needle in needles {
        assert!(
            r.stderr.contains(needle),
            "stderr lacks {needle:?}: {}",
            r.describe()
        );
    }
}

/// `large_objects` in the profile: absent, a dump with large objects is refused and the message
/// names the key; "drop" (or the older `[tables."pg_catalog.pg_largeobject"] rows = "none"`)
/// leaves them out, the referencing column keeping its OIDs; "keep" copies them byte for byte
/// from custom (file and pipe) and directory archives, and is refused for a plain dump.
#[tokio::test]
async fn large_objects_are_refused_dropped_or_kept_as_the_profile_says() {
    let (base, _) = fresh_database("dump_lo_base").await;
    let exists = |name: &'static str| {
        let base = base.clone();
        async move {
            let c = support::connect(&base).await;
            scalar_i64(
                &c,
                &format!("SELECT count(*) FROM pg_database WHERE datname = '{name}'"),
            )
            .await
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let (lo_url, _) = fresh_database("dump_lo_src").await;
    let lo = support::connect(&lo_url).await;
    // One small object and one over a chunk (1 MiB) of incompressible-ish bytes.
    lo.batch_execute(
        "CREATE TABLE docs (id int PRIMARY KEY, body oid); \
         INSERT INTO docs VALUES (1, lo_from_bytea(0, 'secret scan'::bytea)); \
         INSERT INTO docs SELECT 2, lo_from_bytea(0, string_agg(sha256(int4send(g)), ''::bytea)) \
           FROM generate_series(1, 50000) g",
    )
    .await
    .unwrap();
    let source_digest = "SELECT string_agg(md5(lo_get(body)), ',' ORDER BY id) FROM docs";
    let want: String = lo.query_one(source_digest, &[]).await.unwrap().get(0);
    let profile = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!("version = 1\n{text}[salt]\nenv = \"PGWARD_SALT\"\n"),
        )
        .unwrap();
        path
    };
    let none = profile("none.toml", "");
    let drop = profile("drop.toml", "large_objects = \"drop\"\n");
    let legacy = dir.path().join("legacy.toml");
    std::fs::write(
        &legacy,
        "version = 1\n[salt]\nenv = \"PGWARD_SALT\"\n[tables.\"pg_catalog.pg_largeobject\"]\nrows = \"none\"\n",
    )
    .unwrap();
    let keep = profile("keep.toml", "large_objects = \"keep\"\n");

    let fc = dir.path().join("lo.dump");
    make_archive(&lo_url, "-Fc", &fc);
    let target = url_for(&base, "dump_lobj");
    let r = run(dump_command(&fc, &target, &none, SALT_A)).await;
    expect_refusal(&r, &["large objects", "large_objects"]);
    assert!(
        r.stderr.contains("\"drop\"") && r.stderr.contains("\"keep\""),
        "{}",
        r.describe()
    );
    assert_eq!(exists("dump_lobj").await, 0, "nothing written");

    for (form, how) in [
        ("fc", "-Fc"),
        ("pipe", "{pg_dump} -Fc --dbname {url} | cat > {out}"),
        ("dir", "-Fd -j 2"),
        ("plain", "-Fp"),
    ] {
        let path = dir.path().join(format!("lo-{form}"));
        make_archive(&lo_url, how, &path);
        for (mode, profile) in [("drop", &drop), ("legacy", &legacy), ("keep", &keep)] {
            let target = url_for(&base, &format!("dump_lo_{mode}_{form}"));
            let r = run(dump_command(&path, &target, profile, SALT_A)).await;
            if mode == "keep" && form == "plain" {
                expect_refusal(&r, &["plain SQL dumps", "pg_dump -Fc"]);
                continue;
            }
            assert_eq!(r.code, Some(0), "{mode} {form}: {}", r.describe());
            let t = support::connect(&target).await;
            assert_eq!(scalar_i64(&t, "SELECT count(*) FROM docs").await, 2);
            let objects = scalar_i64(&t, "SELECT count(*) FROM pg_largeobject_metadata").await;
            if mode == "keep" {
                assert_eq!(objects, 2, "{form}: large objects kept");
                let got: String = t.query_one(source_digest, &[]).await.unwrap().get(0);
                assert_eq!(got, want, "{form}: the objects' bytes");
            } else {
                assert_eq!(objects, 0, "{mode} {form}: large objects dropped");
                // The column keeps the source's OIDs, which now point at nothing.
                assert_eq!(
                    scalar_i64(&t, "SELECT count(*) FROM docs WHERE body IS NOT NULL").await,
                    2
                );
            }
        }
    }
}

/// `--keep-owners` with `--dump`: owners and grants come from the archive's TOC; without the
/// flag the objects belong to the syncing user, without grants. An owner role the target server
/// lacks is refused before anything is written, naming the role; so is a plain dump.
#[tokio::test]
async fn keep_owners_restores_owners_and_grants_or_refuses_missing_roles() {
    let (src_url, _) = fresh_database("dump_owners_src").await;
    let src = support::connect(&src_url).await;
    src.batch_execute(
        "CREATE ROLE pgw_dump_owner NOLOGIN; CREATE ROLE pgw_dump_reader NOLOGIN; \
         CREATE ROLE pgw_dump_gone NOLOGIN; \
         CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1); \
         ALTER TABLE t OWNER TO pgw_dump_owner; GRANT SELECT ON t TO pgw_dump_reader; \
         CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'SELECT a'; \
         ALTER FUNCTION f(int) OWNER TO pgw_dump_owner",
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("owners.dump");
    make_archive(&src_url, "-Fc", &path);
    let profile = dir.path().join("p.toml");
    std::fs::write(&profile, "version = 1\n[salt]\nenv = \"PGWARD_SALT\"\n").unwrap();
    let owner_of = "SELECT tableowner::text FROM pg_tables WHERE tablename = 't'";
    let reader_may = "SELECT has_table_privilege('pgw_dump_reader', 'public.t', 'SELECT')";

    let target = url_for(&src_url, "dump_owners_kept");
    let mut cmd = dump_command(&path, &target, &profile, SALT_A);
    cmd.arg("--keep-owners");
    let r = run(cmd).await;
    assert_eq!(r.code, Some(0), "{}", r.describe());
    let t = support::connect(&target).await;
    let owner: String = t.query_one(owner_of, &[]).await.unwrap().get(0);
    assert_eq!(owner, "pgw_dump_owner");
    assert!(
        t.query_one(reader_may, &[])
            .await
            .unwrap()
            .get::<_, bool>(0)
    );
    let f_owner: String = t
        .query_one(
            "SELECT proowner::regrole::text FROM pg_proc WHERE proname = 'f'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(f_owner, "pgw_dump_owner");

    let target = url_for(&src_url, "dump_owners_dropped");
    let r = run(dump_command(&path, &target, &profile, SALT_A)).await;
    assert_eq!(r.code, Some(0), "{}", r.describe());
    let t = support::connect(&target).await;
    let owner: String = t.query_one(owner_of, &[]).await.unwrap().get(0);
    assert_ne!(
        owner, "pgw_dump_owner",
        "without --keep-owners the syncing user owns it"
    );
    assert!(
        !t.query_one(reader_may, &[])
            .await
            .unwrap()
            .get::<_, bool>(0)
    );

    // An archive whose table belongs to a role the target server no longer has.
    src.batch_execute("ALTER TABLE t OWNER TO pgw_dump_gone")
        .await
        .unwrap();
    let gone = dir.path().join("gone.dump");
    make_archive(&src_url, "-Fc", &gone);
    src.batch_execute("ALTER TABLE t OWNER TO pgw_dump_owner; DROP ROLE pgw_dump_gone")
        .await
        .unwrap();
    let target = url_for(&src_url, "dump_owners_missing");
    let mut cmd = dump_command(&gone, &target, &profile, SALT_A);
    cmd.arg("--keep-owners");
    let r = run(cmd).await;
    expect_refusal(&r, &["--keep-owners", "\"pgw_dump_gone\"", "CREATE ROLE"]);

    let plain = dir.path().join("owners.sql");
    make_archive(&src_url, "-Fp", &plain);
    let mut cmd = dump_command(&plain, &target, &profile, SALT_A);
    cmd.arg("--keep-owners");
    let r = run(cmd).await;
    expect_refusal(&r, &["--keep-owners", "plain SQL dump"]);
    assert_eq!(
        scalar_i64(
            &src,
            "SELECT count(*) FROM pg_database WHERE datname LIKE 'dump_owners_missing%'"
        )
        .await,
        0,
        "nothing written"
    );
}

#[tokio::test]
async fn dry_run_prints_the_plan_and_the_command_line_takes_one_source() {
    let (base, _) = fresh_database("dump_dry").await;
    let target = url_for(&base, "dump_dry_target");
    let mut cmd = dump_command(
        &archive_fixture("v18-dir-zstd"),
        &target,
        &dump_fixture("archive-fixtures.toml"),
        SALT_A,
    );
    cmd.arg("--dry-run").env_remove("STAGING_SAFETY_LOCK");
    let r = run(cmd).await;
    assert_eq!(r.code, Some(0), "{}", r.describe());
    assert!(
        r.stdout.contains("Sales Dept.People") && r.stdout.contains("Full Name=name"),
        "{}",
        r.describe()
    );
    let admin = support::connect(&base).await;
    assert_eq!(
        scalar_i64(
            &admin,
            "SELECT count(*) FROM pg_database WHERE datname LIKE 'dump_dry_target%'"
        )
        .await,
        0,
        "a dry run creates nothing"
    );

    // --dump and --source exclude each other; one of them is required.
    let mut both = dump_command(
        &archive_fixture("v18-plain.sql"),
        &target,
        &dump_fixture("archive-fixtures.toml"),
        SALT_A,
    );
    both.args(["--source", &base]);
    let r = run(both).await;
    assert_eq!(r.code, Some(2), "{}", r.describe());
    assert!(r.stderr.contains("--source"), "{}", r.describe());
    let mut neither = Command::new(env!("CARGO_BIN_EXE_pgward"));
    neither
        .env_remove("PGWARD_SOURCE")
        .env_remove("PGWARD_DUMP")
        .args(["sync", "--target", &target, "--profile"])
        .arg(dump_fixture("archive-fixtures.toml"));
    let r = run(neither).await;
    assert_eq!(r.code, Some(2), "{}", r.describe());
    assert!(
        r.stderr.contains("--source") && r.stderr.contains("required"),
        "{}",
        r.describe()
    );
}

/// Post-data overlaps the data: an index, constraint or trigger starts once its table's data are
/// in, a foreign key once both tables' data and the referenced key are. Tables with foreign keys
/// between them (one each way, and one to itself), indexes, a trigger, a check constraint and a
/// partitioned table restore to the source's schema and rows with --jobs 2 and 1, from archives
/// read table by table and in one pass, and the trigger (which rewrites the rows it sees) fires
/// on none of the loaded rows; the report keeps its stages in order.
#[tokio::test]
async fn post_data_starts_as_tables_load_and_restores_the_source_schema() {
    let (src_url, _) = fresh_database("dump_overlap_src").await;
    let src = support::connect(&src_url).await;
    src.batch_execute(
        "CREATE TABLE parent (id int PRIMARY KEY, code text NOT NULL, qty int,
                              CONSTRAINT parent_code UNIQUE (code));
         CREATE TABLE child (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                             parent_code text NOT NULL REFERENCES parent (code),
                             up bigint REFERENCES child (id), qty int CHECK (qty >= 0),
                             note text);
         CREATE INDEX child_parent_code ON child (parent_code);
         CREATE INDEX child_note ON child (lower(note)) WHERE qty > 10;
         ALTER TABLE parent ADD COLUMN last_child bigint;
         CREATE TABLE readings (at date NOT NULL, v int) PARTITION BY RANGE (at);
         CREATE TABLE readings_1 PARTITION OF readings FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
         CREATE TABLE readings_2 PARTITION OF readings FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');
         CREATE INDEX readings_at ON readings (at, v);
         INSERT INTO parent (id, code, qty)
           SELECT i, 'p' || i, i % 50 FROM generate_series(1, 20000) i;
         INSERT INTO child (parent_code, qty, note)
           SELECT 'p' || (1 + i % 20000), i % 40, 'row ' || i FROM generate_series(1, 60000) i;
         UPDATE child SET up = id - 1 WHERE id > 1 AND id % 3 = 0;
         UPDATE parent SET last_child = id * 3;
         ALTER TABLE parent ADD CONSTRAINT parent_last_child FOREIGN KEY (last_child) REFERENCES child (id);
         INSERT INTO readings SELECT date '2020-01-01' + (i % 700), i FROM generate_series(1, 20000) i;
         CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS
           $$ BEGIN NEW.note := 'touched'; RETURN NEW; END $$;
         CREATE TRIGGER child_touch BEFORE INSERT OR UPDATE ON child
           FOR EACH ROW EXECUTE FUNCTION touch();
         ANALYZE",
    )
    .await
    .unwrap();
    let source_counts = row_counts(&src).await;
    let source_schema = schema_lines(&src_url).await;
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile.toml");
    std::fs::write(&profile, "version = 1\n\n[salt]\nenv = \"PGWARD_SALT\"\n").unwrap();
    let mut checks = Checks::default();
    for (name, how, jobs) in [
        ("fc_j2", "-Fc -Z0", 2),
        ("fc_j1", "-Fc", 1),
        (
            "fc_pipe_j2",
            "{pg_dump} -Fc --dbname {url} | cat > {out}",
            2,
        ),
        ("fd_j2", "-Fd -j 2", 2),
    ] {
        let path = dir.path().join(name);
        make_archive(&src_url, how, &path);
        let target_url = url_for(&src_url, &format!("dump_overlap_{name}"));
        let report = dir.path().join(format!("{name}.json"));
        let mut cmd = dump_command_jobs(&path, &target_url, &profile, SALT_A, jobs);
        cmd.arg("--report").arg(&report);
        let sync = run(cmd).await;
        if sync.code != Some(0) {
            checks.fail(format!("{name}: {}", sync.describe()));
            continue;
        }
        let target = support::connect(&target_url).await;
        checks.eq(
            &source_counts,
            &row_counts(&target).await,
            &format!("{name}: row counts"),
        );
        if let Some(diff) = line_diff(&source_schema, &schema_lines(&target_url).await) {
            checks.fail(format!("{name}: schema differs from the source's: {diff}"));
        }
        checks.eq(
            0,
            scalar_i64(
                &target,
                "SELECT count(*) FROM pg_index WHERE NOT indisvalid OR NOT indisready",
            )
            .await,
            &format!("{name}: every index valid"),
        );
        // The trigger would rewrite every row it saw: it must start after its table's data.
        checks.eq(
            0,
            scalar_i64(&target, "SELECT count(*) FROM child WHERE note = 'touched'").await,
            &format!("{name}: rows the trigger saw"),
        );
        if jobs == 1 {
            // One session, tables largest first: child, parent, then the readings partitions.
            // parent's key is built as soon as parent is in, before the readings are copied
            // (transaction ids order the work on the new database).
            let sql =
                "SELECT ((SELECT xmin::text::bigint FROM pg_class WHERE relname = 'parent_pkey')
                             < (SELECT min(xmin::text::bigint) FROM readings))::int::int8";
            checks.eq(
                1,
                scalar_i64(&target, sql).await,
                &format!("{name}: parent_pkey built before the readings are copied"),
            );
        }
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
        let stages: Vec<&str> = report["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect();
        checks.eq(
            vec!["preflight", "pre-data", "data", "post-data", "verify"],
            stages[..5].to_vec(),
            &format!("{name}: report stages"),
        );
        checks.check(
            report["stages"][3]["seconds"]
                .as_f64()
                .is_some_and(|s| s > 0.0),
            || format!("{name}: post-data took no time: {}", report["stages"]),
        );
    }
    checks.finish("post_data_starts_as_tables_load_and_restores_the_source_schema");
}

/// A table copied whole that references one the profile filters (`rows = "none"`, a `where`,
/// also on a partitioned table, whose foreign keys name the root) is refused before anything is
/// written, as the live sync refuses it: its foreign key (from the archive's `FK CONSTRAINT`
/// entries, or a plain dump's statements) could not be created. The staging database already
/// there is left as it was, and no new database stays behind. With the referencing table
/// filtered too, the sync runs and the foreign keys are there.
#[tokio::test]
async fn a_table_copied_whole_may_not_reference_a_filtered_one() {
    let (src_url, _) = fresh_database("dump_fk_src").await;
    let src = support::connect(&src_url).await;
    src.batch_execute(
        "CREATE TABLE parent (id int PRIMARY KEY, label text);
         CREATE TABLE child (id int PRIMARY KEY,
                             parent_id int NOT NULL CONSTRAINT child_parent_fk REFERENCES parent (id));
         CREATE TABLE zones (id int PRIMARY KEY) PARTITION BY RANGE (id);
         CREATE TABLE zones_low PARTITION OF zones FOR VALUES FROM (0) TO (100);
         CREATE TABLE sites (id int PRIMARY KEY,
                             zone_id int CONSTRAINT sites_zone_fk REFERENCES zones (id));
         INSERT INTO parent SELECT g, 'p' || g FROM generate_series(1, 5) g;
         INSERT INTO child SELECT g, g FROM generate_series(1, 5) g;
         INSERT INTO zones SELECT g FROM generate_series(1, 5) g;
         INSERT INTO sites SELECT g, g FROM generate_series(1, 5) g",
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let fc = dir.path().join("fk.dump");
    make_archive(&src_url, "-Fc", &fc);
    let plain = dir.path().join("fk.sql");
    make_archive(&src_url, "-Fp", &plain);
    let profile = |name: &str, tables: &str| {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!("version = 1\n[salt]\nenv = \"PGWARD_SALT\"\n{tables}"),
        )
        .unwrap();
        path
    };
    let parent_none = "[tables.\"public.parent\"]\nrows = \"none\"\n";
    let parent_where = "[tables.\"public.parent\"]\nrows = { where = \"id <= 2\" }\n";
    let zones_where = "[tables.\"public.zones\"]\nrows = { where = \"id <= 2\" }\n";
    let child_none = "[tables.\"public.child\"]\nrows = \"none\"\n";
    let child_where = "[tables.\"public.child\"]\nrows = { where = \"parent_id <= 2\" }\n";
    let sites_where = "[tables.\"public.sites\"]\nrows = { where = \"zone_id <= 2\" }\n";

    // A staging database from an earlier run, which the refused runs must leave alone.
    let target = url_for(&src_url, "dump_fk_t");
    let r = run(dump_command(
        &fc,
        &target,
        &profile("plain.toml", ""),
        SALT_A,
    ))
    .await;
    assert_eq!(r.code, Some(0), "{}", r.describe());
    support::connect(&target)
        .await
        .batch_execute("CREATE TABLE earlier_run (id int)")
        .await
        .unwrap();
    let admin = support::connect(&src_url).await;

    for (name, archive, tables, needles) in [
        (
            "none",
            &fc,
            parent_none.to_owned(),
            &[
                "public.child references public.parent (foreign key child_parent_fk)",
                "rows = \"none\"",
            ][..],
        ),
        (
            "where",
            &fc,
            parent_where.to_owned(),
            &[
                "public.child references public.parent (foreign key child_parent_fk)",
                "rows.where",
            ][..],
        ),
        (
            "partitioned",
            &fc,
            zones_where.to_owned(),
            &[
                "public.sites references public.zones (foreign key sites_zone_fk)",
                "rows.where",
            ][..],
        ),
        (
            "plain",
            &plain,
            parent_none.to_owned(),
            &["public.child references public.parent (foreign key child_parent_fk)"][..],
        ),
        (
            "one_of_two",
            &fc,
            format!("{parent_none}{child_none}{zones_where}"),
            &["public.sites references public.zones (foreign key sites_zone_fk)"][..],
        ),
    ] {
        let p = profile(&format!("{name}.toml"), &tables);
        let r = run(dump_command(archive, &target, &p, SALT_A)).await;
        assert_eq!(r.code, Some(1), "{name}: {}", r.describe());
        // The message as one line (the terminal wraps it anywhere).
        let flat = flatten(&r.stderr);
        for needle in needles {
            assert!(
                flat.contains(needle),
                "{name}: stderr lacks {needle:?}: {}",
                r.describe()
            );
        }
        assert!(
            flat.contains("Give [tables.\"public."),
            "{name}: the fix names the profile's table: {}",
            r.describe()
        );
        if name == "one_of_two" {
            assert!(
                !flat.contains("public.child references"),
                "{name}: child is filtered too: {}",
                r.describe()
            );
        }
        assert_eq!(
            databases_like(&admin, "dump_fk_t")
                .await
                .into_iter()
                .collect::<Vec<_>>(),
            vec!["dump_fk_t".to_owned()],
            "{name}: no new database left behind"
        );
        assert_eq!(
            scalar_i64(
                &support::connect(&target).await,
                "SELECT count(*) FROM pg_tables WHERE tablename = 'earlier_run'"
            )
            .await,
            1,
            "{name}: the staging database is untouched"
        );
    }

    // Filtered on both sides: the sync runs, and the foreign keys hold.
    for (name, archive, tables, parents, children) in [
        ("none", &fc, format!("{parent_none}{child_none}"), 0, 0),
        ("where", &fc, format!("{parent_where}{child_where}"), 2, 2),
        (
            "partitioned",
            &fc,
            format!("{zones_where}{sites_where}"),
            5,
            5,
        ),
        ("plain", &plain, format!("{parent_none}{child_none}"), 0, 0),
    ] {
        let p = profile(&format!("ok_{name}.toml"), &tables);
        let target = url_for(&src_url, &format!("dump_fk_ok_{name}"));
        let r = run(dump_command(archive, &target, &p, SALT_A)).await;
        assert_eq!(r.code, Some(0), "{name}: {}", r.describe());
        let t = support::connect(&target).await;
        assert_eq!(
            scalar_i64(&t, "SELECT count(*) FROM parent").await,
            parents,
            "{name}: parent rows"
        );
        assert_eq!(
            scalar_i64(&t, "SELECT count(*) FROM child").await,
            children,
            "{name}: child rows"
        );
        if name == "partitioned" {
            assert_eq!(scalar_i64(&t, "SELECT count(*) FROM zones").await, 2);
            assert_eq!(scalar_i64(&t, "SELECT count(*) FROM sites").await, 2);
        }
        assert_eq!(
            scalar_i64(
                &t,
                "SELECT count(*) FROM pg_constraint WHERE conname IN ('child_parent_fk', 'sites_zone_fk')"
            )
            .await,
            2,
            "{name}: the foreign keys"
        );
    }
}

/// `--keep-owners --dump`: the roles the archive's grants name (`ACL` grantees, quoted names
/// too, and `DEFAULT ACL` roles), not only its owners, must exist on the target server: a
/// missing one is refused before anything is written, naming it. With the roles there, the
/// grants are restored.
#[tokio::test]
async fn keep_owners_refuses_grants_to_roles_the_target_lacks() {
    let (src_url, _) = fresh_database("dump_grants_src").await;
    let src = support::connect(&src_url).await;
    let roles = "CREATE ROLE \"Pgw Grant Gone\" NOLOGIN; CREATE ROLE pgw_grant_kept NOLOGIN; \
                 CREATE ROLE pgw_grant_dflt NOLOGIN;";
    src.batch_execute(&format!(
        "{roles}
         CREATE TABLE g (id int PRIMARY KEY); INSERT INTO g VALUES (1);
         GRANT SELECT ON g TO \"Pgw Grant Gone\", pgw_grant_kept;
         ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO pgw_grant_dflt"
    ))
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("grants.dump");
    make_archive(&src_url, "-Fc", &path);
    let profile = dir.path().join("p.toml");
    std::fs::write(&profile, "version = 1\n[salt]\nenv = \"PGWARD_SALT\"\n").unwrap();
    // The roles go; the archive still names them.
    src.batch_execute(
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT ON TABLES FROM pgw_grant_dflt;
         REVOKE SELECT ON g FROM \"Pgw Grant Gone\", pgw_grant_kept;
         DROP ROLE \"Pgw Grant Gone\"; DROP ROLE pgw_grant_dflt",
    )
    .await
    .unwrap();

    let target = url_for(&src_url, "dump_grants_t");
    let mut cmd = dump_command(&path, &target, &profile, SALT_A);
    cmd.arg("--keep-owners");
    let r = run(cmd).await;
    assert_eq!(r.code, Some(1), "{}", r.describe());
    // The message as one line (the terminal wraps it anywhere).
    let flat = flatten(&r.stderr);
    for needle in [
        "--keep-owners: the archive's objects belong to or are granted to roles the target server does not have",
        "\"Pgw Grant Gone\" (named by the grants of TOC entry",
        "(ACL public.TABLE g)",
        "\"pgw_grant_dflt\" (named by the grants of TOC entry",
        "(DEFAULT ACL public.DEFAULT PRIVILEGES FOR TABLES)",
        "CREATE ROLE",
    ] {
        assert!(
            flat.contains(needle),
            "stderr lacks {needle:?}: {}",
            r.describe()
        );
    }
    assert!(
        !r.stderr.contains("\"pgw_grant_kept\""),
        "a role the target has is not named: {}",
        r.describe()
    );
    assert!(
        databases_like(&src, "dump_grants_t").await.is_empty(),
        "nothing written"
    );

    src.batch_execute("CREATE ROLE \"Pgw Grant Gone\" NOLOGIN; CREATE ROLE pgw_grant_dflt NOLOGIN")
        .await
        .unwrap();
    let mut cmd = dump_command(&path, &target, &profile, SALT_A);
    cmd.arg("--keep-owners");
    let r = run(cmd).await;
    assert_eq!(r.code, Some(0), "{}", r.describe());
    let t = support::connect(&target).await;
    for role in ["Pgw Grant Gone", "pgw_grant_kept"] {
        let may: bool = t
            .query_one(
                "SELECT has_table_privilege($1::text::name, 'public.g', 'SELECT')",
                &[&role],
            )
            .await
            .unwrap()
            .get(0);
        assert!(may, "{role} may read public.g");
    }
    assert_eq!(
        scalar_i64(
            &t,
            "SELECT count(*) FROM pg_default_acl WHERE defaclacl::text LIKE '%pgw_grant_dflt=r/%'"
        )
        .await,
        1,
        "the default privileges are restored"
    );
}
