//! `missing-down-migration`: an up migration that changes the schema, in a migration set that
//! writes downs, without a down (no file, no section) or with a down that does nothing.
//!
//! Rolling back such a migration "succeeds" and leaves its tables, columns and indexes in place;
//! re-running the up then fails on objects that already exist, and code rolled back with it meets
//! a schema it does not expect. Only sets that write downs are checked (golang-migrate and sqlx
//! `.down.sql` pairs, diesel `down.sql`, goose and dbmate down sections, Flyway `U` files): a team
//! that never writes downs rolls forward by design. Ups that only set, comment, grant, move data
//! or `CREATE OR REPLACE` stay quiet, and so does a down that refuses on purpose
//! (`RAISE EXCEPTION`).

use super::helpers::reversibility::{describe_change, inverse_sql, is_noop_down, needs_down};
use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::rules::{Check, DownPart};
use crate::lint::statement::Statement;

pub struct MissingDownMigration;

impl Check for MissingDownMigration {
    fn migration(
        &self,
        up: &[Statement],
        down: &DownPart,
        _start: &Context,
        out: &mut Vec<Finding>,
    ) {
        let changes: Vec<_> = up
            .iter()
            .flat_map(|s| s.ops.iter().map(move |op| (s, op)))
            .filter(|(_, op)| needs_down(op))
            .collect();
        let Some((first, first_op)) = changes.first() else {
            return;
        };
        let what = describe_change(first_op);
        let more = match changes.len() - 1 {
            0 => String::new(),
            1 => " and 1 more change".to_owned(),
            n => format!(" and {n} more changes"),
        };
        let mut inverse: Vec<String> = changes
            .iter()
            .rev()
            .filter_map(|(_, op)| inverse_sql(op))
            .collect();
        inverse.dedup();
        let sketch = if inverse.is_empty() {
            String::new()
        } else {
            let shown: Vec<&str> = inverse.iter().take(3).map(String::as_str).collect();
            let etc = if inverse.len() > 3 { " ..." } else { "" };
            format!(", e.g. {}{etc}", shown.join(" "))
        };
        let (message, help) = match down {
            DownPart::NotExpected => return,
            DownPart::Missing { expected } => (
                format!(
                    "This migration {what}{more} but has no down migration (expected \
                     {expected}): a rollback cannot undo it"
                ),
                format!(
                    "Write the down migration{sketch}; if this migration is one-way on purpose, \
                     make the down say so (DO $$ BEGIN RAISE EXCEPTION 'irreversible \
                     migration'; END $$)"
                ),
            ),
            DownPart::Present(file) => {
                let statements = file.statements();
                if !is_noop_down(statements) {
                    return;
                }
                let name = file.describe();
                (
                    format!(
                        "This migration {what}{more} but its down ({name}) is empty: a rollback \
                         does nothing and leaves it in place"
                    ),
                    format!(
                        "Fill in the down migration{sketch}; if this migration is one-way on \
                         purpose, make the down say so (DO $$ BEGIN RAISE EXCEPTION \
                         'irreversible migration'; END $$)"
                    ),
                )
            }
        };
        out.push(Finding::new(first.span.clone(), message, help));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::context::FileSettings;

    fn run(up: &str, down: &DownPart) -> Vec<Finding> {
        let mut out = Vec::new();
        let start = Context::new(&FileSettings::default());
        MissingDownMigration.migration(&crate::lint::parse_file(up), down, &start, &mut out);
        out
    }

    #[test]
    fn missing_and_empty_downs_fire_only_for_schema_changes() {
        let missing = DownPart::Missing {
            expected: "1_x.down.sql".to_owned(),
        };
        let found = run("SET lock_timeout = '1s';\nALTER TABLE t ADD c int;", &missing);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("adds column t.c"), "{}", found[0].message);
        assert!(found[0].help.contains("ALTER TABLE t DROP COLUMN c;"));
        let empty = DownPart::present("1_x.down.sql", "-- nothing\nSELECT 1;\n");
        assert_eq!(run("CREATE TABLE t (a int);", &empty).len(), 1);
        assert!(run("UPDATE t SET a = 1 WHERE a IS NULL;", &missing).is_empty());
        assert!(run("COMMENT ON TABLE t IS 'x';", &missing).is_empty());
        assert!(run("CREATE TABLE t (a int);", &DownPart::NotExpected).is_empty());
        let refuses =
            DownPart::present("d.sql", "DO $$ BEGIN RAISE EXCEPTION 'one-way'; END $$;");
        assert!(run("ALTER TABLE t DROP COLUMN c;", &refuses).is_empty());
    }
}
