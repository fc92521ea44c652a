//! Prisma Migrate (`prisma migrate deploy`): `prisma/migrations/<timestamp>_<name>/migration.sql`,
//! applied in directory-name order; `migration_lock.toml` sits beside them. A `down.sql` kept in a
//! migration directory (from `prisma migrate diff`) is a down file.
//!
//! Transactions: the schema engine opens none; it sends the whole script as one query
//! (prisma-engines, `sql-schema-connector/src/flavour/postgres/connection.rs`,
//! `apply_migration_script`: `client.simple_query(script)`). PostgreSQL runs a multi-statement
//! script in one implicit transaction, so a `CREATE INDEX CONCURRENTLY` works only alone in its
//! migration.

use std::path::Path;

use super::{Framework, Part, Prepared, Transaction, file_name, parent_name};

pub struct Prisma;

impl Framework for Prisma {
    fn prepare(&self, path: &Path, _text: &str) -> Prepared {
        let part = if file_name(path).eq_ignore_ascii_case("down.sql") {
            Part::Down
        } else {
            Part::Up
        };
        Prepared {
            part,
            transaction: Transaction::OneQuery,
            version: parent_name(path),
            lint_text: None,
            reason: "prisma sends migration.sql as one query",
        }
    }
}
