//! sqlx (launchbadge/sqlx `migrate`): `<version>_<description>.sql`, or reversible pairs
//! `<version>_<description>.up.sql` / `.down.sql`; the version is an integer.
//!
//! Transactions: sqlx runs each migration in a transaction unless its text starts with
//! `-- no-transaction` (sqlx-core `migrate/source.rs`: `no_tx = sql.starts_with("-- no-transaction")`).
//! Such a file is executed as one query string without arguments, which sqlx sends with the simple
//! query protocol: PostgreSQL runs a multi-statement file in one implicit transaction.

use std::path::Path;

use super::{Framework, Part, Prepared, Transaction, file_name};

pub struct Sqlx;

pub const NO_TRANSACTION: &str = "-- no-transaction";

/// `<digits>_<desc>.sql` -> (version, down?).
pub fn parse_name(name: &str) -> Option<(&str, bool)> {
    let (version, rest) = name.split_once('_')?;
    if version.is_empty() || !version.bytes().all(|c| c.is_ascii_digit()) || rest.len() < 4 {
        return None;
    }
    let lower = rest.to_ascii_lowercase();
    lower.ends_with(".sql").then_some(())?;
    Some((version, lower.ends_with(".down.sql")))
}

impl Framework for Sqlx {
    fn prepare(&self, path: &Path, text: &str) -> Prepared {
        let name = file_name(path);
        let (version, down) = parse_name(&name).unwrap_or((&name, false));
        let (transaction, reason) = if text.starts_with(NO_TRANSACTION) {
            (
                Transaction::OneQuery,
                "sqlx sends a -- no-transaction file as one query",
            )
        } else {
            (
                Transaction::Wrapped,
                "sqlx runs each migration in a transaction",
            )
        };
        Prepared {
            part: if down { Part::Down } else { Part::Up },
            transaction,
            version: version.to_owned(),
            lint_text: None,
            reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_no_transaction() {
        assert_eq!(parse_name("20240101_add.sql"), Some(("20240101", false)));
        assert_eq!(parse_name("2_add.down.sql"), Some(("2", true)));
        assert_eq!(parse_name("add.sql"), None);
        let p = Sqlx.prepare(
            Path::new("3_idx.sql"),
            "-- no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);",
        );
        assert_eq!(p.transaction, Transaction::OneQuery);
        assert_eq!(p.version, "3");
        assert_eq!(
            Sqlx.prepare(Path::new("3_idx.down.sql"), "").part,
            Part::Down
        );
    }
}
