//! Plain SQL dumps (`pg_dump -Fp`, gzipped or not), read in one pass as a sequence of
//! [`PlainItem`]s: SQL statements, and COPY blocks whose rows stream like an archive's table data.
//!
//! The scanner knows what can hide a `;`: single quotes (and `E'...'` escapes), double quotes,
//! dollar quotes, `--` and nested `/* */` comments. Comments between statements are dropped.
//! psql meta-commands, which only psql understands: `\restrict` and `\unrestrict` (pg_dump
//! 17.6/18+) are skipped; `\connect` (a `--create` dump, or pg_dumpall's) is refused, as is any
//! other.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::copydata::{CopyState, CopyTarget, PeekBuf, is_copy_from_stdin, parse_copy_statement};
use super::error::ArchiveError;

/// Longest statement accepted. pg_dump's largest are function bodies and view definitions; a
/// "statement" this long means the file is not SQL.
pub const MAX_STATEMENT: usize = 64 * 1024 * 1024;

/// What a plain dump holds, in order.
pub enum PlainItem<'r> {
    /// A statement, `;` included, with the line it starts on.
    Statement { sql: String, line: u64 },
    /// A `COPY ... FROM stdin;` and its rows.
    Copy(CopyBlock<'r>),
}

/// A COPY statement of a plain dump and its data. Reading `rows` is optional: the next
/// [`PlainReader::next_item`] skips what is left.
pub struct CopyBlock<'r> {
    /// The statement, `;` included.
    pub statement: String,
    /// The line the statement starts on.
    pub line: u64,
    pub target: CopyTarget,
    /// The rows, in COPY text format, without the `\.` line that ends them.
    pub rows: CopyRows<'r>,
}

/// The rows of a plain dump's COPY block. Errors are `io::Error`s carrying an [`ArchiveError`]
/// (see [`ArchiveError::from_io`]).
pub struct CopyRows<'r> {
    reader: &'r mut PlainReader,
}

impl Read for CopyRows<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.reader.read_rows(out).map_err(ArchiveError::into_io)
    }
}

/// Reads a plain SQL dump. See the module docs.
pub struct PlainReader {
    buf: PeekBuf<Box<dyn Read + Send>>,
    path: PathBuf,
    /// Line of the next unread byte (1-based).
    line: u64,
    at_line_start: bool,
    /// An open COPY block: its state, and the line its statement started on.
    copy: Option<(CopyState, u64)>,
}

/// Scanner states inside a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Scan {
    Normal,
    LineComment,
    BlockComment(u32),
    /// In `'...'`; `true`: an `E'...'` string, where backslash escapes.
    Single(bool),
    /// The byte after a backslash in an `E'...'` string.
    SingleEscape,
    Double,
    Dollar(Vec<u8>),
}

impl PlainReader {
    pub(crate) fn new(input: Box<dyn Read + Send>, path: &Path) -> PlainReader {
        PlainReader {
            buf: PeekBuf::new(input),
            path: path.to_path_buf(),
            line: 1,
            at_line_start: true,
            copy: None,
        }
    }

    /// The next statement or COPY block; None at the end of the dump.
    pub fn next_item(&mut self) -> Result<Option<PlainItem<'_>>, ArchiveError> {
        if self.copy.is_some() {
            let mut sink = vec![0u8; 64 * 1024];
            while self.read_rows(&mut sink)? > 0 {}
        }
        self.copy = None;
        let Some((sql, line)) = self.read_statement()? else {
            return Ok(None);
        };
        if !is_copy_from_stdin(&sql) {
            return Ok(Some(PlainItem::Statement { sql, line }));
        }
        let target = parse_copy_statement(&sql).ok_or_else(|| {
            ArchiveError::unsupported(
                &self.path,
                format!("line {line}: a COPY statement pgward cannot read: {sql}"),
                "pg_dump writes `COPY schema.table (columns) FROM stdin;`; give a dump made by \
                 pg_dump.",
            )
        })?;
        // The rows start on the line after the statement.
        loop {
            let bytes = self.peek(1)?;
            let Some(&b) = bytes.first() else { break };
            self.advance(1);
            if b == b'\n' {
                break;
            }
        }
        self.copy = Some((CopyState::new(true), line));
        Ok(Some(PlainItem::Copy(CopyBlock {
            statement: sql,
            line,
            target,
            rows: CopyRows { reader: self },
        })))
    }

    fn io_error(&self, e: io::Error) -> ArchiveError {
        if e.get_ref().is_some_and(|inner| inner.is::<ArchiveError>()) {
            return ArchiveError::from_io(e);
        }
        if is_decoder_error(&e) {
            return ArchiveError::corrupt(
                &self.path,
                format!(
                    "the compressed data do not decompress near line {}: {e}",
                    self.line
                ),
            );
        }
        ArchiveError::io(&self.path, e)
    }

    fn read_rows(&mut self, out: &mut [u8]) -> Result<usize, ArchiveError> {
        let Some((mut state, start)) = self.copy else {
            return Ok(0);
        };
        if state.done {
            return Ok(0);
        }
        let n = self
            .buf
            .read_copy_text(out, &mut state)
            .map_err(|e| self.io_error(e))?;
        self.line += out[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        if state.saw_marker {
            self.line += 1;
            self.at_line_start = true;
        }
        self.copy = Some((state, start));
        if n == 0 && !out.is_empty() && !state.saw_marker {
            return Err(ArchiveError::truncated(
                &self.path,
                format!(
                    "in the COPY data that starts on line {start}: the end-of-data line `\\.` is \
                     missing"
                ),
            ));
        }
        Ok(n)
    }

    /// Next byte, and the one after it if buffered (`fill_to(2)` first when it matters).
    fn peek(&mut self, n: usize) -> Result<&[u8], ArchiveError> {
        self.buf.fill_to(n).map_err(|e| self.io_error(e))?;
        Ok(self.buf.available())
    }

    fn advance(&mut self, n: usize) {
        let newlines = self.buf.available()[..n]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        if n > 0 {
            self.at_line_start = self.buf.available()[n - 1] == b'\n';
        }
        self.line += newlines as u64;
        self.buf.consume(n);
    }

    /// Reads one statement; skips whitespace, comments and harmless meta-commands before it.
    fn read_statement(&mut self) -> Result<Option<(String, u64)>, ArchiveError> {
        let mut sql: Vec<u8> = Vec::new();
        let mut start_line = self.line;
        let mut scan = Scan::Normal;
        // Whether the last string closed just before this byte was an E'' string (for `''`
        // inside one, which closes and reopens it).
        let mut last_string_escapes = false;
        loop {
            if sql.is_empty() && scan == Scan::Normal && self.at_line_start {
                let bytes = self.peek(1)?;
                if bytes.first() == Some(&b'\\') {
                    self.meta_command()?;
                    continue;
                }
            }
            let bytes = self.peek(1)?;
            let Some(&byte) = bytes.first() else {
                if sql.is_empty() {
                    return Ok(None);
                }
                return Err(ArchiveError::truncated(
                    &self.path,
                    format!("in the statement that starts on line {start_line}, before its `;`"),
                ));
            };
            if sql.len() >= MAX_STATEMENT {
                return Err(ArchiveError::NotAnArchive {
                    path: self.path.clone(),
                    reason: format!(
                        "the statement that starts on line {start_line} is longer than {} MiB",
                        MAX_STATEMENT >> 20
                    ),
                });
            }
            let keep = !sql.is_empty();
            if !keep && scan == Scan::Normal {
                start_line = self.line;
            }
            match scan {
                Scan::Normal => match byte {
                    b';' => {
                        sql.push(byte);
                        self.advance(1);
                        return self.finish(sql, start_line).map(Some);
                    }
                    b'-' if self.peek(2)?.get(1) == Some(&b'-') => {
                        scan = Scan::LineComment;
                        if keep {
                            sql.extend_from_slice(b"--");
                        }
                        self.advance(2);
                    }
                    b'/' if self.peek(2)?.get(1) == Some(&b'*') => {
                        scan = Scan::BlockComment(1);
                        if keep {
                            sql.extend_from_slice(b"/*");
                        }
                        self.advance(2);
                    }
                    b'\'' => {
                        let prev = sql.last().copied();
                        let escapes = match prev {
                            Some(b'\'') => last_string_escapes,
                            Some(b'E' | b'e') => !sql
                                .get(sql.len().wrapping_sub(2))
                                .is_some_and(|&b| is_ident_byte(b)),
                            _ => false,
                        };
                        scan = Scan::Single(escapes);
                        sql.push(byte);
                        self.advance(1);
                    }
                    b'"' => {
                        scan = Scan::Double;
                        sql.push(byte);
                        self.advance(1);
                    }
                    b'$' if !sql.last().is_some_and(|&b| is_ident_byte(b)) => {
                        match self.dollar_tag()? {
                            Some(tag) => {
                                sql.extend_from_slice(&tag);
                                self.advance(tag.len());
                                scan = Scan::Dollar(tag);
                            }
                            None => {
                                sql.push(byte);
                                self.advance(1);
                            }
                        }
                    }
                    b if b.is_ascii_whitespace() && !keep => self.advance(1),
                    _ => {
                        sql.push(byte);
                        self.advance(1);
                    }
                },
                Scan::LineComment => {
                    if keep {
                        sql.push(byte);
                    }
                    if byte == b'\n' {
                        scan = Scan::Normal;
                    }
                    self.advance(1);
                }
                Scan::BlockComment(depth) => {
                    let next = self.peek(2)?.get(1).copied();
                    let (step, depth) = match (byte, next) {
                        (b'*', Some(b'/')) => (2, depth - 1),
                        (b'/', Some(b'*')) => (2, depth + 1),
                        _ => (1, depth),
                    };
                    if keep {
                        sql.extend_from_slice(&self.buf.available()[..step]);
                    }
                    self.advance(step);
                    scan = match depth {
                        0 => Scan::Normal,
                        d => Scan::BlockComment(d),
                    };
                }
                Scan::Single(escapes) => {
                    sql.push(byte);
                    self.advance(1);
                    if byte == b'\'' {
                        last_string_escapes = escapes;
                        scan = Scan::Normal;
                    } else if byte == b'\\' && escapes {
                        scan = Scan::SingleEscape;
                    }
                }
                Scan::SingleEscape => {
                    sql.push(byte);
                    self.advance(1);
                    scan = Scan::Single(true);
                }
                Scan::Double => {
                    sql.push(byte);
                    self.advance(1);
                    if byte == b'"' {
                        scan = Scan::Normal;
                    }
                }
                Scan::Dollar(ref tag) => {
                    let len = tag.len();
                    if byte == b'$' && self.peek(len)?.starts_with(tag) {
                        sql.extend_from_slice(&self.buf.available()[..len]);
                        self.advance(len);
                        scan = Scan::Normal;
                    } else {
                        sql.push(byte);
                        self.advance(1);
                    }
                }
            }
        }
    }

    /// `$tag$` or `$$` at the current byte (a `$`), if it is one.
    fn dollar_tag(&mut self) -> Result<Option<Vec<u8>>, ArchiveError> {
        let bytes = self.peek(66)?;
        for (i, &b) in bytes.iter().enumerate().skip(1).take(65) {
            if b == b'$' {
                return Ok(Some(bytes[..=i].to_vec()));
            }
            let ok =
                b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 || (i > 1 && b.is_ascii_digit());
            if !ok {
                return Ok(None);
            }
        }
        Ok(None)
    }

    /// A psql meta-command line at a statement start.
    fn meta_command(&mut self) -> Result<(), ArchiveError> {
        let line = self.line;
        let mut text = Vec::new();
        loop {
            let bytes = self.peek(1)?;
            let Some(&b) = bytes.first() else { break };
            self.advance(1);
            if b == b'\n' {
                break;
            }
            if text.len() < 4096 {
                text.push(b);
            }
        }
        let text = String::from_utf8_lossy(&text);
        let command = text
            .trim_start_matches('\\')
            .split_whitespace()
            .next()
            .unwrap_or("");
        match command {
            "restrict" | "unrestrict" => Ok(()),
            "connect" | "c" => Err(ArchiveError::unsupported(
                &self.path,
                format!("line {line}: `\\{command}` switches to another database"),
                "pgward reads a dump of one database. Dump it with `pg_dump` without `--create` \
                 (pg_dumpall output holds several databases: dump the one you need with pg_dump).",
            )),
            _ => Err(ArchiveError::unsupported(
                &self.path,
                format!("line {line}: the psql meta-command `\\{command}`"),
                "pgward reads the SQL that pg_dump writes; remove psql meta-commands (lines \
                 starting with a backslash) from the dump, or dump again with pg_dump.",
            )),
        }
    }

    fn finish(&self, sql: Vec<u8>, line: u64) -> Result<(String, u64), ArchiveError> {
        String::from_utf8(sql).map(|s| (s, line)).map_err(|_| {
            ArchiveError::unsupported(
                &self.path,
                format!("the statement on line {line} is not UTF-8 text"),
                "pgward reads dumps of UTF-8 databases. Dump with `pg_dump --encoding=UTF8`.",
            )
        })
    }
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// Errors a decompressor raises (as opposed to the file system).
fn is_decoder_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput | io::ErrorKind::UnexpectedEof
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(text: &str) -> Result<Vec<String>, ArchiveError> {
        let mut reader = PlainReader::new(
            Box::new(io::Cursor::new(text.as_bytes().to_vec())),
            Path::new("d.sql"),
        );
        let mut out = Vec::new();
        while let Some(item) = reader.next_item()? {
            match item {
                PlainItem::Statement { sql, line } => out.push(format!("{line}: {sql}")),
                PlainItem::Copy(mut block) => {
                    let mut rows = String::new();
                    block
                        .rows
                        .read_to_string(&mut rows)
                        .map_err(ArchiveError::from_io)?;
                    out.push(format!(
                        "{}: COPY {:?}.{} {:?} {rows:?}",
                        block.line, block.target.schema, block.target.table, block.target.columns
                    ));
                }
            }
        }
        Ok(out)
    }

    #[test]
    fn splits_statements_and_copy_blocks() {
        let dump = "--\n-- PostgreSQL database dump\n--\n\n\\restrict abc\n\nSET a = 'x;y';\n\
            CREATE FUNCTION f() RETURNS text AS $_$ select ';' $_$ LANGUAGE sql;\n\
            /* a /* nested */ comment; */ SELECT E'it\\'s;', 'a''b;' AS \"c;d\";\n\
            COPY public.\"T\" (a, \"B\") FROM stdin;\n1\tx;\n\\.\n\
            COPY public.e (a) FROM stdin;\n\\.\n\
            SELECT $1;\n\\unrestrict abc\n";
        let got = items(dump).unwrap();
        assert_eq!(
            got,
            vec![
                "7: SET a = 'x;y';",
                "8: CREATE FUNCTION f() RETURNS text AS $_$ select ';' $_$ LANGUAGE sql;",
                "9: SELECT E'it\\'s;', 'a''b;' AS \"c;d\";",
                "10: COPY Some(\"public\").T [\"a\", \"B\"] \"1\\tx;\\n\"",
                "13: COPY Some(\"public\").e [\"a\"] \"\"",
                "15: SELECT $1;",
            ]
        );
    }

    #[test]
    fn unread_copy_rows_are_skipped() {
        let mut reader = PlainReader::new(
            Box::new(io::Cursor::new(
                b"COPY t (a) FROM stdin;\n1\n2\n\\.\nSELECT 1;\n".to_vec(),
            )),
            Path::new("d.sql"),
        );
        assert!(matches!(
            reader.next_item().unwrap(),
            Some(PlainItem::Copy(_))
        ));
        let Some(PlainItem::Statement { sql, line }) = reader.next_item().unwrap() else {
            panic!("expected a statement");
        };
        assert_eq!((sql.as_str(), line), ("SELECT 1;", 5));
        assert!(reader.next_item().unwrap().is_none());
    }

    #[test]
    fn refuses_connect_and_notices_truncation() {
        let err = items("SELECT 1;\n\\connect shop\n").unwrap_err();
        assert!(err.to_string().contains("line 2: `\\connect`"), "{err}");
        let err = items("SELECT 1;\n\\set x 1\n").unwrap_err();
        assert!(err.to_string().contains("meta-command `\\set`"), "{err}");
        let err = items("SELECT 1;\nCREATE TABLE t (a int").unwrap_err();
        assert!(
            matches!(&err, ArchiveError::Truncated { at, .. } if at.contains("line 2")),
            "{err}"
        );
        let err = items("COPY t (a) FROM stdin;\n1\n2\n").unwrap_err();
        assert!(
            matches!(&err, ArchiveError::Truncated { at, .. } if at.contains("line 1")),
            "{err}"
        );
    }
}
