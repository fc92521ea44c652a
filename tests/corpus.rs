//! Parse coverage on the real-world migration corpus (`../shared/corpus`, see its README).
//!
//! Every `*.sql` file is split and lowered; a statement neither sqlparser nor the token fallback
//! recognises ends as `syntax-error`, so their share is the linter's blind spot. The corpus holds
//! a handful of statements PostgreSQL itself rejects; those must stay unrecognised (listed in
//! [`POSTGRES_REJECTS`], each checked against a PostgreSQL 15 server: SQLSTATE 42601).
//!
//! Run with `cargo test --test corpus -- --nocapture` to see the totals.

use std::path::{Path, PathBuf};

use pgward::lint::fallback;
use pgward::lint::statement::ParsedBy;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer};

/// Statements in the corpus that PostgreSQL's own parser rejects (file, 1-based line of the
/// statement's first token, why). Every corpus statement was run on PostgreSQL 15 (each in its own
/// rolled-back transaction, on an empty database); these are the ones whose error is a grammar
/// error (SQLSTATE 42601) on every PostgreSQL version:
///
/// Also 42601 on PostgreSQL 15, but accepted by newer servers, so not listed here:
/// - 41 statements in 11 Lemmy `down.sql` files with PostgreSQL 18 named `NOT NULL`
///   constraints (`ADD CONSTRAINT c NOT NULL col`, `CONSTRAINT c NOT NULL col` in `CREATE
///   TABLE`): rewritten to `CHECK (col IS NOT NULL)` they pass PostgreSQL 15's grammar, so
///   nothing else is wrong.
/// - 4 `CREATE TABLE ... AS SELECT ... FROM (subquery)` without an alias in
///   `LemmyNet__lemmy/migrations/2025-08-01-000016_smoosh-tables-together/up.sql` (lines 6, 64,
///   183, 323): "subquery in FROM must have an alias" before PostgreSQL 16.
const POSTGRES_REJECTS: &[(&str, usize, &str)] = &[(
    "hatchet-dev__hatchet/cmd/hatchet-migrate/migrate/migrations/20250519145912_v1_0_21.sql",
    8,
    "missing `;` after the Up section's ALTER TABLE: read as plain SQL it runs into the Down \
     section's ALTER TABLE (syntax error at or near \"ALTER\"). goose itself runs it: the \
     `-- +goose StatementEnd` line ends the statement, and through the goose layout pgward parses \
     it too (tests/frameworks.rs)",
)];

/// At most this share of statements may end unrecognised.
const MAX_UNRECOGNISED: f64 = 0.001;

fn corpus_dir() -> Option<PathBuf> {
    let candidates = [
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus")),
        PathBuf::from("/work/shared/corpus"),
    ];
    candidates.into_iter().find(|p| p.is_dir())
}

fn sql_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sql_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "sql") {
            out.push(path);
        }
    }
}

/// The corpus files as (path relative to the corpus, text), or `None` with a note when the
/// corpus is not there.
fn corpus() -> Option<Vec<(String, String)>> {
    let Some(dir) = corpus_dir() else {
        println!("note: corpus not found beside the crate or at /work/shared/corpus; skipped");
        return None;
    };
    let mut files = Vec::new();
    sql_files(&dir, &mut files);
    assert!(!files.is_empty(), "no *.sql files under {}", dir.display());
    Some(
        files
            .into_iter()
            .map(|p| {
                let text = std::fs::read_to_string(&p)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
                let rel = p.strip_prefix(&dir).unwrap_or(&p).display().to_string();
                (rel, text)
            })
            .collect(),
    )
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn first_chars(sql: &str) -> String {
    let flat: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    flat.chars().take(80).collect()
}

fn is_known_reject(file: &str, line: usize) -> bool {
    POSTGRES_REJECTS
        .iter()
        .any(|(f, l, _)| *f == file && *l == line)
}

/// The engine's view: split and lower every file, count what ends unrecognised.
#[test]
fn corpus_parse_coverage() {
    let Some(files) = corpus() else { return };
    let mut total = 0usize;
    let mut unrecognised = Vec::new();
    for (path, text) in &files {
        for stmt in pgward::lint::parse_file(text) {
            total += 1;
            if stmt.parsed_by == ParsedBy::Unrecognized {
                let line = line_of(text, stmt.span.start);
                unrecognised.push((path.clone(), line, first_chars(&stmt.text)));
            }
        }
    }
    assert!(
        total > 0,
        "parse_file found no statements in the whole corpus"
    );
    report("parse_file", total, &unrecognised);
    let missing: Vec<_> = POSTGRES_REJECTS
        .iter()
        .filter(|(f, l, _)| !unrecognised.iter().any(|(uf, ul, _)| uf == f && ul == l))
        .collect();
    assert!(
        missing.is_empty(),
        "statements PostgreSQL rejects but the engine recognises: {missing:#?}"
    );
    let unexpected: Vec<_> = unrecognised
        .iter()
        .filter(|(f, l, _)| !is_known_reject(f, *l))
        .collect();
    let share = unexpected.len() as f64 / total as f64;
    assert!(
        share <= MAX_UNRECOGNISED,
        "{} of {total} statements ({:.3}%) are unrecognised, more than {:.1}%: {:#?}",
        unexpected.len(),
        share * 100.0,
        MAX_UNRECOGNISED * 100.0,
        unexpected.iter().take(30).collect::<Vec<_>>()
    );
}

fn report(what: &str, total: usize, unrecognised: &[(String, usize, String)]) {
    println!(
        "{what}: {total} statements, {} unrecognised ({:.3}%)",
        unrecognised.len(),
        unrecognised.len() as f64 * 100.0 / total.max(1) as f64
    );
    for (file, line, sql) in unrecognised.iter().take(40) {
        println!("  {file}:{line}: {sql}");
    }
}

/// A statement found by [`split_by_tokens`]: byte range in the file.
struct Piece {
    start: usize,
    end: usize,
}

/// Splits a file on top-level `;` tokens using sqlparser's tokenizer (quotes, dollar quotes and
/// comments handled by it), independently of the engine's splitter.
fn split_by_tokens(text: &str) -> Option<Vec<Piece>> {
    let toks = Tokenizer::new(&PostgreSqlDialect {}, text)
        .tokenize_with_location()
        .ok()?;
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let offset = |line: u64, column: u64| -> usize {
        let start = line_starts[(line as usize).saturating_sub(1).min(line_starts.len() - 1)];
        text[start..]
            .char_indices()
            .nth(column.saturating_sub(1) as usize)
            .map_or(text.len(), |(i, _)| start + i)
    };
    let mut pieces = Vec::new();
    let mut current: Option<Piece> = None;
    for t in toks {
        match t.token {
            Token::Whitespace(_) | Token::EOF => {}
            Token::SemiColon => pieces.extend(current.take()),
            _ => {
                let start = offset(t.span.start.line, t.span.start.column);
                let end = offset(t.span.end.line, t.span.end.column);
                match &mut current {
                    Some(p) => p.end = end,
                    None => current = Some(Piece { start, end }),
                }
            }
        }
    }
    pieces.extend(current);
    Some(pieces)
}

/// sqlparser first, then the token fallback, then the statements a `DO` body runs (as the engine
/// does). Returns false when neither recognises `sql`; pushes unrecognised embedded statements.
fn recognised(sql: &str, depth: u32, embedded_misses: &mut Vec<String>) -> bool {
    if depth > 4 {
        return true;
    }
    if Parser::parse_sql(&PostgreSqlDialect {}, sql).is_ok_and(|s| s.len() == 1) {
        return true;
    }
    let Some(r) = fallback::recognize(sql) else {
        return false;
    };
    for e in r.embedded {
        assert!(
            sql.get(e.span.clone()).is_some(),
            "embedded span {:?} outside its statement",
            e.span
        );
        if !recognised(&e.text, depth + 1, embedded_misses) {
            embedded_misses.push(e.text);
        }
    }
    true
}

/// The token fallback alone, measured without the engine's splitter and lowering: every
/// statement sqlparser rejects must be recognised from its tokens, except the ones PostgreSQL
/// rejects too.
#[test]
fn corpus_fallback_coverage() {
    let Some(files) = corpus() else { return };
    let mut total = 0usize;
    let mut by_fallback = 0usize;
    let mut unrecognised = Vec::new();
    let mut embedded_misses: Vec<(String, usize, String)> = Vec::new();
    for (path, text) in &files {
        let Some(pieces) = split_by_tokens(text) else {
            unrecognised.push((path.clone(), 1, "<file does not tokenize>".to_owned()));
            continue;
        };
        for piece in pieces {
            total += 1;
            let sql = &text[piece.start..piece.end];
            if Parser::parse_sql(&PostgreSqlDialect {}, sql).is_ok_and(|s| s.len() == 1) {
                continue;
            }
            let line = line_of(text, piece.start);
            let mut misses = Vec::new();
            if recognised(sql, 0, &mut misses) {
                by_fallback += 1;
            } else {
                unrecognised.push((path.clone(), line, first_chars(sql)));
            }
            for miss in misses {
                embedded_misses.push((path.clone(), line, first_chars(&miss)));
            }
        }
    }
    println!("token fallback recognised {by_fallback} statements sqlparser rejects");
    report("token split", total, &unrecognised);
    println!(
        "{} statements inside DO bodies unrecognised",
        embedded_misses.len()
    );
    for (file, line, sql) in embedded_misses.iter().take(40) {
        println!("  {file}:{line}: in DO: {sql}");
    }
    let unexpected: Vec<_> = unrecognised
        .iter()
        .chain(&embedded_misses)
        .filter(|(f, l, _)| !is_known_reject(f, *l))
        .collect();
    assert!(
        unexpected.is_empty(),
        "statements PostgreSQL accepts but pgward does not recognise: {unexpected:#?}"
    );
    let missing: Vec<_> = POSTGRES_REJECTS
        .iter()
        .filter(|(f, l, _)| !unrecognised.iter().any(|(uf, ul, _)| uf == f && ul == l))
        .collect();
    assert!(
        missing.is_empty(),
        "statements PostgreSQL rejects but pgward recognises: {missing:#?}"
    );
}
