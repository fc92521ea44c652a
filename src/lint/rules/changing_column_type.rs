//! `changing-column-type`: see `rules/changing-column-type.toml`.

use crate::lint::rules::Check;

pub struct ChangingColumnType;

impl Check for ChangingColumnType {}
