//! `ban-drop-column`: see `rules/ban-drop-column.toml`.

use crate::lint::rules::Check;

pub struct BanDropColumn;

impl Check for BanDropColumn {}
