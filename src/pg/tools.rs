//! PostgreSQL's client programs the sync runs for the schema (`pg_dump`, `pg_restore`).
//!
//! `pg_dump` refuses servers newer than itself, and `pg_restore` archives newer than itself, so
//! both come from one installation whose major version is at least the source server's. Looked for
//! in `$PGWARD_PG_BIN`, then Debian's and the source build's versioned directories (newest first),
//! then `PATH`.

use std::path::{Path, PathBuf};
use std::process::Command;

use miette::Diagnostic;
use thiserror::Error;

/// The variable naming a directory of PostgreSQL client programs to use first.
pub const PG_BIN_VAR: &str = "PGWARD_PG_BIN";

/// `pg_dump` and `pg_restore` of one installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientTools {
    pub pg_dump: PathBuf,
    pub pg_restore: PathBuf,
    /// Their major version.
    pub major: i32,
}

#[derive(Debug, Error, Diagnostic)]
pub enum ToolsError {
    #[error(
        "no pg_dump/pg_restore found (looked in ${PG_BIN_VAR}, /usr/lib/postgresql/*/bin and PATH)"
    )]
    #[diagnostic(
        code(pgward::pg::no_client_tools),
        help(
            "Install PostgreSQL's client programs (Debian/Ubuntu: apt-get install postgresql-client-{server_major}; macOS: brew install libpq), or set {PG_BIN_VAR} to their directory."
        )
    )]
    NotFound { server_major: i32 },

    #[error(
        "pg_dump {found} cannot dump the source server, which runs PostgreSQL {server_major} (newest found: {path})"
    )]
    #[diagnostic(
        code(pgward::pg::client_too_old),
        help(
            "Install the PostgreSQL {server_major} client programs (Debian/Ubuntu: apt-get install postgresql-client-{server_major}) or set {PG_BIN_VAR} to a directory holding pg_dump {server_major} or newer."
        )
    )]
    TooOld {
        found: i32,
        server_major: i32,
        path: String,
    },
}

/// The newest installation found, if it can handle a server of `server_major`.
pub fn find(server_major: i32) -> Result<ClientTools, ToolsError> {
    let mut best: Option<ClientTools> = None;
    for dir in candidate_dirs() {
        let (dump, restore) = (dir.join("pg_dump"), dir.join("pg_restore"));
        if !dump.is_file() || !restore.is_file() {
            continue;
        }
        let Some(major) = version_of(&dump) else {
            continue;
        };
        if version_of(&restore) != Some(major) {
            continue;
        }
        let tools = ClientTools {
            pg_dump: dump,
            pg_restore: restore,
            major,
        };
        // The explicit directory wins when it is new enough; otherwise the newest.
        if std::env::var_os(PG_BIN_VAR).is_some_and(|d| Path::new(&d) == dir)
            && major >= server_major
        {
            return Ok(tools);
        }
        if best.as_ref().is_none_or(|b| major > b.major) {
            best = Some(tools);
        }
    }
    match best {
        Some(tools) if tools.major >= server_major => Ok(tools),
        Some(tools) => Err(ToolsError::TooOld {
            found: tools.major,
            server_major,
            path: tools.pg_dump.display().to_string(),
        }),
        None => Err(ToolsError::NotFound { server_major }),
    }
}

fn candidate_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(dir) = std::env::var_os(PG_BIN_VAR) {
        dirs.push(PathBuf::from(dir));
    }
    let mut versioned: Vec<(i32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse::<i32>().ok()?;
            Some((v, e.path().join("bin")))
        })
        .collect();
    versioned.sort_by_key(|v| std::cmp::Reverse(v.0));
    dirs.extend(versioned.into_iter().map(|(_, d)| d));
    dirs.push(PathBuf::from("/usr/local/pgsql/bin"));
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    dirs
}

/// The major version a client program reports: `pg_dump (PostgreSQL) 15.18 (Debian ...)` is 15.
fn version_of(program: &Path) -> Option<i32> {
    let out = Command::new(program).arg("--version").output().ok()?;
    parse_major(&String::from_utf8_lossy(&out.stdout))
}

fn parse_major(text: &str) -> Option<i32> {
    let version = text
        .split_whitespace()
        .find(|w| w.starts_with(|c: char| c.is_ascii_digit()))?;
    version
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_major_versions() {
        assert_eq!(
            parse_major("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"),
            Some(15)
        );
        assert_eq!(parse_major("pg_restore (PostgreSQL) 9.6.24"), Some(9));
        assert_eq!(parse_major("pg_dump (PostgreSQL) 18beta1"), Some(18));
        assert_eq!(parse_major("nonsense"), None);
    }

    #[test]
    fn finds_the_installed_tools() {
        let tools = find(10).expect("PostgreSQL client programs are installed on test machines");
        assert!(tools.major >= 10);
        let too_new = find(99).unwrap_err();
        assert!(too_new.to_string().contains("PostgreSQL 99"), "{too_new}");
    }
}
