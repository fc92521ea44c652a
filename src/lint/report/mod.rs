//! Reporters: each renders the engine's [`FileReport`]s in one format, and nothing else.
//!
//! - [`Format::Pretty`] (`pretty.rs`): miette diagnostics with the source snippet, for people.
//! - [`Format::Json`] (`json.rs`): the contract in design.md, for scripts.
//! - [`Format::Github`] (`github.rs`): workflow commands that annotate a pull request.
//! - [`Format::Sarif`] (`sarif.rs`): SARIF 2.1.0, for code scanning.
//! - [`Format::Gitlab`] (`gitlab.rs`): a GitLab Code Quality report.
//! - [`Format::Junit`] (`junit.rs`): JUnit XML, for CI systems' test reports.
//!
//! Every reporter is linear in the number of diagnostics: positions come from the
//! engine (or the file's [`LineIndex`](super::line_index::LineIndex)), never from
//! rescanning the text.

use std::io::{self, Write};

use super::FileReport;
use super::diagnostic::Severity;

mod github;
mod gitlab;
mod json;
mod junit;
mod pretty;
mod sarif;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// miette diagnostics with the source snippet (the default).
    Pretty,
    /// One JSON object (the contract in design.md).
    Json,
    /// GitHub Actions workflow commands (`::error file=...`).
    Github,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitLab Code Quality report (`artifacts:reports:codequality`).
    Gitlab,
    /// JUnit XML, for CI test reports.
    Junit,
}

/// Options for the pretty reporter.
#[derive(Clone, Debug)]
pub struct PrettyOptions {
    pub color: bool,
    /// Terminal width.
    pub width: usize,
}

pub fn render(
    format: Format,
    reports: &[FileReport],
    pretty: &PrettyOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Pretty => pretty::render(reports, pretty, out),
        Format::Json => json::render(reports, out),
        Format::Github => github::render(reports, out),
        Format::Sarif => sarif::render(reports, out),
        Format::Gitlab => gitlab::render(reports, out),
        Format::Junit => junit::render(reports, out),
    }
}

/// How many diagnostics of each severity the reports hold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Counts {
    errors: usize,
    warnings: usize,
}

impl Counts {
    fn of(reports: &[FileReport]) -> Counts {
        let mut counts = Counts::default();
        for d in reports.iter().flat_map(|r| &r.diagnostics) {
            match d.severity {
                Severity::Error => counts.errors += 1,
                Severity::Warning => counts.warnings += 1,
            }
        }
        counts
    }
}
