//! `create-table-as`: see `rules/create-table-as.toml`.

use crate::lint::rules::Check;

pub struct CreateTableAs;

impl Check for CreateTableAs {}
