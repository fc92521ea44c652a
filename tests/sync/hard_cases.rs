//! The hard cases (fixtures/sync/hard_cases.sql with hard_cases.toml), synced for real:
//!
//! 1. `--dry-run` into an existing staging: prints the plan, writes nothing;
//! 2. salt A: replaces the existing staging (kept as `__pgward_old`), then every check of issue 3;
//! 3. salt A again: identical masked data; the older `__pgward_old` was dropped first;
//! 4. salt B with `--drop-old`: different masked data, no `__pgward_old` left.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;
use tokio_postgres::Client;

use crate::harness::*;
use crate::support;

/// Every PII value of the source: column values, JSON leaves, array elements.
pub const PII_QUERIES: &[&str] = &[
    r#"SELECT email, full_name, phone, hashed_password, host(last_login_ip) FROM "user""#,
    // Last names are invented: each alone is specific enough to look for.
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

const WHERE: &str = "attempted_at >= '2026-06-01 00:00:00+00'";

/// What the source holds, read once before the runs.
struct Source {
    url: String,
    name: String,
    counts: BTreeMap<String, i64>,
    sequences: BTreeMap<String, Option<i64>>,
    schema: Vec<String>,
    pii: BTreeSet<String>,
    kept_attempts: i64,
    null_phones: i64,
    notes: i64,
    matview_total: i64,
    untouched: BTreeMap<&'static str, String>,
}

/// Digests of columns no rule touches: they must arrive byte for byte.
const UNTOUCHED: &[(&str, &str)] = &[
    (
        "user",
        r#"SELECT md5(string_agg(concat_ws('|', id, name_locale, status, encode(avatar, 'hex'),
                   created_at, zip IS NULL, phone IS NULL), ',' ORDER BY id)) FROM "user""#,
    ),
    (
        "invoices",
        "SELECT md5(string_agg(concat_ws('|', id, user_id, amount_cents,
                   billing_address->'country', billing_address->'vat_exempt'), ',' ORDER BY id))
         FROM billing.invoices",
    ),
    (
        "tickets",
        r#"SELECT md5(string_agg(concat_ws('|', "Ticket ID", subject, priority, opened_at,
                   cardinality(cc_emails)), ',' ORDER BY "Ticket ID")) FROM "Support Tickets""#,
    ),
    (
        "events",
        "SELECT md5(string_agg(concat_ws('|', id, user_id, occurred_at, kind, payload->'ua',
                   payload->'seq'), ',' ORDER BY id)) FROM events",
    ),
    (
        "orders",
        r#"SELECT md5(string_agg(concat_ws('|', id, order_number, user_id, primary_shipment_id,
                   total_cents, placed_at, customer_note IS NULL), ',' ORDER BY id)) FROM "order""#,
    ),
    (
        "audit trail",
        "SELECT md5(string_agg(concat_ws('|', id, order_id, note), ',' ORDER BY id))
         FROM order_audit",
    ),
];

async fn read_source(url: String, name: String) -> Source {
    let c = support::connect(&url).await;
    let mut untouched = BTreeMap::new();
    for (what, sql) in UNTOUCHED {
        untouched.insert(*what, scalar_text(&c, sql).await.unwrap_or_default());
    }
    Source {
        counts: row_counts(&c).await,
        sequences: sequences(&c).await,
        schema: schema_lines(&url).await,
        pii: collect_values(&c, PII_QUERIES).await,
        kept_attempts: scalar_i64(
            &c,
            &format!("SELECT count(*) FROM login_attempts WHERE {WHERE}"),
        )
        .await,
        null_phones: scalar_i64(&c, r#"SELECT count(*) FROM "user" WHERE phone IS NULL"#).await,
        notes: scalar_i64(
            &c,
            r#"SELECT count(*) FROM "order" WHERE customer_note IS NOT NULL"#,
        )
        .await,
        matview_total: scalar_i64(
            &c,
            "SELECT sum(total_cents)::bigint FROM user_invoice_totals",
        )
        .await,
        untouched,
        url,
        name,
    }
}

#[tokio::test]
async fn hard_cases_sync_end_to_end() {
    let (src_url, src_name) = fresh_database("hc_src").await;
    load_hard_cases(&src_url).await;
    // The existing staging, with a table the sync must replace.
    let (stage_url, stage) = fresh_database("hc_stage").await;
    {
        let c = support::connect(&stage_url).await;
        exec(
            &c,
            "CREATE TABLE previous_marker (note text); INSERT INTO previous_marker VALUES ('old')",
            "staging marker",
        )
        .await;
    }
    let source = read_source(src_url.clone(), src_name).await;
    let admin = support::connect(&src_url).await;
    let profile = fixture("hard_cases.toml");
    let dir = tempfile::tempdir().unwrap();
    let new_db = format!("{stage}__pgward_new");
    let old_db = format!("{stage}__pgward_old");
    let mut checks = Checks::default();

    // 1. Dry run.
    let dry_report = dir.path().join("dry.json");
    let mut cmd = sync_command(&src_url, &stage_url, &profile, SALT_A);
    cmd.arg("--dry-run").arg("--report").arg(&dry_report);
    let dry = run(cmd).await;
    check_dry_run(&mut checks, &dry, &dry_report, &source).await;
    checks.check(!database_exists(&admin, &new_db).await, || {
        format!("--dry-run created {new_db}")
    });
    checks.check(!database_exists(&admin, &old_db).await, || {
        format!("--dry-run created {old_db}")
    });
    checks.eq(
        marker(&stage_url).await,
        Some("old".to_owned()),
        "--dry-run left the existing staging's previous_marker table",
    );

    // 2. Salt A, replacing the existing staging.
    let report_a = dir.path().join("a.json");
    let mut cmd = sync_command(&src_url, &stage_url, &profile, SALT_A);
    cmd.arg("--report").arg(&report_a);
    let run_a = run(cmd).await;
    if run_a.code != Some(0) {
        checks.fail(format!("first sync (salt A) failed: {}", run_a.describe()));
        checks.finish("hard_cases_sync_end_to_end");
        return;
    }
    checks.check(!database_exists(&admin, &new_db).await, || {
        format!("{new_db} still exists after a successful sync")
    });
    checks.eq(
        marker(&stage_url).await,
        None,
        "the staging's previous contents (previous_marker) are replaced",
    );
    let old_url = url_for(&stage_url, &old_db);
    checks.check(database_exists(&admin, &old_db).await, || {
        format!("the previous staging was not kept as {old_db}")
    });
    if database_exists(&admin, &old_db).await {
        checks.eq(
            marker(&old_url).await,
            Some("old".to_owned()),
            "the previous staging's contents in __pgward_old",
        );
    }
    check_target(&mut checks, &source, &stage_url, &run_a, "run 1 (salt A)").await;
    check_report(
        &mut checks,
        &source,
        &report_a,
        &stage,
        Some(&old_db),
        &profile,
    )
    .await;
    let target = support::connect(&stage_url).await;
    let digests_a = digests(&target).await;
    let emails_a = emails(&target).await;
    drop(target);

    // 3. Salt A again: the same masked data.
    let run_a2 = run(sync_command(&src_url, &stage_url, &profile, SALT_A)).await;
    if run_a2.code != Some(0) {
        checks.fail(format!(
            "second sync (salt A) failed: {}",
            run_a2.describe()
        ));
    } else {
        let target = support::connect(&stage_url).await;
        let digests_a2 = digests(&target).await;
        drop(target);
        for (table, d) in &digests_a {
            checks.check(digests_a2.get(table) == Some(d), || {
                format!("{table}: two runs with the same salt gave different data")
            });
        }
        checks.check(database_exists(&admin, &old_db).await, || {
            format!("run 2 did not keep run 1's staging as {old_db}")
        });
        if database_exists(&admin, &old_db).await {
            checks.eq(
                marker(&old_url).await,
                None,
                "an older __pgward_old (with previous_marker) is dropped before the swap",
            );
            let old = support::connect(&old_url).await;
            checks.check(digests(&old).await == digests_a, || {
                "__pgward_old after run 2 is not run 1's staging".to_owned()
            });
        }
    }

    // 4. Salt B, dropping the old staging.
    let report_b = dir.path().join("b.json");
    let mut cmd = sync_command(&src_url, &stage_url, &profile, SALT_B);
    cmd.arg("--drop-old").arg("--report").arg(&report_b);
    let run_b = run(cmd).await;
    if run_b.code != Some(0) {
        checks.fail(format!("sync with salt B failed: {}", run_b.describe()));
    } else {
        let target = support::connect(&stage_url).await;
        let emails_b = emails(&target).await;
        let same = emails_a
            .iter()
            .filter(|(id, e)| emails_b.get(*id) == Some(*e))
            .count();
        checks.check(emails_b.len() == 400 && same == 0, || {
            format!(
                "another salt must give other fakes: {same} of {} user emails are equal",
                emails_b.len()
            )
        });
        let digests_b = digests(&target).await;
        for table in ["public.user", "billing.invoices", "public.Support Tickets"] {
            checks.check(digests_b.get(table) != digests_a.get(table), || {
                format!("{table}: salt B gave the same data as salt A")
            });
        }
        drop(target);
        checks.check(!database_exists(&admin, &old_db).await, || {
            format!("--drop-old left {old_db}")
        });
        check_target(&mut checks, &source, &stage_url, &run_b, "run 3 (salt B)").await;
        if let Some(report) = read_report(&mut checks, &report_b) {
            checks.eq(
                &report["target"]["previous"],
                &Value::Null,
                "report target.previous with --drop-old",
            );
        }
    }
    checks.finish("hard_cases_sync_end_to_end");
}

/// The previous staging's marker row, or None when the table is gone.
async fn marker(url: &str) -> Option<String> {
    let c = support::connect(url).await;
    let exists = scalar_i64(
        &c,
        "SELECT count(*) FROM pg_class WHERE relname = 'previous_marker'",
    )
    .await;
    if exists == 0 {
        return None;
    }
    scalar_text(&c, "SELECT note FROM previous_marker").await
}

async fn emails(c: &Client) -> BTreeMap<i64, String> {
    c.query(r#"SELECT id, email FROM "user""#, &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

async fn check_dry_run(checks: &mut Checks, dry: &Run, report: &Path, source: &Source) {
    if dry.code != Some(0) {
        checks.fail(format!("--dry-run did not exit 0: {}", dry.describe()));
        return;
    }
    let line = |needle: &str| dry.stdout.lines().find(|l| l.contains(needle));
    let expect: &[(&str, &[&str])] = &[
        (
            "Support Tickets",
            &["Requester Email=email", "cc_emails=array", "body=scrub"],
        ),
        ("audit_log", &["none"]),
        ("login_attempts", &["where", "ip_address=ip"]),
        ("invoices", &["billing_address=json"]),
    ];
    for (table, parts) in expect {
        match line(table) {
            None => checks.fail(format!(
                "--dry-run plan has no line for {table}: {}",
                dry.describe()
            )),
            Some(l) => {
                for p in *parts {
                    checks.check(l.contains(p), || {
                        format!("--dry-run plan line for {table} lacks `{p}`: {l}")
                    });
                }
            }
        }
    }
    let leaked = find_pii(&source.pii, &format!("{}\n{}", dry.stdout, dry.stderr));
    checks.check(leaked.is_empty(), || {
        format!("--dry-run output shows original values: {leaked:?}")
    });
    match std::fs::read_to_string(report) {
        Err(e) => checks.fail(format!("--dry-run --report wrote no report: {e}")),
        Ok(text) => match serde_json::from_str::<Value>(&text) {
            Err(e) => checks.fail(format!("dry-run report is not JSON: {e}")),
            Ok(v) => checks.eq(
                v["status"].as_str(),
                Some("dry_run"),
                "dry-run report status",
            ),
        },
    }
}

/// Every check of issue 3 on a synced target.
async fn check_target(
    checks: &mut Checks,
    source: &Source,
    target_url: &str,
    run: &Run,
    when: &str,
) {
    let t = support::connect(target_url).await;

    // Row counts, per table, partitions included.
    let counts = row_counts(&t).await;
    let expected: BTreeMap<String, i64> = source
        .counts
        .iter()
        .map(|(table, n)| {
            let n = match table.as_str() {
                "public.audit_log" => 0,
                "public.login_attempts" => source.kept_attempts,
                _ => *n,
            };
            (table.clone(), n)
        })
        .collect();
    checks.eq(&expected, &counts, &format!("{when}: rows per table"));

    // Schema.
    let schema = schema_lines(target_url).await;
    if let Some(diff) = line_diff(&source.schema, &schema) {
        checks.fail(format!("{when}: schema differs from the source's: {diff}"));
    }

    // No original PII value anywhere: data-only dump, the matview, pgward's output.
    let dump = pg_dump(target_url, &["--data-only", "--no-owner", "--no-acl"]).await;
    let leaked = find_pii(&source.pii, &dump);
    checks.check(leaked.is_empty(), || {
        format!("{when}: original PII values in the target's data-only dump: {leaked:?}")
    });
    let matview = t
        .query_one(
            "SELECT string_agg(m::text, E'\\n') FROM user_invoice_totals m",
            &[],
        )
        .await
        .ok()
        .and_then(|r| r.get::<_, Option<String>>(0))
        .unwrap_or_default();
    let leaked = find_pii(&source.pii, &matview);
    checks.check(leaked.is_empty(), || {
        format!("{when}: original PII in the materialized view: {leaked:?}")
    });
    let leaked = find_pii(&source.pii, &format!("{}\n{}", run.stdout, run.stderr));
    checks.check(leaked.is_empty(), || {
        format!("{when}: pgward's output shows original values: {leaked:?}")
    });

    // Masking consistent across tables, JSON, arrays and free text.
    let consistency: &[(&str, &str, i64)] = &[
        (
            "invoice billing_address.email = its user's masked email",
            r#"SELECT count(*) FROM billing.invoices i JOIN "user" u ON u.id = i.user_id
               WHERE i.billing_address->>'email' = u.email"#,
            1200,
        ),
        (
            "ticket \"Requester Email\" = its user's masked email",
            r#"SELECT count(*) FROM "Support Tickets" t JOIN "user" u ON u.id = t."Ticket ID"
               WHERE t."Requester Email" = u.email"#,
            300,
        ),
        (
            "ticket cc_emails elements = the next users' masked emails",
            r#"SELECT count(*) FROM "Support Tickets" t
               JOIN "user" u1 ON u1.id = t."Ticket ID" + 1 JOIN "user" u2 ON u2.id = t."Ticket ID" + 2
               WHERE t.cc_emails = ARRAY[u1.email, u2.email]"#,
            300,
        ),
        (
            "ticket body (scrub) holds the requester's masked email",
            r#"SELECT count(*) FROM "Support Tickets" t JOIN "user" u ON u.id = t."Ticket ID"
               WHERE strpos(t.body, u.email) > 0 AND t.body LIKE 'Hello, I cannot log in.%'"#,
            300,
        ),
        (
            "events (every partition) actor_email and payload.contact.email = the user's",
            r#"SELECT count(*) FROM events e JOIN "user" u ON u.id = e.user_id
               WHERE e.actor_email = u.email AND e.payload->'contact'->>'email' = u.email"#,
            2400,
        ),
        (
            "login_attempts.username_tried = the user's masked email",
            r#"SELECT count(*) FROM login_attempts a JOIN "user" u ON u.id = a.user_id
               WHERE a.username_tried = u.email"#,
            source.kept_attempts,
        ),
        (
            "order customer_note (scrub) ends with the user's masked email",
            r#"SELECT count(*) FROM "order" o JOIN "user" u ON u.id = o.user_id
               WHERE o.customer_note LIKE '%mail ' || u.email"#,
            source.notes,
        ),
        (
            "matview rows carry the masked emails",
            r#"SELECT count(*) FROM user_invoice_totals m JOIN "user" u
               ON u.id = m.user_id AND u.email = m.email"#,
            400,
        ),
    ];
    for (what, sql, n) in consistency {
        let got = try_i64(&t, sql).await;
        checks.eq(Ok(*n), got, &format!("{when}: {what}"));
    }

    // Each rule did its job.
    let rules: &[(&str, &str, i64)] = &[
        (
            "emails on reserved example domains",
            r#"SELECT count(*) FROM "user" WHERE email !~ '@example\.(com|net|org)$'"#,
            0,
        ),
        (
            "generated email_domain recomputed from the masked email",
            r#"SELECT count(*) FROM "user"
               WHERE email_domain IS DISTINCT FROM split_part(email, '@', 2)"#,
            0,
        ),
        (
            "template display_name = 'User {id}'",
            r#"SELECT count(*) FROM "user" WHERE display_name <> 'User ' || id"#,
            0,
        ),
        (
            "constant hashed_password",
            r#"SELECT count(*) FROM "user" WHERE hashed_password <>
               '$2b$12$000000000000000000000uP2Qxj9Zb8qQY0RhfM3c0wL3tYtVZQyG'"#,
            0,
        ),
        (
            "null recipient_phone",
            "SELECT count(*) FROM shipments WHERE recipient_phone IS NOT NULL",
            0,
        ),
        (
            "NULL phones stay NULL",
            r#"SELECT count(*) FROM "user" WHERE phone IS NULL"#,
            source.null_phones,
        ),
        (
            "zip fakes fit the zip_code domain",
            r#"SELECT count(*) FROM "user" WHERE zip !~ '^[0-9]{5}$'"#,
            0,
        ),
        (
            "ip fakes in the documentation ranges",
            r#"SELECT count(*) FROM "user" WHERE NOT (last_login_ip << '192.0.2.0/24'
               OR last_login_ip << '198.51.100.0/24' OR last_login_ip << '203.0.113.0/24')"#,
            0,
        ),
        (
            "[after] sql ran on the target",
            "SELECT count(*) FROM pg_database WHERE datname = current_database()
               AND shobj_description(oid, 'pg_database') = 'staging copy made by pgward'",
            1,
        ),
        (
            "token keeps length and shape (letters, `_`, letters or digits)",
            "SELECT count(*) FROM api_tokens WHERE token !~ '^[a-z]{3}_[a-z0-9]{32}$'",
            0,
        ),
        (
            "rows = where: every kept login attempt matches the condition",
            &format!("SELECT count(*) FROM login_attempts WHERE NOT ({WHERE})"),
            0,
        ),
        (
            "rows = none: audit_log is empty",
            "SELECT count(*) FROM audit_log",
            0,
        ),
        (
            "the empty table exists, empty",
            "SELECT count(*) FROM feature_flag_changes",
            0,
        ),
        (
            "the insert trigger did not fire during the load (one audit row per order)",
            "SELECT count(*) FROM order_audit",
            500,
        ),
        (
            "the insert trigger exists on the target",
            r#"SELECT count(*) FROM pg_trigger WHERE tgname = 'order_audit_after_insert'
               AND tgenabled = 'O'"#,
            1,
        ),
        (
            "the materialized view is populated",
            "SELECT count(*) FROM pg_matviews WHERE matviewname = 'user_invoice_totals'
               AND ispopulated",
            1,
        ),
        (
            "the materialized view's rows",
            "SELECT count(*) FROM user_invoice_totals",
            400,
        ),
        (
            "the materialized view's totals",
            "SELECT sum(total_cents)::bigint FROM user_invoice_totals",
            source.matview_total,
        ),
    ];
    for (what, sql, n) in rules {
        let got = try_i64(&t, sql).await;
        checks.eq(Ok(*n), got, &format!("{when}: {what}"));
    }
    for (what, sql) in UNTOUCHED {
        let got = scalar_text(&t, sql).await.unwrap_or_default();
        checks.check(source.untouched.get(what) == Some(&got), || {
            format!("{when}: untouched columns of {what} changed on the way")
        });
    }

    // Sequences at the source's values.
    let seqs = sequences(&t).await;
    checks.eq(&source.sequences, &seqs, &format!("{when}: sequences"));
    checks.eq(
        Some(Some(5000)),
        seqs.get("billing.invoices_id_seq").copied(),
        &format!("{when}: billing.invoices_id_seq moved to the source's 5000"),
    );
}

/// A table the report must list: name, rows, rows_policy, column -> transformer.
type ReportedTable<'a> = (&'a str, i64, &'a str, &'a [(&'a str, &'a str)]);

fn read_report(checks: &mut Checks, path: &Path) -> Option<Value> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            checks.fail(format!("--report {}: not written: {e}", path.display()));
            return None;
        }
    };
    match serde_json::from_str(&text) {
        Ok(v) => Some(v),
        Err(e) => {
            checks.fail(format!("--report {}: not JSON: {e}", path.display()));
            None
        }
    }
}

async fn check_report(
    checks: &mut Checks,
    source: &Source,
    path: &Path,
    stage: &str,
    previous: Option<&str>,
    profile: &Path,
) {
    let Some(r) = read_report(checks, path) else {
        return;
    };
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let leaked = find_pii(&source.pii, &text);
    checks.check(leaked.is_empty(), || {
        format!("the run report contains original values: {leaked:?}")
    });
    checks.check(!text.contains(SALT_A), || {
        "the run report contains the salt".into()
    });
    checks.check(r["pgward_version"].is_string(), || {
        format!("report pgward_version: {}", r["pgward_version"])
    });
    checks.eq(r["status"].as_str(), Some("synced"), "report status");
    checks.eq(
        r["source"]["database"].as_str(),
        Some(source.name.as_str()),
        "report source.database",
    );
    let c = support::connect(&source.url).await;
    let sysid = scalar_text(
        &c,
        "SELECT system_identifier::text FROM pg_control_system()",
    )
    .await;
    let got_sysid = match &r["source"]["system_identifier"] {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    checks.eq(sysid, got_sysid, "report source.system_identifier");
    checks.eq(
        r["target"]["database"].as_str(),
        Some(stage),
        "report target.database",
    );
    checks.eq(
        r["target"]["previous"].as_str(),
        previous,
        "report target.previous",
    );
    checks.check(
        r["profile"]
            .as_str()
            .is_some_and(|p| p.ends_with("hard_cases.toml")),
        || {
            format!(
                "report profile should name {}: {}",
                profile.display(),
                r["profile"]
            )
        },
    );
    let fp = r["salt_fingerprint"].as_str().unwrap_or("");
    checks.check(
        fp.len() == 16 && fp.chars().all(|c| c.is_ascii_hexdigit()),
        || {
            format!(
                "report salt_fingerprint must be 16 hex chars: {:?}",
                r["salt_fingerprint"]
            )
        },
    );
    checks.eq(r["jobs"].as_u64(), Some(2), "report jobs");
    checks.check(r["started_at"].is_string(), || {
        format!("report started_at: {}", r["started_at"])
    });
    checks.check(r["seconds"].is_number(), || {
        format!("report seconds: {}", r["seconds"])
    });
    let stages: Vec<&str> = r["stages"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["name"].as_str()).collect())
        .unwrap_or_default();
    checks.eq(
        vec![
            "preflight",
            "pre-data",
            "data",
            "post-data",
            "verify",
            "after-sql",
            "swap",
        ],
        stages,
        "report stages",
    );
    let empty = Vec::new();
    let tables = r["tables"].as_array().unwrap_or(&empty);
    let by_name: BTreeMap<&str, &Value> = tables
        .iter()
        .filter_map(|t| Some((t["table"].as_str()?, t)))
        .collect();
    let expect: &[ReportedTable] = &[
        (
            "public.Support Tickets",
            300,
            "all",
            &[
                ("Requester Email", "email"),
                ("cc_emails", "array"),
                ("body", "scrub"),
            ],
        ),
        (
            "public.user",
            400,
            "all",
            &[
                ("email", "email"),
                ("display_name", "template"),
                ("hashed_password", "constant"),
            ],
        ),
        ("public.audit_log", 0, "none", &[]),
        (
            "public.login_attempts",
            source.kept_attempts,
            "where",
            &[("ip_address", "ip")],
        ),
        ("public.feature_flag_changes", 0, "all", &[]),
    ];
    for (name, rows, policy, transformers) in expect {
        let Some(t) = by_name.get(name) else {
            checks.fail(format!(
                "report tables lacks `{name}`; it has {:?}",
                by_name.keys().collect::<Vec<_>>()
            ));
            continue;
        };
        checks.eq(
            t["rows"].as_i64(),
            Some(*rows),
            &format!("report {name} rows"),
        );
        checks.eq(
            t["rows_policy"].as_str(),
            Some(*policy),
            &format!("report {name} rows_policy"),
        );
        for (col, tr) in *transformers {
            checks.eq(
                t["transformers"][col].as_str(),
                Some(*tr),
                &format!("report {name} transformers.{col}"),
            );
        }
        checks.check(t["bytes"].is_number() && t["seconds"].is_number(), || {
            format!("report {name}: bytes and seconds must be numbers: {t}")
        });
    }
    // Partitions: reported per partition or under the parent, the rows add up.
    let events: i64 = tables
        .iter()
        .filter(|t| {
            t["table"]
                .as_str()
                .is_some_and(|n| n.starts_with("public.events"))
        })
        .filter_map(|t| t["rows"].as_i64())
        .sum();
    checks.eq(
        2400,
        events,
        "report rows of public.events (all partitions)",
    );
    let sum: i64 = tables.iter().filter_map(|t| t["rows"].as_i64()).sum();
    checks.eq(
        r["totals"]["rows"].as_i64(),
        Some(sum),
        "report totals.rows = sum of tables' rows",
    );
    checks.eq(
        r["totals"]["tables"].as_u64(),
        Some(tables.len() as u64),
        "report totals.tables",
    );
}
