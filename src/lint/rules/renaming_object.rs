//! `renaming-object`: see `rules/renaming-object.toml`.

use crate::lint::rules::Check;

pub struct RenamingObject;

impl Check for RenamingObject {}
