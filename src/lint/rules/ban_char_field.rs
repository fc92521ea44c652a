//! `ban-char-field`: see `rules/ban-char-field.toml`.

use crate::lint::rules::Check;

pub struct BanCharField;

impl Check for BanCharField {}
