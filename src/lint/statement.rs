//! One statement of a migration: where it is, what it does, and how we know.

use std::ops::Range;

use super::ops::Op;

/// How a statement's operations were recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParsedBy {
    /// sqlparser parsed it; the ops come from its AST.
    Parser,
    /// sqlparser rejected it but the token stream shows what it is (`DROP INDEX CONCURRENTLY`,
    /// `REINDEX`, `DO`, ...).
    Tokens,
    /// Neither: the statement ends as a `syntax-error` diagnostic and no other rule sees it.
    Unrecognized,
}

/// A parse failure, kept for the `syntax-error` rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    /// Byte range in the file, inside the statement.
    pub span: Range<usize>,
}

#[derive(Clone, Debug)]
pub struct Statement {
    /// Byte range in the file: from the first token to the last one, without the `;`.
    pub span: Range<usize>,
    /// The statement's SQL. Equal to `source[span]`, except for statements that came from an
    /// `EXECUTE '...'` string literal inside a `DO` body, whose quotes are undone.
    pub text: String,
    pub ops: Vec<Op>,
    pub parsed_by: ParsedBy,
    pub syntax_error: Option<SyntaxError>,
    /// Set for statements found inside a `DO` block's body.
    pub in_do_block: bool,
}

impl Statement {
    /// Byte range in the file of the first occurrence of `needle` (ASCII case-insensitive) in this
    /// statement, for pointing a diagnostic at the part that matters. Falls back to the whole
    /// statement when the text is not found, or when the text does not map 1:1 onto the file.
    pub fn find(&self, needle: &str) -> Range<usize> {
        if self.text.len() != self.span.len() || needle.is_empty() {
            return self.span.clone();
        }
        let hay = self.text.as_bytes();
        let pat = needle.as_bytes();
        if pat.len() > hay.len() {
            return self.span.clone();
        }
        (0..=hay.len() - pat.len())
            .find(|&i| hay[i..i + pat.len()].eq_ignore_ascii_case(pat))
            .map(|i| self.span.start + i..self.span.start + i + pat.len())
            .unwrap_or_else(|| self.span.clone())
    }
}
