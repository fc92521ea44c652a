//! `prefer-robust-stmts`: see `rules/prefer-robust-stmts.toml`.

use crate::lint::rules::Check;

pub struct PreferRobustStmts;

impl Check for PreferRobustStmts {}
