//! `ban-alter-domain-with-add-constraint`: see `rules/ban-alter-domain-with-add-constraint.toml`.

use crate::lint::rules::Check;

pub struct BanAlterDomainWithAddConstraint;

impl Check for BanAlterDomainWithAddConstraint {}
