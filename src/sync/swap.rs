//! The target server's side of a run, on a maintenance connection (database `postgres`, else
//! `template1`): the advisory lock that keeps two syncs of one target apart, the guards' view of
//! the target, creating `<target>__pgward_new`, dropping it on failure, and the swap.
//!
//! The swap is two renames: the current staging becomes `<target>__pgward_old` (the run dropped
//! an older one before loading; any left is dropped here), then the new database takes the
//! target's name. Until
//! the first rename nothing about the current staging has changed; if the second fails, the first
//! is undone.

use std::time::Duration;

use tokio_postgres::Client;

use crate::pg::catalog::ServerInfo;
use crate::pg::connect::{Endpoint, describe_error, quote_ident, quote_literal};

use super::SyncError;

/// Suffix of the database a run loads into.
pub const NEW_SUFFIX: &str = "__pgward_new";
/// Suffix of the previous staging, kept until the next run.
pub const OLD_SUFFIX: &str = "__pgward_old";
/// PostgreSQL's limit on identifiers (NAMEDATALEN - 1).
const MAX_NAME_BYTES: usize = 63;

/// The maintenance connection to the target's server.
pub struct Admin {
    client: Client,
}

impl Admin {
    pub async fn connect(target: &Endpoint) -> Result<Admin, SyncError> {
        let mut last = None;
        for db in ["postgres", "template1"] {
            match target.with_dbname(db).connect("target").await {
                Ok(client) => return Ok(Admin { client }),
                Err(e) => last = Some(e),
            }
        }
        Err(SyncError::Connect(
            last.expect("tried at least one database"),
        ))
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Takes the session-level advisory lock for this target; `false` when another sync holds it.
    pub async fn lock(&self, target: &str) -> Result<bool, SyncError> {
        let key = format!("pgward sync {target}");
        let row = self
            .client
            .query_one("SELECT pg_try_advisory_lock(hashtext($1))", &[&key])
            .await
            .map_err(|e| db_error("take the advisory lock", &e))?;
        Ok(row.get(0))
    }

    pub async fn exists(&self, name: &str) -> Result<bool, SyncError> {
        let row = self
            .client
            .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
            .await
            .map_err(|e| db_error("look up the target database", &e))?;
        Ok(row.is_some())
    }

    /// `COMMENT ON DATABASE` of a database, if it exists and has one.
    pub async fn comment(&self, name: &str) -> Result<Option<String>, SyncError> {
        let row = self
            .client
            .query_opt(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
                &[&name],
            )
            .await
            .map_err(|e| db_error("read the target database's comment", &e))?;
        Ok(row.and_then(|r| r.get(0)))
    }

    /// The server's identity (system identifier, version).
    pub async fn server(&self) -> Result<ServerInfo, SyncError> {
        crate::pg::catalog::server_info(&self.client)
            .await
            .map_err(|e| db_error("read the target server's identity", &e))
    }

    /// Drops a database if it exists, terminating its sessions first.
    pub async fn drop_database(&self, name: &str) -> Result<(), SyncError> {
        self.terminate_sessions(name).await?;
        let sql = format!("DROP DATABASE IF EXISTS {}", quote_ident(name));
        self.retry_in_use(&sql, name).await
    }

    /// Creates the database a run loads into, with the source's encoding and locale when the
    /// server has them, else the server's defaults.
    pub async fn create_database(&self, name: &str, like: &ServerInfo) -> Result<(), SyncError> {
        let full = format!(
            "CREATE DATABASE {} TEMPLATE template0 ENCODING {} LC_COLLATE {} LC_CTYPE {}",
            quote_ident(name),
            quote_literal(&like.encoding),
            quote_literal(&like.collate),
            quote_literal(&like.ctype)
        );
        if self.client.batch_execute(&full).await.is_ok() {
            return Ok(());
        }
        let plain = format!("CREATE DATABASE {} TEMPLATE template0", quote_ident(name));
        self.client
            .batch_execute(&plain)
            .await
            .map_err(|e| db_error(&format!("create database {name}"), &e))
    }

    /// Moves the current staging (if any) aside and the new database into its place. Returns the
    /// previous staging's new name, `None` on a first run or when `drop_old`.
    pub async fn swap(
        &self,
        target: &str,
        new: &str,
        drop_old: bool,
    ) -> Result<Option<String>, SyncError> {
        let old = name_with_suffix(target, OLD_SUFFIX);
        let had_target = self.exists(target).await?;
        if had_target {
            self.drop_database(&old).await?;
            self.terminate_sessions(target).await?;
            let sql = format!(
                "ALTER DATABASE {} RENAME TO {}",
                quote_ident(target),
                quote_ident(&old)
            );
            self.retry_in_use(&sql, target).await?;
        }
        let sql = format!(
            "ALTER DATABASE {} RENAME TO {}",
            quote_ident(new),
            quote_ident(target)
        );
        if let Err(e) = self.retry_in_use(&sql, new).await {
            if had_target {
                let undo = format!(
                    "ALTER DATABASE {} RENAME TO {}",
                    quote_ident(&old),
                    quote_ident(target)
                );
                let _ = self.client.batch_execute(&undo).await;
            }
            return Err(e);
        }
        if had_target && drop_old {
            self.drop_database(&old).await?;
            return Ok(None);
        }
        Ok(had_target.then_some(old))
    }

    async fn terminate_sessions(&self, name: &str) -> Result<(), SyncError> {
        self.client
            .query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = $1 AND pid <> pg_backend_pid()",
                &[&name],
            )
            .await
            .map_err(|e| db_error(&format!("terminate the sessions of {name}"), &e))?;
        Ok(())
    }

    /// Runs a statement that fails while a database has sessions, terminating them between tries
    /// (a client may reconnect between the termination and the statement).
    async fn retry_in_use(&self, sql: &str, name: &str) -> Result<(), SyncError> {
        let mut attempt = 0;
        loop {
            match self.client.batch_execute(sql).await {
                Ok(()) => return Ok(()),
                Err(e) if e.code().is_some_and(|c| c.code() == "55006") && attempt < 20 => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(100 * attempt)).await;
                    self.terminate_sessions(name).await?;
                }
                Err(e) => return Err(db_error(sql, &e)),
            }
        }
    }
}

/// `<target><suffix>`, or an error when that is longer than PostgreSQL allows.
pub fn name_with_suffix(target: &str, suffix: &str) -> String {
    format!("{target}{suffix}")
}

/// Whether `<target>` leaves room for the suffixes.
pub fn check_name_length(target: &str) -> Result<(), String> {
    let longest = target.len() + NEW_SUFFIX.len().max(OLD_SUFFIX.len());
    if longest > MAX_NAME_BYTES {
        return Err(format!(
            "the target database name \"{target}\" is {} bytes; pgward needs {} more for \"{target}{NEW_SUFFIX}\" and PostgreSQL allows {MAX_NAME_BYTES}",
            target.len(),
            NEW_SUFFIX.len()
        ));
    }
    Ok(())
}

fn db_error(action: &str, e: &tokio_postgres::Error) -> SyncError {
    SyncError::Database {
        action: action.to_owned(),
        reason: describe_error(e),
    }
}
