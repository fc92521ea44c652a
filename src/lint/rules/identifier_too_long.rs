//! `identifier-too-long`: a name this statement gives (table, column, index, constraint, type,
//! view, function, rename target, ...) longer than 63 bytes.
//!
//! PostgreSQL silently truncates identifiers to 63 bytes (NAMEDATALEN - 1), with only a NOTICE:
//! two long names sharing their first 63 bytes collide, and a later migration that names the
//! object by its full name does not find it. Bytes, not characters: non-ASCII letters count
//! twice or more.

use super::helpers;
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::{Op, TableAction, quote_ident};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

/// PostgreSQL's `NAMEDATALEN - 1`.
const MAX_BYTES: usize = 63;

pub struct IdentifierTooLong;

impl Check for IdentifierTooLong {
    fn statement(&self, stmt: &Statement, _ctx: &Context, out: &mut Vec<Finding>) {
        let words = helpers::words(stmt);
        for (what, name) in created_names(&stmt.ops) {
            if name.len() <= MAX_BYTES {
                continue;
            }
            let kept = truncated(name);
            let span = words
                .iter()
                .find(|w| w.text == name)
                .map_or_else(|| stmt.span.clone(), |w| w.span.clone());
            out.push(Finding::new(
                span,
                format!(
                    "The {what} name {} is {} bytes: PostgreSQL silently truncates it to {} (63 \
                     bytes), so another name sharing those bytes collides, and statements using \
                     the full name do not find it",
                    quote_ident(name),
                    name.len(),
                    quote_ident(kept),
                ),
                format!(
                    "Shorten the name to at most 63 bytes ({} too many)",
                    name.len() - MAX_BYTES
                ),
            ));
        }
    }
}

/// The names the statement creates, with what they name.
fn created_names(ops: &[Op]) -> Vec<(String, &str)> {
    let mut out = Vec::new();
    for op in ops {
        match op {
            Op::CreateTable {
                table,
                columns,
                constraints,
                ..
            } => {
                out.push(("table".into(), table.name.as_str()));
                out.extend(columns.iter().map(|c| ("column".into(), c.name.as_str())));
                out.extend(
                    constraints
                        .iter()
                        .filter_map(|c| c.name.as_deref())
                        .map(|n| ("constraint".into(), n)),
                );
            }
            Op::CreateIndex { name: Some(n), .. } => out.push(("index".into(), n.name.as_str())),
            Op::AlterTable { action, .. } => match action {
                TableAction::AddColumn { column, .. } => out.push(("column".into(), &column.name)),
                TableAction::AddConstraint(c) => {
                    if let Some(n) = &c.name {
                        out.push(("constraint".into(), n));
                    }
                }
                TableAction::RenameColumn { to, .. } => out.push(("column".into(), to)),
                TableAction::RenameTable { to } => out.push(("table".into(), to)),
                TableAction::RenameConstraint { to, .. } => out.push(("constraint".into(), to)),
                _ => {}
            },
            Op::Create { kind, name, .. } => out.push((kind.noun(), name.name.as_str())),
            Op::Rename { kind, to, .. } => out.push((kind.noun(), to)),
            Op::CreateEnum { name, .. } => out.push(("type".into(), name.name.as_str())),
            Op::CreateDomain { name, .. } => out.push(("domain".into(), name.name.as_str())),
            _ => {}
        }
    }
    out
}

/// The first 63 bytes of `name`, cut at a character boundary as PostgreSQL does.
fn truncated(name: &str) -> &str {
    let mut end = MAX_BYTES.min(name.len());
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

#[cfg(test)]
mod tests {
    use super::truncated;

    #[test]
    fn truncates_at_a_character_boundary() {
        let ascii = "a".repeat(70);
        assert_eq!(truncated(&ascii).len(), 63);
        // 31 two-byte letters = 62 bytes; the 32nd would end at byte 64.
        let accented = "é".repeat(40);
        assert_eq!(truncated(&accented).len(), 62);
    }
}
