//! `ban-drop-database`: see `rules/ban-drop-database.toml`.

use crate::lint::rules::Check;

pub struct BanDropDatabase;

impl Check for BanDropDatabase {}
