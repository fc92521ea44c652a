//! Lowers one statement's SQL into [`Op`]s: sqlparser's AST first, the token
//! fallback for what sqlparser rejects. (Being written: see the lowering task.)

use std::ops::Range;

use super::ops::Op;
use super::statement::ParsedBy;

/// SQL found inside a statement that is linted as statements of its own: the body of a `DO`
/// block, and the string literals it `EXECUTE`s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Embedded {
    /// Byte range relative to the start of the outer statement's text. For an `EXECUTE '...'`
    /// literal, the literal's range (quotes excluded).
    pub span: Range<usize>,
    /// The SQL: equal to the outer text at `span`, except that quotes doubled inside a
    /// literal are undone.
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lowered {
    pub ops: Vec<Op>,
    pub parsed_by: ParsedBy,
    /// The parse error for an unrecognised statement: message and byte range relative to the
    /// statement's text.
    pub error: Option<(String, Range<usize>)>,
    pub embedded: Vec<Embedded>,
}

pub fn lower(text: &str) -> Lowered {
    let _ = text;
    Lowered {
        ops: Vec::new(),
        parsed_by: ParsedBy::Unrecognized,
        error: None,
        embedded: Vec::new(),
    }
}
