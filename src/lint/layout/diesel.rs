//! diesel (diesel-rs/diesel `diesel migration run`): one directory per migration,
//! `migrations/<version>_<name>/up.sql` and `down.sql`, optionally `metadata.toml`. The version is
//! the directory name up to the first `_`; migrations run in version order.
//!
//! Transactions: "By default each migration is executed in a own transaction"
//! (`diesel::migration::MigrationMetadata::run_in_transaction`, docs.diesel.rs), turned off per
//! migration with `run_in_transaction = false` in its `metadata.toml`. Without the transaction
//! diesel runs the file with `batch_execute`, one query string: PostgreSQL still runs a
//! multi-statement file in one implicit transaction.

use std::path::Path;

use super::{Framework, Part, Prepared, Transaction, file_name, parent_name};

pub struct Diesel;

/// `run_in_transaction` from the migration's `metadata.toml`, when it says so.
fn run_in_transaction(dir: &Path) -> Option<bool> {
    let text = std::fs::read_to_string(dir.join("metadata.toml")).ok()?;
    let value: toml::Table = toml::from_str(&text).ok()?;
    value.get("run_in_transaction")?.as_bool()
}

impl Framework for Diesel {
    fn prepare(&self, path: &Path, _text: &str) -> Prepared {
        let name = file_name(path);
        let dir = parent_name(path);
        let version = dir.split('_').next().unwrap_or(&dir).replace('-', "");
        let part = if name.eq_ignore_ascii_case("down.sql") {
            Part::Down
        } else {
            Part::Up
        };
        let in_tx = path.parent().and_then(run_in_transaction).unwrap_or(true);
        let (transaction, reason) = if in_tx {
            (
                Transaction::Wrapped,
                "diesel runs each migration in a transaction",
            )
        } else {
            (
                Transaction::OneQuery,
                "diesel sends a run_in_transaction = false migration as one query",
            )
        };
        Prepared {
            part,
            transaction,
            version,
            lint_text: None,
            reason,
        }
    }
}
