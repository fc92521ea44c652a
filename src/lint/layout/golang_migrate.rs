//! golang-migrate (golang-migrate/migrate): `<version>_<title>.up.sql` and `.down.sql`; the version
//! is an unsigned integer.
//!
//! Transactions: the postgres driver opens no transaction around a migration ("A transaction is
//! used by the driver only when setting the applied schema version number", maintainer in
//! golang-migrate/migrate#137); it sends the whole file as one query string. PostgreSQL runs a
//! multi-statement query in one implicit transaction, which is why several
//! `CREATE INDEX CONCURRENTLY` in one file fail while one alone works (golang-migrate/migrate#284).
//! (With `x-multi-statement=true` the driver splits the file and sends statement by statement;
//! pgward assumes the default.)

use std::path::Path;

use super::{Framework, Part, Prepared, Transaction, file_name};

pub struct GolangMigrate;

/// `<digits>_<title>.up.<ext>` / `.down.<ext>` -> (version, down?).
pub fn parse_name(name: &str) -> Option<(&str, bool)> {
    let (version, rest) = name.split_once('_')?;
    if version.is_empty() || !version.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let lower = rest.to_ascii_lowercase();
    if lower.ends_with(".up.sql") {
        Some((version, false))
    } else if lower.ends_with(".down.sql") {
        Some((version, true))
    } else {
        None
    }
}

impl Framework for GolangMigrate {
    fn prepare(&self, path: &Path, _text: &str) -> Prepared {
        let name = file_name(path);
        let (version, down) = parse_name(&name).unwrap_or((&name, false));
        Prepared {
            part: if down { Part::Down } else { Part::Up },
            transaction: Transaction::OneQuery,
            version: version.to_owned(),
            lint_text: None,
            reason: "golang-migrate sends the file as one query, without a transaction of its own",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            parse_name("0010_1.9.0_schema.up.sql"),
            Some(("0010", false))
        );
        assert_eq!(parse_name("1_x.down.sql"), Some(("1", true)));
        assert_eq!(parse_name("1_x.sql"), None);
        let p = GolangMigrate.prepare(Path::new("7_x.down.sql"), "");
        assert_eq!((p.part, p.transaction), (Part::Down, Transaction::OneQuery));
    }
}
