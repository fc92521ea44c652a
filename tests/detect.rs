//! The PII detector, coverage and profile scaffold against real clusters: a labelled schema
//! (fixtures/detect/labelled.sql + labels.toml) measured for precision and recall, every kind of
//! issue 4 found with its reason, the lookalikes left alone; Pagila filled with generated rows
//! (the exact set of findings); coverage naming the one column a profile omits; `profile init`'s
//! output parsing and covering everything; the scan inside a read-only snapshot transaction.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use pgward::anonymize::detect::{self, DetectOptions, Finding, PiiKind, Scan, Signal};
use pgward::anonymize::{Profile, Salt, Transformer, coverage, scaffold};
use pgward::pg::catalog::{self, Table};
use tokio_postgres::Client;

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/detect")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn shared_datasets() -> PathBuf {
    let beside = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/datasets"));
    if beside.is_dir() {
        beside
    } else {
        PathBuf::from("/work/shared/datasets")
    }
}

async fn exec(client: &Client, sql: &str, what: &str) {
    client
        .batch_execute(sql)
        .await
        .unwrap_or_else(|e| panic!("{what}: {}", support::message(&e)));
}

async fn labelled(name: &str) -> (Client, Vec<Table>, Scan) {
    let url = support::database(name).await;
    let client = support::connect(&url).await;
    exec(&client, &fixture("labelled.sql"), "loading labelled.sql").await;
    let tables = catalog::tables(&client).await.unwrap();
    let scan = detect::scan(&client, &tables, &DetectOptions::default())
        .await
        .unwrap_or_else(|e| panic!("scan: {}", support::message(&e)));
    (client, tables, scan)
}

/// `column` or `column $.path`, as labels.toml writes them.
fn item(f: &Finding) -> String {
    match &f.path {
        Some(p) => format!("{} {p}", f.column),
        None => f.column.clone(),
    }
}

type Labels = BTreeMap<String, BTreeMap<String, Vec<String>>>;

fn labels() -> Labels {
    toml::from_str(&fixture("labels.toml")).expect("labels.toml")
}

fn label_set(labels: &Labels, list: &str) -> BTreeSet<(String, String)> {
    labels[list]
        .iter()
        .flat_map(|(t, items)| items.iter().map(move |i| (t.clone(), i.clone())))
        .collect()
}

#[tokio::test]
async fn labelled_schema_precision_recall_and_reasons() {
    let (_client, tables, scan) = labelled("labelled").await;
    let labels = labels();
    let pii = label_set(&labels, "pii");
    let derived = label_set(&labels, "derived");
    let none = label_set(&labels, "none");

    // The labels describe every column of the fixture (partitions speak through their root).
    for t in &tables {
        if matches!(t.kind, catalog::TableKind::Partition { .. }) {
            continue;
        }
        for c in &t.columns {
            let key = (t.key(), c.name.clone());
            let n = [&pii, &derived, &none]
                .iter()
                .filter(|s| s.contains(&key))
                .count();
            assert_eq!(
                n,
                1,
                "{}.{} must be in exactly one label list",
                t.key(),
                c.name
            );
        }
    }

    let found: BTreeMap<(String, String), &Finding> = scan
        .findings
        .iter()
        .map(|f| ((f.table.clone(), item(f)), f))
        .collect();
    assert_eq!(
        found.len(),
        scan.findings.len(),
        "one finding per column or path"
    );
    let false_positives: Vec<String> = found
        .iter()
        .filter(|(k, _)| !pii.contains(*k) && !derived.contains(*k))
        .map(|((t, i), f)| format!("{t}.{i}: {:?} {}", f.kind, f.reason))
        .collect();
    let missed: Vec<String> = pii
        .iter()
        .filter(|k| !found.contains_key(*k))
        .map(|(t, i)| format!("{t}.{i}"))
        .collect();
    let true_positives = found.len() - false_positives.len();
    let precision = true_positives as f64 / found.len() as f64;
    let recall = (pii.len() - missed.len()) as f64 / pii.len() as f64;
    println!(
        "labelled schema: {} PII items, {} derived, {} lookalikes; {} findings; precision {:.1}% recall {:.1}%",
        pii.len(),
        derived.len(),
        none.len(),
        found.len(),
        precision * 100.0,
        recall * 100.0
    );
    for fp in &false_positives {
        println!("  false positive: {fp}");
    }
    assert!(missed.is_empty(), "missed PII: {missed:#?}");
    assert!(
        precision >= 0.9,
        "precision {precision:.3} < 0.9: {false_positives:#?}"
    );
    for key in &derived {
        let f = found
            .get(key)
            .unwrap_or_else(|| panic!("derived {key:?} not found"));
        assert!(!f.needs_rule(), "{key:?} is recomputed: {:?}", f.signal);
    }
    for key in &pii {
        assert!(found[key].needs_rule(), "{key:?} needs a rule");
    }

    // Every kind of issue 4, with its reason.
    let expect = |table: &str, it: &str, kind: PiiKind, reason: &str| {
        let f = found
            .get(&(format!("public.{table}"), it.to_owned()))
            .unwrap_or_else(|| panic!("{table}.{it} not found"));
        assert_eq!(f.kind, kind, "{table}.{it}: {}", f.reason);
        assert!(
            f.reason.contains(reason),
            "{table}.{it}: reason {:?} should contain {reason:?}",
            f.reason
        );
    };
    use PiiKind::*;
    expect("app_user", "email", Email, "the name says \"email\"");
    expect(
        "app_user",
        "email",
        Email,
        "% of 200 sampled values are email addresses",
    );
    expect(
        "Customer Contacts",
        "Telefon",
        Phone,
        "phone number (German)",
    );
    expect(
        "Customer Contacts",
        "mobileNumber",
        Phone,
        "sampled values are phone numbers",
    );
    expect("app_user", "first_name", FirstName, "\"first name\"");
    expect("Customer Contacts", "prénom", FirstName, "(French)");
    expect("Customer Contacts", "nachname", LastName, "(German)");
    expect("app_user", "display_name", PersonName, "\"display name\"");
    expect("legacy_import", "c5", PersonName, "full person names");
    expect("Customer Contacts", "Adresse", Address, "\"adresse\"");
    expect("Customer Contacts", "PLZ", PostalCode, "\"plz\"");
    expect("Customer Contacts", "ciudad", City, "\"ciudad\"");
    expect(
        "orders",
        "payload $.shipping.street",
        Address,
        "key $.shipping.street",
    );
    expect(
        "orders",
        "payload $.shipping.city",
        City,
        "inside a person object",
    );
    expect(
        "orders",
        "payload $.customer.name",
        PersonName,
        "inside a person object",
    );
    expect("app_user", "date_of_birth", BirthDate, "\"date of birth\"");
    expect("Customer Contacts", "geburtsdatum", BirthDate, "(German)");
    expect("identity_document", "ssn", NationalId, "social security");
    expect(
        "identity_document",
        "passport_number",
        NationalId,
        "passport",
    );
    expect(
        "identity_document",
        "national_id",
        NationalId,
        "national id",
    );
    expect("identity_document", "tax_id", NationalId, "tax id");
    expect(
        "payment_method",
        "iban",
        BankAccount,
        "IBANs (mod-97 checked)",
    );
    expect("legacy_import", "c3", BankAccount, "IBANs (mod-97 checked)");
    expect(
        "payment_method",
        "card_number",
        CardNumber,
        "card numbers (Luhn checked)",
    );
    expect(
        "legacy_import",
        "c4",
        CardNumber,
        "card numbers (Luhn checked)",
    );
    expect(
        "payment_method",
        "cvv",
        CardSecurityCode,
        "card security code",
    );
    expect("app_user", "last_login_ip", IpAddress, "IP addresses");
    expect("audit_event", "actor_ip", IpAddress, "IP addresses");
    expect("orders", "payload $.client_ip", IpAddress, "IP addresses");
    expect("app_user", "user_agent", UserAgent, "user agent");
    expect("app_user", "password_hash", Password, "password hashes");
    expect("legacy_import", "c7", Password, "password hashes");
    expect("integration", "webhook_secret", Secret, "\"secret\"");
    expect("integration", "api_key", Secret, "API tokens");
    expect("app_user", "api_token", Secret, "API tokens");
    expect("integration", "access_token", Secret, "JSON Web Tokens");
    expect("integration", "salt", Secret, "password salt");
    expect("location_ping", "latitude", Geolocation, "latitude");
    expect("location_ping", "longitude", Geolocation, "longitude");
    expect("legacy_import", "c1", Email, "email addresses");
    expect("legacy_import", "c2", Phone, "phone numbers");
    expect(
        "orders",
        "payload $.customer.email",
        Email,
        "email addresses",
    );
    expect("orders", "payload $.customer.phone", Phone, "phone numbers");
    expect(
        "audit_event",
        "details $.after.email",
        Email,
        "key $.after.email",
    );
    expect(
        "orders",
        "payload $.items[*].gift_note",
        FreeText,
        "(free text)",
    );
    expect(
        "orders",
        "cc_emails",
        Email,
        "sampled elements are email addresses",
    );
    expect(
        "orders",
        "notes",
        FreeText,
        "contain phone numbers (free text)",
    );
    expect(
        "support_ticket",
        "body",
        FreeText,
        "contain email addresses (free text)",
    );
    expect("app_user", "search_text", FreeText, "email addresses");
    expect(
        "support_ticket",
        "search_vector",
        SearchVector,
        "filled by trigger support_ticket_search (public.support_ticket_search) from requester_email (an email address), subject",
    );
    expect(
        "kb_article",
        "app_search",
        SearchVector,
        "no trigger pgward can read",
    );
    expect("document", "content", LargeObject, "20 large objects");
    expect("event_log", "ip_address", IpAddress, "IP addresses");
    expect(
        "app_user",
        "email_lower",
        Email,
        "generated from email (an email address)",
    );
    expect(
        "user_directory",
        "*",
        Email,
        "materialized view over public.app_user.email",
    );
    let share = match &found[&("public.app_user".to_owned(), "email".to_owned())].signal {
        Signal::Values { share, sampled, .. } => {
            assert_eq!(*sampled, 200);
            *share
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(share, 1.0);
    assert!(scan.unread.is_empty());
}

#[tokio::test]
async fn coverage_and_scaffold() {
    let (_client, tables, scan) = labelled("coverage").await;
    let text = scaffold::scaffold(&scan.findings);
    let profile =
        Profile::parse("init.toml", &text).unwrap_or_else(|e| panic!("{e:?}\n---\n{text}"));
    let full = coverage::check(&scan.findings, &tables, &profile);
    assert!(
        full.uncovered.is_empty() && full.stale.is_empty(),
        "{full:#?}\n---\n{text}"
    );
    // Every rule fits its column's type.
    for (key, rules) in &profile.tables {
        let table = tables.iter().find(|t| t.key() == *key).unwrap();
        for (column, rule) in &rules.columns {
            let ty = &table.column(column).unwrap().type_name;
            let t = Transformer::build(rule, &Salt::new("s")).unwrap();
            t.fits_type(ty)
                .unwrap_or_else(|e| panic!("{key}.{column} ({ty}): {e}"));
        }
    }
    assert!(
        text.contains("[tables.\"public.Customer Contacts\"]"),
        "{text}"
    );
    assert!(
        text.contains("columns.\"prénom\" = \"first_name\""),
        "{text}"
    );
    assert!(
        text.contains("columns.cc_emails = { transform = \"array\", each = \"email\" }"),
        "{text}"
    );
    assert!(text.contains("\"$.customer.email\" = \"email\""), "{text}");
    assert!(text.contains("columns.search_vector = \"null\""), "{text}");
    assert!(text.contains("columns.notes = \"scrub\""), "{text}");
    assert!(
        text.contains("columns.date_of_birth = \"date_shift\""),
        "{text}"
    );

    // Omit one column: coverage names exactly it.
    let omitted = text.replace("columns.requester_email = \"email\"\n", "");
    assert_ne!(omitted, text);
    let profile = Profile::parse("omitted.toml", &omitted).unwrap();
    let c = coverage::check(&scan.findings, &tables, &profile);
    let got: Vec<String> = c.uncovered.iter().map(|u| u.finding.location()).collect();
    assert_eq!(got, ["public.support_ticket.requester_email"], "{c:#?}");
    assert_eq!(
        c.uncovered[0].fix,
        "[tables.\"public.support_ticket\"] columns.requester_email = \"email\""
    );

    // Omit one JSON path: coverage names the path.
    let omitted = text.replace(", \"$.shipping.zip\" = \"zip\"", "");
    assert_ne!(omitted, text);
    let c = coverage::check(
        &scan.findings,
        &tables,
        &Profile::parse("omitted.toml", &omitted).unwrap(),
    );
    let got: Vec<String> = c.uncovered.iter().map(|u| u.why.clone()).collect();
    assert_eq!(
        got,
        ["the json rule on public.orders.payload does not list $.shipping.zip"]
    );

    // Keeping a generated column's input unmasked uncovers the generated column.
    let kept = text.replace(
        "columns.email = \"email\"\n",
        "columns.email = { transform = \"keep\", reason = \"test\" }\n",
    );
    let c = coverage::check(
        &scan.findings,
        &tables,
        &Profile::parse("kept.toml", &kept).unwrap(),
    );
    let got: Vec<String> = c.uncovered.iter().map(|u| u.finding.location()).collect();
    assert_eq!(got, ["public.app_user.email_lower"], "{c:#?}");

    // Stale entries: a dropped table and a renamed column.
    let stale = format!(
        "{text}\n[tables.\"public.gone\"]\ncolumns.x = \"null\"\n[tables.\"public.stats\"]\ncolumns.hostnme = \"keep\"\n"
    );
    let c = coverage::check(
        &scan.findings,
        &tables,
        &Profile::parse("stale.toml", &stale).unwrap(),
    );
    let got: Vec<(String, Option<String>)> = c
        .stale
        .iter()
        .map(|s| (s.table.clone(), s.column.clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("public.gone".to_owned(), None),
            ("public.stats".to_owned(), Some("hostnme".to_owned()))
        ]
    );
}

#[tokio::test]
async fn scans_inside_a_read_only_snapshot_without_aborting_it() {
    let url = support::database("snapshot").await;
    let admin = support::connect(&url).await;
    exec(
        &admin,
        "CREATE TABLE visible (id int, email text);
         INSERT INTO visible SELECT i, 'u' || i || '@example.com' FROM generate_series(1, 30) i;
         CREATE TABLE \"Hidden Table\" (\"select\" text, \"Phone\" text);
         INSERT INTO \"Hidden Table\" VALUES ('x', '+1 415 555 0100');
         CREATE TABLE big (id int, contact text);
         INSERT INTO big SELECT i, 'c' || i || '@example.com' FROM generate_series(1, 20000) i;
         ANALYZE;
         DROP ROLE IF EXISTS pgward_detect_reader;
         CREATE ROLE pgward_detect_reader;
         GRANT SELECT ON visible, big TO pgward_detect_reader;",
        "setup",
    )
    .await;
    exec(
        &admin,
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL ROLE pgward_detect_reader;",
        "begin",
    )
    .await;
    let tables = catalog::tables(&admin).await.unwrap();
    let scan = detect::scan(&admin, &tables, &DetectOptions::default())
        .await
        .unwrap_or_else(|e| panic!("scan: {}", support::message(&e)));
    assert_eq!(scan.unread, ["public.Hidden Table"]);
    let got: Vec<(String, String, PiiKind)> = scan
        .findings
        .iter()
        .map(|f| (f.table.clone(), f.column.clone(), f.kind))
        .collect();
    assert_eq!(
        got,
        [
            (
                "public.Hidden Table".to_owned(),
                "Phone".to_owned(),
                PiiKind::Phone
            ),
            (
                "public.big".to_owned(),
                "contact".to_owned(),
                PiiKind::Email
            ),
            (
                "public.visible".to_owned(),
                "email".to_owned(),
                PiiKind::Email
            ),
        ]
    );
    // `big` was read with TABLESAMPLE: 200 rows, not the first 200.
    match &scan.findings[1].signal {
        Signal::Values { sampled, .. } => assert_eq!(*sampled, 200),
        other => panic!("{other:?}"),
    }
    // The transaction is still usable.
    let one: i32 = admin.query_one("SELECT 1", &[]).await.unwrap().get(0);
    assert_eq!(one, 1);
    exec(&admin, "COMMIT", "commit").await;
}

/// Loads Pagila's schema (its `OWNER TO` lines removed: the roles need not exist on a test
/// server) and the sync tests' generated rows, fixtures/sync/pagila-data.sql.
async fn load_pagila(url: &str) {
    let path = shared_datasets().join("pagila-schema.sql");
    let schema =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: String = schema
        .lines()
        .filter(|l| !(l.starts_with("ALTER ") && l.contains(" OWNER TO ")))
        .collect::<Vec<_>>()
        .join("\n");
    let client = support::connect(url).await;
    exec(&client, &schema, "loading pagila-schema.sql").await;
    drop(client);
    let client = support::connect(url).await;
    exec(
        &client,
        &fixture("../sync/pagila-data.sql"),
        "loading fixtures/sync/pagila-data.sql",
    )
    .await;
}

#[tokio::test]
async fn pagila_customer_and_staff_pii_and_nothing_else() {
    let url = support::database("pagila").await;
    load_pagila(&url).await;
    let client = support::connect(&url).await;
    let tables = catalog::tables(&client).await.unwrap();
    let scan = detect::scan(&client, &tables, &DetectOptions::default())
        .await
        .unwrap_or_else(|e| panic!("scan: {}", support::message(&e)));
    for f in &scan.findings {
        println!("{}: {:?} {}", f.location(), f.kind, f.reason);
    }
    let got: BTreeSet<(String, PiiKind)> = scan
        .findings
        .iter()
        .map(|f| (f.location(), f.kind))
        .collect();
    use PiiKind::*;
    let expected: BTreeSet<(String, PiiKind)> = [
        // Customers and staff.
        ("public.customer.first_name", FirstName),
        ("public.customer.last_name", LastName),
        ("public.customer.email", Email),
        ("public.staff.first_name", FirstName),
        ("public.staff.last_name", LastName),
        ("public.staff.email", Email),
        ("public.staff.username", Username),
        ("public.staff.password", Password),
        ("public.staff.picture", Photo),
        // Their addresses live in their own table: the postal address and phone are theirs.
        ("public.address.address", Address),
        ("public.address.address2", Address),
        ("public.address.postal_code", PostalCode),
        ("public.address.phone", Phone),
        // Actors are people too (their credits are public: a profile keeps them with a reason).
        ("public.actor.first_name", FirstName),
        ("public.actor.last_name", LastName),
    ]
    .into_iter()
    .map(|(l, k)| (l.to_owned(), k))
    .collect();
    assert_eq!(got, expected);
    // The lookalikes: foreign keys, catalogue names, the film search vector (filled by a trigger
    // from title and description), the materialized view over catalogue data.
    for quiet in [
        "public.customer.address_id",
        "public.category.name",
        "public.language.name",
        "public.city.city",
        "public.film.fulltext",
        "public.film.description",
    ] {
        assert!(
            !scan.findings.iter().any(|f| f.location() == quiet),
            "{quiet}"
        );
    }
    let staff_password = scan
        .findings
        .iter()
        .find(|f| f.location() == "public.staff.password")
        .unwrap();
    assert!(
        staff_password.reason.contains("long hex strings"),
        "{}",
        staff_password.reason
    );
}
