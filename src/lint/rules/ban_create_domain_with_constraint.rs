//! `ban-create-domain-with-constraint`: see `rules/ban-create-domain-with-constraint.toml`.

use crate::lint::rules::Check;

pub struct BanCreateDomainWithConstraint;

impl Check for BanCreateDomainWithConstraint {}
