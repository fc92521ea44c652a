//! `pgward sync --dump PATH`: the sync with a pg_dump archive as its source (custom format, to a
//! file or through a pipe; directory format; plain SQL, gzipped or not). No source connection and
//! no pg_restore: the archive is read natively ([`crate::archive`]), so the installed
//! PostgreSQL's version does not matter.
//!
//! The stages are the live sync's, with the archive in place of the source:
//! 1. **preflight**: the same guards on the tables and columns of the archive's DDL
//!    ([`crate::archive::schema`]), the live sync's PII detector on those names and on the first
//!    rows of each table's data, plus what only an archive can hold: large objects (refused
//!    unless the profile sets `large_objects = "drop"` or `"keep"`; `keep` is refused for a plain
//!    dump), table data as INSERT statements (refused: they cannot be masked), and a
//!    dump of a database with the target's name (refused: without a source connection pgward
//!    cannot tell the target from the database the dump came from). `rows = { where = ... }`
//!    conditions run on the new database after the table's masked rows are in (a condition on a
//!    masked column is refused). A table copied whole that references one the profile filters
//!    (`rows = "none"` or a `where`) is refused, as by the live sync: its foreign key (the
//!    archive's `FK CONSTRAINT` entries, a plain dump's `ADD CONSTRAINT ... FOREIGN KEY`) could
//!    not be created. `--keep-owners` (custom and directory archives) restores each object's
//!    owner (pg_restore's `ALTER ... OWNER TO`, from the TOC) and the grants (`ACL` and
//!    `DEFAULT ACL` entries); refused when the target server lacks one of the owners' roles or
//!    a role the grants name (grantees, `FOR ROLE`, a grantor pg_dump switches to).
//! 2. **pre-data**: the TOC's pre-data entries' SQL in archive order, on one session set up as
//!    pg_restore sets its own. Left out: owners and grants, publications, subscriptions,
//!    PostgreSQL 18 `STATISTICS DATA` (most-common values are real data), database-level
//!    entries (owners and grants are kept with `--keep-owners`). A failing entry stops the run and names the entry.
//! 3. **data**: each `TABLE DATA` entry's COPY text through the live sync's pipeline
//!    ([`super::pipeline::Pipeline::copy_rows`]) with the same masking plan, so a table comes out
//!    exactly as a live sync of the same data with the same salt would make it. Archives with
//!    random access (directory, custom written to a file) are read `--jobs` tables at a time;
//!    a custom archive written through a pipe and a plain dump are read once, in order, the
//!    transform still parallel. Then, with `large_objects = "keep"`, the `BLOBS` entries' large
//!    objects (their `lo_create` entries ran with pre-data), and the `SEQUENCE SET` entries.
//! 4. **post-data**: indexes, constraints, triggers and rules, on the same `--jobs` sessions as
//!    the data and alongside them, as pg_restore's parallel restore does: one scheduler runs
//!    the tables' data (largest first) and each post-data entry once what it depends on is
//!    done, where an entry that depends on a table waits for that table's data (an index, a
//!    constraint, a trigger once its table is loaded; a foreign key once both tables and the
//!    referenced key are). Two entries on one table, or two foreign keys, never run at once.
//!    A plain dump's statements carry no dependencies: they start once all data are in. Then
//!    the materialized view refreshes and event triggers, in order. In the run report the two
//!    stages overlap: "data" runs from its start to the last table's end (plus large objects
//!    and sequences), "post-data" from its first entry's start to its last entry's end (plus
//!    the refreshes), so they can add up to more than the time they took together.
//! 5. verify (row counts: rows read from the archive = rows in the new database), after-sql and
//!    the swap: the live sync's own functions.

use std::collections::{HashMap, HashSet};
use std::io::{self, Read};
use std::path::Path;
use std::sync::{Condvar, Mutex};
use std::time::{Instant, SystemTime};

use bytes::Bytes;
use tokio_postgres::{CancelToken, Client, NoTls};

use crate::anonymize::coverage::LARGE_OBJECTS_TABLE;
use crate::anonymize::{LargeObjects, Profile, RowsPolicy, Salt};
use crate::archive::schema::{self, SchemaBuilder, tables_from_toc};
use crate::archive::{Archive, ArchiveError, DataLocation, Format, PlainItem, Section, TocEntry};
use crate::pg::catalog::{ForeignKey, ServerInfo, Table};
use crate::pg::connect::{Endpoint, quote_literal};

use super::pipeline::{Pipeline, PipelineEvent, TableStats};
use super::plan::{Plan, Refusal, TableJob};
use super::report::{self, Progress, RunReport};
use super::swap::{self, Admin, NEW_SUFFIX};
use super::{Stages, SyncError, SyncOptions, TARGET_SESSION, db_error, interrupt, preflight};

/// What every session on the new database runs first: pg_restore's preamble (`pg_restore -f -`
/// prints it) plus the sync's own target settings. The encoding and `standard_conforming_strings`
/// come from the archive.
fn session_preamble(encoding: &str, std_strings: bool) -> String {
    format!(
        "{TARGET_SESSION}; SET idle_in_transaction_session_timeout = 0; \
         SET client_encoding = {}; SET standard_conforming_strings = {}; \
         SELECT pg_catalog.set_config('search_path', '', false); \
         SET check_function_bodies = false; SET xmloption = content; \
         SET client_min_messages = warning; SET row_security = off",
        quote_literal(encoding),
        if std_strings { "on" } else { "off" }
    )
}

/// The DDL of the dump, in the order it runs, and the tables it defines.
struct Script {
    tables: Vec<Table>,
    pre: Vec<Step>,
    /// Data-section statements other than table data: `SEQUENCE SET`.
    sequences: Vec<Step>,
    post: Vec<Step>,
    /// Materialized view refreshes and event triggers, after the rest of post-data, in order.
    refresh: Vec<Step>,
    encoding: String,
    std_strings: bool,
    /// The dump's large objects, if it has any: what they are, for messages.
    large_objects: Option<String>,
    /// Large objects kept (`large_objects = "keep"`): their `lo_create` entries and comments,
    /// run after pre-data.
    lo_steps: Vec<Step>,
    /// ... and their `BLOBS` data entries, loaded after the tables' data.
    lo_data: Vec<i32>,
    /// Table data written as INSERT statements (`pg_dump --inserts`): a table that has them.
    inserts: Option<String>,
    /// The foreign keys post-data adds (`FK CONSTRAINT` entries, a plain dump's statements).
    foreign_keys: Vec<ForeignKey>,
    /// With `--keep-owners`: the roles the restored grants name, each with the first entry
    /// naming it (`TOC entry 230 (ACL public.t)`).
    grant_roles: Vec<(String, String)>,
}

/// One SQL step: an archive's TOC entry, or a plain dump's statement.
#[derive(Debug, Clone)]
struct Step {
    id: i32,
    /// How errors name it: `TOC entry 220 (TABLE public.user)`, `line 40 of dump.sql`.
    name: String,
    sql: String,
    /// Ids of the steps that must be done first (post-data only).
    deps: Vec<i32>,
    /// Tables it touches: two steps sharing one never run at once.
    locks: Vec<i32>,
}

/// The lock every foreign key step takes (dump ids are positive).
const FK_LOCK: i32 = -1;

/// Entries pgward never restores, and why.
fn skipped(entry: &TocEntry) -> bool {
    let tag_is = |prefix: &str| entry.tag.starts_with(prefix);
    match entry.desc.as_str() {
        // Set by the session preamble.
        "ENCODING" | "STDSTRINGS" | "SEARCHPATH" => true,
        // Without --create, pg_restore leaves the database's own properties alone too.
        "DATABASE" | "DATABASE PROPERTIES" => true,
        // Owners are never in `defn`; grants are left out like the live sync's `--no-acl`.
        "ACL" | "DEFAULT ACL" => true,
        // A staging copy must not replicate from or to production.
        "PUBLICATION"
        | "PUBLICATION TABLE"
        | "PUBLICATION TABLES IN SCHEMA"
        | "SUBSCRIPTION"
        | "SUBSCRIPTION TABLE" => true,
        // PostgreSQL 18 statistics: most-common values are real column values.
        "STATISTICS DATA" => true,
        // An extension's comment is the one its script sets; only its owner may change it.
        "COMMENT" | "SECURITY LABEL" => {
            tag_is("DATABASE ")
                || tag_is("PUBLICATION ")
                || tag_is("SUBSCRIPTION ")
                || tag_is("EXTENSION ")
        }
        _ => false,
    }
}

fn is_large_object(entry: &TocEntry) -> bool {
    matches!(entry.desc.as_str(), "BLOB" | "BLOBS" | "BLOB METADATA")
        || (matches!(entry.desc.as_str(), "COMMENT" | "ACL" | "SECURITY LABEL")
            && entry.tag.starts_with("LARGE OBJECT "))
}

impl Script {
    /// With `keep_owners`, each object's `ALTER ... OWNER TO` follows its SQL (pg_restore's
    /// statement, from the TOC's owner) and grants (`ACL`, `DEFAULT ACL` entries) are restored.
    fn from_toc(archive: &Archive, keep_owners: bool) -> Script {
        let entries = &archive.entries;
        let by_id: HashMap<i32, &TocEntry> = entries.iter().map(|e| (e.dump_id, e)).collect();
        let std_strings = entries
            .iter()
            .find(|e| e.desc == "STDSTRINGS")
            .is_none_or(|e| e.defn.contains("= on"));
        let lo_count = entries.iter().filter(|e| is_large_object(e)).count();
        let large_objects = (lo_count > 0).then(|| {
            format!("the archive holds large objects ({lo_count} TOC entries: BLOB, BLOBS, BLOB METADATA or their comments and grants)")
        });
        let table_like = |id: &i32| {
            by_id.get(id).is_some_and(|d| {
                matches!(
                    d.desc.as_str(),
                    "TABLE" | "TABLE DATA" | "MATERIALIZED VIEW" | "FOREIGN TABLE"
                )
            })
        };
        // Comments, grants and labels (section "none") go with the object they belong to.
        let section_of = |e: &TocEntry| -> Section {
            if e.section != Section::None {
                return e.section;
            }
            e.dependencies
                .iter()
                .filter_map(|d| by_id.get(d))
                .map(|d| d.section)
                .find(|s| *s != Section::None)
                .map(|s| {
                    if s == Section::Data {
                        Section::PostData
                    } else {
                        s
                    }
                })
                .unwrap_or(Section::PreData)
        };
        let inserts = entries
            .iter()
            .find(|e| {
                e.is_table_data() && e.copy_stmt.as_deref().is_none_or(|c| c.trim().is_empty())
            })
            .map(|e| e.to_string());
        let mut script = Script {
            inserts,
            tables: tables_from_toc(entries),
            pre: Vec::new(),
            sequences: Vec::new(),
            post: Vec::new(),
            refresh: Vec::new(),
            encoding: archive.encoding().unwrap_or("UTF8").to_owned(),
            std_strings,
            large_objects,
            lo_steps: Vec::new(),
            lo_data: Vec::new(),
            foreign_keys: Vec::new(),
            grant_roles: Vec::new(),
        };
        for e in entries {
            if e.desc == "FK CONSTRAINT" {
                script.foreign_keys.extend(schema::foreign_keys(&e.defn));
            }
            if is_large_object(e) && !skipped(e) {
                if e.desc == "BLOBS" {
                    script.lo_data.push(e.dump_id);
                } else if !e.defn.trim().is_empty() {
                    script.lo_steps.push(Step {
                        id: e.dump_id,
                        name: e.to_string(),
                        sql: e.defn.clone(),
                        deps: Vec::new(),
                        locks: Vec::new(),
                    });
                }
                continue;
            }
            let grants = keep_owners && matches!(e.desc.as_str(), "ACL" | "DEFAULT ACL");
            if (skipped(e) && !grants)
                || is_large_object(e)
                || e.is_table_data()
                || e.defn.trim().is_empty()
            {
                continue;
            }
            if grants {
                for role in schema::grant_roles(&e.defn) {
                    if !script.grant_roles.iter().any(|(r, _)| *r == role) {
                        script.grant_roles.push((role, e.to_string()));
                    }
                }
            }
            let mut locks: Vec<i32> = e.dependencies.iter().copied().filter(table_like).collect();
            // A foreign key locks the referenced table too, which its dependencies do not
            // always name: two at once could deadlock (an FK cycle), so they take turns.
            if e.desc == "FK CONSTRAINT" {
                locks.push(FK_LOCK);
            }
            let mut sql = e.defn.clone();
            // `public` exists in every new database (pg_dump writes it when it was recreated).
            if e.desc == "SCHEMA" && e.tag == "public" {
                sql = sql.replacen("CREATE SCHEMA ", "CREATE SCHEMA IF NOT EXISTS ", 1);
            }
            if keep_owners {
                if let Some(alter) = alter_owner(e) {
                    sql.push('\n');
                    sql.push_str(&alter);
                }
            }
            let step = Step {
                id: e.dump_id,
                name: e.to_string(),
                sql,
                deps: e.dependencies.clone(),
                locks,
            };
            match (section_of(e), e.desc.as_str()) {
                // Event triggers last, as pg_restore does: they would fire on the restore's DDL.
                (_, "MATERIALIZED VIEW DATA" | "EVENT TRIGGER") => script.refresh.push(step),
                (Section::Data, _) => script.sequences.push(step),
                (Section::PostData, _) => script.post.push(step),
                _ => script.pre.push(step),
            }
        }
        script
    }

    /// A plain dump read once for its statements (rows skipped): those before the first COPY
    /// are pre-data, those after it run once the data are in (sequence values, indexes,
    /// constraints, triggers, matview refreshes, in the dump's order).
    fn from_plain(archive: &Archive) -> Result<Script, SyncError> {
        let mut reader = archive.plain()?;
        let mut builder = SchemaBuilder::default();
        let mut pre = Vec::new();
        let mut post = Vec::new();
        let mut seen_copy = false;
        let mut encoding = "UTF8".to_owned();
        let mut std_strings = true;
        let mut large_objects = None;
        let mut inserts = None;
        let mut foreign_keys = Vec::new();
        let file = archive
            .path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut id = 0;
        while let Some(item) = reader.next_item()? {
            match item {
                PlainItem::Copy(block) => {
                    builder.add_copy(&block.target, None);
                    seen_copy = true;
                }
                PlainItem::Statement { sql, line } => {
                    let head: String = sql
                        .split_whitespace()
                        .take(4)
                        .collect::<Vec<_>>()
                        .join(" ")
                        .to_ascii_uppercase();
                    if head.starts_with("SET CLIENT_ENCODING") {
                        if let Some(v) = sql.split('\'').nth(1) {
                            encoding = v.to_owned();
                        }
                        continue;
                    }
                    if head.starts_with("SET STANDARD_CONFORMING_STRINGS") {
                        std_strings = !sql.to_ascii_lowercase().contains("off");
                        continue;
                    }
                    if plain_skipped(&head, &sql) {
                        continue;
                    }
                    if head.starts_with("INSERT INTO") {
                        inserts.get_or_insert_with(|| format!("the statement on line {line}"));
                        continue;
                    }
                    if is_large_object_sql(&sql) {
                        large_objects.get_or_insert_with(|| {
                            format!(
                                "the dump holds large objects (line {line}: `{}`)",
                                first_line(&sql)
                            )
                        });
                        continue;
                    }
                    builder.add_sql(&sql);
                    if head.starts_with("ALTER TABLE") {
                        foreign_keys.extend(schema::foreign_keys(&sql));
                    }
                    id += 1;
                    // A plain dump has no dependencies to read: its statements run one after
                    // the other, in the dump's order.
                    let step = Step {
                        id,
                        name: format!("the statement on line {line} of {file}"),
                        sql,
                        deps: vec![id - 1],
                        locks: Vec::new(),
                    };
                    if seen_copy { &mut post } else { &mut pre }.push(step);
                }
            }
        }
        Ok(Script {
            tables: builder.finish(),
            pre,
            sequences: Vec::new(),
            post,
            refresh: Vec::new(),
            encoding,
            std_strings,
            large_objects,
            lo_steps: Vec::new(),
            lo_data: Vec::new(),
            inserts,
            foreign_keys,
            grant_roles: Vec::new(),
        })
    }
}

/// The `ALTER ... OWNER TO` pg_restore runs after an entry (`_getObjectDescription` in
/// `pg_backup_archiver.c`): None for entries without an owner or whose kind has none of its own
/// (indexes, constraints, triggers, comments, ...).
fn alter_owner(e: &TocEntry) -> Option<String> {
    use crate::pg::connect::quote_ident;
    let owner = e.owner.as_deref().filter(|o| !o.is_empty())?;
    let qualified = || match e.namespace.as_deref().filter(|n| !n.is_empty()) {
        Some(ns) => format!("{}.{}", quote_ident(ns), quote_ident(&e.tag)),
        None => quote_ident(&e.tag),
    };
    let object = match e.desc.as_str() {
        "COLLATION"
        | "CONVERSION"
        | "DOMAIN"
        | "FOREIGN TABLE"
        | "MATERIALIZED VIEW"
        | "SEQUENCE"
        | "STATISTICS"
        | "TABLE"
        | "TEXT SEARCH DICTIONARY"
        | "TEXT SEARCH CONFIGURATION"
        | "TYPE"
        | "VIEW" => format!("{} {}", e.desc, qualified()),
        "SCHEMA" | "EVENT TRIGGER" | "FOREIGN DATA WRAPPER" | "SERVER" => {
            format!("{} {}", e.desc, quote_ident(&e.tag))
        }
        // Their names carry argument types: pg_restore takes them from the DROP statement.
        "FUNCTION" | "AGGREGATE" | "PROCEDURE" | "OPERATOR" | "OPERATOR CLASS"
        | "OPERATOR FAMILY" => {
            let drop = e.drop_stmt.trim().strip_prefix("DROP ")?;
            let drop = drop.strip_suffix(';').unwrap_or(drop);
            drop.replacen(" IF EXISTS", "", 1).trim_end().to_owned()
        }
        _ => return None,
    };
    Some(format!("ALTER {object} OWNER TO {};", quote_ident(owner)))
}

/// The roles the archive's objects belong to (the TOC's owners): with `--keep-owners` each must
/// exist on the target server.
fn owners(archive: &Archive) -> Vec<String> {
    let mut owners: Vec<String> = archive
        .entries
        .iter()
        .filter(|e| alter_owner(e).is_some())
        .filter_map(|e| e.owner.clone())
        .collect();
    owners.sort();
    owners.dedup();
    owners
}

/// With `--keep-owners`, the refusal naming the roles the target server does not have (of the
/// archive's owners and the roles its grants name; `present` are those it has), or None.
fn missing_roles(
    owners: &[String],
    grant_roles: &[(String, String)],
    present: &[String],
) -> Option<Refusal> {
    let quoted = |r: &str| format!("\"{}\"", r.replace('"', "\"\""));
    let mut missing: Vec<String> = owners
        .iter()
        .filter(|r| !present.contains(r))
        .map(|r| format!("{} (owns objects)", quoted(r)))
        .collect();
    for (role, entry) in grant_roles {
        if present.contains(role) || owners.contains(role) {
            continue;
        }
        missing.push(format!("{} (named by the grants of {entry})", quoted(role)));
    }
    if missing.is_empty() {
        return None;
    }
    Some(Refusal::new(
        format!(
            "--keep-owners: the archive's objects belong to or are granted to roles the target server does not have: {}",
            missing.join(", ")
        ),
        "Create these roles on the target server (CREATE ROLE ... NOLOGIN is enough), or run without --keep-owners: objects then belong to the user the sync connects as, without grants.",
    ))
}

/// A plain dump's large-object statements: created, written, owned, commented, granted.
fn is_large_object_sql(sql: &str) -> bool {
    let upper = sql.to_ascii_uppercase();
    [
        "PG_CATALOG.LO_CREATE",
        "PG_CATALOG.LO_OPEN",
        "PG_CATALOG.LOWRITE",
        "PG_CATALOG.LO_CLOSE",
    ]
    .iter()
    .any(|f| upper.contains(f))
        || upper.contains(" LARGE OBJECT ")
}

/// Plain dump statements left out, as [`skipped`] leaves out TOC entries. `head` is the first
/// words, in capitals.
fn plain_skipped(head: &str, sql: &str) -> bool {
    let upper = sql.to_ascii_uppercase();
    head.starts_with("SET ")
        || head.starts_with("SELECT PG_CATALOG.SET_CONFIG('SEARCH_PATH'")
        || head.starts_with("GRANT ")
        || head.starts_with("REVOKE ")
        || head.starts_with("ALTER DEFAULT PRIVILEGES")
        || (head.starts_with("ALTER ") && upper.contains(" OWNER TO "))
        || head.starts_with("CREATE PUBLICATION")
        || head.starts_with("ALTER PUBLICATION")
        || head.starts_with("CREATE SUBSCRIPTION")
        || head.starts_with("ALTER SUBSCRIPTION")
        || head.starts_with("COMMENT ON DATABASE")
        || head.starts_with("COMMENT ON PUBLICATION")
        || head.starts_with("COMMENT ON SUBSCRIPTION")
        || head.starts_with("ALTER DATABASE")
        || upper.contains("PG_CATALOG.PG_RESTORE_RELATION_STATS")
        || upper.contains("PG_CATALOG.PG_RESTORE_ATTRIBUTE_STATS")
}

/// Runs `pgward sync --dump`. See the module docs.
pub(super) async fn run(options: &SyncOptions, dump: &Path) -> Result<RunReport, SyncError> {
    let started = Instant::now();
    let started_at = SystemTime::now();
    let progress = Progress::new(options.display);
    let mut stages = Stages::new(&progress);
    interrupt::install();
    stages.start("preflight", &format!(": {}", dump.display()));

    let profile = Profile::load(&options.profile)?;
    let salt = Salt::resolve(profile.salt_source())?;
    let target_ep = Endpoint::parse("target", &options.target)?;
    let target = target_ep.dbname().to_owned();
    let new = swap::name_with_suffix(&target, NEW_SUFFIX);
    let refuse = |problems: Vec<Refusal>| SyncError::Refused { problems };
    if !options.dry_run {
        if let Some(refusal) = preflight::safety_lock(options.safety_lock.as_deref()) {
            return Err(refuse(vec![refusal]));
        }
    }
    if let Err(problem) = swap::check_name_length(&target) {
        return Err(refuse(vec![Refusal::new(
            problem,
            "Use a shorter staging database name.",
        )]));
    }
    let archive = Archive::open(dump)?;
    if options.keep_owners && matches!(archive.format, Format::Plain | Format::PlainGzip) {
        return Err(refuse(vec![Refusal::new(
            "--keep-owners is not supported with --dump of a plain SQL dump",
            "Dump in the custom or directory format (`pg_dump -Fc` or `-Fd`), whose owners and grants pgward restores, or run without --keep-owners: objects then belong to the user the sync connects as, without grants.",
        )]));
    }
    let script = match archive.format {
        Format::Plain | Format::PlainGzip => Script::from_plain(&archive)?,
        Format::Custom | Format::Directory => Script::from_toc(&archive, options.keep_owners),
    };
    let source_name = archive.dbname.clone().unwrap_or_else(|| {
        archive
            .path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default()
    });

    let mut refusals = Vec::new();
    // Large objects hold bytes pgward cannot mask: the profile says whether to leave them out
    // or copy them as they are (`large_objects`; the older `[tables."pg_catalog.pg_largeobject"]
    // rows = "none"` reads as "drop").
    let large_objects = profile.large_objects();
    let lo_decided = large_objects.is_some();
    if let Some(what) = &script.large_objects {
        match large_objects {
            None => refusals.push(super::large_objects_refusal(what.clone())),
            Some(LargeObjects::Keep)
                if matches!(archive.format, Format::Plain | Format::PlainGzip) =>
            {
                refusals.push(Refusal::new(
                    format!("{what}, and large_objects = \"keep\" is not supported for plain SQL dumps"),
                    "Dump in the custom or directory format (`pg_dump -Fc` or `-Fd`), whose large objects pgward can copy, or set `large_objects = \"drop\"`.",
                ));
            }
            Some(_) => {}
        }
    }
    if let Some(at) = &script.inserts {
        refusals.push(Refusal::new(
            format!("the dump's table data are INSERT statements ({at}), which pgward cannot mask"),
            "Dump without --inserts, --column-inserts or --rows-per-insert: pgward masks table data in COPY form, which pg_dump writes by default.",
        ));
    }
    if archive.dbname.as_deref() == Some(target.as_str()) {
        refusals.push(Refusal::new(
            format!(
                "the archive is a dump of a database named \"{target}\", the target's name: without a source connection pgward cannot tell the staging database from the database the dump came from"
            ),
            "Sync into a staging database with another name (e.g. app_staging), so that a mistyped --target cannot replace the database the backup was taken from.",
        ));
    }
    let (mut plan, plan_refusals) = Plan::build(&script.tables, &profile, &salt);
    // Sizes for the plan and the report: the data's bytes in the archive (compressed).
    for job in &mut plan.tables {
        if let Some(entry) = archive.table_data().find(|e| e.qualified_name() == job.key) {
            job.bytes = stored_size(&archive, entry);
        }
    }
    let named_lo_table = format!("\"{LARGE_OBJECTS_TABLE}\"");
    let plan_refusals = plan_refusals
        .into_iter()
        .filter(|r| !(lo_decided && r.problem.contains(&named_lo_table)));
    refusals.extend(plan_refusals.map(|mut r| {
        if r.problem.contains("which the source does not have") {
            r.problem = r.problem.replace(
                "which the source does not have",
                "which the archive does not have",
            );
            r.fix
                .push_str(" (the archive's tables: `pg_restore -l ARCHIVE | grep ' TABLE '`)");
        }
        r
    }));
    refusals.extend(row_filters_on_masked_columns(&plan));
    // A table copied whole referencing a filtered one: the foreign key would fail in post-data.
    refusals.extend(preflight::filtered_parents(
        &plan,
        &script.tables,
        &script.foreign_keys,
    ));
    if refusals.is_empty() {
        // Value sampling: only once the names pass (it reads the archive's data).
        refusals.extend(uncovered_by_values(
            &archive,
            &script.tables,
            &plan,
            &profile,
        )?);
    }

    let admin = Admin::connect(&target_ep).await?;
    let target_server = admin.server().await?;
    if options.keep_owners {
        let owners = owners(&archive);
        let mut wanted: Vec<String> = owners.clone();
        wanted.extend(script.grant_roles.iter().map(|(r, _)| r.clone()));
        wanted.sort();
        wanted.dedup();
        let present: Vec<String> = admin
            .client()
            .query(
                "SELECT rolname::text FROM pg_catalog.pg_roles WHERE rolname = ANY($1)",
                &[&wanted],
            )
            .await
            .map_err(|e| super::db_error("read the target server's roles", &e))?
            .iter()
            .map(|r| r.get(0))
            .collect();
        if let Some(refusal) = missing_roles(&owners, &script.grant_roles, &present) {
            refusals.push(refusal);
        }
    }
    let comment = admin.comment(&target).await?;
    refusals.extend(preflight::production_target(
        &profile,
        &target,
        comment.as_deref(),
    ));
    if !refusals.is_empty() {
        return Err(refuse(refusals));
    }
    if !options.dry_run && !admin.lock(&target).await? {
        return Err(SyncError::AlreadyRunning { target });
    }
    let report = super::new_report(
        report::SourceReport {
            database: source_name,
            system_identifier: None,
        },
        &target,
        options,
        &salt,
        started_at,
    );
    if options.dry_run {
        return Ok(super::finish_report(
            report, "dry_run", &plan, None, stages, started,
        ));
    }

    interrupt::loading(&target_ep, &new);
    let like = ServerInfo {
        encoding: script.encoding.clone(),
        ..target_server
    };
    let loaded = load(Load {
        options,
        profile: &profile,
        plan: &plan,
        archive: &archive,
        script: &script,
        target_ep: &target_ep,
        like: &like,
        admin: &admin,
        target: &target,
        new: &new,
        stages: &mut stages,
        progress: &progress,
    })
    .await;
    let copied = match loaded {
        Ok(copied) => copied,
        Err(e) => return Err(super::abandon(&admin, &new, &progress, e).await),
    };
    let previous = super::swap_stage(&admin, options, &target, &new, &mut stages).await?;
    let mut report = super::finish_report(report, "synced", &plan, Some(&copied), stages, started);
    report.target.previous = previous;
    Ok(report)
}

/// Personal data the profile leaves uncovered, found by the live sync's detector from the
/// archive: column names (and JSON keys) from the DDL, values from the first rows of each
/// table's data (the profile's `[detect]` sample size; a custom archive written through a pipe
/// and a plain dump are read through once to find them). Derived data (generated columns,
/// materialized views, triggers) are left to the name check: the archive's DDL is not parsed
/// for them.
fn uncovered_by_values(
    archive: &Archive,
    tables: &[Table],
    plan: &Plan,
    profile: &Profile,
) -> Result<Vec<Refusal>, SyncError> {
    use crate::anonymize::detect::{self, Evidence};

    let options = profile.detect_options();
    let samples = sample_archive(archive, tables, plan, options.sample_rows as usize)?;
    let evidence = Evidence {
        samples,
        ..Evidence::default()
    };
    let findings = detect::analyze(tables, &evidence, &options);
    Ok(super::uncovered_refusals(&findings, tables, profile))
}

/// The first `rows` rows of each table with data, decoded; a partition's rows are
/// filed under its partitioned root (the detector reports on the root), by column name.
fn sample_archive(
    archive: &Archive,
    tables: &[Table],
    plan: &Plan,
    rows: usize,
) -> Result<HashMap<String, crate::pg::sample::Sample>, SyncError> {
    use crate::pg::catalog::TableKind;
    use crate::pg::sample::{MAX_STRUCTURED_BYTES, Sample, SampleMethod};

    let owner: HashMap<String, &Table> = tables
        .iter()
        .map(|t| {
            let root = match &t.kind {
                TableKind::Partition { root } => tables
                    .iter()
                    .find(|r| r.schema == root.0 && r.name == root.1)
                    .unwrap_or(t),
                _ => t,
            };
            (t.key(), root)
        })
        .collect();
    let columns: HashMap<&str, &[String]> = plan
        .tables
        .iter()
        .map(|j| (j.key.as_str(), j.plan.columns.as_slice()))
        .collect();
    let mut samples: HashMap<String, Sample> = HashMap::new();
    let mut add = |key: &str, reader: &mut dyn Read| -> Result<(), SyncError> {
        let (Some(root), Some(cols)) = (owner.get(key), columns.get(key)) else {
            return Ok(());
        };
        let sample = samples.entry(root.key()).or_insert_with(|| Sample {
            columns: root
                .columns
                .iter()
                .filter(|c| !c.generated)
                .map(|c| c.name.clone())
                .collect(),
            rows: Vec::new(),
            method: SampleMethod::Limit,
        });
        if sample.rows.len() >= rows {
            return Ok(());
        }
        let position: Vec<Option<usize>> = sample
            .columns
            .iter()
            .map(|c| cols.iter().position(|x| x == c))
            .collect();
        let mut lines = io::BufReader::new(reader);
        let mut line = Vec::new();
        while sample.rows.len() < rows {
            line.clear();
            let n = io::BufRead::read_until(&mut lines, b'\n', &mut line)
                .map_err(|e| SyncError::Archive(ArchiveError::from_io(e)))?;
            if n == 0 {
                break;
            }
            let text = line.strip_suffix(b"\n").unwrap_or(&line);
            // A row the detector cannot decode is left out of the sample; the copy reports it.
            let Ok(fields) = super::copy::decode_row(text) else {
                continue;
            };
            let row = position
                .iter()
                .map(|p| {
                    p.and_then(|i| fields.get(i).cloned().flatten())
                        .filter(|v| v.len() <= MAX_STRUCTURED_BYTES as usize)
                        .map(|v| v.into_owned())
                })
                .collect();
            sample.rows.push(row);
        }
        Ok(())
    };
    match archive.format {
        Format::Plain | Format::PlainGzip => {
            let mut reader = archive.plain()?;
            while let Some(item) = reader.next_item()? {
                if let PlainItem::Copy(mut block) = item {
                    let key = format!(
                        "{}.{}",
                        block.target.schema.as_deref().unwrap_or("public"),
                        block.target.table
                    );
                    add(&key, &mut block.rows)?;
                }
            }
        }
        _ if archive.has_random_access() => {
            for entry in archive.table_data() {
                if entry.data != DataLocation::None && owner.contains_key(&entry.qualified_name()) {
                    let mut reader = archive.open_data(entry)?;
                    add(&entry.qualified_name(), &mut reader)?;
                }
            }
        }
        _ => archive.for_each_data(|entry, reader| add(&entry.qualified_name(), reader))?,
    }
    Ok(samples)
}

/// With an archive, a `rows = { where = ... }` condition runs on the new database after the
/// table's rows are in, masked: a condition on a masked column would select other rows than a
/// live sync.
fn row_filters_on_masked_columns(plan: &Plan) -> Vec<Refusal> {
    let mut refusals = Vec::new();
    for job in &plan.tables {
        let RowsPolicy::Where(filter) = &job.rows else {
            continue;
        };
        let words: HashSet<String> = filter
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        for (column, transformer) in job.masking.masked_columns() {
            if words.contains(&column.to_lowercase()) {
                refusals.push(Refusal::new(
                    format!(
                        "{}: the rows.where condition uses column \"{column}\", which the profile masks ({transformer}); with --dump the condition runs on the masked rows",
                        job.key
                    ),
                    "Write the condition on columns the profile does not mask (e.g. a date or an id), or sync from the live database.",
                ));
            }
        }
    }
    refusals
}

struct Load<'a, 'b> {
    options: &'a SyncOptions,
    profile: &'a Profile,
    plan: &'a Plan,
    archive: &'a Archive,
    script: &'a Script,
    target_ep: &'a Endpoint,
    like: &'a ServerInfo,
    admin: &'a Admin,
    target: &'a str,
    new: &'a str,
    stages: &'a mut Stages<'b>,
    progress: &'a Progress,
}

async fn load(l: Load<'_, '_>) -> Result<Vec<(String, TableStats)>, SyncError> {
    let new_ep = l.target_ep.with_dbname(l.new);
    let preamble = session_preamble(&l.script.encoding, l.script.std_strings);
    l.stages.start(
        "pre-data",
        &format!(
            ": {} statements from the archive into {}",
            l.script.pre.len(),
            l.new
        ),
    );
    l.admin.drop_database(l.new).await?;
    l.admin
        .drop_database(&swap::name_with_suffix(l.target, swap::OLD_SUFFIX))
        .await?;
    l.admin.create_database(l.new, l.like).await?;
    let conn = new_ep.connect("target").await?;
    conn.batch_execute(&preamble)
        .await
        .map_err(|e| db_error("prepare a session on the new database", &e))?;
    for step in &l.script.pre {
        run_step(&conn, step, "pre-data").await?;
    }
    let keep_large_objects = l.profile.large_objects() == Some(LargeObjects::Keep);
    if keep_large_objects {
        for step in &l.script.lo_steps {
            run_step(&conn, step, "pre-data").await?;
        }
    }

    let random = l.archive.has_random_access();
    let plain = matches!(l.archive.format, Format::Plain | Format::PlainGzip);
    l.stages.start(
        "data",
        &format!(
            ": {} tables, {}; post-data ({} indexes, constraints, triggers) {}",
            l.plan.tables.len(),
            if random {
                format!("{} at a time", l.options.jobs)
            } else {
                "read in one pass".to_owned()
            },
            l.script.post.len(),
            if plain {
                "once all data are in"
            } else {
                "as the tables it needs are loaded"
            }
        ),
    );
    let stage = DumpData {
        archive: l.archive,
        target: &new_ep,
        preamble: &preamble,
        jobs: l.options.jobs,
        progress: l.progress,
    };
    let (copied, timing) = stage.run(&l.plan.tables, random, &l.script.post, plain)?;
    let tail = Instant::now();
    if keep_large_objects && !l.script.lo_data.is_empty() {
        let (objects, bytes) = load_large_objects(&conn, l.archive, &l.script.lo_data).await?;
        l.progress.line(&format!(
            "large objects: {objects} copied ({bytes} bytes), unmasked (large_objects = \"keep\")"
        ));
    }
    for step in &l.script.sequences {
        run_step(&conn, step, "data").await?;
    }
    // Data and post-data overlap: each stage's time is its own items' span (see `Timing`), so
    // the two can add up to more than the time they took together.
    l.stages.current = None;
    l.stages.done.push(report::StageReport {
        name: "data",
        seconds: timing.data_seconds + tail.elapsed().as_secs_f64(),
    });
    l.progress.line(&format!(
        "STEP {}: post-data: {} indexes, constraints and triggers took {:.1} s from the first to the last, alongside the data; then materialized views and event triggers",
        l.stages.done.len() + 1,
        l.script.post.len(),
        timing.post_seconds
    ));
    let tail = Instant::now();
    for step in &l.script.refresh {
        run_step(&conn, step, "post-data").await?;
    }
    l.stages.done.push(report::StageReport {
        name: "post-data",
        seconds: timing.post_seconds + tail.elapsed().as_secs_f64(),
    });

    l.stages.start("verify", ": row counts");
    conn.batch_execute("RESET search_path")
        .await
        .map_err(|e| db_error("prepare a session on the new database", &e))?;
    super::verify::row_counts(&conn, &l.plan.tables, &copied).await?;
    super::after_sql(&conn, l.profile, l.stages).await?;
    drop(conn);
    Ok(copied)
}

/// Bytes of a large object per `lo_put` (and in memory at once, a few of them).
const LO_CHUNK: usize = 1 << 20;

/// Copies the large objects of the archive's `BLOBS` entries into the new database (their
/// `lo_create` ran with pre-data): a thread reads and decompresses them, this session writes
/// them with `lo_put` in [`LO_CHUNK`]s. Returns how many objects and bytes.
async fn load_large_objects(
    conn: &Client,
    archive: &Archive,
    ids: &[i32],
) -> Result<(u64, u64), SyncError> {
    let entries: Vec<TocEntry> = ids
        .iter()
        .filter_map(|id| archive.entry(*id).cloned())
        .collect();
    let archive = archive.clone();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(u32, i64, Vec<u8>)>(4);
    let reader = std::thread::spawn(move || -> Result<(), ArchiveError> {
        for entry in &entries {
            archive.for_each_blob(entry, |oid, input| {
                let mut offset = 0i64;
                loop {
                    let mut buf = vec![0u8; LO_CHUNK];
                    let mut filled = 0;
                    while filled < LO_CHUNK {
                        match input.read(&mut buf[filled..]) {
                            Ok(0) => break,
                            Ok(n) => filled += n,
                            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                            Err(e) => return Err(ArchiveError::from_io(e)),
                        }
                    }
                    buf.truncate(filled);
                    if (filled > 0 || offset == 0) && tx.blocking_send((oid, offset, buf)).is_err()
                    {
                        return Ok(());
                    }
                    offset += filled as i64;
                    if filled < LO_CHUNK {
                        return Ok(());
                    }
                }
            })?;
        }
        Ok(())
    });
    let written = async {
        let put = conn
            .prepare("SELECT pg_catalog.lo_put($1, $2, $3)")
            .await
            .map_err(|e| db_error("prepare the large objects' copy", &e))?;
        let (mut objects, mut bytes) = (0u64, 0u64);
        while let Some((oid, offset, data)) = rx.recv().await {
            conn.execute(&put, &[&oid, &offset, &data])
                .await
                .map_err(|e| SyncError::Database {
                    action: format!("write large object {oid} into the new database"),
                    reason: message_without_values(&e),
                })?;
            objects += u64::from(offset == 0);
            bytes += data.len() as u64;
        }
        Ok::<_, SyncError>((objects, bytes))
    }
    .await;
    drop(rx);
    let read = reader
        .join()
        .map_err(|_| SyncError::Internal("the large objects' reader stopped".into()))?;
    read?;
    written
}

async fn run_step(conn: &Client, step: &Step, stage: &'static str) -> Result<(), SyncError> {
    conn.batch_execute(&step.sql)
        .await
        .map_err(|e| step_error(step, stage, &e))
}

fn step_error(step: &Step, stage: &'static str, e: &tokio_postgres::Error) -> SyncError {
    SyncError::Restore {
        stage,
        entry: step.name.clone(),
        statement: first_line(&step.sql),
        reason: message_without_values(e),
    }
}

fn first_line(sql: &str) -> String {
    let line = sql
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    match line.char_indices().nth(120) {
        Some((at, _)) => format!("{}...", &line[..at]),
        None => line.to_owned(),
    }
}

/// The server's message, without a `DETAIL` that may quote values (`Key (email)=(...)`).
fn message_without_values(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut text = db.message().to_owned();
            if let Some(detail) = db.detail() {
                if !detail.contains(")=(") && !detail.contains("Failing row") {
                    text.push_str(&format!(" ({detail})"));
                }
            }
            text
        }
        None => crate::pg::connect::describe_error(e),
    }
}

/// The data stage from an archive.
struct DumpData<'a> {
    archive: &'a Archive,
    target: &'a Endpoint,
    preamble: &'a str,
    jobs: usize,
    progress: &'a Progress,
}

/// Chunks handed from the archive's reader thread to the pipeline.
const CHUNK: usize = 256 * 1024;
/// Chunks queued between them (a few MiB per table, whatever its size).
const CHUNKS_IN_FLIGHT: usize = 8;

/// How long the data and the post-data items took. They overlap: each stage runs from the
/// load's start (data) or its first item's start (post-data) to its last item's end.
struct Timing {
    data_seconds: f64,
    post_seconds: f64,
}

/// What a session of the load runs next.
enum Item<'t> {
    /// One table's data, read on its own (random access).
    Table(&'t TableJob, &'t TocEntry),
    /// The one pass over an archive without random access: every table's data, in order.
    Pass,
    /// A post-data step, by index.
    Post(usize),
}

/// The load's shared state: what is left, what runs, what is done.
struct State<'t> {
    /// Tables left to copy with their stored size, smallest first (`pop` takes the largest).
    tables: Vec<(&'t TableJob, &'t TocEntry, u64)>,
    /// The one pass is still to start.
    pass: bool,
    /// Post-data steps left, in archive order.
    post: Vec<usize>,
    /// Post-data steps running.
    running: Vec<usize>,
    /// Data items running.
    copying: usize,
    /// Done: post-data steps' ids and TABLE DATA entries' ids.
    done: HashSet<i32>,
    error: Option<SyncError>,
    data_end: Option<Instant>,
    post_first: Option<Instant>,
    post_last: Option<Instant>,
}

impl State<'_> {
    fn data_left(&self) -> bool {
        !self.tables.is_empty() || self.pass || self.copying > 0
    }
}

/// A session's `search_path`: the copies and the profile's row conditions use the default one,
/// the archive's DDL runs with an empty one (as pg_restore's sessions do).
#[derive(PartialEq)]
enum SearchPath {
    Empty,
    Default,
}

impl DumpData<'_> {
    /// Loads the tables' data and runs the post-data `steps` on `jobs` sessions, one scheduler
    /// for both (pg_restore's parallel restore): tables largest first, and each post-data step
    /// as soon as the steps it depends on are done, where a step that depends on a table waits
    /// for that table's data (pg_restore's `repoint_table_dependencies`); so an index, a
    /// constraint or a trigger starts once its table is loaded, a foreign key once both tables
    /// and the referenced key are. A ready step goes before a table smaller than the table(s)
    /// it waited for (pg_restore's largest-first order). Two steps on one table, or two foreign
    /// keys, never run at once. Without random access one session reads the archive in one
    /// pass, and the steps start as their tables complete on the others. With `after_all_data`
    /// (a plain dump, whose statements carry no dependencies) the steps start once all data
    /// are in. Any failure cancels what the other sessions are running.
    fn run<'t>(
        &'t self,
        tables: &'t [TableJob],
        random: bool,
        steps: &[Step],
        after_all_data: bool,
    ) -> Result<(Vec<(String, TableStats)>, Timing), SyncError> {
        let started = Instant::now();
        let data: HashMap<String, &TocEntry> = self
            .archive
            .table_data()
            .map(|e| (e.qualified_name(), e))
            .collect();
        let jobs: HashMap<&str, &TableJob> = tables.iter().map(|j| (j.key.as_str(), j)).collect();
        let results: Mutex<Vec<(String, TableStats)>> = Mutex::new(Vec::new());
        let copied: Vec<(&TableJob, &TocEntry)> = tables
            .iter()
            .filter(|j| j.rows != RowsPolicy::None)
            .filter_map(|j| data.get(&j.key).map(|e| (j, *e)))
            .collect();
        // The TABLE DATA entries the steps may wait for, with their stored size.
        let mut todo: Vec<(&TableJob, &TocEntry, u64)> = Vec::new();
        let waited: HashMap<i32, u64> = if random {
            todo = copied
                .iter()
                .filter(|(_, e)| e.data != DataLocation::None)
                .map(|(j, e)| (*j, *e, stored_size(self.archive, e)))
                .collect();
            // Largest first (pgcopydb's order: the long copies start first); `pop` takes from
            // the end.
            todo.sort_by_key(|(_, _, size)| *size);
            todo.iter().map(|(_, e, size)| (e.dump_id, *size)).collect()
        } else {
            copied.iter().map(|(_, e)| (e.dump_id, 0)).collect()
        };
        // pg_restore's `repoint_table_dependencies`: a step that depends on a table depends on
        // its data too.
        let by_id: HashMap<i32, &TocEntry> = self
            .archive
            .entries
            .iter()
            .map(|e| (e.dump_id, e))
            .collect();
        let data_of: HashMap<i32, i32> = self
            .archive
            .table_data()
            .filter(|e| waited.contains_key(&e.dump_id))
            .flat_map(|e| {
                e.dependencies
                    .iter()
                    .filter(|d| by_id.get(d).is_some_and(|t| t.desc == "TABLE"))
                    .map(move |d| (*d, e.dump_id))
            })
            .collect();
        let deps: Vec<Vec<i32>> = steps
            .iter()
            .map(|s| {
                s.deps
                    .iter()
                    .flat_map(|d| std::iter::once(*d).chain(data_of.get(d).copied()))
                    .collect()
            })
            .collect();
        let priority: Vec<u64> = deps
            .iter()
            .map(|ds| ds.iter().filter_map(|d| waited.get(d)).max().copied())
            .map(|p| p.unwrap_or(0))
            .collect();
        let ids: HashSet<i32> = steps
            .iter()
            .map(|s| s.id)
            .chain(waited.keys().copied())
            .collect();
        // A plain dump has no TOC: its data are found by reading it.
        let pass = !random;
        let items = todo.len() + usize::from(pass) + steps.len();
        let state = Mutex::new(State {
            tables: todo,
            pass,
            post: (0..steps.len()).collect(),
            running: Vec::new(),
            copying: 0,
            done: HashSet::new(),
            error: None,
            data_end: None,
            post_first: None,
            post_last: None,
        });
        let wake = Condvar::new();
        let cancel: Mutex<Vec<CancelToken>> = Mutex::new(Vec::new());

        let ready = |st: &State, i: usize, busy: &HashSet<i32>| {
            !(after_all_data && st.data_left())
                && deps[i]
                    .iter()
                    .all(|d| !ids.contains(d) || st.done.contains(d))
                && !steps[i].locks.iter().any(|l| busy.contains(l))
        };
        let next = |st: &mut State<'t>| -> Option<Item<'t>> {
            if st.pass {
                st.pass = false;
                st.copying += 1;
                return Some(Item::Pass);
            }
            let busy: HashSet<i32> = st
                .running
                .iter()
                .flat_map(|&i| steps[i].locks.iter().copied())
                .collect();
            let mut best: Option<usize> = None;
            for (pos, &i) in st.post.iter().enumerate() {
                if best.is_none_or(|b| priority[i] > priority[st.post[b]]) && ready(st, i, &busy) {
                    best = Some(pos);
                }
            }
            let table = st.tables.last().map(|t| t.2);
            match (best, table) {
                (Some(pos), Some(size)) if priority[st.post[pos]] > size => {}
                (_, Some(_)) => {
                    let (job, entry, _) = st.tables.pop()?;
                    st.copying += 1;
                    return Some(Item::Table(job, entry));
                }
                (Some(_), None) => {}
                (None, None) => return None,
            }
            let i = st.post.remove(best?);
            st.running.push(i);
            st.post_first.get_or_insert_with(Instant::now);
            Some(Item::Post(i))
        };
        let fail = |e: SyncError| {
            let mut st = lock(&state);
            if st.error.is_none() {
                st.error = Some(e);
                let tokens = lock(&cancel).clone();
                std::thread::spawn(move || {
                    if let Ok(rt) = runtime() {
                        rt.block_on(async {
                            for t in tokens {
                                let _ = t.cancel_query(NoTls).await;
                            }
                        });
                    }
                });
            }
            wake.notify_all();
        };
        // A table's data are in: the steps waiting for it may start.
        let loaded = |id: Option<i32>| {
            let mut st = lock(&state);
            match id {
                Some(id) => {
                    st.done.insert(id);
                }
                None => st.done.extend(waited.keys().copied()),
            }
            if !st.data_left() {
                st.data_end = Some(Instant::now());
            }
            drop(st);
            wake.notify_all();
        };
        let worker = || -> Result<(), SyncError> {
            let rt = runtime().map_err(|e| SyncError::Internal(format!("tokio runtime: {e}")))?;
            let conn = rt.block_on(async {
                let conn = self.target.connect("target").await?;
                conn.batch_execute(self.preamble)
                    .await
                    .map_err(|e| db_error("prepare a session on the new database", &e))?;
                Ok::<_, SyncError>(conn)
            })?;
            lock(&cancel).push(conn.cancel_token());
            let pipeline = Pipeline::new();
            let mut path = SearchPath::Empty;
            let mut set_path = |want: SearchPath| -> Result<(), SyncError> {
                if path == want {
                    return Ok(());
                }
                let sql = match want {
                    // COPY and the row filters name tables in full; the profile's conditions
                    // were written with the default search path.
                    SearchPath::Default => "RESET search_path",
                    SearchPath::Empty => "SELECT pg_catalog.set_config('search_path', '', false)",
                };
                rt.block_on(conn.batch_execute(sql))
                    .map_err(|e| db_error("prepare a session on the new database", &e))?;
                path = want;
                Ok(())
            };
            loop {
                let item = {
                    let mut st = lock(&state);
                    loop {
                        if st.error.is_some() {
                            return Ok(());
                        }
                        if let Some(item) = next(&mut st) {
                            break item;
                        }
                        if st.post.is_empty() && !st.data_left() {
                            return Ok(());
                        }
                        if st.running.is_empty() && st.copying == 0 {
                            // Nothing runs and nothing can start: a dependency outside the
                            // archive's post-data that never comes.
                            let names: Vec<String> =
                                st.post.iter().map(|&i| steps[i].name.clone()).collect();
                            return Err(SyncError::Internal(format!(
                                "post-data entries wait for each other: {}",
                                names.join(", ")
                            )));
                        }
                        st = wake.wait(st).unwrap_or_else(|e| e.into_inner());
                    }
                };
                match item {
                    Item::Table(job, entry) => {
                        let copied = set_path(SearchPath::Default).and_then(|()| {
                            let mut reader = self.archive.open_data(entry)?;
                            self.copy(&rt, &pipeline, &conn, job, &mut reader)
                        });
                        lock(&state).copying -= 1;
                        let stats = match copied {
                            Ok(stats) => stats,
                            Err(e) => {
                                wake.notify_all();
                                return Err(e);
                            }
                        };
                        push(&results, &job.key, stats);
                        loaded(Some(entry.dump_id));
                    }
                    Item::Pass => {
                        let passed = set_path(SearchPath::Default).and_then(|()| {
                            self.one_pass(&rt, &pipeline, &conn, &jobs, &results, &|id| {
                                loaded(Some(id))
                            })
                        });
                        lock(&state).copying -= 1;
                        loaded(None);
                        passed?;
                    }
                    Item::Post(i) => {
                        let step = &steps[i];
                        let result = set_path(SearchPath::Empty)
                            .and_then(|()| rt.block_on(run_step(&conn, step, "post-data")));
                        let mut st = lock(&state);
                        st.running.retain(|&r| r != i);
                        st.done.insert(step.id);
                        st.post_last = Some(Instant::now());
                        drop(st);
                        wake.notify_all();
                        result?;
                    }
                }
            }
        };
        if items > 0 {
            std::thread::scope(|scope| {
                for _ in 0..self.jobs.clamp(1, items) {
                    scope.spawn(|| {
                        if let Err(e) = worker() {
                            fail(e);
                        }
                    });
                }
            });
        }
        let st = state.into_inner().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = st.error {
            return Err(e);
        }
        let timing = Timing {
            data_seconds: st.data_end.map_or(0.0, |end| (end - started).as_secs_f64()),
            post_seconds: match (st.post_first, st.post_last) {
                (Some(first), Some(last)) => (last - first).as_secs_f64(),
                _ => 0.0,
            },
        };
        // Tables without data (rows = "none", or no TABLE DATA in the archive, e.g. one made
        // with --exclude-table-data) count zero rows.
        let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
        for job in tables {
            if !results.iter().any(|(k, _)| *k == job.key) {
                let zero = TableStats {
                    rows: 0,
                    bytes: 0,
                    seconds: 0.0,
                };
                self.progress.table_started(&job.key, None);
                self.progress.table_finished(&job.key, &zero);
                results.push((job.key.clone(), zero));
            }
        }
        Ok((results, timing))
    }

    /// Reads an archive without random access once, in order, copying each table's data on
    /// `target`; `loaded` is told each TABLE DATA entry done.
    fn one_pass(
        &self,
        rt: &tokio::runtime::Runtime,
        pipeline: &Pipeline,
        target: &Client,
        jobs: &HashMap<&str, &TableJob>,
        results: &Mutex<Vec<(String, TableStats)>>,
        loaded: &dyn Fn(i32),
    ) -> Result<(), SyncError> {
        // Data for a table the DDL does not define would be lost silently: refuse it.
        let wanted = |key: &str| match jobs.get(key) {
            Some(job) => Ok(Some(*job).filter(|j| j.rows != RowsPolicy::None)),
            None => Err(SyncError::Internal(format!(
                "the archive has data for {key}, but pgward found no CREATE TABLE for it in the archive's DDL"
            ))),
        };
        match self.archive.format {
            Format::Plain | Format::PlainGzip => {
                let mut reader = self.archive.plain()?;
                while let Some(item) = reader.next_item()? {
                    let PlainItem::Copy(mut block) = item else {
                        continue;
                    };
                    let key = format!(
                        "{}.{}",
                        block.target.schema.as_deref().unwrap_or("public"),
                        block.target.table
                    );
                    if let Some(job) = wanted(&key)? {
                        let stats = self.copy(rt, pipeline, target, job, &mut block.rows)?;
                        push(results, &job.key, stats);
                    }
                }
                Ok(())
            }
            _ => self.archive.for_each_data(|entry, reader| {
                if let Some(job) = wanted(&entry.qualified_name())? {
                    let stats = self.copy(rt, pipeline, target, job, reader)?;
                    push(results, &job.key, stats);
                    loaded(entry.dump_id);
                }
                Ok::<(), SyncError>(())
            }),
        }
    }

    /// Copies one table's COPY text from `reader` into the new database: a thread reads the
    /// archive into a bounded channel, the pipeline decodes, masks and loads on this one.
    fn copy(
        &self,
        rt: &tokio::runtime::Runtime,
        pipeline: &Pipeline,
        target: &Client,
        job: &TableJob,
        reader: &mut (dyn Read + Send),
    ) -> Result<TableStats, SyncError> {
        self.progress.table_started(&job.key, job.est_rows);
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, io::Error>>(CHUNKS_IN_FLIGHT);
        let archive_error: Mutex<Option<ArchiveError>> = Mutex::new(None);
        let events = |event: PipelineEvent| {
            if let PipelineEvent::BatchCopied { rows, bytes } = event {
                self.progress.batch(&job.key, rows, bytes);
            }
        };
        let copied = std::thread::scope(|scope| {
            scope.spawn(|| pump(reader, tx, &archive_error));
            let stream = futures_util::stream::unfold(rx, |mut rx| async move {
                rx.recv().await.map(|item| (item, rx))
            });
            rt.block_on(pipeline.copy_rows(stream, target, &job.plan, job.masking.clone(), &events))
        });
        let mut stats = match copied {
            Ok(stats) => stats,
            Err(e) => {
                let archive = archive_error
                    .into_inner()
                    .unwrap_or_else(|e| e.into_inner());
                return Err(match archive {
                    Some(a) => SyncError::Archive(a),
                    None => SyncError::Copy(e),
                });
            }
        };
        if let RowsPolicy::Where(filter) = &job.rows {
            let sql = format!(
                "DELETE FROM ONLY {} WHERE ((\n{filter}\n)) IS NOT TRUE",
                job.plan.qualified_name()
            );
            let deleted = rt
                .block_on(target.execute(sql.as_str(), &[]))
                .map_err(|e| SyncError::Database {
                    action: format!("apply the rows.where condition of {}", job.key),
                    reason: message_without_values(&e),
                })?;
            stats.rows = stats.rows.saturating_sub(deleted);
        }
        self.progress.table_finished(&job.key, &stats);
        Ok(stats)
    }
}

/// Reads `reader` into the channel until its end, an error (kept in `error`, and sent on so the
/// pipeline stops) or the pipeline's end hanging up.
fn pump(
    reader: &mut (dyn Read + Send),
    tx: tokio::sync::mpsc::Sender<Result<Bytes, io::Error>>,
    error: &Mutex<Option<ArchiveError>>,
) {
    loop {
        let mut buf = vec![0u8; CHUNK];
        let mut filled = 0;
        let mut failed = None;
        while filled < CHUNK {
            match reader.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        if filled > 0 {
            buf.truncate(filled);
            if tx.blocking_send(Ok(Bytes::from(buf))).is_err() {
                return;
            }
        }
        if let Some(e) = failed {
            let e = ArchiveError::from_io(e);
            let message = e.to_string();
            *error.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
            let _ = tx.blocking_send(Err(io::Error::other(message)));
            return;
        }
        if filled < CHUNK {
            return;
        }
    }
}

/// The bytes a table's data take in the archive (compressed), for ordering the copies.
fn stored_size(archive: &Archive, entry: &TocEntry) -> u64 {
    match &entry.data {
        DataLocation::Offset(at) => {
            let next = archive
                .entries
                .iter()
                .filter_map(|e| match e.data {
                    DataLocation::Offset(o) if o > *at => Some(o),
                    _ => None,
                })
                .min()
                .or_else(|| std::fs::metadata(&archive.path).ok().map(|m| m.len()));
            next.map_or(0, |n| n.saturating_sub(*at))
        }
        DataLocation::File(name) => ["", ".gz", ".lz4", ".zst"]
            .iter()
            .find_map(|suffix| std::fs::metadata(archive.path.join(format!("{name}{suffix}"))).ok())
            .map_or(0, |m| m.len()),
        DataLocation::None | DataLocation::NotSet => 0,
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn push(results: &Mutex<Vec<(String, TableStats)>>, key: &str, stats: TableStats) {
    results
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((key.to_owned(), stats));
}

fn runtime() -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: i32, desc: &str, tag: &str) -> TocEntry {
        TocEntry {
            dump_id: id,
            had_dumper: false,
            table_oid: 0,
            oid: 0,
            tag: tag.into(),
            desc: desc.into(),
            section: Section::PreData,
            defn: String::new(),
            drop_stmt: String::new(),
            copy_stmt: None,
            namespace: None,
            tablespace: None,
            tableam: None,
            relkind: None,
            owner: None,
            with_oids: false,
            dependencies: Vec::new(),
            data: DataLocation::None,
        }
    }

    #[test]
    fn missing_roles_names_owners_and_grantees_once() {
        let owners = vec!["app".to_owned(), "gone_owner".to_owned()];
        let grants = vec![
            (
                "gone_owner".to_owned(),
                "TOC entry 9 (ACL public.t)".to_owned(),
            ),
            (
                "Read \"Only\"".to_owned(),
                "TOC entry 9 (ACL public.t)".to_owned(),
            ),
            (
                "reader".to_owned(),
                "TOC entry 10 (DEFAULT ACL ...)".to_owned(),
            ),
        ];
        let present = vec!["app".to_owned(), "reader".to_owned()];
        let refusal = missing_roles(&owners, &grants, &present).unwrap();
        assert!(
            refusal.problem.ends_with(
                ": \"gone_owner\" (owns objects), \"Read \"\"Only\"\"\" (named by the grants of TOC entry 9 (ACL public.t))"
            ),
            "{}",
            refusal.problem
        );
        assert!(refusal.fix.contains("CREATE ROLE"));
        let all = vec![
            "app".to_owned(),
            "gone_owner".to_owned(),
            "Read \"Only\"".to_owned(),
        ];
        assert!(missing_roles(&owners, &grants[..2], &all).is_none());
    }

    #[test]
    fn a_pg18_archive_splits_into_stages_without_its_statistics() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/archive/v18-server18-stats.dump"
        );
        let archive = Archive::open(path).unwrap();
        assert!(archive.entries.iter().any(|e| e.desc == "STATISTICS DATA"));
        let script = Script::from_toc(&archive, false);
        let all: Vec<&Step> = script
            .pre
            .iter()
            .chain(&script.sequences)
            .chain(&script.post)
            .chain(&script.refresh)
            .collect();
        assert!(
            all.iter()
                .all(|s| !s.sql.contains("pg_restore_relation_stats")
                    && !s.sql.contains("pg_restore_attribute_stats")),
            "statistics entries hold real values and are never run"
        );
        let names =
            |steps: &[Step]| -> Vec<String> { steps.iter().map(|s| s.name.clone()).collect() };
        let has = |steps: &[Step], what: &str| names(steps).iter().any(|n| n.contains(what));
        assert!(has(&script.pre, "(TABLE Sales Dept.People)"));
        assert!(has(&script.pre, "(TABLE ATTACH public.readings_2025)"));
        assert!(has(&script.sequences, "(SEQUENCE SET public.ticket_no)"));
        assert!(has(&script.post, "(INDEX Sales Dept.people_name)"));
        assert!(has(
            &script.post,
            "(CONSTRAINT Sales Dept.People People_pkey)"
        ));
        assert!(has(
            &script.refresh,
            "(MATERIALIZED VIEW DATA public.people_count)"
        ));
        assert!(script.large_objects.is_none() && script.inserts.is_none());
        let people = script
            .tables
            .iter()
            .find(|t| t.key() == "Sales Dept.People")
            .unwrap();
        let columns: Vec<(&str, &str)> = people
            .columns
            .iter()
            .map(|c| (c.name.as_str(), c.type_name.as_str()))
            .collect();
        assert_eq!(
            columns,
            vec![
                ("id", "integer"),
                ("Full Name", "text"),
                ("note", "text"),
                ("avatar", "bytea"),
                ("born", "date")
            ]
        );
    }

    #[test]
    fn statistics_grants_publications_and_large_objects_are_never_restored() {
        for desc in [
            "STATISTICS DATA",
            "ACL",
            "PUBLICATION",
            "SUBSCRIPTION",
            "DATABASE",
        ] {
            assert!(skipped(&entry(1, desc, "x")), "{desc}");
        }
        assert!(skipped(&entry(1, "COMMENT", "DATABASE app")));
        assert!(!skipped(&entry(1, "COMMENT", "TABLE users")));
        assert!(!skipped(&entry(1, "INDEX", "users_email")));
        assert!(is_large_object(&entry(1, "BLOB METADATA", "x")));
        assert!(is_large_object(&entry(1, "COMMENT", "LARGE OBJECT 16400")));
        assert!(!is_large_object(&entry(1, "TABLE", "blobs")));
        assert!(plain_skipped(
            "SELECT * FROM PG_CATALOG.PG_RESTORE_RELATION_STATS(",
            "SELECT * FROM pg_catalog.pg_restore_relation_stats('version', '180000'::integer);"
        ));
        assert!(plain_skipped(
            "ALTER TABLE PUBLIC.T OWNER",
            "ALTER TABLE public.t OWNER TO alice;"
        ));
        assert!(!plain_skipped(
            "CREATE INDEX I ON",
            "CREATE INDEX i ON public.t (a);"
        ));
    }
}
