//! `unbatched-backfill`: see `rules/unbatched-backfill.toml`.

use crate::lint::rules::Check;

pub struct UnbatchedBackfill;

impl Check for UnbatchedBackfill {}
