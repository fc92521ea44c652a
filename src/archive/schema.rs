//! Tables and columns from a dump's DDL, for the sync's guards before anything is written: the
//! profile's tables and columns must exist, its transformers must fit the column types, and no
//! personal-looking column may go uncovered. The result has the shape the live sync reads from
//! the catalog ([`crate::pg::catalog::Table`]), so [`crate::sync::plan::Plan`] works on both.
//!
//! pg_dump writes DDL in one regular shape, which a small tokenizer reads reliably (quotes,
//! dollar quotes and comments cannot hide a delimiter from it):
//!
//! ```text
//! CREATE [UNLOGGED] TABLE schema.name (
//!     col type [COLLATE c] [DEFAULT e] [GENERATED ALWAYS AS (e) STORED] [NOT NULL],
//!     CONSTRAINT c CHECK (...)
//! ) [INHERITS (parent)] [PARTITION BY ...];
//! CREATE TABLE schema.part PARTITION OF schema.parent [(...)] FOR VALUES ...;   -- pg_dump < 12
//! ALTER TABLE ONLY schema.parent ATTACH PARTITION schema.part FOR VALUES ...;  -- TABLE ATTACH
//! CREATE DOMAIN schema.d AS base_type ...;
//! ```
//!
//! A domain column gets its base type (as the catalog query gives it), a partition its
//! partitioned root, and the columns of a table that has data follow its `COPY` statement's
//! order, which is the order of the data (generated columns are never in it).
//!
//! The same tokenizer reads what the other guards need: foreign keys ([`foreign_keys`], from
//! `ALTER TABLE [ONLY] child ADD CONSTRAINT name FOREIGN KEY (...) REFERENCES parent(...)`) and
//! the roles grants name ([`grant_roles`], from `GRANT`, `REVOKE`, `ALTER DEFAULT PRIVILEGES`).

use std::collections::HashMap;

use crate::pg::catalog::{Column, ForeignKey, Table, TableKind};

use super::{CopyTarget, TocEntry};

/// Collects DDL statements (in any order) and COPY column lists, then gives the tables.
#[derive(Debug, Default)]
pub struct SchemaBuilder {
    tables: Vec<Parsed>,
    domains: HashMap<String, String>,
    /// child key -> parent key (ATTACH PARTITION, PARTITION OF).
    parents: HashMap<String, String>,
    copies: HashMap<String, Vec<String>>,
}

#[derive(Debug)]
struct Parsed {
    schema: String,
    name: String,
    partitioned: bool,
    inherits: Vec<String>,
    columns: Vec<Column>,
}

impl Parsed {
    fn key(&self) -> String {
        format!("{}.{}", self.schema, self.name)
    }
}

/// The tables of an archive, from its TOC: `TABLE`, `DOMAIN` and `TABLE ATTACH` entries, and the
/// `TABLE DATA` entries' COPY statements.
pub fn tables_from_toc(entries: &[TocEntry]) -> Vec<Table> {
    let mut builder = SchemaBuilder::default();
    for entry in entries {
        match entry.desc.as_str() {
            "TABLE" | "DOMAIN" | "TABLE ATTACH" => builder.add_sql(&entry.defn),
            "TABLE DATA" => {
                if let Some(target) = entry
                    .copy_stmt
                    .as_deref()
                    .and_then(super::parse_copy_statement)
                {
                    builder.add_copy(&target, entry.namespace.as_deref());
                }
            }
            _ => {}
        }
    }
    builder.finish()
}

impl SchemaBuilder {
    /// Reads the statements of `sql` that define tables, domains and partitions; others are
    /// ignored.
    pub fn add_sql(&mut self, sql: &str) {
        let tokens = tokenize(sql);
        for statement in tokens.split(|t| t.kind == Kind::Sym(';')) {
            self.add_statement(sql, statement);
        }
    }

    /// The columns a table's data come with, in their order.
    pub fn add_copy(&mut self, target: &CopyTarget, namespace: Option<&str>) {
        let schema = target
            .schema
            .clone()
            .or_else(|| namespace.map(str::to_owned))
            .unwrap_or_else(|| "public".to_owned());
        self.copies
            .insert(format!("{schema}.{}", target.table), target.columns.clone());
    }

    fn add_statement(&mut self, sql: &str, t: &[Token]) {
        let mut p = Cursor { sql, t, i: 0 };
        if p.keyword("CREATE") {
            p.keyword("UNLOGGED");
            if p.keyword("TABLE") {
                if let Some(table) = self.create_table(&mut p) {
                    self.tables.push(table);
                }
            } else if p.keyword("DOMAIN") {
                if let Some((schema, name)) = p.qualified() {
                    if p.keyword("AS") {
                        let ty = p.type_until_keyword();
                        self.domains.insert(format!("{schema}.{name}"), ty);
                    }
                }
            }
        } else if p.keyword("ALTER") && p.keyword("TABLE") {
            p.keyword("ONLY");
            let Some(parent) = p.qualified() else { return };
            if p.keyword("ATTACH") && p.keyword("PARTITION") {
                if let Some(child) = p.qualified() {
                    self.parents.insert(
                        format!("{}.{}", child.0, child.1),
                        format!("{}.{}", parent.0, parent.1),
                    );
                }
            }
        }
    }

    fn create_table(&mut self, p: &mut Cursor) -> Option<Parsed> {
        let (schema, name) = p.qualified()?;
        let mut table = Parsed {
            schema,
            name,
            partitioned: false,
            inherits: Vec::new(),
            columns: Vec::new(),
        };
        if p.keyword("PARTITION") {
            if p.keyword("OF") {
                let parent = p.qualified()?;
                self.parents
                    .insert(table.key(), format!("{}.{}", parent.0, parent.1));
            }
        } else if p.keyword("OF") {
            // A typed table: its columns come from the type; the COPY statement names them.
            p.qualified();
        }
        if p.sym('(') {
            for element in p.group_elements() {
                if let Some(column) = column(p.sql, element) {
                    table.columns.push(column);
                }
            }
        }
        while p.i < p.t.len() {
            if p.keyword("INHERITS") && p.sym('(') {
                for element in p.group_elements() {
                    let mut inner = Cursor {
                        sql: p.sql,
                        t: element,
                        i: 0,
                    };
                    if let Some((s, n)) = inner.qualified() {
                        table.inherits.push(format!("{s}.{n}"));
                    }
                }
            } else if p.keyword("PARTITION") && p.keyword("BY") {
                table.partitioned = true;
            } else {
                p.i += 1;
            }
        }
        Some(table)
    }

    /// The tables, with domains resolved, partitions tied to their roots, inherited columns
    /// added and data columns in COPY order.
    pub fn finish(self) -> Vec<Table> {
        let by_key: HashMap<String, usize> = self
            .tables
            .iter()
            .enumerate()
            .map(|(i, t)| (t.key(), i))
            .collect();
        let mut out = Vec::with_capacity(self.tables.len());
        for table in &self.tables {
            let key = table.key();
            // Own columns, then inherited ones the table does not redefine.
            let mut columns: Vec<Column> = Vec::new();
            let mut stack = vec![key.clone()];
            let mut seen = 0;
            while let Some(k) = stack.pop() {
                seen += 1;
                if seen > 64 {
                    break;
                }
                let Some(&i) = by_key.get(&k) else { continue };
                let t = &self.tables[i];
                for c in &t.columns {
                    if !columns.iter().any(|have| have.name == c.name) {
                        columns.push(c.clone());
                    }
                }
                stack.extend(t.inherits.iter().cloned());
                if let Some(parent) = self.parents.get(&k) {
                    stack.push(parent.clone());
                }
            }
            for c in &mut columns {
                c.type_name = self.resolve_type(&c.type_name);
            }
            if let Some(order) = self.copies.get(&key) {
                let mut ordered: Vec<Column> = Vec::with_capacity(columns.len());
                for name in order {
                    match columns.iter().position(|c| c.name == *name) {
                        Some(i) => ordered.push(columns.remove(i)),
                        None => ordered.push(Column {
                            name: name.clone(),
                            type_name: "unknown".to_owned(),
                            generated: false,
                        }),
                    }
                }
                // Not in the data: generated columns (and columns COPY does not list).
                for mut c in columns {
                    c.generated = true;
                    ordered.push(c);
                }
                columns = ordered;
            }
            let kind = if table.partitioned {
                TableKind::Partitioned
            } else if let Some(root) = self.root(&key) {
                TableKind::Partition { root }
            } else {
                TableKind::Plain
            };
            out.push(Table {
                schema: table.schema.clone(),
                name: table.name.clone(),
                kind,
                est_rows: None,
                bytes: 0,
                columns,
            });
        }
        out.sort_by_key(Table::key);
        out
    }

    fn root(&self, key: &str) -> Option<(String, String)> {
        let mut current = self.parents.get(key)?;
        for _ in 0..64 {
            match self.parents.get(current) {
                Some(next) => current = next,
                None => break,
            }
        }
        let t = self.tables.iter().find(|t| t.key() == *current)?;
        Some((t.schema.clone(), t.name.clone()))
    }

    /// `public.zip_code[]` -> `text[]` for a domain over text; `pg_catalog.` and `public.`
    /// prefixes dropped as `format_type` does with the default search path.
    fn resolve_type(&self, written: &str) -> String {
        let mut ty = written.to_owned();
        for _ in 0..16 {
            let (base, dims) = split_array(&ty);
            match self.domains.get(&unquote_qualified(base)) {
                Some(domain) => {
                    let (dbase, ddims) = split_array(domain);
                    ty = format!("{dbase}{}", "[]".repeat(dims + ddims));
                }
                None => break,
            }
        }
        for prefix in ["pg_catalog.", "public."] {
            if let Some(rest) = ty.strip_prefix(prefix) {
                ty = rest.to_owned();
            }
        }
        ty
    }
}

/// The foreign keys `sql` adds, as pg_dump writes them (an `FK CONSTRAINT` entry, or a plain
/// dump's statement): `ALTER TABLE [ONLY] schema.child ADD CONSTRAINT name FOREIGN KEY (cols)
/// REFERENCES schema.parent(cols) ...`. Names are unquoted, as the catalog spells them.
pub fn foreign_keys(sql: &str) -> Vec<ForeignKey> {
    let tokens = tokenize(sql);
    let mut keys = Vec::new();
    for statement in tokens.split(|t| t.kind == Kind::Sym(';')) {
        let mut p = Cursor {
            sql,
            t: statement,
            i: 0,
        };
        if !(p.keyword("ALTER") && p.keyword("TABLE")) {
            continue;
        }
        if p.keyword("IF") && !p.keyword("EXISTS") {
            continue;
        }
        p.keyword("ONLY");
        let Some(child) = p.qualified() else { continue };
        if !(p.keyword("ADD") && p.keyword("CONSTRAINT")) {
            continue;
        }
        let Some(name) = p.ident() else { continue };
        if !(p.keyword("FOREIGN") && p.keyword("KEY") && p.sym('(')) {
            continue;
        }
        p.group_elements();
        if !p.keyword("REFERENCES") {
            continue;
        }
        let Some(parent) = p.qualified() else {
            continue;
        };
        keys.push(ForeignKey {
            child: format!("{}.{}", child.0, child.1),
            parent: format!("{}.{}", parent.0, parent.1),
            name,
        });
    }
    keys
}

/// Words a grant may name that are not roles.
const NOT_ROLES: &[&str] = &["PUBLIC", "CURRENT_USER", "SESSION_USER", "CURRENT_ROLE"];

/// The roles that must exist for grant SQL to run, as pg_dump writes it in `ACL` and
/// `DEFAULT ACL` entries: the grantees of `GRANT ... TO a, GROUP b` and `REVOKE ... FROM a`,
/// `GRANTED BY` roles, the roles of `ALTER DEFAULT PRIVILEGES FOR ROLE x, y`, and the grantor
/// pg_dump switches to with `SET SESSION AUTHORIZATION x` for a grant made by another role.
/// Quoted names keep their case; `PUBLIC` and `CURRENT_USER`-like words are not roles. In the
/// order first named, without repeats.
pub fn grant_roles(sql: &str) -> Vec<String> {
    let tokens = tokenize(sql);
    let mut roles: Vec<String> = Vec::new();
    let mut add = |name: String| {
        if !roles.contains(&name) {
            roles.push(name);
        }
    };
    for statement in tokens.split(|t| t.kind == Kind::Sym(';')) {
        let mut p = Cursor {
            sql,
            t: statement,
            i: 0,
        };
        if p.keyword("SET") {
            if p.keyword("SESSION") && p.keyword("AUTHORIZATION") && !p.keyword("DEFAULT") {
                if let Some(role) = p.role() {
                    add(role);
                }
            }
            continue;
        }
        if p.keyword("ALTER") {
            if !(p.keyword("DEFAULT") && p.keyword("PRIVILEGES")) {
                continue;
            }
            if p.keyword("FOR") && (p.keyword("ROLE") || p.keyword("USER")) {
                for role in p.role_list() {
                    add(role);
                }
            }
            // `IN SCHEMA a, b`, then the GRANT or REVOKE.
            while p.i < p.t.len() && !p.at_keyword("GRANT") && !p.at_keyword("REVOKE") {
                p.i += 1;
            }
        }
        // `GRANT ... TO grantees` or `REVOKE ... FROM grantees`, the keyword outside any
        // parentheses (column lists, function signatures).
        let to = if p.keyword("GRANT") {
            "TO"
        } else if p.keyword("REVOKE") {
            "FROM"
        } else {
            continue;
        };
        let mut depth = 0;
        while p.i < p.t.len() {
            if depth == 0 && p.keyword(to) {
                break;
            }
            match p.t[p.i].kind {
                Kind::Sym('(') | Kind::Sym('[') => depth += 1,
                Kind::Sym(')') | Kind::Sym(']') => depth -= 1,
                _ => {}
            }
            p.i += 1;
        }
        for role in p.role_list() {
            add(role);
        }
        while p.i < p.t.len() {
            if p.keyword("GRANTED") && p.keyword("BY") {
                if let Some(role) = p.role() {
                    add(role);
                }
            } else {
                p.i += 1;
            }
        }
    }
    roles
}

fn split_array(ty: &str) -> (&str, usize) {
    let mut base = ty.trim();
    let mut dims = 0;
    while let Some(rest) = base.strip_suffix("[]") {
        base = rest.trim_end();
        dims += 1;
    }
    (base, dims)
}

/// `public."Zip Code"` -> `public.Zip Code` (a key as [`Parsed::key`] spells it).
fn unquote_qualified(name: &str) -> String {
    let tokens = tokenize(name);
    let mut c = Cursor {
        sql: name,
        t: &tokens,
        i: 0,
    };
    match c.qualified() {
        Some((s, n)) if c.i == tokens.len() => format!("{s}.{n}"),
        _ => name.to_owned(),
    }
}

/// One element of a CREATE TABLE's list, when it is a column.
fn column(sql: &str, element: &[Token]) -> Option<Column> {
    let first = element.first()?;
    let name = match &first.kind {
        Kind::Word => {
            let word = first.text(sql);
            // Table constraints (pg_dump writes keywords in capitals, and quotes column names
            // that are reserved words such as these).
            if matches!(
                word,
                "CONSTRAINT" | "CHECK" | "UNIQUE" | "PRIMARY" | "FOREIGN" | "EXCLUDE" | "LIKE"
            ) {
                return None;
            }
            word.to_lowercase()
        }
        Kind::Quoted(name) => name.clone(),
        _ => return None,
    };
    let mut c = Cursor {
        sql,
        t: element,
        i: 1,
    };
    // `col WITH OPTIONS ...` in a PARTITION OF list: no type, the parent has it.
    if c.keyword("WITH") {
        return None;
    }
    let type_name = c.type_until_keyword();
    let mut generated = false;
    while c.i < element.len() {
        if c.keyword("GENERATED") && c.keyword("ALWAYS") && c.keyword("AS") && c.sym('(') {
            generated = true;
        } else {
            c.i += 1;
        }
    }
    Some(Column {
        name,
        type_name,
        generated,
    })
}

/// Words that end a column's type.
const AFTER_TYPE: &[&str] = &[
    "COLLATE",
    "DEFAULT",
    "GENERATED",
    "NOT",
    "NULL",
    "CONSTRAINT",
    "CHECK",
    "PRIMARY",
    "UNIQUE",
    "REFERENCES",
    "COMPRESSION",
    "STORAGE",
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Word,
    Quoted(String),
    Literal,
    Sym(char),
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

impl Token {
    fn text<'s>(&self, sql: &'s str) -> &'s str {
        &sql[self.start..self.end]
    }
}

struct Cursor<'a> {
    sql: &'a str,
    t: &'a [Token],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn keyword(&mut self, word: &str) -> bool {
        match self.t.get(self.i) {
            Some(tok)
                if tok.kind == Kind::Word && tok.text(self.sql).eq_ignore_ascii_case(word) =>
            {
                self.i += 1;
                true
            }
            _ => false,
        }
    }

    /// The next token is `word` (not moving past it).
    fn at_keyword(&self, word: &str) -> bool {
        self.t.get(self.i).is_some_and(|tok| {
            tok.kind == Kind::Word && tok.text(self.sql).eq_ignore_ascii_case(word)
        })
    }

    fn sym(&mut self, c: char) -> bool {
        match self.t.get(self.i) {
            Some(tok) if tok.kind == Kind::Sym(c) => {
                self.i += 1;
                true
            }
            _ => false,
        }
    }

    fn ident(&mut self) -> Option<String> {
        let tok = self.t.get(self.i)?;
        let name = match &tok.kind {
            Kind::Word => tok.text(self.sql).to_lowercase(),
            Kind::Quoted(name) => name.clone(),
            _ => return None,
        };
        self.i += 1;
        Some(name)
    }

    /// A role name: `[GROUP] name`, None for `PUBLIC`, `CURRENT_USER` and the like (unquoted).
    /// Moves past the word either way.
    fn role(&mut self) -> Option<String> {
        self.keyword("GROUP");
        let tok = self.t.get(self.i)?;
        if tok.kind == Kind::Word
            && NOT_ROLES
                .iter()
                .any(|w| tok.text(self.sql).eq_ignore_ascii_case(w))
        {
            self.i += 1;
            return None;
        }
        self.ident()
    }

    /// `role [, role ...]`: the roles of the list, up to the first word that is not one.
    fn role_list(&mut self) -> Vec<String> {
        let mut roles = Vec::new();
        loop {
            let before = self.i;
            if let Some(role) = self.role() {
                roles.push(role);
            }
            if self.i == before || !self.sym(',') {
                return roles;
            }
        }
    }

    /// `schema.name` or `name` (schema `public`).
    fn qualified(&mut self) -> Option<(String, String)> {
        let first = self.ident()?;
        if self.sym('.') {
            let second = self.ident()?;
            Some((first, second))
        } else {
            Some(("public".to_owned(), first))
        }
    }

    /// After an opening parenthesis: the elements up to the matching one, split at top-level
    /// commas.
    fn group_elements(&mut self) -> Vec<&'a [Token]> {
        let mut depth = 1;
        let mut start = self.i;
        let mut elements = Vec::new();
        while self.i < self.t.len() {
            match self.t[self.i].kind {
                Kind::Sym('(') | Kind::Sym('[') => depth += 1,
                Kind::Sym(')') | Kind::Sym(']') => {
                    depth -= 1;
                    if depth == 0 {
                        if self.i > start {
                            elements.push(&self.t[start..self.i]);
                        }
                        self.i += 1;
                        return elements;
                    }
                }
                Kind::Sym(',') if depth == 1 => {
                    elements.push(&self.t[start..self.i]);
                    start = self.i + 1;
                }
                _ => {}
            }
            self.i += 1;
        }
        if self.i > start {
            elements.push(&self.t[start..self.i]);
        }
        elements
    }

    /// The source text of a type, up to a constraint keyword (or the end), whitespace folded.
    fn type_until_keyword(&mut self) -> String {
        let from = self.i;
        let mut depth = 0;
        while let Some(tok) = self.t.get(self.i) {
            match tok.kind {
                Kind::Sym('(') | Kind::Sym('[') => depth += 1,
                Kind::Sym(')') | Kind::Sym(']') => depth -= 1,
                Kind::Word if depth == 0 && AFTER_TYPE.contains(&tok.text(self.sql)) => break,
                _ => {}
            }
            self.i += 1;
        }
        if self.i == from {
            return String::new();
        }
        let text = &self.sql[self.t[from].start..self.t[self.i - 1].end];
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

fn tokenize(sql: &str) -> Vec<Token> {
    let bytes = sql.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        match b {
            _ if b.is_ascii_whitespace() => i += 1,
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let mut depth = 0;
                while i < bytes.len() {
                    if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            b'\'' => {
                let escapes = start > 0
                    && matches!(bytes[start - 1], b'E' | b'e')
                    && !(start > 1 && is_word_byte(bytes[start - 2]));
                i += 1;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' if escapes => i += 2,
                        b'\'' if bytes.get(i + 1) == Some(&b'\'') => i += 2,
                        b'\'' => {
                            i += 1;
                            break;
                        }
                        _ => i += 1,
                    }
                }
                tokens.push(Token {
                    kind: Kind::Literal,
                    start,
                    end: i.min(bytes.len()),
                });
            }
            b'"' => {
                let mut name = String::new();
                i += 1;
                let mut from = i;
                while i < bytes.len() {
                    if bytes[i] == b'"' {
                        name.push_str(&sql[from..i]);
                        if bytes.get(i + 1) == Some(&b'"') {
                            name.push('"');
                            i += 2;
                            from = i;
                        } else {
                            i += 1;
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                tokens.push(Token {
                    kind: Kind::Quoted(name),
                    start,
                    end: i.min(bytes.len()),
                });
            }
            b'$' => {
                // A dollar quote `$tag$ ... $tag$`, else a lone `$` (e.g. `$1`).
                let mut j = i + 1;
                while j < bytes.len() && is_word_byte(bytes[j]) && bytes[j] != b'$' {
                    j += 1;
                }
                if bytes.get(j) == Some(&b'$') {
                    let tag = &sql[i..=j];
                    match sql[j + 1..].find(tag) {
                        Some(at) => i = j + 1 + at + tag.len(),
                        None => i = bytes.len(),
                    }
                    tokens.push(Token {
                        kind: Kind::Literal,
                        start,
                        end: i,
                    });
                } else {
                    i += 1;
                    tokens.push(Token {
                        kind: Kind::Sym('$'),
                        start,
                        end: i,
                    });
                }
            }
            _ if is_word_byte(b) || b >= 0x80 => {
                while i < bytes.len() && (is_word_byte(bytes[i]) || bytes[i] >= 0x80) {
                    i += 1;
                }
                tokens.push(Token {
                    kind: Kind::Word,
                    start,
                    end: i,
                });
            }
            _ => {
                // One (ASCII) symbol; a non-ASCII byte is part of a word above.
                i += 1;
                tokens.push(Token {
                    kind: Kind::Sym(char::from(b)),
                    start,
                    end: i,
                });
            }
        }
    }
    tokens
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(sql: &[&str], copies: &[(&str, &str)]) -> Vec<Table> {
        let mut b = SchemaBuilder::default();
        for s in sql {
            b.add_sql(s);
        }
        for (_, copy) in copies {
            let target = super::super::parse_copy_statement(copy).unwrap();
            b.add_copy(&target, None);
        }
        b.finish()
    }

    #[test]
    fn reads_pg_dump_tables_with_hard_names_types_and_generated_columns() {
        let tables = build(
            &[
                "CREATE DOMAIN public.zip_code AS text\n\tCONSTRAINT zip_code_check CHECK ((VALUE ~ '^[0-9]{5}$'::text));",
                "CREATE TABLE public.\"user\" (\n    id bigint NOT NULL,\n    email text NOT NULL,\n    email_domain text GENERATED ALWAYS AS (split_part(email, '@'::text, 2)) STORED,\n    zip public.zip_code,\n    tags public.zip_code[],\n    status public.account_status DEFAULT 'active'::public.account_status NOT NULL,\n    price numeric(10,2),\n    at timestamp(3) with time zone,\n    \"Full, Name\" character varying(255) COLLATE pg_catalog.\"C\",\n    CONSTRAINT c CHECK ((price > (0)::numeric))\n);",
            ],
            &[(
                "",
                "COPY public.\"user\" (id, email, zip, tags, status, price, at, \"Full, Name\") FROM stdin;",
            )],
        );
        assert_eq!(tables.len(), 1);
        let t = &tables[0];
        assert_eq!(t.key(), "public.user");
        assert_eq!(t.kind, TableKind::Plain);
        let cols: Vec<(&str, &str, bool)> = t
            .columns
            .iter()
            .map(|c| (c.name.as_str(), c.type_name.as_str(), c.generated))
            .collect();
        assert_eq!(
            cols,
            vec![
                ("id", "bigint", false),
                ("email", "text", false),
                ("zip", "text", false),
                ("tags", "text[]", false),
                ("status", "account_status", false),
                ("price", "numeric(10,2)", false),
                ("at", "timestamp(3) with time zone", false),
                ("Full, Name", "character varying(255)", false),
                ("email_domain", "text", true),
            ]
        );
    }

    #[test]
    fn partitions_find_their_root_by_attach_or_partition_of() {
        let tables = build(
            &[
                "CREATE TABLE public.events (\n    id bigint NOT NULL,\n    ip inet\n)\nPARTITION BY RANGE (id);",
                "CREATE TABLE public.events_a (\n    id bigint NOT NULL,\n    ip inet\n);",
                "ALTER TABLE ONLY public.events ATTACH PARTITION public.events_a FOR VALUES FROM ('0') TO ('10');",
                "CREATE TABLE \"Sub Part\".events_b PARTITION OF public.events\nFOR VALUES FROM ('10') TO ('20');",
                "CREATE TABLE public.child (\n    extra text\n)\nINHERITS (public.events_a);",
            ],
            &[("", "COPY \"Sub Part\".events_b (id, ip) FROM stdin;")],
        );
        let kind = |key: &str| {
            tables
                .iter()
                .find(|t| t.key() == key)
                .map(|t| t.kind.clone())
                .unwrap()
        };
        let root = TableKind::Partition {
            root: ("public".into(), "events".into()),
        };
        assert_eq!(kind("public.events"), TableKind::Partitioned);
        assert_eq!(kind("public.events_a"), root);
        assert_eq!(kind("Sub Part.events_b"), root);
        let b = tables
            .iter()
            .find(|t| t.key() == "Sub Part.events_b")
            .unwrap();
        assert_eq!(b.columns[1].type_name, "inet");
        let child = tables.iter().find(|t| t.key() == "public.child").unwrap();
        let names: Vec<&str> = child.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, vec!["extra", "id", "ip"]);
    }

    #[test]
    fn delimiters_inside_quotes_and_bodies_do_not_split() {
        let tables = build(
            &[
                "CREATE TABLE public.t (\n    a text DEFAULT 'x; CREATE TABLE public.fake (b int)',\n    b text DEFAULT $q$ ) ; $q$\n);",
            ],
            &[],
        );
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].columns.len(), 2);
    }
    #[test]
    fn foreign_keys_from_pg_dump_statements() {
        let keys = foreign_keys(
            "ALTER TABLE ONLY public.orders\n    ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES public.\"user\"(id) ON DELETE CASCADE;\n\
             ALTER TABLE \"Sales Dept\".\"Line Items\"\n    ADD CONSTRAINT \"Line, FK\" FOREIGN KEY (a, b) REFERENCES \"Sales Dept\".events(a, b);\n\
             ALTER TABLE ONLY public.orders\n    ADD CONSTRAINT orders_pkey PRIMARY KEY (id);\n\
             ALTER TABLE ONLY public.orders ADD CONSTRAINT c CHECK (x <> 'FOREIGN KEY (a) REFERENCES public.fake(a)');",
        );
        let got: Vec<(&str, &str, &str)> = keys
            .iter()
            .map(|k| (k.child.as_str(), k.parent.as_str(), k.name.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("public.orders", "public.user", "orders_user_fk"),
                ("Sales Dept.Line Items", "Sales Dept.events", "Line, FK"),
            ]
        );
    }

    #[test]
    fn grant_roles_names_grantees_but_not_public() {
        assert_eq!(
            grant_roles(
                "REVOKE ALL ON TABLE public.t FROM PUBLIC;\n\
                 GRANT SELECT ON TABLE public.t TO reader;\n\
                 GRANT SELECT(id), UPDATE(\"to\") ON TABLE public.\"to\" TO \"Role Name\", GROUP writers, public WITH GRANT OPTION;\n"
            ),
            vec!["reader", "Role Name", "writers"]
        );
        // A grant made by another role: pg_dump switches to it.
        assert_eq!(
            grant_roles(
                "SET SESSION AUTHORIZATION \"Grant-Or\";\nGRANT ALL ON FUNCTION public.f(\"from\" integer, b text) TO app;\nRESET SESSION AUTHORIZATION;"
            ),
            vec!["Grant-Or", "app"]
        );
        assert_eq!(
            grant_roles("GRANT USAGE ON SCHEMA s TO CURRENT_USER, x GRANTED BY boss;"),
            vec!["x", "boss"]
        );
        assert_eq!(
            grant_roles("REVOKE GRANT OPTION FOR SELECT ON TABLE t FROM a, \"B b\" CASCADE;"),
            vec!["a", "B b"]
        );
        assert!(grant_roles("GRANT ALL ON SCHEMA public TO PUBLIC;").is_empty());
        // A name in a string or a comment is not a grantee.
        assert!(grant_roles("COMMENT ON TABLE t IS 'GRANT x TO y'; -- GRANT a TO b\n").is_empty());
    }

    #[test]
    fn grant_roles_reads_default_privileges() {
        assert_eq!(
            grant_roles(
                "ALTER DEFAULT PRIVILEGES FOR ROLE \"App Owner\" IN SCHEMA public GRANT SELECT ON TABLES TO \"Read Only\";\n\
                 ALTER DEFAULT PRIVILEGES FOR ROLE owner2, owner3 REVOKE ALL ON FUNCTIONS FROM PUBLIC;\n\
                 ALTER DEFAULT PRIVILEGES FOR USER owner2 GRANT ALL ON SEQUENCES TO GROUP seq_users;"
            ),
            vec!["App Owner", "Read Only", "owner2", "owner3", "seq_users"]
        );
        assert_eq!(
            grant_roles("ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO r;"),
            vec!["r"]
        );
    }
}
