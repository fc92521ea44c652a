//! The schema: `pg_dump --schema-only` of the source at the sync's snapshot into a private
//! custom-format archive, restored in two sections. Pre-data (types, domains, tables, sequences,
//! functions) goes in before the data; post-data (indexes, constraints, triggers, rules, matview
//! refreshes) after it, with `pg_restore -j` building indexes in parallel. Loading before
//! post-data is also what keeps triggers from firing and foreign keys from checking row by row.
//!
//! The archive holds DDL only, never rows. Left out on purpose: subscriptions (a staging copy
//! must not replicate from production), publications, tablespaces (the target may not have
//! them), statistics (pg_dump 18 dumps most-common values: real data), and, unless
//! `--keep-owners`, owners and grants.

use std::path::Path;
use std::process::{Command, Stdio};

use tempfile::NamedTempFile;

use crate::pg::connect::Endpoint;
use crate::pg::tools::ClientTools;

use super::SyncError;

/// The schema-only archive of the source.
pub struct SchemaArchive {
    file: NamedTempFile,
}

/// Which part of the schema to restore.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    PreData,
    PostData,
}

impl Section {
    fn flag(self) -> &'static str {
        match self {
            Section::PreData => "pre-data",
            Section::PostData => "post-data",
        }
    }
}

/// Dumps the source's schema as of `snapshot` (an exported snapshot that stays open meanwhile).
pub fn dump(
    tools: &ClientTools,
    source: &Endpoint,
    snapshot: &str,
) -> Result<SchemaArchive, SyncError> {
    let file = tempfile::Builder::new()
        .prefix("pgward-schema-")
        .suffix(".dump")
        .tempfile()
        .map_err(|e| SyncError::Schema {
            step: "pg_dump --schema-only",
            reason: format!("cannot create a temporary file: {e}"),
        })?;
    let mut cmd = Command::new(&tools.pg_dump);
    cmd.args([
        "--schema-only",
        "--format=custom",
        "--no-subscriptions",
        "--no-publications",
    ])
    .arg(format!("--snapshot={snapshot}"))
    .arg(format!("--file={}", file.path().display()))
    .arg(format!("--dbname={}", source.libpq_conninfo()));
    if tools.major >= 18 {
        cmd.arg("--no-statistics");
    }
    run(cmd, source, "pg_dump --schema-only")?;
    Ok(SchemaArchive { file })
}

/// Restores one section of the archive into `target` (`jobs` > 1 builds post-data in parallel).
pub fn restore(
    tools: &ClientTools,
    archive: &SchemaArchive,
    section: Section,
    target: &Endpoint,
    jobs: usize,
    keep_owners: bool,
) -> Result<(), SyncError> {
    let mut cmd = Command::new(&tools.pg_restore);
    cmd.arg(format!("--section={}", section.flag()))
        .args(["--exit-on-error", "--no-tablespaces"])
        .arg(format!("--dbname={}", target.libpq_conninfo()));
    if !keep_owners {
        cmd.args(["--no-owner", "--no-acl"]);
    }
    if jobs > 1 {
        cmd.arg(format!("--jobs={jobs}"));
    }
    cmd.arg(archive.path());
    let step = match section {
        Section::PreData => "pg_restore --section=pre-data",
        Section::PostData => "pg_restore --section=post-data",
    };
    run(cmd, target, step)
}

impl SchemaArchive {
    pub fn path(&self) -> &Path {
        self.file.path()
    }
}

fn run(mut cmd: Command, endpoint: &Endpoint, step: &'static str) -> Result<(), SyncError> {
    if let Some(password) = endpoint.password() {
        cmd.env("PGPASSWORD", password);
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let output = cmd.output().map_err(|e| SyncError::Schema {
        step,
        reason: format!("cannot run {}: {e}", cmd.get_program().to_string_lossy()),
    })?;
    if output.status.success() {
        return Ok(());
    }
    Err(SyncError::Schema {
        step,
        reason: without_values(&String::from_utf8_lossy(&output.stderr)),
    })
}

/// pg_restore's errors, without the `DETAIL: Key (...)=(...)` lines that quote values (a unique
/// index that masked values broke would otherwise print them).
fn without_values(stderr: &str) -> String {
    let lines: Vec<String> = stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            if let Some(at) = l.find("Key (") {
                format!("{}Key (...) (values not shown)", &l[..at])
            } else if l.contains("Failing row contains") {
                "DETAIL:  (the failing row is not shown)".to_owned()
            } else {
                l.to_owned()
            }
        })
        .collect();
    let text = lines.join("\n");
    if text.is_empty() {
        "it failed without a message".to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_values_in_restore_errors() {
        let stderr = "pg_restore: error: could not execute query: ERROR:  could not create unique index \"u\"\nDETAIL:  Key (email)=(alice@corp.com) is duplicated.\n";
        let text = without_values(stderr);
        assert!(!text.contains("alice"), "{text}");
        assert!(text.contains("could not create unique index"), "{text}");
    }
}
