//! `ban-drop-schema`: see `rules/ban-drop-schema.toml`.

use crate::lint::rules::Check;

pub struct BanDropSchema;

impl Check for BanDropSchema {}
