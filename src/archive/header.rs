//! The archive header (custom format, and a directory archive's `toc.dat`), and the primitive
//! fields everything after it is made of.
//!
//! Layout, as `WriteHead`/`ReadHead` in PostgreSQL's `src/bin/pg_dump/pg_backup_archiver.c`:
//!
//! ```text
//! "PGDMP"  major:u8 minor:u8 rev:u8  int_size:u8 offset_size:u8 format:u8
//! compression   (1.15+: algorithm:u8, 0 none 1 gzip 2 lz4 3 zstd; before: int level, 0 = none, else gzip)
//! created       7 ints: tm_sec tm_min tm_hour tm_mday tm_mon tm_year tm_isdst
//! dbname        str
//! server version, pg_dump version   str str
//! ```
//!
//! An int is a sign byte (1 = negative) and `int_size` bytes of magnitude, least significant
//! first. A str is an int length (negative: NULL) and that many bytes. An offset is a state byte
//! (1 not set, 2 set, 3 no data) and `offset_size` bytes, least significant first.
//!
//! Every read is bounded: a field that runs past the end of the file is a truncated archive at
//! the reader's current place (`FieldReader::set_context`), never a panic or a huge allocation.

use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::compress::Compression;
use super::error::ArchiveError;

/// The magic bytes every custom archive and every `toc.dat` starts with.
pub const MAGIC: &[u8; 5] = b"PGDMP";

/// `format` byte of a custom-format archive (`archCustom`).
pub(crate) const FORMAT_CUSTOM: u8 = 1;
/// `format` byte of a directory archive's `toc.dat`: pg_dump writes the tar format's code there
/// (`archTar`), the two share their layout.
pub(crate) const FORMAT_TAR: u8 = 3;

/// Oldest and newest archive versions read (pg_dump 9.0 wrote 1.12; 17 and 18 write 1.16).
pub const OLDEST_VERSION: Version = Version::new(1, 12, 0);
pub const NEWEST_VERSION: Version = Version::new(1, 16, 255);

/// An archive format version (`K_VERS_1_14` and so on). pg_dump 12 to 15 write 1.14, 16 writes
/// 1.15, 17 and 18 write 1.16.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u8,
    pub minor: u8,
    pub rev: u8,
}

impl Version {
    pub const fn new(major: u8, minor: u8, rev: u8) -> Version {
        Version { major, minor, rev }
    }

    /// At least `major.minor` (any revision).
    pub fn at_least(self, major: u8, minor: u8) -> bool {
        (self.major, self.minor) >= (major, minor)
    }
}

impl fmt::Display for Version {
    /// As `pg_restore -l` prints it: `1.14-0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}-{}", self.major, self.minor, self.rev)
    }
}

/// When the archive was made, in pg_dump's local time, as its header stores it (`struct tm`
/// fields, made human: a 4-digit year and months from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DumpTime {
    pub year: i64,
    pub month: i64,
    pub day: i64,
    pub hour: i64,
    pub minute: i64,
    pub second: i64,
    /// Daylight saving time was in effect (`tm_isdst > 0`).
    pub dst: bool,
}

impl fmt::Display for DumpTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

/// The header fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub version: Version,
    pub int_size: u8,
    pub offset_size: u8,
    /// The format byte: [`FORMAT_CUSTOM`] or [`FORMAT_TAR`] (directory archives).
    pub format_code: u8,
    pub compression: Compression,
    pub created: DumpTime,
    pub dbname: Option<String>,
    pub server_version: Option<String>,
    pub dump_version: Option<String>,
}

/// Reads the header's and the TOC's primitive fields from `R`, keeping count of the position and
/// of where in the archive it is, for error messages.
pub(crate) struct FieldReader<R> {
    inner: R,
    path: PathBuf,
    pos: u64,
    version: Version,
    int_size: usize,
    offset_size: usize,
    context: String,
}

impl<R: Read> FieldReader<R> {
    /// A reader positioned at `pos` of the file `path`. Until [`read_header`] has run, ints are
    /// 4 bytes and the version is the oldest read.
    pub(crate) fn new(inner: R, path: &Path, pos: u64) -> FieldReader<R> {
        FieldReader {
            inner,
            path: path.to_path_buf(),
            pos,
            version: OLDEST_VERSION,
            int_size: 4,
            offset_size: 8,
            context: "in the header".to_string(),
        }
    }

    /// A reader for the fields after a header already read.
    pub(crate) fn with_header(inner: R, path: &Path, pos: u64, header: &Header) -> FieldReader<R> {
        let mut reader = FieldReader::new(inner, path, pos);
        reader.version = header.version;
        reader.int_size = usize::from(header.int_size);
        reader.offset_size = usize::from(header.offset_size);
        reader
    }

    pub(crate) fn pos(&self) -> u64 {
        self.pos
    }

    pub(crate) fn version(&self) -> Version {
        self.version
    }

    /// Where the next reads are, as the end of "it ends ...": `in TOC entry 3 of 16`.
    pub(crate) fn set_context(&mut self, context: impl Into<String>) {
        self.context = context.into();
    }

    pub(crate) fn truncated(&self) -> ArchiveError {
        ArchiveError::truncated(
            &self.path,
            format!("{} (at byte {})", self.context, self.pos),
        )
    }

    pub(crate) fn corrupt(&self, what: impl fmt::Display) -> ArchiveError {
        ArchiveError::corrupt(
            &self.path,
            format!("{what} {} (at byte {})", self.context, self.pos),
        )
    }

    /// Up to `buf.len()` bytes; 0 only at the end of the file.
    pub(crate) fn read_some(&mut self, buf: &mut [u8]) -> Result<usize, ArchiveError> {
        loop {
            match self.inner.read(buf) {
                Ok(n) => {
                    self.pos += n as u64;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(ArchiveError::io(&self.path, e)),
            }
        }
    }

    /// Exactly `buf.len()` bytes, or a truncated-archive error.
    pub(crate) fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), ArchiveError> {
        let mut filled = 0;
        while filled < buf.len() {
            match self.read_some(&mut buf[filled..])? {
                0 => return Err(self.truncated()),
                n => filled += n,
            }
        }
        Ok(())
    }

    /// One byte, or `None` at the end of the file.
    pub(crate) fn read_byte_or_eof(&mut self) -> Result<Option<u8>, ArchiveError> {
        let mut byte = [0u8];
        match self.read_some(&mut byte)? {
            0 => Ok(None),
            _ => Ok(Some(byte[0])),
        }
    }

    pub(crate) fn read_byte(&mut self) -> Result<u8, ArchiveError> {
        self.read_byte_or_eof()?.ok_or_else(|| self.truncated())
    }

    /// Skips `n` bytes.
    pub(crate) fn skip(&mut self, n: u64) -> Result<(), ArchiveError> {
        let mut buf = [0u8; 8192];
        let mut left = n;
        while left > 0 {
            let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
            match self.read_some(&mut buf[..want])? {
                0 => return Err(self.truncated()),
                got => left -= got as u64,
            }
        }
        Ok(())
    }

    /// A pg_dump int: sign byte, then `int_size` bytes, least significant first.
    pub(crate) fn read_int(&mut self) -> Result<i64, ArchiveError> {
        let negative = self.read_byte()? != 0;
        let mut magnitude: u64 = 0;
        for i in 0..self.int_size {
            let byte = self.read_byte()?;
            if i < 8 {
                magnitude |= u64::from(byte) << (8 * i);
            } else if byte != 0 {
                return Err(self.corrupt("an integer too large for 64 bits"));
            }
        }
        let value = i64::try_from(magnitude)
            .map_err(|_| self.corrupt("an integer too large for 64 bits"))?;
        Ok(if negative { -value } else { value })
    }

    /// An int that pg_dump wrote from a C `int`.
    pub(crate) fn read_i32(&mut self) -> Result<i32, ArchiveError> {
        let value = self.read_int()?;
        i32::try_from(value)
            .map_err(|_| self.corrupt(format_args!("an integer out of range ({value})")))
    }

    /// A pg_dump string: int length (negative: NULL), then the bytes. Text must be UTF-8.
    pub(crate) fn read_str(&mut self) -> Result<Option<String>, ArchiveError> {
        let len = self.read_int()?;
        if len < 0 {
            return Ok(None);
        }
        let len = u64::try_from(len).unwrap_or(0);
        let mut bytes = Vec::new();
        // `take` + `read_to_end` grows the buffer with the data actually there: a corrupt length
        // cannot make us allocate gigabytes up front.
        let got = (&mut self.inner)
            .take(len)
            .read_to_end(&mut bytes)
            .map_err(|e| ArchiveError::io(&self.path, e))?;
        self.pos += got as u64;
        if (got as u64) < len {
            return Err(self.truncated());
        }
        String::from_utf8(bytes).map(Some).map_err(|_| {
            ArchiveError::unsupported(
                &self.path,
                format!(
                    "text that is not UTF-8 {} (at byte {})",
                    self.context, self.pos
                ),
                "pgward reads dumps of UTF-8 databases. Dump with `pg_dump --encoding=UTF8`.",
            )
        })
    }

    /// A data offset: state byte and `offset_size` bytes.
    pub(crate) fn read_offset(&mut self) -> Result<(u8, u64), ArchiveError> {
        let state = self.read_byte()?;
        let mut offset: u64 = 0;
        for i in 0..self.offset_size {
            let byte = self.read_byte()?;
            if i < 8 {
                offset |= u64::from(byte) << (8 * i);
            } else if byte != 0 {
                return Err(self.corrupt("a file offset too large for 64 bits"));
            }
        }
        Ok((state, offset))
    }
}

/// Reads the header, magic included, and sets `reader` up for the fields after it.
/// `expected_format` is [`FORMAT_CUSTOM`] or [`FORMAT_TAR`].
pub(crate) fn read_header<R: Read>(
    reader: &mut FieldReader<R>,
    expected_format: u8,
) -> Result<Header, ArchiveError> {
    reader.set_context("in the header");
    let mut magic = [0u8; 5];
    reader.read_exact(&mut magic)?;
    if &magic != MAGIC {
        return Err(ArchiveError::NotAnArchive {
            path: reader.path.clone(),
            reason: "it does not start with the pg_dump archive signature `PGDMP`".to_string(),
        });
    }
    let major = reader.read_byte()?;
    let minor = reader.read_byte()?;
    // Archives after 1.0 have a revision byte; 1.0 and older are far below what we read.
    let rev = if major > 1 || (major == 1 && minor > 0) {
        reader.read_byte()?
    } else {
        0
    };
    let version = Version::new(major, minor, rev);
    if !(OLDEST_VERSION..=NEWEST_VERSION).contains(&version) {
        return Err(ArchiveError::UnknownVersion {
            path: reader.path.clone(),
            version: format!("{major}.{minor}"),
        });
    }
    reader.version = version;

    let int_size = reader.read_byte()?;
    if !(1..=32).contains(&int_size) {
        return Err(reader.corrupt(format_args!("an integer size of {int_size} bytes")));
    }
    reader.int_size = usize::from(int_size);
    // 1.7 and later (all we read) store the offset size.
    let offset_size = reader.read_byte()?;
    if !(1..=32).contains(&offset_size) {
        return Err(reader.corrupt(format_args!("a file offset size of {offset_size} bytes")));
    }
    reader.offset_size = usize::from(offset_size);

    let format_code = reader.read_byte()?;
    if format_code != expected_format {
        let (found, wanted) = (format_name(format_code), format_name(expected_format));
        return Err(reader.corrupt(format_args!(
            "the header says {found} format where {wanted} was expected"
        )));
    }

    let compression = if version.at_least(1, 15) {
        let algorithm = reader.read_byte()?;
        Compression::from_algorithm(algorithm).ok_or_else(|| {
            ArchiveError::UnsupportedCompression {
                path: reader.path.clone(),
                method: format!("compression method number {algorithm}"),
            }
        })?
    } else {
        // The zlib level: 0 is none, anything else (-1 is zlib's default) gzip.
        match reader.read_int()? {
            0 => Compression::None,
            _ => Compression::Gzip,
        }
    };

    let mut tm = [0i64; 7];
    for field in &mut tm {
        *field = reader.read_int()?;
    }
    let created = DumpTime {
        second: tm[0],
        minute: tm[1],
        hour: tm[2],
        day: tm[3],
        month: tm[4] + 1,
        year: tm[5] + 1900,
        dst: tm[6] > 0,
    };
    let dbname = reader.read_str()?;
    // 1.10 and later (all we read) store both versions.
    let server_version = reader.read_str()?;
    let dump_version = reader.read_str()?;
    Ok(Header {
        version,
        int_size,
        offset_size,
        format_code,
        compression,
        created,
        dbname,
        server_version,
        dump_version,
    })
}

fn format_name(code: u8) -> String {
    match code {
        FORMAT_CUSTOM => "custom".to_string(),
        FORMAT_TAR => "tar/directory".to_string(),
        5 => "directory".to_string(),
        other => format!("unknown ({other})"),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Writes fields the way pg_dump's `WriteInt`/`WriteStr` do.
    pub(crate) struct Writer {
        pub bytes: Vec<u8>,
        pub int_size: usize,
    }

    impl Writer {
        pub fn new() -> Writer {
            Writer {
                bytes: Vec::new(),
                int_size: 4,
            }
        }
        pub fn byte(&mut self, b: u8) -> &mut Writer {
            self.bytes.push(b);
            self
        }
        pub fn int(&mut self, value: i64) -> &mut Writer {
            self.bytes.push(u8::from(value < 0));
            let mut magnitude = value.unsigned_abs();
            for _ in 0..self.int_size {
                self.bytes.push((magnitude & 0xff) as u8);
                magnitude >>= 8;
            }
            self
        }
        pub fn str(&mut self, s: Option<&str>) -> &mut Writer {
            match s {
                None => self.int(-1),
                Some(s) => {
                    self.int(s.len() as i64);
                    self.bytes.extend_from_slice(s.as_bytes());
                    self
                }
            }
        }
    }

    /// A header as pg_dump `major.minor` writes it.
    pub(crate) fn header(minor: u8, format: u8, compression: u8) -> Writer {
        let mut w = Writer::new();
        w.bytes.extend_from_slice(MAGIC);
        w.byte(1).byte(minor).byte(0).byte(4).byte(8).byte(format);
        if minor >= 15 {
            w.byte(compression);
        } else {
            w.int(if compression == 0 { 0 } else { -1 });
        }
        for v in [5, 4, 3, 22, 10, 126, 0] {
            w.int(v);
        }
        w.str(Some("shop")).str(Some("15.4")).str(Some("17.2"));
        w
    }

    fn parse(bytes: &[u8], format: u8) -> Result<Header, ArchiveError> {
        let mut reader = FieldReader::new(bytes, Path::new("x.dump"), 0);
        read_header(&mut reader, format)
    }

    #[test]
    fn reads_headers_of_every_supported_version() {
        for minor in 12..=16 {
            let compression = if minor >= 15 { 3 } else { 1 };
            let w = header(minor, FORMAT_CUSTOM, compression);
            let h = parse(&w.bytes, FORMAT_CUSTOM).unwrap();
            assert_eq!(h.version, Version::new(1, minor, 0));
            assert_eq!(h.int_size, 4);
            assert_eq!(h.offset_size, 8);
            let expected = if minor >= 15 {
                Compression::Zstd
            } else {
                Compression::Gzip
            };
            assert_eq!(h.compression, expected, "1.{minor}");
            assert_eq!(h.created.to_string(), "2026-11-22 03:04:05");
            assert_eq!(h.dbname.as_deref(), Some("shop"));
            assert_eq!(h.server_version.as_deref(), Some("15.4"));
            assert_eq!(h.dump_version.as_deref(), Some("17.2"));
        }
    }

    #[test]
    fn old_headers_say_no_compression_with_level_zero() {
        let w = header(14, FORMAT_CUSTOM, 0);
        assert_eq!(
            parse(&w.bytes, FORMAT_CUSTOM).unwrap().compression,
            Compression::None
        );
    }

    #[test]
    fn refuses_unknown_versions_and_compression() {
        for minor in [11, 17] {
            let w = header(minor, FORMAT_CUSTOM, 0);
            let err = parse(&w.bytes, FORMAT_CUSTOM).unwrap_err();
            assert!(
                matches!(&err, ArchiveError::UnknownVersion { version, .. } if *version == format!("1.{minor}")),
                "{err}"
            );
        }
        let w = header(16, FORMAT_CUSTOM, 9);
        let err = parse(&w.bytes, FORMAT_CUSTOM).unwrap_err();
        assert!(
            matches!(err, ArchiveError::UnsupportedCompression { .. }),
            "{err}"
        );
    }

    #[test]
    fn refuses_the_other_format() {
        let w = header(16, FORMAT_TAR, 0);
        let err = parse(&w.bytes, FORMAT_CUSTOM).unwrap_err();
        assert!(err.to_string().contains("tar/directory format"), "{err}");
    }

    #[test]
    fn every_cut_of_a_header_is_a_truncated_archive() {
        let w = header(16, FORMAT_CUSTOM, 1);
        for cut in 0..w.bytes.len() {
            let err = parse(&w.bytes[..cut], FORMAT_CUSTOM).unwrap_err();
            assert!(
                matches!(&err, ArchiveError::Truncated { at, .. } if at.contains("in the header")),
                "cut at {cut}: {err}"
            );
        }
    }

    #[test]
    fn reads_negative_ints_and_null_strings() {
        let mut w = Writer::new();
        w.int(-42).str(None).str(Some("é"));
        let mut reader = FieldReader::new(&w.bytes[..], Path::new("x"), 0);
        assert_eq!(reader.read_int().unwrap(), -42);
        assert_eq!(reader.read_str().unwrap(), None);
        assert_eq!(reader.read_str().unwrap().as_deref(), Some("é"));
    }

    #[test]
    fn a_huge_string_length_is_truncation_not_allocation() {
        let mut w = Writer::new();
        w.int(i64::from(i32::MAX));
        let mut reader = FieldReader::new(&w.bytes[..], Path::new("x"), 0);
        assert!(matches!(
            reader.read_str(),
            Err(ArchiveError::Truncated { .. })
        ));
    }
}
