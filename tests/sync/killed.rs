//! A sync stopped with SIGTERM in the middle of a COPY drops its half-built database and exits 1;
//! one killed with SIGKILL leaves the previous staging intact and reachable; a second sync of the
//! same target meanwhile is refused (advisory lock) without harming the running one; the next run
//! succeeds and removes the stale `__pgward_new`.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::harness::*;
use crate::support;

/// Rows in the large table: enough that its COPY takes seconds on a 2-core machine.
const BIG_ROWS: i64 = 2_000_000;

#[tokio::test]
async fn killed_sync_leaves_staging_intact() {
    let (src_url, src_name) = fresh_database("kill_src").await;
    let src = support::connect(&src_url).await;
    exec(
        &src,
        "CREATE TABLE people (id int PRIMARY KEY, email text NOT NULL UNIQUE);
         INSERT INTO people SELECT i, 'zebulon.quillfeather' || i || '@corp-mail.com'
         FROM generate_series(1, 100) AS i;
         CREATE TABLE big (id bigint PRIMARY KEY, payload text NOT NULL);",
        "kill source",
    )
    .await;
    let stage = format!("{src_name}_stage");
    let stage_url = url_for(&src_url, &stage);
    let new_db = format!("{stage}__pgward_new");
    let profile = fixture("killed.toml");

    // An earlier successful sync: the staging to protect.
    let first = run(sync_command(&src_url, &stage_url, &profile, SALT_A)).await;
    assert_eq!(first.code, Some(0), "first sync: {}", first.describe());
    let staged = {
        let t = support::connect(&stage_url).await;
        digests(&t).await
    };
    assert!(
        staged.contains_key("public.people"),
        "first sync: {staged:?}"
    );

    // Now the source has a large table.
    exec(
        &src,
        &format!(
            "INSERT INTO big SELECT i, md5(i::text) || md5((i + 1)::text)
             FROM generate_series(1, {BIG_ROWS}) AS i; ANALYZE big;"
        ),
        "filling big",
    )
    .await;

    let dir = tempfile::tempdir().unwrap();
    let mut checks = Checks::default();

    // SIGTERM mid-copy (a CronJob's deadline): pgward drops the half-built database and exits 1.
    let mut child =
        start_sync_until_copying(&src, &src_url, &stage_url, &new_db, dir.path(), "term").await;
    let pid = child.id().to_string();
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("run kill -TERM");
    assert!(sent.success(), "kill -TERM {pid}");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(25));
    };
    checks.check(status.and_then(|s| s.code()) == Some(1), || {
        format!("after SIGTERM pgward should exit 1 within 60 s: {status:?}")
    });
    checks.check(!database_exists(&src, &new_db).await, || {
        format!("after SIGTERM the half-built {new_db} is still there")
    });
    {
        let t = support::connect(&stage_url).await;
        checks.eq(&staged, &digests(&t).await, "the staging after the SIGTERM");
    }

    // SIGKILL mid-copy: nothing can be cleaned up now; the next run must.
    let mut child =
        start_sync_until_copying(&src, &src_url, &stage_url, &new_db, dir.path(), "kill").await;
    // A second sync of the same target while this one runs is refused.
    let second = run(sync_command(&src_url, &stage_url, &profile, SALT_A)).await;
    checks.check(second.code == Some(1), || {
        format!(
            "a second sync of a target being synced should exit 1: {}",
            second.describe()
        )
    });
    checks.check(database_exists(&src, &new_db).await, || {
        format!("the refused second sync removed the running sync's {new_db}")
    });
    let still_running = child.try_wait().unwrap().is_none();
    checks.check(still_running, || {
        "the sync finished before it could be killed mid-copy: raise BIG_ROWS".to_owned()
    });

    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    // A killed process cleans nothing up: the half-built database is still there, so the next
    // run really has a stale one to remove.
    checks.check(database_exists(&src, &new_db).await, || {
        format!(
            "no stale {new_db} after SIGKILL: the test cannot check that the next run removes it"
        )
    });

    // The previous staging is intact and reachable.
    {
        let t = support::connect(&stage_url).await;
        checks.eq(
            &staged,
            &digests(&t).await,
            "the staging after the killed sync",
        );
    }

    // Next run: a smaller source so it is quick; it must succeed and clean up.
    exec(
        &src,
        "TRUNCATE big; INSERT INTO big SELECT i, md5(i::text) FROM generate_series(1, 1000) AS i;",
        "shrinking big",
    )
    .await;
    // This time through the environment mirrors of the flags.
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_pgward"));
    cmd.arg("sync")
        .env("PGWARD_SOURCE", &src_url)
        .env("PGWARD_TARGET", &stage_url)
        .env("PGWARD_PROFILE", &profile)
        .env("PGWARD_JOBS", "2")
        .env("PGWARD_SALT", SALT_A)
        .env("STAGING_SAFETY_LOCK", "enabled")
        .env_remove("PGWARD_REPORT")
        .env_remove("PGWARD_PROGRESS");
    let again = run(cmd).await;
    checks.check(again.code == Some(0), || {
        format!("the sync after the killed one failed: {}", again.describe())
    });
    if again.code == Some(0) {
        checks.check(!database_exists(&src, &new_db).await, || {
            format!("the stale {new_db} is still there after the next run")
        });
        let t = support::connect(&stage_url).await;
        checks.eq(
            1000,
            scalar_i64(&t, "SELECT count(*) FROM big").await,
            "rows of big after the next run",
        );
        checks.eq(
            0,
            scalar_i64(
                &t,
                "SELECT count(*) FROM people WHERE email LIKE '%corp-mail.com'",
            )
            .await,
            "people.email masked after the next run",
        );
    }
    checks.finish("killed_sync_leaves_staging_intact");
}

/// Starts `pgward sync` (output to files in `dir`) and returns once its COPY of the large table
/// into `new_db` is under way.
async fn start_sync_until_copying(
    src: &tokio_postgres::Client,
    src_url: &str,
    stage_url: &str,
    new_db: &str,
    dir: &std::path::Path,
    label: &str,
) -> std::process::Child {
    let out_path = dir.join(format!("{label}.out"));
    let err_path = dir.join(format!("{label}.err"));
    let mut cmd = sync_command(src_url, stage_url, &fixture("killed.toml"), SALT_A);
    cmd.stdout(Stdio::from(std::fs::File::create(&out_path).unwrap()))
        .stderr(Stdio::from(std::fs::File::create(&err_path).unwrap()));
    let mut child = cmd.spawn().expect("spawn pgward");
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(90) {
        let n = scalar_i64(
            src,
            &format!(
                "SELECT count(*) FROM pg_stat_progress_copy p JOIN pg_database d ON d.oid = p.datid
                 WHERE d.datname = '{new_db}' AND p.command = 'COPY FROM'
                   AND p.tuples_processed > 20000"
            ),
        )
        .await;
        if n > 0 {
            return child;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "{label}: the sync ended ({status}) before its COPY into {new_db} was seen:\n{}\n{}",
                std::fs::read_to_string(&out_path).unwrap_or_default(),
                std::fs::read_to_string(&err_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("{label}: no COPY into {new_db} within 90 s");
}
