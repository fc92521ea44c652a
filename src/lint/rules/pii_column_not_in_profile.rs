//! `pii-column-not-in-profile`: a migration adds a personal-looking column (`CREATE TABLE`, `ADD
//! COLUMN`, `RENAME COLUMN` to such a name) that the anonymization profiles configured in
//! `pgward.toml` (`[anonymize] profiles`) do not cover.
//!
//! The column nobody listed is how staging leaks PII: catching it in the pull request that adds
//! it puts the profile change next to the migration. The staging sync refuses to run until the
//! profile covers it, so this also keeps the weekly refresh from failing. Quiet without profiles.

use crate::anonymize::Profile;
use crate::anonymize::RowsPolicy;
use crate::anonymize::detect::column_looks_personal;
use crate::anonymize::profile::glob_match;
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::{ColumnDef, Name, Op, TableAction};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

use super::helpers;

pub struct PiiColumnNotInProfile;

impl Check for PiiColumnNotInProfile {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        let profiles = &ctx.profiles.0;
        let Some((first_path, _)) = profiles.first() else {
            return;
        };
        let words = helpers::words(stmt);
        for op in &stmt.ops {
            let (table, columns): (&Name, Vec<(&str, &str)>) = match op {
                Op::CreateTable { table, columns, .. } => {
                    (table, columns.iter().filter_map(stored).collect())
                }
                Op::AlterTable {
                    table,
                    action: TableAction::AddColumn { column, .. },
                    ..
                } => (table, stored(column).into_iter().collect()),
                Op::AlterTable {
                    table,
                    action: TableAction::RenameColumn { to, .. },
                    ..
                } => (table, vec![(to.as_str(), "")]),
                _ => continue,
            };
            let key = format!(
                "{}.{}",
                table.schema.as_deref().unwrap_or("public"),
                table.name
            );
            for (column, ty) in columns {
                let Some(why) = column_looks_personal(column, ty) else {
                    continue;
                };
                if profiles.iter().any(|(_, p)| covers(p, &key, column)) {
                    continue;
                }
                let span = helpers::find_words(&words, &[column])
                    .unwrap_or_else(|| stmt.span.clone());
                out.push(Finding::new(
                    span,
                    format!(
                        "Column {} looks personal ({why}) and {first_path} does not cover it: the next staging sync refuses to run until it does",
                        helpers::column_ref(table, column)
                    ),
                    format!(
                        "Add `columns.{} = \"{}\"` under [tables.\"{key}\"] in {first_path} (or `{{ transform = \"keep\", reason = \"...\" }}` if it is not personal)",
                        crate::anonymize::profile::toml_key(column),
                        crate::anonymize::profile::suggested_transformer(why)
                    ),
                ));
            }
        }
    }
}

/// A stored column with its type name as `format_type` would spell a boolean (the detector
/// ignores booleans); generated columns are computed from others, so they are covered.
fn stored(c: &ColumnDef) -> Option<(&str, &str)> {
    if matches!(c.generated, Some(crate::lint::ops::Generated::Stored)) {
        return None;
    }
    let ty = match &c.ty {
        Some(t) if t.is("boolean") || t.is("bool") => "boolean",
        _ => "",
    };
    Some((c.name.as_str(), ty))
}

fn covers(profile: &Profile, key: &str, column: &str) -> bool {
    profile
        .tables
        .get(key)
        .is_some_and(|t| t.rows == RowsPolicy::None || t.columns.contains_key(column))
        || profile
            .patterns
            .iter()
            .any(|p| glob_match(&p.pattern, column))
}

#[cfg(test)]
mod tests {
    use crate::lint::context::FileSettings;
    use crate::lint::rules::RuleId;
    use crate::lint::{LintSettings, RuleSettings, SourceFile, lint_file};

    #[test]
    fn quiet_without_configured_profiles() {
        let settings = LintSettings {
            file: FileSettings::default(),
            rules: RuleSettings::only(RuleId::PiiColumnNotInProfile),
        };
        let report = lint_file(
            SourceFile {
                path: "m.sql".into(),
                text: "CREATE TABLE people (ssn text, phone text, email text);".into(),
            },
            &settings,
        );
        assert!(report.diagnostics.is_empty());
    }
}
