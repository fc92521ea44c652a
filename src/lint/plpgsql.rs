//! Finds the SQL a PL/pgSQL body runs, so that a `DO` block's DDL is linted like any other.
//!
//! This is not a PL/pgSQL parser. It walks the body's tokens statement by statement, steps over
//! the block structure (`DECLARE`, `BEGIN`/`END`, `IF ... THEN`, `LOOP`, `EXCEPTION WHEN ...
//! THEN`, ...) and keeps the statements that are SQL commands (DDL, DML, `SET`, `COMMIT`, ...).
//! `EXECUTE 'literal'` keeps the literal's text; dynamic SQL built at run time cannot be seen and
//! is left alone. Control statements (`RAISE`, `PERFORM`, `RETURN`, assignments, `SELECT ... INTO
//! var`) run no DDL and are skipped.

use sqlparser::tokenizer::Token;

use super::fallback::{Tok, literal_content, string_value, tokenize};
use super::lower::Embedded;

/// First keywords of the statements kept from a body.
const SQL_COMMANDS: &[&str] = &[
    "ALTER", "ANALYSE", "ANALYZE", "CALL", "CLUSTER", "COMMENT", "COMMIT", "COPY", "CREATE",
    "DELETE", "DO", "DROP", "GRANT", "IMPORT", "INSERT", "LOCK", "MERGE", "REASSIGN", "REFRESH",
    "REINDEX", "RESET", "REVOKE", "ROLLBACK", "SECURITY", "SET", "TRUNCATE", "UPDATE", "VACUUM",
    "WITH",
];

/// The SQL statements a PL/pgSQL body runs. `body_offset` is where `body` starts in the outer
/// statement's text; the returned spans are relative to that outer text.
pub fn extract(body: &str, body_offset: usize) -> Vec<Embedded> {
    let Some(toks) = tokenize(body) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i].token;
        if *t == Token::SemiColon {
            i += 1;
            continue;
        }
        if *t == Token::ShiftLeft {
            // `<<label>>`.
            i = skip_past(&toks, i, |t| *t == Token::ShiftRight);
            continue;
        }
        let kw = keyword(t);
        match kw.as_deref() {
            Some("DECLARE") => {
                i = find(&toks, i + 1, |t| is_kw(t, "BEGIN"));
                continue;
            }
            Some("BEGIN" | "LOOP" | "ELSE" | "EXCEPTION") => {
                i += 1;
                continue;
            }
            Some("IF" | "ELSIF" | "ELSEIF" | "WHEN") => {
                i = skip_past(&toks, i + 1, |t| is_kw(t, "THEN"));
                continue;
            }
            Some("WHILE" | "FOR" | "FOREACH") => {
                i = skip_past(&toks, i + 1, |t| is_kw(t, "LOOP"));
                continue;
            }
            Some("CASE") => {
                i = find(&toks, i + 1, |t| is_kw(t, "WHEN"));
                continue;
            }
            _ => {}
        }
        let end = find(&toks, i, |t| *t == Token::SemiColon);
        let stmt = &toks[i..end];
        i = end;
        match kw.as_deref() {
            Some("EXECUTE") => out.extend(execute_literal(body, body_offset, &stmt[1..])),
            Some(k) if SQL_COMMANDS.contains(&k) && !is_assignment(stmt) => {
                let (Some(first), Some(last)) = (stmt.first(), stmt.last()) else {
                    continue;
                };
                if let Some(text) = body.get(first.span.start..last.span.end) {
                    out.push(Embedded {
                        span: body_offset + first.span.start..body_offset + last.span.end,
                        text: text.to_owned(),
                    });
                }
            }
            _ => {}
        }
    }
    out
}

fn is_kw(token: &Token, kw: &str) -> bool {
    matches!(token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(kw))
}

fn keyword(token: &Token) -> Option<String> {
    match token {
        Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
        _ => None,
    }
}

/// Index of the first token from `from` that matches `stop` outside parentheses and `CASE ...
/// END` expressions, or the end.
fn find(toks: &[Tok], from: usize, stop: impl Fn(&Token) -> bool) -> usize {
    let mut depth = 0usize;
    let mut cases = 0usize;
    let mut i = from;
    while i < toks.len() {
        let t = &toks[i].token;
        if depth == 0 && cases == 0 && stop(t) {
            return i;
        }
        match t {
            Token::LParen | Token::LBracket => depth += 1,
            Token::RParen | Token::RBracket => depth = depth.saturating_sub(1),
            // A `;` always ends a statement, even inside unbalanced parentheses.
            Token::SemiColon => {
                depth = 0;
                cases = 0;
            }
            t if is_kw(t, "CASE") => cases += 1,
            t if is_kw(t, "END") => cases = cases.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    toks.len()
}

/// Index just past the first token matching `stop` (see [`find`]).
fn skip_past(toks: &[Tok], from: usize, stop: impl Fn(&Token) -> bool) -> usize {
    (find(toks, from, stop) + 1).min(toks.len())
}

/// `name := value`, `name = value`, `rec.field := value`, `arr[1] := value`.
fn is_assignment(stmt: &[Tok]) -> bool {
    let mut i = 1;
    while i < stmt.len() {
        match &stmt[i].token {
            Token::Assignment | Token::Eq => return true,
            Token::Period => i += 2,
            Token::LBracket => {
                while i < stmt.len() && stmt[i].token != Token::RBracket {
                    i += 1;
                }
                i += 1;
            }
            _ => return false,
        }
    }
    false
}

/// `EXECUTE 'sql' [|| 'more' ...] [INTO ...] [USING ...]`: the literal SQL, or nothing when the
/// command is built from anything but literals.
fn execute_literal(body: &str, body_offset: usize, args: &[Tok]) -> Option<Embedded> {
    let end = args
        .iter()
        .position(|t| is_kw(&t.token, "INTO") || is_kw(&t.token, "USING"))
        .unwrap_or(args.len());
    let parts = &args[..end];
    if parts.is_empty() || parts.len() % 2 == 0 {
        return None;
    }
    let mut text = String::new();
    let mut span: Option<std::ops::Range<usize>> = None;
    for (n, t) in parts.iter().enumerate() {
        if n % 2 == 1 {
            if t.token != Token::StringConcat {
                return None;
            }
            continue;
        }
        text.push_str(string_value(&t.token)?);
        let (content, _) = literal_content(body, t)?;
        span = Some(match span {
            None => content,
            Some(s) => s.start..content.end,
        });
    }
    let span = span?;
    Some(Embedded {
        span: body_offset + span.start..body_offset + span.end,
        text,
    })
}
