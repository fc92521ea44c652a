//! The guards a run passes before anything is written. Each failed guard is a [`Refusal`] that
//! names the database, table or column and says what to do; the profile's own checks (tables,
//! columns, types, uncovered personal columns) are in [`super::plan`].

use tokio_postgres::Client;

use crate::anonymize::profile::glob_match;
use crate::anonymize::{Profile, RowsPolicy};
use crate::pg::catalog::{ForeignKey, ServerInfo, Table, TableKind};
use crate::pg::connect::describe_error;

use super::plan::{Plan, Refusal};

/// The variable (and `--safety-lock` value) that arms the sync.
pub const SAFETY_LOCK_VAR: &str = "STAGING_SAFETY_LOCK";
/// Written in `COMMENT ON DATABASE`, marks a database the sync must never write to.
pub const PRODUCTION_MARKER: &str = "pgward:production";
/// Target names refused when the profile sets no `protect` patterns.
pub const DEFAULT_PROTECT: &[&str] = &["*prod*"];

/// The sync runs only when armed: `STAGING_SAFETY_LOCK=enabled` or `--safety-lock enabled`.
pub fn safety_lock(value: Option<&str>) -> Option<Refusal> {
    match value {
        Some(v) if v.trim().eq_ignore_ascii_case("enabled") => None,
        other => Some(Refusal::new(
            match other {
                None => format!("{SAFETY_LOCK_VAR} is not set"),
                Some(v) => format!("{SAFETY_LOCK_VAR} is \"{v}\", not \"enabled\""),
            },
            format!(
                "Set {SAFETY_LOCK_VAR}=enabled (or pass --safety-lock enabled) in the job that runs the sync, and only there: it confirms that replacing the target database is intended."
            ),
        )),
    }
}

/// Source and target must be different databases: the same cluster (system identifier) and the
/// same name is the same database, whatever the URLs say (`localhost` vs `127.0.0.1`, a DNS
/// alias, a pooler in front).
pub fn same_database(
    source: &ServerInfo,
    target_server: &ServerInfo,
    target: &str,
    new: &str,
) -> Option<Refusal> {
    let same_cluster = match (&source.system_identifier, &target_server.system_identifier) {
        (Some(a), Some(b)) => a == b,
        // Without the identifiers (no privilege), be safe: same server version and name counts.
        _ => source.version_num == target_server.version_num,
    };
    if !same_cluster {
        return None;
    }
    if source.database == target || source.database == new {
        return Some(Refusal::new(
            format!(
                "the source and the target are the same database: \"{}\" on the cluster with system identifier {}",
                source.database,
                source
                    .system_identifier
                    .as_deref()
                    .unwrap_or("(unknown: no privilege to read it)")
            ),
            "Point --target at the staging database, which must differ from --source.",
        ));
    }
    None
}

/// The target must not look like production: by name (the profile's `protect` globs, default
/// `*prod*`) or by its database comment.
pub fn production_target(profile: &Profile, target: &str, comment: Option<&str>) -> Vec<Refusal> {
    let mut refusals = Vec::new();
    let patterns: Vec<&str> = if profile.protect.is_empty() {
        DEFAULT_PROTECT.to_vec()
    } else {
        profile.protect.iter().map(String::as_str).collect()
    };
    if let Some(p) = patterns.iter().find(|p| glob_match(p, target)) {
        refusals.push(Refusal::new(
            format!("the target database \"{target}\" matches the protect pattern \"{p}\": it looks like production"),
            if profile.protect.is_empty() {
                "Sync into a staging database, or, if the name only looks like production, set `protect = [...]` in the profile to patterns that match your production names but not this one.".to_owned()
            } else {
                "Sync into a staging database, or change the profile's `protect` patterns.".to_owned()
            },
        ));
    }
    if comment.is_some_and(|c| c.contains(PRODUCTION_MARKER)) {
        refusals.push(Refusal::new(
            format!("the target database \"{target}\" is marked production (its COMMENT ON DATABASE contains \"{PRODUCTION_MARKER}\")"),
            "Sync into a staging database. If this database really is staging, remove the marker from its comment.",
        ));
    }
    refusals
}

/// A table copied whole must not reference one the profile filters (`rows = "none"` or a
/// `where`): its rows would point at rows not copied, and post-data could not add the foreign key.
pub fn filtered_parents(
    plan: &Plan,
    tables: &[Table],
    foreign_keys: &[ForeignKey],
) -> Vec<Refusal> {
    // Partitions carry their root's policy; foreign keys name the root.
    let policy = |key: &str| -> Option<&RowsPolicy> {
        plan.tables
            .iter()
            .find(|j| j.key == key || root_of(tables, &j.key).as_deref() == Some(key))
            .map(|j| &j.rows)
    };
    let mut refusals = Vec::new();
    for fk in foreign_keys {
        let (Some(child), Some(parent)) = (policy(&fk.child), policy(&fk.parent)) else {
            continue;
        };
        if *child == RowsPolicy::All && *parent != RowsPolicy::All {
            let how = if *parent == RowsPolicy::None {
                "rows = \"none\""
            } else {
                "a rows.where condition"
            };
            refusals.push(Refusal::new(
                format!(
                    "{} references {} (foreign key {}), which the profile copies with {how}: its rows would point at rows that are not copied, and the foreign key could not be created",
                    fk.child, fk.parent, fk.name
                ),
                format!(
                    "Give [tables.\"{}\"] a matching `rows` policy too (e.g. rows = {{ where = \"... IN (SELECT ... FROM {})\" }}, or rows = \"none\"), or copy {} whole.",
                    fk.child, fk.parent, fk.parent
                ),
            ));
        }
    }
    refusals
}

fn root_of(tables: &[Table], key: &str) -> Option<String> {
    tables
        .iter()
        .find(|t| t.key() == key)
        .and_then(|t| match &t.kind {
            TableKind::Partition { root } => Some(format!("{}.{}", root.0, root.1)),
            _ => None,
        })
}

/// Every `rows = { where = ... }` condition must be valid SQL on its table: `EXPLAIN` it on the
/// source (nothing runs) in a read-only transaction that is rolled back.
pub async fn row_filters(source: &Client, plan: &Plan) -> Vec<Refusal> {
    let mut refusals = Vec::new();
    for job in &plan.tables {
        let RowsPolicy::Where(filter) = &job.rows else {
            continue;
        };
        let sql = format!(
            "EXPLAIN SELECT 1 FROM ONLY {} WHERE (\n{filter}\n)",
            job.plan.qualified_name()
        );
        let result = async {
            source.batch_execute("BEGIN READ ONLY").await?;
            let r = source.batch_execute(&sql).await;
            source.batch_execute("ROLLBACK").await?;
            r
        }
        .await;
        if let Err(e) = result {
            refusals.push(Refusal::new(
                format!(
                    "{}: the profile's rows.where condition does not work on the source: {}",
                    job.key,
                    describe_error(&e)
                ),
                "Fix `rows = { where = \"...\" }` for this table: it must be a SQL condition on the table's columns.",
            ));
        }
    }
    refusals
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(sysid: &str, db: &str) -> ServerInfo {
        ServerInfo {
            version_num: 150018,
            system_identifier: Some(sysid.into()),
            database: db.into(),
            encoding: "UTF8".into(),
            collate: "C".into(),
            ctype: "C".into(),
        }
    }

    #[test]
    fn a_table_copied_whole_may_not_reference_a_filtered_one() {
        use crate::anonymize::Salt;
        use crate::pg::catalog::Column;
        let table = |name: &str| Table {
            schema: "public".into(),
            name: name.into(),
            kind: TableKind::Plain,
            est_rows: None,
            bytes: 0,
            columns: vec![Column {
                name: "id".into(),
                type_name: "bigint".into(),
                generated: false,
            }],
        };
        let tables = [table("users"), table("orders"), table("audit")];
        let fk = |child: &str, parent: &str| ForeignKey {
            child: format!("public.{child}"),
            parent: format!("public.{parent}"),
            name: format!("{child}_{parent}_fk"),
        };
        let profile = Profile::parse(
            "p.toml",
            "version = 1\n[salt]\nenv = \"X\"\n[tables.\"public.users\"]\nrows = { where = \"id > 10\" }\n[tables.\"public.audit\"]\nrows = \"none\"\n",
        )
        .unwrap();
        let (plan, _) = Plan::build(&tables, &profile, &Salt::new("s"));
        let refusals = filtered_parents(
            &plan,
            &tables,
            &[
                fk("orders", "users"),
                fk("audit", "users"),
                fk("users", "users"),
            ],
        );
        assert_eq!(refusals.len(), 1, "{refusals:#?}");
        assert!(
            refusals[0]
                .problem
                .starts_with("public.orders references public.users")
        );
    }

    #[test]
    fn the_lock_must_say_enabled() {
        assert!(safety_lock(Some("enabled")).is_none());
        assert!(safety_lock(Some("ENABLED ")).is_none());
        assert!(safety_lock(None).unwrap().problem.contains("not set"));
        assert!(
            safety_lock(Some("yes"))
                .unwrap()
                .problem
                .contains("\"yes\"")
        );
    }

    #[test]
    fn same_cluster_and_name_is_the_same_database() {
        let src = info("7301", "app");
        assert!(same_database(&src, &info("7301", "postgres"), "app", "app__pgward_new").is_some());
        assert!(
            same_database(
                &src,
                &info("7301", "postgres"),
                "staging",
                "staging__pgward_new"
            )
            .is_none()
        );
        assert!(same_database(&src, &info("9999", "postgres"), "app", "app__pgward_new").is_none());
    }

    #[test]
    fn production_names_and_markers_are_refused() {
        let default = Profile::parse("p.toml", "version = 1\n[salt]\nenv = \"X\"\n").unwrap();
        assert_eq!(production_target(&default, "app_production", None).len(), 1);
        assert!(production_target(&default, "staging", None).is_empty());
        assert_eq!(
            production_target(&default, "staging", Some("owner: ops; pgward:production")).len(),
            1
        );
        let custom = Profile::parse(
            "p.toml",
            "version = 1\nprotect = [\"live_*\"]\n[salt]\nenv = \"X\"\n",
        )
        .unwrap();
        assert!(production_target(&custom, "product_staging", None).is_empty());
        assert_eq!(production_target(&custom, "live_app", None).len(), 1);
    }
}
