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
use crate::lint::diagnostic::Diagnostic;

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
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
}

impl<'a> JsonDiagnostic<'a> {
    fn new(path: &'a str, d: &'a Diagnostic) -> JsonDiagnostic<'a> {
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
        }
    }
}

pub(super) fn render(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    let counts = Counts::of(reports);
    let output = Output {
        files_checked: reports.len(),
        diagnostics: reports
            .iter()
            .flat_map(|r| {
                r.diagnostics
                    .iter()
                    .map(|d| JsonDiagnostic::new(&r.path, d))
            })
            .collect(),
        summary: Summary {
            errors: counts.errors,
            warnings: counts.warnings,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &output)?;
    writeln!(out)
}
