//! Reading pg_dump output natively: custom-format archives (`pg_dump -Fc`, to a file or through
//! a pipe), directory archives (`-Fd`, also from `-j N`), and plain SQL dumps (`.sql`, `.sql.gz`),
//! as pg_dump 9.0 to 18 write them (archive versions 1.12 to 1.16), compressed with gzip, lz4,
//! zstd or not at all. No pg_restore needed, so the installed PostgreSQL's version does not matter.
//!
//! ```no_run
//! # fn main() -> Result<(), pgward::archive::ArchiveError> {
//! use std::io::Read;
//! let archive = pgward::archive::Archive::open("nightly.dump")?;
//! for entry in archive.entries.iter().filter(|e| e.section == pgward::archive::Section::PreData) {
//!     println!("{}: {}", entry.desc, entry.defn);
//! }
//! archive.for_each_data(|entry, rows| {
//!     let mut text = Vec::new();
//!     rows.read_to_end(&mut text).map_err(pgward::archive::ArchiveError::from_io)?;
//!     println!("{}: {} bytes of COPY text", entry.qualified_name(), text.len());
//!     Ok::<(), pgward::archive::ArchiveError>(())
//! })?;
//! # Ok(()) }
//! ```
//!
//! One job per file:
//! - `mod.rs`: [`Archive`]: format detection, opening, and the data API.
//! - `header.rs`: the header, and the int/string/offset fields everything is made of.
//! - `toc.rs`: the table of contents, [`TocEntry`].
//! - `custom.rs`: a custom archive's data blocks: seek by offset, or one pass in file order.
//! - `directory.rs`: a directory archive's `toc.dat` and data files.
//! - `plain.rs`: plain SQL dumps: statements and COPY blocks.
//! - `compress.rs`: compression methods and streaming decoders.
//! - `copydata.rs`: the COPY text handed to callers ([`DataReader`]), and COPY statements.
//! - `error.rs`: [`ArchiveError`].
//!
//! Nothing here loads a whole table: data stream through a 64 KiB buffer (plus the decoder's),
//! and no input, however damaged, makes the reader panic, hang or allocate more than the file
//! holds.

mod compress;
mod copydata;
mod custom;
mod directory;
mod error;
mod header;
mod plain;
pub mod schema;
mod toc;

use std::fs::{self, File};
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

pub use compress::Compression;
pub use copydata::{CopyTarget, DataReader, parse_copy_statement};
pub use directory::TOC_FILE;
pub use error::ArchiveError;
pub use header::{DumpTime, NEWEST_VERSION, OLDEST_VERSION, Version};
pub use plain::{CopyBlock, CopyRows, MAX_STATEMENT, PlainItem, PlainReader};
pub use toc::{DataLocation, Section, TocEntry};

use compress::Framing;
use copydata::Named;
use header::{FORMAT_CUSTOM, FieldReader, Header, read_header};
use toc::{Extra, read_toc};

/// How the dump was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `pg_dump -Fc`: one file, header + TOC + data blocks.
    Custom,
    /// `pg_dump -Fd`: a directory with `toc.dat` and one file per table.
    Directory,
    /// `pg_dump -Fp`: SQL text.
    Plain,
    /// `pg_dump -Fp` compressed with gzip (`pg_dump -Fp -Z gzip`, or `pg_dump | gzip`).
    PlainGzip,
}

/// An opened dump: what its header and TOC say, and access to its data.
#[derive(Debug, Clone)]
pub struct Archive {
    pub path: PathBuf,
    pub format: Format,
    /// Archive version (None for plain dumps).
    pub version: Option<Version>,
    /// How the data are compressed (what pg_dump was asked for; a directory archive's files
    /// each say theirs by suffix).
    pub compression: Compression,
    /// When pg_dump made it (None for plain dumps).
    pub created: Option<DumpTime>,
    /// The database dumped (None for plain dumps).
    pub dbname: Option<String>,
    /// The server version dumped, as it reported it: `15.18 (Debian 15.18-0+deb12u1)`.
    pub server_version: Option<String>,
    /// The pg_dump version that wrote it.
    pub dump_version: Option<String>,
    /// The TOC, in archive order (empty for plain dumps: read them with [`Archive::plain`]).
    pub entries: Vec<TocEntry>,
    header: Option<Header>,
    /// Custom archives: where the data blocks start, and the file's length.
    data_start: u64,
    file_len: u64,
}

impl Archive {
    /// Opens a dump and reads its header and TOC; the format is found from the content, not
    /// the name.
    pub fn open(path: impl AsRef<Path>) -> Result<Archive, ArchiveError> {
        let path = path.as_ref();
        let meta = fs::metadata(path).map_err(|e| ArchiveError::io(path, e))?;
        if meta.is_dir() {
            return Archive::open_directory(path);
        }
        let mut head = Vec::with_capacity(SNIFF);
        File::open(path)
            .and_then(|f| f.take(SNIFF as u64).read_to_end(&mut head))
            .map_err(|e| ArchiveError::io(path, e))?;
        match sniff(path, &head)? {
            Format::Custom => Archive::open_custom(path, meta.len()),
            format => Ok(Archive {
                path: path.to_path_buf(),
                format,
                version: None,
                compression: match format {
                    Format::PlainGzip => Compression::Gzip,
                    _ => Compression::None,
                },
                created: None,
                dbname: None,
                server_version: None,
                dump_version: None,
                entries: Vec::new(),
                header: None,
                data_start: 0,
                file_len: meta.len(),
            }),
        }
    }

    fn open_custom(path: &Path, file_len: u64) -> Result<Archive, ArchiveError> {
        let file = File::open(path).map_err(|e| ArchiveError::io(path, e))?;
        let mut fields = FieldReader::new(BufReader::new(file), path, 0);
        let header = read_header(&mut fields, FORMAT_CUSTOM)?;
        let entries = read_toc(&mut fields, Extra::Custom)?;
        let data_start = fields.pos();
        Ok(Archive::from_header(
            path,
            Format::Custom,
            header,
            entries,
            data_start,
            file_len,
        ))
    }

    fn open_directory(path: &Path) -> Result<Archive, ArchiveError> {
        if !path.join(TOC_FILE).is_file() {
            return Err(ArchiveError::NotAnArchive {
                path: path.to_path_buf(),
                reason: format!("it is a directory without a `{TOC_FILE}` file"),
            });
        }
        let (header, entries) = directory::read(path)?;
        Ok(Archive::from_header(
            path,
            Format::Directory,
            header,
            entries,
            0,
            0,
        ))
    }

    fn from_header(
        path: &Path,
        format: Format,
        header: Header,
        entries: Vec<TocEntry>,
        data_start: u64,
        file_len: u64,
    ) -> Archive {
        Archive {
            path: path.to_path_buf(),
            format,
            version: Some(header.version),
            compression: header.compression,
            created: Some(header.created),
            dbname: header.dbname.clone(),
            server_version: header.server_version.clone(),
            dump_version: header.dump_version.clone(),
            entries,
            header: Some(header),
            data_start,
            file_len,
        }
    }

    /// The entry with this dump id.
    pub fn entry(&self, dump_id: i32) -> Option<&TocEntry> {
        self.entries.iter().find(|e| e.dump_id == dump_id)
    }

    /// The TABLE DATA entries, in TOC order.
    pub fn table_data(&self) -> impl Iterator<Item = &TocEntry> {
        self.entries.iter().filter(|e| e.is_table_data())
    }

    /// The database encoding, from the `ENCODING` entry (`SET client_encoding = 'UTF8';`).
    pub fn encoding(&self) -> Option<&str> {
        let defn = &self.entries.iter().find(|e| e.desc == "ENCODING")?.defn;
        let start = defn.find('\'')? + 1;
        let len = defn[start..].find('\'')?;
        Some(&defn[start..start + len])
    }

    /// Whether each table's data can be read on its own, e.g. in parallel ([`Archive::open_data`]
    /// then seeks): directory archives, and custom archives written to a file. A custom archive
    /// written through a pipe has no data offsets: read it in one pass with
    /// [`Archive::for_each_data`].
    pub fn has_random_access(&self) -> bool {
        match self.format {
            Format::Directory => true,
            Format::Custom => !self.entries.iter().any(|e| e.data == DataLocation::NotSet),
            Format::Plain | Format::PlainGzip => false,
        }
    }

    /// The data of one TABLE DATA entry, as COPY text. Each call opens the file anew, so
    /// several tables can be read at once from several threads. For a custom archive without
    /// data offsets (written through a pipe) this reads from the start of the data up to the
    /// table each time: use [`Archive::for_each_data`] for those.
    pub fn open_data(&self, entry: &TocEntry) -> Result<DataReader<'static>, ArchiveError> {
        if !entry.is_table_data() {
            return Err(ArchiveError::unsupported(
                &self.path,
                format!("{entry} is not table data"),
                "Read data only for TABLE DATA entries (`TocEntry::is_table_data`); large \
                 objects (BLOBS) are not read, and other entries hold their SQL in `defn`.",
            ));
        }
        match (self.format, &self.header) {
            (Format::Custom, Some(header)) => {
                custom::open_block(&self.path, header, self.data_start, self.file_len, entry)
            }
            (Format::Directory, _) => directory::open_data(&self.path, entry),
            _ => Err(self.plain_misuse()),
        }
    }

    /// Calls `visit` for every TABLE DATA entry with its data, in the order the data are stored
    /// (for a custom archive: file order, one sequential pass, which is how an archive written
    /// through a pipe must be read). What the visitor leaves unread is skipped. An archive that
    /// ends before every table's data is an error after the last table it holds.
    pub fn for_each_data<E, F>(&self, mut visit: F) -> Result<(), E>
    where
        E: From<ArchiveError>,
        F: FnMut(&TocEntry, &mut DataReader<'_>) -> Result<(), E>,
    {
        match (self.format, &self.header) {
            (Format::Custom, Some(header)) => {
                custom::scan(&self.path, header, self.data_start, &self.entries, visit)
            }
            (Format::Directory, _) => {
                for entry in self.entries.iter().filter(|e| e.is_table_data()) {
                    if entry.data == DataLocation::None {
                        continue;
                    }
                    let mut reader = self.open_data(entry)?;
                    visit(entry, &mut reader)?;
                }
                Ok(())
            }
            _ => Err(self.plain_misuse().into()),
        }
    }

    /// Calls `visit` with each large object of a `BLOBS` entry: its OID and a reader of its
    /// (decompressed) bytes. Custom and directory archives only.
    pub fn for_each_blob<E, F>(&self, entry: &TocEntry, visit: F) -> Result<(), E>
    where
        E: From<ArchiveError>,
        F: FnMut(u32, &mut dyn Read) -> Result<(), E>,
    {
        match (self.format, &self.header) {
            (Format::Custom, Some(header)) => {
                custom::for_each_blob(&self.path, header, self.data_start, entry, visit)
            }
            (Format::Directory, _) => directory::for_each_blob(&self.path, entry, visit),
            _ => Err(self.plain_misuse().into()),
        }
    }

    /// Reads a plain SQL dump, statement by statement.
    pub fn plain(&self) -> Result<PlainReader, ArchiveError> {
        let path = &self.path;
        let framing = match self.format {
            Format::Plain => Compression::None,
            Format::PlainGzip => Compression::Gzip,
            _ => {
                return Err(ArchiveError::unsupported(
                    path,
                    "this is an archive, not a plain SQL dump",
                    "Read an archive's DDL from `entries` and its data with `for_each_data` or \
                     `open_data`.",
                ));
            }
        };
        let file = File::open(path).map_err(|e| ArchiveError::io(path, e))?;
        let named = Named {
            inner: BufReader::with_capacity(128 * 1024, file),
            path: path.clone(),
        };
        let input = compress::decoder(framing, Framing::GzipFile, named)
            .map_err(|e| ArchiveError::corrupt(path, format!("cannot start decompressing: {e}")))?;
        Ok(PlainReader::new(input, path))
    }

    fn plain_misuse(&self) -> ArchiveError {
        ArchiveError::unsupported(
            &self.path,
            "a plain SQL dump has no table of contents",
            "Read plain dumps with `Archive::plain`: it yields the statements and the COPY blocks \
             in order.",
        )
    }
}

/// Bytes read to tell the format.
const SNIFF: usize = 8192;

/// Tells a (non-directory) dump's format from its first bytes.
fn sniff(path: &Path, head: &[u8]) -> Result<Format, ArchiveError> {
    let not = |reason: &str| ArchiveError::NotAnArchive {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    if head.is_empty() {
        return Err(not("the file is empty"));
    }
    if head.starts_with(header::MAGIC) {
        return Ok(Format::Custom);
    }
    if head.len() >= 262 && &head[257..262] == b"ustar" {
        return Err(ArchiveError::unsupported(
            path,
            "this is a tar-format archive (`pg_dump -Ft`), which pgward does not read",
            "A tar archive holds a directory archive: unpack it (`mkdir dump && tar -xf ARCHIVE -C \
             dump`) and give the directory, or dump with `pg_dump -Fc` or `-Fd`.",
        ));
    }
    let compressed_with = if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Some(("zstd", "zstd -d"))
    } else if head.starts_with(&[0x04, 0x22, 0x4d, 0x18]) {
        Some(("lz4", "lz4 -d"))
    } else if head.starts_with(b"BZh") {
        Some(("bzip2", "bunzip2"))
    } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        Some(("xz", "unxz"))
    } else {
        None
    };
    if let Some((method, tool)) = compressed_with {
        return Err(ArchiveError::unsupported(
            path,
            format!("the whole file is compressed with {method}"),
            format!(
                "pgward reads plain dumps as they are or gzipped. Decompress it first (`{tool}`), \
                 or give the archive pg_dump wrote (`pg_dump -Fc` compresses inside the archive)."
            ),
        ));
    }
    let (format, text) = if head.starts_with(&[0x1f, 0x8b]) {
        let mut text = Vec::with_capacity(SNIFF);
        let decoder = flate2::read::MultiGzDecoder::new(head);
        // A gzip file cut at SNIFF bytes ends early: what decompressed until then is enough.
        let _ = decoder.take(SNIFF as u64).read_to_end(&mut text);
        if text.is_empty() {
            return Err(not("it is a gzip file whose data do not decompress"));
        }
        (Format::PlainGzip, text)
    } else {
        (Format::Plain, head.to_vec())
    };
    if !looks_like_text(&text) {
        return Err(not(
            "it is neither a custom-format archive (it would start with `PGDMP`) nor SQL text",
        ));
    }
    let sample = String::from_utf8_lossy(&text);
    if sample.contains("PostgreSQL database cluster dump") {
        return Err(ArchiveError::unsupported(
            path,
            "this is pg_dumpall output, which holds several databases and their roles",
            "Dump the one database to sync with `pg_dump -Fc DBNAME` (or `-Fd`, or plain `-Fp`).",
        ));
    }
    Ok(format)
}

/// No NUL byte, and UTF-8 (a character cut by the end of the sample is fine).
fn looks_like_text(bytes: &[u8]) -> bool {
    if bytes.contains(&0) {
        return false;
    }
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_formats_from_content() {
        let p = Path::new("x");
        assert_eq!(sniff(p, b"PGDMP\x01\x0e").unwrap(), Format::Custom);
        assert_eq!(
            sniff(p, b"--\n-- PostgreSQL database dump\n").unwrap(),
            Format::Plain
        );
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, b"SET x = 1;\n").unwrap();
        assert_eq!(sniff(p, &gz.finish().unwrap()).unwrap(), Format::PlainGzip);
        assert!(matches!(
            sniff(p, b"\x00\x01binary"),
            Err(ArchiveError::NotAnArchive { .. })
        ));
        assert!(matches!(
            sniff(p, b""),
            Err(ArchiveError::NotAnArchive { .. })
        ));
        let err = sniff(p, b"\x28\xb5\x2f\xfd....").unwrap_err();
        assert!(err.to_string().contains("zstd"), "{err}");
        let err = sniff(p, b"--\n-- PostgreSQL database cluster dump\n--\n").unwrap_err();
        assert!(err.to_string().contains("pg_dumpall"), "{err}");
        let mut tar = vec![b'a'; 512];
        tar[257..262].copy_from_slice(b"ustar");
        let err = sniff(p, &tar).unwrap_err();
        assert!(err.to_string().contains("tar-format"), "{err}");
    }
}
