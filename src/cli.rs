//! The command line (clap derive). Every flag also reads a `PGWARD_*` variable.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::lint::report::Format;

#[derive(Debug, Parser)]
#[command(
    name = "pgward",
    version,
    about = "Keeps PostgreSQL schema changes and staging data safe",
    long_about = "Keeps PostgreSQL schema changes and staging data safe.\n\n\
        `pgward lint` flags migrations that take dangerous locks, rewrite tables, break running \
        code or lose data, and says what to write instead.\n\n\
        `pgward sync` copies production into a new staging database, masking PII in flight, \
        and swaps it in only when it is complete.\n\n\
        Exit codes: 0 clean (lint) or synced (sync); 1 findings at error severity (or the \
        configured fail_on), or a refused or failed sync; 2 usage, configuration or I/O errors."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint migration files, directories (walked for *.sql) or stdin (-).
    Lint(LintArgs),
    /// List every rule with its severity and what it catches.
    Rules(RulesArgs),
    /// Print a rule's full documentation.
    Explain(ExplainArgs),
    /// Copy a production database into a new staging database, masking PII on the way, then
    /// swap it in. Refuses to run unless STAGING_SAFETY_LOCK=enabled.
    Sync(SyncArgs),
    /// List the transformers a profile can use (Markdown table).
    Transformers,
    /// Audit an anonymization profile against a database (`check`), or write a first one (`init`).
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// Start a throwaway PostgreSQL, fill a small production-like database with fake PII, sync it
    /// with a shipped profile and show rows before and after.
    Demo(DemoArgs),
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files or directories to lint; `-` reads stdin. Directories are walked for *.sql, sorted.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value = "pretty", env = "PGWARD_FORMAT")]
    pub format: Format,

    /// Target PostgreSQL version (major; "11", "11.0" and "11.4" are the same). Default 15.
    #[arg(long, value_name = "VERSION", env = "PGWARD_PG_VERSION")]
    pub pg_version: Option<String>,

    /// Configuration file (default: pgward.toml in the working directory or a parent).
    #[arg(long, value_name = "FILE", env = "PGWARD_CONFIG")]
    pub config: Option<PathBuf>,

    /// Lint each file as if the migration runner wrapped it in a transaction.
    #[arg(long, env = "PGWARD_ASSUME_IN_TRANSACTION")]
    pub assume_in_transaction: bool,

    /// Lint only the migrations added or modified since the merge base of GITREF and HEAD
    /// (e.g. origin/main); the others are still read, in order, but report nothing.
    #[arg(long, value_name = "GITREF", env = "PGWARD_SINCE")]
    pub since: Option<String>,

    /// Turn a rule off (repeatable).
    #[arg(long, value_name = "RULE")]
    pub exclude: Vec<String>,

    /// Turn on an opt-in rule such as prefer-robust-stmts (repeatable).
    #[arg(long, value_name = "RULE")]
    pub include: Vec<String>,

    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, env = "PGWARD_FAIL_ON")]
    pub fail_on: Option<FailOn>,

    /// Colour in pretty output: auto (when stdout is a terminal), always, never.
    #[arg(long, value_enum, default_value = "auto", env = "PGWARD_COLOR")]
    pub color: Color,

    /// Path shown for stdin in output (e.g. the migration's file name in a pipeline).
    #[arg(long, value_name = "PATH", default_value = "<stdin>")]
    pub stdin_filename: String,

    /// Apply the fixes that have one safe rewrite (CONCURRENTLY, NOT VALID + VALIDATE,
    /// SET lock_timeout) to the files in place, then report what is left. With `-`, the fixed SQL
    /// goes to stdout and the report to stderr.
    #[arg(long, conflicts_with = "diff")]
    pub fix: bool,

    /// Print a unified diff of what --fix would change and write nothing; exit code 1 when there
    /// is something to fix.
    #[arg(long)]
    pub diff: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    Error,
    Warning,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DocFormat {
    Text,
    Json,
    /// A Markdown table (the README's rule table is this output).
    Markdown,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value = "text")]
    pub format: DocFormat,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Rule id, e.g. require-concurrent-index-creation.
    pub rule: String,
    #[arg(long, value_enum, default_value = "text")]
    pub format: DocFormat,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The database to copy (libpq URL or `key=value` string). Only read-only transactions are run.
    #[arg(
        long,
        value_name = "URL",
        env = "PGWARD_SOURCE",
        required_unless_present = "dump"
    )]
    pub source: Option<String>,

    /// Copy from a pg_dump archive instead of a live database: a custom-format file (`pg_dump
    /// -Fc`, also written through a pipe), a directory (`pg_dump -Fd`), or a plain SQL dump
    /// (`.sql`, `.sql.gz`); the format is read from the content. No pg_restore needed.
    #[arg(
        long,
        value_name = "PATH",
        env = "PGWARD_DUMP",
        conflicts_with = "source"
    )]
    pub dump: Option<PathBuf>,

    /// The staging database to replace (it need not exist yet). The load goes into
    /// `<name>__pgward_new`, swapped in once verified; the previous staging is kept as
    /// `<name>__pgward_old` until the next run.
    #[arg(long, value_name = "URL", env = "PGWARD_TARGET")]
    pub target: String,

    /// The anonymization profile (TOML).
    #[arg(long, value_name = "FILE", env = "PGWARD_PROFILE")]
    pub profile: PathBuf,

    /// Tables copied at once (default: the number of CPU cores).
    #[arg(long, value_name = "N", env = "PGWARD_JOBS")]
    pub jobs: Option<usize>,

    /// Check everything and print the plan (tables, row estimates, transformers), write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Write a JSON run report (tables, rows, bytes, seconds, transformers; never a value).
    #[arg(long, value_name = "FILE", env = "PGWARD_REPORT")]
    pub report: Option<PathBuf>,

    /// Must be `enabled` for the sync to run (a guard against running it by accident).
    #[arg(
        long,
        value_name = "enabled",
        env = "STAGING_SAFETY_LOCK",
        hide_env_values = true
    )]
    pub safety_lock: Option<String>,

    /// Keep owners and grants (the roles must exist on the target). Default: objects belong to
    /// the user the sync connects as, without grants.
    #[arg(long)]
    pub keep_owners: bool,

    /// Drop the previous staging right after the swap instead of keeping it as
    /// `<name>__pgward_old` until the next run.
    #[arg(long)]
    pub drop_old: bool,

    /// Progress display: bars on a terminal, log lines otherwise.
    #[arg(long, value_enum, default_value = "auto", env = "PGWARD_PROGRESS")]
    pub progress: ProgressMode,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ProgressMode {
    /// Bars when stderr is a terminal, log lines otherwise.
    Auto,
    Bars,
    Log,
    /// Only errors and the final summary.
    Quiet,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Leave the throwaway cluster running and print how to connect to it (stop it with Ctrl-C).
    #[arg(long)]
    pub keep: bool,
}

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Detect personal data in the source (column names and sampled values, inside JSON, arrays
    /// and free text) and fail (exit 1) when the profile leaves any of it uncovered, or names
    /// tables or columns that no longer exist.
    Check(ProfileCheckArgs),
    /// Write a starting profile from what the detector finds, each entry with its reason.
    Init(ProfileInitArgs),
}

#[derive(Debug, Args)]
pub struct ProfileCheckArgs {
    /// The database to audit (only read-only queries are run).
    #[arg(long, value_name = "URL", env = "PGWARD_SOURCE")]
    pub source: String,

    /// The anonymization profile (TOML).
    #[arg(long, value_name = "FILE", env = "PGWARD_PROFILE")]
    pub profile: PathBuf,

    /// Output format: a table for people, JSON for CI.
    #[arg(long, value_enum, default_value = "text")]
    pub format: AuditFormat,

    /// Rows sampled per table for value detection (default: the profile's `[detect]
    /// sample_rows`, else 200).
    #[arg(long, value_name = "N")]
    pub sample_rows: Option<u32>,
}

#[derive(Debug, Args)]
pub struct ProfileInitArgs {
    /// The database to scan (only read-only queries are run).
    #[arg(long, value_name = "URL", env = "PGWARD_SOURCE")]
    pub source: String,

    /// Where to write the profile (default: stdout). An existing file is not overwritten.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Rows sampled per table for value detection (default: the profile's `[detect]
    /// sample_rows`, else 200).
    #[arg(long, value_name = "N")]
    pub sample_rows: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    Text,
    Json,
}
