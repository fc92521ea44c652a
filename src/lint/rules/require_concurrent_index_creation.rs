//! `require-concurrent-index-creation`: see `rules/require-concurrent-index-creation.toml`.

use crate::lint::rules::Check;

pub struct RequireConcurrentIndexCreation;

impl Check for RequireConcurrentIndexCreation {}
