//! Directory-format archives (`pg_dump -Fd`, `pg_backup_directory.c`): `toc.dat` holds the header
//! and the TOC (never compressed), and each data entry has a file named in the TOC, `<dumpId>.dat`,
//! plus a suffix for its compression: `.gz` (a gzip file), `.lz4` (LZ4 frames) or `.zst` (zstd).
//! Like pg_restore, the reader takes the name as given first, then with each suffix, and decodes
//! by the suffix found. Large objects: a `BLOBS` entry's file (`blobs.toc`, or `blobs_<id>.toc`
//! from pg_dump 17 on) lists `<oid> blob_<oid>.dat` lines, one file per object, compressed the
//! same way ([`for_each_blob`]).

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use super::compress::{self, Compression, Framing};
use super::copydata::{DataReader, Named};
use super::error::ArchiveError;
use super::header::{FORMAT_TAR, FieldReader, Header, read_header};
use super::toc::{DataLocation, Extra, TocEntry, read_toc};

/// The TOC file's name inside the directory.
pub const TOC_FILE: &str = "toc.dat";

/// Reads `dir/toc.dat`.
pub(crate) fn read(dir: &Path) -> Result<(Header, Vec<TocEntry>), ArchiveError> {
    let path = dir.join(TOC_FILE);
    let file = File::open(&path).map_err(|e| ArchiveError::io(&path, e))?;
    let mut fields = FieldReader::new(BufReader::new(file), &path, 0);
    let header = read_header(&mut fields, FORMAT_TAR)?;
    let entries = read_toc(&mut fields, Extra::Directory)?;
    Ok((header, entries))
}

/// The data file of `entry` and the compression its name says.
pub(crate) fn data_file(
    dir: &Path,
    entry: &TocEntry,
) -> Result<(PathBuf, Compression), ArchiveError> {
    let DataLocation::File(name) = &entry.data else {
        return Err(ArchiveError::unsupported(
            dir,
            format!("{entry} has no data file"),
            "Read data only for entries with data (`TABLE DATA` entries whose `data` is not \
             `DataLocation::None`).",
        ));
    };
    // The name comes from the archive: it must stay inside the directory.
    if name.contains('/') || name.contains('\\') || name.starts_with('.') {
        return Err(ArchiveError::corrupt(
            dir,
            format!("{entry} names the data file `{name}`, which is not a plain file name"),
        ));
    }
    for compression in [
        Compression::None,
        Compression::Gzip,
        Compression::Lz4,
        Compression::Zstd,
    ] {
        let path = dir.join(format!("{name}{}", compression.suffix()));
        if path.is_file() {
            return Ok((path, compression));
        }
    }
    Err(ArchiveError::truncated(
        dir,
        format!(
            "without the data of {entry}: {name} (or {name}.gz, .lz4, .zst) is missing from the \
             directory"
        ),
    ))
}

/// The data of one entry (a new file handle: several can be read at once).
pub(crate) fn open_data(dir: &Path, entry: &TocEntry) -> Result<DataReader<'static>, ArchiveError> {
    let (path, compression) = data_file(dir, entry)?;
    let file = File::open(&path).map_err(|e| ArchiveError::io(&path, e))?;
    let named = Named {
        inner: BufReader::with_capacity(128 * 1024, file),
        path: path.clone(),
    };
    let decoded = compress::decoder(compression, Framing::GzipFile, named).map_err(|e| {
        ArchiveError::corrupt(&path, format!("cannot start decompressing {entry}: {e}"))
    })?;
    let copy = entry.copy_stmt.as_deref().is_some_and(|s| !s.is_empty());
    Ok(DataReader::new(
        decoded,
        &path,
        entry.to_string(),
        compression,
        copy,
    ))
}

/// Calls `visit` with each large object of a `BLOBS` entry: its OID and its decompressed bytes.
pub(crate) fn for_each_blob<E, F>(dir: &Path, entry: &TocEntry, mut visit: F) -> Result<(), E>
where
    E: From<ArchiveError>,
    F: FnMut(u32, &mut dyn Read) -> Result<(), E>,
{
    let toc = match &entry.data {
        DataLocation::File(name) if !name.contains('/') && !name.starts_with('.') => dir.join(name),
        _ => dir.join("blobs.toc"),
    };
    let file = File::open(&toc).map_err(|e| ArchiveError::io(&toc, e))?;
    for (n, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| ArchiveError::io(&toc, e))?;
        if line.trim().is_empty() {
            continue;
        }
        let parsed = line
            .split_once(' ')
            .and_then(|(oid, name)| Some((oid.parse::<u32>().ok()?, name.trim())))
            .filter(|(_, name)| !name.contains('/') && !name.starts_with('.'));
        let Some((oid, name)) = parsed else {
            return Err(ArchiveError::corrupt(
                &toc,
                format!("line {} is not `<oid> blob_<oid>.dat`", n + 1),
            )
            .into());
        };
        let found = [
            Compression::None,
            Compression::Gzip,
            Compression::Lz4,
            Compression::Zstd,
        ]
        .into_iter()
        .map(|c| (dir.join(format!("{name}{}", c.suffix())), c))
        .find(|(p, _)| p.is_file());
        let Some((path, compression)) = found else {
            return Err(ArchiveError::truncated(
                dir,
                format!("without large object {oid}: {name} is missing from the directory"),
            )
            .into());
        };
        let file = File::open(&path).map_err(|e| ArchiveError::io(&path, e))?;
        let named = Named {
            inner: BufReader::new(file),
            path: path.clone(),
        };
        let mut decoded =
            compress::decoder(compression, Framing::GzipFile, named).map_err(|e| {
                ArchiveError::corrupt(&path, format!("cannot start decompressing: {e}"))
            })?;
        visit(oid, &mut decoded)?;
    }
    Ok(())
}
