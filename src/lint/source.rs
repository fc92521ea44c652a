//! Where SQL comes from: files, directories (walked for `*.sql`, sorted) and stdin.
//! (Being written: see the splitter task.)

use std::path::PathBuf;

use super::SourceFile;

/// A path that could not be read; the run goes on with the others and ends with exit code 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SourceError {
    #[error("{path}: no such file or directory")]
    #[diagnostic(
        code(pgward::lint::missing_path),
        help("Check the path; `pgward lint migrations/` walks a directory for *.sql files.")
    )]
    Missing { path: String },
}

/// Reads every input. `-` is stdin, shown in output as `stdin_name`.
pub fn collect(inputs: &[PathBuf], stdin_name: &str) -> (Vec<SourceFile>, Vec<SourceError>) {
    let _ = (inputs, stdin_name);
    (Vec::new(), Vec::new())
}
