//! `ban-truncate`: see `rules/ban-truncate.toml`.

use crate::lint::rules::Check;

pub struct BanTruncate;

impl Check for BanTruncate {}
