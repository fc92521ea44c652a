//! Pagila (a real public schema: partitions, domains, an enum, triggers, a matview, functions)
//! filled with generated rows syncs: equal rows per table, equal schema, no customer or staff PII
//! left.

use crate::harness::*;
use crate::support;

const PII_QUERIES: &[&str] = &[
    "SELECT email, last_name, first_name || ' ' || last_name FROM public.customer",
    "SELECT email, last_name, username, password, first_name || ' ' || last_name,
            encode(picture, 'hex') FROM public.staff",
    "SELECT address, address2, phone FROM public.address",
];

#[tokio::test]
async fn pagila_syncs() {
    let (src_url, src_name) = fresh_database("pg_src").await;
    load_pagila(&src_url).await;
    let (src_counts, pii, src_seqs) = {
        let c = support::connect(&src_url).await;
        (
            row_counts(&c).await,
            collect_values(&c, PII_QUERIES).await,
            sequences(&c).await,
        )
    };
    let src_schema = schema_lines(&src_url).await;
    // The first run creates the target.
    let target_url = url_for(&src_url, &format!("{src_name}_stage"));
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("pagila.json");
    let mut cmd = sync_command(&src_url, &target_url, &fixture("pagila.toml"), SALT_A);
    // The flag instead of the environment variable.
    cmd.env_remove("STAGING_SAFETY_LOCK")
        .args(["--safety-lock", "enabled", "--report"])
        .arg(&report);
    let run = run(cmd).await;
    assert_eq!(run.code, Some(0), "pagila sync: {}", run.describe());

    let mut checks = Checks::default();
    let t = support::connect(&target_url).await;
    checks.eq(&src_counts, &row_counts(&t).await, "rows per table");
    checks.eq(&src_seqs, &sequences(&t).await, "sequences");
    if let Some(diff) = line_diff(&src_schema, &schema_lines(&target_url).await) {
        checks.fail(format!("schema differs: {diff}"));
    }
    let dump = pg_dump(&target_url, &["--data-only"]).await;
    let leaked = find_pii(&pii, &dump);
    checks.check(leaked.is_empty(), || {
        format!("original PII in the target's data-only dump: {leaked:?}")
    });
    let emails = scalar_i64(
        &t,
        "SELECT count(*) FROM customer WHERE email !~ '@example\\.(com|net|org)$'",
    )
    .await;
    checks.eq(0, emails, "customer emails on example domains");
    match std::fs::read_to_string(&report).map(|t| serde_json::from_str::<serde_json::Value>(&t)) {
        Ok(Ok(r)) => {
            checks.eq(r["status"].as_str(), Some("synced"), "report status");
            checks.eq(
                &r["target"]["previous"],
                &serde_json::Value::Null,
                "report target.previous on a first run",
            );
        }
        other => checks.fail(format!("report: {other:?}")),
    }
    checks.finish("pagila_syncs");
}
