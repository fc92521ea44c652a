//! `syntax-error`: see `rules/syntax-error.toml`.

use crate::lint::rules::Check;

pub struct SyntaxError;

impl Check for SyntaxError {}
