//! `pgward.toml`: found by walking up from the working directory, or named
//! with `--config`. Unknown keys and unknown rule ids are errors that point at
//! the file and line, so a typo never silently turns a rule off.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::Deserialize;
use thiserror::Error;
use toml::Spanned;

use crate::cli::FailOn;
use crate::lint::diagnostic::Severity;
use crate::lint::layout::{Layout, Transaction};
use crate::lint::rules::RuleId;

pub const FILE_NAME: &str = "pgward.toml";

/// The configuration as written, with spans for error messages.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    pg_version: Option<Spanned<toml::Value>>,
    assume_in_transaction: Option<bool>,
    fail_on: Option<FailOn>,
    lock_timeout: Option<Spanned<toml::Value>>,
    #[serde(default)]
    rules: RawRules,
    #[serde(default)]
    migrations: RawMigrations,
    #[serde(default)]
    anonymize: RawAnonymize,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMigrations {
    layout: Option<Spanned<String>>,
    transaction: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnonymize {
    #[serde(default)]
    profiles: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    include: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Severity>,
}

/// The configuration, resolved: rule ids checked, version parsed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// Where it was read from; `None` when there was no file.
    pub path: Option<PathBuf>,
    pub pg_version: Option<u32>,
    pub assume_in_transaction: bool,
    pub fail_on: Option<FailOn>,
    /// `lock_timeout`: what `require-timeout-settings` recommends and `--fix` sets, as an SQL
    /// literal (`'500ms'`).
    pub lock_timeout: Option<String>,
    pub exclude: Vec<RuleId>,
    pub include: Vec<RuleId>,
    pub severity: Vec<(RuleId, Severity)>,
    /// `[migrations] layout`: the framework layout of every migration directory; `None` detects
    /// it per directory.
    pub layout: Option<Layout>,
    /// `[migrations] transaction`: how the runner runs every migration file, when it is set up
    /// differently from its default (golang-migrate with `x-multi-statement=true` sends statement
    /// by statement: `per-statement`); `None` takes it from the layout.
    pub transaction: Option<Transaction>,
    /// `[anonymize] profiles`: the sync's profiles, as written (relative to the config file);
    /// the `pii-column-not-in-profile` rule checks new columns against them.
    pub anonymize_profiles: Vec<String>,
}

#[derive(Debug, Error, Diagnostic)]
pub enum ConfigError {
    // The I/O error is in the message, not a `source`: miette would print it a second time.
    #[error("cannot read {path}: {error}")]
    #[diagnostic(
        code(pgward::config::unreadable),
        help(
            "Check that the file exists and is readable, or drop --config to use the pgward.toml found from the working directory."
        )
    )]
    Unreadable { path: String, error: std::io::Error },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(Box<InvalidConfig>),
}

/// A value in `pgward.toml` that is wrong, with its place in the file.
#[derive(Debug, Error, Diagnostic)]
#[error("{path}:{line}: {message}")]
#[diagnostic(code(pgward::config::invalid))]
pub struct InvalidConfig {
    path: String,
    line: usize,
    message: String,
    #[source_code]
    src: NamedSource<String>,
    #[label("{label}")]
    span: SourceSpan,
    label: String,
    #[help]
    help: Option<String>,
}

/// `"11"`, `"11.0"`, `"11.4"`, `11`, `11.4` and `"9.6"` -> the major version (11, 11, 11, 11, 11, 9).
pub fn parse_pg_version(text: &str) -> Option<u32> {
    let text = text.trim().trim_start_matches(['v', 'V']);
    let major = text.split('.').next()?;
    let major: u32 = major.parse().ok()?;
    (9..=40).contains(&major).then_some(major)
}

impl Config {
    /// Finds `pgward.toml` in `start` or its parents.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        start
            .ancestors()
            .map(|dir| dir.join(FILE_NAME))
            .find(|p| p.is_file())
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Unreadable {
            path: path.display().to_string(),
            error,
        })?;
        Config::parse(&path.display().to_string(), &text).map(|mut c| {
            c.path = Some(path.to_owned());
            c
        })
    }

    pub fn parse(path: &str, text: &str) -> Result<Config, ConfigError> {
        let invalid = |span: Range<usize>, message: String, label: &str, help: Option<String>| {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            ConfigError::Invalid(Box::new(InvalidConfig {
                path: path.to_owned(),
                line,
                message,
                src: NamedSource::new(path, text.to_owned()),
                span: span.into(),
                label: label.to_owned(),
                help,
            }))
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            invalid(
                span,
                e.message().trim().to_owned(),
                "here",
                Some(
                    "Valid keys: pg_version, assume_in_transaction, fail_on, lock_timeout, [rules] exclude, include, severity, [migrations] layout, transaction, [anonymize] profiles."
                        .to_owned(),
                ),
            )
        })?;

        let rule = |s: &Spanned<String>| {
            s.get_ref().parse::<RuleId>().map_err(|e| {
                invalid(
                    s.span(),
                    e.to_string(),
                    "unknown rule",
                    Some("`pgward rules` lists every rule id.".to_owned()),
                )
            })
        };
        let exclude = raw
            .rules
            .exclude
            .iter()
            .map(rule)
            .collect::<Result<_, _>>()?;
        let include = raw
            .rules
            .include
            .iter()
            .map(rule)
            .collect::<Result<_, _>>()?;
        let severity = raw
            .rules
            .severity
            .iter()
            .map(|(id, sev)| Ok((rule(id)?, *sev)))
            .collect::<Result<_, _>>()?;

        let pg_version = match &raw.pg_version {
            None => None,
            Some(v) => {
                let text = match v.get_ref() {
                    toml::Value::String(s) => s.clone(),
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::Float(f) => f.to_string(),
                    other => other.to_string(),
                };
                Some(parse_pg_version(&text).ok_or_else(|| {
                    invalid(
                        v.span(),
                        format!("`{text}` is not a PostgreSQL version"),
                        "expected a version like 15 or \"11.4\"",
                        None,
                    )
                })?)
            }
        };

        let lock_timeout = match &raw.lock_timeout {
            None => None,
            Some(v) => {
                let text = match v.get_ref() {
                    toml::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                Some(parse_lock_timeout(&text).ok_or_else(|| {
                    invalid(
                        v.span(),
                        format!("`{text}` is not a lock_timeout pgward can recommend"),
                        "expected a duration like \"2s\" or \"500ms\"",
                        Some(
                            "A positive number with an optional unit (us, ms, s, min, h, d; milliseconds without one), as PostgreSQL's lock_timeout takes it."
                                .to_owned(),
                        ),
                    )
                })?)
            }
        };

        let layout = match &raw.migrations.layout {
            None => None,
            Some(l) => Some(l.get_ref().parse::<Layout>().map_err(|e| {
                invalid(
                    l.span(),
                    e.to_string(),
                    "unknown layout",
                    Some("Leave `layout` out to detect the layout of each directory.".to_owned()),
                )
            })?),
        };

        let transaction = match &raw.migrations.transaction {
            None => None,
            Some(t) => Some(t.get_ref().parse::<Transaction>().map_err(|e| {
                invalid(
                    t.span(),
                    e.to_string(),
                    "unknown transaction mode",
                    Some(
                        "Leave `transaction` out to take each file's mode from its layout."
                            .to_owned(),
                    ),
                )
            })?),
        };

        Ok(Config {
            transaction,
            anonymize_profiles: raw.anonymize.profiles,
            path: None,
            layout,
            pg_version,
            assume_in_transaction: raw.assume_in_transaction.unwrap_or(false),
            fail_on: raw.fail_on,
            lock_timeout,
            exclude,
            include,
            severity,
        })
    }
}

/// A `lock_timeout` as `pgward.toml` writes it (`"2s"`, `"500 ms"`, `2000`), as the SQL literal
/// to set (`'2s'`); `None` when PostgreSQL would not take it or it is zero (which turns the
/// timeout off: the opposite of the advice).
pub fn parse_lock_timeout(text: &str) -> Option<String> {
    let text = text.trim();
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = text.split_at(digits);
    let unit = unit.trim_start();
    let known = ["", "us", "ms", "s", "min", "h", "d"].contains(&unit);
    let positive = number.bytes().any(|b| b != b'0');
    (known && positive).then(|| format!("'{number}{unit}'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_timeouts_are_positive_durations() {
        for (text, literal) in [
            ("2s", "'2s'"),
            (" 500 ms ", "'500ms'"),
            ("2000", "'2000'"),
            ("1min", "'1min'"),
        ] {
            assert_eq!(parse_lock_timeout(text).as_deref(), Some(literal), "{text}");
        }
        for bad in [
            "",
            "0",
            "0s",
            "2 seconds",
            "-1s",
            "1.5s",
            "2s'; DROP TABLE x; --",
            "ms",
        ] {
            assert_eq!(parse_lock_timeout(bad), None, "{bad}");
        }
    }

    #[test]
    fn lock_timeout_from_the_file() {
        let c = Config::parse("pgward.toml", "lock_timeout = \"500ms\"\n").unwrap();
        assert_eq!(c.lock_timeout.as_deref(), Some("'500ms'"));
        let c = Config::parse("pgward.toml", "lock_timeout = 1500\n").unwrap();
        assert_eq!(c.lock_timeout.as_deref(), Some("'1500'"));
        let err = Config::parse("pgward.toml", "lock_timeout = \"0\"\n").unwrap_err();
        assert!(err.to_string().contains("lock_timeout"), "{err}");
    }

    #[test]
    fn versions_normalise_to_the_major() {
        for (text, major) in [
            ("11", 11),
            ("11.0", 11),
            ("11.4", 11),
            ("9.6", 9),
            ("18", 18),
        ] {
            assert_eq!(parse_pg_version(text), Some(major), "{text}");
        }
        assert_eq!(parse_pg_version("eleven"), None);
        assert_eq!(parse_pg_version("3"), None);
    }

    #[test]
    fn reads_a_full_config() {
        let c = Config::parse(
            "pgward.toml",
            "pg_version = \"11.4\"\nassume_in_transaction = true\nfail_on = \"warning\"\n\
             [rules]\nexclude = [\"ban-drop-column\"]\ninclude = [\"prefer-robust-stmts\"]\n\
             severity = { renaming-table = \"warning\" }\n",
        )
        .unwrap();
        assert_eq!(c.pg_version, Some(11));
        assert!(c.assume_in_transaction);
        assert_eq!(c.fail_on, Some(FailOn::Warning));
        assert_eq!(c.exclude, vec![RuleId::BanDropColumn]);
        assert_eq!(c.include, vec![RuleId::PreferRobustStmts]);
        assert_eq!(c.severity, vec![(RuleId::RenamingTable, Severity::Warning)]);
    }

    #[test]
    fn migrations_transaction_is_read_and_checked() {
        let c = Config::parse(
            "pgward.toml",
            "[migrations]\ntransaction = \"per-statement\"\n",
        )
        .unwrap();
        assert_eq!(c.transaction, Some(Transaction::PerStatement));
        let err =
            Config::parse("pgward.toml", "[migrations]\ntransaction = \"always\"\n").unwrap_err();
        let text = format!("{:?}", miette::Report::new(err));
        assert!(text.contains("one-query"), "{text}");
    }

    #[test]
    fn migrations_layout_is_read_and_checked() {
        let c = Config::parse("pgward.toml", "[migrations]\nlayout = \"goose\"\n").unwrap();
        assert_eq!(c.layout, Some(Layout::Goose));
        assert_eq!(Config::parse("pgward.toml", "").unwrap().layout, None);
        let err = Config::parse("pgward.toml", "[migrations]\n\nlayout = \"rails\"\n").unwrap_err();
        assert!(err.to_string().starts_with("pgward.toml:3:"), "{err}");
        assert!(err.to_string().contains("golang-migrate"), "{err}");
    }

    #[test]
    fn unknown_keys_and_rules_name_the_line() {
        let err = Config::parse("pgward.toml", "pg_version = 15\npg_verison = 14\n").unwrap_err();
        assert!(err.to_string().starts_with("pgward.toml:2:"), "{err}");
        let err = Config::parse("pgward.toml", "[rules]\n\nexclude = [\"ban-drop-colum\"]\n")
            .unwrap_err();
        assert!(err.to_string().contains("pgward.toml:3:"), "{err}");
        assert!(err.to_string().contains("ban-drop-column"), "{err}");
    }
}
