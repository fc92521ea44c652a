//! `require-timeout-settings`: see `rules/require-timeout-settings.toml`.

use crate::lint::rules::Check;

pub struct RequireTimeoutSettings;

impl Check for RequireTimeoutSettings {}
