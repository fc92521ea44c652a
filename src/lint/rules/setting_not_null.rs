//! `setting-not-null`: see `rules/setting-not-null.toml`.

use crate::lint::rules::Check;

pub struct SettingNotNull;

impl Check for SettingNotNull {}
