//! `adding-primary-key-constraint`: see `rules/adding-primary-key-constraint.toml`.

use crate::lint::rules::Check;

pub struct AddingPrimaryKeyConstraint;

impl Check for AddingPrimaryKeyConstraint {}
