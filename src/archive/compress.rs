//! Compression methods and their streaming decoders.
//!
//! pg_dump compresses each table's data separately. In a custom archive the compressed bytes are
//! cut into chunks (see `custom.rs`) and form, once joined: a zlib stream (gzip, `inflateInit` in
//! `compress_gzip.c`), LZ4 frames (`compress_lz4.c`) or zstd frames (`compress_zstd.c`). In a
//! directory archive each `<dumpId>.dat` file is a gzip file (`.gz`), LZ4 frames (`.lz4`) or zstd
//! frames (`.zst`). A `.sql.gz` plain dump is a gzip file. Every decoder here streams: memory does
//! not depend on the size of a table.

use std::fmt;
use std::io::{self, BufReader, Read};

/// How an archive's data is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compression {
    None,
    Gzip,
    Lz4,
    Zstd,
}

impl Compression {
    /// From the archive header's algorithm byte (`pg_compress_algorithm`, archive 1.15+).
    pub fn from_algorithm(byte: u8) -> Option<Compression> {
        match byte {
            0 => Some(Compression::None),
            1 => Some(Compression::Gzip),
            2 => Some(Compression::Lz4),
            3 => Some(Compression::Zstd),
            _ => None,
        }
    }

    /// The file name suffix pg_dump gives a directory archive's data files.
    pub fn suffix(self) -> &'static str {
        match self {
            Compression::None => "",
            Compression::Gzip => ".gz",
            Compression::Lz4 => ".lz4",
            Compression::Zstd => ".zst",
        }
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Lz4 => "lz4",
            Compression::Zstd => "zstd",
        })
    }
}

/// How gzip-compressed bytes are wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// A custom archive's data: a bare zlib stream.
    Zlib,
    /// A file: gzip members (a directory archive's `.gz` files, a `.sql.gz` dump).
    GzipFile,
}

/// A decoder that reads `input` and yields the uncompressed bytes.
pub(crate) fn decoder<'a, R>(
    compression: Compression,
    framing: Framing,
    input: R,
) -> io::Result<Box<dyn Read + Send + 'a>>
where
    R: Read + Send + 'a,
{
    Ok(match (compression, framing) {
        (Compression::None, _) => Box::new(input),
        (Compression::Gzip, Framing::Zlib) => Box::new(flate2::read::ZlibDecoder::new(input)),
        (Compression::Gzip, Framing::GzipFile) => {
            Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(input)))
        }
        (Compression::Lz4, _) => Box::new(lz4_flex::frame::FrameDecoder::new(input)),
        (Compression::Zstd, _) => Box::new(zstd::stream::read::Decoder::new(input)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn decode(compression: Compression, framing: Framing, bytes: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        decoder(compression, framing, bytes)?.read_to_end(&mut out)?;
        Ok(out)
    }

    const TEXT: &[u8] = b"1\tAda\n2\t\\N\n\\.\n\n\n";

    #[test]
    fn decodes_every_method() {
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        zlib.write_all(TEXT).unwrap();
        let zlib = zlib.finish().unwrap();
        assert_eq!(
            decode(Compression::Gzip, Framing::Zlib, &zlib).unwrap(),
            TEXT
        );

        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(TEXT).unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(
            decode(Compression::Gzip, Framing::GzipFile, &gz).unwrap(),
            TEXT
        );

        let mut lz4 = lz4_flex::frame::FrameEncoder::new(Vec::new());
        lz4.write_all(TEXT).unwrap();
        let lz4 = lz4.finish().unwrap();
        assert_eq!(decode(Compression::Lz4, Framing::Zlib, &lz4).unwrap(), TEXT);

        // Two zstd frames back to back decode as one stream.
        let mut zst = zstd::encode_all(&TEXT[..4], 3).unwrap();
        zst.extend(zstd::encode_all(&TEXT[4..], 3).unwrap());
        assert_eq!(
            decode(Compression::Zstd, Framing::GzipFile, &zst).unwrap(),
            TEXT
        );

        assert_eq!(
            decode(Compression::None, Framing::Zlib, TEXT).unwrap(),
            TEXT
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let garbage = b"\x78\x9c this is not deflate data at all \xff\xff\xff";
        for c in [Compression::Gzip, Compression::Lz4, Compression::Zstd] {
            for framing in [Framing::Zlib, Framing::GzipFile] {
                assert!(decode(c, framing, garbage).is_err(), "{c} {framing:?}");
            }
        }
    }

    #[test]
    fn algorithm_bytes() {
        assert_eq!(Compression::from_algorithm(2), Some(Compression::Lz4));
        assert_eq!(Compression::from_algorithm(4), None);
        assert_eq!(Compression::Zstd.suffix(), ".zst");
    }
}
