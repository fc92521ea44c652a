//! The `pgward` binary: parse the command line, run one command, turn its
//! outcome into an exit code. Errors are rendered here and only here.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = pgward::cli::Cli::parse();
    match pgward::commands::run(cli) {
        Ok(code) => code.into(),
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("{err:?}");
            pgward::commands::Outcome::Error.into()
        }
    }
}

/// `pgward lint ... | head` closing the pipe early is not an error.
fn is_broken_pipe(err: &miette::Report) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
