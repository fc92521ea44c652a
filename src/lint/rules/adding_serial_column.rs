//! `adding-serial-column`: see `rules/adding-serial-column.toml`.

use crate::lint::rules::Check;

pub struct AddingSerialColumn;

impl Check for AddingSerialColumn {}
