//! `require-concurrent-partition-detach`: see `rules/require-concurrent-partition-detach.toml`.

use crate::lint::rules::Check;

pub struct RequireConcurrentPartitionDetach;

impl Check for RequireConcurrentPartitionDetach {}
