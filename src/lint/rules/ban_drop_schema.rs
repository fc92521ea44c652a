//! `ban-drop-schema`: `DROP SCHEMA` of a schema that existed before this file.
//!
//! Code that uses the schema's objects fails at once; with `CASCADE` every table, view and
//! function in it is dropped too, rows included. A schema created earlier in the same file is
//! quiet.

use super::helpers;
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::{ObjectKind, Op};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct BanDropSchema;

impl Check for BanDropSchema {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        for op in &stmt.ops {
            let Op::Drop {
                kind: ObjectKind::Schema,
                names,
                cascade,
                ..
            } = op
            else {
                continue;
            };
            let existing: Vec<_> = names
                .iter()
                .filter(|n| !ctx.is_new(ObjectKind::Schema, n))
                .collect();
            let Some(first) = existing.first() else {
                continue;
            };
            let list = helpers::join_names(&existing);
            let message = if *cascade {
                format!(
                    "Dropping schema {list} with CASCADE drops every table, view and function in \
                     it, rows included, and breaks running code that uses them"
                )
            } else {
                format!(
                    "Dropping schema {list} breaks running code that still refers to it (without \
                     CASCADE it fails unless the schema is empty)"
                )
            };
            out.push(
                Finding::new(
                    stmt.span.clone(),
                    message,
                    format!(
                        "Move or drop the objects in {first} one by one, in migrations of their \
                         own, after the code stopped using them; keep a backup (pg_dump \
                         --schema={first})"
                    ),
                ),
            );
        }
    }
}
