//! `ban-uncommitted-transaction`: see `rules/ban-uncommitted-transaction.toml`.

use crate::lint::rules::Check;

pub struct BanUncommittedTransaction;

impl Check for BanUncommittedTransaction {}
