//! `--format pretty`: miette's graphical diagnostics, then a summary line.
//!
//! ```text
//!   × error[require-concurrent-index-creation]: CREATE INDEX blocks writes ...
//!    ╭─[migrations/0042.sql:3:1]
//!  2 │
//!  3 │ CREATE INDEX orders_created_idx ON orders (created_at);
//!    · ───────────────────────┬──────────────────────────────
//!    ·                        ╰── SHARE lock: blocks writes
//!    ╰────
//!   help: Use CREATE INDEX CONCURRENTLY ...
//!
//! 1 error in 1 file (3 statements)
//! 1 fixable with `pgward lint --fix` (`--diff` shows the changes first)
//! ```
//!
//! Rendering is linear in the number of diagnostics. miette's own
//! `SourceCode` for strings scans the text from its first byte for every span
//! it reads (three reads per diagnostic), which makes 20,000 diagnostics in one
//! file quadratic; [`FileSource`] jumps to the line through the file's
//! [`LineIndex`] instead.
//!
//! The snippet header's `path:line:col` is the diagnostic's start, except for a
//! diagnostic at the very end of the file: miette cannot draw the empty line
//! after the final newline, so it points just after the last text instead.

use std::fmt;
use std::io::{self, Write};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::{Counts, PrettyOptions};
use crate::lint::FileReport;
use crate::lint::diagnostic::{Diagnostic, FixVerdict, Severity};
use crate::lint::line_index::LineIndex;

/// Below this, miette's boxes and wrapped text stop being readable.
const MIN_WIDTH: usize = 40;

const BOLD_RED: &str = "\x1b[1;31m";
const BOLD_YELLOW: &str = "\x1b[1;33m";
const RESET: &str = "\x1b[0m";

pub(super) fn render(
    reports: &[FileReport],
    options: &PrettyOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(options.width.max(MIN_WIDTH))
        .without_syntax_highlighting();
    let mut buf = String::new();
    for report in reports {
        let source = FileSource {
            path: &report.path,
            text: &report.text,
            index: &report.line_index,
        };
        for d in &report.diagnostics {
            buf.clear();
            let shown = Shown::new(&source, d, options.color);
            handler.render_report(&mut buf, &shown).map_err(|_| {
                io::Error::other(format!(
                    "cannot render the {} diagnostic at {}:{}:{}",
                    d.rule, report.path, d.start.line, d.start.column
                ))
            })?;
            out.write_all(buf.as_bytes())?;
            writeln!(out)?;
        }
    }
    writeln!(out, "{}", summary(reports))?;
    let fixable = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .filter(|d| matches!(d.fix, Some(FixVerdict::Fix(_))))
        .count();
    if fixable > 0 {
        writeln!(
            out,
            "{fixable} fixable with `pgward lint --fix` (`--diff` shows the changes first)"
        )?;
    }
    Ok(())
}

/// `3 errors, 1 warning in 2 files (40 statements)`, or `No problems in 2 files (40 statements)`.
pub(super) fn summary(reports: &[FileReport]) -> String {
    let counts = Counts::of(reports);
    let statements: usize = reports.iter().map(|r| r.statements).sum();
    let scope = format!(
        "in {} ({})",
        plural(reports.len(), "file"),
        plural(statements, "statement")
    );
    let mut found = Vec::new();
    if counts.errors > 0 {
        found.push(plural(counts.errors, "error"));
    }
    if counts.warnings > 0 {
        found.push(plural(counts.warnings, "warning"));
    }
    if found.is_empty() {
        format!("No problems {scope}")
    } else {
        format!("{} {scope}", found.join(", "))
    }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// One file's text for miette, with the line index that makes each read O(log n + snippet).
#[derive(Debug)]
struct FileSource<'a> {
    path: &'a str,
    text: &'a str,
    index: &'a LineIndex,
}

impl SourceCode for FileSource<'_> {
    /// The lines the span covers, plus up to `before`/`after` lines of context, as miette's
    /// own implementation returns them: the data starts at the start of the first context line
    /// (at the span itself when `before` is 0, with the span's column), and ends after the
    /// newline of the last one.
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = self.text;
        let start = span.offset();
        let end = start
            .checked_add(span.len())
            .filter(|end| *end <= text.len())
            .ok_or(MietteError::OutOfBounds)?;
        if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            return Err(MietteError::OutOfBounds);
        }
        let first = self.index.line_of(start);
        let last = if end > start {
            self.index.line_of(end - 1)
        } else {
            first
        };
        let from = first.saturating_sub(before);
        let to = (last + after).min(self.index.line_count() - 1);
        let (data_start, line, column) = if before == 0 {
            let line_start = self.index.line_start(first);
            (start, first, text[line_start..start].chars().count())
        } else {
            (self.index.line_start(from), from, 0)
        };
        let data_end = if to + 1 < self.index.line_count() {
            self.index.line_start(to + 1)
        } else {
            text.len()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.path.to_owned(),
            &text.as_bytes()[data_start..data_end],
            SourceSpan::new(data_start.into(), data_end - data_start),
            line,
            column,
            to - line + 1,
        )))
    }
}

/// One diagnostic as a `miette::Diagnostic`.
#[derive(Debug)]
struct Shown<'a> {
    header: String,
    severity: miette::Severity,
    help: &'a str,
    label: LabeledSpan,
    source: &'a FileSource<'a>,
}

impl<'a> Shown<'a> {
    fn new(source: &'a FileSource<'a>, d: &'a Diagnostic, color: bool) -> Shown<'a> {
        let (severity, style) = match d.severity {
            Severity::Error => (miette::Severity::Error, BOLD_RED),
            Severity::Warning => (miette::Severity::Warning, BOLD_YELLOW),
        };
        let tag = format!("{}[{}]", d.severity.as_str(), d.rule);
        let header = if color {
            format!("{style}{tag}{RESET}: {}", d.message)
        } else {
            format!("{tag}: {}", d.message)
        };
        // A diagnostic about the end of the file sits after the final newline, on a line miette
        // does not draw: point at the end of the last line with text instead.
        let text = source.text;
        let at_end = d.span.is_empty() && d.span.start >= text.trim_end().len();
        let label = match (d.lock, d.rewrites_table) {
            (Some(lock), Some(true)) => format!(
                "{} lock: blocks {}; rewrites the table",
                lock.sql(),
                lock.blocks()
            ),
            (Some(lock), _) => format!("{} lock: blocks {}", lock.sql(), lock.blocks()),
            (None, Some(true)) => "rewrites the table".to_owned(),
            (None, _) if at_end => "the file ends here".to_owned(),
            (None, _) => d.rule.to_string(),
        };
        let span = if at_end {
            let end = text.trim_end().len();
            SourceSpan::new(end.into(), 0)
        } else {
            clamp_span(text, d.span.start, d.span.end)
        };
        Shown {
            header,
            severity,
            help: &d.help,
            label: LabeledSpan::new_primary_with_span(Some(label), span),
            source,
        }
    }
}

/// The span inside the text and on character boundaries, so that miette can always read it.
fn clamp_span(text: &str, start: usize, end: usize) -> SourceSpan {
    let empty = end <= start;
    let mut start = start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = if empty { start } else { end.min(text.len()) };
    while !text.is_char_boundary(end) {
        end += 1;
    }
    SourceSpan::new(start.into(), end - start)
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header)
    }
}

impl std::error::Error for Shown<'_> {}

impl miette::Diagnostic for Shown<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        if self.help.is_empty() {
            None
        } else {
            Some(Box::new(self.help))
        }
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(self.label.clone())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, start: usize, len: usize, before: usize, after: usize) -> Snapshot {
        let index = LineIndex::new(text);
        let source = FileSource {
            path: "f.sql",
            text,
            index: &index,
        };
        Snapshot::of(
            source
                .read_span(&SourceSpan::new(start.into(), len), before, after)
                .unwrap()
                .as_ref(),
        )
    }

    #[derive(Debug, PartialEq)]
    struct Snapshot {
        data: String,
        offset: usize,
        len: usize,
        line: usize,
        column: usize,
    }

    impl Snapshot {
        fn of(c: &dyn SpanContents<'_>) -> Snapshot {
            Snapshot {
                data: String::from_utf8(c.data().to_vec()).unwrap(),
                offset: c.span().offset(),
                len: c.span().len(),
                line: c.line(),
                column: c.column(),
            }
        }
    }

    /// What miette's own `SourceCode for str` returns; `read_span` must agree with it wherever
    /// miette uses the result (miette counts columns in bytes, we in characters: ASCII here).
    #[test]
    fn read_span_agrees_with_mietttes_implementation() {
        let texts = [
            "SELECT 1;\nCREATE INDEX i ON t (a);\n\nALTER TABLE t\n  ADD COLUMN b int;\nx",
            "a;\nb;\n",
            "one line, no newline",
            "\n\n\nCREATE TABLE t ();\n\n",
        ];
        for text in texts {
            let index = LineIndex::new(text);
            let ours = FileSource {
                path: "f.sql",
                text,
                index: &index,
            };
            for start in 0..text.len() {
                for end in start..=text.len() {
                    // miette reads one line too many after a span that ends with its line's
                    // newline; ours covers the same lines as the span without that newline.
                    let same_lines = if end > start && text.as_bytes()[end - 1] == b'\n' {
                        end - 1
                    } else {
                        end
                    };
                    // Likewise for an empty span at the very start of an empty first line.
                    if same_lines == 0 && text.starts_with('\n') {
                        continue;
                    }
                    for (before, after) in [(0, 0), (1, 1), (2, 2)] {
                        let span = SourceSpan::new(start.into(), end - start);
                        let reference = SourceSpan::new(start.into(), same_lines - start);
                        let theirs = Snapshot::of(
                            text.read_span(&reference, before, after).unwrap().as_ref(),
                        );
                        let got =
                            Snapshot::of(ours.read_span(&span, before, after).unwrap().as_ref());
                        if before == 0 {
                            // miette uses only the position of a read without context.
                            assert_eq!(
                                (got.line, got.column, got.offset),
                                (theirs.line, theirs.column, theirs.offset),
                                "{text:?} {start}..{end}"
                            );
                        } else {
                            assert_eq!(got, theirs, "{text:?} {start}..{end} ±{before}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn read_span_counts_columns_in_characters_and_names_the_file() {
        let text = "-- é\nSELECT 'né', x;\n";
        let x = text.find('x').unwrap();
        let got = read(text, x, 1, 0, 0);
        assert_eq!((got.line, got.column), (1, 13));
        let index = LineIndex::new(text);
        let source = FileSource {
            path: "dir/f.sql",
            text,
            index: &index,
        };
        let contents = source
            .read_span(&SourceSpan::new(x.into(), 1), 1, 1)
            .unwrap();
        assert_eq!(contents.name(), Some("dir/f.sql"));
        assert_eq!(contents.line_count(), 3);
    }

    #[test]
    fn read_span_refuses_spans_outside_the_text() {
        let text = "SELECT 1;";
        let index = LineIndex::new(text);
        let source = FileSource {
            path: "f.sql",
            text,
            index: &index,
        };
        assert!(
            source
                .read_span(&SourceSpan::new(5.into(), 10), 0, 0)
                .is_err()
        );
        assert!(
            source
                .read_span(&SourceSpan::new(9.into(), 0), 1, 1)
                .is_ok()
        );
    }

    #[test]
    fn spans_are_clamped_to_the_text_and_character_boundaries() {
        let text = "é;";
        assert_eq!(clamp_span(text, 1, 1), SourceSpan::new(0.into(), 0));
        assert_eq!(clamp_span(text, 0, 1), SourceSpan::new(0.into(), 2));
        assert_eq!(clamp_span(text, 1, 3), SourceSpan::new(0.into(), 3));
        assert_eq!(clamp_span(text, 2, 99), SourceSpan::new(2.into(), 1));
        assert_eq!(clamp_span(text, 99, 99), SourceSpan::new(3.into(), 0));
    }
}
