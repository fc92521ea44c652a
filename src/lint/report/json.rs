//! `--format json`: one object, the contract in design.md that other tools parse.
//!
//! Keys appear in the documented order (serde serializes struct fields in
//! declaration order), and the optional facts are `null` rather than missing,
//! so a consumer can rely on every key being there. Keys may be added, never
//! renamed or removed.

use std::io::{self, Write};

use serde::Serialize;

use super::Counts;
use crate::lint::FileReport;
use crate::lint::diagnostic::{Diagnostic, FixVerdict};
use crate::lint::line_index::LineIndex;

#[derive(Serialize)]
struct Output<'a> {
    files_checked: usize,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    path: &'a str,
    rule: &'static str,
    severity: &'static str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
    help: &'a str,
    /// `ACCESS EXCLUSIVE`, `SHARE`, ... or null.
    lock: Option<&'static str>,
    /// What the lock blocks: `reads and writes`, `writes`, ... or null.
    blocks: Option<&'static str>,
    rewrites_table: Option<bool>,
    /// What `pgward lint --fix` would change for this diagnostic, or null.
    fix: Option<JsonFix<'a>>,
}

/// A fix as `--fix` applies it (added key: older consumers ignore it).
#[derive(Serialize)]
struct JsonFix<'a> {
    /// What it does: "Add CONCURRENTLY".
    title: &'a str,
    /// Always `safe` today: `--fix` applies only fixes that keep what the migration does.
    applicability: &'static str,
    /// Replace the text from (line, column) up to (end_line, end_column) with `content`; an
    /// insertion has equal start and end. 1-based, columns in characters, as the diagnostic's.
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    content: &'a str,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
}

impl<'a> JsonDiagnostic<'a> {
    fn new(report: &'a FileReport, d: &'a Diagnostic) -> JsonDiagnostic<'a> {
        let path = report.path.as_str();
        JsonDiagnostic {
            path,
            rule: d.rule.as_str(),
            severity: d.severity.as_str(),
            line: d.start.line,
            column: d.start.column,
            end_line: d.end.line,
            end_column: d.end.column,
            message: &d.message,
            help: &d.help,
            lock: d.lock.map(|l| l.sql()),
            blocks: d.lock.map(|l| l.blocks()),
            rewrites_table: d.rewrites_table,
            fix: match &d.fix {
                Some(FixVerdict::Fix(fix)) => Some(JsonFix {
                    title: &fix.title,
                    applicability: fix.applicability.as_str(),
                    edits: fix
                        .edits
                        .iter()
                        .map(|e| {
                            let at = |offset| position(&report.line_index, &report.text, offset);
                            let (line, column) = at(e.range.start);
                            let (end_line, end_column) = at(e.range.end);
                            JsonEdit {
                                line,
                                column,
                                end_line,
                                end_column,
                                content: &e.replacement,
                            }
                        })
                        .collect(),
                }),
                _ => None,
            },
        }
    }
}

fn position(index: &LineIndex, text: &str, offset: usize) -> (usize, usize) {
    let p = index.position(text, offset);
    (p.line, p.column)
}

pub(super) fn render(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    let counts = Counts::of(reports);
    let output = Output {
        files_checked: reports.len(),
        diagnostics: reports
            .iter()
            .flat_map(|r| r.diagnostics.iter().map(|d| JsonDiagnostic::new(r, d)))
            .collect(),
        summary: Summary {
            errors: counts.errors,
            warnings: counts.warnings,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &output)?;
    writeln!(out)
}
