//! `prefer-bigint-over-int`: see `rules/prefer-bigint-over-int.toml`.

use crate::lint::rules::Check;

pub struct PreferBigintOverInt;

impl Check for PreferBigintOverInt {}
