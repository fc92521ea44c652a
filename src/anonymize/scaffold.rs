//! `pgward profile init`: a starting profile written from the detector's findings.
//!
//! Every column that needs a rule gets one, the detector's reasons as comments above it, the
//! transformer chosen by kind (email -> `email`, phone -> `phone`, names -> `name` /
//! `first_name` / `last_name`, address -> `address`, birth date -> `date_shift`, IP -> `ip`,
//! tokens and secrets -> `token`, password hashes -> a constant bcrypt hash, card / IBAN / national
//! ids -> `hash`, free text -> `scrub`, search vectors and photos -> `null`), then checked against
//! the column's type ([`Transformer::fits_type`]) with a fallback that fits (`date_shift` for
//! dates, `ip` for inet, `uuid` for uuid, `number_noise` for coordinates, else `null`). JSON
//! paths become one `json` rule per column, array columns an `array` rule. Used as is, the output
//! parses ([`crate::anonymize::Profile::parse`]) and covers every finding
//! ([`crate::anonymize::coverage::check`]).

use std::collections::BTreeMap;

use crate::anonymize::detect::{Finding, PiiKind, Signal};
use crate::anonymize::{ColumnRule, Salt, Transformer};

/// What password hashes are replaced with: a well-formed bcrypt hash (cost 12, the design's
/// example) that no real password is expected to match. Set a known test login in `[after]`.
pub const BCRYPT_CONSTANT: &str = "$2b$12$000000000000000000000uP2Qxj9Zb8qQY0RhfM3c0wL3tYtVZQyG";

/// A TOML basic string: `"public.Support Tickets"`.
pub fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// A column name as a TOML key under `columns.`: bare when it can be, quoted otherwise.
pub fn column_key(name: &str) -> String {
    let bare = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        format!("columns.{name}")
    } else {
        format!("columns.{}", toml_string(name))
    }
}

/// The rule text for a transformer name (`"email"`, or the constant's inline table).
fn rule_text(transformer: &str) -> String {
    if transformer == "constant" {
        format!(
            "{{ transform = \"constant\", value = {} }}",
            toml_string(BCRYPT_CONSTANT)
        )
    } else {
        toml_string(transformer)
    }
}

/// Whether a transformer (as [`rule_text`] writes it) fits a type.
fn fits(transformer: &str, type_name: &str) -> bool {
    let rule = if transformer == "constant" {
        let mut r = ColumnRule::named("constant");
        r.options.insert(
            "value".into(),
            toml::Value::String(BCRYPT_CONSTANT.to_owned()),
        );
        r
    } else {
        ColumnRule::named(transformer)
    };
    Transformer::build(&rule, &Salt::new("scaffold")).is_ok_and(|t| t.fits_type(type_name).is_ok())
}

/// The suggested transformer if it fits the type, else a fallback that does.
fn fitted(kind: PiiKind, suggested: &'static str, type_name: &str) -> &'static str {
    if fits(suggested, type_name) {
        return suggested;
    }
    let fallback = match kind {
        PiiKind::Geolocation | PiiKind::BirthDate => ["number_noise", "date_shift"]
            .into_iter()
            .find(|t| fits(t, type_name)),
        _ => None,
    };
    fallback
        .or_else(|| {
            ["date_shift", "ip", "uuid"]
                .into_iter()
                .find(|t| fits(t, type_name))
        })
        .unwrap_or("null")
}

/// The rule for one JSON path finding (its value is text, a number or a boolean).
pub fn path_rule(f: &Finding) -> String {
    rule_text(fitted(f.kind, f.suggested, "text"))
}

/// The rule for a column from its findings (all on that column): a `json` rule with a path per
/// path finding, an `array` rule for array columns, else the fitted transformer.
pub fn column_rule(type_name: &str, findings: &[&Finding]) -> String {
    let mut paths: BTreeMap<&str, String> = BTreeMap::new();
    for f in findings {
        if let Some(p) = &f.path {
            paths.entry(p).or_insert_with(|| path_rule(f));
        }
    }
    if !paths.is_empty() {
        let list: Vec<String> = paths
            .iter()
            .map(|(p, r)| format!("{} = {r}", toml_string(p)))
            .collect();
        return format!(
            "{{ transform = \"json\", paths = {{ {} }} }}",
            list.join(", ")
        );
    }
    let Some(f) = findings.first() else {
        return toml_string("null");
    };
    let t = crate::anonymize::transform::PgType::parse(type_name);
    if t.array_dims > 0 {
        let mut element = t.element();
        element.array_dims = 0;
        let each = fitted(f.kind, f.suggested, &element.written);
        return format!("{{ transform = \"array\", each = {} }}", rule_text(each));
    }
    if f.kind == PiiKind::Password || f.suggested == "constant" {
        return rule_text("constant");
    }
    rule_text(fitted(f.kind, f.suggested, type_name))
}

fn comment(text: &str) -> String {
    text.lines().map(|l| format!("# {l}\n")).collect::<String>()
}

/// The profile text for a set of findings.
pub fn scaffold(findings: &[Finding]) -> String {
    let mut out = String::from(
        "# pgward anonymization profile, written by `pgward profile init` from what the PII detector\n\
         # found. Review every entry: the comment above it says why the column was flagged. Mask\n\
         # personal data; mark what is not personal with { transform = \"keep\", reason = \"...\" }.\n\
         # Commit it: `pgward profile check` and the sync refuse to run while a flagged column is\n\
         # missing from it.\n\
         version = 1\n",
    );
    // Large objects: a decision the sync needs before anything else (it refuses without one).
    let large_objects: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.kind == PiiKind::LargeObject)
        .collect();
    if !large_objects.is_empty() {
        for f in &large_objects {
            out.push_str(&comment(&format!("{}: {}", f.location(), f.reason)));
        }
        out.push_str(
            "# Large objects cannot be masked: \"drop\" leaves them out of staging (the columns above\n\
             # keep OIDs that point at nothing unless masked); \"keep\" copies them unmasked.\n\
             large_objects = \"drop\"\n",
        );
    }
    out.push_str("\n[salt]\nenv = \"PGWARD_SALT\"\n");
    let mut by_table: BTreeMap<&str, BTreeMap<&str, Vec<&Finding>>> = BTreeMap::new();
    let mut notes = Vec::new();
    for f in findings {
        if !f.needs_rule() {
            notes.push(f);
            continue;
        }
        by_table
            .entry(&f.table)
            .or_default()
            .entry(&f.column)
            .or_default()
            .push(f);
    }
    if !notes.is_empty() {
        out.push_str(
            "\n# Derived data the target recomputes from the masked columns (no rule needed):\n",
        );
        for f in notes {
            out.push_str(&comment(&format!("  {}: {}", f.location(), f.reason)));
        }
    }
    for (table, columns) in by_table {
        // Covered by `large_objects` at the top.
        if table == super::coverage::LARGE_OBJECTS_TABLE {
            continue;
        }
        out.push_str(&format!("\n[tables.{}]\n", toml_string(table)));
        for (column, fs) in columns {
            for f in &fs {
                let what = match (&f.path, &f.signal) {
                    (_, Signal::Derived { .. }) | (Some(_), _) => f.reason.clone(),
                    (None, _) => format!("{}: {}", f.kind.label(), f.reason),
                };
                out.push_str(&comment(&what));
            }
            out.push_str(&format!(
                "{} = {}\n",
                column_key(column),
                column_rule(&fs[0].type_name, &fs)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anonymize::Profile;

    fn f(table: &str, column: &str, ty: &str, kind: PiiKind, path: Option<&str>) -> Finding {
        Finding {
            table: table.into(),
            column: column.into(),
            path: path.map(Into::into),
            kind,
            signal: Signal::Name,
            reason: format!("the name says \"{column}\""),
            suggested: kind.transformer(),
            type_name: ty.into(),
        }
    }

    #[test]
    fn writes_a_profile_that_parses_with_fitting_rules() {
        let findings = [
            f(
                "public.Support Tickets",
                "Requester Email",
                "citext",
                PiiKind::Email,
                None,
            ),
            f("public.users", "cc_emails", "text[]", PiiKind::Email, None),
            f("public.users", "password", "text", PiiKind::Password, None),
            f("public.users", "birth", "date", PiiKind::BirthDate, None),
            f(
                "public.users",
                "birth_year",
                "integer",
                PiiKind::BirthDate,
                None,
            ),
            f("public.users", "ip", "inet", PiiKind::IpAddress, None),
            f(
                "public.users",
                "lat",
                "double precision",
                PiiKind::Geolocation,
                None,
            ),
            f("public.users", "ssn", "bigint", PiiKind::NationalId, None),
            f("public.users", "prénom", "text", PiiKind::FirstName, None),
            f(
                "public.users",
                "payload",
                "jsonb",
                PiiKind::Email,
                Some("$.customer.email"),
            ),
            f(
                "public.users",
                "payload",
                "jsonb",
                PiiKind::Phone,
                Some("$[\"a b\"][*].tel"),
            ),
        ];
        let text = scaffold(&findings);
        let profile = Profile::parse("init.toml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let rule = |t: &str, c: &str| profile.tables[t].columns[c].clone();
        assert_eq!(
            rule("public.Support Tickets", "Requester Email").transform,
            "email"
        );
        assert_eq!(rule("public.users", "cc_emails").transform, "array");
        assert_eq!(rule("public.users", "password").transform, "constant");
        assert_eq!(rule("public.users", "birth").transform, "date_shift");
        assert_eq!(rule("public.users", "birth_year").transform, "number_noise");
        assert_eq!(rule("public.users", "ip").transform, "ip");
        assert_eq!(rule("public.users", "lat").transform, "number_noise");
        assert_eq!(rule("public.users", "ssn").transform, "null");
        assert_eq!(rule("public.users", "prénom").transform, "first_name");
        let payload = rule("public.users", "payload");
        assert_eq!(payload.transform, "json");
        let paths = payload.options["paths"].as_table().unwrap();
        assert_eq!(paths["$.customer.email"].as_str(), Some("email"));
        assert_eq!(paths["$[\"a b\"][*].tel"].as_str(), Some("phone"));
        assert!(
            text.contains("# an email address: the name says \"Requester Email\"\n"),
            "{text}"
        );
        for fi in &findings {
            let r = rule(&fi.table, &fi.column);
            let t = Transformer::build(&r, &Salt::new("x")).unwrap();
            t.fits_type(&fi.type_name)
                .unwrap_or_else(|e| panic!("{}: {e}", fi.column));
        }
    }
}
