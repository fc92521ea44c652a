//! `prefer-text-field`: see `rules/prefer-text-field.toml`.

use crate::lint::rules::Check;

pub struct PreferTextField;

impl Check for PreferTextField {}
