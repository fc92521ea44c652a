//! `enum-add-value-in-transaction`: see `rules/enum-add-value-in-transaction.toml`.

use crate::lint::rules::Check;

pub struct EnumAddValueInTransaction;

impl Check for EnumAddValueInTransaction {}
