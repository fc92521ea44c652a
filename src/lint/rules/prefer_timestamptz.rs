//! `prefer-timestamptz`: see `rules/prefer-timestamptz.toml`.

use crate::lint::rules::Check;

pub struct PreferTimestamptz;

impl Check for PreferTimestamptz {}
