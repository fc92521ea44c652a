//! Flyway: `V<version>__<description>.sql` versioned migrations (the version's parts separated by
//! `.` or `_`, compared as numbers), `U<version>__<description>.sql` undo migrations (down: not
//! linted), `R__<description>.sql` repeatable migrations (run after the versioned ones, whenever
//! they change: linted). Files that match none of these are not run by Flyway; pgward lints them
//! as plain SQL rather than hide them.
//!
//! - `${name}` placeholders are replaced before the SQL runs: here by an identifier of the same
//!   length (`${schema}` -> `__schema_`), so the SQL parses and every position stays put.
//! - Transactions: on PostgreSQL Flyway runs each migration in a transaction, except when its
//!   parser finds a statement that cannot run in one (`CREATE INDEX CONCURRENTLY` and the like:
//!   `PostgreSQLParser.detectCanExecuteInTransaction`, flyway/flyway#3854); then the migration
//!   runs statement by statement without a transaction (with `mixed = true`; without it Flyway
//!   refuses the mix). A script configuration file `<script>.sql.conf` with
//!   `executeInTransaction=false|true` overrides the detection.

use std::path::Path;

use super::{Framework, Masked, Part, Prepared, Transaction, file_name};
use crate::lint::split;

pub struct Flyway;

/// `V1_2__desc.sql` -> (part, version).
pub fn parse_name(name: &str) -> Option<(Part, &str)> {
    let stem = name.get(..name.len().checked_sub(4)?)?;
    if !name[stem.len()..].eq_ignore_ascii_case(".sql") {
        return None;
    }
    let (head, _desc) = stem.split_once("__")?;
    let prefix = head.get(..1)?;
    let version = &head[1..];
    match prefix {
        "R" if version.is_empty() => Some((Part::Repeatable, "")),
        "V" | "U"
            if !version.is_empty()
                && version
                    .bytes()
                    .all(|c| c.is_ascii_digit() || c == b'.' || c == b'_') =>
        {
            Some((if prefix == "V" { Part::Up } else { Part::Down }, version))
        }
        _ => None,
    }
}

/// `executeInTransaction` from `<script>.conf` beside the script.
fn execute_in_transaction(path: &Path) -> Option<bool> {
    let mut conf = path.as_os_str().to_owned();
    conf.push(".conf");
    let text = std::fs::read_to_string(conf).ok()?;
    text.lines().find_map(|line| {
        let (key, value) = line.split_once('=')?;
        (key.trim() == "executeInTransaction").then(|| value.trim().eq_ignore_ascii_case("true"))
    })
}

/// A statement Flyway's PostgreSQL parser runs outside a transaction.
fn non_transactional(sql: &str) -> bool {
    let words: Vec<String> = sql
        .split(|c: char| c.is_whitespace() || c == '(')
        .filter(|w| !w.is_empty())
        .take(6)
        .map(str::to_ascii_uppercase)
        .collect();
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    match w.as_slice() {
        ["CREATE", "INDEX", "CONCURRENTLY", ..]
        | ["CREATE", "UNIQUE", "INDEX", "CONCURRENTLY", ..]
        | ["DROP", "INDEX", "CONCURRENTLY", ..]
        | ["VACUUM", ..]
        | ["ALTER", "SYSTEM", ..]
        | ["CREATE" | "DROP", "DATABASE" | "TABLESPACE", ..] => true,
        ["REINDEX", ..] => w.contains(&"CONCURRENTLY"),
        _ => false,
    }
}

impl Framework for Flyway {
    fn prepare(&self, path: &Path, text: &str) -> Prepared {
        let name = file_name(path);
        let (part, version) = match parse_name(&name) {
            Some((Part::Repeatable, _)) => (Part::Repeatable, format!("~{name}")),
            Some((part, v)) => (part, v.replace('_', ".")),
            None => (Part::Up, format!("~~{name}")),
        };
        let mut masked = Masked::new(text);
        masked.neutralise_placeholders(0..text.len());
        let lint_text = masked.finish();
        let sql = lint_text.as_deref().unwrap_or(text);
        let (transaction, reason) = match execute_in_transaction(path) {
            Some(true) => (
                Transaction::Wrapped,
                "executeInTransaction=true in the script's .conf",
            ),
            Some(false) => (
                Transaction::PerStatement,
                "executeInTransaction=false in the script's .conf",
            ),
            None => {
                let statements = split::split(sql).statements;
                if statements
                    .iter()
                    .any(|r| non_transactional(&sql[r.clone()]))
                {
                    (
                        Transaction::PerStatement,
                        "Flyway runs a migration with a non-transactional statement without a transaction",
                    )
                } else {
                    (
                        Transaction::Wrapped,
                        "Flyway runs each migration in a transaction",
                    )
                }
            }
        };
        Prepared {
            part,
            transaction,
            version,
            lint_text,
            reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(parse_name("V1__init.sql"), Some((Part::Up, "1")));
        assert_eq!(parse_name("V1_2__x.sql"), Some((Part::Up, "1_2")));
        assert_eq!(parse_name("V2.10__x.SQL"), Some((Part::Up, "2.10")));
        assert_eq!(parse_name("U2__x.sql"), Some((Part::Down, "2")));
        assert_eq!(parse_name("R__views.sql"), Some((Part::Repeatable, "")));
        assert_eq!(parse_name("Vx__a.sql"), None);
        assert_eq!(parse_name("notes.sql"), None);
        assert_eq!(parse_name("é1__x.sql"), None);
        assert_eq!(parse_name("__x.sql"), None);
    }

    #[test]
    fn concurrently_turns_the_transaction_off() {
        let p = Flyway.prepare(
            Path::new("V3__idx.sql"),
            "CREATE INDEX CONCURRENTLY i ON ${schema}.t (a);",
        );
        assert_eq!(p.transaction, Transaction::PerStatement);
        assert_eq!(
            p.lint_text.as_deref(),
            Some("CREATE INDEX CONCURRENTLY i ON __schema_.t (a);")
        );
        let p = Flyway.prepare(Path::new("V4__t.sql"), "ALTER TABLE t ADD c int;");
        assert_eq!(p.transaction, Transaction::Wrapped);
        assert_eq!(p.version, "4");
    }
}
