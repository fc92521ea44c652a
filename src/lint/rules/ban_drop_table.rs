//! `ban-drop-table`: see `rules/ban-drop-table.toml`.

use crate::lint::rules::Check;

pub struct BanDropTable;

impl Check for BanDropTable {}
