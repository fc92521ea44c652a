//! `renaming-table`: see `rules/renaming-table.toml`.

use crate::lint::rules::Check;

pub struct RenamingTable;

impl Check for RenamingTable {}
