//! Recognises, from the token stream, the statements sqlparser rejects.
//!
//! sqlparser 0.63 refuses a number of statements PostgreSQL accepts (`DO` blocks, `DROP INDEX
//! CONCURRENTLY`, `REINDEX`, PostgreSQL 18 named `NOT NULL` constraints, ...), but its tokenizer
//! reads all of them. This module pattern-matches the keyword sequences of those statements and
//! produces the same [`Op`]s the AST path would, so rules fire whichever way a statement was read.
//!
//! The bar for saying "recognised" is that PostgreSQL's grammar accepts the text: a statement
//! PostgreSQL rejects must stay a `syntax-error`, so every construct below is matched to its end,
//! and anything left over makes [`recognize`] return `None`. Expressions (defaults, `USING`,
//! index predicates) are checked for alternating operands and operators, which keeps two
//! statements run together by a missing `;` unrecognised. Where a construct embeds a query
//! (`CREATE MATERIALIZED VIEW ... WITH NO DATA`, `CREATE RULE`), sqlparser checks the query.
//! Constructs newer than PostgreSQL 15 are accepted (PostgreSQL 18 named `NOT NULL`
//! constraints, `REINDEX SYSTEM` without a name).
//!
//! What is recognised, by first keyword: `DROP` (indexes `CONCURRENTLY`, and the other object
//! kinds), `REINDEX`, `ALTER TABLE` (any mix of actions, `ATTACH`/`DETACH PARTITION`, renames),
//! `ALTER INDEX`/`SEQUENCE`/`VIEW`/`MATERIALIZED VIEW`/`DOMAIN`/`TRIGGER`/`ROLE`/`SYSTEM`/
//! `DATABASE`/`EXTENSION`/`PUBLICATION`/`DEFAULT PRIVILEGES` and renames, owners and schemas of
//! other objects, `VACUUM`, `ANALYZE`, `CLUSTER`, `REFRESH MATERIALIZED VIEW`, `DO` (with the SQL
//! its body runs, see [`plpgsql`]), `CREATE TABLE`/`INDEX`/`SEQUENCE`/`STATISTICS`/`FUNCTION`/
//! `PROCEDURE`/`TRIGGER`/`RULE`/`ROLE`/`MATERIALIZED VIEW` and a few administrative objects,
//! `COMMENT ON`, `SECURITY LABEL`, role `GRANT`/`REVOKE`, and the bare `SELECT`, `TABLE t`,
//! `CHECKPOINT`. Anything else is left to sqlparser's verdict.

use std::ops::Range;

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Location, Token, Tokenizer, Whitespace};

use super::lower::Embedded;
use super::ops::{
    ColumnDef, Constraint, ConstraintKind, Expr, Generated, Name, ObjectKind, Op, ReindexTarget,
    SqlType, TableAction, Volatility,
};
use super::plpgsql;

/// What the token fallback made of a statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recognized {
    pub ops: Vec<Op>,
    /// SQL inside the statement (a `DO` body's statements) to lint as statements of their own.
    pub embedded: Vec<Embedded>,
}

/// Reads one statement (without its `;`) from its tokens. `None` means PostgreSQL would reject
/// the text too, or it is a construct we cannot vouch for: the engine then reports `syntax-error`.
pub fn recognize(text: &str) -> Option<Recognized> {
    let toks = tokenize(text)?;
    let mut end = toks.len();
    // Tolerate a trailing `;` (and empty statements before it) even though the splitter drops it.
    while end > 0 && toks[end - 1].token == Token::SemiColon {
        end -= 1;
    }
    if end == 0 {
        return None;
    }
    let mut p = Parser {
        text,
        toks: &toks[..end],
        pos: 0,
        embedded: Vec::new(),
    };
    let ops = p.statement()?;
    if !p.at_end() || ops.is_empty() {
        return None;
    }
    Some(Recognized {
        ops,
        embedded: p.embedded,
    })
}

/// A significant token and its byte range in the text it came from.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Tok {
    pub token: Token,
    pub span: Range<usize>,
}

/// Tokenizes with sqlparser's PostgreSQL tokenizer, dropping whitespace and comments and turning
/// its line/column locations into byte ranges. `None` when the tokenizer fails (an unterminated
/// quote, a stray character).
pub(crate) fn tokenize(text: &str) -> Option<Vec<Tok>> {
    let raw = Tokenizer::new(&PostgreSqlDialect {}, text)
        .tokenize_with_location()
        .ok()?;
    let mut loc = Locator {
        text,
        line: 1,
        column: 1,
        byte: 0,
    };
    let mut out = Vec::with_capacity(raw.len());
    for t in raw {
        if matches!(t.token, Token::Whitespace(_) | Token::EOF) {
            // Still advance, so later lookups stay cheap.
            if let Token::Whitespace(Whitespace::SingleLineComment { .. }) = t.token {
                loc.offset(t.span.start);
            }
            continue;
        }
        let start = loc.offset(t.span.start);
        let end = loc.offset(t.span.end).max(start);
        out.push(Tok {
            token: t.token,
            span: start..end,
        });
    }
    Some(out)
}

/// Turns sqlparser's 1-based (line, column-in-characters) locations into byte offsets. Tokens
/// come in order, so the cursor only moves forward.
struct Locator<'a> {
    text: &'a str,
    line: u64,
    column: u64,
    byte: usize,
}

impl Locator<'_> {
    fn offset(&mut self, at: Location) -> usize {
        while (self.line, self.column) < (at.line, at.column) {
            let Some(c) = self.text[self.byte..].chars().next() else {
                break;
            };
            self.byte += c.len_utf8();
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
        self.byte
    }
}

/// Folds an identifier token the way PostgreSQL does: unquoted lower-cased, quoted kept.
fn fold(token: &Token) -> Option<String> {
    match token {
        Token::Word(w) if w.quote_style == Some('"') => Some(w.value.clone()),
        Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_ascii_lowercase()),
        _ => None,
    }
}

fn is_kw(token: &Token, kw: &str) -> bool {
    matches!(token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(kw))
}

/// The text of a string literal token, unescaped, or `None` for anything else.
pub(crate) fn string_value(token: &Token) -> Option<&str> {
    match token {
        Token::SingleQuotedString(s)
        | Token::EscapedStringLiteral(s)
        | Token::NationalStringLiteral(s)
        | Token::UnicodeStringLiteral(s) => Some(s),
        Token::DollarQuotedString(d) => Some(&d.value),
        _ => None,
    }
}

/// Byte range of a string literal's content inside its token (quotes and tags excluded), and
/// whether the content maps byte for byte onto the source.
pub(crate) fn literal_content(text: &str, tok: &Tok) -> Option<(Range<usize>, bool)> {
    let raw = text.get(tok.span.clone())?;
    let span = &tok.span;
    match &tok.token {
        Token::SingleQuotedString(s) => {
            let inner = span.start + 1..span.end.checked_sub(1)?;
            Some((inner.clone(), inner.len() == s.len()))
        }
        Token::EscapedStringLiteral(s) => {
            let open = raw.find('\'')? + 1;
            let inner = span.start + open..span.end.checked_sub(1)?;
            Some((inner.clone(), inner.len() == s.len()))
        }
        Token::DollarQuotedString(d) => {
            let tag = d.tag.as_deref().map_or(0, str::len) + 2;
            let inner = span.start + tag..span.end.checked_sub(tag)?;
            Some((inner.clone(), inner.len() == d.value.len()))
        }
        _ => None,
    }
    .filter(|(r, _)| r.start <= r.end && r.end <= text.len())
}

struct Parser<'a> {
    text: &'a str,
    toks: &'a [Tok],
    pos: usize,
    embedded: Vec<Embedded>,
}

/// A list of ops, or `None` when the text does not match.
type Ops = Option<Vec<Op>>;

impl<'a> Parser<'a> {
    // ----- cursor primitives -------------------------------------------------------------

    fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }

    fn peek(&self) -> Option<&'a Token> {
        self.toks.get(self.pos).map(|t| &t.token)
    }

    fn peek_at(&self, n: usize) -> Option<&'a Token> {
        self.toks.get(self.pos + n).map(|t| &t.token)
    }

    fn is(&self, kw: &str) -> bool {
        self.peek().is_some_and(|t| is_kw(t, kw))
    }

    fn is_at(&self, n: usize, kw: &str) -> bool {
        self.peek_at(n).is_some_and(|t| is_kw(t, kw))
    }

    /// True when the next tokens are exactly these keywords.
    fn is_seq(&self, kws: &[&str]) -> bool {
        kws.iter().enumerate().all(|(i, kw)| self.is_at(i, kw))
    }

    fn eat(&mut self, kw: &str) -> bool {
        let hit = self.is(kw);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn eat_seq(&mut self, kws: &[&str]) -> bool {
        let hit = self.is_seq(kws);
        if hit {
            self.pos += kws.len();
        }
        hit
    }

    fn expect(&mut self, kw: &str) -> Option<()> {
        self.eat(kw).then_some(())
    }

    fn eat_tok(&mut self, token: &Token) -> bool {
        let hit = self.peek() == Some(token);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn expect_tok(&mut self, token: &Token) -> Option<()> {
        self.eat_tok(token).then_some(())
    }

    /// The upper-cased keyword at the cursor, if it is an unquoted word.
    fn keyword(&self) -> Option<String> {
        match self.peek()? {
            Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
            _ => None,
        }
    }

    /// An identifier (any word; PostgreSQL folding applied).
    fn ident(&mut self) -> Option<String> {
        let id = fold(self.peek()?)?;
        self.pos += 1;
        Some(id)
    }

    /// An identifier that is not one of PostgreSQL's fully reserved words, so that
    /// `DROP INDEX CASCADE` or `VACUUM FULL FROM` are not taken for names.
    fn name_part(&mut self) -> Option<String> {
        if let Some(Token::Word(w)) = self.peek()
            && w.quote_style.is_none()
            && is_reserved(&w.value)
        {
            return None;
        }
        self.ident()
    }

    /// `name`, `schema.name` or `db.schema.name`.
    fn name(&mut self) -> Option<Name> {
        let mut parts = vec![self.name_part()?];
        while self.peek() == Some(&Token::Period) && parts.len() < 3 {
            self.pos += 1;
            parts.push(self.ident()?);
        }
        let name = parts.pop()?;
        Some(Name {
            schema: parts.pop(),
            name,
        })
    }

    /// At `(`: moves past the matching `)`. Returns the token range inside the parentheses.
    fn parens(&mut self) -> Option<Range<usize>> {
        if self.peek() != Some(&Token::LParen) {
            return None;
        }
        let open = self.pos;
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            self.pos += 1;
            match t {
                Token::LParen | Token::LBracket => depth += 1,
                Token::RParen | Token::RBracket => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(open + 1..self.pos - 1);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// `(name [= value], ...)` as in `SET (fillfactor = 70, toast.autovacuum_enabled)`: the
    /// option names, comma-separated, as the AST path reports them (lock rules read them).
    fn option_keys(&mut self) -> Option<String> {
        let inner = self.parens()?;
        let mut sub = self.sub(inner);
        let mut keys = Vec::new();
        while !sub.at_end() {
            let range = sub.until_comma()?;
            let mut opt = sub.sub(range);
            let mut key = opt.ident()?;
            while opt.eat_tok(&Token::Period) {
                key = format!("{key}.{}", opt.ident()?);
            }
            if opt.eat_tok(&Token::Eq) {
                if matches!(opt.peek()?, Token::Minus | Token::Plus) {
                    opt.signed_number()?;
                } else {
                    opt.pos += 1;
                }
            }
            if !opt.at_end() {
                return None;
            }
            keys.push(key);
            if sub.eat_tok(&Token::Comma) && sub.at_end() {
                return None;
            }
        }
        (!keys.is_empty()).then(|| keys.join(", "))
    }

    /// Skips optional parentheses.
    fn opt_parens(&mut self) -> Option<()> {
        if self.peek() == Some(&Token::LParen) {
            self.parens()?;
        }
        Some(())
    }

    /// Moves to the next top-level `,` (or the end) and returns the tokens passed. Fails on
    /// unbalanced parentheses or brackets.
    fn until_comma(&mut self) -> Option<Range<usize>> {
        let start = self.pos;
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            match t {
                Token::Comma if depth == 0 => break,
                Token::LParen | Token::LBracket => depth += 1,
                Token::RParen | Token::RBracket => depth = depth.checked_sub(1)?,
                _ => {}
            }
            self.pos += 1;
        }
        (depth == 0).then_some(start..self.pos)
    }

    /// Moves to the end, checking that parentheses balance.
    fn rest_balanced(&mut self) -> Option<()> {
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            match t {
                Token::LParen | Token::LBracket => depth += 1,
                Token::RParen | Token::RBracket => depth = depth.checked_sub(1)?,
                _ => {}
            }
            self.pos += 1;
        }
        (depth == 0).then_some(())
    }

    /// Source text of a token range.
    fn text_of(&self, toks: Range<usize>) -> String {
        if toks.is_empty() {
            return String::new();
        }
        let (Some(first), Some(last)) = (self.toks.get(toks.start), self.toks.get(toks.end - 1))
        else {
            return String::new();
        };
        self.text
            .get(first.span.start..last.span.end)
            .unwrap_or_default()
            .to_owned()
    }

    /// A (signed) number, or a word such as `DEFAULT` where a value is expected.
    fn signed_number(&mut self) -> Option<()> {
        if !self.eat_tok(&Token::Minus) {
            self.eat_tok(&Token::Plus);
        }
        match self.peek()? {
            Token::Number(..) => {
                self.pos += 1;
                Some(())
            }
            _ => None,
        }
    }

    /// `( option [value] [, ...] )` as in `VACUUM (FULL, ANALYZE)` or `REINDEX (VERBOSE)`:
    /// returns the options, upper-cased, with their boolean value.
    fn option_list(&mut self) -> Option<Vec<(String, bool)>> {
        let inner = self.parens()?;
        let mut sub = Parser {
            text: self.text,
            toks: &self.toks[inner],
            pos: 0,
            embedded: Vec::new(),
        };
        let mut out = Vec::new();
        loop {
            let opt = sub.keyword()?;
            sub.pos += 1;
            let mut on = true;
            if !sub.at_end() && sub.peek() != Some(&Token::Comma) {
                match sub.peek()? {
                    Token::Word(w) if w.quote_style.is_none() => {
                        let v = w.value.to_ascii_lowercase();
                        on = !matches!(v.as_str(), "false" | "off" | "no");
                        sub.pos += 1;
                    }
                    Token::Number(n, _) => {
                        on = n != "0";
                        sub.pos += 1;
                    }
                    Token::SingleQuotedString(_) | Token::Word(_) => sub.pos += 1,
                    _ => return None,
                }
            }
            out.push((opt, on));
            if sub.at_end() {
                return Some(out);
            }
            sub.expect_tok(&Token::Comma)?;
        }
    }

    // ----- statements --------------------------------------------------------------------

    fn statement(&mut self) -> Ops {
        let first = self.keyword()?;
        match first.as_str() {
            "DROP" => self.drop(),
            "REINDEX" => self.reindex(),
            "ALTER" => self.alter(),
            "VACUUM" => self.vacuum(),
            "ANALYZE" | "ANALYSE" => self.analyze(),
            "CLUSTER" => self.cluster(),
            "REFRESH" => self.refresh(),
            "DO" => self.do_block(),
            "CREATE" => self.create(),
            "COMMENT" => self.comment_on(),
            "GRANT" | "REVOKE" => self.grant_role(),
            "SECURITY" => self.security_label(),
            "CHECKPOINT" if self.toks.len() == 1 => {
                self.pos += 1;
                Some(vec![Op::Other {
                    keyword: "CHECKPOINT".into(),
                }])
            }
            "REASSIGN" => {
                self.pos += 1;
                self.eat_seq(&["OWNED", "BY"]).then_some(())?;
                self.role_list()?;
                self.expect("TO")?;
                self.role_spec()?;
                Some(vec![Op::Other {
                    keyword: "REASSIGN OWNED".into(),
                }])
            }
            "TABLE" => {
                // `TABLE name`: SELECT * FROM name.
                self.pos += 1;
                self.eat("ONLY");
                self.name()?;
                self.eat_tok(&Token::Mul);
                Some(vec![Op::Other {
                    keyword: "TABLE".into(),
                }])
            }
            "IMPORT" => self.import_foreign_schema(),
            // `SELECT` with an empty target list is valid PostgreSQL (sqlparser rejects it).
            "SELECT" if self.toks.len() == 1 => {
                self.pos += 1;
                Some(vec![Op::Other {
                    keyword: "SELECT".into(),
                }])
            }
            _ => None,
        }
    }

    /// `GRANT role [, ...] TO role [, ...] [WITH ...] [GRANTED BY role]` and `REVOKE [... OPTION
    /// FOR] role [, ...] FROM role [, ...] [GRANTED BY role] [CASCADE | RESTRICT]`: role
    /// membership. Privilege grants (`... ON ...`) are sqlparser's.
    fn grant_role(&mut self) -> Ops {
        let grant = self.eat("GRANT");
        if !grant {
            self.expect("REVOKE")?;
            if self.eat("ADMIN") || self.eat("INHERIT") || self.eat("SET") {
                self.expect("OPTION")?;
                self.expect("FOR")?;
            }
        }
        self.role_list()?;
        self.expect(if grant { "TO" } else { "FROM" })?;
        self.role_list()?;
        if grant && self.eat("WITH") {
            loop {
                if !(self.eat("ADMIN") || self.eat("INHERIT") || self.eat("SET")) {
                    return None;
                }
                if !(self.eat("OPTION") || self.eat("TRUE") || self.eat("FALSE")) {
                    return None;
                }
                if !self.eat_tok(&Token::Comma) {
                    break;
                }
            }
        }
        if self.eat_seq(&["GRANTED", "BY"]) {
            self.role_spec()?;
        }
        if !grant {
            self.drop_behavior();
        }
        Some(vec![Op::Other {
            keyword: if grant { "GRANT" } else { "REVOKE" }.into(),
        }])
    }

    /// A role name, `PUBLIC`, `CURRENT_USER`, `CURRENT_ROLE` or `SESSION_USER`.
    fn role_spec(&mut self) -> Option<()> {
        if self.eat("CURRENT_USER") || self.eat("CURRENT_ROLE") || self.eat("SESSION_USER") {
            return Some(());
        }
        self.name_part().map(|_| ())
    }

    fn role_list(&mut self) -> Option<()> {
        self.role_spec()?;
        while self.eat_tok(&Token::Comma) {
            self.role_spec()?;
        }
        Some(())
    }

    fn drop(&mut self) -> Ops {
        self.expect("DROP")?;
        if self.eat_seq(&["OWNED", "BY"]) {
            self.role_list()?;
            self.drop_behavior();
            return Some(vec![Op::Other {
                keyword: "DROP OWNED".into(),
            }]);
        }
        if self.eat("CAST") {
            self.eat_seq(&["IF", "EXISTS"]);
            self.expect_tok(&Token::LParen)?;
            self.sql_type()?;
            self.expect("AS")?;
            self.sql_type()?;
            self.expect_tok(&Token::RParen)?;
            self.drop_behavior();
            return Some(vec![Op::Other {
                keyword: "DROP CAST".into(),
            }]);
        }
        let (kind, has_on_table, has_args) = self.drop_kind()?;
        let concurrently = kind == ObjectKind::Index && self.eat("CONCURRENTLY");
        let if_exists = self.eat_seq(&["IF", "EXISTS"]);
        let mut names = Vec::new();
        let mut on_table = None;
        loop {
            names.push(self.name()?);
            if has_args {
                self.opt_parens()?;
            }
            if !self.eat_tok(&Token::Comma) {
                break;
            }
        }
        if has_on_table {
            self.expect("ON")?;
            on_table = Some(self.name()?);
            if names.len() != 1 {
                return None;
            }
        }
        if kind == ObjectKind::Database {
            // `DROP DATABASE name [ [ WITH ] ( FORCE ) ]`.
            self.eat("WITH");
            if self.peek() == Some(&Token::LParen) {
                self.option_list()?;
            }
        }
        // `DROP INDEX CONCURRENTLY a, b` and `... CONCURRENTLY ... CASCADE` fail in PostgreSQL
        // with "feature not supported", after its grammar accepted them: still recognised.
        let cascade = self.eat("CASCADE");
        if !cascade {
            self.eat("RESTRICT");
        }
        Some(vec![Op::Drop {
            kind,
            names,
            if_exists,
            cascade,
            concurrently,
            on_table,
        }])
    }

    /// The object kind after `DROP`: (kind, named `ON table`, names take an argument list).
    fn drop_kind(&mut self) -> Option<(ObjectKind, bool, bool)> {
        let simple: &[(&[&str], ObjectKind)] = &[
            (&["TABLE"], ObjectKind::Table),
            (&["FOREIGN", "TABLE"], ObjectKind::Table),
            (&["INDEX"], ObjectKind::Index),
            (&["VIEW"], ObjectKind::View),
            (&["MATERIALIZED", "VIEW"], ObjectKind::MaterializedView),
            (&["SEQUENCE"], ObjectKind::Sequence),
            (&["TYPE"], ObjectKind::Type),
            (&["DOMAIN"], ObjectKind::Domain),
            (&["EXTENSION"], ObjectKind::Extension),
            (&["SCHEMA"], ObjectKind::Schema),
            (&["DATABASE"], ObjectKind::Database),
            (&["STATISTICS"], ObjectKind::Statistics),
            (&["ROLE"], ObjectKind::Role),
            (&["USER"], ObjectKind::Role),
            (&["GROUP"], ObjectKind::Role),
            (&["COLLATION"], ObjectKind::Other),
            (&["CONVERSION"], ObjectKind::Other),
            (&["PUBLICATION"], ObjectKind::Other),
            (&["SUBSCRIPTION"], ObjectKind::Other),
            (&["SERVER"], ObjectKind::Other),
            (&["TABLESPACE"], ObjectKind::Other),
            (&["EVENT", "TRIGGER"], ObjectKind::Other),
            (&["FOREIGN", "DATA", "WRAPPER"], ObjectKind::Other),
            (&["ACCESS", "METHOD"], ObjectKind::Other),
            (&["TEXT", "SEARCH", "CONFIGURATION"], ObjectKind::Other),
            (&["TEXT", "SEARCH", "DICTIONARY"], ObjectKind::Other),
            (&["TEXT", "SEARCH", "PARSER"], ObjectKind::Other),
            (&["TEXT", "SEARCH", "TEMPLATE"], ObjectKind::Other),
            (&["LANGUAGE"], ObjectKind::Other),
            (&["PROCEDURAL", "LANGUAGE"], ObjectKind::Other),
        ];
        for (kws, kind) in simple {
            if self.eat_seq(kws) {
                return Some((*kind, false, false));
            }
        }
        let with_args: &[(&str, ObjectKind)] = &[
            ("FUNCTION", ObjectKind::Function),
            ("PROCEDURE", ObjectKind::Procedure),
            ("ROUTINE", ObjectKind::Other),
            ("AGGREGATE", ObjectKind::Other),
        ];
        for (kw, kind) in with_args {
            if self.eat(kw) {
                return Some((*kind, false, true));
            }
        }
        let on_table: &[(&str, ObjectKind)] = &[
            ("TRIGGER", ObjectKind::Trigger),
            ("POLICY", ObjectKind::Policy),
            ("RULE", ObjectKind::Rule),
        ];
        for (kw, kind) in on_table {
            if self.eat(kw) {
                return Some((*kind, true, false));
            }
        }
        None
    }

    fn reindex(&mut self) -> Ops {
        self.expect("REINDEX")?;
        let mut concurrently = false;
        if self.peek() == Some(&Token::LParen) {
            for (opt, on) in self.option_list()? {
                match opt.as_str() {
                    "CONCURRENTLY" => concurrently = on,
                    "VERBOSE" | "TABLESPACE" => {}
                    _ => return None,
                }
            }
        }
        let target = match self.keyword()?.as_str() {
            "INDEX" => ReindexTarget::Index,
            "TABLE" => ReindexTarget::Table,
            "SCHEMA" => ReindexTarget::Schema,
            "DATABASE" => ReindexTarget::Database,
            "SYSTEM" => ReindexTarget::System,
            _ => return None,
        };
        self.pos += 1;
        concurrently |= self.eat("CONCURRENTLY");
        let name = match target {
            // PostgreSQL 16 made the name optional for DATABASE and SYSTEM.
            ReindexTarget::Database | ReindexTarget::System if self.at_end() => Name::bare(""),
            _ => self.name()?,
        };
        Some(vec![Op::Reindex {
            target,
            name,
            concurrently,
        }])
    }

    fn alter(&mut self) -> Ops {
        self.expect("ALTER")?;
        if self.eat("TABLE") {
            return self.alter_table();
        }
        if self.is_seq(&["FOREIGN", "TABLE"]) {
            self.pos += 2;
            return self.alter_table();
        }
        if self.eat("INDEX") {
            return self.alter_index();
        }
        if self.eat("SEQUENCE") {
            return self.alter_sequence();
        }
        if self.eat("TRIGGER") {
            return self.alter_trigger();
        }
        if self.is("ROLE") || self.is("USER") || self.is("GROUP") {
            return self.alter_role();
        }
        if self.eat("DOMAIN") {
            return self.alter_domain();
        }
        if self.is("VIEW") || self.is_seq(&["MATERIALIZED", "VIEW"]) {
            return self.alter_view();
        }
        if self.eat("SYSTEM") {
            if self.eat("SET") {
                self.set_clause()?;
            } else {
                self.expect("RESET")?;
                if !self.eat("ALL") {
                    self.name()?;
                }
            }
            return Some(vec![Op::Other {
                keyword: "ALTER SYSTEM".into(),
            }]);
        }
        if self.eat_seq(&["DEFAULT", "PRIVILEGES"]) {
            return self.alter_default_privileges();
        }
        if self.is("DATABASE") || self.is("EXTENSION") || self.is("PUBLICATION") {
            let saved = self.pos;
            if let Some(ops) = self.alter_database_extension_publication() {
                return Some(ops);
            }
            self.pos = saved;
        }
        self.alter_generic()
    }

    /// `ALTER DOMAIN name ...`: `ADD` a constraint is its own op (it checks every column of the
    /// type); the rest is `Other`.
    fn alter_domain(&mut self) -> Ops {
        let name = self.name()?;
        if self.eat("ADD") {
            if self.eat("CONSTRAINT") {
                self.ident()?;
            }
            if self.eat("CHECK") {
                self.parens()?;
            } else if !self.eat_seq(&["NOT", "NULL"]) {
                return None;
            }
            let not_valid = self.eat_seq(&["NOT", "VALID"]);
            return Some(vec![Op::AlterDomainAddConstraint { name, not_valid }]);
        }
        if self.eat_seq(&["RENAME", "TO"]) {
            return Some(vec![Op::Rename {
                kind: ObjectKind::Domain,
                from: name,
                to: self.ident()?,
            }]);
        }
        if self.eat_seq(&["SET", "DEFAULT"]) {
            self.expr_to_end()?;
        } else if self.eat_seq(&["DROP", "DEFAULT"])
            || self.eat_seq(&["SET", "NOT", "NULL"])
            || self.eat_seq(&["DROP", "NOT", "NULL"])
        {
        } else if self.eat_seq(&["DROP", "CONSTRAINT"]) {
            self.eat_seq(&["IF", "EXISTS"]);
            self.ident()?;
            self.drop_behavior();
        } else if self.eat_seq(&["RENAME", "CONSTRAINT"]) {
            self.ident()?;
            self.expect("TO")?;
            self.ident()?;
        } else if self.eat_seq(&["VALIDATE", "CONSTRAINT"]) {
            self.ident()?;
        } else if self.eat_seq(&["OWNER", "TO"]) {
            self.role_spec()?;
        } else if self.eat_seq(&["SET", "SCHEMA"]) {
            self.ident()?;
        } else {
            return None;
        }
        Some(vec![Op::Other {
            keyword: "ALTER DOMAIN".into(),
        }])
    }

    /// `ALTER [MATERIALIZED] VIEW [IF EXISTS] name ...`.
    fn alter_view(&mut self) -> Ops {
        let materialized = self.eat("MATERIALIZED");
        self.expect("VIEW")?;
        let kind = if materialized {
            ObjectKind::MaterializedView
        } else {
            ObjectKind::View
        };
        let keyword = if materialized {
            "ALTER MATERIALIZED VIEW"
        } else {
            "ALTER VIEW"
        };
        let other = || {
            Some(vec![Op::Other {
                keyword: keyword.into(),
            }])
        };
        if materialized && self.is_seq(&["ALL", "IN", "TABLESPACE"]) {
            self.rest_balanced()?;
            return other();
        }
        self.eat_seq(&["IF", "EXISTS"]);
        let from = self.name()?;
        if self.eat("RENAME") {
            if self.eat("TO") {
                return Some(vec![Op::Rename {
                    kind,
                    from,
                    to: self.ident()?,
                }]);
            }
            self.eat("COLUMN");
            self.ident()?;
            self.expect("TO")?;
            self.ident()?;
            return other();
        }
        if self.eat_seq(&["SET", "SCHEMA"]) || self.eat_seq(&["OWNER", "TO"]) {
            self.ident()?;
            return other();
        }
        if materialized {
            if self.eat("NO") {
                self.eat_seq(&["DEPENDS", "ON", "EXTENSION"])
                    .then_some(())?;
                self.ident()?;
                return other();
            }
            if self.eat_seq(&["DEPENDS", "ON", "EXTENSION"]) {
                self.ident()?;
                return other();
            }
        }
        // PostgreSQL's grammar takes any ALTER TABLE action here (the wrong ones fail later, as
        // semantic errors).
        loop {
            let range = self.until_comma()?;
            let mut sub = self.sub(range);
            sub.table_action()?;
            if !sub.at_end() {
                return None;
            }
            if !self.eat_tok(&Token::Comma) {
                return other();
            }
        }
    }

    /// `ALTER DATABASE`, `ALTER EXTENSION` and `ALTER PUBLICATION` forms beyond renames, owners
    /// and schemas.
    fn alter_database_extension_publication(&mut self) -> Ops {
        let kw = self.keyword()?;
        self.pos += 1;
        self.name()?;
        match kw.as_str() {
            "DATABASE" => {
                if self.eat("SET") {
                    if self.eat("TABLESPACE") {
                        self.ident()?;
                    } else {
                        self.set_clause()?;
                    }
                } else if self.eat("RESET") {
                    if !self.eat("ALL") {
                        self.name()?;
                    }
                } else if self.eat_seq(&["REFRESH", "COLLATION", "VERSION"]) {
                } else {
                    self.eat("WITH");
                    let start = self.pos;
                    while !self.at_end() {
                        if self.eat_seq(&["CONNECTION", "LIMIT"]) {
                            self.signed_number()?;
                        } else if self.eat("ALLOW_CONNECTIONS") || self.eat("IS_TEMPLATE") {
                            match self.peek()? {
                                Token::Word(_) | Token::Number(..) => self.pos += 1,
                                _ => return None,
                            }
                        } else {
                            return None;
                        }
                    }
                    (self.pos > start).then_some(())?;
                }
            }
            "EXTENSION" => {
                self.expect("UPDATE")?;
                if self.eat("TO") {
                    let tok = self.peek()?;
                    if string_value(tok).is_none() {
                        fold(tok)?;
                    }
                    self.pos += 1;
                }
            }
            "PUBLICATION" => {
                if !(self.eat("ADD")
                    || self.eat("DROP")
                    || self.is("SET") && !self.is_at(1, "SCHEMA"))
                {
                    return None;
                }
                if self.eat("SET") && self.peek() == Some(&Token::LParen) {
                    self.parens()?;
                } else {
                    self.publication_objects()?;
                }
            }
            _ => return None,
        }
        Some(vec![Op::Other {
            keyword: format!("ALTER {kw}"),
        }])
    }

    /// `TABLE [ONLY] t [*] [(cols)] [WHERE (expr)] [, ...]` and `TABLES IN SCHEMA s [, ...]`.
    fn publication_objects(&mut self) -> Option<()> {
        loop {
            if self.eat_seq(&["TABLES", "IN", "SCHEMA"]) {
                if !self.eat("CURRENT_SCHEMA") {
                    self.ident()?;
                }
            } else {
                self.eat("TABLE");
                self.eat("ONLY");
                self.name()?;
                self.eat_tok(&Token::Mul);
                if self.peek() == Some(&Token::LParen) {
                    self.column_list()?;
                }
                if self.eat("WHERE") {
                    self.parens()?;
                }
            }
            if !self.eat_tok(&Token::Comma) {
                return Some(());
            }
        }
    }

    /// `ALTER DEFAULT PRIVILEGES [FOR ROLE r, ...] [IN SCHEMA s, ...] {GRANT ... | REVOKE ...}`.
    fn alter_default_privileges(&mut self) -> Ops {
        if self.eat("FOR") {
            if !(self.eat("ROLE") || self.eat("USER")) {
                return None;
            }
            self.role_list()?;
        }
        if self.eat_seq(&["IN", "SCHEMA"]) {
            self.ident()?;
            while self.eat_tok(&Token::Comma) {
                self.ident()?;
            }
        }
        let grant = self.eat("GRANT");
        if !grant {
            self.expect("REVOKE")?;
            self.eat_seq(&["GRANT", "OPTION", "FOR"]);
        }
        if self.eat("ALL") {
            self.eat("PRIVILEGES");
        } else {
            const PRIVILEGES: &[&str] = &[
                "SELECT",
                "INSERT",
                "UPDATE",
                "DELETE",
                "TRUNCATE",
                "REFERENCES",
                "TRIGGER",
                "USAGE",
                "EXECUTE",
                "CREATE",
                "MAINTAIN",
            ];
            loop {
                PRIVILEGES.iter().any(|p| self.eat(p)).then_some(())?;
                if !self.eat_tok(&Token::Comma) {
                    break;
                }
            }
        }
        self.expect("ON")?;
        const OBJECTS: &[&str] = &[
            "TABLES",
            "SEQUENCES",
            "FUNCTIONS",
            "ROUTINES",
            "TYPES",
            "SCHEMAS",
        ];
        if !(OBJECTS.iter().any(|o| self.eat(o)) || self.eat_seq(&["LARGE", "OBJECTS"])) {
            return None;
        }
        self.expect(if grant { "TO" } else { "FROM" })?;
        loop {
            self.eat("GROUP");
            self.role_spec()?;
            if !self.eat_tok(&Token::Comma) {
                break;
            }
        }
        if grant {
            self.eat_seq(&["WITH", "GRANT", "OPTION"]);
        } else {
            self.drop_behavior();
        }
        Some(vec![Op::Other {
            keyword: "ALTER DEFAULT PRIVILEGES".into(),
        }])
    }

    /// `IMPORT FOREIGN SCHEMA remote [{LIMIT TO | EXCEPT} (t, ...)] FROM SERVER s INTO local
    /// [OPTIONS (...)]`.
    fn import_foreign_schema(&mut self) -> Ops {
        self.expect("IMPORT")?;
        self.eat_seq(&["FOREIGN", "SCHEMA"]).then_some(())?;
        self.ident()?;
        if self.eat_seq(&["LIMIT", "TO"]) || self.eat("EXCEPT") {
            self.parens()?;
        }
        self.eat_seq(&["FROM", "SERVER"]).then_some(())?;
        self.ident()?;
        self.expect("INTO")?;
        self.ident()?;
        if self.eat("OPTIONS") {
            self.parens()?;
        }
        Some(vec![Op::Other {
            keyword: "IMPORT FOREIGN SCHEMA".into(),
        }])
    }

    /// `ALTER TRIGGER name ON table RENAME TO new | [NO] DEPENDS ON EXTENSION ext`.
    fn alter_trigger(&mut self) -> Ops {
        let from = Name::bare(&self.ident()?);
        self.expect("ON")?;
        self.name()?;
        if self.eat_seq(&["RENAME", "TO"]) {
            return Some(vec![Op::Rename {
                kind: ObjectKind::Trigger,
                from,
                to: self.ident()?,
            }]);
        }
        self.eat("NO");
        self.eat_seq(&["DEPENDS", "ON", "EXTENSION"])
            .then_some(())?;
        self.ident()?;
        Some(vec![Op::Other {
            keyword: "ALTER TRIGGER".into(),
        }])
    }

    /// `ALTER ROLE name [WITH] option ...`, `RENAME TO`, `SET param ...`, `RESET param`.
    fn alter_role(&mut self) -> Ops {
        self.pos += 1;
        if self.eat("ALL") {
            // ALTER ROLE ALL SET/RESET ...
        } else {
            self.role_spec()?;
        }
        if self.eat_seq(&["RENAME", "TO"]) {
            self.ident()?;
        } else if self.is("SET") || self.is("RESET") || self.is("IN") {
            if self.eat_seq(&["IN", "DATABASE"]) {
                self.ident()?;
            }
            if self.eat("SET") {
                self.set_clause()?;
            } else {
                self.expect("RESET")?;
                if !self.eat("ALL") {
                    self.name()?;
                }
            }
        } else {
            self.eat("WITH");
            self.role_options()?;
        }
        Some(vec![Op::Other {
            keyword: "ALTER ROLE".into(),
        }])
    }

    /// After `SET`: `param {TO | =} value [, ...] | param FROM CURRENT`.
    fn set_clause(&mut self) -> Option<()> {
        self.name()?;
        if self.eat_seq(&["FROM", "CURRENT"]) {
            return Some(());
        }
        if !(self.eat("TO") || self.eat_tok(&Token::Eq)) {
            return None;
        }
        loop {
            match self.peek()? {
                Token::Number(..) => self.pos += 1,
                Token::Minus => self.signed_number()?,
                t if string_value(t).is_some() => self.pos += 1,
                Token::Word(_) => self.pos += 1,
                _ => return None,
            }
            if !self.eat_tok(&Token::Comma) {
                return Some(());
            }
        }
    }

    /// `ALTER <kind> [IF EXISTS] name {RENAME TO new | OWNER TO role | SET SCHEMA s}` for the
    /// object kinds without a dedicated parser.
    fn alter_generic(&mut self) -> Ops {
        let kinds: &[(&[&str], ObjectKind, bool)] = &[
            (&["VIEW"], ObjectKind::View, false),
            (
                &["MATERIALIZED", "VIEW"],
                ObjectKind::MaterializedView,
                false,
            ),
            (&["TYPE"], ObjectKind::Type, false),
            (&["DOMAIN"], ObjectKind::Domain, false),
            (&["SCHEMA"], ObjectKind::Schema, false),
            (&["EXTENSION"], ObjectKind::Extension, false),
            (&["FUNCTION"], ObjectKind::Function, true),
            (&["PROCEDURE"], ObjectKind::Procedure, true),
            (&["ROUTINE"], ObjectKind::Other, true),
            (&["AGGREGATE"], ObjectKind::Other, true),
            (&["STATISTICS"], ObjectKind::Statistics, false),
            (&["COLLATION"], ObjectKind::Other, false),
            (&["CONVERSION"], ObjectKind::Other, false),
            (&["PUBLICATION"], ObjectKind::Other, false),
            (&["SUBSCRIPTION"], ObjectKind::Other, false),
            (&["SERVER"], ObjectKind::Other, false),
            (&["TABLESPACE"], ObjectKind::Other, false),
            (&["EVENT", "TRIGGER"], ObjectKind::Other, false),
            (&["FOREIGN", "DATA", "WRAPPER"], ObjectKind::Other, false),
            (
                &["TEXT", "SEARCH", "CONFIGURATION"],
                ObjectKind::Other,
                false,
            ),
            (&["TEXT", "SEARCH", "DICTIONARY"], ObjectKind::Other, false),
            (&["LANGUAGE"], ObjectKind::Other, false),
            (&["DATABASE"], ObjectKind::Database, false),
        ];
        let start = self.pos;
        let (kind, has_args) = kinds
            .iter()
            .find(|(kws, _, _)| self.eat_seq(kws))
            .map(|(_, k, a)| (*k, *a))?;
        let keyword = format!(
            "ALTER {}",
            self.text_of(start..self.pos).to_ascii_uppercase()
        );
        // ALTER DATABASE, FUNCTION, ... take no IF EXISTS; VIEW, MATERIALIZED VIEW, ... do.
        self.eat_seq(&["IF", "EXISTS"]);
        let from = self.name()?;
        if has_args {
            self.opt_parens()?;
        }
        if self.eat_seq(&["RENAME", "TO"]) {
            return Some(vec![Op::Rename {
                kind,
                from,
                to: self.ident()?,
            }]);
        }
        if self.eat_seq(&["OWNER", "TO"]) {
            self.role_spec()?;
        } else if self.eat_seq(&["SET", "SCHEMA"]) {
            self.ident()?;
        } else {
            return None;
        }
        Some(vec![Op::Other { keyword }])
    }

    fn alter_table(&mut self) -> Ops {
        if self.is_seq(&["ALL", "IN", "TABLESPACE"]) {
            self.rest_balanced()?;
            return Some(vec![Op::Other {
                keyword: "ALTER TABLE ALL IN TABLESPACE".into(),
            }]);
        }
        let if_exists = self.eat_seq(&["IF", "EXISTS"]);
        let only = self.eat("ONLY");
        let table = self.name()?;
        self.eat_tok(&Token::Mul);
        let op = |action| Op::AlterTable {
            table: table.clone(),
            only,
            if_exists,
            action,
        };
        if self.eat_seq(&["ATTACH", "PARTITION"]) {
            let partition = self.name()?;
            self.partition_bound()?;
            return Some(vec![op(TableAction::AttachPartition { partition })]);
        }
        if self.eat_seq(&["DETACH", "PARTITION"]) {
            let partition = self.name()?;
            let concurrently = self.eat("CONCURRENTLY");
            let finalize = !concurrently && self.eat("FINALIZE");
            return Some(vec![op(TableAction::DetachPartition {
                partition,
                concurrently,
                finalize,
            })]);
        }
        if self.eat("RENAME") {
            let action = if self.eat("TO") {
                TableAction::RenameTable { to: self.ident()? }
            } else if self.eat("CONSTRAINT") {
                let from = self.ident()?;
                self.expect("TO")?;
                TableAction::RenameConstraint {
                    from,
                    to: self.ident()?,
                }
            } else {
                self.eat("COLUMN");
                let from = self.ident()?;
                self.expect("TO")?;
                TableAction::RenameColumn {
                    from,
                    to: self.ident()?,
                }
            };
            return Some(vec![op(action)]);
        }
        if self.eat_seq(&["SET", "SCHEMA"]) {
            return Some(vec![op(TableAction::SetSchema {
                schema: self.ident()?,
            })]);
        }
        let mut ops = Vec::new();
        loop {
            let range = self.until_comma()?;
            if range.is_empty() {
                return None;
            }
            let mut sub = Parser {
                text: self.text,
                toks: &self.toks[range],
                pos: 0,
                embedded: Vec::new(),
            };
            let action = sub.table_action()?;
            if !sub.at_end() {
                return None;
            }
            ops.push(op(action));
            if !self.eat_tok(&Token::Comma) {
                break;
            }
        }
        Some(ops)
    }

    /// `FOR VALUES IN (...) | FROM (...) TO (...) | WITH (...)`, or `DEFAULT`.
    fn partition_bound(&mut self) -> Option<()> {
        if self.eat("DEFAULT") {
            return Some(());
        }
        self.expect("FOR")?;
        self.expect("VALUES")?;
        if self.eat("IN") || self.eat("WITH") {
            self.parens()?;
        } else {
            self.expect("FROM")?;
            self.parens()?;
            self.expect("TO")?;
            self.parens()?;
        }
        Some(())
    }

    /// One action of an `ALTER TABLE`, to the end of this parser's tokens.
    fn table_action(&mut self) -> Option<TableAction> {
        let kw = self.keyword()?;
        match kw.as_str() {
            "ADD" => {
                self.pos += 1;
                if self.starts_table_constraint() {
                    return Some(TableAction::AddConstraint(self.table_constraint()?));
                }
                self.eat("COLUMN");
                let if_not_exists = self.eat_seq(&["IF", "NOT", "EXISTS"]);
                let column = self.column_def()?;
                Some(TableAction::AddColumn {
                    column,
                    if_not_exists,
                })
            }
            "DROP" => {
                self.pos += 1;
                if self.eat("CONSTRAINT") {
                    let if_exists = self.eat_seq(&["IF", "EXISTS"]);
                    let name = self.ident()?;
                    self.drop_behavior();
                    return Some(TableAction::DropConstraint { name, if_exists });
                }
                self.eat("COLUMN");
                let if_exists = self.eat_seq(&["IF", "EXISTS"]);
                let column = self.ident()?;
                self.drop_behavior();
                Some(TableAction::DropColumn { column, if_exists })
            }
            "ALTER" => {
                self.pos += 1;
                if self.eat("CONSTRAINT") {
                    let name = self.ident()?;
                    // The attributes may all be left out (a no-op, but valid).
                    let _ = self.constraint_attributes();
                    return Some(TableAction::AlterConstraint { name });
                }
                self.eat("COLUMN");
                let column = self.ident()?;
                self.alter_column(column)
            }
            "VALIDATE" => {
                self.pos += 1;
                self.expect("CONSTRAINT")?;
                Some(TableAction::ValidateConstraint {
                    name: self.ident()?,
                })
            }
            "SET" => {
                self.pos += 1;
                if self.eat("TABLESPACE") {
                    self.ident()?;
                    return Some(TableAction::SetTablespace);
                }
                if self.eat("LOGGED") {
                    return Some(TableAction::SetLogged);
                }
                if self.eat("UNLOGGED") {
                    return Some(TableAction::SetUnlogged);
                }
                if self.eat_seq(&["ACCESS", "METHOD"]) {
                    self.ident()?;
                    return Some(TableAction::SetAccessMethod);
                }
                if self.peek() == Some(&Token::LParen) {
                    return Some(other(&format!("SET ({})", self.option_keys()?)));
                }
                if self.eat_seq(&["WITHOUT", "CLUSTER"]) {
                    return Some(other("SET WITHOUT CLUSTER"));
                }
                if self.eat_seq(&["WITHOUT", "OIDS"]) {
                    return Some(other("SET WITHOUT OIDS"));
                }
                None
            }
            "RESET" => {
                self.pos += 1;
                Some(other(&format!("RESET ({})", self.option_keys()?)))
            }
            "ENABLE" | "DISABLE" => {
                self.pos += 1;
                let mut what = kw.clone();
                if kw == "ENABLE" {
                    for k in ["REPLICA", "ALWAYS"] {
                        if self.eat(k) {
                            what = format!("{what} {k}");
                        }
                    }
                }
                for obj in ["TRIGGER", "RULE"] {
                    if self.eat(obj) {
                        // A trigger name, or ALL / USER.
                        self.ident()?;
                        return Some(other(&format!("{what} {obj}")));
                    }
                }
                if self.eat_seq(&["ROW", "LEVEL", "SECURITY"]) {
                    return Some(other(&format!("{what} ROW LEVEL SECURITY")));
                }
                None
            }
            "FORCE" | "NO" => {
                self.pos += 1;
                if kw == "NO" && self.eat("FORCE") {
                    self.eat_seq(&["ROW", "LEVEL", "SECURITY"]).then_some(())?;
                    return Some(other("NO FORCE ROW LEVEL SECURITY"));
                }
                if kw == "NO" && self.eat("INHERIT") {
                    self.name()?;
                    return Some(other("NO INHERIT"));
                }
                if kw == "FORCE" && self.eat_seq(&["ROW", "LEVEL", "SECURITY"]) {
                    return Some(other("FORCE ROW LEVEL SECURITY"));
                }
                None
            }
            "INHERIT" => {
                self.pos += 1;
                self.name()?;
                Some(other("INHERIT"))
            }
            "OF" => {
                self.pos += 1;
                self.name()?;
                Some(other("OF"))
            }
            "NOT" => {
                self.pos += 1;
                self.expect("OF")?;
                Some(other("NOT OF"))
            }
            "OWNER" => {
                self.pos += 1;
                self.expect("TO")?;
                self.ident()?;
                Some(other("OWNER TO"))
            }
            "CLUSTER" => {
                self.pos += 1;
                self.expect("ON")?;
                self.ident()?;
                Some(other("CLUSTER ON"))
            }
            "REPLICA" => {
                self.pos += 1;
                self.expect("IDENTITY")?;
                if self.eat_seq(&["USING", "INDEX"]) {
                    self.ident()?;
                } else if !(self.eat("DEFAULT") || self.eat("FULL") || self.eat("NOTHING")) {
                    return None;
                }
                Some(other("REPLICA IDENTITY"))
            }
            _ => None,
        }
    }

    /// `ALTER [COLUMN] col ...` after the column name.
    fn alter_column(&mut self, column: String) -> Option<TableAction> {
        if self.eat_seq(&["SET", "DATA", "TYPE"]) || self.eat("TYPE") {
            let ty = self.sql_type()?;
            if self.eat("COLLATE") {
                self.name()?;
            }
            let using = if self.eat("USING") {
                Some(self.expr_to_end()?.text)
            } else {
                None
            };
            return Some(TableAction::AlterColumnType { column, ty, using });
        }
        if self.eat_seq(&["SET", "NOT", "NULL"]) {
            return Some(TableAction::SetNotNull { column });
        }
        if self.eat_seq(&["DROP", "NOT", "NULL"]) {
            return Some(TableAction::DropNotNull { column });
        }
        if self.eat_seq(&["SET", "DEFAULT"]) {
            let default = self.expr_to_end()?;
            return Some(TableAction::SetDefault { column, default });
        }
        if self.eat_seq(&["DROP", "DEFAULT"]) {
            return Some(TableAction::DropDefault { column });
        }
        let what = if self.eat_seq(&["SET", "STATISTICS"]) {
            self.signed_number()?;
            "ALTER COLUMN SET STATISTICS"
        } else if self.eat_seq(&["SET", "STORAGE"]) {
            self.ident()?;
            "ALTER COLUMN SET STORAGE"
        } else if self.eat_seq(&["SET", "COMPRESSION"]) {
            self.ident()?;
            "ALTER COLUMN SET COMPRESSION"
        } else if self.eat_seq(&["DROP", "EXPRESSION"]) {
            self.eat_seq(&["IF", "EXISTS"]);
            "ALTER COLUMN DROP EXPRESSION"
        } else if self.eat_seq(&["DROP", "IDENTITY"]) {
            self.eat_seq(&["IF", "EXISTS"]);
            "ALTER COLUMN DROP IDENTITY"
        } else if self.eat("ADD") {
            self.expect("GENERATED")?;
            if !self.eat("ALWAYS") {
                self.eat_seq(&["BY", "DEFAULT"]).then_some(())?;
            }
            self.expect("AS")?;
            self.expect("IDENTITY")?;
            self.opt_parens()?;
            "ALTER COLUMN ADD GENERATED"
        } else if self.is("SET") || self.is("RESTART") {
            if self.is("SET") && self.peek_at(1) == Some(&Token::LParen) {
                self.pos += 1;
                self.parens()?;
                "ALTER COLUMN SET (...)"
            } else {
                // Identity options: SET GENERATED ..., SET INCREMENT BY ..., RESTART ...
                self.rest_balanced()?;
                "ALTER COLUMN SET identity option"
            }
        } else if self.eat("RESET") {
            self.parens()?;
            "ALTER COLUMN RESET (...)"
        } else if self.eat("OPTIONS") {
            self.parens()?;
            "ALTER COLUMN OPTIONS"
        } else {
            return None;
        };
        Some(other(what))
    }

    fn drop_behavior(&mut self) {
        if !self.eat("CASCADE") {
            self.eat("RESTRICT");
        }
    }

    /// `[NOT] DEFERRABLE`, `INITIALLY DEFERRED|IMMEDIATE`, `[NOT] ENFORCED`, `[NO] INHERIT`,
    /// in any order, at least one.
    fn constraint_attributes(&mut self) -> Option<()> {
        let start = self.pos;
        loop {
            if self.eat("DEFERRABLE")
                || self.eat_seq(&["NOT", "DEFERRABLE"])
                || self.eat_seq(&["INITIALLY", "DEFERRED"])
                || self.eat_seq(&["INITIALLY", "IMMEDIATE"])
                || self.eat("ENFORCED")
                || self.eat_seq(&["NOT", "ENFORCED"])
                || self.eat("INHERIT")
                || self.eat_seq(&["NO", "INHERIT"])
            {
                continue;
            }
            break;
        }
        (self.pos > start).then_some(())
    }

    fn starts_table_constraint(&self) -> bool {
        self.is("CONSTRAINT")
            || self.is("CHECK")
            || self.is("UNIQUE")
            || self.is_seq(&["PRIMARY", "KEY"])
            || self.is_seq(&["FOREIGN", "KEY"])
            || self.is("EXCLUDE")
            || self.is_seq(&["NOT", "NULL"])
    }

    /// `[CONSTRAINT name] CHECK (...) | UNIQUE ... | PRIMARY KEY ... | FOREIGN KEY ... |
    /// EXCLUDE ... | NOT NULL col`, then its attributes and `NOT VALID`.
    fn table_constraint(&mut self) -> Option<Constraint> {
        let name = if self.eat("CONSTRAINT") {
            Some(self.ident()?)
        } else {
            None
        };
        let kind = if self.eat("CHECK") {
            let inner = self.parens()?;
            let expr = self.text_of(inner.clone());
            let not_null_column = self.is_not_null_check(inner);
            ConstraintKind::Check {
                expr,
                not_null_column,
            }
        } else if self.eat("UNIQUE") {
            if self.eat("NULLS") {
                self.eat("NOT");
                self.expect("DISTINCT")?;
            }
            let (columns, using_index) = self.index_constraint_tail()?;
            ConstraintKind::Unique {
                columns,
                using_index,
            }
        } else if self.eat_seq(&["PRIMARY", "KEY"]) {
            let (columns, using_index) = self.index_constraint_tail()?;
            ConstraintKind::PrimaryKey {
                columns,
                using_index,
            }
        } else if self.eat_seq(&["FOREIGN", "KEY"]) {
            let columns = self.column_list()?;
            self.expect("REFERENCES")?;
            let references = self.references_tail()?;
            ConstraintKind::ForeignKey {
                columns,
                references,
            }
        } else if self.eat("EXCLUDE") {
            if self.eat("USING") {
                self.ident()?;
            }
            self.parens()?;
            self.index_parameters()?;
            if self.eat("WHERE") {
                self.parens()?;
            }
            ConstraintKind::Exclusion
        } else if self.eat_seq(&["NOT", "NULL"]) {
            ConstraintKind::NotNull {
                column: self.ident()?,
            }
        } else {
            return None;
        };
        let mut not_valid = false;
        loop {
            if self.eat_seq(&["NOT", "VALID"]) {
                not_valid = true;
            } else if self.constraint_attributes().is_none() {
                break;
            }
        }
        Some(Constraint {
            name,
            kind,
            not_valid,
        })
    }

    /// `(col)`, `((col))` or `col IS NOT NULL` inside a `CHECK`.
    fn is_not_null_check(&self, inner: Range<usize>) -> Option<String> {
        let mut toks = &self.toks[inner];
        while toks.len() >= 2
            && toks[0].token == Token::LParen
            && toks[toks.len() - 1].token == Token::RParen
        {
            toks = &toks[1..toks.len() - 1];
        }
        match toks {
            [col, is, not, null]
                if is_kw(&is.token, "IS")
                    && is_kw(&not.token, "NOT")
                    && is_kw(&null.token, "NULL") =>
            {
                fold(&col.token)
            }
            _ => None,
        }
    }

    /// After `UNIQUE`/`PRIMARY KEY`: `(cols) [INCLUDE (...)] [WITH (...)] [USING INDEX TABLESPACE
    /// t]` or `USING INDEX idx`.
    fn index_constraint_tail(&mut self) -> Option<(Vec<String>, Option<String>)> {
        if self.eat_seq(&["USING", "INDEX"]) {
            return Some((Vec::new(), Some(self.ident()?)));
        }
        let columns = self.column_list()?;
        self.index_parameters()?;
        Some((columns, None))
    }

    /// `[INCLUDE (...)] [WITH (...)] [USING INDEX TABLESPACE t]`.
    fn index_parameters(&mut self) -> Option<()> {
        if self.eat("INCLUDE") {
            self.parens()?;
        }
        if self.eat("WITH") {
            self.parens()?;
        }
        if self.eat_seq(&["USING", "INDEX", "TABLESPACE"]) {
            self.ident()?;
        }
        Some(())
    }

    /// `(a, b, c)`.
    fn column_list(&mut self) -> Option<Vec<String>> {
        self.expect_tok(&Token::LParen)?;
        let mut cols = vec![self.ident()?];
        while self.eat_tok(&Token::Comma) {
            cols.push(self.ident()?);
        }
        self.expect_tok(&Token::RParen)?;
        Some(cols)
    }

    /// After `REFERENCES`: `table [(cols)] [MATCH ...] [ON DELETE ...] [ON UPDATE ...]`.
    fn references_tail(&mut self) -> Option<Name> {
        let table = self.name()?;
        if self.peek() == Some(&Token::LParen) {
            self.column_list()?;
        }
        loop {
            if self.eat("MATCH") {
                if !(self.eat("FULL") || self.eat("PARTIAL") || self.eat("SIMPLE")) {
                    return None;
                }
            } else if self.eat("ON") {
                if !(self.eat("DELETE") || self.eat("UPDATE")) {
                    return None;
                }
                if self.eat_seq(&["NO", "ACTION"]) || self.eat("RESTRICT") || self.eat("CASCADE") {
                } else if self.eat_seq(&["SET", "NULL"]) || self.eat_seq(&["SET", "DEFAULT"]) {
                    if self.peek() == Some(&Token::LParen) {
                        self.column_list()?;
                    }
                } else {
                    return None;
                }
            } else {
                return Some(table);
            }
        }
    }

    /// `name type [column constraints...]`. Stops at the end of this parser's tokens.
    fn column_def(&mut self) -> Option<ColumnDef> {
        let name = self.name_part()?;
        let ty = self.sql_type()?;
        let mut col = ColumnDef::new(name, Some(ty));
        self.column_constraints(&mut col)?;
        Some(col)
    }

    /// Column constraints, to the end of this parser's tokens.
    fn column_constraints(&mut self, col: &mut ColumnDef) -> Option<()> {
        while !self.at_end() {
            if self.eat("CONSTRAINT") {
                self.ident()?;
            }
            if self.eat_seq(&["NOT", "NULL"]) {
                col.not_null = true;
            } else if self.eat("NULL") {
            } else if self.eat("CHECK") {
                let inner = self.parens()?;
                col.check = Some(self.text_of(inner));
                self.eat_seq(&["NO", "INHERIT"]);
            } else if self.eat("DEFAULT") {
                col.default = Some(self.default_expr()?);
            } else if self.eat("UNIQUE") {
                if self.eat("NULLS") {
                    self.eat("NOT");
                    self.expect("DISTINCT")?;
                }
                self.index_parameters()?;
                col.unique = true;
            } else if self.eat_seq(&["PRIMARY", "KEY"]) {
                self.index_parameters()?;
                col.primary_key = true;
            } else if self.eat("REFERENCES") {
                col.references = Some(self.references_tail()?);
            } else if self.eat("GENERATED") {
                if self.eat("ALWAYS") {
                    self.expect("AS")?;
                    if self.eat("IDENTITY") {
                        self.opt_parens()?;
                        col.generated = Some(Generated::Identity);
                    } else {
                        self.parens()?;
                        // PostgreSQL 18 adds VIRTUAL; STORED was required before.
                        if !(self.eat("STORED") || self.eat("VIRTUAL")) {
                            return None;
                        }
                        col.generated = Some(Generated::Stored);
                    }
                } else {
                    self.eat_seq(&["BY", "DEFAULT", "AS", "IDENTITY"])
                        .then_some(())?;
                    self.opt_parens()?;
                    col.generated = Some(Generated::Identity);
                }
            } else if self.eat("COLLATE") {
                self.name()?;
            } else if self.eat("COMPRESSION") || self.eat("STORAGE") {
                self.ident()?;
            } else if self.constraint_attributes().is_none() {
                return None;
            }
        }
        Some(())
    }

    /// A `DEFAULT` expression: up to the next column constraint keyword or the end.
    fn default_expr(&mut self) -> Option<Expr> {
        const STOP: &[&str] = &[
            "CONSTRAINT",
            "NOT",
            "NULL",
            "CHECK",
            "DEFAULT",
            "UNIQUE",
            "PRIMARY",
            "REFERENCES",
            "GENERATED",
            "COLLATE",
            "DEFERRABLE",
            "INITIALLY",
        ];
        let start = self.pos;
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            match t {
                Token::LParen | Token::LBracket => depth += 1,
                Token::RParen | Token::RBracket => depth = depth.checked_sub(1)?,
                Token::Comma if depth == 0 => break,
                t if depth == 0
                    && self.pos > start
                    // `DEFAULT NULL` keeps its NULL (the first token is never a stop).
                    && STOP.iter().any(|kw| is_kw(t, kw)) =>
                {
                    break;
                }
                _ => {}
            }
            self.pos += 1;
        }
        if depth != 0 || !self.valid_expr(start..self.pos) {
            return None;
        }
        Some(self.expr(start..self.pos))
    }

    /// The rest of the tokens as an expression.
    fn expr_to_end(&mut self) -> Option<Expr> {
        let start = self.pos;
        self.pos = self.toks.len();
        if !self.valid_expr(start..self.pos) {
            return None;
        }
        Some(self.expr(start..self.pos))
    }

    /// A parser over a sub-range of this one's tokens.
    fn sub(&self, range: Range<usize>) -> Parser<'a> {
        Parser {
            text: self.text,
            toks: self.toks.get(range).unwrap_or_default(),
            pos: 0,
            embedded: Vec::new(),
        }
    }

    /// True when the tokens in `range` form one value expression (loosely PostgreSQL's
    /// `a_expr`): operands and operators alternate, so that two statements run together by a
    /// missing `;` are not taken for one default value.
    fn valid_expr(&self, range: Range<usize>) -> bool {
        if range.is_empty() {
            return false;
        }
        let mut sub = self.sub(range);
        loop {
            if sub.operand().is_none() {
                return false;
            }
            if sub.at_end() {
                return true;
            }
            if !sub.binary_operator() || sub.at_end() {
                return false;
            }
        }
    }

    /// At `(` or `[`: moves past the matching bracket.
    fn skip_brackets(&mut self) -> Option<()> {
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            self.pos += 1;
            match t {
                Token::LParen | Token::LBracket => depth += 1,
                Token::RParen | Token::RBracket => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(());
                    }
                }
                _ if depth == 0 => return None,
                _ => {}
            }
        }
        None
    }

    /// One operand with its prefix and postfix operators.
    fn operand(&mut self) -> Option<()> {
        while matches!(
            self.peek()?,
            Token::Minus
                | Token::Plus
                | Token::Tilde
                | Token::AtSign
                | Token::PGSquareRoot
                | Token::PGCubeRoot
        ) || self.is("NOT")
        {
            self.pos += 1;
        }
        match self.peek()? {
            Token::Number(..)
            | Token::Placeholder(_)
            | Token::HexStringLiteral(_)
            | Token::SingleQuotedByteStringLiteral(_) => self.pos += 1,
            t if string_value(t).is_some() => self.pos += 1,
            Token::LParen => self.skip_brackets()?,
            Token::Word(w) => {
                let upper = w.value.to_ascii_uppercase();
                let unquoted = w.quote_style.is_none();
                if unquoted && upper == "CASE" {
                    let mut cases = 0usize;
                    while let Some(t) = self.peek() {
                        self.pos += 1;
                        if is_kw(t, "CASE") {
                            cases += 1;
                        } else if is_kw(t, "END") {
                            cases -= 1;
                            if cases == 0 {
                                break;
                            }
                        }
                    }
                    if cases != 0 {
                        return None;
                    }
                } else if unquoted
                    && matches!(upper.as_str(), "ARRAY" | "ANY" | "ALL" | "SOME" | "CAST")
                {
                    self.pos += 1;
                    if !matches!(self.peek()?, Token::LParen | Token::LBracket) {
                        return None;
                    }
                    self.skip_brackets()?;
                } else {
                    if unquoted && is_reserved(&w.value) && !is_value_word(&upper) {
                        return None;
                    }
                    self.pos += 1;
                    while self.peek() == Some(&Token::Period)
                        && matches!(self.peek_at(1), Some(Token::Word(_) | Token::Mul))
                    {
                        self.pos += 2;
                    }
                    if let Some(t) = self.peek()
                        && string_value(t).is_some()
                    {
                        // A typed literal: `interval '1 day'`, `date '2024-01-01'`.
                        self.pos += 1;
                        if unquoted && upper == "INTERVAL" {
                            self.interval_fields()?;
                        }
                    } else if unquoted
                        && matches!(upper.as_str(), "TIMESTAMP" | "TIME")
                        && (self.is("WITH") || self.is("WITHOUT"))
                    {
                        self.pos += 1;
                        self.eat_seq(&["TIME", "ZONE"]).then_some(())?;
                        string_value(self.peek()?)?;
                        self.pos += 1;
                    } else if self.peek() == Some(&Token::LParen) {
                        self.skip_brackets()?;
                        if self.eat_seq(&["WITHIN", "GROUP"]) || self.eat("FILTER") {
                            self.skip_brackets()?;
                        }
                        if self.eat("OVER") {
                            if self.peek() == Some(&Token::LParen) {
                                self.skip_brackets()?;
                            } else {
                                self.ident()?;
                            }
                        }
                    }
                }
            }
            _ => return None,
        }
        // Postfix: casts, subscripts, field selection, COLLATE, IS [NOT] NULL, ...
        loop {
            if self.eat_tok(&Token::DoubleColon) {
                self.sql_type()?;
            } else if self.peek() == Some(&Token::LBracket) {
                self.skip_brackets()?;
            } else if self.peek() == Some(&Token::Period)
                && matches!(self.peek_at(1), Some(Token::Word(_) | Token::Mul))
            {
                self.pos += 2;
            } else if self.eat("COLLATE") {
                self.name()?;
            } else if self.eat("ISNULL") || self.eat("NOTNULL") {
            } else if self.is("IS")
                && !self.is_at(1, "DISTINCT")
                && !self.is_seq(&["IS", "NOT", "DISTINCT"])
            {
                self.pos += 1;
                self.eat("NOT");
                const AFTER_IS: &[&str] = &[
                    "NULL",
                    "TRUE",
                    "FALSE",
                    "UNKNOWN",
                    "DOCUMENT",
                    "NORMALIZED",
                    "JSON",
                ];
                AFTER_IS.iter().any(|k| self.eat(k)).then_some(())?;
            } else {
                return Some(());
            }
        }
    }

    /// A binary operator between two operands.
    fn binary_operator(&mut self) -> bool {
        let Some(t) = self.peek() else { return false };
        match t {
            Token::Word(w) if w.quote_style.is_none() => {
                let upper = w.value.to_ascii_uppercase();
                let seqs: &[&[&str]] = &[
                    &["AND"],
                    &["OR"],
                    &["LIKE"],
                    &["ILIKE"],
                    &["IN"],
                    &["BETWEEN", "SYMMETRIC"],
                    &["BETWEEN", "ASYMMETRIC"],
                    &["BETWEEN"],
                    &["OVERLAPS"],
                    &["ESCAPE"],
                    &["SIMILAR", "TO"],
                    &["NOT", "LIKE"],
                    &["NOT", "ILIKE"],
                    &["NOT", "IN"],
                    &["NOT", "BETWEEN"],
                    &["NOT", "SIMILAR", "TO"],
                    &["IS", "DISTINCT", "FROM"],
                    &["IS", "NOT", "DISTINCT", "FROM"],
                    &["AT", "TIME", "ZONE"],
                ];
                if upper == "OPERATOR" && self.peek_at(1) == Some(&Token::LParen) {
                    self.pos += 1;
                    return self.skip_brackets().is_some();
                }
                seqs.iter().any(|kws| self.eat_seq(kws))
            }
            Token::Word(_)
            | Token::Number(..)
            | Token::LParen
            | Token::RParen
            | Token::LBracket
            | Token::RBracket
            | Token::Comma
            | Token::SemiColon
            | Token::Period
            | Token::DoubleColon
            | Token::Colon
            | Token::Assignment
            | Token::Placeholder(_)
            | Token::EOF
            | Token::Whitespace(_) => false,
            t if string_value(t).is_some() => false,
            _ => {
                self.pos += 1;
                true
            }
        }
    }

    fn expr(&self, toks: Range<usize>) -> Expr {
        Expr {
            text: self.text_of(toks.clone()),
            volatility: self.volatility(toks),
        }
    }

    /// How often the value of the expression in `range` changes, by the AST path's rules
    /// (`lower/volatility.rs`): literals and casts of literals are constants; an operator or a
    /// call makes the value at least non-volatile; a function counts as listed, unknown when not
    /// listed or schema-qualified outside `pg_catalog`; the worst part wins.
    fn volatility(&self, range: Range<usize>) -> Volatility {
        let mut p = self.sub(range);
        let mut v = Volatility::Constant;
        let mut prev_operand = false;
        while let Some(t) = p.peek() {
            match t {
                Token::DoubleColon => {
                    // A cast keeps the operand's volatility.
                    p.pos += 1;
                    if p.sql_type().is_none() {
                        p.pos += 1;
                    }
                    prev_operand = true;
                }
                Token::Word(w) => {
                    let upper = w.value.to_ascii_uppercase();
                    let unquoted = w.quote_style.is_none();
                    if unquoted && upper == "AS" {
                        // CAST(x AS type)
                        p.pos += 1;
                        let _ = p.sql_type();
                        prev_operand = true;
                        continue;
                    }
                    if unquoted && matches!(upper.as_str(), "CAST" | "ARRAY") {
                        p.pos += 1;
                        prev_operand = false;
                        continue;
                    }
                    if unquoted && matches!(upper.as_str(), "NULL" | "TRUE" | "FALSE") {
                        p.pos += 1;
                        prev_operand = true;
                        continue;
                    }
                    if unquoted && is_operator_word(&upper) {
                        v = worst(v, Volatility::NonVolatile);
                        p.pos += 1;
                        prev_operand = upper == "END";
                        continue;
                    }
                    let start = p.pos;
                    let name = match p.name() {
                        Some(n) => n,
                        None => {
                            // A reserved word used as a value: CURRENT_TIMESTAMP, USER, ...
                            p.pos = start + 1;
                            Name::bare(&fold(t).unwrap_or_default())
                        }
                    };
                    if p.peek() == Some(&Token::LParen) {
                        let own = match name.schema.as_deref() {
                            None | Some("pg_catalog") => function_volatility(&name.name),
                            Some(_) => Volatility::Unknown,
                        };
                        // `ROW(1, 'a')` is a constructor, not a call.
                        if !(name.schema.is_none() && name.name == "row") {
                            v = worst(v, worst(own, Volatility::NonVolatile));
                        }
                        prev_operand = false;
                    } else if p.peek().is_some_and(|t| string_value(t).is_some()) {
                        // A typed literal: `interval '1 day'`.
                        p.pos += 1;
                        prev_operand = true;
                    } else {
                        // A bare name: a value keyword (`current_timestamp`) or a column.
                        v = worst(v, function_volatility(&name.name));
                        prev_operand = true;
                    }
                }
                Token::Minus | Token::Plus if !prev_operand => p.pos += 1,
                Token::LParen | Token::LBracket | Token::Comma => {
                    p.pos += 1;
                    prev_operand = false;
                }
                Token::RParen | Token::RBracket => {
                    p.pos += 1;
                    prev_operand = true;
                }
                t if matches!(t, Token::Number(..)) || string_value(t).is_some() => {
                    p.pos += 1;
                    prev_operand = true;
                }
                _ => {
                    v = worst(v, Volatility::NonVolatile);
                    p.pos += 1;
                    prev_operand = false;
                }
            }
        }
        v
    }

    /// A type name with its modifiers and array bounds.
    fn sql_type(&mut self) -> Option<SqlType> {
        let start = self.pos;
        let first = self.keyword();
        let mut canonical: Option<&str> = None;
        // Multi-word SQL standard names first.
        if let Some(first) = first.as_deref() {
            let multi: &[(&[&str], &str)] = &[
                (&["DOUBLE", "PRECISION"], "double precision"),
                (&["CHARACTER", "VARYING"], "varchar"),
                (&["CHAR", "VARYING"], "varchar"),
                (&["NATIONAL", "CHARACTER", "VARYING"], "varchar"),
                (&["NATIONAL", "CHAR", "VARYING"], "varchar"),
                (&["NATIONAL", "CHARACTER"], "char"),
                (&["NATIONAL", "CHAR"], "char"),
                (&["NCHAR", "VARYING"], "varchar"),
                (&["BIT", "VARYING"], "varbit"),
            ];
            for (kws, name) in multi {
                if first == kws[0] && self.is_seq(kws) {
                    self.pos += kws.len();
                    canonical = Some(name);
                    break;
                }
            }
        }
        let mut quoted = false;
        let mut name = match canonical {
            Some(c) => c.to_owned(),
            None => {
                let n = self.name()?;
                quoted = matches!(
                    &self.toks[self.pos - 1].token,
                    Token::Word(w) if w.quote_style.is_some()
                );
                match n.schema.as_deref() {
                    // `"char"` is its own one-byte type, not `char(n)`.
                    _ if quoted && n.name == "char" => "\"char\"".to_owned(),
                    None | Some("pg_catalog") => n.name,
                    Some(s) => format!("{}.{}", s, n.name),
                }
            }
        };
        let mut args = Vec::new();
        if self.peek() == Some(&Token::LParen) {
            let inner = self.parens()?;
            for t in &self.toks[inner] {
                match &t.token {
                    Token::Number(n, _) => args.push(n.parse().ok()?),
                    Token::Comma => {}
                    // `interval(3)`, `numeric(10, 2)`; anything else is a user type's modifier.
                    _ => {}
                }
            }
        }
        if matches!(name.as_str(), "timestamp" | "time") {
            if self.eat_seq(&["WITH", "TIME", "ZONE"]) {
                name.push_str("tz");
            } else {
                self.eat_seq(&["WITHOUT", "TIME", "ZONE"]);
            }
        }
        if name == "interval" {
            self.interval_fields()?;
        }
        if name == "float" {
            name = match args.first() {
                Some(p) if *p <= 24 => "real".into(),
                _ => "double precision".into(),
            };
            args.clear();
        }
        // A quoted name is taken as written: `"int4"` is not folded into `integer`.
        let name = if quoted {
            name
        } else {
            canonical_type(&name).to_owned()
        };
        let mut array = false;
        loop {
            if self.peek() == Some(&Token::LBracket) {
                self.pos += 1;
                if let Some(Token::Number(..)) = self.peek() {
                    self.pos += 1;
                }
                self.expect_tok(&Token::RBracket)?;
                array = true;
            } else if self.eat("ARRAY") {
                if self.peek() == Some(&Token::LBracket) {
                    self.pos += 1;
                    if let Some(Token::Number(..)) = self.peek() {
                        self.pos += 1;
                    }
                    self.expect_tok(&Token::RBracket)?;
                }
                array = true;
            } else {
                break;
            }
        }
        Some(SqlType {
            name,
            args,
            array,
            written: self.text_of(start..self.pos),
        })
    }

    /// `[DAY | DAY TO SECOND [(p)] | ...]` after `interval`.
    fn interval_fields(&mut self) -> Option<()> {
        const FIELDS: &[&str] = &["YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"];
        if FIELDS.iter().any(|f| self.eat(f)) {
            if self.eat("TO") {
                FIELDS.iter().any(|f| self.eat(f)).then_some(())?;
            }
            if self.peek() == Some(&Token::LParen) {
                self.parens()?;
            }
        }
        Some(())
    }

    fn alter_index(&mut self) -> Ops {
        if self.is_seq(&["ALL", "IN", "TABLESPACE"]) {
            self.rest_balanced()?;
            return Some(vec![Op::Other {
                keyword: "ALTER INDEX ALL IN TABLESPACE".into(),
            }]);
        }
        self.eat_seq(&["IF", "EXISTS"]);
        let index = self.name()?;
        if self.eat_seq(&["RENAME", "TO"]) {
            return Some(vec![Op::Rename {
                kind: ObjectKind::Index,
                from: index,
                to: self.ident()?,
            }]);
        }
        let what = if self.eat_seq(&["ATTACH", "PARTITION"]) {
            self.name()?;
            "ATTACH PARTITION"
        } else if self.eat_seq(&["SET", "TABLESPACE"]) {
            self.ident()?;
            "SET TABLESPACE"
        } else if self.eat("SET") {
            self.parens()?;
            "SET (...)"
        } else if self.eat("RESET") {
            self.parens()?;
            "RESET (...)"
        } else if self.eat("ALTER") {
            self.eat("COLUMN");
            match self.peek()? {
                Token::Number(..) => self.pos += 1,
                _ => {
                    self.ident()?;
                }
            }
            self.expect("SET")?;
            self.expect("STATISTICS")?;
            self.signed_number()?;
            "ALTER COLUMN SET STATISTICS"
        } else if self.eat("NO") {
            self.eat_seq(&["DEPENDS", "ON", "EXTENSION"])
                .then_some(())?;
            self.ident()?;
            "NO DEPENDS ON EXTENSION"
        } else if self.eat_seq(&["DEPENDS", "ON", "EXTENSION"]) {
            self.ident()?;
            "DEPENDS ON EXTENSION"
        } else {
            return None;
        };
        Some(vec![Op::AlterIndex {
            index,
            what: what.into(),
        }])
    }

    fn alter_sequence(&mut self) -> Ops {
        self.eat_seq(&["IF", "EXISTS"]);
        let name = self.name()?;
        if self.eat_seq(&["RENAME", "TO"]) {
            return Some(vec![Op::Rename {
                kind: ObjectKind::Sequence,
                from: name,
                to: self.ident()?,
            }]);
        }
        if self.eat_seq(&["SET", "SCHEMA"]) || self.eat_seq(&["OWNER", "TO"]) {
            self.ident()?;
        } else if self.eat_seq(&["SET", "LOGGED"]) || self.eat_seq(&["SET", "UNLOGGED"]) {
        } else {
            self.sequence_options(true)?;
        }
        Some(vec![Op::Other {
            keyword: "ALTER SEQUENCE".into(),
        }])
    }

    /// Sequence options in any order, at least one: `AS type`, `INCREMENT [BY] n`, `[NO]
    /// MINVALUE`, `[NO] MAXVALUE`, `START [WITH] n`, `CACHE n`, `[NO] CYCLE`, `OWNED BY x`, and for
    /// `ALTER SEQUENCE` also `RESTART [[WITH] n]`.
    fn sequence_options(&mut self, alter: bool) -> Option<()> {
        let start = self.pos;
        while !self.at_end() {
            if self.eat("AS") {
                self.sql_type()?;
            } else if self.eat("INCREMENT") {
                self.eat("BY");
                self.signed_number()?;
            } else if self.eat("MINVALUE") || self.eat("MAXVALUE") || self.eat("CACHE") {
                self.signed_number()?;
            } else if self.eat_seq(&["NO", "MINVALUE"])
                || self.eat_seq(&["NO", "MAXVALUE"])
                || self.eat_seq(&["NO", "CYCLE"])
                || self.eat("CYCLE")
            {
            } else if self.eat("START") {
                self.eat("WITH");
                self.signed_number()?;
            } else if self.eat_seq(&["OWNED", "BY"]) {
                if !self.eat("NONE") {
                    self.name()?;
                }
            } else if alter && self.eat("RESTART") {
                self.eat("WITH");
                if matches!(
                    self.peek(),
                    Some(Token::Number(..) | Token::Minus | Token::Plus)
                ) {
                    self.signed_number()?;
                }
            } else if self.eat_seq(&["SEQUENCE", "NAME"]) {
                self.name()?;
            } else {
                return None;
            }
        }
        (!alter || self.pos > start).then_some(())
    }

    fn vacuum(&mut self) -> Ops {
        self.expect("VACUUM")?;
        let mut full = false;
        if self.peek() == Some(&Token::LParen) {
            for (opt, on) in self.option_list()? {
                if opt == "FULL" {
                    full = on;
                }
            }
        } else {
            full = self.eat("FULL");
            self.eat("FREEZE");
            self.eat("VERBOSE");
            if !self.eat("ANALYZE") {
                self.eat("ANALYSE");
            }
        }
        let tables = self.table_and_columns_list()?;
        Some(vec![Op::Vacuum { full, tables }])
    }

    fn analyze(&mut self) -> Ops {
        self.pos += 1;
        if self.peek() == Some(&Token::LParen) {
            self.option_list()?;
        } else {
            self.eat("VERBOSE");
        }
        self.table_and_columns_list()?;
        Some(vec![Op::Other {
            keyword: "ANALYZE".into(),
        }])
    }

    /// `[table [(cols)] [, ...]]` to the end.
    fn table_and_columns_list(&mut self) -> Option<Vec<Name>> {
        let mut tables = Vec::new();
        if self.at_end() {
            return Some(tables);
        }
        loop {
            tables.push(self.name()?);
            if self.peek() == Some(&Token::LParen) {
                self.column_list()?;
            }
            if !self.eat_tok(&Token::Comma) {
                return Some(tables);
            }
        }
    }

    fn cluster(&mut self) -> Ops {
        self.expect("CLUSTER")?;
        if self.peek() == Some(&Token::LParen) {
            self.option_list()?;
        } else {
            self.eat("VERBOSE");
        }
        if self.at_end() {
            return Some(vec![Op::Cluster { table: None }]);
        }
        let first = self.name()?;
        let table = if self.eat("ON") {
            // Pre-8.3 spelling: CLUSTER index ON table.
            self.name()?
        } else {
            if self.eat("USING") {
                self.ident()?;
            }
            first
        };
        Some(vec![Op::Cluster { table: Some(table) }])
    }

    fn refresh(&mut self) -> Ops {
        self.expect("REFRESH")?;
        self.expect("MATERIALIZED")?;
        self.expect("VIEW")?;
        let concurrently = self.eat("CONCURRENTLY");
        let name = self.name()?;
        if self.eat("WITH") {
            self.eat("NO");
            self.expect("DATA")?;
        }
        Some(vec![Op::RefreshMaterializedView { name, concurrently }])
    }

    /// `DO [LANGUAGE lang] body [LANGUAGE lang]`.
    fn do_block(&mut self) -> Ops {
        self.expect("DO")?;
        let mut language: Option<String> = None;
        let mut body: Option<usize> = None;
        while !self.at_end() {
            if self.eat("LANGUAGE") {
                if language.is_some() {
                    return None;
                }
                let tok = self.peek()?;
                language = Some(match string_value(tok) {
                    Some(s) => s.to_ascii_lowercase(),
                    None => fold(tok)?,
                });
                self.pos += 1;
            } else if body.is_none() && string_value(self.peek()?).is_some() {
                body = Some(self.pos);
                self.pos += 1;
            } else {
                return None;
            }
        }
        let body = &self.toks[body?];
        if language.as_deref().unwrap_or("plpgsql") == "plpgsql" {
            self.embedded = do_body_statements(self.text, body);
        }
        Some(vec![Op::DoBlock])
    }

    fn comment_on(&mut self) -> Ops {
        self.expect("COMMENT")?;
        self.expect("ON")?;
        let (kind, name) = self.commented_object()?;
        self.label_value()?;
        Some(vec![Op::CommentOn { kind, name }])
    }

    /// `SECURITY LABEL [FOR provider] ON object IS 'label' | NULL`.
    fn security_label(&mut self) -> Ops {
        self.expect("SECURITY")?;
        self.expect("LABEL")?;
        if self.eat("FOR") {
            let tok = self.peek()?;
            if string_value(tok).is_none() {
                fold(tok)?;
            }
            self.pos += 1;
        }
        self.expect("ON")?;
        self.commented_object()?;
        self.label_value()?;
        Some(vec![Op::Other {
            keyword: "SECURITY LABEL".into(),
        }])
    }

    /// `IS 'text' | IS NULL`.
    fn label_value(&mut self) -> Option<()> {
        self.expect("IS")?;
        let tok = self.peek()?;
        if string_value(tok).is_none() && !is_kw(tok, "NULL") {
            return None;
        }
        self.pos += 1;
        Some(())
    }

    /// The object of `COMMENT ON` / `SECURITY LABEL ON`. A column is reported as its table.
    fn commented_object(&mut self) -> Option<(ObjectKind, Name)> {
        if self.eat("COLUMN") {
            let mut parts = vec![self.name_part()?];
            while self.eat_tok(&Token::Period) {
                parts.push(self.ident()?);
            }
            if parts.len() < 2 || parts.len() > 4 {
                return None;
            }
            // The comment goes on the table, as the AST path reports it.
            parts.pop()?;
            let table = parts.pop()?;
            return Some((ObjectKind::Table, Name::new(parts.pop().as_deref(), &table)));
        }
        let on_table: &[(&str, ObjectKind)] = &[
            ("CONSTRAINT", ObjectKind::Other),
            ("TRIGGER", ObjectKind::Trigger),
            ("POLICY", ObjectKind::Policy),
            ("RULE", ObjectKind::Rule),
        ];
        for (kw, kind) in on_table {
            if self.eat(kw) {
                let name = self.ident()?;
                self.expect("ON")?;
                if *kw == "CONSTRAINT" {
                    self.eat("DOMAIN");
                }
                self.name()?;
                return Some((*kind, Name::bare(&name)));
            }
        }
        // Kinds whose names we do not model (CAST, OPERATOR, LARGE OBJECT, ...) stay
        // unrecognised.
        let (kind, _, has_args) = self.drop_kind()?;
        let name = self.name()?;
        if has_args {
            self.opt_parens()?;
        }
        Some((kind, name))
    }

    fn create(&mut self) -> Ops {
        self.expect("CREATE")?;
        let or_replace = self.eat_seq(&["OR", "REPLACE"]);
        if self.is("FUNCTION") || self.is("PROCEDURE") {
            return self.create_function(or_replace);
        }
        if self.is("TRIGGER") || self.is_seq(&["CONSTRAINT", "TRIGGER"]) {
            return self.create_trigger(or_replace);
        }
        if self.eat("RULE") {
            return self.create_rule(or_replace);
        }
        if self.eat("AGGREGATE") {
            // CREATE [OR REPLACE] AGGREGATE name (args) (definition) | name (old definition).
            let name = self.name()?;
            self.parens()?;
            self.opt_parens()?;
            return Some(vec![Op::Create {
                kind: ObjectKind::Other,
                name,
                on_table: None,
                or_replace,
            }]);
        }
        if self.eat("OPERATOR") && !or_replace {
            // CREATE OPERATOR [schema.]symbol (definition).
            let start = self.pos;
            while let Some(t) = self.peek() {
                match t {
                    Token::LParen => break,
                    Token::Word(_) if self.pos == start => {
                        self.ident()?;
                        self.expect_tok(&Token::Period)?;
                    }
                    Token::Word(_) | Token::Comma | Token::RParen => return None,
                    t if string_value(t).is_some() => return None,
                    _ => self.pos += 1,
                }
            }
            if self.pos == start {
                return None;
            }
            self.parens()?;
            return Some(vec![Op::Other {
                keyword: "CREATE OPERATOR".into(),
            }]);
        }
        if self.is_seq(&["MATERIALIZED", "VIEW"]) && !or_replace {
            return self.create_materialized_view();
        }
        if !or_replace {
            if self.eat_seq(&["EVENT", "TRIGGER"]) {
                let name = Name::bare(&self.ident()?);
                self.expect("ON")?;
                self.ident()?;
                if self.eat("WHEN") {
                    loop {
                        self.ident()?;
                        self.expect("IN")?;
                        self.parens()?;
                        if !self.eat("AND") {
                            break;
                        }
                    }
                }
                self.expect("EXECUTE")?;
                if !(self.eat("FUNCTION") || self.eat("PROCEDURE")) {
                    return None;
                }
                self.name()?;
                self.parens()?;
                return Some(vec![Op::Create {
                    kind: ObjectKind::Other,
                    name,
                    on_table: None,
                    or_replace: false,
                }]);
            }
            if self.eat("CAST") {
                self.expect_tok(&Token::LParen)?;
                self.sql_type()?;
                self.expect("AS")?;
                self.sql_type()?;
                self.expect_tok(&Token::RParen)?;
                if self.eat_seq(&["WITH", "FUNCTION"]) {
                    self.name()?;
                    self.opt_parens()?;
                } else if !(self.eat_seq(&["WITHOUT", "FUNCTION"])
                    || self.eat_seq(&["WITH", "INOUT"]))
                {
                    return None;
                }
                if self.eat("AS") && !(self.eat("ASSIGNMENT") || self.eat("IMPLICIT")) {
                    return None;
                }
                return Some(vec![Op::Other {
                    keyword: "CREATE CAST".into(),
                }]);
            }
            if self.eat("PUBLICATION") {
                self.ident()?;
                if self.eat("FOR") && !self.eat_seq(&["ALL", "TABLES"]) {
                    self.publication_objects()?;
                }
                if self.eat("WITH") {
                    self.parens()?;
                }
                return Some(vec![Op::Other {
                    keyword: "CREATE PUBLICATION".into(),
                }]);
            }
            if self.eat_seq(&["USER", "MAPPING"]) {
                self.eat_seq(&["IF", "NOT", "EXISTS"]);
                self.expect("FOR")?;
                if !self.eat("USER") {
                    self.role_spec()?;
                }
                self.expect("SERVER")?;
                self.ident()?;
                if self.eat("OPTIONS") {
                    self.parens()?;
                }
                return Some(vec![Op::Other {
                    keyword: "CREATE USER MAPPING".into(),
                }]);
            }
            if self.eat("TABLESPACE") {
                self.ident()?;
                if self.eat("OWNER") {
                    self.role_spec()?;
                }
                self.expect("LOCATION")?;
                string_value(self.peek()?)?;
                self.pos += 1;
                if self.eat("WITH") {
                    self.parens()?;
                }
                return Some(vec![Op::Other {
                    keyword: "CREATE TABLESPACE".into(),
                }]);
            }
            if self.is("ROLE") || self.is("USER") || self.is("GROUP") {
                return self.create_role();
            }
            if self.is("TABLE")
                || self.is_seq(&["UNLOGGED", "TABLE"])
                || (self.is("TEMP") || self.is("TEMPORARY"))
                || ((self.is("GLOBAL") || self.is("LOCAL"))
                    && (self.is_at(1, "TEMP") || self.is_at(1, "TEMPORARY")))
            {
                return self.create_table();
            }
            if self.is("SEQUENCE") || self.is_seq(&["UNLOGGED", "SEQUENCE"]) {
                self.eat("UNLOGGED");
                return self.create_sequence(false);
            }
            if self.is("UNIQUE") || self.is("INDEX") {
                return self.create_index();
            }
            if self.eat("STATISTICS") {
                return self.create_statistics();
            }
        }
        None
    }

    fn create_table(&mut self) -> Ops {
        let mut temporary = false;
        if self.eat("GLOBAL") || self.eat("LOCAL") {
            temporary = true;
        }
        if self.eat("TEMP") || self.eat("TEMPORARY") {
            temporary = true;
            if self.is("SEQUENCE") {
                return self.create_sequence(true);
            }
        } else {
            self.eat("UNLOGGED");
        }
        self.expect("TABLE")?;
        let if_not_exists = self.eat_seq(&["IF", "NOT", "EXISTS"]);
        let table = self.name()?;
        let mut columns = Vec::new();
        let mut constraints = Vec::new();
        let mut partition_of = None;
        let mut typed = true;
        if self.eat_seq(&["PARTITION", "OF"]) {
            partition_of = Some(self.name()?);
            typed = false;
        } else if self.eat("OF") {
            self.name()?;
            typed = false;
        }
        if self.peek() == Some(&Token::LParen) {
            let inner = self.parens()?;
            let mut sub = Parser {
                text: self.text,
                toks: &self.toks[inner],
                pos: 0,
                embedded: Vec::new(),
            };
            while !sub.at_end() {
                let element = sub.until_comma()?;
                let mut el = Parser {
                    text: self.text,
                    toks: &sub.toks[element],
                    pos: 0,
                    embedded: Vec::new(),
                };
                el.table_element(&mut columns, &mut constraints, typed)?;
                if !sub.eat_tok(&Token::Comma) {
                    break;
                }
                if sub.at_end() {
                    return None;
                }
            }
        } else if typed && !self.is("AS") {
            // Only `PARTITION OF` and `OF type` tables may leave out the element list.
            return None;
        }
        if partition_of.is_some() {
            self.partition_bound()?;
        }
        if self.is("AS") {
            // CREATE TABLE ... AS query WITH [NO] DATA: recognised when sqlparser accepts the
            // statement without the trailing clause (it is otherwise sqlparser's job).
            let toks = self.toks;
            let n = toks.len();
            let data_clause = match toks {
                [.., w, no, d]
                    if is_kw(&w.token, "WITH")
                        && is_kw(&no.token, "NO")
                        && is_kw(&d.token, "DATA") =>
                {
                    3
                }
                [.., w, d] if is_kw(&w.token, "WITH") && is_kw(&d.token, "DATA") => 2,
                _ => return None,
            };
            let sql = self.text_of(0..n - data_clause);
            let parsed = sqlparser::parser::Parser::parse_sql(&PostgreSqlDialect {}, &sql);
            if !parsed.is_ok_and(|s| s.len() == 1) {
                return None;
            }
            self.pos = n;
            return Some(vec![Op::CreateTable {
                table,
                columns,
                constraints,
                partition_of,
                as_query: true,
                if_not_exists,
                temporary,
            }]);
        }
        self.create_table_tail()?;
        Some(vec![Op::CreateTable {
            table,
            columns,
            constraints,
            partition_of,
            as_query: false,
            if_not_exists,
            temporary,
        }])
    }

    /// One element of a `CREATE TABLE` list. In `PARTITION OF` and `OF type` tables a column
    /// element names no type: `col [WITH OPTIONS] constraints`.
    fn table_element(
        &mut self,
        columns: &mut Vec<ColumnDef>,
        constraints: &mut Vec<Constraint>,
        typed: bool,
    ) -> Option<()> {
        if self.starts_table_constraint() {
            constraints.push(self.table_constraint()?);
            return self.at_end().then_some(());
        }
        if typed && self.eat("LIKE") {
            self.name()?;
            while self.eat("INCLUDING") || self.eat("EXCLUDING") {
                self.ident()?;
            }
            return self.at_end().then_some(());
        }
        let col = if typed {
            self.column_def()?
        } else {
            let name = self.name_part()?;
            self.eat_seq(&["WITH", "OPTIONS"]);
            let mut col = ColumnDef::new(name, None);
            self.column_constraints(&mut col)?;
            col
        };
        columns.push(col);
        self.at_end().then_some(())
    }

    /// `[INHERITS (...)] [PARTITION BY ...] [USING method] [WITH (...) | WITHOUT OIDS] [ON
    /// COMMIT ...] [TABLESPACE t]`.
    fn create_table_tail(&mut self) -> Option<()> {
        if self.eat("INHERITS") {
            self.parens()?;
        }
        if self.eat_seq(&["PARTITION", "BY"]) {
            self.ident()?;
            self.parens()?;
        }
        if self.eat("USING") {
            self.ident()?;
        }
        if self.eat("WITH") {
            self.parens()?;
        } else {
            self.eat_seq(&["WITHOUT", "OIDS"]);
        }
        if self.eat_seq(&["ON", "COMMIT"])
            && !(self.eat_seq(&["PRESERVE", "ROWS"])
                || self.eat_seq(&["DELETE", "ROWS"])
                || self.eat("DROP"))
        {
            return None;
        }
        if self.eat("TABLESPACE") {
            self.ident()?;
        }
        Some(())
    }

    fn create_sequence(&mut self, temporary: bool) -> Ops {
        let _ = temporary;
        self.expect("SEQUENCE")?;
        self.eat_seq(&["IF", "NOT", "EXISTS"]);
        let name = self.name()?;
        self.sequence_options(false)?;
        Some(vec![Op::Create {
            kind: ObjectKind::Sequence,
            name,
            on_table: None,
            or_replace: false,
        }])
    }

    fn create_index(&mut self) -> Ops {
        let unique = self.eat("UNIQUE");
        self.expect("INDEX")?;
        let concurrently = self.eat("CONCURRENTLY");
        let if_not_exists = self.eat_seq(&["IF", "NOT", "EXISTS"]);
        let name = if self.is("ON") {
            if if_not_exists {
                return None;
            }
            None
        } else {
            Some(self.name()?)
        };
        self.expect("ON")?;
        let only = self.eat("ONLY");
        let table = self.name()?;
        if self.eat("USING") {
            self.ident()?;
        }
        self.parens()?;
        self.index_parameters_create()?;
        Some(vec![Op::CreateIndex {
            name,
            table,
            unique,
            concurrently,
            if_not_exists,
            only,
        }])
    }

    /// After a `CREATE INDEX` column list: `[INCLUDE (...)] [NULLS [NOT] DISTINCT] [WITH (...)]
    /// [TABLESPACE t] [WHERE predicate]`.
    fn index_parameters_create(&mut self) -> Option<()> {
        if self.eat("INCLUDE") {
            self.parens()?;
        }
        if self.eat("NULLS") {
            self.eat("NOT");
            self.expect("DISTINCT")?;
        }
        if self.eat("WITH") {
            self.parens()?;
        }
        if self.eat("TABLESPACE") {
            self.ident()?;
        }
        if self.eat("WHERE") {
            self.expr_to_end()?;
        }
        Some(())
    }

    /// `CREATE [OR REPLACE] {FUNCTION | PROCEDURE} name (args) [RETURNS ...] options...`.
    fn create_function(&mut self, or_replace: bool) -> Ops {
        let kind = if self.eat("FUNCTION") {
            ObjectKind::Function
        } else {
            self.expect("PROCEDURE")?;
            ObjectKind::Procedure
        };
        let name = self.name()?;
        self.parens()?;
        if kind == ObjectKind::Function && self.eat("RETURNS") {
            if self.eat("TABLE") {
                self.parens()?;
            } else {
                self.eat("SETOF");
                self.sql_type()?;
                // `%TYPE` references.
                if self.eat_tok(&Token::Mod) {
                    self.expect("TYPE")?;
                }
            }
        }
        let mut has_body = false;
        while !self.at_end() {
            if self.eat("LANGUAGE") {
                let tok = self.peek()?;
                if string_value(tok).is_none() {
                    fold(tok)?;
                }
                self.pos += 1;
            } else if self.eat("AS") {
                string_value(self.peek()?)?;
                self.pos += 1;
                if self.eat_tok(&Token::Comma) {
                    string_value(self.peek()?)?;
                    self.pos += 1;
                }
                has_body = true;
            } else if self.eat("TRANSFORM") {
                loop {
                    self.eat_seq(&["FOR", "TYPE"]).then_some(())?;
                    self.sql_type()?;
                    if !self.eat_tok(&Token::Comma) {
                        break;
                    }
                }
            } else if self.eat("WINDOW")
                || self.eat("IMMUTABLE")
                || self.eat("STABLE")
                || self.eat("VOLATILE")
                || self.eat("LEAKPROOF")
                || self.eat_seq(&["NOT", "LEAKPROOF"])
                || self.eat_seq(&["CALLED", "ON", "NULL", "INPUT"])
                || self.eat_seq(&["RETURNS", "NULL", "ON", "NULL", "INPUT"])
                || self.eat("STRICT")
                || self.eat_seq(&["SECURITY", "INVOKER"])
                || self.eat_seq(&["SECURITY", "DEFINER"])
                || self.eat_seq(&["EXTERNAL", "SECURITY", "INVOKER"])
                || self.eat_seq(&["EXTERNAL", "SECURITY", "DEFINER"])
            {
            } else if self.eat("PARALLEL") {
                if !(self.eat("UNSAFE") || self.eat("RESTRICTED") || self.eat("SAFE")) {
                    return None;
                }
            } else if self.eat("COST") || self.eat("ROWS") {
                match self.peek()? {
                    Token::Number(..) => self.pos += 1,
                    _ => return None,
                }
            } else if self.eat("SUPPORT") {
                self.name()?;
            } else if self.eat("SET") {
                self.set_clause()?;
            } else if self.eat("RETURN") {
                self.expr_to_end()?;
                has_body = true;
            } else if self.is_seq(&["BEGIN", "ATOMIC"]) {
                // A SQL-standard body runs to its END, the last token.
                let last = self.toks.last()?;
                if !is_kw(&last.token, "END") {
                    return None;
                }
                self.pos = self.toks.len();
                has_body = true;
            } else {
                return None;
            }
        }
        has_body.then_some(())?;
        Some(vec![Op::Create {
            kind,
            name,
            on_table: None,
            or_replace,
        }])
    }

    /// `CREATE [OR REPLACE] [CONSTRAINT] TRIGGER name {BEFORE | AFTER | INSTEAD OF} events ON
    /// table ... EXECUTE {FUNCTION | PROCEDURE} f(args)`.
    fn create_trigger(&mut self, or_replace: bool) -> Ops {
        self.eat("CONSTRAINT");
        self.expect("TRIGGER")?;
        let name = Name::bare(&self.ident()?);
        if !(self.eat("BEFORE") || self.eat("AFTER") || self.eat_seq(&["INSTEAD", "OF"])) {
            return None;
        }
        loop {
            if self.eat("UPDATE") {
                if self.eat("OF") {
                    self.ident()?;
                    while self.eat_tok(&Token::Comma) {
                        self.ident()?;
                    }
                }
            } else if !(self.eat("INSERT") || self.eat("DELETE") || self.eat("TRUNCATE")) {
                return None;
            }
            if !self.eat("OR") {
                break;
            }
        }
        self.expect("ON")?;
        let table = self.name()?;
        if self.eat("FROM") {
            self.name()?;
        }
        let _ = self.constraint_attributes();
        if self.eat("REFERENCING") {
            while self.eat("OLD") || self.eat("NEW") {
                self.expect("TABLE")?;
                self.eat("AS");
                self.ident()?;
            }
        }
        if self.eat("FOR") {
            self.eat("EACH");
            if !(self.eat("ROW") || self.eat("STATEMENT")) {
                return None;
            }
        }
        if self.eat("WHEN") {
            self.parens()?;
        }
        self.expect("EXECUTE")?;
        if !(self.eat("FUNCTION") || self.eat("PROCEDURE")) {
            return None;
        }
        self.name()?;
        self.parens()?;
        Some(vec![Op::Create {
            kind: ObjectKind::Trigger,
            name,
            on_table: Some(table),
            or_replace,
        }])
    }

    /// `CREATE {ROLE | USER | GROUP} name [[WITH] option ...]`.
    fn create_role(&mut self) -> Ops {
        self.pos += 1;
        let name = Name::bare(&self.name_part()?);
        self.eat("WITH");
        if !self.at_end() {
            self.role_options()?;
        }
        Some(vec![Op::Create {
            kind: ObjectKind::Role,
            name,
            on_table: None,
            or_replace: false,
        }])
    }

    /// Role options, at least one.
    fn role_options(&mut self) -> Option<()> {
        const FLAGS: &[&str] = &[
            "SUPERUSER",
            "NOSUPERUSER",
            "CREATEDB",
            "NOCREATEDB",
            "CREATEROLE",
            "NOCREATEROLE",
            "INHERIT",
            "NOINHERIT",
            "LOGIN",
            "NOLOGIN",
            "REPLICATION",
            "NOREPLICATION",
            "BYPASSRLS",
            "NOBYPASSRLS",
        ];
        let start = self.pos;
        while !self.at_end() {
            if FLAGS.iter().any(|f| self.eat(f)) {
            } else if self.eat_seq(&["CONNECTION", "LIMIT"]) {
                self.signed_number()?;
            } else if self.eat("PASSWORD") || self.eat_seq(&["ENCRYPTED", "PASSWORD"]) {
                if !self.eat("NULL") {
                    string_value(self.peek()?)?;
                    self.pos += 1;
                }
            } else if self.eat_seq(&["VALID", "UNTIL"]) {
                string_value(self.peek()?)?;
                self.pos += 1;
            } else if self.eat_seq(&["IN", "ROLE"])
                || self.eat_seq(&["IN", "GROUP"])
                || self.eat("ROLE")
                || self.eat("ADMIN")
                || self.eat("USER")
            {
                self.role_list()?;
            } else if self.eat("SYSID") {
                self.signed_number()?;
            } else {
                return None;
            }
        }
        (self.pos > start).then_some(())
    }

    /// `CREATE [OR REPLACE] RULE name AS ON event TO table [WHERE cond] DO [ALSO | INSTEAD]
    /// {NOTHING | command | (command; ...)}`. The commands are checked with sqlparser.
    fn create_rule(&mut self, or_replace: bool) -> Ops {
        let name = Name::bare(&self.ident()?);
        self.expect("AS")?;
        self.expect("ON")?;
        if !(self.eat("SELECT") || self.eat("INSERT") || self.eat("UPDATE") || self.eat("DELETE")) {
            return None;
        }
        self.expect("TO")?;
        let table = self.name()?;
        if self.eat("WHERE") {
            let start = self.pos;
            let mut depth = 0usize;
            while let Some(t) = self.peek() {
                match t {
                    Token::LParen => depth += 1,
                    Token::RParen => depth = depth.checked_sub(1)?,
                    t if depth == 0 && is_kw(t, "DO") => break,
                    _ => {}
                }
                self.pos += 1;
            }
            if !self.valid_expr(start..self.pos) {
                return None;
            }
        }
        self.expect("DO")?;
        if !self.eat("ALSO") {
            self.eat("INSTEAD");
        }
        if !self.eat("NOTHING") {
            let commands: Vec<Range<usize>> = if self.peek() == Some(&Token::LParen) {
                let inner = self.parens()?;
                let mut out = Vec::new();
                let mut start = inner.start;
                for i in inner.clone() {
                    if self.toks[i].token == Token::SemiColon {
                        out.push(start..i);
                        start = i + 1;
                    }
                }
                out.push(start..inner.end);
                out.retain(|r| !r.is_empty());
                out
            } else {
                let start = self.pos;
                self.pos = self.toks.len();
                std::iter::once(start..self.pos).collect()
            };
            if commands.is_empty() {
                return None;
            }
            for cmd in commands {
                let sql = self.text_of(cmd);
                let parsed = sqlparser::parser::Parser::parse_sql(&PostgreSqlDialect {}, &sql);
                if !parsed.is_ok_and(|s| s.len() == 1) {
                    return None;
                }
            }
        }
        Some(vec![Op::Create {
            kind: ObjectKind::Rule,
            name,
            on_table: Some(table),
            or_replace,
        }])
    }

    /// `CREATE MATERIALIZED VIEW ... AS query [WITH [NO] DATA]`: sqlparser rejects some `WITH
    /// [NO] DATA` forms; the statement is recognised when sqlparser accepts it without them.
    fn create_materialized_view(&mut self) -> Ops {
        let start = self.pos;
        self.eat_seq(&["MATERIALIZED", "VIEW"]);
        self.eat_seq(&["IF", "NOT", "EXISTS"]);
        let name = self.name()?;
        let mut end = self.toks.len();
        if end >= 2 && is_kw(&self.toks[end - 1].token, "DATA") {
            end -= 1;
            if is_kw(&self.toks[end - 1].token, "NO") {
                end -= 1;
            }
            if !is_kw(&self.toks.get(end.checked_sub(1)?)?.token, "WITH") {
                return None;
            }
            end -= 1;
        }
        let sql = format!("CREATE {}", self.text_of(start..end));
        let parsed = sqlparser::parser::Parser::parse_sql(&PostgreSqlDialect {}, &sql);
        if !parsed.is_ok_and(|s| s.len() == 1) {
            return None;
        }
        self.pos = self.toks.len();
        Some(vec![Op::Create {
            kind: ObjectKind::MaterializedView,
            name,
            on_table: None,
            or_replace: false,
        }])
    }

    /// `CREATE STATISTICS [[IF NOT EXISTS] name] [(kinds)] ON exprs FROM table`.
    fn create_statistics(&mut self) -> Ops {
        let if_not_exists = self.eat_seq(&["IF", "NOT", "EXISTS"]);
        let name = if self.is("ON") || self.peek() == Some(&Token::LParen) {
            if if_not_exists {
                return None;
            }
            Name::bare("")
        } else {
            self.name()?
        };
        if self.peek() == Some(&Token::LParen) {
            self.parens()?;
        }
        self.expect("ON")?;
        // Columns or expressions up to FROM.
        let start = self.pos;
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            match t {
                Token::LParen => depth += 1,
                Token::RParen => depth = depth.checked_sub(1)?,
                t if depth == 0 && is_kw(t, "FROM") => break,
                _ => {}
            }
            self.pos += 1;
        }
        if self.pos == start {
            return None;
        }
        self.expect("FROM")?;
        let table = self.name()?;
        Some(vec![Op::Create {
            kind: ObjectKind::Statistics,
            name,
            on_table: Some(table),
            or_replace: false,
        }])
    }
}

fn other(what: &str) -> TableAction {
    TableAction::Other { what: what.into() }
}

/// The statements inside a `DO` body token, with spans relative to the statement text.
fn do_body_statements(text: &str, body: &Tok) -> Vec<Embedded> {
    let Some((content, exact)) = literal_content(text, body) else {
        return Vec::new();
    };
    if exact {
        return text
            .get(content.clone())
            .map(|b| plpgsql::extract(b, content.start))
            .unwrap_or_default();
    }
    // A quoted body with doubled quotes or escapes: lint its unescaped text, and map each
    // statement back onto the literal through the unescaping.
    let Some(raw) = text.get(content.clone()) else {
        return Vec::new();
    };
    let escaped = matches!(body.token, Token::EscapedStringLiteral(_));
    let (unescaped, map) = unescape_with_map(raw, escaped);
    plpgsql::extract(&unescaped, 0)
        .into_iter()
        .map(|e| {
            let start = content.start + map.get(e.span.start).copied().unwrap_or(raw.len());
            let end = content.start + map.get(e.span.end).copied().unwrap_or(raw.len());
            Embedded {
                span: start..end.max(start),
                text: e.text,
            }
        })
        .collect()
}

/// Undoes `''` (and, for `E'...'`, backslash escapes) in a literal's content. `map[i]` is the
/// byte in `raw` where byte `i` of the result came from; `map[len]` is `raw.len()`.
fn unescape_with_map(raw: &str, backslashes: bool) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(raw.len());
    let mut map = Vec::with_capacity(raw.len() + 1);
    let mut chars = raw.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let produced = if c == '\'' && chars.peek().is_some_and(|(_, n)| *n == '\'') {
            chars.next();
            '\''
        } else if backslashes && c == '\\' {
            match chars.next() {
                Some((_, 'n')) => '\n',
                Some((_, 't')) => '\t',
                Some((_, 'r')) => '\r',
                Some((_, 'b')) => '\u{8}',
                Some((_, 'f')) => '\u{c}',
                Some((_, other)) => other,
                None => '\\',
            }
        } else {
            c
        };
        for _ in 0..produced.len_utf8() {
            map.push(i);
        }
        out.push(produced);
    }
    map.push(raw.len());
    (out, map)
}

/// Canonical names for PostgreSQL's built-in type aliases.
fn canonical_type(name: &str) -> &str {
    match name {
        "int" | "integer" | "int4" => "integer",
        "int2" | "smallint" => "smallint",
        "int8" | "bigint" => "bigint",
        "serial" | "serial4" => "serial",
        "bigserial" | "serial8" => "bigserial",
        "smallserial" | "serial2" => "smallserial",
        "decimal" | "numeric" => "numeric",
        "real" | "float4" => "real",
        "float8" | "double precision" => "double precision",
        "varchar" => "varchar",
        "char" | "character" | "bpchar" | "nchar" => "char",
        "timestamp" => "timestamp",
        "timestamptz" => "timestamptz",
        "time" => "time",
        "timetz" => "timetz",
        "bool" | "boolean" => "boolean",
        "varbit" => "varbit",
        other => other,
    }
}

/// The AST path's function lists (`lower/*.txt`), so that both paths agree on volatility.
const NON_VOLATILE_FUNCTIONS: &str = include_str!("lower/non_volatile_functions.txt");
const VOLATILE_FUNCTIONS: &str = include_str!("lower/volatile_functions.txt");

fn listed(list: &str, name: &str) -> bool {
    list.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .any(|l| l == name)
}

/// Volatility of a function called by this (folded) name.
fn function_volatility(name: &str) -> Volatility {
    if listed(VOLATILE_FUNCTIONS, name) {
        Volatility::Volatile
    } else if listed(NON_VOLATILE_FUNCTIONS, name) {
        Volatility::NonVolatile
    } else {
        Volatility::Unknown
    }
}

/// Worse of two: `Volatile` > `Unknown` > `NonVolatile` > `Constant`.
fn worst(a: Volatility, b: Volatility) -> Volatility {
    let rank = |v| match v {
        Volatility::Constant => 0,
        Volatility::NonVolatile => 1,
        Volatility::Unknown => 2,
        Volatility::Volatile => 3,
    };
    if rank(a) >= rank(b) { a } else { b }
}

/// Keywords that combine operands: their presence makes a constant expression non-volatile.
fn is_operator_word(upper: &str) -> bool {
    matches!(
        upper,
        "AND"
            | "OR"
            | "NOT"
            | "LIKE"
            | "ILIKE"
            | "SIMILAR"
            | "IN"
            | "IS"
            | "ISNULL"
            | "NOTNULL"
            | "BETWEEN"
            | "SYMMETRIC"
            | "ASYMMETRIC"
            | "ESCAPE"
            | "DISTINCT"
            | "OVERLAPS"
            | "AT"
            | "TIME"
            | "ZONE"
            | "CASE"
            | "WHEN"
            | "THEN"
            | "ELSE"
            | "END"
            | "OPERATOR"
            | "UNKNOWN"
    )
}

/// Reserved words that are values in an expression.
fn is_value_word(upper: &str) -> bool {
    matches!(
        upper,
        "NULL"
            | "TRUE"
            | "FALSE"
            | "CURRENT_DATE"
            | "CURRENT_TIME"
            | "CURRENT_TIMESTAMP"
            | "LOCALTIME"
            | "LOCALTIMESTAMP"
            | "CURRENT_USER"
            | "CURRENT_ROLE"
            | "CURRENT_CATALOG"
            | "SESSION_USER"
            | "SYSTEM_USER"
            | "USER"
    )
}

/// PostgreSQL's fully reserved key words (those that cannot be a table or column name without
/// quotes), from the "SQL Key Words" appendix.
fn is_reserved(word: &str) -> bool {
    const RESERVED: &[&str] = &[
        "all",
        "analyse",
        "analyze",
        "and",
        "any",
        "array",
        "as",
        "asc",
        "asymmetric",
        "both",
        "case",
        "cast",
        "check",
        "collate",
        "column",
        "constraint",
        "create",
        "current_catalog",
        "current_date",
        "current_role",
        "current_time",
        "current_timestamp",
        "current_user",
        "default",
        "deferrable",
        "desc",
        "distinct",
        "do",
        "else",
        "end",
        "except",
        "false",
        "fetch",
        "for",
        "foreign",
        "from",
        "grant",
        "group",
        "having",
        "in",
        "initially",
        "intersect",
        "into",
        "lateral",
        "leading",
        "limit",
        "localtime",
        "localtimestamp",
        "not",
        "null",
        "offset",
        "on",
        "only",
        "or",
        "order",
        "placing",
        "primary",
        "references",
        "returning",
        "select",
        "session_user",
        "some",
        "symmetric",
        "system_user",
        "table",
        "then",
        "to",
        "trailing",
        "true",
        "union",
        "unique",
        "user",
        "using",
        "variadic",
        "when",
        "where",
        "window",
        "with",
    ];
    let lower = word.to_ascii_lowercase();
    RESERVED.contains(&lower.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::ops::{DmlKind, LockMode};

    fn ops(sql: &str) -> Vec<Op> {
        match recognize(sql) {
            Some(r) => r.ops,
            None => panic!("not recognised: {sql}"),
        }
    }

    fn one(sql: &str) -> Op {
        let mut ops = ops(sql);
        assert_eq!(ops.len(), 1, "{sql}: {ops:?}");
        ops.remove(0)
    }

    fn n(s: &str) -> Name {
        Name::bare(s)
    }

    fn q(schema: &str, s: &str) -> Name {
        Name::new(Some(schema), s)
    }

    fn rejected(sql: &str) {
        assert!(
            recognize(sql).is_none(),
            "recognised, but PostgreSQL rejects: {sql}"
        );
    }

    fn table_actions(sql: &str) -> Vec<TableAction> {
        ops(sql)
            .into_iter()
            .map(|op| match op {
                Op::AlterTable { action, .. } => action,
                other => panic!("{sql}: not ALTER TABLE: {other:?}"),
            })
            .collect()
    }

    fn drop_op(kind: ObjectKind, names: Vec<Name>) -> Op {
        Op::Drop {
            kind,
            names,
            if_exists: false,
            cascade: false,
            concurrently: false,
            on_table: None,
        }
    }

    #[test]
    fn byte_spans_follow_multibyte_text() {
        let text = "-- é\nDROP INDEX \"ïdx\";";
        let toks = tokenize(text).unwrap();
        let spans: Vec<&str> = toks.iter().map(|t| &text[t.span.clone()]).collect();
        assert_eq!(spans, ["DROP", "INDEX", "\"ïdx\"", ";"]);
    }

    #[test]
    fn drop_index_concurrently() {
        assert_eq!(
            one("DROP INDEX CONCURRENTLY IF EXISTS public.Orders_Idx, \"Mixed\" CASCADE"),
            Op::Drop {
                kind: ObjectKind::Index,
                names: vec![q("public", "orders_idx"), n("Mixed")],
                if_exists: true,
                cascade: true,
                concurrently: true,
                on_table: None,
            }
        );
        assert_eq!(
            one("drop index concurrently idx"),
            Op::Drop {
                kind: ObjectKind::Index,
                names: vec![n("idx")],
                if_exists: false,
                cascade: false,
                concurrently: true,
                on_table: None,
            }
        );
        assert_eq!(
            one("DROP INDEX a, b RESTRICT"),
            drop_op(ObjectKind::Index, vec![n("a"), n("b")])
        );
        rejected("DROP INDEX CONCURRENTLY");
        rejected("DROP INDEX a b");
        rejected("DROP INDEX a,");
    }

    #[test]
    fn drop_other_kinds() {
        assert_eq!(
            one("DROP TRIGGER IF EXISTS trg ON s.t CASCADE"),
            Op::Drop {
                kind: ObjectKind::Trigger,
                names: vec![n("trg")],
                if_exists: true,
                cascade: true,
                concurrently: false,
                on_table: Some(q("s", "t")),
            }
        );
        assert_eq!(
            one("DROP FUNCTION f(integer, text), g"),
            drop_op(ObjectKind::Function, vec![n("f"), n("g")])
        );
        assert_eq!(
            one("DROP DATABASE d WITH (FORCE)"),
            drop_op(ObjectKind::Database, vec![n("d")])
        );
        rejected("DROP TRIGGER trg");
        rejected("DROP WIDGET w");
    }

    #[test]
    fn reindex() {
        assert_eq!(
            one("REINDEX INDEX CONCURRENTLY public.idx"),
            Op::Reindex {
                target: ReindexTarget::Index,
                name: q("public", "idx"),
                concurrently: true,
            }
        );
        assert_eq!(
            one("reindex (verbose, concurrently) table t"),
            Op::Reindex {
                target: ReindexTarget::Table,
                name: n("t"),
                concurrently: true,
            }
        );
        assert_eq!(
            one("REINDEX (CONCURRENTLY false) SCHEMA s"),
            Op::Reindex {
                target: ReindexTarget::Schema,
                name: n("s"),
                concurrently: false,
            }
        );
        assert_eq!(
            one("REINDEX DATABASE app"),
            Op::Reindex {
                target: ReindexTarget::Database,
                name: n("app"),
                concurrently: false,
            }
        );
        assert_eq!(
            one("REINDEX SYSTEM"),
            Op::Reindex {
                target: ReindexTarget::System,
                name: n(""),
                concurrently: false,
            }
        );
        rejected("REINDEX t");
        rejected("REINDEX TABLE");
        rejected("REINDEX (BOGUS) TABLE t");
    }

    #[test]
    fn attach_and_detach_partition() {
        let attach = |bound: &str| {
            one(&format!(
                "ALTER TABLE IF EXISTS ONLY m.parent ATTACH PARTITION m.child {bound}"
            ))
        };
        let expected = Op::AlterTable {
            table: q("m", "parent"),
            only: true,
            if_exists: true,
            action: TableAction::AttachPartition {
                partition: q("m", "child"),
            },
        };
        assert_eq!(
            attach("FOR VALUES FROM ('2024-01-01') TO ('2024-02-01')"),
            expected
        );
        assert_eq!(attach("FOR VALUES IN (1, 2)"), expected);
        assert_eq!(attach("FOR VALUES WITH (MODULUS 4, REMAINDER 0)"), expected);
        assert_eq!(attach("DEFAULT"), expected);
        rejected("ALTER TABLE p ATTACH PARTITION c");
        rejected("ALTER TABLE p ATTACH PARTITION c FOR VALUES FROM (1)");

        let detach =
            |suffix: &str| table_actions(&format!("ALTER TABLE p DETACH PARTITION c{suffix}"));
        assert_eq!(
            detach(" CONCURRENTLY"),
            [TableAction::DetachPartition {
                partition: n("c"),
                concurrently: true,
                finalize: false,
            }]
        );
        assert_eq!(
            detach(" FINALIZE"),
            [TableAction::DetachPartition {
                partition: n("c"),
                concurrently: false,
                finalize: true,
            }]
        );
        assert_eq!(
            detach(""),
            [TableAction::DetachPartition {
                partition: n("c"),
                concurrently: false,
                finalize: false,
            }]
        );
        rejected("ALTER TABLE p DETACH PARTITION c CONCURRENTLY FINALIZE");
    }

    #[test]
    fn alter_index() {
        assert_eq!(
            one("ALTER INDEX parent_idx ATTACH PARTITION s.child_idx"),
            Op::AlterIndex {
                index: n("parent_idx"),
                what: "ATTACH PARTITION".into(),
            }
        );
        assert_eq!(
            one("ALTER INDEX IF EXISTS a RENAME TO b"),
            Op::Rename {
                kind: ObjectKind::Index,
                from: n("a"),
                to: "b".into(),
            }
        );
        assert_eq!(
            one("ALTER INDEX i ALTER COLUMN 2 SET STATISTICS 500"),
            Op::AlterIndex {
                index: n("i"),
                what: "ALTER COLUMN SET STATISTICS".into(),
            }
        );
        rejected("ALTER INDEX i ATTACH PARTITION");
    }

    #[test]
    fn vacuum() {
        assert_eq!(
            one("VACUUM (FULL, ANALYZE) t, s.u (a, b)"),
            Op::Vacuum {
                full: true,
                tables: vec![n("t"), q("s", "u")],
            }
        );
        assert_eq!(
            one("VACUUM FULL FREEZE VERBOSE ANALYZE t"),
            Op::Vacuum {
                full: true,
                tables: vec![n("t")],
            }
        );
        assert_eq!(
            one("VACUUM (FULL false, VERBOSE)"),
            Op::Vacuum {
                full: false,
                tables: vec![],
            }
        );
        assert_eq!(
            one("vacuum analyze"),
            Op::Vacuum {
                full: false,
                tables: vec![],
            }
        );
        rejected("VACUUM FULL t u");
        rejected("VACUUM ANALYZE FULL t");
    }

    #[test]
    fn cluster() {
        assert_eq!(one("CLUSTER"), Op::Cluster { table: None });
        assert_eq!(
            one("CLUSTER VERBOSE s.t USING t_idx"),
            Op::Cluster {
                table: Some(q("s", "t")),
            }
        );
        assert_eq!(
            one("CLUSTER t_idx ON t"),
            Op::Cluster {
                table: Some(n("t")),
            }
        );
        rejected("CLUSTER t USING");
    }

    #[test]
    fn refresh_materialized_view() {
        assert_eq!(
            one("REFRESH MATERIALIZED VIEW CONCURRENTLY s.mv WITH DATA"),
            Op::RefreshMaterializedView {
                name: q("s", "mv"),
                concurrently: true,
            }
        );
        assert_eq!(
            one("refresh materialized view mv with no data"),
            Op::RefreshMaterializedView {
                name: n("mv"),
                concurrently: false,
            }
        );
        rejected("REFRESH VIEW mv");
        rejected("REFRESH MATERIALIZED VIEW mv WITH");
    }

    #[test]
    fn do_block_dollar_quoted() {
        let sql = "DO $do$\nBEGIN\n  ALTER TABLE t ADD COLUMN c int;\nEND\n$do$";
        let r = recognize(sql).unwrap();
        assert_eq!(r.ops, [Op::DoBlock]);
        assert_eq!(r.embedded.len(), 1);
        let e = &r.embedded[0];
        assert_eq!(e.text, "ALTER TABLE t ADD COLUMN c int");
        assert_eq!(&sql[e.span.clone()], e.text);
    }

    #[test]
    fn do_block_language_either_side() {
        for sql in [
            "DO LANGUAGE plpgsql $$ BEGIN DROP TABLE t; END $$",
            "DO $$ BEGIN DROP TABLE t; END $$ LANGUAGE plpgsql",
            "DO $$ BEGIN DROP TABLE t; END $$ LANGUAGE 'plpgsql'",
        ] {
            let r = recognize(sql).unwrap();
            assert_eq!(r.ops, [Op::DoBlock], "{sql}");
            assert_eq!(
                r.embedded
                    .iter()
                    .map(|e| e.text.as_str())
                    .collect::<Vec<_>>(),
                ["DROP TABLE t"],
                "{sql}"
            );
        }
        let other_language =
            recognize("DO LANGUAGE plv8 $$ plv8.execute('DROP TABLE t') $$").unwrap();
        assert_eq!(other_language.ops, [Op::DoBlock]);
        assert!(other_language.embedded.is_empty());
        rejected("DO");
        rejected("DO LANGUAGE plpgsql");
        rejected("DO $$ x $$ $$ y $$");
        rejected("DO $$ x $$ LANGUAGE plpgsql LANGUAGE plpgsql");
    }

    #[test]
    fn do_block_single_quoted_maps_spans_through_unescaping() {
        let sql = "DO 'BEGIN UPDATE t SET a = ''x''; END'";
        let r = recognize(sql).unwrap();
        assert_eq!(r.ops, [Op::DoBlock]);
        assert_eq!(r.embedded.len(), 1);
        let e = &r.embedded[0];
        assert_eq!(e.text, "UPDATE t SET a = 'x'");
        assert_eq!(&sql[e.span.clone()], "UPDATE t SET a = ''x''");

        let plain = "DO 'BEGIN DELETE FROM t; END'";
        let r = recognize(plain).unwrap();
        assert_eq!(&plain[r.embedded[0].span.clone()], "DELETE FROM t");
    }

    #[test]
    fn sequences() {
        assert_eq!(
            one(
                "CREATE SEQUENCE IF NOT EXISTS s.seq START WITH 10 INCREMENT BY -1 NO MINVALUE MAXVALUE 100 CACHE 1 NO CYCLE OWNED BY t.id"
            ),
            Op::Create {
                kind: ObjectKind::Sequence,
                name: q("s", "seq"),
                on_table: None,
                or_replace: false,
            }
        );
        assert_eq!(
            one("CREATE SEQUENCE seq AS bigint START 1 INCREMENT 1"),
            Op::Create {
                kind: ObjectKind::Sequence,
                name: n("seq"),
                on_table: None,
                or_replace: false,
            }
        );
        assert_eq!(
            one("ALTER SEQUENCE IF EXISTS seq RESTART WITH 5 INCREMENT BY 2 OWNED BY NONE"),
            Op::Other {
                keyword: "ALTER SEQUENCE".into(),
            }
        );
        assert_eq!(
            one("ALTER SEQUENCE seq RESTART"),
            Op::Other {
                keyword: "ALTER SEQUENCE".into(),
            }
        );
        assert_eq!(
            one("ALTER SEQUENCE old_seq RENAME TO new_seq"),
            Op::Rename {
                kind: ObjectKind::Sequence,
                from: n("old_seq"),
                to: "new_seq".into(),
            }
        );
        rejected("ALTER SEQUENCE seq");
        rejected("CREATE SEQUENCE seq START WITH");
        rejected("CREATE SEQUENCE seq BOGUS 1");
    }

    #[test]
    fn named_not_null_constraint() {
        assert_eq!(
            table_actions("ALTER TABLE t ADD CONSTRAINT t_a_nn NOT NULL a NOT VALID"),
            [TableAction::AddConstraint(Constraint {
                name: Some("t_a_nn".into()),
                kind: ConstraintKind::NotNull { column: "a".into() },
                not_valid: true,
            })]
        );
        assert_eq!(
            table_actions("ALTER TABLE t ADD CONSTRAINT nn NOT NULL \"B\""),
            [TableAction::AddConstraint(Constraint {
                name: Some("nn".into()),
                kind: ConstraintKind::NotNull { column: "B".into() },
                not_valid: false,
            })]
        );
        rejected("ALTER TABLE t ADD CONSTRAINT nn NOT NULL");
    }

    #[test]
    fn create_table_with_named_not_null() {
        let op = one(
            "CREATE TABLE IF NOT EXISTS s.t (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  \
             name varchar(100) DEFAULT 'x' NOT NULL,\n  CONSTRAINT t_name_nn NOT NULL name,\n  \
             CHECK (id > 0)\n)",
        );
        let Op::CreateTable {
            table,
            columns,
            constraints,
            partition_of,
            as_query,
            if_not_exists,
            temporary,
        } = op
        else {
            panic!("{op:?}");
        };
        assert_eq!(table, q("s", "t"));
        assert!(if_not_exists && !as_query && !temporary && partition_of.is_none());
        assert_eq!(columns.len(), 2);
        assert_eq!(columns[0].name, "id");
        assert_eq!(columns[0].ty.as_ref().unwrap().name, "bigint");
        assert_eq!(columns[0].generated, Some(Generated::Identity));
        assert!(columns[0].primary_key);
        let name = &columns[1];
        assert_eq!(
            name.ty,
            Some(SqlType {
                name: "varchar".into(),
                args: vec![100],
                array: false,
                written: "varchar(100)".into(),
            })
        );
        assert!(name.not_null);
        assert_eq!(
            name.default,
            Some(Expr {
                text: "'x'".into(),
                volatility: Volatility::Constant,
            })
        );
        assert_eq!(
            constraints,
            [
                Constraint {
                    name: Some("t_name_nn".into()),
                    kind: ConstraintKind::NotNull {
                        column: "name".into()
                    },
                    not_valid: false,
                },
                Constraint {
                    name: None,
                    kind: ConstraintKind::Check {
                        expr: "id > 0".into(),
                        not_null_column: None,
                    },
                    not_valid: false,
                },
            ]
        );
    }

    #[test]
    fn create_table_rejects_broken_lists() {
        rejected("CREATE TABLE t (a int, b weird_type WITH ZONES)");
        rejected("CREATE TABLE t (a int,)");
        rejected("CREATE TABLE t (a int");
        rejected("CREATE TABLE t");
    }

    #[test]
    fn create_table_partition_of() {
        let op = one(
            "CREATE TABLE c PARTITION OF p (a WITH OPTIONS NOT NULL, b DEFAULT 0, \
             CONSTRAINT nn NOT NULL a) FOR VALUES IN (1)",
        );
        let Op::CreateTable {
            partition_of,
            columns,
            constraints,
            ..
        } = op
        else {
            panic!("{op:?}")
        };
        assert_eq!(partition_of, Some(n("p")));
        assert_eq!(constraints.len(), 1);
        assert_eq!(columns.len(), 2);
        assert!(columns[0].not_null && columns[0].ty.is_none());
        assert_eq!(columns[1].default.as_ref().unwrap().text, "0");
        rejected("CREATE TABLE c PARTITION OF p");
        assert!(matches!(
            one("CREATE TABLE t OF some_type WITH (fillfactor = 70)"),
            Op::CreateTable { columns, .. } if columns.is_empty()
        ));
    }

    #[test]
    fn alter_constraint() {
        assert_eq!(
            table_actions("ALTER TABLE t ALTER CONSTRAINT fk NOT DEFERRABLE"),
            [TableAction::AlterConstraint { name: "fk".into() }]
        );
        assert_eq!(
            table_actions("ALTER TABLE t ALTER CONSTRAINT fk DEFERRABLE INITIALLY DEFERRED"),
            [TableAction::AlterConstraint { name: "fk".into() }]
        );
        assert_eq!(
            table_actions("ALTER TABLE t ALTER CONSTRAINT fk"),
            [TableAction::AlterConstraint { name: "fk".into() }]
        );
        rejected("ALTER TABLE t ALTER CONSTRAINT fk DEFERRED");
    }

    #[test]
    fn comment_on_dollar_quoted() {
        assert_eq!(
            one("COMMENT ON TABLE s.t IS $$it's a table$$"),
            Op::CommentOn {
                kind: ObjectKind::Table,
                name: q("s", "t"),
            }
        );
        assert_eq!(
            one("COMMENT ON COLUMN s.t.c IS $x$text$x$"),
            Op::CommentOn {
                kind: ObjectKind::Table,
                name: q("s", "t"),
            }
        );
        assert_eq!(
            one("COMMENT ON FUNCTION f(int) IS NULL"),
            Op::CommentOn {
                kind: ObjectKind::Function,
                name: n("f"),
            }
        );
        assert_eq!(
            one("COMMENT ON TRIGGER trg ON t IS $$x$$"),
            Op::CommentOn {
                kind: ObjectKind::Trigger,
                name: n("trg"),
            }
        );
        rejected("COMMENT ON TABLE t IS");
        rejected("COMMENT ON TABLE t $$x$$");
        rejected("COMMENT ON COLUMN c IS 'x'");
    }

    #[test]
    fn create_statistics() {
        assert_eq!(
            one(
                "CREATE STATISTICS IF NOT EXISTS s.st (ndistinct, dependencies) ON a, (lower(b)) FROM s.t"
            ),
            Op::Create {
                kind: ObjectKind::Statistics,
                name: q("s", "st"),
                on_table: Some(q("s", "t")),
                or_replace: false,
            }
        );
        rejected("CREATE STATISTICS st ON a");
        rejected("CREATE STATISTICS st ON FROM t");
    }

    #[test]
    fn create_index() {
        assert_eq!(
            one(
                "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON ONLY s.t USING btree (a) INCLUDE (b) NULLS NOT DISTINCT WHERE a > 0"
            ),
            Op::CreateIndex {
                name: Some(n("i")),
                table: q("s", "t"),
                unique: true,
                concurrently: true,
                if_not_exists: true,
                only: true,
            }
        );
        rejected("CREATE INDEX ON t");
    }

    #[test]
    fn alter_table_mixed_actions() {
        let actions = table_actions(
            "ALTER TABLE t ADD COLUMN IF NOT EXISTS c text DEFAULT now() NOT NULL, \
             ADD CONSTRAINT nn NOT NULL c, DROP COLUMN IF EXISTS d CASCADE, \
             ALTER COLUMN e SET NOT NULL, ALTER e DROP NOT NULL, \
             ALTER COLUMN f SET DATA TYPE numeric(12, 2) USING f::numeric, \
             ALTER COLUMN g SET DEFAULT gen_random_uuid(), ALTER COLUMN g DROP DEFAULT, \
             ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES s.u (id) ON DELETE SET NULL NOT VALID, \
             VALIDATE CONSTRAINT fk, DROP CONSTRAINT IF EXISTS old, \
             ADD CONSTRAINT ck CHECK ((h IS NOT NULL)) NOT VALID, \
             ADD UNIQUE USING INDEX u_idx, OWNER TO bob, ENABLE ALWAYS TRIGGER trg, \
             ALTER COLUMN h SET STATISTICS 100, SET UNLOGGED, \
             SET (FillFactor = 70, toast.autovacuum_enabled), RESET (fillfactor)",
        );
        assert_eq!(
            actions,
            [
                TableAction::AddColumn {
                    column: ColumnDef {
                        name: "c".into(),
                        ty: Some(SqlType {
                            name: "text".into(),
                            args: vec![],
                            array: false,
                            written: "text".into(),
                        }),
                        default: Some(Expr {
                            text: "now()".into(),
                            volatility: Volatility::NonVolatile,
                        }),
                        not_null: true,
                        primary_key: false,
                        unique: false,
                        references: None,
                        check: None,
                        generated: None,
                    },
                    if_not_exists: true,
                },
                TableAction::AddConstraint(Constraint {
                    name: Some("nn".into()),
                    kind: ConstraintKind::NotNull { column: "c".into() },
                    not_valid: false,
                }),
                TableAction::DropColumn {
                    column: "d".into(),
                    if_exists: true,
                },
                TableAction::SetNotNull { column: "e".into() },
                TableAction::DropNotNull { column: "e".into() },
                TableAction::AlterColumnType {
                    column: "f".into(),
                    ty: SqlType {
                        name: "numeric".into(),
                        args: vec![12, 2],
                        array: false,
                        written: "numeric(12, 2)".into(),
                    },
                    using: Some("f::numeric".into()),
                },
                TableAction::SetDefault {
                    column: "g".into(),
                    default: Expr {
                        text: "gen_random_uuid()".into(),
                        volatility: Volatility::Volatile,
                    },
                },
                TableAction::DropDefault { column: "g".into() },
                TableAction::AddConstraint(Constraint {
                    name: Some("fk".into()),
                    kind: ConstraintKind::ForeignKey {
                        columns: vec!["a".into()],
                        references: q("s", "u"),
                    },
                    not_valid: true,
                }),
                TableAction::ValidateConstraint { name: "fk".into() },
                TableAction::DropConstraint {
                    name: "old".into(),
                    if_exists: true,
                },
                TableAction::AddConstraint(Constraint {
                    name: Some("ck".into()),
                    kind: ConstraintKind::Check {
                        expr: "(h IS NOT NULL)".into(),
                        not_null_column: Some("h".into()),
                    },
                    not_valid: true,
                }),
                TableAction::AddConstraint(Constraint {
                    name: None,
                    kind: ConstraintKind::Unique {
                        columns: vec![],
                        using_index: Some("u_idx".into()),
                    },
                    not_valid: false,
                }),
                TableAction::Other {
                    what: "OWNER TO".into(),
                },
                TableAction::Other {
                    what: "ENABLE ALWAYS TRIGGER".into(),
                },
                TableAction::Other {
                    what: "ALTER COLUMN SET STATISTICS".into(),
                },
                TableAction::SetUnlogged,
                TableAction::Other {
                    what: "SET (fillfactor, toast.autovacuum_enabled)".into(),
                },
                TableAction::Other {
                    what: "RESET (fillfactor)".into(),
                },
            ]
        );
        rejected("ALTER TABLE t ADD COLUMN c text, , DROP COLUMN d");
        rejected("ALTER TABLE t FROB COLUMN c");
        rejected("ALTER TABLE t ADD COLUMN c");
        rejected("ALTER TABLE t SET (fillfactor 70)");
        rejected("ALTER TABLE t SET (fillfactor =)");
        rejected("ALTER TABLE t SET ()");
    }

    #[test]
    fn alter_table_renames_and_schema() {
        assert_eq!(
            table_actions("ALTER TABLE t RENAME COLUMN a TO b"),
            [TableAction::RenameColumn {
                from: "a".into(),
                to: "b".into(),
            }]
        );
        assert_eq!(
            table_actions("ALTER TABLE t RENAME TO u"),
            [TableAction::RenameTable { to: "u".into() }]
        );
        assert_eq!(
            table_actions("ALTER TABLE t SET SCHEMA archive"),
            [TableAction::SetSchema {
                schema: "archive".into(),
            }]
        );
    }

    #[test]
    fn types_are_canonical() {
        let ty = |sql: &str| match table_actions(&format!("ALTER TABLE t ADD COLUMN c {sql}"))
            .remove(0)
        {
            TableAction::AddColumn { column, .. } => column.ty.unwrap(),
            other => panic!("{other:?}"),
        };
        assert_eq!(ty("INT4").name, "integer");
        assert_eq!(ty("character varying(20)").name, "varchar");
        assert_eq!(ty("character varying(20)").args, [20]);
        assert_eq!(ty("timestamp(3) with time zone").name, "timestamptz");
        assert_eq!(ty("timestamp without time zone").name, "timestamp");
        assert_eq!(ty("double precision").name, "double precision");
        assert_eq!(ty("pg_catalog.bool").name, "boolean");
        assert_eq!(ty("CHAR(2)").name, "char");
        let arr = ty("text[]");
        assert!(arr.array && arr.name == "text" && !arr.is("text"));
        assert_eq!(ty("\"MyType\"").name, "MyType");
        assert_eq!(ty("\"char\"").name, "\"char\"");
        assert_eq!(ty("\"int4\"").name, "int4");
        assert_eq!(ty("public.citext").name, "public.citext");
        assert!(ty("serial").name == "serial");
    }

    #[test]
    fn default_volatility() {
        let vol = |expr: &str| match table_actions(&format!(
            "ALTER TABLE t ADD COLUMN c text DEFAULT {expr}"
        ))
        .remove(0)
        {
            TableAction::AddColumn { column, .. } => column.default.unwrap().volatility,
            other => panic!("{other:?}"),
        };
        assert_eq!(vol("'a'"), Volatility::Constant);
        assert_eq!(vol("'{}'::jsonb"), Volatility::Constant);
        assert_eq!(vol("-1"), Volatility::Constant);
        assert_eq!(vol("CURRENT_TIMESTAMP"), Volatility::NonVolatile);
        assert_eq!(vol("now()"), Volatility::NonVolatile);
        assert_eq!(vol("clock_timestamp()"), Volatility::Volatile);
        assert_eq!(vol("nextval('s'::regclass)"), Volatility::Volatile);
        assert_eq!(vol("my_fn()"), Volatility::Unknown);
        assert_eq!(vol("CAST('1' AS varchar(3))"), Volatility::Constant);
        assert_eq!(vol("'a' || 'b'"), Volatility::NonVolatile);
        assert_eq!(vol("(-1)"), Volatility::Constant);
        assert_eq!(vol("ARRAY['a', 'b']::text[]"), Volatility::Constant);
        assert_eq!(vol("interval '1 day'"), Volatility::Constant);
        assert_eq!(vol("pg_catalog.now()"), Volatility::NonVolatile);
        assert_eq!(vol("public.now()"), Volatility::Unknown);
        assert_eq!(
            vol("now() + random() * interval '1 day'"),
            Volatility::Volatile
        );
        assert_eq!(vol("ROW(1, 'a')"), Volatility::Constant);
        assert_eq!(
            vol("CASE WHEN true THEN 1 ELSE 2 END"),
            Volatility::NonVolatile
        );
    }

    #[test]
    fn other_statements_are_not_claimed() {
        // Empty text, and sqlparser's job: the fallback does not vouch for them.
        for sql in ["", ";", "CREATE TABLE t AS SELECT 1"] {
            assert!(recognize(sql).is_none(), "{sql}");
        }
        rejected("SELEC 1");
        rejected("FROB INDEX i");
        // A keyword where a name must be.
        rejected("DROP TABLE select");
        let _ = (DmlKind::Insert, LockMode::Share);
    }

    #[test]
    fn create_function_and_procedure() {
        assert_eq!(
            one(
                "CREATE OR REPLACE FUNCTION utils.f (p name, q character varying) RETURNS void \
                 LANGUAGE plpgsql COST 100 SECURITY DEFINER SET search_path = public, pg_temp \
                 AS $BODY$ BEGIN END $BODY$"
            ),
            Op::Create {
                kind: ObjectKind::Function,
                name: q("utils", "f"),
                on_table: None,
                or_replace: true,
            }
        );
        assert_eq!(
            one(
                "CREATE FUNCTION g() RETURNS TABLE (a int) STABLE PARALLEL SAFE LANGUAGE sql \
                 RETURN 1"
            ),
            Op::Create {
                kind: ObjectKind::Function,
                name: n("g"),
                on_table: None,
                or_replace: false,
            }
        );
        assert_eq!(
            one("CREATE PROCEDURE p(x int) LANGUAGE sql BEGIN ATOMIC SELECT 1; END"),
            Op::Create {
                kind: ObjectKind::Procedure,
                name: n("p"),
                on_table: None,
                or_replace: false,
            }
        );
        rejected("CREATE FUNCTION f() RETURNS int LANGUAGE sql COST AS 'select 1'");
        rejected("CREATE FUNCTION f() RETURNS int AS 'select 1' FROBNICATE");
        rejected("CREATE FUNCTION f RETURNS int AS 'select 1'");
    }

    #[test]
    fn create_trigger() {
        assert_eq!(
            one(
                "CREATE OR REPLACE TRIGGER trg AFTER INSERT OR UPDATE OF a, b OR DELETE ON s.t \
                 REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT \
                 EXECUTE FUNCTION s.f('x')"
            ),
            Op::Create {
                kind: ObjectKind::Trigger,
                name: n("trg"),
                on_table: Some(q("s", "t")),
                or_replace: true,
            }
        );
        assert_eq!(
            one(
                "CREATE CONSTRAINT TRIGGER c AFTER UPDATE ON t DEFERRABLE INITIALLY DEFERRED \
                 FOR EACH ROW WHEN (OLD.a IS DISTINCT FROM NEW.a) EXECUTE PROCEDURE f()"
            ),
            Op::Create {
                kind: ObjectKind::Trigger,
                name: n("c"),
                on_table: Some(n("t")),
                or_replace: false,
            }
        );
        rejected("CREATE TRIGGER trg AFTER INSERT ON t EXECUTE FUNCTION f");
        rejected("CREATE TRIGGER trg DURING INSERT ON t EXECUTE FUNCTION f()");
    }

    #[test]
    fn alter_renames_and_owners() {
        assert_eq!(
            one("ALTER TRIGGER old_trg ON person RENAME TO new_trg"),
            Op::Rename {
                kind: ObjectKind::Trigger,
                from: n("old_trg"),
                to: "new_trg".into(),
            }
        );
        assert_eq!(
            one("ALTER MATERIALIZED VIEW IF EXISTS s.mv RENAME TO mv2"),
            Op::Rename {
                kind: ObjectKind::MaterializedView,
                from: q("s", "mv"),
                to: "mv2".into(),
            }
        );
        assert_eq!(
            one("ALTER FUNCTION f(int) OWNER TO CURRENT_USER"),
            Op::Other {
                keyword: "ALTER FUNCTION".into(),
            }
        );
        assert_eq!(
            one("ALTER TYPE mood SET SCHEMA other"),
            Op::Other {
                keyword: "ALTER TYPE".into(),
            }
        );
        rejected("ALTER TRIGGER t RENAME TO u");
        rejected("ALTER VIEW v FROB");
    }

    #[test]
    fn roles_and_role_grants() {
        assert_eq!(
            one("CREATE USER authenticator NOINHERIT"),
            Op::Create {
                kind: ObjectKind::Role,
                name: n("authenticator"),
                on_table: None,
                or_replace: false,
            }
        );
        assert_eq!(
            one("CREATE ROLE r WITH LOGIN PASSWORD 'x' CONNECTION LIMIT 3 IN ROLE a, b"),
            Op::Create {
                kind: ObjectKind::Role,
                name: n("r"),
                on_table: None,
                or_replace: false,
            }
        );
        assert_eq!(
            one("ALTER ROLE r WITH NOLOGIN"),
            Op::Other {
                keyword: "ALTER ROLE".into(),
            }
        );
        assert_eq!(
            one("grant postgres to authenticator"),
            Op::Other {
                keyword: "GRANT".into(),
            }
        );
        assert_eq!(
            one("GRANT a, b TO c WITH ADMIN OPTION GRANTED BY CURRENT_USER"),
            Op::Other {
                keyword: "GRANT".into(),
            }
        );
        assert_eq!(
            one("REVOKE ADMIN OPTION FOR a FROM b CASCADE"),
            Op::Other {
                keyword: "REVOKE".into(),
            }
        );
        rejected("CREATE ROLE r WITH FLYING");
        rejected("GRANT ALL TO r");
        rejected("GRANT a TO");
    }

    #[test]
    fn empty_select() {
        assert_eq!(
            one("SELECT"),
            Op::Other {
                keyword: "SELECT".into(),
            }
        );
        rejected("SELECT FROM FROM");
    }

    #[test]
    fn statements_run_together_by_a_missing_semicolon_stay_unrecognised() {
        rejected(
            "ALTER TABLE \"Tenant\" ADD COLUMN \"uiVersion\" \"TenantMajorUIVersion\" NOT NULL \
             DEFAULT 'V0'\n-- +goose Down\nALTER TABLE \"Tenant\" DROP COLUMN \"uiVersion\"",
        );
        rejected("ALTER TABLE t ADD COLUMN c int DEFAULT 1 ALTER TABLE u DROP COLUMN d");
        rejected("ALTER TABLE t ALTER COLUMN c SET DEFAULT 0 DROP INDEX i");
        rejected("DROP INDEX CONCURRENTLY a DROP INDEX CONCURRENTLY b");
        rejected("CREATE INDEX i ON t (a) WHERE b > 0 CREATE INDEX j ON t (b)");
        rejected("REINDEX TABLE t REINDEX TABLE u");
    }

    #[test]
    fn expressions_are_checked_loosely() {
        let default = |expr: &str| {
            recognize(&format!("ALTER TABLE t ALTER COLUMN c SET DEFAULT {expr}")).is_some()
        };
        for ok in [
            "1",
            "-1.5",
            "'a' || 'b'",
            "now() AT TIME ZONE 'utc'",
            "interval '1' day",
            "timestamp with time zone '2024-01-01'",
            "CASE WHEN a THEN 1 ELSE 2 END",
            "ARRAY[1, 2]::int[]",
            "'{}'::jsonb -> 'a' ->> 'b'",
            "coalesce(a, b) IS NOT NULL",
            "a IS DISTINCT FROM b",
            "x NOT IN (1, 2) AND y BETWEEN 1 AND 2",
            "(SELECT max(id) FROM t)",
            "count(*) FILTER (WHERE a) OVER (PARTITION BY b)",
            "CURRENT_TIMESTAMP",
            "s.f(1)::character varying(10)",
            "a OPERATOR(pg_catalog.+) b",
            "NOT a",
            "x = ANY (ARRAY[1])",
        ] {
            assert!(default(ok), "{ok}");
        }
        for bad in [
            "",
            "1 2",
            "'a' b",
            "f(",
            "1 +",
            "CASE WHEN a THEN 1",
            "select 1",
            "a IS",
        ] {
            assert!(!default(bad), "{bad}");
        }
    }

    #[test]
    fn domains_views_and_materialized_views() {
        assert_eq!(
            one("ALTER DOMAIN s.d ADD CONSTRAINT c CHECK (VALUE > 0) NOT VALID"),
            Op::AlterDomainAddConstraint {
                name: q("s", "d"),
                not_valid: true,
            }
        );
        assert_eq!(
            one("ALTER DOMAIN d VALIDATE CONSTRAINT c"),
            Op::Other {
                keyword: "ALTER DOMAIN".into(),
            }
        );
        assert_eq!(
            one("CREATE MATERIALIZED VIEW IF NOT EXISTS s.mv AS SELECT 1 WITH NO DATA"),
            Op::Create {
                kind: ObjectKind::MaterializedView,
                name: q("s", "mv"),
                on_table: None,
                or_replace: false,
            }
        );
        assert_eq!(
            one("ALTER MATERIALIZED VIEW mv SET TABLESPACE x, CLUSTER ON i"),
            Op::Other {
                keyword: "ALTER MATERIALIZED VIEW".into(),
            }
        );
        assert_eq!(
            one("ALTER MATERIALIZED VIEW mv RENAME TO mv2"),
            Op::Rename {
                kind: ObjectKind::MaterializedView,
                from: n("mv"),
                to: "mv2".into(),
            }
        );
        assert_eq!(
            one("ALTER VIEW v ALTER COLUMN c SET DEFAULT 1"),
            Op::Other {
                keyword: "ALTER VIEW".into(),
            }
        );
        rejected("ALTER DOMAIN d ADD CONSTRAINT c");
        rejected("CREATE MATERIALIZED VIEW mv AS SELEC 1 WITH NO DATA");
        rejected("ALTER MATERIALIZED VIEW mv ENABLE TRIGGER");
        rejected("ALTER VIEW v ALTER COLUMN c SET DEFAULT");
    }

    #[test]
    fn rules_are_checked_with_sqlparser() {
        assert_eq!(
            one(
                "CREATE RULE r AS ON UPDATE TO s.t WHERE old.a <> new.a DO ALSO \
                 (INSERT INTO log VALUES (1); UPDATE x SET a = 1)"
            ),
            Op::Create {
                kind: ObjectKind::Rule,
                name: n("r"),
                on_table: Some(q("s", "t")),
                or_replace: false,
            }
        );
        assert_eq!(
            one("CREATE OR REPLACE RULE r AS ON INSERT TO t DO INSTEAD NOTHING"),
            Op::Create {
                kind: ObjectKind::Rule,
                name: n("r"),
                on_table: Some(n("t")),
                or_replace: true,
            }
        );
        rejected("CREATE RULE r AS ON INSERT TO t DO INSTEAD INSRT INTO u VALUES (1)");
        rejected("CREATE RULE r AS ON INSERT TO t DO");
    }

    #[test]
    fn administrative_statements() {
        let other = |sql: &str, keyword: &str| {
            assert_eq!(
                one(sql),
                Op::Other {
                    keyword: keyword.into(),
                },
                "{sql}"
            );
        };
        other("ALTER SYSTEM SET work_mem = '64MB'", "ALTER SYSTEM");
        other("ALTER DATABASE d SET timezone TO 'UTC'", "ALTER DATABASE");
        other("ALTER EXTENSION e UPDATE TO '2.0'", "ALTER EXTENSION");
        other(
            "ALTER DEFAULT PRIVILEGES FOR ROLE a IN SCHEMA s GRANT SELECT, UPDATE ON TABLES TO r",
            "ALTER DEFAULT PRIVILEGES",
        );
        other(
            "CREATE PUBLICATION p FOR TABLE t (a, b) WHERE (a > 0), TABLES IN SCHEMA s",
            "CREATE PUBLICATION",
        );
        other("ALTER PUBLICATION p ADD TABLE u", "ALTER PUBLICATION");
        other(
            "SECURITY LABEL FOR selinux ON TABLE t IS 'x'",
            "SECURITY LABEL",
        );
        other("CHECKPOINT", "CHECKPOINT");
        other("REASSIGN OWNED BY a, b TO c", "REASSIGN OWNED");
        other("DROP OWNED BY a CASCADE", "DROP OWNED");
        other("DROP CAST IF EXISTS (int AS text)", "DROP CAST");
        other(
            "CREATE CAST (int AS text) WITH FUNCTION f(int) AS ASSIGNMENT",
            "CREATE CAST",
        );
        other(
            "CREATE OPERATOR s.=== (LEFTARG = int, RIGHTARG = int, FUNCTION = f)",
            "CREATE OPERATOR",
        );
        other("TABLE ONLY t", "TABLE");
        other(
            "IMPORT FOREIGN SCHEMA s LIMIT TO (a) FROM SERVER srv INTO local",
            "IMPORT FOREIGN SCHEMA",
        );
        other(
            "CREATE USER MAPPING IF NOT EXISTS FOR CURRENT_USER SERVER srv",
            "CREATE USER MAPPING",
        );
        other(
            "CREATE TABLESPACE ts OWNER bob LOCATION '/tmp'",
            "CREATE TABLESPACE",
        );
        assert_eq!(
            one(
                "CREATE EVENT TRIGGER e ON ddl_command_start WHEN TAG IN ('CREATE TABLE') \
                 EXECUTE FUNCTION f()"
            ),
            Op::Create {
                kind: ObjectKind::Other,
                name: n("e"),
                on_table: None,
                or_replace: false,
            }
        );
        assert_eq!(
            one("CREATE AGGREGATE a(int) (SFUNC = f, STYPE = int)"),
            Op::Create {
                kind: ObjectKind::Other,
                name: n("a"),
                on_table: None,
                or_replace: false,
            }
        );
        rejected("ALTER SYSTEM SET work_mem");
        rejected("ALTER DEFAULT PRIVILEGES GRANT SELECT ON VIEWS TO r");
        rejected("CHECKPOINT NOW");
        rejected("REASSIGN OWNED BY a");
        rejected("CREATE OPERATOR (LEFTARG = int)");
        rejected("SECURITY LABEL ON TABLE t");
    }

    /// Clears what legitimately differs between the two paths: the AST path prints types and
    /// expressions back through sqlparser (`INT`, `'{}'::JSONB`), the fallback keeps the source.
    fn without_printed_text(mut ops: Vec<Op>) -> Vec<Op> {
        fn ty(t: &mut SqlType) {
            t.written.clear();
        }
        fn col(c: &mut ColumnDef) {
            if let Some(t) = &mut c.ty {
                ty(t);
            }
            if let Some(d) = &mut c.default {
                d.text.clear();
            }
        }
        for op in &mut ops {
            match op {
                Op::AlterTable { action, .. } => match action {
                    TableAction::AddColumn { column, .. } => col(column),
                    TableAction::AlterColumnType { ty: t, using, .. } => {
                        ty(t);
                        *using = using.as_ref().map(|_| String::new());
                    }
                    TableAction::SetDefault { default, .. } => default.text.clear(),
                    _ => {}
                },
                Op::CreateTable { columns, .. } => columns.iter_mut().for_each(col),
                _ => {}
            }
        }
        ops
    }

    /// Statements both paths read must give the same ops, so that a rule fires the same way
    /// whichever path recognised a statement.
    #[test]
    fn agrees_with_the_ast_path() {
        for sql in [
            "ALTER TABLE t ADD COLUMN c int DEFAULT 1",
            "ALTER TABLE t ADD COLUMN c text DEFAULT 'a' || 'b'",
            "ALTER TABLE t ADD COLUMN c timestamptz NOT NULL DEFAULT now()",
            "ALTER TABLE t ADD COLUMN c timestamp with time zone DEFAULT CURRENT_TIMESTAMP",
            "ALTER TABLE t ADD COLUMN c uuid DEFAULT gen_random_uuid() PRIMARY KEY",
            "ALTER TABLE t ADD COLUMN c jsonb DEFAULT '{}'::jsonb NOT NULL",
            "ALTER TABLE t ADD COLUMN c bigint DEFAULT -1",
            "ALTER TABLE t ADD COLUMN c varchar(20) DEFAULT CAST('x' AS varchar(20))",
            "ALTER TABLE t ADD COLUMN c int DEFAULT my_fn()",
            "ALTER TABLE t ADD COLUMN c int DEFAULT public.my_fn(1)",
            "ALTER TABLE t ADD COLUMN c int[] DEFAULT ARRAY[1, 2]",
            "ALTER TABLE t ADD COLUMN c text[] DEFAULT '{}'",
            "ALTER TABLE t ADD COLUMN c numeric(12, 2) DEFAULT 0.0 CHECK (c >= 0)",
            "ALTER TABLE t ADD COLUMN c int REFERENCES u (id) ON DELETE CASCADE",
            "ALTER TABLE t ADD COLUMN c serial",
            "ALTER TABLE t ADD COLUMN IF NOT EXISTS c bigint GENERATED ALWAYS AS IDENTITY",
            "ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS (a + 1) STORED",
            "ALTER TABLE t ADD COLUMN c boolean DEFAULT false NOT NULL",
            "ALTER TABLE t ADD COLUMN c interval DEFAULT interval '1 day'",
            "ALTER TABLE t ADD COLUMN c double precision UNIQUE",
            "ALTER TABLE t ADD COLUMN c character varying(255)",
            "ALTER TABLE t ADD COLUMN c \"char\"",
            "ALTER TABLE t ADD COLUMN c char(3)",
            "ALTER TABLE t ADD COLUMN c bit varying(3)",
            "ALTER TABLE t ADD COLUMN c time with time zone",
            "ALTER TABLE t ADD COLUMN c float",
            "ALTER TABLE t ADD COLUMN c float(10)",
            "ALTER TABLE t ADD COLUMN c int4",
            "ALTER TABLE t ADD COLUMN c public.citext",
            "ALTER TABLE t ADD COLUMN c \"MyType\"",
            "ALTER TABLE t ADD COLUMN c text COLLATE \"C\"",
            "ALTER TABLE t ADD COLUMN c decimal",
            "ALTER TABLE t ADD COLUMN c int DEFAULT nextval('s'::regclass)",
            "ALTER TABLE t ADD COLUMN c int DEFAULT (1)",
            "ALTER TABLE t ADD COLUMN c text DEFAULT lower('X')",
            "ALTER TABLE t ADD COLUMN c text DEFAULT NULL",
            "ALTER TABLE t ADD COLUMN c date DEFAULT CURRENT_DATE",
            "ALTER TABLE t ADD COLUMN c timestamptz DEFAULT clock_timestamp()",
            "ALTER TABLE t ADD COLUMN c timestamptz DEFAULT (now() AT TIME ZONE 'utc')",
            "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a, b) REFERENCES s.u (x, y) NOT VALID",
            "ALTER TABLE t ADD CONSTRAINT ck CHECK (a IS NOT NULL) NOT VALID",
            "ALTER TABLE t ADD CONSTRAINT ck CHECK (a > 0)",
            "ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY (id)",
            "ALTER TABLE t ADD PRIMARY KEY USING INDEX idx",
            "ALTER TABLE t ADD CONSTRAINT u UNIQUE (a, b)",
            "ALTER TABLE t ADD CONSTRAINT ex EXCLUDE USING gist (r WITH &&)",
            "ALTER TABLE t DROP COLUMN IF EXISTS c CASCADE",
            "ALTER TABLE t ALTER COLUMN c TYPE bigint USING c::bigint",
            "ALTER TABLE t ALTER COLUMN c SET DATA TYPE varchar(10)",
            "ALTER TABLE t ALTER COLUMN c SET NOT NULL",
            "ALTER TABLE t ALTER COLUMN c DROP NOT NULL",
            "ALTER TABLE t ALTER COLUMN c SET DEFAULT 0",
            "ALTER TABLE t ALTER COLUMN c DROP DEFAULT",
            "ALTER TABLE t VALIDATE CONSTRAINT c",
            "ALTER TABLE t DROP CONSTRAINT IF EXISTS c",
            "ALTER TABLE t RENAME COLUMN a TO b",
            "ALTER TABLE t RENAME TO u",
            "ALTER TABLE t RENAME CONSTRAINT a TO b",
            "ALTER TABLE t SET UNLOGGED",
            "ALTER TABLE t OWNER TO bob",
            "ALTER TABLE t ENABLE TRIGGER trg",
            "ALTER TABLE t DISABLE ROW LEVEL SECURITY",
            "ALTER TABLE t REPLICA IDENTITY FULL",
            "ALTER TABLE t SET (fillfactor = 70)",
            "ALTER TABLE t ADD COLUMN a int, ADD COLUMN b text NOT NULL DEFAULT ''",
            "CREATE TABLE t (id bigserial PRIMARY KEY, name text NOT NULL, CONSTRAINT u UNIQUE (name))",
            "CREATE TABLE IF NOT EXISTS s.t (a int REFERENCES u, b timestamptz DEFAULT now(), CHECK (a > 0))",
            "CREATE TEMP TABLE t (a int)",
            "CREATE UNLOGGED TABLE t (a int)",
            "CREATE TABLE c PARTITION OF p FOR VALUES IN (1)",
            "CREATE TABLE p (a int) PARTITION BY RANGE (a)",
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON s.t USING btree (a) WHERE b IS NULL",
            "CREATE UNIQUE INDEX i ON t (lower(a))",
            "CREATE INDEX ON t (a)",
            "DROP INDEX IF EXISTS a, b CASCADE",
            "DROP TABLE t",
            "DROP TRIGGER trg ON t",
            "DROP FUNCTION f(int)",
            "DROP VIEW IF EXISTS v",
            "DROP MATERIALIZED VIEW mv",
            "DROP SCHEMA s CASCADE",
            "DROP TYPE e",
            "DROP EXTENSION e",
            "DROP POLICY p ON t",
            "DROP SEQUENCE s",
            "DROP DATABASE d",
            "ALTER INDEX i RENAME TO j",
            "VACUUM FULL t",
            "VACUUM t",
            "ANALYZE t",
            "COMMENT ON TABLE t IS 'x'",
            "COMMENT ON COLUMN t.c IS 'x'",
            "CREATE SEQUENCE s INCREMENT BY 1 START WITH 1",
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'select 1'",
            "CREATE OR REPLACE FUNCTION s.f() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER trg BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f()",
            "CREATE ROLE r LOGIN",
            "ALTER TYPE e RENAME TO f",
        ] {
            let ast = crate::lint::lower::lower(sql);
            assert_eq!(
                ast.parsed_by,
                crate::lint::statement::ParsedBy::Parser,
                "sqlparser no longer reads {sql}"
            );
            assert_eq!(
                without_printed_text(ops(sql)),
                without_printed_text(ast.ops),
                "{sql}"
            );
        }
    }

    #[test]
    fn garbage_never_panics() {
        // A small deterministic generator: no dependency needed.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let pieces = [
            "DROP",
            "INDEX",
            "CONCURRENTLY",
            "ALTER",
            "TABLE",
            "ADD",
            "CONSTRAINT",
            "NOT",
            "NULL",
            "DO",
            "$$",
            "$x$",
            "'",
            "''",
            "E'",
            "\\",
            "(",
            ")",
            "[",
            "]",
            ",",
            ";",
            ".",
            "\"",
            "--",
            "/*",
            "*/",
            "é",
            "\u{0}",
            "EXECUTE",
            "BEGIN",
            "END",
            "IF",
            "THEN",
            "LOOP",
            "CASE",
            "WHEN",
            "REINDEX",
            "VACUUM",
            "COMMENT",
            "ON",
            "IS",
            "CREATE",
            "SEQUENCE",
            "AS",
            "::",
            ":=",
            "1",
            "-",
            "FOR",
            "VALUES",
            "x",
            "\n",
            " ",
            "<<",
            ">>",
            "DECLARE",
            "||",
        ];
        for _ in 0..20_000 {
            let len = (next() % 12) as usize;
            let mut sql = String::new();
            for _ in 0..len {
                sql.push_str(pieces[(next() % pieces.len() as u64) as usize]);
                if next() % 2 == 0 {
                    sql.push(' ');
                }
            }
            let _ = recognize(&sql);
            let _ = plpgsql::extract(&sql, 3);
        }
        for _ in 0..5_000 {
            let len = (next() % 40) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| (next() % 256) as u8).collect();
            let sql = String::from_utf8_lossy(&bytes);
            let _ = recognize(&sql);
            let _ = plpgsql::extract(&sql, 0);
        }
    }
}
