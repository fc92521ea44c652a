//! sqlparser's parse errors as messages for people, pointing at the token they name.

use std::ops::Range;

use sqlparser::parser::ParserError;
use sqlparser::tokenizer::Location;

use super::source::Source;

/// sqlparser's error as a message for people, and the byte range it points at.
///
/// `sql parser error: Expected: identifier, found: ) at Line: 1, Column: 20` becomes
/// `expected identifier, found `)`` pointing at the `)`. An error at the end of the statement
/// points at its last token; one without a position at the whole statement.
pub(super) fn describe_error(err: &ParserError, text: &str) -> (String, Range<usize>) {
    let raw = match err {
        ParserError::TokenizerError(s) | ParserError::ParserError(s) => s.as_str(),
        ParserError::RecursionLimitExceeded => "the statement is nested too deeply to parse",
    };
    let (body, location) = split_location(raw);
    let at_end = body.ends_with("found: EOF");
    let message = readable(body);
    let whole = 0..text.len();
    let source = Source::new(text);
    let span = match location {
        Some(loc) => match source.offset(loc) {
            Some(start) if matches!(err, ParserError::TokenizerError(_)) => {
                // An unterminated literal or comment runs from where it starts to the end.
                start..text.len()
            }
            Some(start) => source.token_starting_at(start).unwrap_or(start..text.len()),
            None => whole,
        },
        None if at_end => source.last_token().unwrap_or(whole),
        None => whole,
    };
    (message, span)
}

/// Splits `... at Line: 3, Column: 7` into the message and the location.
fn split_location(raw: &str) -> (&str, Option<Location>) {
    let Some(i) = raw.rfind(" at Line: ") else {
        return (raw, None);
    };
    let rest = &raw[i + " at Line: ".len()..];
    let mut parts = rest.splitn(2, ", Column: ");
    let line = parts.next().and_then(|l| l.trim().parse::<u64>().ok());
    let column = parts.next().and_then(|c| c.trim().parse::<u64>().ok());
    match (line, column) {
        (Some(line), Some(column)) => (&raw[..i], Some(Location { line, column })),
        _ => (raw, None),
    }
}

/// `Expected: X, found: Y` reads as `expected X, found `Y``; other messages keep their words.
fn readable(body: &str) -> String {
    let body = body.trim();
    if let Some(rest) = body.strip_prefix("Expected: ")
        && let Some((expected, found)) = rest.rsplit_once(", found: ")
    {
        let found = if found == "EOF" {
            "the end of the statement".to_owned()
        } else {
            format!("`{found}`")
        };
        return format!("expected {expected}, found {found}");
    }
    let mut chars = body.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "sqlparser could not parse the statement".to_owned(),
    }
}
