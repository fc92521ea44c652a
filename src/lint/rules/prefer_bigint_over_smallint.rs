//! `prefer-bigint-over-smallint`: see `rules/prefer-bigint-over-smallint.toml`.

use crate::lint::rules::Check;

pub struct PreferBigintOverSmallint;

impl Check for PreferBigintOverSmallint {}
