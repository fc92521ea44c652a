//! The archive reader's errors. Each names the file and says what to do; none quotes table data.

use std::io;
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use thiserror::Error;

/// What can go wrong reading a pg_dump archive.
#[derive(Debug, Error, Diagnostic)]
pub enum ArchiveError {
    /// The operating system refused a read (missing file, permissions, I/O error).
    // The I/O error is in the message, not a `source`: miette would print it a second time.
    #[error("cannot read `{path}`: {error}")]
    #[diagnostic(
        code(pgward::archive::unreadable),
        help("Check that the path exists and that this user may read it.")
    )]
    Io { path: PathBuf, error: io::Error },

    /// Neither a custom- nor a directory-format archive nor a plain SQL dump.
    #[error("`{path}` is not a pg_dump archive: {reason}")]
    #[diagnostic(
        code(pgward::archive::not_an_archive),
        help(
            "Give a file made by `pg_dump -Fc`, a directory made by `pg_dump -Fd` (it holds \
             toc.dat), or a plain SQL dump (`pg_dump -Fp`, optionally gzipped)."
        )
    )]
    NotAnArchive { path: PathBuf, reason: String },

    /// The archive ends early.
    #[error("`{path}` is truncated: it ends {at}")]
    #[diagnostic(
        code(pgward::archive::truncated),
        help(
            "The archive was cut short (disk full, an interrupted copy, pg_dump stopped early). \
             Copy the complete archive again from backup storage, or make a new one with pg_dump."
        )
    )]
    Truncated { path: PathBuf, at: String },

    /// An archive format version this reader does not know.
    #[error("`{path}` has archive version {version}, which pgward does not read")]
    #[diagnostic(
        code(pgward::archive::unknown_version),
        help(
            "pgward reads archive versions 1.12 to 1.16 (pg_dump 9.0 to 18). Dump the database \
             again with a pg_dump of one of those versions, or convert the archive with a \
             matching pg_restore: `pg_restore -f dump.sql ARCHIVE` gives a plain SQL dump."
        )
    )]
    UnknownVersion { path: PathBuf, version: String },

    /// Data compressed with a method this build cannot decompress.
    #[error("`{path}` is compressed with {method}, which pgward cannot decompress")]
    #[diagnostic(
        code(pgward::archive::unsupported_compression),
        help(
            "pgward decompresses gzip, lz4 and zstd. Dump again with `pg_dump -Z gzip` (or \
             `-Z lz4`, `-Z zstd`, `-Z 0`), or decompress the archive with a matching pg_restore \
             into a plain SQL dump: `pg_restore -f dump.sql ARCHIVE`."
        )
    )]
    UnsupportedCompression { path: PathBuf, method: String },

    /// Bytes that cannot be what pg_dump wrote.
    #[error("`{path}` is corrupt: {what}")]
    #[diagnostic(
        code(pgward::archive::corrupt),
        help(
            "The archive is damaged. Copy it again from backup storage (compare its checksum), \
             or make a new one with pg_dump."
        )
    )]
    Corrupt { path: PathBuf, what: String },

    /// A valid dump that holds something this reader does not take (psql meta-commands, tar
    /// format, text that is not UTF-8), or a call that does not fit the archive's format.
    #[error("`{path}`: {what}")]
    #[diagnostic(code(pgward::archive::unsupported), help("{help}"))]
    Unsupported {
        path: PathBuf,
        what: String,
        help: String,
    },
}

impl ArchiveError {
    pub(crate) fn io(path: &Path, source: io::Error) -> ArchiveError {
        // An `ArchiveError` travelling inside an `io::Error` (from a data reader) comes back out.
        match source.get_ref().is_some_and(|e| e.is::<ArchiveError>()) {
            true => ArchiveError::from_io(source),
            false => ArchiveError::Io {
                path: path.to_path_buf(),
                error: source,
            },
        }
    }

    pub(crate) fn truncated(path: &Path, at: impl Into<String>) -> ArchiveError {
        ArchiveError::Truncated {
            path: path.to_path_buf(),
            at: at.into(),
        }
    }

    pub(crate) fn corrupt(path: &Path, what: impl Into<String>) -> ArchiveError {
        ArchiveError::Corrupt {
            path: path.to_path_buf(),
            what: what.into(),
        }
    }

    pub(crate) fn unsupported(
        path: &Path,
        what: impl Into<String>,
        help: impl Into<String>,
    ) -> ArchiveError {
        ArchiveError::Unsupported {
            path: path.to_path_buf(),
            what: what.into(),
            help: help.into(),
        }
    }

    /// The archive error behind an I/O error from a data reader ([`super::DataReader`] and the
    /// plain dump's COPY reader report archive errors as `io::Error`s, as `Read` must). An I/O
    /// error of another kind becomes [`ArchiveError::Io`] with an empty path.
    pub fn from_io(error: io::Error) -> ArchiveError {
        if !error.get_ref().is_some_and(|e| e.is::<ArchiveError>()) {
            return ArchiveError::Io {
                path: PathBuf::new(),
                error,
            };
        }
        match error
            .into_inner()
            .map(|inner| inner.downcast::<ArchiveError>())
        {
            Some(Ok(inner)) => *inner,
            // Not reached: the check above saw an `ArchiveError` inside.
            _ => ArchiveError::Io {
                path: PathBuf::new(),
                error: io::Error::other("archive error"),
            },
        }
    }

    /// This error inside an `io::Error`, for `Read` implementations.
    pub(crate) fn into_io(self) -> io::Error {
        io::Error::other(self)
    }
}
