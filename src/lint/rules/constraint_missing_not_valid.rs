//! `constraint-missing-not-valid`: see `rules/constraint-missing-not-valid.toml`.

use crate::lint::rules::Check;

pub struct ConstraintMissingNotValid;

impl Check for ConstraintMissingNotValid {}
