//! Reporters: each renders the engine's [`FileReport`]s in one format, and nothing else.
//! (Being written: see the reporters task.)

use std::io::{self, Write};

use super::FileReport;

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
    let _ = (format, reports, pretty, out);
    Ok(())
}
