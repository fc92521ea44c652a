//! Coverage: the detector's findings against a profile. What `pgward profile check` prints and
//! what the sync's pre-flight refuses on.
//!
//! A finding is **covered** when:
//! - its table (or, for a partition, its partitioned root) names the column with any rule,
//!   `keep` included, or a `[patterns]` glob matches the column name, or the table has
//!   `rows = "none"`;
//! - for a JSON path: the column's rule is a `json` rule listing the path (`$.a[*].b`; a listed
//!   prefix such as `$.a` covers everything under it, `[*]` covers any key or element, `[0]` only
//!   that element; a nested `json` rule at a prefix is followed), or any other rule on the whole
//!   column (`null`, `constant`, `scrub`, `keep`...);
//! - for recomputed derived data: a generated column is covered while every personal input it is
//!   computed from is masked (a rule other than `keep`, or `rows = "none"`), or when the profile
//!   names the generated column itself (acknowledging it); a materialized view while every
//!   personal input has some rule;
//! - large objects no column references: `large_objects = "drop"` or `"keep"` at the top of the
//!   profile (or the older form `[tables."pg_catalog.pg_largeobject"] rows = "none"`, read as
//!   `drop`).
//!
//! **Stale** entries are tables and columns the profile names that the database does not have.

use crate::anonymize::detect::{Finding, Signal};
use crate::anonymize::profile::glob_match;
use crate::anonymize::transform::json::{Segment, parse_path};
use crate::anonymize::{ColumnRule, Profile, RowsPolicy};
use crate::pg::catalog::{Table, TableKind};

/// The table a profile names to cover large objects no column references.
pub const LARGE_OBJECTS_TABLE: &str = "pg_catalog.pg_largeobject";

/// A finding the profile does not cover.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Uncovered {
    pub finding: Finding,
    /// Why it is not covered: `no rule names public.users.email`.
    pub why: String,
    /// What to write: `[tables."public.users"] columns.email = "email"`.
    pub fix: String,
}

/// A profile entry for something the database does not have.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Stale {
    /// `schema.table` as the profile writes it.
    pub table: String,
    /// The column, for a stale column entry.
    pub column: Option<String>,
    pub message: String,
}

/// The result of [`check`].
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Coverage {
    pub uncovered: Vec<Uncovered>,
    pub stale: Vec<Stale>,
}

impl Coverage {
    pub fn is_complete(&self) -> bool {
        self.uncovered.is_empty()
    }
}

/// How the profile treats one column.
enum Treatment<'a> {
    /// `rows = "none"` on the table or its root.
    NoRows,
    Rule(&'a ColumnRule),
    None,
}

/// The rule for a column of a table (by key), its partition root's, or a pattern's.
fn treatment<'a>(
    profile: &'a Profile,
    tables: &[Table],
    table: &str,
    column: &str,
) -> Treatment<'a> {
    let root = tables
        .iter()
        .find(|t| t.key() == table)
        .and_then(|t| match &t.kind {
            TableKind::Partition { root } => Some(format!("{}.{}", root.0, root.1)),
            _ => None,
        });
    let own = profile.tables.get(table);
    let root = root.as_ref().and_then(|r| profile.tables.get(r));
    if own.is_some_and(|t| t.rows == RowsPolicy::None)
        || root.is_some_and(|t| t.rows == RowsPolicy::None)
    {
        return Treatment::NoRows;
    }
    own.and_then(|t| t.columns.get(column))
        .or_else(|| root.and_then(|t| t.columns.get(column)))
        .or_else(|| {
            profile
                .patterns
                .iter()
                .find(|p| glob_match(&p.pattern, column))
                .map(|p| &p.rule)
        })
        .map_or(Treatment::None, Treatment::Rule)
}

/// Findings × profile: what is not covered, and what the profile names that does not exist.
pub fn check(findings: &[Finding], tables: &[Table], profile: &Profile) -> Coverage {
    let mut coverage = Coverage::default();
    for f in findings {
        if let Some((why, fix)) = uncovered(f, findings, tables, profile) {
            coverage.uncovered.push(Uncovered {
                finding: f.clone(),
                why,
                fix,
            });
        }
    }
    let large_objects = findings.iter().any(|f| f.table == LARGE_OBJECTS_TABLE);
    for (key, rules) in &profile.tables {
        if key == LARGE_OBJECTS_TABLE && large_objects {
            continue;
        }
        let Some(table) = tables.iter().find(|t| t.key() == *key) else {
            let near = tables
                .iter()
                .find(|t| t.key().eq_ignore_ascii_case(key))
                .map(|t| {
                    format!(
                        " The database has \"{}\": names are case-sensitive.",
                        t.key()
                    )
                })
                .unwrap_or_default();
            coverage.stale.push(Stale {
                table: key.clone(),
                column: None,
                message: format!(
                    "the profile names table \"{key}\", which the database does not have.{near}"
                ),
            });
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
                coverage.stale.push(Stale {
                    table: key.clone(),
                    column: Some(column.clone()),
                    message: format!(
                        "the profile names column \"{column}\" of {key}, which does not exist.{near}"
                    ),
                });
            }
        }
    }
    coverage
}

fn add_line(f: &Finding, all: &[Finding]) -> String {
    let same: Vec<&Finding> = all
        .iter()
        .filter(|g| g.table == f.table && g.column == f.column && g.needs_rule())
        .collect();
    format!(
        "[tables.{}] {} = {}",
        super::scaffold::toml_string(&f.table),
        super::scaffold::column_key(&f.column),
        super::scaffold::column_rule(&f.type_name, &same)
    )
}

/// `Some((why, fix))` when the finding is not covered.
fn uncovered(
    f: &Finding,
    all: &[Finding],
    tables: &[Table],
    profile: &Profile,
) -> Option<(String, String)> {
    if f.table == LARGE_OBJECTS_TABLE {
        let ok = profile.large_objects().is_some()
            || profile
                .tables
                .get(LARGE_OBJECTS_TABLE)
                .is_some_and(|t| t.columns.contains_key(&f.column));
        return (!ok).then(|| {
            (
                "the profile does not say what to do with the database's large objects".to_owned(),
                "large_objects = \"drop\" (top level of the profile; or \"keep\" to copy them unmasked)"
                    .to_owned(),
            )
        });
    }
    if let Signal::Derived {
        from,
        recomputed: true,
    } = &f.signal
    {
        let generated = f.column != "*";
        if generated
            && matches!(
                treatment(profile, tables, &f.table, &f.column),
                Treatment::Rule(_) | Treatment::NoRows
            )
        {
            return None;
        }
        for src in from {
            match treatment(profile, tables, &src.table, &src.column) {
                Treatment::NoRows => {}
                Treatment::None => {
                    return Some((
                        format!(
                            "computed from {}.{}, which the profile does not cover",
                            src.table, src.column
                        ),
                        format!(
                            "Cover {}.{} (it is reported on its own too).",
                            src.table, src.column
                        ),
                    ));
                }
                Treatment::Rule(r) if r.transform == "keep" && generated => {
                    return Some((
                        format!(
                            "generated from {}.{}, which the profile keeps unmasked: the target recomputes it from the original value",
                            src.table, src.column
                        ),
                        format!(
                            "Mask {}.{}, or name the generated column: [tables.{}] {} = {{ transform = \"keep\", reason = \"...\" }}",
                            src.table,
                            src.column,
                            super::scaffold::toml_string(&f.table),
                            super::scaffold::column_key(&f.column)
                        ),
                    ));
                }
                Treatment::Rule(_) => {}
            }
        }
        return None;
    }
    let rule = match treatment(profile, tables, &f.table, &f.column) {
        Treatment::NoRows => return None,
        Treatment::None => {
            return Some((
                format!("no rule names {}.{}", f.table, f.column),
                add_line(f, all),
            ));
        }
        Treatment::Rule(rule) => rule,
    };
    let path = f.path.as_deref()?;
    if rule.transform != "json" {
        return None; // a rule on the whole column
    }
    let Ok(target) = parse_path(path) else {
        return None; // the detector writes paths this parser reads
    };
    if json_rule_covers(rule, &target) {
        return None;
    }
    Some((
        format!(
            "the json rule on {}.{} does not list {path}",
            f.table, f.column
        ),
        format!(
            "Add \"{path}\" = {} to the `paths` of the json rule on {}.{}",
            super::scaffold::path_rule(f),
            f.table,
            f.column
        ),
    ))
}

/// Whether a rule path segment reaches what a finding path segment names.
fn segment_covers(rule: &Segment, found: &Segment) -> bool {
    match (rule, found) {
        (Segment::All, _) => true,
        (Segment::Key(a), Segment::Key(b)) => a == b,
        (Segment::Index(a), Segment::Index(b)) => a == b,
        _ => false,
    }
}

/// Whether a `json` rule's paths (followed into nested `json` rules) cover a path.
fn json_rule_covers(rule: &ColumnRule, target: &[Segment]) -> bool {
    let Some(paths) = rule.options.get("paths").and_then(|p| p.as_table()) else {
        return false;
    };
    paths.iter().any(|(p, sub)| {
        let Ok(segments) = parse_path(p) else {
            return false;
        };
        if segments.len() > target.len()
            || !segments
                .iter()
                .zip(target)
                .all(|(r, f)| segment_covers(r, f))
        {
            return false;
        }
        let rest = &target[segments.len()..];
        if rest.is_empty() {
            return true;
        }
        match ColumnRule::from_value(sub) {
            Ok(nested) if nested.transform == "json" => json_rule_covers(&nested, rest),
            Ok(_) => true, // a rule on the whole sub-document
            Err(_) => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anonymize::detect::PiiKind;
    use crate::pg::catalog::Column;

    fn finding(table: &str, column: &str, path: Option<&str>) -> Finding {
        Finding {
            table: table.into(),
            column: column.into(),
            path: path.map(Into::into),
            kind: PiiKind::Email,
            signal: Signal::Name,
            reason: "test".into(),
            suggested: "email",
            type_name: if path.is_some() { "jsonb" } else { "text" }.into(),
        }
    }

    fn tables() -> Vec<Table> {
        let t = |name: &str, kind: TableKind, cols: &[&str]| Table {
            schema: "public".into(),
            name: name.into(),
            kind,
            est_rows: None,
            bytes: 0,
            columns: cols
                .iter()
                .map(|c| Column {
                    name: (*c).into(),
                    type_name: "text".into(),
                    generated: false,
                })
                .collect(),
        };
        vec![
            t("users", TableKind::Plain, &["email", "payload", "phone"]),
            t("events", TableKind::Partitioned, &["ip"]),
            t(
                "events_1",
                TableKind::Partition {
                    root: ("public".into(), "events".into()),
                },
                &["ip"],
            ),
            t("log", TableKind::Plain, &["ip"]),
        ]
    }

    fn profile(body: &str) -> Profile {
        Profile::parse(
            "p.toml",
            &format!("version = 1\n[salt]\nenv = \"S\"\n{body}"),
        )
        .unwrap()
    }

    #[test]
    fn columns_patterns_roots_and_schema_only_tables_cover() {
        let findings = [
            finding("public.users", "email", None),
            finding("public.users", "phone", None),
            finding("public.events_1", "ip", None),
            finding("public.log", "ip", None),
        ];
        let p = profile(
            "[patterns]\n\"*phone*\" = \"phone\"\n[tables.\"public.users\"]\ncolumns.email = \"keep\"\n[tables.\"public.events\"]\ncolumns.ip = \"ip\"\n[tables.\"public.log\"]\nrows = \"none\"\n",
        );
        let c = check(&findings, &tables(), &p);
        assert!(c.uncovered.is_empty(), "{:#?}", c.uncovered);
        assert!(c.stale.is_empty());
        let c = check(&findings, &tables(), &profile(""));
        assert_eq!(c.uncovered.len(), 4);
        assert_eq!(c.uncovered[0].why, "no rule names public.users.email");
        assert_eq!(
            c.uncovered[0].fix,
            "[tables.\"public.users\"] columns.email = \"email\""
        );
    }

    #[test]
    fn json_paths_need_their_path_or_a_whole_column_rule() {
        let findings = [
            finding("public.users", "payload", Some("$.customer.email")),
            finding("public.users", "payload", Some("$.items[*].to")),
            finding("public.users", "payload", Some("$[\"a b\"].c")),
        ];
        let check_with = |rule: &str| {
            check(
                &findings,
                &tables(),
                &profile(&format!(
                    "[tables.\"public.users\"]\ncolumns.payload = {rule}\n"
                )),
            )
            .uncovered
            .iter()
            .map(|u| u.finding.path.clone().unwrap())
            .collect::<Vec<_>>()
        };
        assert!(check_with("\"null\"").is_empty());
        assert!(check_with("\"scrub\"").is_empty());
        assert_eq!(
            check_with("{ transform = \"json\", paths = { \"$.customer.email\" = \"email\" } }"),
            ["$.items[*].to", "$[\"a b\"].c"]
        );
        assert!(
            check_with(
                "{ transform = \"json\", paths = { \"$.customer\" = \"null\", \"$.items[*].to\" = \"email\", \"$.*.c\" = \"email\" } }"
            )
            .is_empty()
        );
        assert_eq!(
            check_with(
                "{ transform = \"json\", paths = { \"$.items[0].to\" = \"email\", \"$.customer\" = { transform = \"json\", paths = { \"$.email\" = \"email\" } }, \"$[\\\"a b\\\"]\" = \"null\" } }"
            ),
            ["$.items[*].to"]
        );
        let c = check(
            &findings[..1],
            &tables(),
            &profile(
                "[tables.\"public.users\"]\ncolumns.payload = { transform = \"json\", paths = { \"$.x\" = \"null\" } }\n",
            ),
        );
        assert_eq!(
            c.uncovered[0].why,
            "the json rule on public.users.payload does not list $.customer.email"
        );
    }

    #[test]
    fn generated_columns_need_masked_inputs() {
        let mut g = finding("public.users", "phone", None);
        g.signal = Signal::Derived {
            from: vec![crate::anonymize::detect::Source {
                table: "public.users".into(),
                column: "email".into(),
            }],
            recomputed: true,
        };
        let findings = [g];
        let t = tables();
        let masked = profile("[tables.\"public.users\"]\ncolumns.email = \"email\"\n");
        assert!(check(&findings, &t, &masked).uncovered.is_empty());
        let kept = profile("[tables.\"public.users\"]\ncolumns.email = \"keep\"\n");
        let c = check(&findings, &t, &kept);
        assert_eq!(c.uncovered.len(), 1);
        assert!(
            c.uncovered[0].why.contains("keeps unmasked"),
            "{}",
            c.uncovered[0].why
        );
        let acknowledged = profile(
            "[tables.\"public.users\"]\ncolumns.email = \"keep\"\ncolumns.phone = \"keep\"\n",
        );
        assert!(check(&findings, &t, &acknowledged).uncovered.is_empty());
    }

    #[test]
    fn stale_entries() {
        let p = profile(
            "[tables.\"public.Users\"]\ncolumns.x = \"null\"\n[tables.\"public.users\"]\ncolumns.Email = \"email\"\n",
        );
        let c = check(&[], &tables(), &p);
        let got: Vec<&str> = c.stale.iter().map(|s| s.message.as_str()).collect();
        assert_eq!(
            got,
            [
                "the profile names table \"public.Users\", which the database does not have. The database has \"public.users\": names are case-sensitive.",
                "the profile names column \"Email\" of public.users, which does not exist. The table has \"email\".",
            ]
        );
    }
}
