//! `ban-create-domain-with-constraint`: `CREATE DOMAIN` with a `CHECK` or `NOT NULL` constraint.
//!
//! The constraint lives on the type, not on a table: changing it later means `ALTER DOMAIN`, which
//! checks every column of the type in every table, each under a SHARE lock (writes blocked) while
//! its rows are scanned, and which cannot be rolled out one table at a time. A plain domain plus
//! table `CHECK` constraints keeps the `NOT VALID` + `VALIDATE` path open.

use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::Op;
use crate::lint::rules::Check;
use crate::lint::rules::helpers::name_from_text;
use crate::lint::statement::Statement;

pub struct BanCreateDomainWithConstraint;

impl Check for BanCreateDomainWithConstraint {
    fn statement(&self, stmt: &Statement, _ctx: &Context, out: &mut Vec<Finding>) {
        let from_text = if stmt.ops.is_empty() {
            from_text(&stmt.text)
        } else {
            None
        };
        for op in stmt.ops.iter().chain(&from_text) {
            let Op::CreateDomain {
                name,
                has_constraint: true,
            } = op
            else {
                continue;
            };
            let base = base_type(&stmt.text).unwrap_or_else(|| "<base type>".to_owned());
            out.push(Finding::new(
                stmt.span.clone(),
                format!(
                    "Domain {name} is created with a constraint: changing it later (ALTER DOMAIN) \
                     checks every column of type {name} in every table, under a SHARE lock on \
                     each table that blocks writes while its rows are scanned"
                ),
                format!(
                    "Create the domain without the constraint (CREATE DOMAIN {name} AS {base};) \
                     and put the CHECK on the tables that use it: ALTER TABLE <table> ADD \
                     CONSTRAINT <name> CHECK (...) NOT VALID; then ALTER TABLE <table> VALIDATE \
                     CONSTRAINT <name>;"
                ),
            ));
        }
    }
}

/// sqlparser rejects `CREATE DOMAIN d text` (no `AS`) and `NOT NULL` domains, and the token
/// fallback does not read `CREATE DOMAIN` yet, so such statements come without ops; read them
/// from their words until they do.
fn from_text(text: &str) -> Option<Op> {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| w.trim_end_matches(';').to_ascii_lowercase())
        .collect();
    if words.len() < 4 || words[0] != "create" || words[1] != "domain" {
        return None;
    }
    let original = text.split_whitespace().nth(2)?;
    let has_constraint = words.iter().any(|w| {
        w == "check" || w.starts_with("check(") || w == "constraint"
    }) || words.windows(2).any(|w| w[0] == "not" && w[1] == "null");
    Some(Op::CreateDomain {
        name: name_from_text(original)?,
        has_constraint,
    })
}

/// The base type as written: the words after the name (and the optional `AS`) up to the first
/// constraint keyword.
fn base_type(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let start = if words.get(3).is_some_and(|w| w.eq_ignore_ascii_case("as")) {
        4
    } else {
        3
    };
    let stop = [
        "check",
        "not",
        "null",
        "constraint",
        "default",
        "collate",
    ];
    let base: Vec<&str> = words
        .get(start..)?
        .iter()
        .take_while(|w| {
            let lower = w.to_ascii_lowercase();
            !stop.iter().any(|s| lower == *s || lower.starts_with("check("))
        })
        .copied()
        .collect();
    (!base.is_empty()).then(|| base.join(" ").trim_end_matches(';').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::context::FileSettings;
    use crate::lint::ops::Name;
    use crate::lint::rules::helpers::run_check;

    fn domain(has_constraint: bool) -> Vec<Op> {
        vec![Op::CreateDomain {
            name: Name::bare("positive_amount"),
            has_constraint,
        }]
    }

    #[test]
    fn fires_on_a_constrained_domain_only() {
        let found = run_check(
            &BanCreateDomainWithConstraint,
            &FileSettings::default(),
            &[
                (
                    "CREATE DOMAIN positive_amount AS numeric(12, 2) CHECK (VALUE > 0)",
                    domain(true),
                ),
                (
                    "CREATE DOMAIN positive_amount AS numeric(12, 2) DEFAULT 0",
                    domain(false),
                ),
            ],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, Some(0));
        let f = &found[0].1;
        assert!(f.message.contains("SHARE lock"));
        assert!(
            f.help
                .contains("CREATE DOMAIN positive_amount AS numeric(12, 2);"),
            "{}",
            f.help
        );
    }

    #[test]
    fn reads_create_domain_from_the_text_when_it_has_no_ops() {
        assert_eq!(
            from_text("CREATE DOMAIN email_address AS text NOT NULL;"),
            Some(Op::CreateDomain {
                name: Name::bare("email_address"),
                has_constraint: true,
            })
        );
        assert_eq!(
            from_text("create domain app.zip text constraint zip_format check(value <> '')"),
            Some(Op::CreateDomain {
                name: Name::new(Some("app"), "zip"),
                has_constraint: true,
            })
        );
        assert_eq!(
            from_text("CREATE DOMAIN label text COLLATE \"C\""),
            Some(Op::CreateDomain {
                name: Name::bare("label"),
                has_constraint: false,
            })
        );
        assert_eq!(from_text("CREATE TABLE t (id int NOT NULL)"), None);
        let found = run_check(
            &BanCreateDomainWithConstraint,
            &FileSettings::default(),
            &[
                ("CREATE DOMAIN email_address AS text NOT NULL", vec![]),
                ("CREATE DOMAIN label text", vec![]),
            ],
        );
        assert_eq!(found.len(), 1);
        assert!(found[0].1.help.contains("CREATE DOMAIN email_address AS text;"));
    }

    #[test]
    fn reads_the_base_type() {
        assert_eq!(
            base_type("CREATE DOMAIN d AS text NOT NULL").as_deref(),
            Some("text")
        );
        assert_eq!(
            base_type("create domain d as character varying(20) check(value <> '')").as_deref(),
            Some("character varying(20)")
        );
        assert_eq!(
            base_type("CREATE DOMAIN d integer CHECK (VALUE > 0)").as_deref(),
            Some("integer")
        );
        assert_eq!(base_type("CREATE DOMAIN d"), None);
    }
}
