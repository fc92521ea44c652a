//! `disallowed-unique-constraint`: see `rules/disallowed-unique-constraint.toml`.

use crate::lint::rules::Check;

pub struct DisallowedUniqueConstraint;

impl Check for DisallowedUniqueConstraint {}
