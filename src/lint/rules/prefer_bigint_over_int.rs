//! `prefer-bigint-over-int`: `integer`/`serial` key columns (`CREATE TABLE`, `ADD COLUMN`,
//! `ALTER COLUMN TYPE`).
//!
//! An `integer` key stops at 2,147,483,647: then every insert fails, and the way out (`ALTER
//! COLUMN TYPE bigint`) rewrites the table and its indexes under an ACCESS EXCLUSIVE lock, on the
//! biggest table, during the outage. `bigint` costs 4 bytes more per row.
//!
//! Precision over recall (squawk flags every `int` column): only columns where running out is
//! the outage are reported: primary keys, identity and serial columns, foreign keys, and columns
//! named `id` or `*_id`. A `quantity integer` is fine.

use super::helpers;
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct PreferBigintOverInt;

impl Check for PreferBigintOverInt {
    fn statement(&self, stmt: &Statement, _ctx: &Context, out: &mut Vec<Finding>) {
        let narrow = helpers::NarrowKeyType {
            plain: "integer",
            serial: "serial",
            max: "2,147,483,647",
        };
        helpers::report_narrow_key_columns(stmt, &narrow, out);
    }
}
