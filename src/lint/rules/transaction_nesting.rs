//! `transaction-nesting`: see `rules/transaction-nesting.toml`.

use crate::lint::rules::Check;

pub struct TransactionNesting;

impl Check for TransactionNesting {}
