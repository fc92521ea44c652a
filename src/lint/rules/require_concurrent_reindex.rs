//! `require-concurrent-reindex`: see `rules/require-concurrent-reindex.toml`.

use crate::lint::rules::Check;

pub struct RequireConcurrentReindex;

impl Check for RequireConcurrentReindex {}
