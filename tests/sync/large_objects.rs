//! `large_objects` in the profile, on a live source: absent, a source with large objects is
//! refused and the message names the key (also when the profile covers the `oid` column that
//! references them); "drop" leaves them out, the column keeping OIDs that point at nothing;
//! "keep" copies them byte for byte with their OIDs, one over the 1 MiB chunk size included.

use crate::harness::*;
use crate::support;

#[tokio::test]
async fn large_objects_are_refused_dropped_or_kept() {
    let (src_url, _) = fresh_database("lo_src").await;
    let src = support::connect(&src_url).await;
    exec(
        &src,
        "CREATE TABLE docs (id int PRIMARY KEY, body oid); \
         INSERT INTO docs VALUES (1, lo_from_bytea(0, 'secret scan'::bytea)); \
         INSERT INTO docs SELECT 2, lo_from_bytea(0, string_agg(sha256(int4send(g)), ''::bytea)) \
           FROM generate_series(1, 50000) g",
        "large objects",
    )
    .await;
    let digest =
        "SELECT string_agg(body::text || ':' || md5(lo_get(body)), ',' ORDER BY id) FROM docs";
    let want = scalar_text(&src, digest).await;
    let dir = tempfile::tempdir().unwrap();
    let profile = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!("version = 1\n{text}[salt]\nenv = \"PGWARD_SALT\"\n[tables.\"public.docs\"]\ncolumns.body = \"keep\"\n"),
        )
        .unwrap();
        path
    };

    // The oid column is covered, but nothing says what to do with the objects themselves.
    let target = url_for(&src_url, "lo_refused");
    let r = run(sync_command(
        &src_url,
        &target,
        &profile("none.toml", ""),
        SALT_A,
    ))
    .await;
    assert_eq!(r.code, Some(1), "{}", r.describe());
    for needle in ["2 large objects", "large_objects", "\"drop\"", "\"keep\""] {
        assert!(
            r.stderr.contains(needle),
            "stderr lacks {needle}: {}",
            r.describe()
        );
    }
    assert!(
        !database_exists(&src, "lo_refused").await,
        "nothing written"
    );

    let target = url_for(&src_url, "lo_dropped");
    let drop = profile("drop.toml", "large_objects = \"drop\"\n");
    let r = run(sync_command(&src_url, &target, &drop, SALT_A)).await;
    assert_eq!(r.code, Some(0), "{}", r.describe());
    let t = support::connect(&target).await;
    assert_eq!(
        scalar_i64(&t, "SELECT count(*) FROM pg_largeobject_metadata").await,
        0
    );
    assert_eq!(
        scalar_i64(&t, "SELECT count(*) FROM docs WHERE body IS NOT NULL").await,
        2,
        "the column keeps its OIDs"
    );

    let target = url_for(&src_url, "lo_kept");
    let keep = profile("keep.toml", "large_objects = \"keep\"\n");
    let r = run(sync_command(&src_url, &target, &keep, SALT_A)).await;
    assert_eq!(r.code, Some(0), "{}", r.describe());
    let t = support::connect(&target).await;
    assert_eq!(
        scalar_i64(&t, "SELECT count(*) FROM pg_largeobject_metadata").await,
        2
    );
    assert_eq!(scalar_text(&t, digest).await, want, "same OIDs, same bytes");
}
