//! PostgreSQL for integration tests: one server per test binary, one fresh database per test.
//!
//! The server is a throwaway cluster (`pgward::pg::cluster`) started on first use. A `static` is
//! never dropped, but nothing is left behind: the cluster's supervisor stops the server and removes
//! its files when this test process exits, however it exits.
//!
//! With `PGWARD_TEST_DATABASE_URL` set (a URL or `key=value` string for a role that may create
//! databases) the tests use that server instead; each test then drops and re-creates its own
//! `pgward_<test binary>_<name>` database there and leaves it for inspection.
#![allow(dead_code)] // Each test binary uses part of this module.

pub mod git;

use std::sync::OnceLock;

use pgward::pg::cluster::Cluster;
use tokio_postgres::{Client, NoTls};

pub const EXTERNAL_URL_VAR: &str = "PGWARD_TEST_DATABASE_URL";

enum Server {
    Local(Cluster),
    External(String),
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
    let server = SERVER.get_or_init(|| match std::env::var(EXTERNAL_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Ok(Server::External(url)),
        _ => Cluster::start()
            .map(Server::Local)
            .map_err(|e| e.to_string()),
    });
    match server {
        Ok(server) => server,
        Err(e) => panic!(
            "cannot start a PostgreSQL cluster for the tests: {e}\n\
             (or set {EXTERNAL_URL_VAR} to a server on which the tests may create databases)"
        ),
    }
}

/// Creates an empty database for one test and returns its connection URL. `name` is lower-case
/// letters, digits and `_`, and unique among the tests of one test binary.
pub async fn database(name: &str) -> String {
    assert!(
        !name.is_empty()
            && name.len() <= 40
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
        "test database name {name:?}: use 1-40 characters of [a-z0-9_]"
    );
    match server() {
        Server::Local(cluster) => {
            cluster
                .create_database(name)
                .unwrap_or_else(|e| panic!("{e}"));
            cluster.url(name)
        }
        Server::External(url) => {
            let db = format!("pgward_{}_{name}", env!("CARGO_CRATE_NAME"));
            let admin = connect(url).await;
            for sql in [
                format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
                format!("CREATE DATABASE {db}"),
            ] {
                admin
                    .batch_execute(&sql)
                    .await
                    .unwrap_or_else(|e| panic!("{sql} on {EXTERNAL_URL_VAR}: {}", message(&e)));
            }
            with_dbname(url, &db)
        }
    }
}

/// Connects, and drives the connection on the test's runtime.
pub async fn connect(url: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {url}: {}", message(&e)));
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            eprintln!("connection to {EXTERNAL_URL_VAR} or the test cluster: {e}");
        }
    });
    client
}

/// The server's own words for a failed query (tokio-postgres' `Display` says only "db error").
pub fn message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut text = format!("{}: {}", db.severity(), db.message());
            if let Some(detail) = db.detail() {
                text.push_str(&format!(" ({detail})"));
            }
            text
        }
        None => e.to_string(),
    }
}

/// The same connection string (URL or `key=value`) for another database of the same server.
pub fn with_dbname(url: &str, db: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        // `key=value` form: a later key wins.
        return format!("{url} dbname={db}");
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let after_path = rest[authority_end..]
        .find('?')
        .map_or("", |q| &rest[authority_end + q..]);
    format!(
        "{}{}/{db}{after_path}",
        &url[..scheme_end + 3],
        &rest[..authority_end]
    )
}

#[test]
fn swaps_the_database_of_a_connection_string() {
    assert_eq!(
        with_dbname("postgresql://u:p@h:5433/postgres?sslmode=disable", "t"),
        "postgresql://u:p@h:5433/t?sslmode=disable"
    );
    assert_eq!(with_dbname("postgres://h", "t"), "postgres://h/t");
    assert_eq!(
        with_dbname("postgresql:///x?host=/run/pg", "t"),
        "postgresql:///t?host=/run/pg"
    );
    assert_eq!(with_dbname("host=/run/pg", "t"), "host=/run/pg dbname=t");
}
