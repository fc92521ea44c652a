//! `ban-drop-object`: see `rules/ban-drop-object.toml`.

use crate::lint::rules::Check;

pub struct BanDropObject;

impl Check for BanDropObject {}
