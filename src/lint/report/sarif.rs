//! `--format sarif`: SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
//!
//! Built with `serde-sarif`'s types, which are generated from the SARIF schema, and checked
//! against the official schema by `tests/report.rs`. The driver lists every rule pgward has
//! (not only the ones that fired), so that `ruleIndex` is the rule's place in
//! [`RuleId::ALL`] and viewers can show any rule's documentation.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::json;
use serde_sarif::sarif::{
    Artifact, ArtifactChange, ArtifactContent, ArtifactLocation, Fix as SarifFix, Location,
    Message, MultiformatMessageString, PhysicalLocation, PropertyBag, Region, Replacement,
    ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif,
    Tool, ToolComponent,
};

use crate::lint::FileReport;
use crate::lint::diagnostic::{Diagnostic, FixVerdict, Position, Severity};
use crate::lint::rules::RuleId;

/// The schema the output follows (the OASIS errata 01 schema, as committed in
/// `fixtures/report/sarif-schema-2.1.0.json`).
const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/pgward/pgward";

pub(super) fn render(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(reports))?;
    writeln!(out)
}

fn log(reports: &[FileReport]) -> Sarif {
    let driver = ToolComponent::builder()
        .name("pgward")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(INFORMATION_URI)
        .rules(
            RuleId::ALL
                .iter()
                .map(|r| descriptor(*r))
                .collect::<Vec<_>>(),
        )
        .build();
    let artifacts: Vec<Artifact> = reports
        .iter()
        .map(|r| {
            Artifact::builder()
                .location(ArtifactLocation::builder().uri(uri(&r.path)).build())
                .roles(vec![json!("analysisTarget")])
                .build()
        })
        .collect();
    let results: Vec<SarifResult> = reports
        .iter()
        .enumerate()
        .flat_map(|(i, r)| r.diagnostics.iter().map(move |d| result(i, r, d)))
        .collect();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        // Our columns count characters (Unicode scalar values), not SARIF's default UTF-16 units.
        .column_kind(json!("unicodeCodePoints"))
        .artifacts(artifacts)
        .results(results)
        .build();
    Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build()
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn text(s: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(s).build()
}

fn descriptor(rule: RuleId) -> ReportingDescriptor {
    let doc = rule.doc();
    ReportingDescriptor::builder()
        .id(rule.as_str())
        .short_description(text(&doc.summary))
        .full_description(text(&doc.why))
        .help(text(&doc.instead))
        .help_uri(rule.help_uri())
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level(doc.severity)))
                .build(),
        )
        .build()
}

fn result(artifact: usize, report: &FileReport, d: &Diagnostic) -> SarifResult {
    let path = report.path.as_str();
    let mut message = d.message.clone();
    if !d.help.is_empty() {
        message.push_str("\nHelp: ");
        message.push_str(&d.help);
    }
    let region = region(d.start, d.end);
    let location = Location::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(
                    ArtifactLocation::builder()
                        .uri(uri(path))
                        .index(artifact as i64)
                        .build(),
                )
                .region(region)
                .build(),
        )
        .build();
    let mut properties = BTreeMap::new();
    if let Some(lock) = d.lock {
        properties.insert("lock".to_owned(), json!(lock.sql()));
        properties.insert("blocks".to_owned(), json!(lock.blocks()));
    }
    if let Some(rewrites) = d.rewrites_table {
        properties.insert("rewrites_table".to_owned(), json!(rewrites));
    }
    let fixes = match &d.fix {
        Some(FixVerdict::Fix(fix)) => Some(vec![sarif_fix(artifact, report, fix)]),
        _ => None,
    };
    let builder = SarifResult::builder()
        .rule_id(d.rule.as_str())
        .rule_index(d.rule as i64)
        .level(match d.severity {
            Severity::Error => ResultLevel::Error,
            Severity::Warning => ResultLevel::Warning,
        })
        .message(Message::builder().text(message).build())
        .locations(vec![location]);
    let mut result = if properties.is_empty() {
        builder.build()
    } else {
        builder
            .properties(
                PropertyBag::builder()
                    .additional_properties(properties)
                    .build(),
            )
            .build()
    };
    result.fixes = fixes;
    result
}

fn region(start: Position, end: Position) -> Region {
    Region::builder()
        .start_line(start.line as i64)
        .start_column(start.column as i64)
        .end_line(end.line as i64)
        .end_column(end.column as i64)
        .build()
}

/// What `pgward lint --fix` would change, as SARIF replacements (an insertion deletes an empty
/// region).
fn sarif_fix(artifact: usize, report: &FileReport, fix: &crate::lint::diagnostic::Fix) -> SarifFix {
    let at = |offset| report.line_index.position(&report.text, offset);
    let replacements = fix
        .edits
        .iter()
        .map(|e| {
            Replacement::builder()
                .deleted_region(region(at(e.range.start), at(e.range.end)))
                .inserted_content(
                    ArtifactContent::builder()
                        .text(e.replacement.clone())
                        .build(),
                )
                .build()
        })
        .collect::<Vec<_>>();
    SarifFix::builder()
        .description(Message::builder().text(fix.title.clone()).build())
        .artifact_changes(vec![
            ArtifactChange::builder()
                .artifact_location(
                    ArtifactLocation::builder()
                        .uri(uri(&report.path))
                        .index(artifact as i64)
                        .build(),
                )
                .replacements(replacements)
                .build(),
        ])
        .build()
}

/// The path as a URI reference: forward slashes, relative paths kept relative (minus a leading
/// `./`), absolute ones as `file://` URIs, and anything a URI cannot hold percent-encoded.
fn uri(path: &str) -> String {
    let slashed = path.replace('\\', "/");
    let mut rel = slashed.as_str();
    while let Some(rest) = rel.strip_prefix("./") {
        rel = rest;
    }
    let bytes = rel.as_bytes();
    let (prefix, rest) = if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        // A Windows drive: `C:/x` would read as a URI with the scheme `c`.
        ("file:///", rel)
    } else if rel.starts_with('/') {
        ("file://", rel)
    } else {
        ("", rel)
    };
    let mut out = String::with_capacity(prefix.len() + rest.len());
    out.push_str(prefix);
    for (i, b) in rest.bytes().enumerate() {
        let keep = b.is_ascii_alphanumeric()
            || b"-._~/!$&'()*+,;=@".contains(&b)
            // A drive letter's colon: `file:///C:/x`.
            || (b == b':' && !prefix.is_empty() && i == 1);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("migrations/0001.sql"), "migrations/0001.sql");
        assert_eq!(uri("./migrations/0001.sql"), "migrations/0001.sql");
        assert_eq!(uri("migrations\\0001.sql"), "migrations/0001.sql");
        assert_eq!(uri("my dir/a:b%.sql"), "my%20dir/a%3Ab%25.sql");
        assert_eq!(uri("/srv/app/m.sql"), "file:///srv/app/m.sql");
        assert_eq!(uri("C:\\app\\m.sql"), "file:///C:/app/m.sql");
        assert_eq!(uri("é.sql"), "%C3%A9.sql");
        assert_eq!(uri("<stdin>"), "%3Cstdin%3E");
    }
}
