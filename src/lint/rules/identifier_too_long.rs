//! `identifier-too-long`: see `rules/identifier-too-long.toml`.

use crate::lint::rules::Check;

pub struct IdentifierTooLong;

impl Check for IdentifierTooLong {}
