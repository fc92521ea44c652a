//! `refresh-matview-non-concurrently`: see `rules/refresh-matview-non-concurrently.toml`.

use crate::lint::rules::Check;

pub struct RefreshMatviewNonConcurrently;

impl Check for RefreshMatviewNonConcurrently {}
