//! Plain SQL files (and stdin, e.g. `alembic upgrade --sql` or `manage.py sqlmigrate` output):
//! every file is linted whole, in file-name order; `assume_in_transaction` (flag or
//! `pgward.toml`) says whether the runner wraps each file in a transaction. A file named
//! `*.down.sql` is still skipped: nobody runs a down file forward.

use std::path::Path;

use super::{Framework, Part, Prepared, Transaction, file_name};

pub struct Plain;

impl Framework for Plain {
    fn prepare(&self, path: &Path, _text: &str) -> Prepared {
        let name = file_name(path);
        let down = name.to_ascii_lowercase().ends_with(".down.sql");
        Prepared {
            part: if down { Part::Down } else { Part::Up },
            transaction: Transaction::Configured,
            version: name,
            lint_text: None,
            reason: "plain SQL: assume_in_transaction decides",
        }
    }
}
