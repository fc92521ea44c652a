//! `pgward demo`: the sync end to end on a throwaway cluster. It starts PostgreSQL in a temp dir,
//! creates a small production-like database full of fake PII (`production.sql`), syncs it into a
//! staging database with the shipped `deployment-guide` profile, and shows rows before and after.
//! Needs PostgreSQL's binaries and nothing else; removes everything when it ends.

use std::io::{self, BufRead, Write};

use miette::{IntoDiagnostic, Result, WrapErr};
use tokio_postgres::Client;

use crate::cli::DemoArgs;
use crate::commands::{Outcome, run_sync};
use crate::pg::cluster::Cluster;
use crate::pg::connect::Endpoint;
use crate::sync::{self, report::Display};

/// The demo's source database: the deployment guide's schema with 200 fake users.
const PRODUCTION_SQL: &str = include_str!("production.sql");
/// The shipped profile the demo syncs with.
const PROFILE: &str = include_str!("../../anonymize-profiles/deployment-guide.toml");
/// The rows shown before and after.
const SAMPLE_SQL: &str = "SELECT u.id::text, u.email, u.name, p.phone, p.birth_date::text, t.token \
     FROM \"user\" u JOIN profile p ON p.user_id = u.id JOIN api_tokens t ON t.user_id = u.id \
     ORDER BY u.id LIMIT 3";

pub fn run(args: DemoArgs) -> Result<Outcome> {
    println!("Starting a throwaway PostgreSQL cluster...");
    let cluster = Cluster::start()
        .into_diagnostic()
        .wrap_err("pgward demo needs PostgreSQL's server binaries")?;
    println!("  running in {}\n", cluster.socket_dir().display());
    cluster.create_database("app").into_diagnostic()?;
    let source = cluster.url("app");
    let target = cluster.url("staging");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .into_diagnostic()?;
    runtime.block_on(async {
        let db = connect(&source).await?;
        db.batch_execute(PRODUCTION_SQL)
            .await
            .into_diagnostic()
            .wrap_err("loading the demo database")?;
        println!("Production-like database \"app\": 200 users with fake PII. Before:");
        print_rows(&db).await
    })?;

    // The profile reads its salt from a file next to it, so the demo needs no environment.
    let dir = tempfile::tempdir().into_diagnostic()?;
    let profile = dir.path().join("deployment-guide.toml");
    std::fs::write(
        &profile,
        PROFILE.replace("env = \"PGWARD_SALT\"", "file = \"demo-salt.txt\""),
    )
    .into_diagnostic()?;
    std::fs::write(dir.path().join("demo-salt.txt"), "pgward demo salt\n").into_diagnostic()?;

    println!(
        "\n$ STAGING_SAFETY_LOCK=enabled pgward sync --source .../app --target .../staging \\\n    --profile anonymize-profiles/deployment-guide.toml\n"
    );
    let options = sync::SyncOptions {
        source: source.clone(),
        target: target.clone(),
        profile: profile.clone(),
        jobs: 2,
        dry_run: false,
        safety_lock: Some("enabled".to_owned()),
        keep_owners: false,
        drop_old: false,
        display: Display::Log,
    };
    let outcome = run_sync(&options, None)?;
    if outcome != Outcome::Clean {
        return Ok(outcome);
    }

    runtime.block_on(async {
        let db = connect(&target).await?;
        println!("\nStaging database \"staging\", same rows after masking:");
        print_rows(&db).await
    })?;

    if args.keep {
        println!(
            "\nThe cluster keeps running. Connect with:\n  psql '{}'\n  psql '{}'\nPress Enter to stop it and remove everything.",
            source, target
        );
        let _ = io::stdout().flush();
        let mut line = String::new();
        let _ = io::stdin().lock().read_line(&mut line);
    }
    drop(cluster);
    println!(
        "\nThe throwaway cluster is stopped and removed. Next: write a profile for your schema (see anonymize-profiles/) and run `pgward sync --dry-run`."
    );
    Ok(Outcome::Clean)
}

async fn connect(url: &str) -> Result<Client> {
    let endpoint = Endpoint::parse("demo", url)?;
    Ok(endpoint.connect("demo").await?)
}

async fn print_rows(db: &Client) -> Result<()> {
    let rows = db.query(SAMPLE_SQL, &[]).await.into_diagnostic()?;
    let headers = ["id", "email", "name", "phone", "birth_date", "api token"];
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            (0..headers.len())
                .map(|i| {
                    r.get::<_, Option<String>>(i)
                        .unwrap_or_else(|| "NULL".into())
                })
                .collect()
        })
        .collect();
    let widths: Vec<usize> = (0..headers.len())
        .map(|i| {
            table
                .iter()
                .map(|r| r[i].chars().count())
                .chain([headers[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("  {}", padded.join("  "));
    };
    line(headers.to_vec());
    for row in &table {
        line(row.iter().map(String::as_str).collect());
    }
    Ok(())
}
