//! `ban-drop-not-null`: see `rules/ban-drop-not-null.toml`.

use crate::lint::rules::Check;

pub struct BanDropNotNull;

impl Check for BanDropNotNull {}
