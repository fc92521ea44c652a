//! `ban-alter-domain-with-add-constraint`: `ALTER DOMAIN ... ADD CONSTRAINT` that checks existing data.
//!
//! PostgreSQL checks the new constraint against every column of the domain's type in every table,
//! holding a SHARE lock (writes blocked) on each table while its rows are scanned. `NOT VALID`
//! skips that check (new values are still checked), so it is exempt; so is a domain created
//! earlier in the file, which no existing column uses yet.

use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::{LockMode, ObjectKind, Op};
use crate::lint::rules::Check;
use crate::lint::rules::helpers::name_from_text;
use crate::lint::statement::Statement;

pub struct BanAlterDomainWithAddConstraint;

impl Check for BanAlterDomainWithAddConstraint {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        let from_text = if stmt.ops.is_empty() {
            from_text(&stmt.text)
        } else {
            None
        };
        for op in stmt.ops.iter().chain(&from_text) {
            let Op::AlterDomainAddConstraint {
                name,
                not_valid: false,
            } = op
            else {
                continue;
            };
            if ctx.is_new(ObjectKind::Domain, name) {
                continue;
            }
            let text = stmt.text.trim().trim_end_matches(';').trim_end();
            let (add, validate) = match constraint_name(text) {
                // A domain NOT NULL cannot be NOT VALID: the equivalent CHECK can.
                Some(constraint) if is_not_null(text) => (
                    format!(
                        "ALTER DOMAIN {name} ADD CONSTRAINT {constraint} CHECK (VALUE IS NOT \
                         NULL) NOT VALID;"
                    ),
                    format!("ALTER DOMAIN {name} VALIDATE CONSTRAINT {constraint};"),
                ),
                Some(constraint) => (
                    format!("{text} NOT VALID;"),
                    format!("ALTER DOMAIN {name} VALIDATE CONSTRAINT {constraint};"),
                ),
                None => (
                    format!("ALTER DOMAIN {name} ADD CONSTRAINT <name> CHECK (...) NOT VALID;"),
                    format!("ALTER DOMAIN {name} VALIDATE CONSTRAINT <name>;"),
                ),
            };
            out.push(
                Finding::new(
                    stmt.find("ADD"),
                    format!(
                        "Adding a constraint to domain {name} checks every column of type {name} \
                         in every table, under a SHARE lock on each table: blocks writes while \
                         its rows are scanned"
                    ),
                    format!(
                        "Add the constraint NOT VALID (instant; new values are checked from now \
                         on), then validate it in a separate transaction with lock_timeout set: \
                         {add} then {validate}"
                    ),
                )
                .lock(LockMode::Share)
                .rewrites(false),
            );
        }
    }
}

/// Neither sqlparser nor the token fallback recognise `ALTER DOMAIN` yet, so the statement comes
/// without ops; read `ALTER DOMAIN name ADD ...` from its words until they do.
fn from_text(text: &str) -> Option<Op> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let [alter, domain, name, add, ..] = words.as_slice() else {
        return None;
    };
    if !alter.eq_ignore_ascii_case("alter")
        || !domain.eq_ignore_ascii_case("domain")
        || !add.eq_ignore_ascii_case("add")
    {
        return None;
    }
    let tail: Vec<String> = words
        .iter()
        .rev()
        .take(2)
        .map(|w| w.trim_end_matches(';').to_ascii_lowercase())
        .collect();
    Some(Op::AlterDomainAddConstraint {
        name: name_from_text(name)?,
        not_valid: tail == ["valid", "not"],
    })
}

/// `ADD CONSTRAINT name NOT NULL` (not a `CHECK (... IS NOT NULL)`).
fn is_not_null(text: &str) -> bool {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| w.to_ascii_lowercase())
        .collect();
    !words.iter().any(|w| w.starts_with("check"))
        && words.windows(2).any(|w| w[0] == "not" && w[1] == "null")
}

/// The constraint's name in `ADD CONSTRAINT name ...`; `None` for an unnamed `ADD CHECK (...)`.
fn constraint_name(text: &str) -> Option<&str> {
    let mut words = text.split_whitespace();
    words.find(|w| w.eq_ignore_ascii_case("constraint"))?;
    let name = words.next()?;
    let lower = name.to_ascii_lowercase();
    (!lower.starts_with("check") && lower != "not").then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::context::FileSettings;
    use crate::lint::ops::Name;
    use crate::lint::rules::helpers::run_check;

    fn add(not_valid: bool) -> Vec<Op> {
        vec![Op::AlterDomainAddConstraint {
            name: Name::bare("order_qty"),
            not_valid,
        }]
    }

    #[test]
    fn fires_without_not_valid_and_suggests_it() {
        let found = run_check(
            &BanAlterDomainWithAddConstraint,
            &FileSettings::default(),
            &[
                (
                    "ALTER DOMAIN order_qty ADD CONSTRAINT qty_positive CHECK (VALUE > 0)",
                    add(false),
                ),
                (
                    "ALTER DOMAIN order_qty ADD CONSTRAINT qty_small CHECK (VALUE < 1000) NOT VALID",
                    add(true),
                ),
                ("ALTER DOMAIN order_qty ADD CHECK (VALUE < 1000)", add(false)),
                (
                    "ALTER DOMAIN order_qty ADD CONSTRAINT qty_nn NOT NULL",
                    add(false),
                ),
            ],
        );
        assert_eq!(found.len(), 3);
        assert!(found[2].1.help.contains(
            "ADD CONSTRAINT qty_nn CHECK (VALUE IS NOT NULL) NOT VALID; then ALTER DOMAIN \
             order_qty VALIDATE CONSTRAINT qty_nn;"
        ));
        assert_eq!(found[0].0, Some(0));
        let f = &found[0].1;
        assert_eq!(f.lock, Some(LockMode::Share));
        assert_eq!(f.span, 23..26);
        assert!(f.help.contains(
            "ALTER DOMAIN order_qty ADD CONSTRAINT qty_positive CHECK (VALUE > 0) NOT VALID; then \
             ALTER DOMAIN order_qty VALIDATE CONSTRAINT qty_positive;"
        ));
        assert_eq!(found[1].0, Some(2));
        assert!(
            found[1]
                .1
                .help
                .contains("VALIDATE CONSTRAINT <name>;")
        );
    }

    #[test]
    fn reads_alter_domain_from_the_text_when_it_has_no_ops() {
        assert_eq!(
            from_text("alter domain public.\"Qty\" add check (VALUE > 0) not valid;"),
            Some(Op::AlterDomainAddConstraint {
                name: Name::new(Some("public"), "Qty"),
                not_valid: true,
            })
        );
        assert_eq!(
            from_text("ALTER DOMAIN order_qty ADD CONSTRAINT c CHECK (VALUE > 0)"),
            Some(Op::AlterDomainAddConstraint {
                name: Name::bare("order_qty"),
                not_valid: false,
            })
        );
        for other in [
            "ALTER DOMAIN order_qty VALIDATE CONSTRAINT c",
            "ALTER DOMAIN order_qty DROP CONSTRAINT c",
            "ALTER TABLE orders ADD CONSTRAINT c CHECK (total > 0)",
        ] {
            assert_eq!(from_text(other), None, "{other}");
        }
        let found = run_check(
            &BanAlterDomainWithAddConstraint,
            &FileSettings::default(),
            &[
                ("ALTER DOMAIN order_qty ADD CONSTRAINT c CHECK (VALUE > 0)", vec![]),
                ("ALTER DOMAIN order_qty ADD CONSTRAINT d CHECK (VALUE > 0) NOT VALID", vec![]),
            ],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, Some(0));
    }

    #[test]
    fn quiet_for_a_domain_created_in_the_file() {
        let found = run_check(
            &BanAlterDomainWithAddConstraint,
            &FileSettings::default(),
            &[
                (
                    "CREATE DOMAIN order_qty AS integer",
                    vec![Op::CreateDomain {
                        name: Name::bare("order_qty"),
                        has_constraint: false,
                    }],
                ),
                (
                    "ALTER DOMAIN order_qty ADD CONSTRAINT qty_positive CHECK (VALUE > 0)",
                    add(false),
                ),
            ],
        );
        assert!(found.is_empty());
    }
}
