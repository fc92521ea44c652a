//! dbmate (amacneil/dbmate): one file per migration, `<version>_<name>.sql`, with
//! `-- migrate:up` and `-- migrate:down` sections.
//!
//! - Only the up section is linted; the down section is blanked.
//! - Transactions: dbmate runs each migration in a transaction ("Migrations are run atomically
//!   inside a transaction", its README) unless the marker says `-- migrate:up transaction:false`.
//!   Then it sends the section as one query string (lib/pq `Exec`), so PostgreSQL still runs a
//!   multi-statement section in one implicit transaction: amacneil/dbmate#285 is exactly that,
//!   `CREATE INDEX CONCURRENTLY` under `transaction:false` failing with "cannot run inside a
//!   transaction block".

use std::path::Path;

use super::{Framework, Masked, Part, Prepared, Transaction, file_name, lines};

pub struct Dbmate;

/// `-- migrate:up` / `-- migrate:down` and the options after it.
fn marker(line: &str) -> Option<(bool, &str)> {
    let rest = line.strip_prefix("--")?.trim_start();
    if let Some(opts) = rest.strip_prefix("migrate:up") {
        return Some((true, opts));
    }
    rest.strip_prefix("migrate:down").map(|opts| (false, opts))
}

pub fn has_up_marker(text: &str) -> bool {
    lines(text).any(|(_, l)| matches!(marker(l), Some((true, _))))
}

/// Whether the file has a `-- migrate:down` section (empty or not).
pub fn has_down_marker(text: &str) -> bool {
    lines(text).any(|(_, l)| matches!(marker(l), Some((false, _))))
}

/// The down section as `dbmate rollback` runs it: the file's text with everything before the
/// `-- migrate:down` line blanked (same length, line breaks kept). `None` without that line.
pub fn down_text(text: &str) -> Option<String> {
    let mut masked = Masked::new(text);
    let mut in_down = false;
    for (range, line) in lines(text) {
        if !in_down {
            in_down = matches!(marker(line), Some((false, _)));
            masked.blank(range);
        }
    }
    if !in_down {
        return None;
    }
    Some(masked.finish().unwrap_or_else(|| text.to_owned()))
}

impl Framework for Dbmate {
    fn prepare(&self, path: &Path, text: &str) -> Prepared {
        let mut masked = Masked::new(text);
        let mut in_down = false;
        let mut transaction = Transaction::Wrapped;
        for (range, line) in lines(text) {
            match marker(line) {
                Some((true, opts))
                    if !in_down
                        && opts
                            .split_whitespace()
                            .any(|o| o.eq_ignore_ascii_case("transaction:false")) =>
                {
                    transaction = Transaction::OneQuery;
                }
                Some((false, _)) => in_down = true,
                _ => {}
            }
            if in_down {
                masked.blank(range);
            }
        }
        let name = file_name(path);
        let version = name
            .split('_')
            .next()
            .filter(|v| !v.is_empty() && v.bytes().all(|c| c.is_ascii_digit()))
            .unwrap_or(&name)
            .to_owned();
        Prepared {
            part: Part::Up,
            transaction,
            version,
            lint_text: masked.finish(),
            reason: if transaction == Transaction::Wrapped {
                "dbmate runs each migration in a transaction"
            } else {
                "dbmate sends a transaction:false section as one query"
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn up_section_only_and_transaction_false() {
        let text = "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);\n\n-- migrate:down\nDROP INDEX i;\n";
        let p = Dbmate.prepare(Path::new("20240101_x.sql"), text);
        assert_eq!(p.transaction, Transaction::OneQuery);
        let lint = p.lint_text.unwrap();
        assert_eq!(lint.len(), text.len());
        assert!(!lint.contains("DROP") && !lint.contains("migrate:down"));
        assert!(lint.contains("CREATE INDEX CONCURRENTLY i ON t (a);"));
        let plain = Dbmate.prepare(Path::new("1_x.sql"), "-- migrate:up\nSELECT 1;\n");
        assert_eq!(plain.transaction, Transaction::Wrapped);
        assert!(plain.lint_text.is_none());
    }

    #[test]
    fn down_text_keeps_only_the_down_section() {
        let text = "-- migrate:up\nCREATE INDEX i ON t (a);\n-- migrate:down\nDROP INDEX i;\n";
        let down = down_text(text).unwrap();
        assert_eq!(down.len(), text.len());
        assert!(!down.contains("CREATE") && down.ends_with("DROP INDEX i;\n"));
        assert!(has_down_marker(text));
        assert_eq!(down_text("-- migrate:up\nSELECT 1;\n"), None);
    }
}
