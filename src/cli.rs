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
        Exit codes: 0 clean; 1 findings at error severity (or the configured fail_on); \
        2 usage, configuration or I/O errors."
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
