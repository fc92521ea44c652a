//! `require-concurrent-index-deletion`: see `rules/require-concurrent-index-deletion.toml`.

use crate::lint::rules::Check;

pub struct RequireConcurrentIndexDeletion;

impl Check for RequireConcurrentIndexDeletion {}
