//! One function per command. Each returns an [`Outcome`] (the exit code) or an
//! error that `main` renders; nothing here exits the process.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use miette::{IntoDiagnostic, Result, WrapErr};

use crate::anonymize::{coverage, detect, scaffold};
use crate::cli::{
    AuditFormat, Cli, Color, Command, DocFormat, ExplainArgs, FailOn, LintArgs, ProfileCheckArgs,
    ProfileCommand, ProfileInitArgs, ProgressMode, RulesArgs, SyncArgs,
};
use crate::config::{self, Config};
use crate::lint::diagnostic::Severity;
use crate::lint::report::{self, PrettyOptions};
use crate::lint::rules::RuleId;
use crate::lint::{self, LintSettings, RuleSettings, source};
use crate::pg::catalog::{self, Table};
use crate::pg::connect::{Endpoint, describe_error};
use crate::sync;
use std::path::Path;

/// How a run ended; the exit code is a contract (design.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// 0: nothing at or above the failing severity.
    Clean,
    /// 1: findings at the failing severity (lint), or a refused or failed run (sync).
    Findings,
    /// 2: usage, configuration or I/O errors.
    Error,
}

impl From<Outcome> for ExitCode {
    fn from(o: Outcome) -> ExitCode {
        ExitCode::from(match o {
            Outcome::Clean => 0,
            Outcome::Findings => 1,
            Outcome::Error => 2,
        })
    }
}

pub fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Command::Lint(args) => lint(args),
        Command::Rules(args) => rules(args),
        Command::Explain(args) => explain(args),
        Command::Sync(args) => sync(args),
        Command::Demo(args) => crate::demo::run(args),
        Command::Profile(command) => profile(command),
        Command::Transformers => {
            print!("{}", crate::anonymize::transform::reference());
            Ok(Outcome::Clean)
        }
    }
}

fn load_config(explicit: Option<&std::path::Path>) -> Result<Config> {
    let path = match explicit {
        Some(p) => Some(p.to_owned()),
        None => std::env::current_dir()
            .ok()
            .and_then(|cwd| Config::discover(&cwd)),
    };
    match path {
        Some(p) => Ok(Config::load(&p)?),
        None => Ok(Config::default()),
    }
}

/// Flags over `pgward.toml` over defaults.
fn lint_settings(args: &LintArgs, config: &Config) -> Result<(LintSettings, FailOn)> {
    let pg_version = match &args.pg_version {
        Some(text) => config::parse_pg_version(text).ok_or_else(|| {
            miette::miette!(
                code = "pgward::cli::pg_version",
                help = "Pass a major version such as --pg-version 15 (\"11.4\" is read as 11).",
                "--pg-version {text}: not a PostgreSQL version"
            )
        })?,
        None => config.pg_version.unwrap_or(15),
    };
    let mut rules = RuleSettings::default();
    for rule in &config.include {
        rules.set_enabled(*rule, true);
    }
    for rule in &config.exclude {
        rules.set_enabled(*rule, false);
    }
    for (rule, severity) in &config.severity {
        rules.set_severity(*rule, *severity);
    }
    let parse = |id: &String, flag: &str| {
        id.parse::<RuleId>().map_err(|e| {
            miette::miette!(
                code = "pgward::cli::unknown_rule",
                help = "`pgward rules` lists every rule id.",
                "--{flag} {id}: {e}"
            )
        })
    };
    for id in &args.include {
        rules.set_enabled(parse(id, "include")?, true);
    }
    for id in &args.exclude {
        rules.set_enabled(parse(id, "exclude")?, false);
    }
    let settings = LintSettings {
        file: lint::context::FileSettings {
            pg_version,
            assume_in_transaction: args.assume_in_transaction || config.assume_in_transaction,
            profiles: load_pii_profiles(config)?,
            lock_timeout: config
                .lock_timeout
                .clone()
                .unwrap_or_else(|| lint::context::DEFAULT_LOCK_TIMEOUT.to_owned()),
        },
        rules,
    };
    let fail_on = args.fail_on.or(config.fail_on).unwrap_or(FailOn::Error);
    Ok((settings, fail_on))
}

/// The profiles `[anonymize] profiles` names, relative to the config file.
fn load_pii_profiles(config: &Config) -> Result<lint::context::PiiProfiles> {
    let base = config
        .path
        .as_deref()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut profiles = Vec::new();
    for written in &config.anonymize_profiles {
        let profile = crate::anonymize::Profile::load(&base.join(written))?;
        profiles.push((written.clone(), profile));
    }
    Ok(lint::context::PiiProfiles(std::sync::Arc::new(profiles)))
}

fn lint(args: LintArgs) -> Result<Outcome> {
    let config = load_config(args.config.as_deref())?;
    let (settings, fail_on) = lint_settings(&args, &config)?;

    let changed = match &args.since {
        Some(git_ref) => {
            let cwd = std::env::current_dir()
                .into_diagnostic()
                .wrap_err("cannot find the working directory")?;
            Some(source::changed_since(git_ref, &cwd)?)
        }
        None => None,
    };
    let (mut migrations, errors) =
        source::collect_migrations(&args.paths, &args.stdin_filename, config.layout);
    if let Some(transaction) = config.transaction {
        for m in &mut migrations {
            m.prepared.transaction = transaction;
            m.prepared.reason = "[migrations] transaction in pgward.toml";
        }
    }
    let mut errored = !errors.is_empty();
    for err in errors {
        eprintln!("{:?}", miette::Report::new(err));
    }

    // Every migration is read, in its runner's order, and the up parts of each directory's
    // migrations are replayed into its schema history; only the up parts selected by --since are
    // linted (stdin always). A file named on its own has no history: only a directory says which
    // migrations run before it, and in which order.
    for m in &mut migrations {
        if m.disk_path.as_ref().is_some_and(|p| args.paths.contains(p)) {
            m.set = None;
        }
    }
    let select = |m: &source::Migration| match (&changed, &m.disk_path) {
        (Some(changed), Some(path)) => {
            changed.selection(&std::fs::canonicalize(path).unwrap_or_else(|_| path.clone()))
        }
        _ => lint::Selection::Linted,
    };
    let is_selected = |m: &source::Migration| select(m) != lint::Selection::Deployed;

    // --fix / --diff (lint/fix.rs): fix the selected up parts first, then report what is left,
    // with the fixed texts in their places for the history.
    let fixing = if args.fix || args.diff {
        let mut selected: Vec<_> = migrations
            .iter()
            .filter(|m| m.is_linted() && is_selected(m))
            .cloned()
            .collect();
        let fixing = apply_fixes(&args, &mut selected, &settings, errored)?;
        let mut fixed = selected.into_iter();
        for m in migrations
            .iter_mut()
            .filter(|m| m.is_linted() && is_selected(m))
        {
            if let Some(f) = fixed.next() {
                *m = f;
            }
        }
        fixing
    } else {
        apply_fixes(&args, &mut [], &settings, errored)?
    };
    if let Some(outcome) = fixing.done {
        return Ok(outcome);
    }
    errored |= fixing.errored;

    let reports = lint::lint_migrations(migrations, select, &settings);
    for report in &reports {
        for bad in &report.bad_suppressions {
            let line = report
                .line_index
                .position(&report.text, bad.span.start)
                .line;
            eprintln!(
                "error: {}:{line}: {} in a pgward-ignore comment; `pgward rules` lists the rule ids",
                report.path, bad.error
            );
            errored = true;
        }
    }

    let stdout = io::stdout();
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let pretty = PrettyOptions {
        color,
        width: terminal_width(),
    };
    let mut out: Box<dyn Write> = if fixing.report_to_stderr {
        Box::new(io::stderr().lock())
    } else {
        Box::new(io::BufWriter::new(stdout.lock()))
    };
    report::render(args.format, &reports, &pretty, &mut out)
        .into_diagnostic()
        .wrap_err("cannot write the report")?;
    out.flush().into_diagnostic()?;

    let threshold = match fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
    };
    let failing = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| d.severity >= threshold);
    Ok(if errored {
        Outcome::Error
    } else if failing {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// What `--fix` / `--diff` leave for the rest of `lint`.
struct Fixing {
    /// `--diff` ends the run here.
    done: Option<Outcome>,
    /// A fixed file could not be written.
    errored: bool,
    /// Stdin's fixed SQL went to stdout: the report goes to stderr.
    report_to_stderr: bool,
}

/// `--fix` writes the fixes (stdin's fixed SQL to stdout) and lets `lint` report what is left;
/// `--diff` prints what `--fix` would change and ends the run: exit 1 when there is something to
/// fix (as ruff's `--diff`). Without either, nothing happens.
fn apply_fixes(
    args: &LintArgs,
    migrations: &mut [source::Migration],
    settings: &LintSettings,
    errored: bool,
) -> Result<Fixing> {
    let mode = match (args.fix, args.diff) {
        (_, true) => lint::fix::Mode::Diff,
        (true, false) => lint::fix::Mode::Fix,
        (false, false) => {
            return Ok(Fixing {
                done: None,
                errored: false,
                report_to_stderr: false,
            });
        }
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let summary = lint::fix::run(
        mode,
        migrations,
        settings,
        &mut out,
        &mut io::stderr().lock(),
    )
    .into_diagnostic()
    .wrap_err("cannot write the fixes")?;
    out.flush().into_diagnostic()?;
    let (findings, files) = (
        count(summary.fixes, "finding"),
        count(summary.files, "file"),
    );
    if mode == lint::fix::Mode::Diff {
        eprintln!("Would fix {findings} in {files}");
        let outcome = if errored || summary.errored {
            Outcome::Error
        } else if summary.files > 0 {
            Outcome::Findings
        } else {
            Outcome::Clean
        };
        return Ok(Fixing {
            done: Some(outcome),
            errored: summary.errored,
            report_to_stderr: false,
        });
    }
    eprintln!("Fixed {findings} in {files}");
    Ok(Fixing {
        done: None,
        errored: summary.errored,
        report_to_stderr: migrations.iter().any(|m| m.disk_path.is_none()),
    })
}

/// "1 file", "2 files".
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}

fn rules(args: RulesArgs) -> Result<Outcome> {
    let mut out = io::stdout().lock();
    match args.format {
        DocFormat::Json => {
            let rules: Vec<_> = RuleId::ALL.iter().map(|r| rule_json(*r)).collect();
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&rules).into_diagnostic()?
            )
            .into_diagnostic()?;
        }
        DocFormat::Markdown => write!(out, "{}", rules_markdown()).into_diagnostic()?,
        DocFormat::Text => {
            let width = RuleId::ALL
                .iter()
                .map(|r| r.as_str().len())
                .max()
                .unwrap_or(0);
            for rule in RuleId::ALL {
                let doc = rule.doc();
                let note = if doc.opt_in { " (opt-in)" } else { "" };
                writeln!(
                    out,
                    "{:<width$}  {:<7}  {}{note}",
                    rule.as_str(),
                    doc.severity.as_str(),
                    doc.summary
                )
                .into_diagnostic()?;
            }
        }
    }
    Ok(Outcome::Clean)
}

/// The rule table of the README, generated from the registry so that it never drifts
/// (`tests/readme.rs` fails when the README's copy is stale).
pub fn rules_markdown() -> String {
    let mut s = String::from("| Rule | Severity | What it catches |\n| --- | --- | --- |\n");
    for rule in RuleId::ALL {
        let doc = rule.doc();
        let severity = if doc.opt_in {
            format!("{} (opt-in)", doc.severity.as_str())
        } else {
            doc.severity.as_str().to_owned()
        };
        s.push_str(&format!(
            "| [`{id}`](rules/{id}.toml) | {severity} | {} |\n",
            doc.summary.replace('|', "\\|"),
            id = rule.as_str()
        ));
    }
    s
}

fn rule_json(rule: RuleId) -> serde_json::Value {
    let doc = rule.doc();
    serde_json::json!({
        "id": rule.as_str(),
        "severity": doc.severity,
        "summary": doc.summary,
        "why": doc.why,
        "instead": doc.instead,
        "applies_to": doc.applies_to,
        "fix": doc.fix,
        "opt_in": doc.opt_in,
        "references": doc.references,
        "examples": doc.example.iter().map(|e| serde_json::json!({"bad": e.bad, "good": e.good})).collect::<Vec<_>>(),
        "help_uri": rule.help_uri(),
    })
}

fn explain(args: ExplainArgs) -> Result<Outcome> {
    let rule: RuleId = args.rule.parse().map_err(|e| {
        miette::miette!(
            code = "pgward::cli::unknown_rule",
            help = "`pgward rules` lists every rule id.",
            "{e}"
        )
    })?;
    let mut out = io::stdout().lock();
    match args.format {
        DocFormat::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&rule_json(rule)).into_diagnostic()?
        ),
        DocFormat::Text | DocFormat::Markdown => write!(out, "{}", explain_text(rule)),
    }
    .into_diagnostic()?;
    Ok(Outcome::Clean)
}

/// The rule's documentation as Markdown: the same text for `pgward explain` and the docs.
pub fn explain_text(rule: RuleId) -> String {
    let doc = rule.doc();
    let mut s = format!(
        "# {}\n\n{}\n\nSeverity: {}{}. Applies to PostgreSQL {}.\n\n## Why is this bad?\n\n{}\n\n## What to do instead\n\n{}\n",
        rule.as_str(),
        doc.summary,
        doc.severity.as_str(),
        if doc.opt_in {
            " (opt-in: enable with `[rules] include`)"
        } else {
            ""
        },
        doc.applies_to,
        doc.why.trim(),
        doc.instead.trim()
    );
    for (i, example) in doc.example.iter().enumerate() {
        let n = if doc.example.len() > 1 {
            format!(" {}", i + 1)
        } else {
            String::new()
        };
        s.push_str(&format!(
            "\n## Example{n}\n\n```sql\n{}\n```\n\nUse instead:\n\n```sql\n{}\n```\n",
            example.bad.trim(),
            example.good.trim()
        ));
    }
    if let Some(safety) = &doc.fix_safety {
        s.push_str(&format!("\n## Fix safety\n\n{}\n", safety.trim()));
    }
    if !doc.references.is_empty() {
        s.push_str("\n## References\n\n");
        for r in &doc.references {
            s.push_str(&format!("- {r}\n"));
        }
    }
    s
}

fn sync(args: SyncArgs) -> Result<Outcome> {
    let display = match args.progress {
        ProgressMode::Auto if io::stderr().is_terminal() => sync::report::Display::Bars,
        ProgressMode::Auto | ProgressMode::Log => sync::report::Display::Log,
        ProgressMode::Bars => sync::report::Display::Bars,
        ProgressMode::Quiet => sync::report::Display::Quiet,
    };
    let options = sync::SyncOptions {
        source: args.source.unwrap_or_default(),
        target: args.target,
        profile: args.profile,
        jobs: args.jobs.unwrap_or_else(default_jobs).max(1),
        dry_run: args.dry_run,
        safety_lock: args.safety_lock,
        keep_owners: args.keep_owners,
        drop_old: args.drop_old,
        display,
    };
    match args.dump {
        Some(dump) => {
            sync::install_panic_hook();
            let run = sync::run_dump(&options, &dump);
            sync_outcome(&options, run, args.report.as_deref())
        }
        None => run_sync(&options, args.report.as_deref()),
    }
}

/// Runs a sync, prints its plan or summary, writes the report; refusals and failures are exit 1,
/// configuration errors exit 2.
pub(crate) fn run_sync(options: &sync::SyncOptions, report: Option<&Path>) -> Result<Outcome> {
    sync::install_panic_hook();
    sync_outcome(options, sync::run(options), report)
}

fn sync_outcome(
    options: &sync::SyncOptions,
    run: std::result::Result<sync::report::RunReport, sync::SyncError>,
    report: Option<&Path>,
) -> Result<Outcome> {
    match run {
        Ok(run) => {
            let text = if options.dry_run {
                run.plan()
            } else {
                run.summary()
            };
            print!("{text}");
            if let Some(path) = report {
                write_report(path, &run)?;
            }
            Ok(Outcome::Clean)
        }
        Err(e) if e.is_configuration() => Err(e.into()),
        Err(e) => {
            let message = e.to_string();
            eprintln!("{:?}", miette::Report::new(e));
            if let Some(path) = report {
                write_report(
                    path,
                    &serde_json::json!({
                        "pgward_version": env!("CARGO_PKG_VERSION"),
                        "status": "failed",
                        "error": message,
                    }),
                )?;
            }
            Ok(Outcome::Findings)
        }
    }
}

fn write_report(path: &Path, value: &impl serde::Serialize) -> Result<()> {
    let text = serde_json::to_string_pretty(value).into_diagnostic()? + "\n";
    std::fs::write(path, text)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot write the run report to {}", path.display()))
}

fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

fn profile(command: ProfileCommand) -> Result<Outcome> {
    match command {
        ProfileCommand::Check(args) => profile_check(args),
        ProfileCommand::Init(args) => profile_init(args),
    }
}

/// The source's tables and what the detector finds in them, read in one read-only snapshot.
fn scan_source(url: &str, options: detect::DetectOptions) -> Result<(Vec<Table>, detect::Scan)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .into_diagnostic()?;
    runtime.block_on(async {
        let source = Endpoint::parse("source", url)?.connect("source").await?;
        let read = |what: &'static str| {
            move |e: tokio_postgres::Error| {
                miette::miette!(
                    code = "pgward::profile::source",
                    "cannot {what} on the source: {}",
                    describe_error(&e)
                )
            }
        };
        source
            .batch_execute(&format!(
                "{}; BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                sync::SOURCE_SESSION
            ))
            .await
            .map_err(read("open a read-only transaction"))?;
        let tables = catalog::tables(&source)
            .await
            .map_err(read("read the tables"))?;
        let scan = detect::scan(&source, &tables, &options)
            .await
            .map_err(read("sample the tables"))?;
        source
            .batch_execute("COMMIT")
            .await
            .map_err(read("end the transaction"))?;
        Ok((tables, scan))
    })
}

fn profile_check(args: ProfileCheckArgs) -> Result<Outcome> {
    let profile = crate::anonymize::Profile::load(&args.profile)?;
    let mut options = profile.detect_options();
    if let Some(rows) = args.sample_rows {
        options.sample_rows = rows;
    }
    let (tables, scan) = scan_source(&args.source, options)?;
    let result = coverage::check(&scan.findings, &tables, &profile);
    let failed =
        !result.uncovered.is_empty() || !result.stale.is_empty() || !scan.unread.is_empty();
    let mut out = io::stdout().lock();
    match args.format {
        AuditFormat::Json => {
            let report = serde_json::json!({
                "profile": args.profile.display().to_string(),
                "covered": !failed,
                "findings": scan.findings,
                "uncovered": result.uncovered,
                "stale": result.stale,
                "unread": scan.unread,
            });
            serde_json::to_writer_pretty(&mut out, &report).into_diagnostic()?;
            writeln!(out).into_diagnostic()?;
        }
        AuditFormat::Text => {
            write!(out, "{}", audit_text(&args.profile, &scan, &result)).into_diagnostic()?;
        }
    }
    Ok(if failed {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// `profile check`'s report for people: the uncovered findings with their fixes, then stale
/// entries and unreadable tables, then a one-line verdict.
fn audit_text(profile: &Path, scan: &detect::Scan, result: &coverage::Coverage) -> String {
    let mut text = String::new();
    if !result.uncovered.is_empty() {
        text.push_str(&format!(
            "Personal data {} does not cover:\n\n",
            profile.display()
        ));
        for u in &result.uncovered {
            text.push_str(&format!(
                "  {}\n    found: {}\n    why:   {}\n    fix:   {}\n\n",
                u.finding.location(),
                u.finding.reason,
                u.why,
                u.fix
            ));
        }
    }
    if !result.stale.is_empty() {
        text.push_str("Profile entries for objects the database does not have:\n\n");
        for s in &result.stale {
            text.push_str(&format!("  {}\n", s.message));
        }
        text.push('\n');
    }
    if !scan.unread.is_empty() {
        text.push_str("Tables the role may not read (only their names were checked):\n\n");
        for t in &scan.unread {
            text.push_str(&format!("  {t}\n"));
        }
        text.push('\n');
    }
    let tables: std::collections::BTreeSet<&str> =
        scan.findings.iter().map(|f| f.table.as_str()).collect();
    text.push_str(&format!(
        "{} findings in {} tables: {} uncovered, {} stale profile entries, {} unreadable tables.\n",
        scan.findings.len(),
        tables.len(),
        result.uncovered.len(),
        result.stale.len(),
        scan.unread.len()
    ));
    text
}

fn profile_init(args: ProfileInitArgs) -> Result<Outcome> {
    if let Some(path) = &args.output {
        if path.exists() {
            return Err(miette::miette!(
                code = "pgward::profile::exists",
                help =
                    "Pick another file name, or remove it first: init never overwrites a profile.",
                "{} already exists",
                path.display()
            ));
        }
    }
    let mut options = detect::DetectOptions::default();
    if let Some(rows) = args.sample_rows {
        options.sample_rows = rows;
    }
    let (_, scan) = scan_source(&args.source, options)?;
    let text = scaffold::scaffold(&scan.findings);
    match &args.output {
        Some(path) => {
            std::fs::write(path, &text)
                .into_diagnostic()
                .wrap_err_with(|| format!("cannot write {}", path.display()))?;
            eprintln!(
                "Wrote {} with {} findings. Review each entry, set the salt, then run `pgward profile check`.",
                path.display(),
                scan.findings.len()
            );
        }
        None => print!("{text}"),
    }
    Ok(Outcome::Clean)
}
