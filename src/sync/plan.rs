//! The profile against the source's catalog: which tables are copied, which rows, and which
//! transformer masks which column. Everything that does not fit (a table or column the source
//! does not have, a transformer that does not fit a type) is a [`Refusal`]: the sync does not
//! start. Personal data the profile leaves uncovered is the detector's job
//! (`anonymize::detect` and `anonymize::coverage`, called by the pre-flight).

use std::sync::Arc;

use crate::anonymize::{ColumnRule, Profile, RowsPolicy, Salt, TableRules, Transformer};
use crate::pg::catalog::{Table, TableKind};

use super::masking::TableMasking;
use super::pipeline::TablePlan;

/// One reason not to run, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("{problem}")]
pub struct Refusal {
    pub problem: String,
    #[help]
    pub fix: String,
}

impl Refusal {
    pub fn new(problem: impl Into<String>, fix: impl Into<String>) -> Refusal {
        Refusal {
            problem: problem.into(),
            fix: fix.into(),
        }
    }
}

/// One table to copy.
pub struct TableJob {
    pub plan: TablePlan,
    /// `schema.name` as the catalog spells it.
    pub key: String,
    pub rows: RowsPolicy,
    pub masking: Arc<TableMasking>,
    pub est_rows: Option<u64>,
    pub bytes: u64,
}

/// What a sync will copy, largest table first (pgcopydb's order: the long copies start first).
#[derive(Default)]
pub struct Plan {
    pub tables: Vec<TableJob>,
}

impl Plan {
    /// Matches the profile against the source's tables. Returns the plan and every refusal found.
    pub fn build(tables: &[Table], profile: &Profile, salt: &Salt) -> (Plan, Vec<Refusal>) {
        let mut refusals = check_profile_names(tables, profile);
        let mut jobs = Vec::new();
        for table in tables {
            let rules = Rules::of(table, profile);
            // A partitioned parent holds no rows: its partitions are copied (with its rules).
            if table.kind == TableKind::Partitioned {
                continue;
            }
            let columns: Vec<String> = table
                .columns
                .iter()
                .filter(|c| !c.generated)
                .map(|c| c.name.clone())
                .collect();
            let mut masked = Vec::new();
            for (position, column) in columns.iter().enumerate() {
                let meta = table.column(column).expect("columns come from the table");
                let Some((rule, pattern)) = rules.column(profile, column) else {
                    continue;
                };
                if rule.transform == "keep" {
                    continue;
                }
                let transformer = match Transformer::build(rule, salt) {
                    Ok(t) => t,
                    Err(e) => {
                        refusals.push(Refusal::new(
                            format!("{}.{column}: {e}", table.key()),
                            "Fix the column's rule in the profile.",
                        ));
                        continue;
                    }
                };
                if let Err(why) = transformer.fits_type(&meta.type_name) {
                    let source = pattern
                        .map(|p| format!(" (the rule comes from the column-name pattern \"{p}\"; name the column in the profile to override it)"))
                        .unwrap_or_default();
                    refusals.push(Refusal::new(
                        format!(
                            "{}.{column} ({}): {why}{source}",
                            rules.owner, meta.type_name
                        ),
                        format!(
                            "Pick a transformer that fits {} (see `pgward sync --help` and the profile docs), or `keep` it if it is not personal.",
                            meta.type_name
                        ),
                    ));
                    continue;
                }
                for name in transformer.row_columns() {
                    if !columns.contains(&name) {
                        refusals.push(Refusal::new(
                            format!(
                                "{}.{column}: the template names column \"{name}\", which {} does not have (or which is generated)",
                                rules.owner, rules.owner
                            ),
                            "Name an existing, stored column in the template.",
                        ));
                    }
                }
                masked.push((position, Arc::new(transformer)));
            }
            let masking = Arc::new(TableMasking::new(&columns, masked));
            let mut plan = TablePlan::new(&table.schema, &table.name, columns);
            if let RowsPolicy::Where(filter) = &rules.rows {
                plan = plan.with_filter(filter.clone());
            }
            jobs.push(TableJob {
                plan,
                key: table.key(),
                rows: rules.rows.clone(),
                masking,
                est_rows: table.est_rows,
                bytes: table.bytes,
            });
        }
        jobs.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.key.cmp(&b.key)));
        (Plan { tables: jobs }, refusals)
    }
}

/// The rules that apply to one table: its own, then its partition root's, then the patterns.
struct Rules<'a> {
    own: Option<&'a TableRules>,
    root: Option<&'a TableRules>,
    /// The table the profile should name for this one: the partition root, or itself.
    owner: String,
    rows: RowsPolicy,
}

impl<'a> Rules<'a> {
    fn of(table: &Table, profile: &'a Profile) -> Rules<'a> {
        let own = profile.tables.get(&table.key());
        let (root, owner) = match &table.kind {
            TableKind::Partition { root } => {
                let key = format!("{}.{}", root.0, root.1);
                (profile.tables.get(&key), key)
            }
            _ => (None, table.key()),
        };
        let rows = match (own, root) {
            (Some(t), _) if t.rows != RowsPolicy::All => t.rows.clone(),
            (_, Some(r)) => r.rows.clone(),
            _ => RowsPolicy::All,
        };
        Rules {
            own,
            root,
            owner,
            rows,
        }
    }

    /// The column's rule, and the pattern it came from when no table names the column.
    fn column(
        &self,
        profile: &'a Profile,
        column: &str,
    ) -> Option<(&'a ColumnRule, Option<&'a str>)> {
        self.own
            .and_then(|t| t.columns.get(column))
            .or_else(|| self.root.and_then(|t| t.columns.get(column)))
            .map(|rule| (rule, None))
            .or_else(|| {
                profile
                    .patterns
                    .iter()
                    .find(|p| crate::anonymize::profile::glob_match(&p.pattern, column))
                    .map(|p| (&p.rule, Some(p.pattern.as_str())))
            })
    }
}

/// Tables and columns the profile names that the source does not have.
fn check_profile_names(tables: &[Table], profile: &Profile) -> Vec<Refusal> {
    let mut refusals = Vec::new();
    for (key, rules) in &profile.tables {
        if key == crate::anonymize::coverage::LARGE_OBJECTS_TABLE {
            continue;
        }
        let Some(table) = tables.iter().find(|t| t.key() == *key) else {
            let near = tables
                .iter()
                .find(|t| t.key().eq_ignore_ascii_case(key))
                .map(|t| format!(" The source has \"{}\": names are case-sensitive.", t.key()))
                .unwrap_or_default();
            refusals.push(Refusal::new(
                format!("the profile names table \"{key}\", which the source does not have"),
                format!(
                    "Fix or remove [tables.\"{key}\"] in the profile (write \"schema.table\" as the catalog spells it).{near}"
                ),
            ));
            continue;
        };
        for column in rules.columns.keys() {
            if table.column(column).is_none() {
                let near = table
                    .columns
                    .iter()
                    .find(|c| c.name.eq_ignore_ascii_case(column))
                    .map(|c| format!(" The table has \"{}\".", c.name))
                    .unwrap_or_default();
                refusals.push(Refusal::new(
                    format!("the profile names column \"{column}\" of {key}, which does not exist"),
                    format!(
                        "Fix or remove `columns.{}` under [tables.\"{key}\"].{near}",
                        crate::anonymize::profile::toml_key(column)
                    ),
                ));
            }
        }
    }
    refusals
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pg::catalog::Column;

    fn table(schema: &str, name: &str, kind: TableKind, columns: &[(&str, &str)]) -> Table {
        Table {
            schema: schema.into(),
            name: name.into(),
            kind,
            est_rows: Some(10),
            bytes: 100,
            columns: columns
                .iter()
                .map(|(n, t)| Column {
                    name: (*n).into(),
                    type_name: (*t).into(),
                    generated: n.ends_with("_generated"),
                })
                .collect(),
        }
    }

    fn plan(tables: &[Table], profile: &str) -> (Plan, Vec<Refusal>) {
        let profile = Profile::parse("test.toml", profile).unwrap();
        Plan::build(tables, &profile, &Salt::new("s"))
    }

    const HEADER: &str = "version = 1\n[salt]\nenv = \"X\"\n";

    #[test]
    fn refuses_unknown_tables_columns_and_unfit_types() {
        let tables = [table(
            "public",
            "user",
            TableKind::Plain,
            &[("id", "bigint"), ("email", "text"), ("age", "integer")],
        )];
        let (_, refusals) = plan(
            &tables,
            &format!(
                "{HEADER}[tables.\"public.User\"]\ncolumns.x = \"null\"\n[tables.\"public.user\"]\ncolumns.email = \"email\"\ncolumns.Email2 = \"email\"\ncolumns.age = \"ip\"\n"
            ),
        );
        let text: Vec<String> = refusals
            .iter()
            .map(|r| format!("{} / {}", r.problem, r.fix))
            .collect();
        assert_eq!(text.len(), 3, "{text:#?}");
        assert!(text[0].contains("\"public.User\"") && text[0].contains("case-sensitive"));
        assert!(text[1].contains("\"Email2\" of public.user"));
        assert!(text[2].contains("public.user.age (integer)"));
    }

    #[test]
    fn partitions_take_their_roots_rules() {
        let root = ("public".to_owned(), "events".to_owned());
        let tables = [
            table(
                "public",
                "events",
                TableKind::Partitioned,
                &[("id", "bigint"), ("ip", "inet"), ("email", "text")],
            ),
            table(
                "public",
                "events_2024",
                TableKind::Partition { root: root.clone() },
                &[("id", "bigint"), ("ip", "inet"), ("email", "text")],
            ),
            table(
                "public",
                "events_default",
                TableKind::Partition { root },
                &[("id", "bigint"), ("ip", "inet"), ("email", "text")],
            ),
        ];
        let (plan, refusals) = plan(
            &tables,
            &format!("{HEADER}[tables.\"public.events\"]\ncolumns.ip = \"ip\"\n"),
        );
        assert_eq!(plan.tables.len(), 2);
        for job in &plan.tables {
            assert_eq!(job.masking.masked_columns(), vec![("ip".to_owned(), "ip")]);
        }
        assert!(refusals.is_empty(), "{refusals:#?}");
    }

    #[test]
    fn generated_columns_are_not_copied_and_rows_policies_apply() {
        let tables = [
            table(
                "public",
                "a",
                TableKind::Plain,
                &[("email", "text"), ("email_generated", "text")],
            ),
            table("public", "log", TableKind::Plain, &[("ip", "inet")]),
        ];
        let (plan, refusals) = plan(
            &tables,
            &format!(
                "{HEADER}[patterns]\n\"*email*\" = \"email\"\n[tables.\"public.log\"]\nrows = \"none\"\n"
            ),
        );
        assert!(refusals.is_empty(), "{refusals:#?}");
        let a = plan.tables.iter().find(|t| t.key == "public.a").unwrap();
        assert_eq!(a.plan.columns, vec!["email".to_owned()]);
        let log = plan.tables.iter().find(|t| t.key == "public.log").unwrap();
        assert_eq!(log.rows, RowsPolicy::None);
    }
}
