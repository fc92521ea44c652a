//! `unused-ignore`: see `rules/unused-ignore.toml`.

use crate::lint::rules::Check;

pub struct UnusedIgnore;

impl Check for UnusedIgnore {}
