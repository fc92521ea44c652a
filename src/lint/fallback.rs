//! Placeholder for the token fallback (being written on another branch): recognises statements
//! sqlparser rejects from their tokens. Until it lands, nothing is recognised.

use super::lower::Embedded;
use super::ops::Op;

/// What the token stream shows a statement does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recognized {
    pub ops: Vec<Op>,
    pub embedded: Vec<Embedded>,
}

/// Recognises a statement sqlparser rejected; `None` when its tokens are not understood either.
pub fn recognize(_: &str) -> Option<Recognized> {
    None
}
