//! The fixtures themselves, without pgward: the SQL loads and holds what the other tests rely on,
//! and the profiles parse with `pgward::anonymize::Profile::load`.

use pgward::anonymize::{Profile, RowsPolicy, Salt, Transformer};

use crate::harness::{fixture, leaf_tables, load_hard_cases, load_pagila, row_counts, scalar_i64};
use crate::support;

#[test]
fn profiles_parse_and_build() {
    for name in ["hard_cases.toml", "pagila.toml", "killed.toml"] {
        let profile = Profile::load(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let salt = Salt::new("fixture-check");
        for (table, rules) in &profile.tables {
            for (column, rule) in &rules.columns {
                Transformer::build(rule, &salt)
                    .unwrap_or_else(|e| panic!("{name}: {table}.{column}: {e}"));
            }
        }
    }
    let hc = Profile::load(&fixture("hard_cases.toml")).unwrap();
    assert_eq!(hc.tables["public.audit_log"].rows, RowsPolicy::None);
    assert!(matches!(
        hc.tables["public.login_attempts"].rows,
        RowsPolicy::Where(_)
    ));
    assert!(hc.tables["public.Support Tickets"].columns["Requester Email"].transform == "email");
    assert!(hc.is_protected("live_staging") && hc.is_protected("my_prod_copy"));
    assert!(!hc.is_protected("hc_stage"));
    assert_eq!(
        hc.rule_for("public.api_tokens", "refresh_token")
            .map(|r| r.transform.as_str()),
        Some("token")
    );
}

/// The refusal variants the tests derive from hard_cases.toml replace lines that must exist.
#[test]
fn refusal_variants_find_their_lines() {
    let text = crate::harness::read_fixture("hard_cases.toml");
    for line in crate::refusals::REPLACED_LINES {
        assert_eq!(
            text.lines().filter(|l| l.trim() == *line).count(),
            1,
            "hard_cases.toml must contain exactly one line `{line}`"
        );
    }
}

#[tokio::test]
async fn hard_cases_fixture_loads() {
    let url = support::database("fx_hard").await;
    load_hard_cases(&url).await;
    let c = support::connect(&url).await;
    let counts = row_counts(&c).await;
    let expect = [
        ("public.user", 400),
        ("billing.invoices", 1200),
        ("public.Support Tickets", 300),
        ("public.order", 500),
        ("public.shipments", 500),
        ("public.order_audit", 500),
        ("public.audit_log", 400),
        ("public.feature_flag_changes", 0),
        ("public.login_attempts", 1200),
        ("public.api_tokens", 400),
    ];
    for (table, n) in expect {
        assert_eq!(counts.get(table), Some(&n), "{table}");
    }
    // Every partition, the default one included, holds rows.
    for p in [
        "public.events_2025",
        "public.events_2026",
        "public.events_default",
    ] {
        assert!(counts[p] > 0, "{p} is empty");
    }
    // The PII scan works: the source's own data-only dump is full of the values it looks for.
    let pii = crate::harness::collect_values(&c, crate::hard_cases::PII_QUERIES).await;
    assert!(pii.len() > 3000, "only {} PII values", pii.len());
    let dump = crate::harness::pg_dump(&url, &["--data-only"]).await;
    let found = crate::harness::find_pii(&pii, &dump);
    // find_pii reports at most 20 values: all 20 slots filled means it found plenty.
    assert_eq!(
        found.len(),
        20,
        "the scan finds the source's PII: {found:?}"
    );
    // The rows = where condition keeps some rows and drops others.
    let kept = scalar_i64(
        &c,
        "SELECT count(*) FROM login_attempts WHERE attempted_at >= '2026-06-01 00:00:00+00'",
    )
    .await;
    assert!(kept > 0 && kept < 1200, "{kept}");
}

#[tokio::test]
async fn pagila_fixture_fills_every_table() {
    let url = support::database("fx_pagila").await;
    load_pagila(&url).await;
    let c = support::connect(&url).await;
    let tables = leaf_tables(&c).await;
    // 70 tables: 69 holding rows (55 of them payment partitions) and the partitioned parent.
    assert_eq!(tables.len(), 69, "{tables:?}");
    let counts = row_counts(&c).await;
    let empty: Vec<&String> = counts
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(t, _)| t)
        .collect();
    assert!(empty.is_empty(), "tables without rows: {empty:?}");
}
