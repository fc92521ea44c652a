//! `ban-concurrent-index-creation-in-transaction`: see `rules/ban-concurrent-index-creation-in-transaction.toml`.

use crate::lint::rules::Check;

pub struct BanConcurrentIndexCreationInTransaction;

impl Check for BanConcurrentIndexCreationInTransaction {}
