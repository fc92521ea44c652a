//! `prefer-bigint-over-smallint`: `smallint`/`smallserial` key columns (`CREATE TABLE`, `ADD
//! COLUMN`, `ALTER COLUMN TYPE`).
//!
//! A `smallint` key stops at 32,767: then every insert fails, and widening it rewrites the table
//! and its indexes under an ACCESS EXCLUSIVE lock. Like `prefer-bigint-over-int`, only columns
//! where running out is the outage are reported: primary keys, identity and serial columns,
//! foreign keys, and columns named `id` or `*_id`. A `priority smallint` is fine.

use super::helpers;
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct PreferBigintOverSmallint;

impl Check for PreferBigintOverSmallint {
    fn statement(&self, stmt: &Statement, _ctx: &Context, out: &mut Vec<Finding>) {
        let narrow = helpers::NarrowKeyType {
            plain: "smallint",
            serial: "smallserial",
            max: "32,767",
        };
        helpers::report_narrow_key_columns(stmt, &narrow, out);
    }
}
