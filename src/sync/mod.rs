//! The anonymizing staging sync (`pgward sync`), stage by stage (pgcopydb's numbered steps):
//!
//! 1. **preflight** ([`preflight`], [`plan`]): the safety lock, source ≠ target, target not
//!    production, the profile against the source's catalog, no personal data the profile leaves
//!    uncovered (`anonymize::detect`: names and sampled values, in JSON, arrays and free text),
//!    one sync per target (advisory lock). Nothing is written before all of it passes.
//! 2. **pre-data** ([`schema`]): a fresh `<target>__pgward_new` (a stale one from a killed run is
//!    dropped), the source's schema without indexes, constraints and triggers.
//! 3. **data** ([`data`], [`pipeline`], [`copy`], [`masking`]): every table from one exported
//!    snapshot, masked in flight, `--jobs` tables at a time; then the sequences.
//! 4. **post-data** ([`schema`]): indexes, constraints, triggers in parallel, then the
//!    materialized views the source has populated are refreshed from the masked tables.
//! 5. **verify** ([`verify`]): row counts and schema equal to the source's.
//! 6. **after-sql**: the profile's `[after] sql`.
//! 7. **swap** ([`swap`]): the new database takes the target's name; the previous staging is kept
//!    as `<target>__pgward_old` until the next run.
//!
//! Any failure before the swap drops `<target>__pgward_new`: the current staging is never touched
//! until a complete, verified copy is ready. [`report`] shows progress and writes the run report.
//!
//! Two sources share these stages: a live database ([`run`], below) and a pg_dump archive
//! ([`run_dump`], [`archive_source`]: the guards on the archive's DDL and sampled data, pre- and
//! post-data from its TOC, the same [`Plan`] and pipeline, then [`verify::row_counts`],
//! `after_sql` and `swap_stage`).

pub mod archive_source;
pub mod copy;
pub mod data;
pub mod interrupt;
pub mod masking;
pub mod pipeline;
pub mod plan;
pub mod preflight;
pub mod report;
pub mod schema;
pub mod swap;
pub mod verify;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use miette::Diagnostic;
use thiserror::Error;
use tokio_postgres::Client;

use crate::anonymize::{Profile, ProfileError, RowsPolicy, Salt, coverage, detect};
use crate::archive::ArchiveError;
use crate::pg::catalog::{self, ServerInfo};
use crate::pg::connect::{ConnectError, Endpoint, describe_error, quote_ident, quote_literal};
use crate::pg::tools::{self, ToolsError};

use pipeline::{PipelineError, TableStats};
use plan::{Plan, Refusal};
use report::{Display, Progress, RunReport, StageReport, TableReport, Totals};
use swap::{Admin, NEW_SUFFIX};

/// Settings of every source session, as pg_dump sets them: production roles often carry timeouts
/// that would cancel a long `COPY` or kill the snapshot's transaction while it waits for the
/// workers, and row-level security must fail loudly rather than hide rows from the copy.
pub const SOURCE_SESSION: &str = "SET statement_timeout = 0; SET lock_timeout = 0; \
     SET idle_in_transaction_session_timeout = 0; SET row_security = off";

/// Settings of every session on the new database: no timeouts, and commits that do not wait for
/// the WAL flush (the whole database is dropped if the run fails).
pub const TARGET_SESSION: &str =
    "SET statement_timeout = 0; SET lock_timeout = 0; SET synchronous_commit = off";

/// What `pgward sync` was asked to do.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    pub source: String,
    pub target: String,
    pub profile: PathBuf,
    pub jobs: usize,
    pub dry_run: bool,
    /// `STAGING_SAFETY_LOCK` / `--safety-lock`.
    pub safety_lock: Option<String>,
    pub keep_owners: bool,
    pub drop_old: bool,
    pub display: Display,
}

/// Why a sync did not happen. Every variant names the object and the fix, and none holds a row
/// value.
#[derive(Debug, Error, Diagnostic)]
pub enum SyncError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Profile(#[from] ProfileError),

    #[error("refusing to sync: {}", Refusals(.problems))]
    #[diagnostic(
        code(pgward::sync::refused),
        help("Nothing was written: the current staging is untouched.")
    )]
    Refused {
        #[related]
        problems: Vec<Refusal>,
    },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Connect(#[from] ConnectError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Tools(#[from] ToolsError),

    #[error("another pgward sync of \"{target}\" is running on this server")]
    #[diagnostic(
        code(pgward::sync::already_running),
        help(
            "Wait for it to finish (or stop it); two syncs of one target would replace each other's work. The lock is released when its session ends."
        )
    )]
    AlreadyRunning { target: String },

    #[error("{step} failed:\n{reason}")]
    #[diagnostic(
        code(pgward::sync::schema),
        help(
            "The schema could not be copied; the current staging is untouched. Missing roles: run without --keep-owners. Missing extensions: install them on the target server."
        )
    )]
    Schema { step: &'static str, reason: String },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Copy(#[from] PipelineError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Archive(#[from] ArchiveError),

    #[error("{stage}: {entry} failed on the new database: {reason}\n  statement: {statement}")]
    #[diagnostic(
        code(pgward::sync::restore),
        help(
            "The archive's SQL for this object does not run on the target server; the current staging is untouched. A missing role or extension: create or install it on the target server (or run with the same PostgreSQL major version as the dump's source); a missing object: the archive may have been made with --table/--schema filters, dump the whole database."
        )
    )]
    Restore {
        stage: &'static str,
        entry: String,
        statement: String,
        reason: String,
    },

    #[error("the new database does not match the source:\n  - {}", .problems.join("\n  - "))]
    #[diagnostic(
        code(pgward::sync::verify),
        help(
            "The new database was dropped and the current staging is untouched. Re-run; if it persists, report it with these lines."
        )
    )]
    Verify { problems: Vec<String> },

    #[error("cannot {action}: {reason}")]
    #[diagnostic(
        code(pgward::sync::database),
        help(
            "Check the role's privileges (it needs CREATEDB on the target server) and the server's log."
        )
    )]
    Database { action: String, reason: String },

    #[error("the profile's [after] sql statement {index} failed: {reason}")]
    #[diagnostic(
        code(pgward::sync::after_sql),
        help(
            "Fix the statement in the profile's [after] sql; it runs on the new database before the swap."
        )
    )]
    AfterSql { index: usize, reason: String },

    #[error("internal error: {0}")]
    #[diagnostic(
        code(pgward::sync::internal),
        help("This is a bug in pgward; please report it.")
    )]
    Internal(String),
}

impl SyncError {
    /// Configuration errors (exit 2) as opposed to refused or failed runs (exit 1).
    pub fn is_configuration(&self) -> bool {
        matches!(self, SyncError::Profile(_))
    }
}

struct Refusals<'a>(&'a [Refusal]);

impl fmt::Display for Refusals<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            [one] => write!(f, "{}", one.problem),
            many => write!(f, "{} problems, listed below", many.len()),
        }
    }
}

/// Stage timings, printed as the run goes.
struct Stages<'a> {
    progress: &'a Progress,
    done: Vec<StageReport>,
    current: Option<(&'static str, Instant)>,
}

impl<'a> Stages<'a> {
    fn new(progress: &'a Progress) -> Stages<'a> {
        Stages {
            progress,
            done: Vec::new(),
            current: None,
        }
    }

    fn start(&mut self, name: &'static str, detail: &str) {
        self.finish();
        let step = self.done.len() + 1;
        self.progress.line(&format!("STEP {step}: {name}{detail}"));
        self.current = Some((name, Instant::now()));
    }

    fn finish(&mut self) {
        if let Some((name, started)) = self.current.take() {
            self.done.push(StageReport {
                name,
                seconds: started.elapsed().as_secs_f64(),
            });
        }
    }
}

/// Replaces the default panic message, which may quote a value (a panic payload can hold
/// anything), with one that says where and nothing else.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "pgward: internal error{at} (its message is not shown: it could contain data). The new database is dropped; please report this."
        );
    }));
}

/// Runs a sync (or a dry run) to the end. Blocking: it drives its own tokio runtimes.
pub fn run(options: &SyncOptions) -> Result<RunReport, SyncError> {
    block_on(run_async(options))
}

/// Runs a sync (or a dry run) whose source is a pg_dump archive or plain dump at `dump` instead
/// of `options.source` (which is ignored); see [`archive_source`].
pub fn run_dump(options: &SyncOptions, dump: &Path) -> Result<RunReport, SyncError> {
    block_on(archive_source::run(options, dump))
}

fn block_on<T>(run: impl Future<Output = Result<T, SyncError>>) -> Result<T, SyncError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| SyncError::Internal(format!("tokio runtime: {e}")))?;
    runtime.block_on(run)
}

async fn run_async(options: &SyncOptions) -> Result<RunReport, SyncError> {
    let started = Instant::now();
    let started_at = SystemTime::now();
    let progress = Progress::new(options.display);
    let mut stages = Stages::new(&progress);
    interrupt::install();
    stages.start("preflight", "");

    let profile = Profile::load(&options.profile)?;
    let salt = Salt::resolve(profile.salt_source())?;
    let source_ep = Endpoint::parse("source", &options.source)?;
    let target_ep = Endpoint::parse("target", &options.target)?;
    let target = target_ep.dbname().to_owned();
    let new = swap::name_with_suffix(&target, NEW_SUFFIX);
    if !options.dry_run {
        if let Some(refusal) = preflight::safety_lock(options.safety_lock.as_deref()) {
            return Err(SyncError::Refused {
                problems: vec![refusal],
            });
        }
    }
    if let Err(problem) = swap::check_name_length(&target) {
        return Err(SyncError::Refused {
            problems: vec![Refusal::new(
                problem,
                "Use a shorter staging database name.",
            )],
        });
    }

    let source = source_ep.connect("source").await?;
    let source_info = catalog::server_info(&source)
        .await
        .map_err(|e| db_error("read the source server's identity", &e))?;
    let admin = Admin::connect(&target_ep).await?;
    let target_server = admin.server().await?;

    let mut refusals = Vec::new();
    refusals.extend(preflight::same_database(
        &source_info,
        &target_server,
        &target,
        &new,
    ));
    let comment = admin.comment(&target).await?;
    refusals.extend(preflight::production_target(
        &profile,
        &target,
        comment.as_deref(),
    ));
    if !refusals.is_empty() {
        return Err(SyncError::Refused { problems: refusals });
    }
    if !options.dry_run && !admin.lock(&target).await? {
        return Err(SyncError::AlreadyRunning { target });
    }
    let tools = tools::find(source_info.major())?;

    // The snapshot every table, the schema dump and the sequences are read from.
    let snapshot_conn = source_ep.connect("source").await?;
    let snapshot: String = {
        snapshot_conn
            .batch_execute(&format!(
                "{SOURCE_SESSION}; BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
            ))
            .await
            .map_err(|e| db_error("open the snapshot transaction on the source", &e))?;
        snapshot_conn
            .query_one("SELECT pg_export_snapshot()", &[])
            .await
            .map_err(|e| db_error("export a snapshot on the source", &e))?
            .get(0)
    };
    let tables = catalog::tables(&snapshot_conn)
        .await
        .map_err(|e| db_error("read the source's tables", &e))?;
    let sequences = catalog::sequences(&snapshot_conn)
        .await
        .map_err(|e| db_error("read the source's sequences", &e))?;
    let source_schema = verify::source_schema(&snapshot_conn).await?;
    let matviews = catalog::populated_matviews(&snapshot_conn)
        .await
        .map_err(|e| db_error("read the source's materialized views", &e))?;
    let (plan, plan_refusals) = Plan::build(&tables, &profile, &salt);
    refusals.extend(plan_refusals);
    refusals.extend(personal_data_refusals(&snapshot_conn, &tables, &profile).await?);
    refusals.extend(preflight::row_filters(&source, &plan).await);
    let foreign_keys = catalog::foreign_keys(&snapshot_conn)
        .await
        .map_err(|e| db_error("read the source's foreign keys", &e))?;
    refusals.extend(preflight::filtered_parents(&plan, &tables, &foreign_keys));
    if !refusals.is_empty() {
        return Err(SyncError::Refused { problems: refusals });
    }
    let report = new_report(
        report::SourceReport {
            database: source_info.database.clone(),
            system_identifier: source_info.system_identifier.clone(),
        },
        &target,
        options,
        &salt,
        started_at,
    );
    if options.dry_run {
        return Ok(finish_report(
            report, "dry_run", &plan, None, stages, started,
        ));
    }

    // From here on the new database exists: any failure (or Ctrl-C, SIGTERM) drops it.
    interrupt::loading(&target_ep, &new);
    let loaded = load(Load {
        options,
        profile: &profile,
        plan: &plan,
        sequences: &sequences,
        matviews: &matviews,
        tools: &tools,
        source_ep: &source_ep,
        target_ep: &target_ep,
        source_info: &source_info,
        snapshot_conn: &snapshot_conn,
        snapshot: &snapshot,
        source_schema: &source_schema,
        admin: &admin,
        target: &target,
        new: &new,
        stages: &mut stages,
        progress: &progress,
    })
    .await;
    let copied = match loaded {
        Ok(copied) => copied,
        Err(e) => return Err(abandon(&admin, &new, &progress, e).await),
    };

    let previous = swap_stage(&admin, options, &target, &new, &mut stages).await?;
    let mut report = finish_report(report, "synced", &plan, Some(&copied), stages, started);
    report.target.previous = previous;
    Ok(report)
}

/// The run report as a run starts: who, where, with which salt; tables come at the end.
fn new_report(
    source: report::SourceReport,
    target: &str,
    options: &SyncOptions,
    salt: &Salt,
    started_at: SystemTime,
) -> RunReport {
    RunReport {
        pgward_version: env!("CARGO_PKG_VERSION"),
        status: "dry_run",
        source,
        target: report::TargetReport {
            database: target.to_owned(),
            previous: None,
        },
        profile: options.profile.display().to_string(),
        salt_fingerprint: salt.fingerprint(),
        jobs: options.jobs,
        started_at: report::rfc3339(started_at),
        seconds: 0.0,
        stages: Vec::new(),
        tables: Vec::new(),
        totals: Totals::default(),
    }
}

/// The run report at the end: the tables (copied, or planned for a dry run), totals and stages.
fn finish_report(
    mut report: RunReport,
    status: &'static str,
    plan: &Plan,
    copied: Option<&[(String, TableStats)]>,
    mut stages: Stages<'_>,
    started: Instant,
) -> RunReport {
    stages.finish();
    report.status = status;
    report.tables = table_reports(plan, copied);
    report.totals = Totals {
        tables: report.tables.len(),
        rows: report.tables.iter().map(|t| t.rows).sum(),
        bytes: report.tables.iter().map(|t| t.bytes).sum(),
    };
    report.stages = stages.done;
    report.seconds = started.elapsed().as_secs_f64();
    report
}

struct Load<'a, 'b> {
    options: &'a SyncOptions,
    profile: &'a Profile,
    plan: &'a Plan,
    sequences: &'a [(String, String)],
    matviews: &'a [(String, String)],
    tools: &'a tools::ClientTools,
    source_ep: &'a Endpoint,
    target_ep: &'a Endpoint,
    source_info: &'a ServerInfo,
    snapshot_conn: &'a Client,
    snapshot: &'a str,
    source_schema: &'a [String],
    admin: &'a Admin,
    target: &'a str,
    new: &'a str,
    stages: &'a mut Stages<'b>,
    progress: &'a Progress,
}

/// A load that failed, for both sources: the half-built database is dropped (the old staging was
/// never touched) and the error goes on to the caller.
async fn abandon(admin: &Admin, new: &str, progress: &Progress, error: SyncError) -> SyncError {
    progress.clear();
    let _ = admin.drop_database(new).await;
    interrupt::done();
    error
}

/// Stage 7, for both sources: the new database takes the target's name. Returns the previous
/// staging's new name (`None` on a first run or with `--drop-old`). On failure the new database
/// is dropped.
async fn swap_stage(
    admin: &Admin,
    options: &SyncOptions,
    target: &str,
    new: &str,
    stages: &mut Stages<'_>,
) -> Result<Option<String>, SyncError> {
    stages.start("swap", &format!(": {new} becomes {target}"));
    let swapped = {
        let _guard = interrupt::swapping().await;
        admin.swap(target, new, options.drop_old).await
    };
    let previous = match swapped {
        Ok(previous) => previous,
        Err(e) => {
            let _ = admin.drop_database(new).await;
            interrupt::done();
            return Err(e);
        }
    };
    interrupt::done();
    stages.finish();
    Ok(previous)
}

/// Stage 6, for both sources: the profile's `[after] sql` on the new database.
async fn after_sql(
    conn: &Client,
    profile: &Profile,
    stages: &mut Stages<'_>,
) -> Result<(), SyncError> {
    stages.start("after-sql", "");
    for (i, sql) in profile.after_sql.iter().enumerate() {
        conn.batch_execute(sql)
            .await
            .map_err(|e| SyncError::AfterSql {
                index: i + 1,
                reason: describe_error(&e),
            })?;
    }
    Ok(())
}

/// Stages 2 to 6 into the new database; returns what the data stage copied.
async fn load(l: Load<'_, '_>) -> Result<Vec<(String, TableStats)>, SyncError> {
    let new_ep = l.target_ep.with_dbname(l.new);
    l.stages
        .start("pre-data", &format!(": schema into {}", l.new));
    // A run that was killed leaves its half-built database; nobody else uses it (advisory lock).
    // The staging before the current one goes now too: it frees its disk before the load, and
    // DROP DATABASE forces a checkpoint, cheap now, costly once the load has dirtied the buffers.
    l.admin.drop_database(l.new).await?;
    l.admin
        .drop_database(&swap::name_with_suffix(l.target, swap::OLD_SUFFIX))
        .await?;
    l.admin.create_database(l.new, l.source_info).await?;
    let archive = schema::dump(l.tools, l.source_ep, l.snapshot)?;
    schema::restore(
        l.tools,
        &archive,
        schema::Section::PreData,
        &new_ep,
        1,
        l.options.keep_owners,
    )?;

    l.stages.start(
        "data",
        &format!(
            ": {} tables, {} at a time",
            l.plan.tables.len(),
            l.options.jobs
        ),
    );
    let stage = data::DataStage {
        source: l.source_ep,
        target: &new_ep,
        snapshot: l.snapshot,
        jobs: l.options.jobs,
        progress: l.progress,
    };
    // Blocking: the workers run on their own threads and runtimes.
    let copied = stage.run(&l.plan.tables)?;
    let new_conn = new_ep.connect("target").await?;
    new_conn
        .batch_execute(TARGET_SESSION)
        .await
        .map_err(|e| db_error("prepare a session on the new database", &e))?;
    copy_sequences(l.snapshot_conn, &new_conn, l.sequences).await?;
    match l.profile.large_objects() {
        Some(crate::anonymize::LargeObjects::Keep) => {
            let n = copy_large_objects(l.snapshot_conn, &new_conn).await?;
            if n > 0 {
                l.progress.line(&format!(
                    "large objects: {n} copied, unmasked (large_objects = \"keep\")"
                ));
            }
        }
        _ => drop_large_objects(&new_conn).await?,
    }
    // Everything is read: release the snapshot, which holds back vacuum on the source.
    l.snapshot_conn
        .batch_execute("COMMIT")
        .await
        .map_err(|e| db_error("close the snapshot transaction", &e))?;

    l.stages
        .start("post-data", ": indexes, constraints, triggers, matviews");
    schema::restore(
        l.tools,
        &archive,
        schema::Section::PostData,
        &new_ep,
        l.options.jobs,
        l.options.keep_owners,
    )?;

    refresh_matviews(&new_conn, l.matviews).await?;

    l.stages.start("verify", ": row counts and schema");
    verify::row_counts(&new_conn, &l.plan.tables, &copied).await?;
    verify::schema(l.source_schema, &new_conn).await?;

    after_sql(&new_conn, l.profile, l.stages).await?;
    drop(new_conn);
    Ok(copied)
}

/// Refreshes the materialized views the source has populated, from the masked tables. One that
/// reads another not yet refreshed fails with SQLSTATE 55000 and waits for the next round.
async fn refresh_matviews(target: &Client, matviews: &[(String, String)]) -> Result<(), SyncError> {
    let mut pending: Vec<&(String, String)> = matviews.iter().collect();
    while !pending.is_empty() {
        let mut waiting = Vec::new();
        let mut last_error = None;
        for view in &pending {
            let sql = format!(
                "REFRESH MATERIALIZED VIEW {}.{}",
                quote_ident(&view.0),
                quote_ident(&view.1)
            );
            match target.batch_execute(&sql).await {
                Ok(()) => {}
                Err(e) if e.code().is_some_and(|c| c.code() == "55000") => {
                    waiting.push(*view);
                    last_error = Some(e);
                }
                Err(e) => {
                    return Err(db_error(
                        &format!("refresh materialized view {}.{}", view.0, view.1),
                        &e,
                    ));
                }
            }
        }
        if waiting.len() == pending.len() {
            let view = waiting[0];
            return Err(db_error(
                &format!("refresh materialized view {}.{}", view.0, view.1),
                &last_error.expect("a waiting view has its error"),
            ));
        }
        pending = waiting;
    }
    Ok(())
}

/// Fail closed: every column, JSON path, array or text the detector finds personal data in (by
/// name and by sampled values, in the snapshot) must be covered by the profile.
async fn personal_data_refusals(
    source: &Client,
    tables: &[catalog::Table],
    profile: &Profile,
) -> Result<Vec<Refusal>, SyncError> {
    let scan = detect::scan(source, tables, &profile.detect_options())
        .await
        .map_err(|e| db_error("sample the source for personal data", &e))?;
    let mut refusals: Vec<Refusal> = scan
        .unread
        .iter()
        .map(|table| {
            Refusal::new(
                format!("the source role may not read {table}"),
                format!("GRANT SELECT ON {table} to the role the sync connects as (or pg_read_all_data)."),
            )
        })
        .collect();
    // Large objects: one refusal that names the profile key, in place of the coverage check's.
    let large_objects = crate::pg::sample::large_objects(source)
        .await
        .map_err(|e| db_error("count the source's large objects", &e))?;
    let decided = profile.large_objects().is_some();
    refusals.extend(
        uncovered_refusals(&scan.findings, tables, profile)
            .into_iter()
            .filter(|r| {
                large_objects == 0 || !r.problem.starts_with(coverage::LARGE_OBJECTS_TABLE)
            }),
    );
    if large_objects > 0 && !decided {
        refusals.push(large_objects_refusal(format!(
            "the source holds {large_objects} large objects"
        )));
    }
    Ok(refusals)
}

/// The refusal of a source (or archive) with large objects and a profile without
/// `large_objects`: both sources say the same.
fn large_objects_refusal(what: String) -> Refusal {
    Refusal::new(
        what,
        "Large objects cannot be masked and may hold personal data: set `large_objects = \"drop\"` at the top of the profile to leave them out (columns referencing them keep OIDs that point at nothing, unless the profile masks them, e.g. with \"null\"), or `large_objects = \"keep\"` to copy them unmasked.",
    )
}

/// Bytes of a large object per `lo_get`/`lo_put` round trip.
const LO_CHUNK: i32 = 1 << 20;

/// `large_objects = "keep"` on a live source: every large object of the snapshot, copied into
/// the new database with its OID, [`LO_CHUNK`] bytes at a time. Returns how many.
async fn copy_large_objects(source: &Client, target: &Client) -> Result<u64, SyncError> {
    let oids: Vec<u32> = source
        .query(
            "SELECT oid FROM pg_catalog.pg_largeobject_metadata ORDER BY oid",
            &[],
        )
        .await
        .map_err(|e| db_error("list the source's large objects", &e))?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let get = source
        .prepare("SELECT pg_catalog.lo_get($1, $2, $3)")
        .await
        .map_err(|e| db_error("read the source's large objects", &e))?;
    // pg_dump 17 and newer write large objects' metadata into a schema-only dump.
    let create = target
        .prepare(
            "SELECT pg_catalog.lo_create($1) WHERE NOT EXISTS \
             (SELECT FROM pg_catalog.pg_largeobject_metadata WHERE oid = $1)",
        )
        .await
        .map_err(|e| db_error("create large objects in the new database", &e))?;
    let put = target
        .prepare("SELECT pg_catalog.lo_put($1, $2, $3)")
        .await
        .map_err(|e| db_error("write large objects into the new database", &e))?;
    for oid in &oids {
        target.execute(&create, &[oid]).await.map_err(|e| {
            db_error(
                &format!("create large object {oid} in the new database"),
                &e,
            )
        })?;
        let mut offset = 0i64;
        loop {
            let chunk: Vec<u8> = source
                .query_one(&get, &[oid, &offset, &LO_CHUNK])
                .await
                .map_err(|e| db_error(&format!("read large object {oid} of the source"), &e))?
                .get(0);
            if !chunk.is_empty() {
                target
                    .execute(&put, &[oid, &offset, &chunk])
                    .await
                    .map_err(|e| {
                        db_error(
                            &format!("write large object {oid} into the new database"),
                            &e,
                        )
                    })?;
            }
            if chunk.len() < LO_CHUNK as usize {
                break;
            }
            offset += chunk.len() as i64;
        }
    }
    Ok(oids.len() as u64)
}

/// `large_objects = "drop"`: none in the new database, even if the schema dump created some.
async fn drop_large_objects(target: &Client) -> Result<(), SyncError> {
    target
        .batch_execute("SELECT pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata")
        .await
        .map_err(|e| db_error("leave the large objects out of the new database", &e))
}

/// The detector's findings the profile does not cover, as refusals (both sources).
fn uncovered_refusals(
    findings: &[detect::Finding],
    tables: &[catalog::Table],
    profile: &Profile,
) -> Vec<Refusal> {
    let coverage = coverage::check(findings, tables, profile);
    coverage
        .uncovered
        .into_iter()
        .map(|u| {
            Refusal::new(
                format!(
                    "{}: {}, and the profile does not cover it: {}",
                    u.finding.location(),
                    u.finding.reason,
                    u.why
                ),
                u.fix,
            )
        })
        .collect()
}

/// Sets each sequence of the new database to the source's value.
async fn copy_sequences(
    source: &Client,
    target: &Client,
    sequences: &[(String, String)],
) -> Result<(), SyncError> {
    for (schema, name) in sequences {
        let qualified = format!("{}.{}", quote_ident(schema), quote_ident(name));
        let row = source
            .query_one(
                &format!("SELECT last_value, is_called FROM {qualified}"),
                &[],
            )
            .await
            .map_err(|e| db_error(&format!("read sequence {schema}.{name}"), &e))?;
        let (last, called): (i64, bool) = (row.get(0), row.get(1));
        target
            .batch_execute(&format!(
                "SELECT pg_catalog.setval({}, {last}, {called})",
                quote_literal(&qualified)
            ))
            .await
            .map_err(|e| db_error(&format!("set sequence {schema}.{name}"), &e))?;
    }
    Ok(())
}

fn table_reports(plan: &Plan, copied: Option<&[(String, TableStats)]>) -> Vec<TableReport> {
    let mut tables: Vec<TableReport> = plan
        .tables
        .iter()
        .map(|job| {
            let stats = copied.and_then(|c| c.iter().find(|(k, _)| *k == job.key).map(|(_, s)| *s));
            TableReport {
                table: job.key.clone(),
                rows: stats.map_or(job.est_rows.unwrap_or(0), |s| s.rows),
                bytes: stats.map_or(job.bytes, |s| s.bytes),
                seconds: stats.map_or(0.0, |s| s.seconds),
                rows_policy: match job.rows {
                    RowsPolicy::All => "all",
                    RowsPolicy::None => "none",
                    RowsPolicy::Where(_) => "where",
                },
                transformers: job
                    .masking
                    .masked_columns()
                    .into_iter()
                    .collect::<BTreeMap<_, _>>(),
            }
        })
        .collect();
    tables.sort_by(|a, b| a.table.cmp(&b.table));
    tables
}

fn db_error(action: &str, e: &tokio_postgres::Error) -> SyncError {
    SyncError::Database {
        action: action.to_owned(),
        reason: describe_error(e),
    }
}
