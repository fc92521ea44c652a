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
                let Some(text) = body.get(first.span.start..last.span.end) else {
                    continue;
                };
                let mut text = text.to_owned();
                if matches!(k, "INSERT" | "UPDATE" | "DELETE" | "MERGE" | "WITH")
                    && let Some(into) = into_clause(stmt)
                {
                    // PL/pgSQL's `INTO target` is not SQL: blank it out, keeping every other
                    // byte where it was.
                    let blank = into.start - first.span.start..into.end - first.span.start;
                    text.replace_range(blank.clone(), &" ".repeat(blank.len()));
                }
                out.push(Embedded {
                    span: body_offset + first.span.start..body_offset + last.span.end,
                    text,
                });
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

/// Byte range (in the body) of a PL/pgSQL `INTO [STRICT] target [, ...]` clause at the top level
/// of a DML statement: `INSERT ... RETURNING id INTO new_id`, `WITH ... SELECT a INTO x FROM ...`.
fn into_clause(stmt: &[Tok]) -> Option<std::ops::Range<usize>> {
    let mut depth = 0usize;
    let mut at = None;
    for (i, t) in stmt.iter().enumerate() {
        match &t.token {
            Token::LParen | Token::LBracket => depth += 1,
            Token::RParen | Token::RBracket => depth = depth.saturating_sub(1),
            tok if depth == 0
                && is_kw(tok, "INTO")
                && !(i > 0
                    && (is_kw(&stmt[i - 1].token, "INSERT")
                        || is_kw(&stmt[i - 1].token, "MERGE"))) =>
            {
                at = Some(i);
                break;
            }
            _ => {}
        }
    }
    let start = at?;
    let mut i = start + 1;
    if stmt.get(i).is_some_and(|t| is_kw(&t.token, "STRICT")) {
        i += 1;
    }
    // target [, target]... where a target is a possibly qualified name.
    let mut end;
    loop {
        match stmt.get(i).map(|t| &t.token) {
            Some(Token::Word(_)) => {}
            _ => return None,
        }
        end = i;
        i += 1;
        while stmt.get(i).map(|t| &t.token) == Some(&Token::Period)
            && matches!(stmt.get(i + 1).map(|t| &t.token), Some(Token::Word(_)))
        {
            end = i + 1;
            i += 2;
        }
        if stmt.get(i).map(|t| &t.token) == Some(&Token::Comma) {
            i += 1;
        } else {
            break;
        }
    }
    Some(stmt[start].span.start..stmt[end].span.end)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Extracts from `body` placed at offset 10 of an outer text, and checks every span against it.
    fn run(body: &str) -> Vec<Embedded> {
        let outer = format!("DO $body${body}");
        let offset = "DO $body$".len();
        let found = extract(body, offset);
        for e in &found {
            let slice = &outer[e.span.clone()];
            if slice.len() == e.text.len() && !e.text.contains("  ") {
                assert_eq!(slice, e.text);
            }
        }
        found
    }

    fn texts(body: &str) -> Vec<String> {
        run(body).into_iter().map(|e| e.text).collect()
    }

    #[test]
    fn keeps_ddl_and_dml_skips_control_flow() {
        let body = r#"
<<outer>>
DECLARE
    n integer := 0;
    r record;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = 't') THEN
        CREATE TABLE t (id int);
    ELSIF n = 1 THEN
        ALTER TABLE t ADD COLUMN c text;
    ELSE
        NULL;
    END IF;
    n := n + 1;
    r.x = 2;
    PERFORM pg_sleep(0);
    RAISE NOTICE 'done %', n;
    FOR r IN SELECT * FROM t LOOP
        UPDATE t SET id = r.id WHERE id = 0;
    END LOOP;
    WHILE n < 3 LOOP
        n := n + 1;
        DELETE FROM t WHERE id = n;
    END LOOP;
    CASE n
        WHEN 1 THEN DROP INDEX i1;
        ELSE DROP INDEX i2;
    END CASE;
    SELECT count(*) INTO n FROM t;
    LOCK TABLE t IN ACCESS EXCLUSIVE MODE;
    TRUNCATE t;
    REINDEX TABLE t;
    INSERT INTO t VALUES (CASE WHEN n > 1 THEN 1 ELSE 2 END);
    COMMIT;
    ROLLBACK;
    RETURN;
EXCEPTION
    WHEN duplicate_table OR duplicate_object THEN
        SET lock_timeout = '1s';
    WHEN others THEN
        RAISE;
END outer
"#;
        assert_eq!(
            texts(body),
            [
                "CREATE TABLE t (id int)",
                "ALTER TABLE t ADD COLUMN c text",
                "UPDATE t SET id = r.id WHERE id = 0",
                "DELETE FROM t WHERE id = n",
                "DROP INDEX i1",
                "DROP INDEX i2",
                "LOCK TABLE t IN ACCESS EXCLUSIVE MODE",
                "TRUNCATE t",
                "REINDEX TABLE t",
                "INSERT INTO t VALUES (CASE WHEN n > 1 THEN 1 ELSE 2 END)",
                "COMMIT",
                "ROLLBACK",
                "SET lock_timeout = '1s'",
            ]
        );
    }

    #[test]
    fn spans_are_relative_to_the_outer_statement() {
        let outer = "DO $$ BEGIN ALTER TABLE t DROP COLUMN c; END $$";
        let body_start = outer.find("$$").unwrap() + 2;
        let body_end = outer.rfind("$$").unwrap();
        let found = extract(&outer[body_start..body_end], body_start);
        assert_eq!(found.len(), 1);
        assert_eq!(&outer[found[0].span.clone()], "ALTER TABLE t DROP COLUMN c");
        assert_eq!(found[0].text, "ALTER TABLE t DROP COLUMN c");
    }

    #[test]
    fn execute_literals() {
        let body = "BEGIN\n\
            EXECUTE 'ALTER TABLE t ADD COLUMN c int';\n\
            EXECUTE 'UPDATE t SET a = ''x''';\n\
            EXECUTE E'DROP TABLE \\'odd\\'';\n\
            EXECUTE 'CREATE INDEX i ' || 'ON t (a)';\n\
            EXECUTE $q$DROP INDEX i$q$;\n\
            EXECUTE 'SELECT 1' INTO n;\n\
            EXECUTE format('DROP TABLE %I', name);\n\
            EXECUTE 'DROP TABLE ' || name;\n\
            EXECUTE sql;\n\
            END";
        let found = run(body);
        let texts: Vec<&str> = found.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "ALTER TABLE t ADD COLUMN c int",
                "UPDATE t SET a = 'x'",
                "DROP TABLE 'odd'",
                "CREATE INDEX i ON t (a)",
                "DROP INDEX i",
                "SELECT 1",
            ]
        );
        let outer = format!("DO $body${body}");
        // A plain literal: the span is its content, quotes excluded.
        assert_eq!(
            &outer[found[0].span.clone()],
            "ALTER TABLE t ADD COLUMN c int"
        );
        // Doubled quotes: the span is the raw content, the text unescaped.
        assert_eq!(&outer[found[1].span.clone()], "UPDATE t SET a = ''x''");
        // A concatenation: from the first literal's content to the last one's.
        assert_eq!(
            &outer[found[3].span.clone()],
            "CREATE INDEX i ' || 'ON t (a)"
        );
        assert_eq!(&outer[found[4].span.clone()], "DROP INDEX i");
    }

    #[test]
    fn plpgsql_into_is_blanked_in_place() {
        let body = "BEGIN\n\
            INSERT INTO t (a) VALUES (1) RETURNING id INTO STRICT new_id;\n\
            WITH u AS (UPDATE t SET a = 2 RETURNING id) SELECT count(*) INTO n, r.f FROM u;\n\
            INSERT INTO t SELECT * FROM s;\n\
            END";
        let found = run(body);
        assert_eq!(found.len(), 3);
        let blank = |s: &str| " ".repeat(s.len());
        assert_eq!(
            found[0].text,
            format!(
                "INSERT INTO t (a) VALUES (1) RETURNING id {}",
                blank("INTO STRICT new_id")
            )
        );
        assert_eq!(
            found[1].text,
            format!(
                "WITH u AS (UPDATE t SET a = 2 RETURNING id) SELECT count(*) {} FROM u",
                blank("INTO n, r.f")
            )
        );
        assert_eq!(found[2].text, "INSERT INTO t SELECT * FROM s");
        for e in &found {
            assert_eq!(e.span.len(), e.text.len());
        }
    }

    #[test]
    fn nested_blocks_and_labels() {
        let body = "BEGIN <<inner>> DECLARE x int; BEGIN DROP TABLE a; END inner; \
                    LOOP EXIT WHEN true; DROP TABLE b; END LOOP; END";
        assert_eq!(texts(body), ["DROP TABLE a", "DROP TABLE b"]);
    }

    #[test]
    fn assignments_to_keyword_named_variables_are_skipped() {
        assert_eq!(
            texts(
                "DECLARE comment text; BEGIN comment := 'x'; comment = 'y'; COMMENT ON TABLE t IS 'z'; END"
            ),
            ["COMMENT ON TABLE t IS 'z'"]
        );
    }

    #[test]
    fn broken_bodies_do_not_panic() {
        for body in [
            "",
            "BEGIN",
            "END",
            "EXECUTE",
            "EXECUTE ||",
            "EXECUTE 'a' ||",
            "IF x THEN",
            "INSERT INTO",
            "INSERT INTO t RETURNING a INTO",
            "DECLARE",
            "<<",
            "'unterminated",
            "CASE WHEN",
            "WITH x AS (",
            ")))",
            "é;ü;",
        ] {
            let _ = extract(body, 0);
            let _ = extract(body, usize::MAX / 2);
        }
    }
}
