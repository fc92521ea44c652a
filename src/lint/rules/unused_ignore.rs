//! `unused-ignore`: a `-- pgward-ignore: <rule>` (or `squawk-ignore`) suppression that silences
//! nothing.
//!
//! An unused suppression is a trap: the statement it was written for changed or moved, and the
//! comment now waits to hide the next real problem. The engine reports this rule itself
//! (`unused_ignore` in `src/lint/mod.rs`), because only it knows, after every other rule ran and
//! every suppression was applied, which suppressions silenced nothing. The `Check` impl is
//! therefore empty on purpose: this is not a stub.

use crate::lint::rules::Check;

pub struct UnusedIgnore;

impl Check for UnusedIgnore {}
