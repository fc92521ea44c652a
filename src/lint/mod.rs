//! `pgward lint`: migration SQL in, diagnostics out.
//!
//! One pass per file: split into statements, lower each into operations, then
//! walk them in order with a [`Context`], calling every enabled rule on every
//! statement (ruff's single traversal, not a loop per rule). Reporters in
//! `report/` only format what this module returns.
//!
//! A migrations directory is linted with its schema history ([`lint_migrations`]): each
//! migration set is walked in its runner's order, every up part is replayed into a
//! [`history::History`], and each linted file starts from what the earlier ones left.

pub mod context;
pub mod diagnostic;
pub mod fallback;
pub mod fix;
pub mod history;
pub mod ignore;
pub mod layout;
pub mod line_index;
pub mod locks;
pub mod lower;
pub mod ops;
pub mod plpgsql;
pub mod report;
pub mod rules;
pub mod source;
pub mod split;
pub mod statement;

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use context::{Context, FileSettings};
use diagnostic::{Diagnostic, Finding, Severity};
use history::History;
use ignore::{BadSuppression, Scope, Suppression};
use line_index::LineIndex;
use rules::RuleId;
use statement::Statement;

/// One file (or stdin) to lint.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path as the user gave it (or `<stdin>`), used in every output format.
    pub path: String,
    pub text: String,
}

/// Which rules run, and how loud they are.
#[derive(Clone, Debug)]
pub struct RuleSettings {
    enabled: Vec<bool>,
    severity: HashMap<RuleId, Severity>,
}

impl Default for RuleSettings {
    /// Every rule that is not opt-in, at its documented severity.
    fn default() -> RuleSettings {
        RuleSettings {
            enabled: RuleId::ALL.iter().map(|r| !r.is_opt_in()).collect(),
            severity: HashMap::new(),
        }
    }
}

impl RuleSettings {
    /// Only this rule (fixture tests).
    pub fn only(rule: RuleId) -> RuleSettings {
        RuleSettings {
            enabled: RuleId::ALL.iter().map(|r| *r == rule).collect(),
            severity: HashMap::new(),
        }
    }

    pub fn set_enabled(&mut self, rule: RuleId, on: bool) {
        self.enabled[rule as usize] = on;
    }

    pub fn is_enabled(&self, rule: RuleId) -> bool {
        self.enabled[rule as usize]
    }

    pub fn set_severity(&mut self, rule: RuleId, severity: Severity) {
        self.severity.insert(rule, severity);
    }

    pub fn severity(&self, rule: RuleId) -> Severity {
        self.severity
            .get(&rule)
            .copied()
            .unwrap_or_else(|| rule.default_severity())
    }

    fn enabled_rules(&self) -> Vec<RuleId> {
        RuleId::ALL
            .iter()
            .copied()
            .filter(|r| self.is_enabled(*r))
            .collect()
    }
}

#[derive(Clone, Debug, Default)]
pub struct LintSettings {
    pub file: FileSettings,
    pub rules: RuleSettings,
}

/// The result of linting one file.
#[derive(Clone, Debug)]
pub struct FileReport {
    pub path: String,
    pub text: String,
    pub line_index: LineIndex,
    /// Sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    pub statements: usize,
    /// Suppression comments that name unknown rules: configuration errors (exit 2).
    pub bad_suppressions: Vec<BadSuppression>,
}

/// Lints one file, with no history.
pub fn lint_file(file: SourceFile, settings: &LintSettings) -> FileReport {
    let down = &rules::DownPart::NotExpected;
    lint_migration(file, None, layout::Transaction::Configured, down, settings)
}

/// What [`lint_migrations`] does with a migration, and whether it has run on the databases the
/// later ones will run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    /// Not linted; it has run (`--since`: unchanged since the base).
    Deployed,
    /// Linted; it has run: what it created exists, with rows (no `--since`, or modified since
    /// the base: an old migration edited in place).
    Linted,
    /// Linted, and part of the change under review (`--since`: added since the base): what it
    /// creates is new and empty for the later ones, unless an unchanged migration of its set
    /// comes after it (the runner ran it before that one, so it has run too).
    New,
}

/// Lints migrations with their schema history, returning a report per linted file, in order.
///
/// `migrations` come in runner order within each migration set ([`source::collect_migrations`]).
/// For each set (`Migration::set`), the up parts of all its migrations, linted or not, are
/// replayed in that order into a [`History`]; down parts are neither replayed nor linted. Up
/// parts that `select` does not call [`Selection::Deployed`] are linted, their [`Context`] seeded from the history of
/// the migrations before them. A migration without a set (stdin, a file named on its own) is
/// linted alone. A file that appears twice in a set is replayed once.
pub fn lint_migrations(
    migrations: Vec<source::Migration>,
    select: impl Fn(&source::Migration) -> Selection,
    settings: &LintSettings,
) -> Vec<FileReport> {
    let selections: Vec<Selection> = migrations
        .iter()
        .map(|m| match m.is_linted() {
            true => select(m),
            false => Selection::Deployed,
        })
        .collect();
    let selected: Vec<bool> = selections
        .iter()
        .map(|s| *s != Selection::Deployed)
        .collect();
    // Pending: new, and no unchanged migration of the set runs after it.
    let mut pending = vec![false; migrations.len()];
    let mut deployed_later: HashSet<&Path> = HashSet::new();
    for (i, m) in migrations.iter().enumerate().rev() {
        if !m.is_linted() {
            continue;
        }
        let Some(set) = m.set.as_deref() else {
            continue;
        };
        match selections[i] {
            Selection::New => pending[i] = !deployed_later.contains(set),
            Selection::Deployed => {
                deployed_later.insert(set);
            }
            Selection::Linted => {}
        }
    }

    let mut histories: HashMap<PathBuf, History> = HashMap::new();
    let mut replayed: HashSet<(PathBuf, PathBuf)> = HashSet::new();
    let mut reports = Vec::new();
    for ((m, selected), pending) in migrations.into_iter().zip(selected).zip(pending) {
        if !m.is_linted() {
            continue;
        }
        let first_time = match (&m.set, &m.disk_path) {
            (Some(set), Some(path)) => replayed.insert((set.clone(), path.clone())),
            _ => true,
        };
        let history = match &m.set {
            Some(set) if first_time => {
                let h = histories.entry(set.clone()).or_default();
                h.set_pending(pending);
                Some(h)
            }
            _ => None,
        };
        if selected {
            reports.push(lint_migration_with_history(
                m.file,
                m.prepared.lint_text,
                m.prepared.transaction,
                &m.down,
                settings,
                history,
            ));
        } else if let Some(history) = history {
            let text = runs(&m.file.text, m.prepared.lint_text.as_deref());
            let split = split::split(text);
            let statements = lower_all(text, &split.statements);
            let unparsed = split.error.map(|e| &text[e.span]);
            history.replay(&statements, unparsed);
        }
    }
    reports
}

/// What the runner runs of a file: its `lint_text` when it maps onto the file, else the file.
fn runs<'a>(file: &'a str, lint_text: Option<&'a str>) -> &'a str {
    lint_text.filter(|t| t.len() == file.len()).unwrap_or(file)
}

/// Lints one file as its migration runner runs it: `lint_text` (same length as the file, see
/// [`layout::Prepared::lint_text`]) is what the rules see when set, and `transaction` decides
/// `assume_in_transaction` for this file. Output positions and snippets come from the file's own
/// text. `down` is the migration's down part, for the reversibility rules. No history: see
/// [`lint_migration_with_history`].
pub fn lint_migration(
    file: SourceFile,
    lint_text: Option<String>,
    transaction: layout::Transaction,
    down: &rules::DownPart,
    settings: &LintSettings,
) -> FileReport {
    lint_migration_with_history(file, lint_text, transaction, down, settings, None)
}

/// [`lint_migration`] with a schema history: the rules start from what it knows, and the file
/// is then replayed into it.
pub fn lint_migration_with_history(
    file: SourceFile,
    lint_text: Option<String>,
    transaction: layout::Transaction,
    down: &rules::DownPart,
    settings: &LintSettings,
    history: Option<&mut History>,
) -> FileReport {
    let line_index = LineIndex::new(&file.text);
    // A text of another length would not map onto the file: lint the file as it is.
    let lint_text = lint_text.filter(|t| t.len() == file.text.len());
    let text = lint_text.as_deref().unwrap_or(&file.text);
    let split = split::split(text);

    let mut suppressions = Vec::new();
    let mut bad_suppressions = Vec::new();
    for comment in &split.comments {
        ignore::parse_comment(
            text,
            comment.clone(),
            &mut suppressions,
            &mut bad_suppressions,
        );
    }

    let statements = lower_all(text, &split.statements);
    let enabled = settings.rules.enabled_rules();
    let file_settings = FileSettings {
        assume_in_transaction: transaction.assume_in_transaction(&statements, &settings.file),
        ..settings.file.clone()
    };
    let mut ctx = Context::new(&file_settings);
    ctx.one_query_string = transaction == layout::Transaction::OneQuery
        && statements.iter().filter(|s| !s.in_do_block).count() > 1;
    if let Some(history) = &history {
        history.seed(&mut ctx, &statements);
    }
    // The reversibility rules replay the up part themselves, from the same start (history
    // included: irreversible-data-loss needs a column's type from an earlier file).
    let start = ctx.clone();
    let mut raw: Vec<(RuleId, Finding, Range<usize>)> = Vec::new();
    let mut findings = Vec::new();
    for stmt in &statements {
        for rule in &enabled {
            rule.checker().statement(stmt, &ctx, &mut findings);
            raw.extend(findings.drain(..).map(|f| (*rule, f, stmt.span.clone())));
        }
        ctx.apply(stmt);
    }
    // The end of what runs: with a blanked down section, where the up part ends.
    let end = if lint_text.is_some() {
        text.trim_end().len()
    } else {
        text.len()
    };
    for rule in &enabled {
        rule.checker().end_of_file(&ctx, end, &mut findings);
        let at = end..end;
        raw.extend(findings.drain(..).map(|f| (*rule, f, at.clone())));
    }
    for rule in &enabled {
        rule.checker()
            .migration(&statements, down, &start, &mut findings);
        raw.extend(findings.drain(..).map(|f| {
            let at = f.span.clone();
            (*rule, f, at)
        }));
    }
    if let Some(history) = history {
        history.replay(
            &statements,
            split.error.as_ref().map(|e| &text[e.span.clone()]),
        );
    }
    if let Some(err) = &split.error
        && settings.rules.is_enabled(RuleId::SyntaxError)
    {
        raw.push((
            RuleId::SyntaxError,
            Finding::new(
                err.span.clone(),
                err.message.clone(),
                "Close the quote or comment; everything after it was not linted.",
            ),
            err.span.clone(),
        ));
    }

    // Apply suppressions, remembering which ones were used.
    let mut used = vec![false; suppressions.len()];
    let statement_starts: Vec<usize> = split.statements.iter().map(|s| s.start).collect();
    raw.retain(|(rule, _, stmt_span)| {
        let owner = owning_statement(&statement_starts, stmt_span.start);
        let gap_start = owner
            .and_then(|i| i.checked_sub(1))
            .map_or(0, |prev| split.statements[prev].end);
        let hit = suppressions.iter().enumerate().find(|(_, s)| {
            s.rule == *rule
                && match s.scope {
                    Scope::File => true,
                    Scope::NextStatement => {
                        owner.is_some()
                            && s.comment.start >= gap_start
                            && s.comment.end <= stmt_span.start.max(gap_start)
                    }
                }
        });
        match hit {
            Some((i, _)) => {
                used[i] = true;
                false
            }
            None => true,
        }
    });
    if settings.rules.is_enabled(RuleId::UnusedIgnore) {
        for (s, _) in suppressions.iter().zip(&used).filter(|(_, u)| !**u) {
            raw.push((
                RuleId::UnusedIgnore,
                unused_ignore(s, &settings.rules),
                s.span.clone(),
            ));
        }
    }

    // What --fix would do with each finding, as the runner runs this file.
    let top_statements = statements.iter().filter(|s| !s.in_do_block).count();
    let fix_verdict = |rule, f: &Finding| {
        let ranges = &split.statements;
        fix::verdict(rule, f, &file.text, ranges, transaction, top_statements)
    };
    let mut diagnostics: Vec<Diagnostic> = raw
        .into_iter()
        .map(|(rule, f, _)| Diagnostic {
            rule,
            severity: settings.rules.severity(rule),
            start: line_index.position(&file.text, f.span.start),
            end: line_index.position(&file.text, f.span.end),
            fix: fix_verdict(rule, &f),
            span: f.span,
            message: f.message,
            help: f.help,
            lock: f.lock,
            rewrites_table: f.rewrites_table,
        })
        .collect();
    diagnostics.sort_by_key(|d| (d.span.start, d.rule));
    FileReport {
        path: file.path,
        line_index,
        diagnostics,
        statements: statements.len(),
        bad_suppressions,
        text: file.text,
    }
}

/// Index of the top-level statement that contains (or starts at) `offset`.
fn owning_statement(starts: &[usize], offset: usize) -> Option<usize> {
    match starts.binary_search(&offset) {
        Ok(i) => Some(i),
        Err(0) => None,
        Err(i) => Some(i - 1),
    }
}

fn unused_ignore(s: &Suppression, rules: &RuleSettings) -> Finding {
    let why = if rules.is_enabled(s.rule) {
        "it reports nothing here"
    } else {
        "that rule is not enabled"
    };
    Finding::new(
        s.span.clone(),
        format!("suppression of `{}` is unused: {why}", s.rule),
        "Remove the rule from the comment, so that it cannot hide a future problem.",
    )
}

/// Lowers every statement, expanding `DO` bodies (and the literals they `EXECUTE`) into statements
/// of their own that follow the block.
fn lower_all(text: &str, spans: &[Range<usize>]) -> Vec<Statement> {
    let mut out = Vec::with_capacity(spans.len());
    for span in spans {
        lower_into(&text[span.clone()], span.start, false, 0, &mut out);
    }
    out
}

fn lower_into(sql: &str, offset: usize, in_do: bool, depth: u32, out: &mut Vec<Statement>) {
    let lowered = lower::lower(sql);
    let syntax_error = lowered.error.map(|(message, span)| statement::SyntaxError {
        message,
        span: offset + span.start..offset + span.end,
    });
    out.push(Statement {
        span: offset..offset + sql.len(),
        text: sql.to_owned(),
        ops: lowered.ops,
        parsed_by: lowered.parsed_by,
        syntax_error,
        in_do_block: in_do,
    });
    if depth >= 4 {
        return;
    }
    for embedded in lowered.embedded {
        let start = offset + embedded.span.start;
        let before = out.len();
        lower_into(&embedded.text, start, true, depth + 1, out);
        if embedded.text.len() != embedded.span.len() {
            // An unescaped literal no longer maps byte for byte onto the file: its statements
            // point at the whole literal.
            for stmt in &mut out[before..] {
                stmt.span = start..offset + embedded.span.end;
                if let Some(e) = &mut stmt.syntax_error {
                    e.span = stmt.span.clone();
                }
            }
        }
    }
}

/// Splits and lowers a file without running rules (corpus measurements, `--fix`).
pub fn parse_file(text: &str) -> Vec<Statement> {
    lower_all(text, &split::split(text).statements)
}
