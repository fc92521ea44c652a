//! COPY text as callers get it: the [`DataReader`] over one table's (decompressed) data, the
//! end-of-data marker handling, and [`CopyTarget`], the table and columns of a `COPY` statement.
//!
//! What pg_dump stores for a table (every version read, 1.12-1.16, custom and directory alike,
//! and what a plain dump has after its `COPY ... FROM stdin;`): the rows in COPY text format, one
//! per line, then a line `\.` (custom and directory archives add two empty lines after it). A line
//! that is exactly `\.` cannot be a row: a backslash in a value is written `\\`. The reader yields
//! the rows only, and stops at the marker; a stream that ends without the marker was cut short.
//! For `pg_dump --inserts` archives (no COPY statement) the data are SQL, passed on as they are.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::error::ArchiveError;

/// Default read-ahead buffer.
const BUFFER: usize = 64 * 1024;

/// A read-ahead buffer that can look a few bytes past what it hands out, so a line start can be
/// checked for `\.` without reading past the line (the plain reader needs the bytes after a COPY
/// block for the next statement).
pub(crate) struct PeekBuf<R> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
}

impl<R: Read> PeekBuf<R> {
    pub(crate) fn new(inner: R) -> PeekBuf<R> {
        PeekBuf {
            inner,
            buf: vec![0; BUFFER],
            start: 0,
            end: 0,
            eof: false,
        }
    }

    /// The buffered bytes.
    pub(crate) fn available(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    pub(crate) fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
    }

    /// Reads until at least `n` bytes are buffered or the input ends; returns how many are.
    pub(crate) fn fill_to(&mut self, n: usize) -> io::Result<usize> {
        while self.end - self.start < n && !self.eof {
            if self.start > 0 && self.buf.len() - self.start < n.max(BUFFER / 2) {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            if self.buf.len() - self.start < n {
                self.buf.resize(self.start + n, 0);
            }
            if self.end == self.buf.len() {
                // Full of unconsumed bytes below `n`: cannot happen after the resize above.
                break;
            }
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(got) => self.end += got,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(self.end - self.start)
    }

    /// Reads COPY text into `out` up to the end-of-data marker (see the module docs).
    pub(crate) fn read_copy_text(
        &mut self,
        out: &mut [u8],
        state: &mut CopyState,
    ) -> io::Result<usize> {
        if state.done || out.is_empty() {
            return Ok(0);
        }
        if state.stop_at_marker && state.at_line_start {
            let have = self.fill_to(4)?;
            let bytes = self.available();
            if bytes.starts_with(b"\\.") {
                let rest = &bytes[2..];
                let newline = if rest.starts_with(b"\n") {
                    Some(1)
                } else if rest.starts_with(b"\r\n") {
                    Some(2)
                } else if have == 2 || (have == 3 && rest == b"\r") {
                    Some(have - 2) // the marker ends the input
                } else {
                    None
                };
                if let Some(newline) = newline {
                    self.consume(2 + newline);
                    state.done = true;
                    state.saw_marker = true;
                    return Ok(0);
                }
            }
        }
        if self.available().is_empty() && self.fill_to(1)? == 0 {
            state.done = true;
            return Ok(0);
        }
        let bytes = self.available();
        let limit = bytes.len().min(out.len());
        let (n, line_end) = match bytes[..limit].iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (limit, false),
        };
        out[..n].copy_from_slice(&bytes[..n]);
        self.consume(n);
        state.at_line_start = line_end;
        Ok(n)
    }
}

/// Where a COPY text stream is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CopyState {
    pub(crate) at_line_start: bool,
    pub(crate) done: bool,
    pub(crate) stop_at_marker: bool,
    pub(crate) saw_marker: bool,
}

impl CopyState {
    pub(crate) fn new(stop_at_marker: bool) -> CopyState {
        CopyState {
            at_line_start: true,
            done: false,
            stop_at_marker,
            saw_marker: false,
        }
    }
}

/// One table's data: the decompressed COPY text, rows only (no `\.` marker). Streams: it holds
/// one buffer of 64 KiB, whatever the table size.
///
/// Errors come as `io::Error`s (as `Read` requires) that carry an [`ArchiveError`] naming the
/// archive and the entry: get it back with [`ArchiveError::from_io`].
pub struct DataReader<'a> {
    buf: PeekBuf<Box<dyn Read + Send + 'a>>,
    state: CopyState,
    path: PathBuf,
    entry: String,
    compression: super::Compression,
    /// Whether the input after the marker has been read to its end.
    drained: bool,
}

impl<'a> DataReader<'a> {
    /// `entry` names the TOC entry in errors; `copy` says the data are COPY text (with the `\.`
    /// marker), not INSERT statements.
    pub(crate) fn new(
        decoded: Box<dyn Read + Send + 'a>,
        path: &Path,
        entry: String,
        compression: super::Compression,
        copy: bool,
    ) -> DataReader<'a> {
        DataReader {
            buf: PeekBuf::new(decoded),
            state: CopyState::new(copy),
            path: path.to_path_buf(),
            entry,
            compression,
            drained: false,
        }
    }

    fn error(&self, e: io::Error) -> io::Error {
        if e.get_ref().is_some_and(|inner| inner.is::<ArchiveError>()) {
            return e;
        }
        let what = match self.compression {
            super::Compression::None => format!("the data of {} cannot be read: {e}", self.entry),
            c => format!("the {c} data of {} do not decompress: {e}", self.entry),
        };
        ArchiveError::corrupt(&self.path, what).into_io()
    }
}

impl Read for DataReader<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self
            .buf
            .read_copy_text(out, &mut self.state)
            .map_err(|e| self.error(e))?;
        if n == 0 && self.state.saw_marker && !self.drained {
            // Read the stream to its end (pg_dump writes two empty lines after the marker): the
            // decoder checks the compressed stream's own end there, e.g. a gzip file's CRC and
            // length, so a data file cut or damaged after the last row is an error, as for
            // pg_restore, not complete-looking data.
            self.drained = true;
            while let have @ 1.. = self.buf.fill_to(1).map_err(|e| self.error(e))? {
                self.buf.consume(have);
            }
        }
        if n == 0 && !out.is_empty() && self.state.stop_at_marker && !self.state.saw_marker {
            return Err(ArchiveError::truncated(
                &self.path,
                format!(
                    "in the data of {}: the end-of-data marker `\\.` is missing",
                    self.entry
                ),
            )
            .into_io());
        }
        Ok(n)
    }
}

/// Wraps a file's reads so their errors name the file.
pub(crate) struct Named<R> {
    pub(crate) inner: R,
    pub(crate) path: PathBuf,
}

impl<R: Read> Read for Named<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).map_err(|e| {
            if e.kind() == io::ErrorKind::Interrupted {
                e
            } else {
                ArchiveError::io(&self.path, e).into_io()
            }
        })
    }
}

/// The table and columns of a `COPY table (columns) FROM stdin;` statement, identifiers unquoted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CopyTarget {
    /// None when the statement does not qualify the table.
    pub schema: Option<String>,
    pub table: String,
    /// Empty when the statement lists no columns (all columns, in table order).
    pub columns: Vec<String>,
}

/// Parses the head of a `COPY` statement as pg_dump writes it: `COPY public."Mixed Case" (id,
/// "Note") FROM stdin;`. None if it is not a COPY of a table.
pub fn parse_copy_statement(sql: &str) -> Option<CopyTarget> {
    let mut lexer = Lexer { rest: sql };
    lexer.skip_space();
    let keyword = lexer.word()?;
    if !keyword.eq_ignore_ascii_case("copy") {
        return None;
    }
    lexer.skip_space();
    let first = lexer.identifier()?;
    let (schema, table) = if lexer.peek() == Some('.') {
        lexer.bump();
        (Some(first), lexer.identifier()?)
    } else {
        (None, first)
    };
    lexer.skip_space();
    let mut columns = Vec::new();
    if lexer.peek() == Some('(') {
        lexer.bump();
        loop {
            lexer.skip_space();
            columns.push(lexer.identifier()?);
            lexer.skip_space();
            match lexer.peek()? {
                ',' => lexer.bump(),
                ')' => {
                    lexer.bump();
                    break;
                }
                _ => return None,
            }
        }
        lexer.skip_space();
    }
    let from = lexer.word()?;
    if !from.eq_ignore_ascii_case("from") {
        return None;
    }
    Some(CopyTarget {
        schema,
        table,
        columns,
    })
}

/// Whether a statement is a `COPY ... FROM stdin` whose data follow it in a plain dump.
pub(crate) fn is_copy_from_stdin(sql: &str) -> bool {
    let head = sql.trim_start();
    if !head
        .get(..5)
        .is_some_and(|w| w.eq_ignore_ascii_case("copy "))
    {
        return false;
    }
    let lower = sql.to_ascii_lowercase();
    lower.contains(" from stdin")
}

struct Lexer<'s> {
    rest: &'s str,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.rest.chars().next()
    }

    fn bump(&mut self) {
        if let Some(c) = self.peek() {
            self.rest = &self.rest[c.len_utf8()..];
        }
    }

    fn skip_space(&mut self) {
        self.rest = self.rest.trim_start();
    }

    /// An unquoted word (keyword or identifier), as written.
    fn word(&mut self) -> Option<&str> {
        let len = self
            .rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(self.rest.len());
        if len == 0 {
            return None;
        }
        let (word, rest) = self.rest.split_at(len);
        self.rest = rest;
        Some(word)
    }

    /// An identifier: `"quoted ""name"""` as is, unquoted folded to lower case.
    fn identifier(&mut self) -> Option<String> {
        if self.peek() != Some('"') {
            return self.word().map(str::to_lowercase);
        }
        self.bump();
        let mut name = String::new();
        loop {
            let c = self.peek()?;
            self.bump();
            if c == '"' {
                if self.peek() == Some('"') {
                    self.bump();
                    name.push('"');
                } else {
                    return Some(name);
                }
            } else {
                name.push(c);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy_text(input: &[u8], marker: bool, chunk: usize) -> (Vec<u8>, CopyState, Vec<u8>) {
        let mut buf = PeekBuf::new(input);
        let mut state = CopyState::new(marker);
        let mut out = Vec::new();
        let mut piece = vec![0u8; chunk];
        loop {
            let n = buf.read_copy_text(&mut piece, &mut state).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&piece[..n]);
        }
        let rest = buf.available().to_vec();
        (out, state, rest)
    }

    #[test]
    fn stops_at_the_marker_whatever_the_read_size() {
        let input = b"1\ta\\.b\n\\.x\t2\n2\t\\N\n\\.\n\n\nSELECT 1;";
        for chunk in [1, 2, 3, 7, 4096] {
            let (out, state, rest) = copy_text(input, true, chunk);
            assert_eq!(out, b"1\ta\\.b\n\\.x\t2\n2\t\\N\n", "chunk {chunk}");
            assert!(state.saw_marker);
            assert_eq!(rest, b"\n\nSELECT 1;", "chunk {chunk}");
        }
    }

    #[test]
    fn marker_at_the_very_end_and_crlf() {
        let (out, state, _) = copy_text(b"1\n\\.", true, 16);
        assert_eq!(out, b"1\n");
        assert!(state.saw_marker);
        let (out, state, rest) = copy_text(b"1\r\n\\.\r\nX", true, 16);
        assert_eq!(out, b"1\r\n");
        assert!(state.saw_marker);
        assert_eq!(rest, b"X");
    }

    #[test]
    fn missing_marker_is_noticed() {
        let (out, state, _) = copy_text(b"1\n2\n", true, 16);
        assert_eq!(out, b"1\n2\n");
        assert!(!state.saw_marker);
        let (out, _, _) = copy_text(b"INSERT INTO t VALUES (1);\n\\.\n", false, 16);
        assert_eq!(out, b"INSERT INTO t VALUES (1);\n\\.\n");
    }

    #[test]
    fn data_reader_reports_a_missing_marker_as_truncation() {
        let mut reader = DataReader::new(
            Box::new(&b"1\n"[..]),
            Path::new("a.dump"),
            "TOC entry 5 (TABLE DATA public.t)".into(),
            super::super::Compression::None,
            true,
        );
        let mut out = Vec::new();
        let err = ArchiveError::from_io(reader.read_to_end(&mut out).unwrap_err());
        assert!(
            matches!(&err, ArchiveError::Truncated { at, .. } if at.contains("TOC entry 5")),
            "{err}"
        );
    }

    #[test]
    fn parses_copy_statements() {
        let t = parse_copy_statement(
            "COPY public.\"Mixed \"\"Case\"\"\" (id, \"Note\", data) FROM stdin;\n",
        )
        .unwrap();
        assert_eq!(t.schema.as_deref(), Some("public"));
        assert_eq!(t.table, "Mixed \"Case\"");
        assert_eq!(t.columns, vec!["id", "Note", "data"]);
        let t = parse_copy_statement("copy Users FROM stdin;").unwrap();
        assert_eq!((t.schema, t.table.as_str()), (None, "users"));
        assert!(t.columns.is_empty());
        assert!(parse_copy_statement("COPY (SELECT 1) TO stdout;").is_none());
        assert!(parse_copy_statement("CREATE TABLE t (a int);").is_none());
        assert!(is_copy_from_stdin("COPY public.t (a) FROM stdin;"));
        assert!(!is_copy_from_stdin("COPY public.t (a) TO stdout;"));
    }
}
