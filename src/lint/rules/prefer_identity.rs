//! `prefer-identity`: see `rules/prefer-identity.toml`.

use crate::lint::rules::Check;

pub struct PreferIdentity;

impl Check for PreferIdentity {}
