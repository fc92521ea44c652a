//! The rule registry: one line per rule.
//!
//! Each line names the rule's module (`src/lint/rules/<module>.rs`, holding
//! only the check), its unit struct and its id. The id is the contract users
//! write in configs and ignore comments; it also names the rule's doc
//! (`rules/<id>.toml`, compiled in) and its fixtures (`fixtures/lint/<id>/`).
//! A test checks that these four sets agree.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::Deserialize;

use super::context::Context;
use super::diagnostic::{Finding, Severity};
use super::statement::Statement;

pub use super::source::{DownFile, DownPart};

mod helpers;

/// What a rule does. Every method defaults to doing nothing, so a rule implements the one it needs.
pub trait Check: Sync {
    /// Inspects one statement, with the context as it stands before the statement runs.
    fn statement(&self, _stmt: &Statement, _ctx: &Context, _out: &mut Vec<Finding>) {}

    /// Runs once after the last statement of a file; `end` is the byte offset of the file's end.
    fn end_of_file(&self, _ctx: &Context, _end: usize, _out: &mut Vec<Finding>) {}

    /// Runs once per file, after `end_of_file`, with the whole up part (`up`, every statement the
    /// engine walked), the migration's down part, and `start`: the context as it stood before the
    /// first statement (schema history included). A rule that needs the context at a statement
    /// replays the file: `let mut ctx = start.clone();` then `ctx.apply(stmt)` after each one.
    /// Findings point into the up file.
    fn migration(
        &self,
        _up: &[Statement],
        _down: &DownPart,
        _start: &Context,
        _out: &mut Vec<Finding>,
    ) {
    }
}

macro_rules! rules {
    ($($module:ident :: $ty:ident => $id:literal,)*) => {
        $(mod $module;)*

        /// Every rule pgward has, in registry order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum RuleId {
            $($ty,)*
        }

        impl RuleId {
            pub const ALL: &'static [RuleId] = &[$(RuleId::$ty,)*];

            /// The rule's id, e.g. `require-concurrent-index-creation`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(RuleId::$ty => $id,)*
                }
            }

            /// The rule's TOML documentation, as compiled in.
            pub fn doc_source(self) -> &'static str {
                match self {
                    $(RuleId::$ty => include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", $id, ".toml")),)*
                }
            }

            /// The module name under `src/lint/rules/`.
            pub fn module(self) -> &'static str {
                match self {
                    $(RuleId::$ty => stringify!($module),)*
                }
            }

            pub fn checker(self) -> &'static dyn Check {
                match self {
                    $(RuleId::$ty => &$module::$ty,)*
                }
            }
        }
    };
}

rules! {
    // Locks and rewrites.
    require_concurrent_index_creation::RequireConcurrentIndexCreation => "require-concurrent-index-creation",
    require_concurrent_index_deletion::RequireConcurrentIndexDeletion => "require-concurrent-index-deletion",
    ban_concurrent_index_creation_in_transaction::BanConcurrentIndexCreationInTransaction => "ban-concurrent-index-creation-in-transaction",
    constraint_missing_not_valid::ConstraintMissingNotValid => "constraint-missing-not-valid",
    setting_not_null::SettingNotNull => "setting-not-null",
    adding_required_field::AddingRequiredField => "adding-required-field",
    adding_field_with_default::AddingFieldWithDefault => "adding-field-with-default",
    adding_serial_column::AddingSerialColumn => "adding-serial-column",
    changing_column_type::ChangingColumnType => "changing-column-type",
    disallowed_unique_constraint::DisallowedUniqueConstraint => "disallowed-unique-constraint",
    adding_primary_key_constraint::AddingPrimaryKeyConstraint => "adding-primary-key-constraint",
    adding_exclusion_constraint::AddingExclusionConstraint => "adding-exclusion-constraint",
    ban_table_rewrite::BanTableRewrite => "ban-table-rewrite",
    require_concurrent_reindex::RequireConcurrentReindex => "require-concurrent-reindex",
    require_concurrent_partition_detach::RequireConcurrentPartitionDetach => "require-concurrent-partition-detach",
    attach_partition_without_check::AttachPartitionWithoutCheck => "attach-partition-without-check",
    ban_lock_table::BanLockTable => "ban-lock-table",
    refresh_matview_non_concurrently::RefreshMatviewNonConcurrently => "refresh-matview-non-concurrently",
    ban_create_domain_with_constraint::BanCreateDomainWithConstraint => "ban-create-domain-with-constraint",
    ban_alter_domain_with_add_constraint::BanAlterDomainWithAddConstraint => "ban-alter-domain-with-add-constraint",
    require_timeout_settings::RequireTimeoutSettings => "require-timeout-settings",
    holding_access_exclusive_lock::HoldingAccessExclusiveLock => "holding-access-exclusive-lock",
    unbatched_backfill::UnbatchedBackfill => "unbatched-backfill",
    enum_add_value_in_transaction::EnumAddValueInTransaction => "enum-add-value-in-transaction",
    create_table_as::CreateTableAs => "create-table-as",
    transaction_nesting::TransactionNesting => "transaction-nesting",
    ban_uncommitted_transaction::BanUncommittedTransaction => "ban-uncommitted-transaction",
    // Breaking and irreversible changes.
    ban_drop_column::BanDropColumn => "ban-drop-column",
    ban_drop_table::BanDropTable => "ban-drop-table",
    ban_drop_database::BanDropDatabase => "ban-drop-database",
    ban_drop_schema::BanDropSchema => "ban-drop-schema",
    ban_truncate::BanTruncate => "ban-truncate",
    renaming_column::RenamingColumn => "renaming-column",
    renaming_table::RenamingTable => "renaming-table",
    ban_drop_object::BanDropObject => "ban-drop-object",
    renaming_object::RenamingObject => "renaming-object",
    ban_drop_not_null::BanDropNotNull => "ban-drop-not-null",
    // Reversibility (migrations with down parts).
    missing_down_migration::MissingDownMigration => "missing-down-migration",
    down_not_inverse::DownNotInverse => "down-not-inverse",
    irreversible_data_loss::IrreversibleDataLoss => "irreversible-data-loss",
    // Hygiene.
    prefer_text_field::PreferTextField => "prefer-text-field",
    ban_char_field::BanCharField => "ban-char-field",
    prefer_timestamptz::PreferTimestamptz => "prefer-timestamptz",
    prefer_bigint_over_int::PreferBigintOverInt => "prefer-bigint-over-int",
    prefer_bigint_over_smallint::PreferBigintOverSmallint => "prefer-bigint-over-smallint",
    prefer_identity::PreferIdentity => "prefer-identity",
    prefer_jsonb::PreferJsonb => "prefer-jsonb",
    identifier_too_long::IdentifierTooLong => "identifier-too-long",
    prefer_robust_stmts::PreferRobustStmts => "prefer-robust-stmts",
    pii_column_not_in_profile::PiiColumnNotInProfile => "pii-column-not-in-profile",
    unused_ignore::UnusedIgnore => "unused-ignore",
    syntax_error::SyntaxError => "syntax-error",
}

/// Ids other linters (squawk) use for the same rule, so users can keep their configs and ignore
/// comments.
pub const ALIASES: &[(&str, RuleId)] = &[
    ("adding-not-nullable-field", RuleId::SettingNotNull),
    (
        "adding-foreign-key-constraint",
        RuleId::ConstraintMissingNotValid,
    ),
    (
        "adding-serial-primary-key-field",
        RuleId::AddingPrimaryKeyConstraint,
    ),
    ("ban-truncate-cascade", RuleId::BanTruncate),
    ("prefer-big-int", RuleId::PreferBigintOverInt),
];

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRule(pub String);

impl fmt::Display for UnknownRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown rule `{}`", self.0)?;
        if let Some(near) = closest_rule(&self.0) {
            write!(f, " (did you mean `{near}`?)")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownRule {}

/// The nearest rule id by edit distance, for "did you mean" hints.
pub fn closest_rule(input: &str) -> Option<&'static str> {
    RuleId::ALL
        .iter()
        .map(|r| (edit_distance(input, r.as_str()), r.as_str()))
        .filter(|(d, _)| *d <= 4)
        .min()
        .map(|(_, id)| id)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

impl FromStr for RuleId {
    type Err = UnknownRule;

    fn from_str(s: &str) -> Result<RuleId, UnknownRule> {
        let s = s.trim();
        RuleId::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == s)
            .or_else(|| ALIASES.iter().find(|(a, _)| *a == s).map(|(_, r)| *r))
            .ok_or_else(|| UnknownRule(s.to_owned()))
    }
}

/// A rule's documentation and metadata, from `rules/<id>.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDoc {
    pub id: String,
    pub severity: Severity,
    /// One line: what the rule catches.
    pub summary: String,
    /// Why it is dangerous: the lock, what it blocks, rewrite or scan.
    pub why: String,
    /// What to write instead.
    pub instead: String,
    #[serde(default)]
    pub example: Vec<Example>,
    /// `[[example_down]]`: the i-th holds the down files of the i-th example; examples without
    /// one are linted with no down expected.
    #[serde(default)]
    pub example_down: Vec<ExampleDown>,
    /// PostgreSQL versions the rule applies to, e.g. `">= 9.6"`, `"< 12"`, `"all"`.
    pub applies_to: String,
    /// `none`, `safe` or `unsafe`.
    #[serde(default = "default_fix")]
    pub fix: String,
    #[serde(default)]
    pub fix_safety: Option<String>,
    /// Off unless listed in `[rules] include`.
    #[serde(default)]
    pub opt_in: bool,
    #[serde(default)]
    pub references: Vec<String>,
    /// What `tests/lock_model.rs` checks against a real server: the lock the bad example takes.
    #[serde(default)]
    pub lock: Option<LockClaim>,
    pub since: String,
}

fn default_fix() -> String {
    "none".to_owned()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// SQL that triggers exactly one diagnostic of this rule.
    pub bad: String,
    /// SQL that does the same job safely: no diagnostic of this rule.
    pub good: String,
    /// Lint the example as this PostgreSQL version.
    #[serde(default)]
    pub pg_version: Option<u32>,
    /// Lint the example as if the runner wrapped it in a transaction.
    #[serde(default)]
    pub assume_in_transaction: bool,
    /// Lint the example with this anonymization profile (TOML text) configured.
    #[serde(default)]
    pub profile: Option<String>,
}

/// The down files of the example at the same position (`[[example_down]]` after the
/// `[[example]]`s): the reversibility rules lint `bad` and `good` as up migrations with these
/// downs. (A table of its own rather than fields of [`Example`], which other code builds literally.)
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleDown {
    /// The down of `bad` (an empty string is an empty down file).
    pub bad: String,
    /// The down of `good`; `bad`'s when not given.
    #[serde(default)]
    pub good: Option<String>,
}

/// A lock the rule's first `bad` example takes on a real server (checked by `tests/lock_model.rs`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockClaim {
    /// The table the lock is on, as created by the lock-model fixture schema.
    pub table: String,
    /// `ACCESS EXCLUSIVE`, `SHARE`, ...
    pub mode: String,
    /// Whether the table's `relfilenode` changes.
    pub rewrites: bool,
    /// SQL run (committed) before the example, on top of `fixtures/lock_model/schema.sql`, when the
    /// example needs an object the shared schema does not have.
    #[serde(default)]
    pub setup: Option<String>,
}

impl RuleId {
    /// The parsed documentation. Every doc is checked by a unit test, so parsing cannot fail at
    /// run time for a released binary.
    pub fn doc(self) -> &'static RuleDoc {
        static DOCS: OnceLock<Vec<RuleDoc>> = OnceLock::new();
        let docs = DOCS.get_or_init(|| {
            RuleId::ALL
                .iter()
                .map(|r| {
                    toml::from_str(r.doc_source())
                        .unwrap_or_else(|e| panic!("rules/{}.toml is invalid: {e}", r.as_str()))
                })
                .collect()
        });
        &docs[self as usize]
    }

    pub fn default_severity(self) -> Severity {
        self.doc().severity
    }

    pub fn is_opt_in(self) -> bool {
        self.doc().opt_in
    }

    /// Where the rule's documentation is published.
    pub fn help_uri(self) -> String {
        format!(
            "https://github.com/pgward/pgward/blob/main/rules/{}.toml",
            self.as_str()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_doc_parses_and_matches_its_id() {
        for rule in RuleId::ALL {
            let doc: RuleDoc = toml::from_str(rule.doc_source())
                .unwrap_or_else(|e| panic!("rules/{}.toml: {e}", rule.as_str()));
            assert_eq!(doc.id, rule.as_str());
            assert!(!doc.summary.contains('\n'), "{rule}: summary is one line");
            assert!(
                matches!(doc.fix.as_str(), "none" | "safe" | "unsafe"),
                "{rule}: fix"
            );
        }
    }

    #[test]
    fn ids_round_trip_and_follow_the_pattern() {
        for rule in RuleId::ALL {
            assert_eq!(rule.as_str().parse::<RuleId>(), Ok(*rule));
            assert!(
                rule.as_str()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-'),
                "{rule}"
            );
            assert_eq!(rule.module().replace('_', "-"), rule.as_str());
        }
        for (alias, rule) in ALIASES {
            assert_eq!(alias.parse::<RuleId>(), Ok(*rule));
            assert!(RuleId::ALL.iter().all(|r| r.as_str() != *alias));
        }
    }

    #[test]
    fn unknown_rules_suggest_the_nearest() {
        let err = "require-concurent-index-creation"
            .parse::<RuleId>()
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("require-concurrent-index-creation")
        );
    }
}
