//! Pop (gobuffalo/pop's file migrator, and ory/x `popx` used by Ory Kratos, Hydra, Keto):
//! `<version>_<name>[.<dialect>][.autocommit].(up|down).sql`.
//!
//! Transactions: Pop runs every migration in a transaction of its own, together with the insert
//! into its `schema_migration` table (`Migrator.UpTo` -> `isolatedTransaction`); popx runs a file
//! named `*.autocommit.up.sql` without one (`RunnerNoTx`), sending the file as one query string.
//!
//! Dialects: a file with a dialect (`.postgres.`, `.mysql.`, `.sqlite3.`, `.cockroach.`) only
//! runs on that database; a file without one runs on every database unless a file of the same
//! version exists for the dialect (`Migrations.SortAndFilter`). pgward lints what PostgreSQL
//! runs: the other dialects' files, and the dialect-free files a `.postgres.` file overrides, are
//! skipped.

use std::path::Path;

use super::{Framework, Part, Prepared, Transaction, file_name};

pub struct Pop;

/// A Pop migration file name, parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PopName<'a> {
    pub version: &'a str,
    /// The dialect as written (`postgres`, `mysql`...), `None` for every dialect.
    pub dialect: Option<&'a str>,
    pub autocommit: bool,
    pub down: bool,
}

/// `<digits>_<name>[.<dialect>][.autocommit].(up|down).sql`; the name holds no dot.
pub fn parse_name(name: &str) -> Option<PopName<'_>> {
    let (version, rest) = name.split_once('_')?;
    if version.is_empty() || !version.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut parts: Vec<&str> = rest.split('.').collect();
    if parts.len() < 3 || !parts.pop()?.eq_ignore_ascii_case("sql") {
        return None;
    }
    let down = match parts.pop()? {
        "up" => false,
        "down" => true,
        _ => return None,
    };
    let autocommit = parts.len() > 1 && parts.last() == Some(&"autocommit");
    if autocommit {
        parts.pop();
    }
    let dialect = match parts.len() {
        1 => None,
        2 => Some(parts[1]).filter(|d| is_dialect(d)),
        _ => return None,
    };
    if parts.len() == 2 && dialect.is_none() {
        return None;
    }
    Some(PopName {
        version,
        dialect,
        autocommit,
        down,
    })
}

/// Whether the file name carries something only Pop writes: a dialect or the autocommit flag.
pub fn is_pop_only_name(name: &str) -> bool {
    parse_name(name).is_some_and(|n| n.dialect.is_some() || n.autocommit)
}

/// The dialect names Pop knows (`pop.CanonicalDialect`).
fn is_dialect(d: &str) -> bool {
    canonical(d).is_some()
}

fn canonical(d: &str) -> Option<&'static str> {
    match d {
        "postgres" | "postgresql" | "pg" => Some("postgres"),
        "cockroach" | "cockroachdb" | "crdb" => Some("cockroach"),
        "mysql" | "mariadb" => Some("mysql"),
        "sqlite" | "sqlite3" => Some("sqlite3"),
        _ => None,
    }
}

/// A dialect-free file is overridden when the directory holds a PostgreSQL file of its version
/// and direction.
fn overridden_by_postgres_file(path: &Path, version: &str, down: bool) -> bool {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let name = e.file_name();
        let name = name.to_string_lossy();
        parse_name(&name).is_some_and(|n| {
            n.version == version
                && n.down == down
                && n.dialect.and_then(canonical) == Some("postgres")
        })
    })
}

impl Framework for Pop {
    fn prepare(&self, path: &Path, _text: &str) -> Prepared {
        let name = file_name(path);
        let Some(parsed) = parse_name(&name) else {
            return Prepared {
                part: Part::Skipped,
                transaction: Transaction::Wrapped,
                version: name.clone(),
                lint_text: None,
                reason: "not a Pop migration name: Pop does not run it",
            };
        };
        let version = parsed.version.to_owned();
        let postgres = match parsed.dialect {
            Some(d) => canonical(d) == Some("postgres"),
            None => !overridden_by_postgres_file(path, parsed.version, parsed.down),
        };
        if !postgres {
            let reason = if parsed.dialect.is_some() {
                "Pop runs this file on another database only"
            } else {
                "Pop runs the .postgres. file of this version instead"
            };
            return Prepared {
                part: Part::Skipped,
                transaction: Transaction::Wrapped,
                version,
                lint_text: None,
                reason,
            };
        }
        let part = if parsed.down { Part::Down } else { Part::Up };
        if parsed.autocommit {
            Prepared {
                part,
                transaction: Transaction::OneQuery,
                version,
                lint_text: None,
                reason: "popx sends an .autocommit. file as one query, without a transaction",
            }
        } else {
            Prepared {
                part,
                transaction: Transaction::Wrapped,
                version,
                lint_text: None,
                reason: "Pop runs each migration in a transaction",
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let n = parse_name("20210311102338000015_form_refactoring.postgres.up.sql").unwrap();
        assert_eq!(
            n,
            PopName {
                version: "20210311102338000015",
                dialect: Some("postgres"),
                autocommit: false,
                down: false
            }
        );
        let n = parse_name("20241029153900000001_identities.autocommit.up.sql").unwrap();
        assert!(n.autocommit && n.dialect.is_none() && !n.down);
        let n = parse_name("1_x.postgres.autocommit.down.sql").unwrap();
        assert!(n.autocommit && n.dialect == Some("postgres") && n.down);
        assert_eq!(parse_name("1_x.up.sql").unwrap().dialect, None);
        assert!(parse_name("1_x.oracle.up.sql").is_none());
        assert!(parse_name("1_x.sql").is_none());
        assert!(parse_name("x_1.up.sql").is_none());
        assert!(is_pop_only_name("1_x.mysql.down.sql"));
        assert!(!is_pop_only_name("1_x.down.sql"));
    }

    #[test]
    fn other_dialects_are_skipped_and_autocommit_is_one_query() {
        let p = Pop.prepare(Path::new("/nonexistent/1_x.mysql.up.sql"), "");
        assert_eq!(p.part, Part::Skipped);
        let p = Pop.prepare(Path::new("/nonexistent/1_x.postgres.autocommit.up.sql"), "");
        assert_eq!((p.part, p.transaction), (Part::Up, Transaction::OneQuery));
        let p = Pop.prepare(Path::new("/nonexistent/1_x.up.sql"), "");
        assert_eq!((p.part, p.transaction), (Part::Up, Transaction::Wrapped));
    }
}
