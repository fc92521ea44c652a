//! Custom-format data blocks (`pg_dump -Fc`), as `pg_backup_custom.c` writes them after the TOC:
//!
//! ```text
//! block:  type:u8 (1 BLK_DATA, 3 BLK_BLOBS)  dump_id:int
//!   BLK_DATA:   chunks: len:int, len bytes of (compressed) data; a len of 0 ends them
//!   BLK_BLOBS:  per large object: oid:int, then chunks as above; an oid of 0 ends them
//! ```
//!
//! An archive written to a file has each block's offset in the TOC: [`open_block`] seeks there.
//! One written through a pipe has none (`K_OFFSET_POS_NOT_SET`): [`scan`] reads the blocks in
//! file order in one pass, and [`open_block`] falls back to skipping blocks from the start of the
//! data, as pg_restore does.

use std::borrow::BorrowMut;
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use super::compress::{self, Framing};
use super::copydata::DataReader;
use super::error::ArchiveError;
use super::header::{FieldReader, Header};
use super::toc::{DataLocation, TocEntry};

pub(crate) const BLK_DATA: u8 = 1;
pub(crate) const BLK_BLOBS: u8 = 3;

/// Read buffer for the archive file.
const FILE_BUFFER: usize = 256 * 1024;

type FileFields = FieldReader<BufReader<File>>;

/// The chunks of one block, read as one byte stream.
pub(crate) struct Chunks<F> {
    fields: F,
    remaining: u64,
    done: bool,
}

impl<F: BorrowMut<FileFields>> Chunks<F> {
    pub(crate) fn new(fields: F) -> Chunks<F> {
        Chunks {
            fields,
            remaining: 0,
            done: false,
        }
    }

    /// Reads and drops the rest of the block's chunks, without decompressing them.
    pub(crate) fn skip_rest(&mut self) -> Result<(), ArchiveError> {
        while !self.done {
            if self.remaining > 0 {
                let remaining = self.remaining;
                self.fields.borrow_mut().skip(remaining)?;
                self.remaining = 0;
            }
            self.next_chunk()?;
        }
        Ok(())
    }

    fn next_chunk(&mut self) -> Result<(), ArchiveError> {
        let fields = self.fields.borrow_mut();
        let len = fields.read_int()?;
        if len < 0 {
            return Err(fields.corrupt(format_args!("a data chunk length of {len}")));
        }
        self.remaining = len.unsigned_abs();
        self.done = len == 0;
        Ok(())
    }

    fn read_chunks(&mut self, out: &mut [u8]) -> Result<usize, ArchiveError> {
        while !self.done && self.remaining == 0 {
            self.next_chunk()?;
        }
        if self.done || out.is_empty() {
            return Ok(0);
        }
        let want = out
            .len()
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        let fields = self.fields.borrow_mut();
        let got = fields.read_some(&mut out[..want])?;
        if got == 0 {
            return Err(fields.truncated());
        }
        self.remaining -= got as u64;
        Ok(got)
    }
}

impl<F: BorrowMut<FileFields>> Read for Chunks<F> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.read_chunks(out).map_err(ArchiveError::into_io)
    }
}

/// Opens the archive file positioned at `pos`.
fn open_at(path: &Path, header: &Header, pos: u64) -> Result<FileFields, ArchiveError> {
    let mut file = File::open(path).map_err(|e| ArchiveError::io(path, e))?;
    file.seek(SeekFrom::Start(pos))
        .map_err(|e| ArchiveError::io(path, e))?;
    Ok(FieldReader::with_header(
        BufReader::with_capacity(FILE_BUFFER, file),
        path,
        pos,
        header,
    ))
}

/// Builds the reader a caller gets for a data block.
fn data_reader<'a, R: Read + Send + 'a>(
    path: &Path,
    header: &Header,
    entry: &TocEntry,
    chunks: R,
) -> Result<DataReader<'a>, ArchiveError> {
    let decoded = compress::decoder(header.compression, Framing::Zlib, chunks).map_err(|e| {
        ArchiveError::corrupt(path, format!("cannot start decompressing {entry}: {e}"))
    })?;
    let copy = entry.copy_stmt.as_deref().is_some_and(|s| !s.is_empty());
    Ok(DataReader::new(
        decoded,
        path,
        entry.to_string(),
        header.compression,
        copy,
    ))
}

/// The data of one entry, read on its own (a new file handle: several can be read at once).
pub(crate) fn open_block(
    path: &Path,
    header: &Header,
    data_start: u64,
    file_len: u64,
    entry: &TocEntry,
) -> Result<DataReader<'static>, ArchiveError> {
    let mut fields = match entry.data {
        DataLocation::Offset(offset) => {
            if offset >= file_len {
                return Err(ArchiveError::truncated(
                    path,
                    format!(
                        "before the data of {entry}, which the TOC places at byte {offset} of \
                         {file_len}"
                    ),
                ));
            }
            let mut fields = open_at(path, header, offset)?;
            fields.set_context(format!("in the data block header of {entry}"));
            let (kind, id) = read_block_header(&mut fields)?.ok_or_else(|| fields.truncated())?;
            if kind != BLK_DATA || id != entry.dump_id {
                return Err(fields.corrupt(format_args!(
                    "the TOC's offset for {entry} points at a block of type {kind} for dump id \
                     {id}"
                )));
            }
            fields
        }
        DataLocation::NotSet => seek_sequentially(path, header, data_start, entry)?,
        _ => {
            return Err(ArchiveError::unsupported(
                path,
                format!("{entry} has no data"),
                "Read data only for entries with data (`TABLE DATA` entries whose `data` is not \
                 `DataLocation::None`).",
            ));
        }
    };
    fields.set_context(format!("in the data of {entry}"));
    data_reader(path, header, entry, Chunks::new(fields))
}

/// Reads from the start of the data, skipping other blocks, up to `entry`'s block.
fn seek_sequentially(
    path: &Path,
    header: &Header,
    data_start: u64,
    entry: &TocEntry,
) -> Result<FileFields, ArchiveError> {
    let mut fields = open_at(path, header, data_start)?;
    loop {
        fields.set_context(format!("before the data of {entry}"));
        let Some((kind, id)) = read_block_header(&mut fields)? else {
            return Err(fields.truncated());
        };
        if kind == BLK_DATA && id == entry.dump_id {
            return Ok(fields);
        }
        skip_block(&mut fields, kind, id)?;
    }
}

/// A block's type and dump id, or None at the end of the file.
fn read_block_header(fields: &mut FileFields) -> Result<Option<(u8, i32)>, ArchiveError> {
    let Some(kind) = fields.read_byte_or_eof()? else {
        return Ok(None);
    };
    let id = fields.read_i32()?;
    Ok(Some((kind, id)))
}

fn skip_block(fields: &mut FileFields, kind: u8, id: i32) -> Result<(), ArchiveError> {
    match kind {
        BLK_DATA => {
            fields.set_context(format!("in the data block of dump id {id}"));
            Chunks::new(&mut *fields).skip_rest()
        }
        BLK_BLOBS => {
            fields.set_context(format!("in the large objects block of dump id {id}"));
            loop {
                let oid = fields.read_int()?;
                if oid == 0 {
                    return Ok(());
                }
                Chunks::new(&mut *fields).skip_rest()?;
            }
        }
        other => Err(fields.corrupt(format_args!(
            "a data block of unknown type {other} (dump id {id})"
        ))),
    }
}

/// Calls `visit` with each large object of a `BLOBS` entry (its OID and its decompressed bytes),
/// in archive order. Without data offsets (an archive written through a pipe) the blocks before
/// it are skipped, as pg_restore does.
pub(crate) fn for_each_blob<E, F>(
    path: &Path,
    header: &Header,
    data_start: u64,
    entry: &TocEntry,
    mut visit: F,
) -> Result<(), E>
where
    E: From<ArchiveError>,
    F: FnMut(u32, &mut dyn Read) -> Result<(), E>,
{
    let mut fields = match entry.data {
        DataLocation::Offset(offset) => {
            let mut fields = open_at(path, header, offset)?;
            fields.set_context(format!("in the large objects block of {entry}"));
            let (kind, id) = read_block_header(&mut fields)?.ok_or_else(|| fields.truncated())?;
            if kind != BLK_BLOBS || id != entry.dump_id {
                return Err(fields
                    .corrupt(format_args!(
                        "the TOC's offset for {entry} points at a block of type {kind} for dump id {id}"
                    ))
                    .into());
            }
            fields
        }
        _ => {
            let mut fields = open_at(path, header, data_start)?;
            loop {
                fields.set_context(format!("before the large objects of {entry}"));
                let Some((kind, id)) = read_block_header(&mut fields)? else {
                    return Err(fields.truncated().into());
                };
                if kind == BLK_BLOBS && id == entry.dump_id {
                    break fields;
                }
                skip_block(&mut fields, kind, id)?;
            }
        }
    };
    loop {
        fields.set_context(format!("in the large objects block of {entry}"));
        let oid = fields.read_int()?;
        if oid == 0 {
            return Ok(());
        }
        let oid = u32::try_from(oid)
            .map_err(|_| fields.corrupt(format_args!("a large object OID of {oid}")))?;
        fields.set_context(format!("in large object {oid} of {entry}"));
        let mut chunks = Chunks::new(&mut fields);
        {
            let mut decoded = compress::decoder(header.compression, Framing::Zlib, &mut chunks)
                .map_err(|e| {
                    ArchiveError::corrupt(
                        path,
                        format!("cannot start decompressing large object {oid}: {e}"),
                    )
                })?;
            visit(oid, &mut decoded)?;
        }
        chunks.skip_rest()?;
    }
}

/// Reads every data block in file order; calls `visit` for each TABLE DATA entry's block. The
/// rest of a block the visitor did not read is skipped. Large objects are skipped.
pub(crate) fn scan<E, F>(
    path: &Path,
    header: &Header,
    data_start: u64,
    entries: &[TocEntry],
    mut visit: F,
) -> Result<(), E>
where
    E: From<ArchiveError>,
    F: FnMut(&TocEntry, &mut DataReader<'_>) -> Result<(), E>,
{
    let by_id: HashMap<i32, &TocEntry> = entries.iter().map(|e| (e.dump_id, e)).collect();
    let mut seen = HashSet::new();
    let mut fields = open_at(path, header, data_start)?;
    let mut previous: Option<&TocEntry> = None;
    loop {
        fields.set_context(match previous {
            Some(entry) => format!("after the data of {entry}"),
            None => "at the first data block".to_string(),
        });
        let Some((kind, id)) = read_block_header(&mut fields)? else {
            break;
        };
        let entry = by_id.get(&id).copied();
        match (kind, entry) {
            (BLK_DATA, Some(entry)) if entry.is_table_data() => {
                fields.set_context(format!("in the data of {entry}"));
                let mut chunks = Chunks::new(&mut fields);
                {
                    let mut reader = data_reader(path, header, entry, &mut chunks)?;
                    visit(entry, &mut reader)?;
                }
                chunks.skip_rest()?;
                seen.insert(id);
                previous = Some(entry);
            }
            (BLK_DATA | BLK_BLOBS, Some(entry)) => {
                skip_block(&mut fields, kind, id)?;
                seen.insert(id);
                previous = Some(entry);
            }
            (BLK_DATA | BLK_BLOBS, None) => {
                return Err(fields
                    .corrupt(format_args!(
                        "a data block for dump id {id}, which the TOC does not list"
                    ))
                    .into());
            }
            (other, _) => {
                return Err(fields
                    .corrupt(format_args!(
                        "a data block of unknown type {other} (dump id {id})"
                    ))
                    .into());
            }
        }
    }
    // The file may end cleanly between two blocks and still lack some: the TOC says which.
    let missing = entries.iter().find(|e| {
        matches!(e.data, DataLocation::Offset(_) | DataLocation::NotSet)
            && !seen.contains(&e.dump_id)
    });
    if let Some(entry) = missing {
        return Err(ArchiveError::truncated(path, format!("before the data of {entry}")).into());
    }
    Ok(())
}
