//! `renaming-column`: see `rules/renaming-column.toml`.

use crate::lint::rules::Check;

pub struct RenamingColumn;

impl Check for RenamingColumn {}
