//! `holding-access-exclusive-lock`: see `rules/holding-access-exclusive-lock.toml`.

use crate::lint::rules::Check;

pub struct HoldingAccessExclusiveLock;

impl Check for HoldingAccessExclusiveLock {}
