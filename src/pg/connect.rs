//! Where a database is and how to reach it: a libpq URL or `key=value` string, the same string
//! for another database of the server, the arguments pg_dump and pg_restore need, and connection
//! errors that say which database failed and what to check.
//!
//! libpq's `PG*` variables fill what the string leaves out (host, port, user, password), as they
//! do for psql, since tokio-postgres does not read them itself.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use miette::Diagnostic;
use thiserror::Error;
use tokio_postgres::config::Host;
use tokio_postgres::{Client, Config, NoTls};

/// A database to connect to.
#[derive(Clone)]
pub struct Endpoint {
    config: Config,
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Endpoint({})", self.describe())
    }
}

/// A connection string that could not be read, or a server that could not be reached.
#[derive(Debug, Error, Diagnostic)]
pub enum ConnectError {
    #[error("--{role}: not a PostgreSQL connection string: {reason}")]
    #[diagnostic(
        code(pgward::pg::bad_url),
        help(
            "Write a libpq URL such as postgresql://user@host:5432/dbname, or a key=value string such as \"host=/var/run/postgresql dbname=app\"."
        )
    )]
    BadUrl { role: &'static str, reason: String },

    #[error("cannot connect to the {role} database {database}: {reason}")]
    #[diagnostic(code(pgward::pg::unreachable), help("{help}"))]
    Unreachable {
        role: &'static str,
        database: String,
        reason: String,
        help: String,
    },
}

impl Endpoint {
    /// Reads a URL or `key=value` string; `role` ("source", "target") names it in errors.
    pub fn parse(role: &'static str, text: &str) -> Result<Endpoint, ConnectError> {
        let mut config = Config::from_str(text).map_err(|e| ConnectError::BadUrl {
            role,
            reason: e.to_string(),
        })?;
        fill_from_env(&mut config);
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        Ok(Endpoint { config })
    }

    /// The database name (libpq's default: the user name).
    pub fn dbname(&self) -> &str {
        self.config
            .get_dbname()
            .or(self.config.get_user())
            .unwrap_or("postgres")
    }

    /// The same server and credentials, another database.
    pub fn with_dbname(&self, dbname: &str) -> Endpoint {
        let mut config = self.config.clone();
        config.dbname(dbname);
        Endpoint { config }
    }

    /// `"staging" on /var/run/postgresql:5432`, for messages: never the password.
    pub fn describe(&self) -> String {
        format!("\"{}\" on {}", self.dbname(), self.server())
    }

    /// `host:port` (the first of each when there are several).
    pub fn server(&self) -> String {
        let host = match self.config.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            Some(Host::Unix(p)) => p.display().to_string(),
            None => "localhost".to_owned(),
        };
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        format!("{host}:{port}")
    }

    /// A libpq `key=value` string for pg_dump and pg_restore (`--dbname`), without the password:
    /// pass [`Endpoint::password`] in `PGPASSWORD` so that it does not show in `ps`.
    pub fn libpq_conninfo(&self) -> String {
        let mut parts = Vec::new();
        let hosts: Vec<String> = self
            .config
            .get_hosts()
            .iter()
            .map(|h| match h {
                Host::Tcp(h) => h.clone(),
                Host::Unix(p) => p.display().to_string(),
            })
            .collect();
        if !hosts.is_empty() {
            parts.push(("host", hosts.join(",")));
        }
        let ports: Vec<String> = self.config.get_ports().iter().map(u16::to_string).collect();
        if !ports.is_empty() {
            parts.push(("port", ports.join(",")));
        }
        if let Some(user) = self.config.get_user() {
            parts.push(("user", user.to_owned()));
        }
        parts.push(("dbname", self.dbname().to_owned()));
        if let Some(options) = self.config.get_options() {
            parts.push(("options", options.to_owned()));
        }
        if let Some(timeout) = self.config.get_connect_timeout() {
            parts.push(("connect_timeout", timeout.as_secs().max(1).to_string()));
        }
        parts.push((
            "application_name",
            self.config
                .get_application_name()
                .unwrap_or("pgward")
                .to_owned(),
        ));
        parts
            .into_iter()
            .map(|(k, v)| format!("{k}={}", quote_conninfo(&v)))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The password, if the string or `PGPASSWORD` gave one.
    pub fn password(&self) -> Option<String> {
        self.config
            .get_password()
            .map(|p| String::from_utf8_lossy(p).into_owned())
    }

    /// Connects and drives the connection on the current tokio runtime. `role` names the
    /// database in the error ("source", "target").
    pub async fn connect(&self, role: &'static str) -> Result<Client, ConnectError> {
        let mut config = self.config.clone();
        if config.get_application_name().is_none() {
            config.application_name("pgward");
        }
        let (client, connection) =
            config
                .connect(NoTls)
                .await
                .map_err(|e| ConnectError::Unreachable {
                    role,
                    database: self.describe(),
                    reason: describe_error(&e),
                    help: connect_help(&e),
                })?;
        tokio::spawn(async move {
            // The client reports a broken connection on its next query.
            let _ = connection.await;
        });
        Ok(client)
    }
}

/// What to check for a failed connection, from the server's SQLSTATE when there is one.
fn connect_help(e: &tokio_postgres::Error) -> String {
    let code = e.code().map(|c| c.code().to_owned()).unwrap_or_default();
    match code.as_str() {
        "3D000" => "The database does not exist: check the name in the URL.".to_owned(),
        "28P01" | "28000" => "Check the user name and password (in the URL or PGPASSWORD) and the server's pg_hba.conf.".to_owned(),
        _ if e.to_string().contains("TLS") || e.to_string().contains("SSL") => {
            "pgward connects without TLS: use sslmode=disable or prefer, or reach the server through a local tunnel (ssh -L, a sidecar proxy).".to_owned()
        }
        _ => "Check the host and port in the URL, that the server is running and accepts connections from this machine (listen_addresses, pg_hba.conf).".to_owned(),
    }
}

/// The server's own words for a failed query or connection (tokio-postgres' `Display` says only
/// "db error"). May quote a value: use only where no row values are involved.
pub fn describe_error(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut text = db.message().to_owned();
            if let Some(detail) = db.detail() {
                text.push_str(&format!(" ({detail})"));
            }
            text
        }
        None => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                text.push_str(&format!(": {s}"));
                source = s.source();
            }
            text
        }
    }
}

/// libpq's defaults from the environment, as psql would apply them.
fn fill_from_env(config: &mut Config) {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if config.get_hosts().is_empty() {
        match var("PGHOST") {
            Some(hosts) => {
                for host in hosts.split(',') {
                    config.host(host);
                }
            }
            None => {
                let socket = ["/var/run/postgresql", "/tmp"]
                    .into_iter()
                    .find(|d| std::path::Path::new(d).join(".s.PGSQL.5432").exists());
                config.host(socket.unwrap_or("localhost"));
            }
        }
    }
    if config.get_ports().is_empty() {
        if let Some(port) = var("PGPORT").and_then(|p| p.parse().ok()) {
            config.port(port);
        }
    }
    if config.get_user().is_none() {
        if let Some(user) = var("PGUSER").or_else(|| var("USER")) {
            config.user(user);
        }
    }
    if config.get_password().is_none() {
        if let Some(password) = var("PGPASSWORD") {
            config.password(password);
        }
    }
    if config.get_dbname().is_none() {
        if let Some(db) = var("PGDATABASE") {
            config.dbname(db);
        }
    }
}

/// A value in a libpq `key=value` string: quoted when it holds spaces or quotes.
fn quote_conninfo(value: &str) -> String {
    if !value.is_empty()
        && !value
            .chars()
            .any(|c| c.is_whitespace() || c == '\'' || c == '\\')
    {
        return value.to_owned();
    }
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// `name` as a quoted SQL identifier: `"Mixed ""Case"""`.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `text` as a SQL string literal.
pub fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_urls_and_keeps_the_password_out_of_conninfo() {
        let e = Endpoint::parse("source", "postgresql://app:s3cret@db.internal:5433/prod").unwrap();
        assert_eq!(e.dbname(), "prod");
        assert_eq!(e.server(), "db.internal:5433");
        assert_eq!(e.password().as_deref(), Some("s3cret"));
        let info = e.with_dbname("staging db").libpq_conninfo();
        assert!(info.contains("dbname='staging db'"), "{info}");
        assert!(
            info.contains("host=db.internal port=5433 user=app"),
            "{info}"
        );
        assert!(!info.contains("s3cret"), "{info}");
        assert!(!e.describe().contains("s3cret"));
    }

    #[test]
    fn reads_socket_urls_as_the_test_cluster_writes_them() {
        let e = Endpoint::parse(
            "target",
            "postgresql://postgres@/staging?host=%2Ftmp%2Fpgw-ab12&port=5432",
        )
        .unwrap();
        assert_eq!(e.dbname(), "staging");
        assert_eq!(e.server(), "/tmp/pgw-ab12:5432");
        assert!(
            e.libpq_conninfo()
                .starts_with("host=/tmp/pgw-ab12 port=5432")
        );
    }

    #[test]
    fn bad_strings_name_the_flag() {
        let err = Endpoint::parse("target", "postgresql://h:notaport/db").unwrap_err();
        assert!(err.to_string().starts_with("--target:"), "{err}");
    }

    #[test]
    fn quotes_conninfo_values() {
        assert_eq!(quote_conninfo("plain"), "plain");
        assert_eq!(quote_conninfo("it's"), r"'it\'s'");
        assert_eq!(quote_conninfo(""), "''");
    }
}
