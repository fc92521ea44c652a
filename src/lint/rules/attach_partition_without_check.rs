//! `attach-partition-without-check`: see `rules/attach-partition-without-check.toml`.

use crate::lint::rules::Check;

pub struct AttachPartitionWithoutCheck;

impl Check for AttachPartitionWithoutCheck {}
