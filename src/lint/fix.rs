//! `pgward lint --fix` and `--diff`: apply the rules' mechanical fixes.
//!
//! A rule that can rewrite what it reports attaches a [`Fix`] to its [`Finding`] (ruff's design:
//! the rule that finds a problem knows its fix). This module decides which fixes may be applied to
//! a migration, applies them, and loops:
//!
//! 1. Lint the file as the engine does ([`super::lint_migration`]): what is reported there, after
//!    suppressions, is what may be fixed. The engine asks [`verdict`] about each finding of a
//!    fixable rule: it keeps the fixes the migration runner allows ([`Needs`]: `CONCURRENTLY`
//!    only outside a transaction block, `VALIDATE` only where it commits apart from the `ADD`, a
//!    new statement only where it does not change how the file runs) and whose edits lie inside
//!    the linted statements (never in a blanked down section), and says why for the others. The
//!    diagnostics carry that verdict (JSON output shows the fixes too).
//! 2. Take the fixes that do not overlap a fix already taken.
//! 3. Apply them, then start again on the new text, up to [`MAX_PASSES`] times (a fix skipped for
//!    overlapping another gets its turn in the next pass), until nothing is left to fix.
//!
//! Down files are never read here (the caller passes only linted migrations), and down sections
//! are blanked in the text the rules see, so no fix can land in them.

use std::io::{self, Write};
use std::ops::Range;
use std::path::Path;

use super::diagnostic::{Applicability, Edit, Finding, Fix, FixVerdict, Needs};
use super::layout::{Prepared, Transaction};
use super::rules::RuleId;
use super::source::Migration;
use super::statement::Statement;
use super::{LintSettings, SourceFile};

/// Passes over one file: each applies every fix that does not overlap another, so two or three
/// suffice; the bound only guards against a fix that keeps producing work.
pub const MAX_PASSES: usize = 4;

/// The rules that offer fixes.
pub const FIXABLE: [RuleId; 4] = [
    RuleId::RequireConcurrentIndexCreation,
    RuleId::RequireConcurrentIndexDeletion,
    RuleId::ConstraintMissingNotValid,
    RuleId::RequireTimeoutSettings,
];

/// A reported finding of a fixable rule that was left as it is, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unfixed {
    pub rule: RuleId,
    /// The diagnostic's message (to recognise it in another pass).
    pub message: String,
    pub line: usize,
    pub column: usize,
    pub reason: String,
}

/// What fixing one file did.
#[derive(Clone, Debug)]
pub struct FixedFile {
    /// The text after every pass (equal to the input when nothing was fixed).
    pub text: String,
    /// Fixes applied, over all passes.
    pub applied: usize,
    /// Findings of fixable rules still reported in the fixed text, with the reason each has no
    /// automatic fix (positions in the fixed text).
    pub unfixed: Vec<Unfixed>,
    /// The same, as the first pass saw them (positions in the original text).
    pub unfixed_before: Vec<Unfixed>,
}

/// Applies the fixes the runner allows to one migration, pass after pass.
pub fn fix_migration(m: &Migration, settings: &LintSettings) -> FixedFile {
    let name = m
        .disk_path
        .clone()
        .unwrap_or_else(|| m.file.path.clone().into());
    let mut text = m.file.text.clone();
    let mut applied = 0;
    let mut first_unfixed = None;
    let mut passes = 0;
    let unfixed = loop {
        let pass = fix_pass(m, &name, &text, settings);
        first_unfixed.get_or_insert_with(|| pass.unfixed.clone());
        passes += 1;
        if pass.edits.is_empty() || passes > MAX_PASSES {
            break pass.unfixed;
        }
        applied += pass.fixes;
        text = apply(&text, &pass.edits);
    };
    // Where the original text had them, for those still there at the end (a finding that another
    // fix made go away, such as a lock_timeout for an index now built CONCURRENTLY, is not one).
    let unfixed_before = first_unfixed
        .unwrap_or_default()
        .into_iter()
        .filter(|u| {
            unfixed
                .iter()
                .any(|v| v.rule == u.rule && v.message == u.message)
        })
        .collect();
    FixedFile {
        text,
        applied,
        unfixed,
        unfixed_before,
    }
}

/// One pass: the edits to apply (sorted, non-overlapping) and what stays unfixed.
struct Pass {
    edits: Vec<Edit>,
    fixes: usize,
    unfixed: Vec<Unfixed>,
}

/// What the runner makes of the file's new text: its layout prepares it again (a fix may change
/// the transaction mode, e.g. Flyway's), unless the caller set the transaction mode itself
/// (`[migrations] transaction` in `pgward.toml`), which then stays.
pub fn reprepare(m: &Migration, name: &Path, text: &str) -> Prepared {
    let mut prepared = m.layout.prepare(name, text);
    if m.layout.prepare(name, &m.file.text).transaction != m.prepared.transaction {
        prepared.transaction = m.prepared.transaction;
        prepared.reason = m.prepared.reason;
    }
    prepared
}

fn fix_pass(m: &Migration, name: &Path, text: &str, settings: &LintSettings) -> Pass {
    let prepared = reprepare(m, name, text);
    let report = super::lint_migration(
        SourceFile {
            path: m.file.path.clone(),
            text: text.to_owned(),
        },
        prepared.lint_text,
        prepared.transaction,
        // Reversibility findings have no fixes: the pass need not pair the down part.
        &super::rules::DownPart::NotExpected,
        settings,
    );

    let crlf = text.contains("\r\n");
    let mut taken: Vec<Range<usize>> = Vec::new();
    let mut edits = Vec::new();
    let mut fixes = 0;
    let mut unfixed = Vec::new();
    for d in &report.diagnostics {
        let fix = match &d.fix {
            None => continue,
            Some(FixVerdict::Fix(fix)) => fix,
            Some(FixVerdict::NoFix(reason)) => {
                unfixed.push(Unfixed {
                    rule: d.rule,
                    message: d.message.clone(),
                    line: d.start.line,
                    column: d.start.column,
                    reason: reason.clone(),
                });
                continue;
            }
        };
        let ranges: Vec<Range<usize>> = fix.edits.iter().map(|e| e.range.clone()).collect();
        if ranges.iter().any(|r| taken.iter().any(|t| overlaps(t, r))) {
            // Its turn comes in the next pass, on the text the other fix left.
            continue;
        }
        for (e, r) in fix.edits.iter().zip(ranges) {
            taken.push(r.clone());
            // New lines end the way the file's lines do.
            let replacement = if crlf && !e.replacement.contains('\r') {
                e.replacement.replace('\n', "\r\n")
            } else {
                e.replacement.clone()
            };
            edits.push(Edit {
                range: r,
                replacement,
            });
        }
        fixes += 1;
    }
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    Pass {
        edits,
        fixes,
        unfixed,
    }
}

/// What `--fix` does with a finding of `rule` in a file the runner runs as `transaction`: the
/// fix, its edits placed where they land in `file_text`, when the runner lets it work as intended;
/// else why not. `None` for the rules that offer no fixes. `statements`: the linted statements'
/// ranges; `top_statements`: how many statements run at the top level (not inside `DO`).
pub(crate) fn verdict(
    rule: RuleId,
    finding: &Finding,
    file_text: &str,
    statements: &[Range<usize>],
    transaction: Transaction,
    top_statements: usize,
) -> Option<FixVerdict> {
    if !FIXABLE.contains(&rule) {
        return None;
    }
    Some(match (&finding.fix, &finding.no_fix) {
        (Some(fix), _) => match allowed(fix, transaction, top_statements, statements) {
            Ok(fix) => FixVerdict::Fix(Fix {
                edits: fix
                    .edits
                    .iter()
                    .map(|e| Edit {
                        range: anchored(file_text, statements, e),
                        replacement: e.replacement.clone(),
                    })
                    .collect(),
                ..fix.clone()
            }),
            Err(reason) => FixVerdict::NoFix(reason),
        },
        (None, Some(reason)) => FixVerdict::NoFix(reason.clone()),
        (None, None) => FixVerdict::NoFix("this finding has no mechanical rewrite".to_owned()),
    })
}

/// Whether the migration runner lets the fix work as intended, and its edits stay inside the
/// statements that run (never in a blanked section).
fn allowed<'f>(
    fix: &'f Fix,
    transaction: Transaction,
    top_statements: usize,
    statements: &[Range<usize>],
) -> Result<&'f Fix, String> {
    if fix.applicability != Applicability::Safe {
        return Err(format!("{} changes what the migration does", fix.title));
    }
    let one_query = "the migration runner sends the file as one query";
    match (fix.needs, transaction) {
        (Needs::NoTransactionBlock | Needs::SeparateCommits, Transaction::Wrapped) => {
            return Err(
                "the migration runner wraps the file in a transaction: move the statement to a \
                 migration of its own that runs without one"
                    .to_owned(),
            );
        }
        (Needs::NoTransactionBlock, Transaction::OneQuery) if top_statements > 1 => {
            return Err(format!(
                "{one_query}, and PostgreSQL runs its {top_statements} statements in one \
                 implicit transaction block, where CONCURRENTLY fails: move the statement to a \
                 migration of its own"
            ));
        }
        (Needs::SeparateCommits, Transaction::OneQuery) => {
            return Err(format!(
                "{one_query}: the ADD and the VALIDATE would share one implicit transaction; add \
                 NOT VALID here and VALIDATE CONSTRAINT in the next migration"
            ));
        }
        (Needs::AnotherStatement, Transaction::OneQuery) if top_statements == 1 => {
            return Err(format!(
                "{one_query}: with a second statement PostgreSQL would run both in one implicit \
                 transaction block; add SET lock_timeout by hand if the statement may run in one"
            ));
        }
        _ => {}
    }
    // Statements come in file order and do not overlap: the one that could hold `at` is the last
    // that starts at or before it (a binary search, as the engine asks for every finding).
    let inside = |at: usize| {
        let i = statements.partition_point(|s| s.start <= at);
        i > 0 && at <= statements[i - 1].end
    };
    if fix
        .edits
        .iter()
        .any(|e| !inside(e.range.start) || !inside(e.range.end))
    {
        return Err("the fix would edit text outside the statements that run".to_owned());
    }
    Ok(fix)
}

/// Where an edit lands in the file. An insertion at a statement's start (a new statement before
/// it) goes before the statement's indentation and before the `-- pgward-ignore` comments right
/// above it, which must stay attached to the statement they silence (and before a goose
/// `StatementBegin` line, which makes the block one statement).
fn anchored(text: &str, statements: &[Range<usize>], e: &Edit) -> Range<usize> {
    let at_a_start = statements
        .binary_search_by_key(&e.range.start, |s| s.start)
        .is_ok();
    if !e.range.is_empty() || !at_a_start {
        return e.range.clone();
    }
    let mut at = e.range.start;
    let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    if text[line_start..at].chars().all(|c| c == ' ' || c == '\t') {
        at = line_start;
        while at > 0 {
            let prev_start = text[..at - 1].rfind('\n').map_or(0, |n| n + 1);
            let line = text[prev_start..at - 1].trim();
            let ignore = line.starts_with("--")
                && (line.contains("pgward-ignore") || line.contains("squawk-ignore"));
            // goose sends a StatementBegin ... StatementEnd block as one statement: the new
            // statement goes before the block, not into it.
            let block = line.len() >= 24
                && line.is_char_boundary(24)
                && line[..24].eq_ignore_ascii_case("-- +goose StatementBegin");
            if !ignore && !block {
                break;
            }
            at = prev_start;
        }
    }
    at..at
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    // Two insertions at one place overlap too: their order would be a guess.
    a.start < b.end && b.start < a.end || a.start == b.start
}

/// Applies sorted, non-overlapping edits.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for e in edits {
        out.push_str(&text[at..e.range.start]);
        out.push_str(&e.replacement);
        at = e.range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// A unified diff of one file (`--- a/path`, `+++ b/path`), empty when nothing changed.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// An edit inserting `insert` right after `word` (a byte range of the statement, e.g. a keyword),
/// in the word's case: `concurrently` after `index`, `CONCURRENTLY` after `INDEX`.
pub fn insert_after(stmt: &Statement, word: Range<usize>, insert: &str) -> Edit {
    let written = word
        .start
        .checked_sub(stmt.span.start)
        .and_then(|from| stmt.text.get(from..word.end - stmt.span.start))
        .unwrap_or("");
    let lower = !written.is_empty() && written.bytes().all(|c| !c.is_ascii_uppercase());
    let insert = if lower {
        insert.to_ascii_lowercase()
    } else {
        insert.to_owned()
    };
    Edit::insert(word.end, insert)
}

/// What `--fix` / `--diff` did over all files.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub fixes: usize,
    pub files: usize,
    /// A file could not be written.
    pub errored: bool,
}

/// Whether to write the fixes or show them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Write fixed files in place; fixed stdin goes to `out`.
    Fix,
    /// Print a unified diff of each file that would change to `out`; write nothing.
    Diff,
}

/// Fixes the migrations (only the linted ones are touched): in [`Mode::Fix`] each changed file is
/// written and its migration updated to the fixed text, so that the caller reports what is left;
/// stdin's fixed SQL is written to `out`. In [`Mode::Diff`] the diffs go to `out`. The reasons
/// findings stay unfixed go to `err`.
pub fn run(
    mode: Mode,
    migrations: &mut [Migration],
    settings: &LintSettings,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Summary> {
    let mut summary = Summary::default();
    for m in migrations.iter_mut().filter(|m| m.is_linted()) {
        let fixed = fix_migration(m, settings);
        // Positions in the file as it is on disk afterwards.
        let unfixed = match mode {
            Mode::Fix => &fixed.unfixed,
            Mode::Diff => &fixed.unfixed_before,
        };
        for u in unfixed {
            writeln!(
                err,
                "{}:{}:{}: {}: no automatic fix: {}",
                m.file.path, u.line, u.column, u.rule, u.reason
            )?;
        }
        let changed = fixed.text != m.file.text;
        if changed {
            summary.fixes += fixed.applied;
            summary.files += 1;
        }
        match mode {
            Mode::Diff => {
                out.write_all(unified_diff(&m.file.path, &m.file.text, &fixed.text).as_bytes())?
            }
            Mode::Fix => {
                match &m.disk_path {
                    None => out.write_all(fixed.text.as_bytes())?,
                    Some(path) if changed => {
                        if let Err(e) = write_keeping_bom(path, &fixed.text) {
                            writeln!(
                                err,
                                "error: {}: cannot write the fixed file: {e}; it is unchanged",
                                m.file.path
                            )?;
                            summary.errored = true;
                            continue;
                        }
                    }
                    Some(_) => {}
                }
                if changed {
                    let name = m
                        .disk_path
                        .clone()
                        .unwrap_or_else(|| m.file.path.clone().into());
                    m.prepared = reprepare(m, &name, &fixed.text);
                    m.file.text = fixed.text;
                }
            }
        }
    }
    Ok(summary)
}

/// Writes `text` to `path`, with the byte-order mark the file had (reading drops it).
fn write_keeping_bom(path: &Path, text: &str) -> io::Result<()> {
    const BOM: &[u8] = "\u{feff}".as_bytes();
    let had_bom = std::fs::read(path).is_ok_and(|b| b.starts_with(BOM));
    let mut bytes = Vec::with_capacity(text.len() + 3);
    if had_bom {
        bytes.extend_from_slice(BOM);
    }
    bytes.extend_from_slice(text.as_bytes());
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_apply_in_order_and_insertions_keep_the_rest() {
        let text = "CREATE INDEX i ON t (a);";
        let edits = [
            Edit::insert(0, "SET x = 1;\n"),
            Edit::insert(12, " CONCURRENTLY"),
        ];
        assert_eq!(
            apply(text, &edits),
            "SET x = 1;\nCREATE INDEX CONCURRENTLY i ON t (a);"
        );
        let replaced = [Edit {
            range: 7..12,
            replacement: "UNIQUE INDEX".into(),
        }];
        assert_eq!(apply(text, &replaced), "CREATE UNIQUE INDEX i ON t (a);");
    }

    #[test]
    fn insertions_before_a_statement_go_above_its_ignore_comments() {
        let text = "SELECT 1;\n-- a note\n-- pgward-ignore: ban-drop-table\n  DROP TABLE t;\n";
        let start = text.find("DROP").unwrap();
        let stmts = vec![0..8, start..start + 12];
        let got = anchored(text, &stmts, &Edit::insert(start, "SET a = 1;\n"));
        let above = text.find("-- pgward-ignore").unwrap();
        assert_eq!(
            got,
            above..above,
            "before the ignore comment, after the note"
        );
        let goose = "-- +goose Up\n-- +goose StatementBegin\nALTER TABLE t ADD c int;\n";
        let start = goose.find("ALTER").unwrap();
        let alter = start..start + 23;
        let got = anchored(
            goose,
            std::slice::from_ref(&alter),
            &Edit::insert(start, "SET a = 1;\n"),
        );
        assert_eq!(got, 13..13, "before the StatementBegin line");
        // Not at a statement start: untouched.
        assert_eq!(anchored(text, &stmts, &Edit::insert(3, "x")), 3..3);
    }

    #[test]
    fn overlapping_and_same_point_edits_conflict() {
        assert!(overlaps(&(0..5), &(4..6)));
        assert!(overlaps(&(3..3), &(3..3)));
        assert!(!overlaps(&(0..3), &(3..5)));
        assert!(!overlaps(&(3..3), &(4..4)));
    }

    fn fixed(sql: &str) -> FixedFile {
        use crate::lint::layout::Layout;
        let m = Migration {
            file: SourceFile {
                path: "x.sql".into(),
                text: sql.into(),
            },
            disk_path: None,
            set: None,
            layout: Layout::Plain,
            prepared: Layout::Plain.prepare(Path::new("x.sql"), sql),
            down: crate::lint::rules::DownPart::NotExpected,
        };
        fix_migration(&m, &LintSettings::default())
    }

    fn reasons(f: &FixedFile) -> Vec<(RuleId, &str)> {
        f.unfixed
            .iter()
            .map(|u| (u.rule, u.reason.as_str()))
            .collect()
    }

    #[test]
    fn unnamed_foreign_keys_get_postgres_default_name() {
        let f =
            fixed("ALTER TABLE app.orders ADD FOREIGN KEY (customer_id, shop_id) REFERENCES c;");
        assert_eq!(
            f.text,
            "SET lock_timeout = '2s';\nALTER TABLE app.orders ADD CONSTRAINT \
             orders_customer_id_shop_id_fkey FOREIGN KEY (customer_id, shop_id) REFERENCES c NOT \
             VALID;\nALTER TABLE app.orders VALIDATE CONSTRAINT orders_customer_id_shop_id_fkey;"
        );
        assert_eq!(f.applied, 2);
        assert!(f.unfixed.is_empty());
        // A default name PostgreSQL would truncate: left alone.
        let long = format!(
            "ALTER TABLE orders ADD FOREIGN KEY ({}) REFERENCES c;",
            "x".repeat(60)
        );
        let f = fixed(&long);
        assert!(f.text.ends_with(&long), "{}", f.text);
        assert!(reasons(&f)[0].1.contains("truncates"), "{:?}", reasons(&f));
    }

    #[test]
    fn statements_with_more_than_one_change_are_left_alone() {
        for sql in [
            "ALTER TABLE orders ADD COLUMN a int, ADD CONSTRAINT c CHECK (a > 0);",
            "DROP INDEX a_idx, b_idx;",
            "DROP INDEX a_idx CASCADE;",
            "ALTER TABLE orders ADD COLUMN c bigint REFERENCES customers (id);",
        ] {
            let f = fixed(&format!("SET lock_timeout = '2s';\n{sql}"));
            assert!(f.text.ends_with(sql), "{sql} -> {}", f.text);
            assert_eq!(f.applied, 0, "{sql}");
            assert!(!f.unfixed.is_empty(), "{sql}: no reason given");
        }
    }

    #[test]
    fn do_blocks_and_if_exists_only() {
        let sql = "DO $$ BEGIN CREATE INDEX i ON orders (a); END $$;";
        let f = fixed(sql);
        assert_eq!(f.text, sql);
        assert!(
            reasons(&f).iter().any(|(_, r)| r.contains("DO block")),
            "{:?}",
            reasons(&f)
        );
        let f = fixed(
            "SET lock_timeout = 1000;\nALTER TABLE IF EXISTS ONLY t ADD CONSTRAINT c CHECK (a > 0);",
        );
        assert!(
            f.text.ends_with(
                "CHECK (a > 0) NOT VALID;\nALTER TABLE IF EXISTS ONLY t VALIDATE CONSTRAINT c;"
            ),
            "{}",
            f.text
        );
    }

    #[test]
    fn diff_names_both_sides_and_is_empty_without_changes() {
        let d = unified_diff("m/1.sql", "a\nb\n", "a\nc\n");
        assert!(d.starts_with("--- a/m/1.sql\n+++ b/m/1.sql\n"), "{d}");
        assert!(d.contains("-b\n+c\n"), "{d}");
        assert_eq!(unified_diff("x", "same", "same"), "");
    }
}
