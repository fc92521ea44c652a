//! The statement splitter on real migrations (the shared corpus) and on generated input: every
//! byte of a file is either inside a statement or in a gap made only of whitespace, comments,
//! `;` and psql meta-commands, and the spans are exact.

use std::ops::Range;
use std::path::{Path, PathBuf};

use pgward::lint::split::{Split, split};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};

fn corpus_dir() -> Option<PathBuf> {
    [
        concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus"),
        "/work/shared/corpus",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.is_dir())
}

fn sql_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sql_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "sql") {
            out.push(path);
        }
    }
}

/// Checks the invariants of a split of `src`; returns a description of the first violation.
fn check(src: &str, s: &Split) -> Result<(), String> {
    let is_trimmed = |r: &Range<usize>| {
        let t = &src[r.clone()];
        !t.is_empty()
            && !t.starts_with(char::is_whitespace)
            && !t.ends_with(char::is_whitespace)
            && !t.starts_with("--")
            && !t.starts_with("/*")
    };
    for w in s.statements.windows(2) {
        if w[0].end > w[1].start {
            return Err(format!("statements overlap: {:?} {:?}", w[0], w[1]));
        }
    }
    for w in s.comments.windows(2) {
        if w[0].end > w[1].start {
            return Err(format!("comments overlap: {:?} {:?}", w[0], w[1]));
        }
    }
    for r in &s.statements {
        if !src.is_char_boundary(r.start) || !src.is_char_boundary(r.end) || !is_trimmed(r) {
            return Err(format!(
                "bad statement span {r:?}: {:?}",
                src.get(r.clone())
            ));
        }
    }
    for r in &s.comments {
        let t = &src[r.clone()];
        let ok = (t.starts_with("--") && !t.contains('\n') && !t.ends_with('\r'))
            || (t.starts_with("/*") && t.ends_with("*/") && t.len() >= 4);
        if !ok {
            return Err(format!("bad comment span {r:?}: {t:?}"));
        }
    }
    // Walk the gaps between statements (up to the error, if any): only whitespace, listed
    // comments, `;` and meta-command lines.
    let end = s.error.as_ref().map_or(src.len(), |e| e.span.start);
    let mut comments = s.comments.iter().peekable();
    let mut stmts = s.statements.iter().peekable();
    let mut i = 0;
    let b = src.as_bytes();
    while i < end {
        if let Some(r) = stmts.peek()
            && r.start == i
        {
            // Comments inside the statement are skipped with it.
            while comments.peek().is_some_and(|c| c.start < r.end) {
                comments.next();
            }
            i = r.end;
            stmts.next();
            continue;
        }
        if let Some(c) = comments.peek()
            && c.start == i
        {
            i = c.end;
            comments.next();
            continue;
        }
        match b[i] {
            b';' | b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => i += 1,
            b'\\' => i = src[i..].find('\n').map_or(src.len(), |n| i + n),
            // The statement that holds an unterminated construct is dropped.
            _ if s.error.is_some() && stmts.peek().is_none() => return Ok(()),
            _ => return Err(format!("byte {i} is in no statement: {:?}", &src[i..])),
        }
    }
    if stmts.next().is_some() {
        return Err("a statement after the error".to_owned());
    }
    Ok(())
}

#[test]
fn corpus_splits_cleanly() {
    let Some(dir) = corpus_dir() else {
        eprintln!("corpus not found; skipped");
        return;
    };
    let mut files = Vec::new();
    sql_files(&dir, &mut files);
    files.sort();
    assert!(files.len() > 1_000, "only {} corpus files", files.len());
    let mut statements = 0;
    for path in &files {
        let src = std::fs::read_to_string(path).unwrap();
        let s = split(&src);
        assert_eq!(s.error, None, "{}", path.display());
        if let Err(e) = check(&src, &s) {
            panic!("{}: {e}", path.display());
        }
        statements += s.statements.len();
    }
    // The corpus README's "about 12,200 statements" counts every `;`, including the ones inside
    // function bodies and DO blocks.
    assert!(
        (8_000..9_000).contains(&statements),
        "{statements} statements"
    );
}

/// sqlparser's tokenizer, as an independent lexer: the number of non-empty groups of tokens
/// between `;` outside parentheses. `None` when it cannot tokenize the file.
fn statements_by_sqlparser(src: &str) -> Option<usize> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, src).tokenize().ok()?;
    let (mut count, mut depth, mut open) = (0, 0u32, false);
    for token in tokens {
        match token {
            Token::Whitespace(Whitespace::SingleLineComment { .. })
            | Token::Whitespace(Whitespace::MultiLineComment(_))
            | Token::Whitespace(_) => {}
            Token::SemiColon if depth == 0 => {
                count += usize::from(open);
                open = false;
            }
            Token::LParen => {
                depth += 1;
                open = true;
            }
            Token::RParen => {
                depth = depth.saturating_sub(1);
                open = true;
            }
            _ => open = true,
        }
    }
    Some(count + usize::from(open))
}

#[test]
fn corpus_agrees_with_sqlparsers_tokenizer() {
    let Some(dir) = corpus_dir() else {
        eprintln!("corpus not found; skipped");
        return;
    };
    let mut files = Vec::new();
    sql_files(&dir, &mut files);
    let mut compared = 0;
    let mut differ = Vec::new();
    for path in &files {
        let src = std::fs::read_to_string(path).unwrap();
        if let Some(expected) = statements_by_sqlparser(&src) {
            compared += 1;
            let got = split(&src).statements.len();
            if got != expected {
                differ.push(format!("{}: {got} vs {expected}", path.display()));
            }
        }
    }
    assert!(compared > 1_000, "only {compared} files tokenized");
    assert!(differ.is_empty(), "{differ:#?}");
}

#[test]
fn a_dollar_quoted_function_from_the_corpus_shape() {
    let src = "-- +goose Up\n-- +goose StatementBegin\n\
               CREATE OR REPLACE FUNCTION f() RETURNS trigger AS $$\nBEGIN\n  NEW.x := 1; -- set\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;\n\
               -- +goose StatementEnd\n\n-- +goose Down\nDROP FUNCTION f;\n";
    let s = split(src);
    check(src, &s).unwrap();
    let texts: Vec<&str> = s.statements.iter().map(|r| &src[r.clone()]).collect();
    assert_eq!(
        texts,
        [
            "CREATE OR REPLACE FUNCTION f() RETURNS trigger AS $$\nBEGIN\n  NEW.x := 1; -- set\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql",
            "DROP FUNCTION f"
        ]
    );
    // Only the comments outside the dollar quote are comments.
    let comments: Vec<&str> = s.comments.iter().map(|r| &src[r.clone()]).collect();
    assert_eq!(
        comments,
        [
            "-- +goose Up",
            "-- +goose StatementBegin",
            "-- +goose StatementEnd",
            "-- +goose Down"
        ]
    );
}

/// Every prefix of a tricky file splits without panicking and keeps the invariants: the scanner
/// must cope with input cut anywhere (inside quotes, tags, comments, multi-byte characters).
#[test]
fn every_prefix_of_a_tricky_file() {
    let src = "\\set x 1\n/* a /* b */ */ CREATE TABLE \"t;\" (n text DEFAULT E'\\'é;');\r\n\
               DO $fn$ BEGIN RAISE '$$;'; END $fn$; SELECT $1, 'it''s', U&'\\0041', -- c;\n\
               2; CREATE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; END;\n\
               SELECT ü;";
    for end in 0..=src.len() {
        let Some(prefix) = src.get(..end) else {
            continue;
        };
        let s = split(prefix);
        if let Err(e) = check(prefix, &s) {
            panic!("prefix {prefix:?}: {e}");
        }
    }
    let s = split(src);
    assert_eq!(s.error, None);
    assert_eq!(s.statements.len(), 5);
}

/// A big generated file splits into the expected number of statements (speed is checked by hand
/// in release mode; see the splitter's module docs).
#[test]
fn many_statements() {
    let unit = "ALTER TABLE t ADD COLUMN c text DEFAULT ';'; -- note\nDO $$ BEGIN NULL; END $$;\n";
    let src = unit.repeat(20_000);
    let s = split(&src);
    check(&src, &s).unwrap();
    assert_eq!(s.statements.len(), 40_000);
    assert_eq!(s.comments.len(), 20_000);
}
