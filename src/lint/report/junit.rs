//! `--format junit`: JUnit XML, which most CI systems (GitLab, Jenkins, Azure DevOps, CircleCI,
//! Buildkite) show as a test report. One test suite per file; a file without findings is one
//! passing test case, each finding a failing one named after its rule and position.

use std::io::{self, Write};

use crate::lint::FileReport;

pub(super) fn render(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    let cases = |r: &FileReport| r.diagnostics.len().max(1);
    let tests: usize = reports.iter().map(cases).sum();
    let failures: usize = reports.iter().map(|r| r.diagnostics.len()).sum();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="pgward lint" tests="{tests}" failures="{failures}">"#
    )?;
    for report in reports {
        let path = escape(&report.path);
        writeln!(
            out,
            r#"  <testsuite name="{path}" tests="{}" failures="{}">"#,
            cases(report),
            report.diagnostics.len()
        )?;
        if report.diagnostics.is_empty() {
            writeln!(out, r#"    <testcase name="{path}" classname="{path}"/>"#)?;
        }
        for d in &report.diagnostics {
            writeln!(
                out,
                r#"    <testcase name="{} at {path}:{}:{}" classname="{path}" file="{path}" line="{}">"#,
                d.rule.as_str(),
                d.start.line,
                d.start.column,
                d.start.line
            )?;
            writeln!(
                out,
                r#"      <failure type="{}" message="{}">{}</failure>"#,
                d.severity.as_str(),
                escape(&d.message),
                escape_text(&format!(
                    "{} ({path}:{}:{})\nHelp: {}",
                    d.message, d.start.line, d.start.column, d.help
                ))
            )?;
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

/// Attribute escaping (newlines kept as character references); characters XML 1.0 cannot hold
/// become U+FFFD.
fn escape(text: &str) -> String {
    escape_with(text, true)
}

/// Element text escaping: newlines stay newlines.
fn escape_text(text: &str) -> String {
    escape_with(text, false)
}

fn escape_with(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' if !attribute => out.push('\n'),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{escape, escape_text};

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(escape(r#"a<b & "c"'"#), "a&lt;b &amp; &quot;c&quot;&apos;");
        assert_eq!(escape("x\u{1}y\nz"), "x\u{FFFD}y&#10;z");
        assert_eq!(escape_text("x<y\nz"), "x&lt;y\nz");
    }
}
