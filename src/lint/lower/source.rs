//! The source text of types and default expressions, for `SqlType::written` and `Expr::text`,
//! and the byte ranges of tokens for parse errors.
//!
//! sqlparser's AST keeps no span for a data type, and printing it back upper-cases keywords
//! (`int` comes back as `INT`). Messages should quote what the author wrote, so the text is cut
//! from the statement's tokens, starting at the column name (whose span the AST does keep), and
//! used only when it matches sqlparser's rendering once case and whitespace are ignored;
//! otherwise the rendering stands.

use std::ops::Range;

use sqlparser::ast::Ident;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer};

/// A statement's tokens (comments and whitespace dropped) with their byte ranges.
pub(super) struct Source<'a> {
    text: &'a str,
    lines: Vec<usize>,
    tokens: Vec<(Token, usize, usize)>,
}

/// Where a column definition's type and default are in the source.
#[derive(Default)]
pub(super) struct ColumnText {
    pub ty: Option<String>,
    pub default: Option<String>,
}

/// Words that end a column's type in `CREATE TABLE` / `ADD COLUMN`.
const AFTER_TYPE: [&str; 10] = [
    "DEFAULT",
    "NOT",
    "NULL",
    "PRIMARY",
    "UNIQUE",
    "REFERENCES",
    "CHECK",
    "CONSTRAINT",
    "GENERATED",
    "COLLATE",
];

/// Words that end a default expression in a column definition (after its first token).
const AFTER_DEFAULT: [&str; 9] = [
    "NOT",
    "NULL",
    "PRIMARY",
    "UNIQUE",
    "REFERENCES",
    "CHECK",
    "CONSTRAINT",
    "GENERATED",
    "COLLATE",
];

impl<'a> Source<'a> {
    pub(super) fn new(text: &'a str) -> Source<'a> {
        let tokens = Tokenizer::new(&PostgreSqlDialect {}, text)
            .tokenize_with_location()
            .unwrap_or_default();
        let lines = line_starts(text);
        let tokens = tokens
            .into_iter()
            .filter(|t| !matches!(t.token, Token::Whitespace(_) | Token::EOF))
            .filter_map(|TokenWithSpan { token, span }| {
                let start = byte_offset(text, &lines, span.start)?;
                let end = byte_offset(text, &lines, span.end)?;
                Some((token, start, end.max(start)))
            })
            .collect();
        Source {
            text,
            lines,
            tokens,
        }
    }

    /// Byte offset of a sqlparser location in the statement.
    pub(super) fn offset(&self, loc: Location) -> Option<usize> {
        byte_offset(self.text, &self.lines, loc)
    }

    /// The byte range of the token that starts at byte `start`.
    pub(super) fn token_starting_at(&self, start: usize) -> Option<Range<usize>> {
        self.tokens
            .iter()
            .find(|(_, s, _)| *s == start)
            .map(|(_, s, e)| *s..*e)
    }

    /// The byte range of the last token (comments are not tokens here).
    pub(super) fn last_token(&self) -> Option<Range<usize>> {
        self.tokens.last().map(|(_, s, e)| *s..*e)
    }

    /// Index of the first token after the identifier `i`.
    fn after(&self, i: &Ident) -> Option<usize> {
        let end = byte_offset(self.text, &self.lines, i.span.end)?;
        let start = byte_offset(self.text, &self.lines, i.span.start)?;
        if end <= start {
            return None;
        }
        self.tokens.iter().position(|(_, s, _)| *s >= end)
    }

    fn is_word(&self, i: usize, words: &[&str]) -> bool {
        matches!(self.tokens.get(i), Some((Token::Word(w), _, _))
            if w.quote_style.is_none() && words.iter().any(|k| w.value.eq_ignore_ascii_case(k)))
    }

    /// Tokens from `from` up to (not including) the first one at bracket depth 0 that is `,`,
    /// an unbalanced `)`, or one of `stops` (checked only after `min` tokens). Returns the end
    /// index.
    fn run(&self, from: usize, stops: &[&str], min: usize) -> usize {
        let mut depth = 0i32;
        let mut i = from;
        while let Some((tok, _, _)) = self.tokens.get(i) {
            match tok {
                Token::LParen | Token::LBracket => depth += 1,
                Token::RParen | Token::RBracket if depth == 0 => break,
                Token::RParen | Token::RBracket => depth -= 1,
                Token::Comma | Token::SemiColon if depth == 0 => break,
                _ if depth == 0 && i - from >= min && self.is_word(i, stops) => break,
                _ => {}
            }
            i += 1;
        }
        i
    }

    /// The text of tokens `from..to`, when it spells `rendered`.
    fn text_if(&self, from: usize, to: usize, rendered: &str) -> Option<String> {
        if from >= to {
            return None;
        }
        let s = &self.text[self.tokens[from].1..self.tokens[to - 1].2];
        same(s, rendered).then(|| s.to_owned())
    }

    /// The type and default of a column defined as `name type [options]`.
    pub(super) fn column(
        &self,
        name: &Ident,
        ty: &str,
        default: Option<&str>,
    ) -> Option<ColumnText> {
        let start = self.after(name)?;
        let ty_end = self.run(start, &AFTER_TYPE, 1);
        let end = self.run(ty_end, &[], 0);
        let default = default.and_then(|rendered| {
            let at = (ty_end..end).find(|&i| self.is_word(i, &["DEFAULT"]))?;
            let stop = self.run(at + 1, &AFTER_DEFAULT, 1);
            self.text_if(at + 1, stop, rendered)
        });
        Some(ColumnText {
            ty: self.text_if(start, ty_end, ty),
            default,
        })
    }

    /// The type and `USING` expression of `ALTER [COLUMN] name [SET DATA] TYPE type [USING e]`.
    pub(super) fn alter_type(
        &self,
        column: &Ident,
        ty: &str,
        using: Option<&str>,
    ) -> (Option<String>, Option<String>) {
        let Some(mut i) = self.after(column) else {
            return (None, None);
        };
        while self.is_word(i, &["SET", "DATA", "TYPE"]) {
            i += 1;
        }
        let ty_end = self.run(i, &["USING", "COLLATE"], 1);
        let ty_text = self.text_if(i, ty_end, ty);
        let using_text = using.and_then(|rendered| {
            let at = (ty_end..self.run(ty_end, &[], 0)).find(|&j| self.is_word(j, &["USING"]))?;
            self.text_if(at + 1, self.run(at + 1, &[], 0), rendered)
        });
        (ty_text, using_text)
    }

    /// The expression of `ALTER [COLUMN] name SET DEFAULT expr`.
    pub(super) fn set_default(&self, column: &Ident, rendered: &str) -> Option<String> {
        let mut i = self.after(column)?;
        if !(self.is_word(i, &["SET"]) && self.is_word(i + 1, &["DEFAULT"])) {
            return None;
        }
        i += 2;
        self.text_if(i, self.run(i, &[], 0), rendered)
    }
}

/// Equal once ASCII case and whitespace are ignored.
fn same(source: &str, rendered: &str) -> bool {
    let squash = |s: &str| {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_lowercase())
            .collect::<String>()
    };
    squash(source) == squash(rendered)
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// Byte offset of a 1-based line and column (in characters, as sqlparser counts).
fn byte_offset(text: &str, lines: &[usize], loc: Location) -> Option<usize> {
    let line = usize::try_from(loc.line).ok()?.checked_sub(1)?;
    let column = usize::try_from(loc.column).ok()?.checked_sub(1)?;
    let start = *lines.get(line)?;
    let rest = &text[start..];
    match rest.char_indices().nth(column) {
        Some((i, _)) => Some(start + i),
        None => (rest.chars().count() == column).then_some(text.len()),
    }
}
