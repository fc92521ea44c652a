//! goose (pressly/goose): one file per migration, `<version>_<name>.sql`, with
//! `-- +goose Up` and `-- +goose Down` sections.
//!
//! - Annotations are `--` comments at the start of a line, case-insensitive
//!   (https://pressly.github.io/goose/documentation/annotations): `Up`, `Down`, `StatementBegin`,
//!   `StatementEnd`, `NO TRANSACTION`, `ENVSUB ON`/`OFF`.
//! - Only the Up section is linted; the Down section is blanked.
//! - Statements end at a `;` at the end of a line; a `StatementBegin` ... `StatementEnd` block is
//!   sent as one statement, whatever its `;`s, so its last statement needs no `;`. The `StatementEnd`
//!   line therefore ends a statement here too (the corpus' hatchet `20250519145912_v1_0_21.sql`
//!   leaves the `;` out before `StatementEnd`, which goose and PostgreSQL accept).
//! - Transactions: goose runs each migration in a transaction unless the file says
//!   `-- +goose NO TRANSACTION`, then it sends each statement (or block) on its own
//!   (goose's template: "may be added to the top of the file to run statements outside a
//!   transaction"; maintainer's advice in pressly/goose#292 for `CREATE INDEX CONCURRENTLY`).
//! - `ENVSUB ON` regions substitute `${VAR}`: the references become same-length identifiers.

use std::path::Path;

use super::{Framework, Masked, Part, Prepared, Transaction, file_name, lines};

pub struct Goose;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Annotation {
    Up,
    Down,
    StatementBegin,
    StatementEnd,
    NoTransaction,
    EnvsubOn,
    EnvsubOff,
}

/// `-- +goose <command>` at the very start of a line (goose refuses leading whitespace).
fn annotation(line: &str) -> Option<Annotation> {
    let rest = line.strip_prefix("--")?.trim_start();
    // Byte-wise: the line may hold any UTF-8 after `--`.
    if !rest
        .as_bytes()
        .get(..6)
        .is_some_and(|w| w.eq_ignore_ascii_case(b"+goose"))
    {
        return None;
    }
    let rest = &rest[6..];
    let command: String = rest
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    Some(match command.as_str() {
        "up" => Annotation::Up,
        "down" => Annotation::Down,
        "statementbegin" => Annotation::StatementBegin,
        "statementend" => Annotation::StatementEnd,
        "no transaction" => Annotation::NoTransaction,
        "envsub on" => Annotation::EnvsubOn,
        "envsub off" => Annotation::EnvsubOff,
        _ => return None,
    })
}

pub fn has_up_annotation(text: &str) -> bool {
    lines(text).any(|(_, l)| annotation(l) == Some(Annotation::Up))
}

/// Whether the file has a `-- +goose Down` section (empty or not).
pub fn has_down_annotation(text: &str) -> bool {
    lines(text).any(|(_, l)| annotation(l) == Some(Annotation::Down))
}

/// The Down section as goose runs it on `goose down`: the file's text with everything but the
/// section blanked (same length, line breaks kept, `StatementEnd` lines ending statements,
/// `ENVSUB ON` variables neutralised). `None` when the file has no `-- +goose Down` line.
pub fn down_text(text: &str) -> Option<String> {
    let mut masked = Masked::new(text);
    let mut in_down = false;
    let mut envsub = false;
    for (range, line) in lines(text) {
        let found = annotation(line);
        match found {
            Some(Annotation::EnvsubOn) => envsub = true,
            Some(Annotation::EnvsubOff) => envsub = false,
            _ => {}
        }
        if !in_down {
            in_down = found == Some(Annotation::Down);
            masked.blank(range);
        } else if found == Some(Annotation::StatementEnd) {
            masked.terminate(range);
        } else if envsub {
            masked.neutralise_placeholders(range);
        }
    }
    if !in_down {
        return None;
    }
    Some(masked.finish().unwrap_or_else(|| text.to_owned()))
}

impl Framework for Goose {
    fn prepare(&self, path: &Path, text: &str) -> Prepared {
        let mut masked = Masked::new(text);
        let mut no_transaction = false;
        let mut in_down = false;
        let mut envsub_from: Option<usize> = None;
        for (range, line) in lines(text) {
            let found = annotation(line);
            if found == Some(Annotation::NoTransaction) {
                no_transaction = true;
            }
            if found == Some(Annotation::Down) && !in_down {
                in_down = true;
                if let Some(from) = envsub_from.take() {
                    masked.neutralise_placeholders(from..range.start);
                }
            }
            if in_down {
                masked.blank(range);
                continue;
            }
            match found {
                Some(Annotation::StatementEnd) => masked.terminate(range),
                Some(Annotation::EnvsubOn) => envsub_from = Some(range.end),
                Some(Annotation::EnvsubOff) => {
                    if let Some(from) = envsub_from.take() {
                        masked.neutralise_placeholders(from..range.start);
                    }
                }
                _ => {}
            }
        }
        if let Some(from) = envsub_from {
            masked.neutralise_placeholders(from..text.len());
        }
        let name = file_name(path);
        let version = name
            .split('_')
            .next()
            .filter(|v| !v.is_empty() && v.bytes().all(|c| c.is_ascii_digit()))
            .unwrap_or(&name)
            .to_owned();
        let (transaction, reason) = if no_transaction {
            (
                Transaction::PerStatement,
                "goose runs a -- +goose NO TRANSACTION file statement by statement",
            )
        } else {
            (
                Transaction::Wrapped,
                "goose runs each migration in a transaction",
            )
        };
        Prepared {
            part: Part::Up,
            transaction,
            version,
            lint_text: masked.finish(),
            reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prep(text: &str) -> Prepared {
        Goose.prepare(Path::new("20240101000000_x.sql"), text)
    }

    #[test]
    fn down_section_is_blanked_and_positions_kept() {
        let text = "-- +goose Up\nCREATE INDEX i ON t (a);\n\n-- +goose Down\nDROP INDEX i;\n";
        let p = prep(text);
        let lint = p.lint_text.unwrap();
        assert_eq!(lint.len(), text.len());
        assert!(lint.starts_with("-- +goose Up\nCREATE INDEX i ON t (a);\n\n"));
        assert!(!lint.contains("DROP"));
        assert_eq!(lint.lines().count(), text.lines().count());
        assert_eq!(p.transaction, Transaction::Wrapped);
        assert_eq!(p.version, "20240101000000");
    }

    #[test]
    fn statement_end_ends_a_statement() {
        let text = "-- +goose Up\n-- +goose StatementBegin\nCREATE TYPE e AS ENUM ('a');\nALTER TABLE t ADD c e\n-- +goose StatementEnd\n-- +goose Down\nALTER TABLE t DROP c\n";
        let lint = prep(text).lint_text.unwrap();
        let split = crate::lint::split::split(&lint);
        let stmts: Vec<&str> = split.statements.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(
            stmts,
            ["CREATE TYPE e AS ENUM ('a')", "ALTER TABLE t ADD c e"]
        );
    }

    #[test]
    fn annotations_are_case_insensitive_and_no_transaction_is_seen() {
        let p =
            prep("-- +goose NO TRANSACTION\n-- +GOOSE up\nCREATE INDEX CONCURRENTLY i ON t (a);\n");
        assert_eq!(p.transaction, Transaction::PerStatement);
        assert!(p.lint_text.is_none(), "nothing to blank");
        assert_eq!(
            annotation("  -- +goose Up"),
            None,
            "leading spaces are not annotations"
        );
    }

    #[test]
    fn down_text_keeps_only_the_down_section() {
        let text = "-- +goose Up\nCREATE INDEX i ON t (a);\n\n-- +goose Down\n-- +goose StatementBegin\nDROP INDEX i\n-- +goose StatementEnd\n";
        let down = down_text(text).unwrap();
        assert_eq!(down.len(), text.len());
        assert!(!down.contains("CREATE"), "{down}");
        let split = crate::lint::split::split(&down);
        let stmts: Vec<&str> = split.statements.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(stmts, ["DROP INDEX i"]);
        assert!(has_down_annotation(text));
        assert_eq!(down_text("-- +goose Up\nSELECT 1;\n"), None);
        assert!(!has_down_annotation("-- +goose Up\nSELECT 1;\n"));
    }

    #[test]
    fn envsub_regions_neutralise_variables() {
        let text = "-- +goose Up\n-- +goose ENVSUB ON\nCREATE SCHEMA ${SCHEMA};\n-- +goose ENVSUB OFF\nSELECT '${KEEP}';\n";
        let lint = prep(text).lint_text.unwrap();
        assert!(lint.contains("CREATE SCHEMA __SCHEMA_;"), "{lint}");
        assert!(lint.contains("'${KEEP}'"), "{lint}");
    }
}
