//! `ban-lock-table`: see `rules/ban-lock-table.toml`.

use crate::lint::rules::Check;

pub struct BanLockTable;

impl Check for BanLockTable {}
