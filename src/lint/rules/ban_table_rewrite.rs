//! `ban-table-rewrite`: see `rules/ban-table-rewrite.toml`.

use crate::lint::rules::Check;

pub struct BanTableRewrite;

impl Check for BanTableRewrite {}
