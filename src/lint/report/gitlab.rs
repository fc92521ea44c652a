//! `--format gitlab`: a GitLab Code Quality report (a JSON array), which GitLab shows in the
//! merge request widget and the diff when a job publishes it as `artifacts:reports:codequality`.
//!
//! ```json
//! [{ "description": "...", "check_name": "rule-id", "fingerprint": "9f2c...",
//!    "severity": "critical", "location": { "path": "m.sql", "lines": { "begin": 3 } } }]
//! ```
//!
//! The fingerprint identifies a finding across pipelines, so GitLab can tell new findings from
//! old ones: a keyed digest of the path, the rule, the message and the finding's rank among equal
//! ones, not of the line, so that inserting lines above it does not make it "new".

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::lint::FileReport;
use crate::lint::diagnostic::Severity;

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

pub(super) fn render(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    let mut issues = Vec::new();
    for report in reports {
        let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
        for d in &report.diagnostics {
            let rank = seen.entry((d.rule.as_str(), &d.message)).or_default();
            *rank += 1;
            let mut description = d.message.clone();
            if !d.help.is_empty() {
                description.push_str(". ");
                description.push_str(&d.help);
            }
            issues.push(Issue {
                description,
                check_name: d.rule.as_str(),
                fingerprint: fingerprint(&report.path, d.rule.as_str(), &d.message, *rank),
                severity: match d.severity {
                    Severity::Error => "critical",
                    Severity::Warning => "minor",
                },
                location: Location {
                    path: &report.path,
                    lines: Lines {
                        begin: d.start.line,
                        end: d.end.line,
                    },
                },
            });
        }
    }
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}

fn fingerprint(path: &str, rule: &str, message: &str, rank: usize) -> String {
    let mut hash = Sha256::new();
    for part in [path, rule, message, &rank.to_string()] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hash.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
