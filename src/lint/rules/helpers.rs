//! Helpers shared by several rules. Rules never import each other.

use crate::lint::context::Context;
use crate::lint::locks::LockEffect;
use crate::lint::statement::Statement;

/// The locks the statement takes on tables that existed before this file, strongest first.
pub fn existing_effects(stmt: &Statement, ctx: &Context) -> Vec<LockEffect> {
    let mut effects = ctx.effects_on_existing(stmt);
    effects.sort_by(|a, b| b.mode.cmp(&a.mode).then(b.work.cmp(&a.work)));
    effects
}
