//! `prefer-jsonb`: see `rules/prefer-jsonb.toml`.

use crate::lint::rules::Check;

pub struct PreferJsonb;

impl Check for PreferJsonb {}
