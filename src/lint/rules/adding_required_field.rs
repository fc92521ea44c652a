//! `adding-required-field`: see `rules/adding-required-field.toml`.

use crate::lint::rules::Check;

pub struct AddingRequiredField;

impl Check for AddingRequiredField {}
