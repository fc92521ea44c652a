//! `--format github`: GitHub Actions workflow commands, one line per diagnostic,
//! which the runner turns into annotations on the pull request's diff.
//!
//! ```text
//! ::error file=m.sql,line=3,col=1,endLine=3,endColumn=52,title=rule-id::message Help: help
//! ```
//!
//! A newline in a message would end the command early, and `,`/`:` in a
//! property would end the property: both are percent-escaped as the runner
//! expects (`escapeData`/`escapeProperty` in the actions toolkit).

use std::io::{self, Write};

use crate::lint::FileReport;
use crate::lint::diagnostic::Diagnostic;

pub(super) fn render(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    for report in reports {
        for d in &report.diagnostics {
            writeln!(out, "{}", command(&report.path, d))?;
        }
    }
    Ok(())
}

/// The workflow command for one diagnostic, without the newline.
fn command(path: &str, d: &Diagnostic) -> String {
    let mut data = d.message.clone();
    if !d.help.is_empty() {
        data.push_str(" Help: ");
        data.push_str(&d.help);
    }
    format!(
        "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        d.severity.as_str(),
        escape_property(path),
        d.start.line,
        d.start.column,
        d.end.line,
        d.end.column,
        escape_property(d.rule.as_str()),
        escape_data(&data),
    )
}

/// Escapes the message part of a workflow command.
fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a property value (`file=...`, `title=...`) of a workflow command.
fn escape_property(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_and_properties_are_escaped() {
        assert_eq!(escape_data("50% a:b, c\r\nd"), "50%25 a:b, c%0D%0Ad");
        assert_eq!(
            escape_property("dir, x/50%:a\nb.sql"),
            "dir%2C x/50%25%3Aa%0Ab.sql"
        );
    }
}
