//! `adding-field-with-default`: see `rules/adding-field-with-default.toml`.

use crate::lint::rules::Check;

pub struct AddingFieldWithDefault;

impl Check for AddingFieldWithDefault {}
