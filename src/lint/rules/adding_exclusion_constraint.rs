//! `adding-exclusion-constraint`: see `rules/adding-exclusion-constraint.toml`.

use crate::lint::rules::Check;

pub struct AddingExclusionConstraint;

impl Check for AddingExclusionConstraint {}
