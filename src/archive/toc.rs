//! The table of contents: one [`TocEntry`] per dumped object, in pg_dump's order (its dependency
//! sort), as `WriteToc`/`ReadToc` in PostgreSQL's `pg_backup_archiver.c` lay them out:
//!
//! ```text
//! count:int, then per entry:
//!   dump_id:int  had_dumper:int  table_oid:str  oid:str  tag:str  desc:str  section:int
//!   defn:str  drop_stmt:str  copy_stmt:str  namespace:str  tablespace:str
//!   tableam:str (1.14+)  relkind:int (1.16+)  owner:str  with_oids:str ("true"/"false")
//!   dependencies: str per dump id, ended by a NULL str
//!   extra, by format: custom  offset (state byte + offset)   directory  file name str ("" = none)
//! ```

use std::fmt;
use std::io::Read;

use super::error::ArchiveError;
use super::header::FieldReader;

/// Where a TOC entry's object belongs in a restore (`teSection`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    /// Comments, ACLs and the like: they follow the object they belong to.
    None,
    /// Created before the data: schemas, types, functions, tables, sequences.
    PreData,
    /// Table data, sequence values, large objects.
    Data,
    /// Created after the data: indexes, constraints, triggers, rules, matview refreshes... .
    PostData,
}

impl Section {
    fn from_code(code: i64) -> Option<Section> {
        match code {
            1 => Some(Section::None),
            2 => Some(Section::PreData),
            3 => Some(Section::Data),
            4 => Some(Section::PostData),
            _ => None,
        }
    }
}

/// Where an entry's data is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DataLocation {
    /// The entry has no data (custom `K_OFFSET_NO_DATA`, or a directory entry with no file).
    None,
    /// Custom archive: its data block starts at this byte of the file (`K_OFFSET_POS_SET`).
    Offset(u64),
    /// Custom archive written through a pipe: the data block is somewhere after the TOC, in dump
    /// order (`K_OFFSET_POS_NOT_SET`). Read such archives in one pass, with
    /// [`super::Archive::for_each_data`].
    NotSet,
    /// Directory archive: the data file's name, without a compression suffix (`3356.dat`).
    File(String),
}

/// One object of the dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TocEntry {
    /// pg_dump's id of the object; dependencies refer to it. `pg_restore -l` prints it first.
    pub dump_id: i32,
    /// pg_dump had a data dumper for it: it has data (TABLE DATA, BLOBS).
    pub had_dumper: bool,
    /// The catalog holding the object (`pg_class`'s OID for tables), 0 if none.
    pub table_oid: u32,
    /// The object's OID in the source database, 0 if none.
    pub oid: u32,
    /// Its name: `users`, `users users_pkey` for a constraint, `SCHEMA public` for a comment.
    pub tag: String,
    /// Its kind: `TABLE`, `TABLE DATA`, `INDEX`, `SEQUENCE SET`, `COMMENT`, `ACL`, `BLOBS`...
    pub desc: String,
    pub section: Section,
    /// The SQL that creates it (empty for some kinds, e.g. TABLE DATA).
    pub defn: String,
    /// The SQL that drops it.
    pub drop_stmt: String,
    /// TABLE DATA: the `COPY ... FROM stdin;` statement the data goes with. None or empty when
    /// the data are INSERT statements (`pg_dump --inserts`).
    pub copy_stmt: Option<String>,
    /// Its schema, None or empty if it has none.
    pub namespace: Option<String>,
    /// Its tablespace: None if not in one, empty for the database's default.
    pub tablespace: Option<String>,
    /// Table access method (archive 1.14+), tables only.
    pub tableam: Option<String>,
    /// `pg_class.relkind` (archive 1.16+), tables only: `r`, `p`, `m`...
    pub relkind: Option<char>,
    pub owner: Option<String>,
    /// Made `WITH OIDS` (PostgreSQL 11 and older): PostgreSQL 12+ cannot restore those.
    pub with_oids: bool,
    /// Dump ids of the entries this one depends on.
    pub dependencies: Vec<i32>,
    pub data: DataLocation,
}

impl TocEntry {
    /// A table's rows (`TABLE DATA`), as opposed to DDL, sequence values or large objects.
    pub fn is_table_data(&self) -> bool {
        self.desc == "TABLE DATA"
    }

    /// Schema-qualified name for messages: `public."Mixed Case"` style, unquoted: `public.Mixed Case`.
    pub fn qualified_name(&self) -> String {
        match self.namespace.as_deref() {
            Some(ns) if !ns.is_empty() => format!("{ns}.{}", self.tag),
            _ => self.tag.clone(),
        }
    }
}

impl fmt::Display for TocEntry {
    /// `TOC entry 3356 (TABLE DATA public.users)`: how errors name an entry.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TOC entry {} ({} {})",
            self.dump_id,
            self.desc,
            self.qualified_name()
        )
    }
}

/// The per-entry fields that depend on the archive format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Extra {
    /// A data offset.
    Custom,
    /// A data file name.
    Directory,
}

/// Offset states (`K_OFFSET_*` in `pg_backup_archiver.h`).
const OFFSET_POS_NOT_SET: u8 = 1;
const OFFSET_POS_SET: u8 = 2;
const OFFSET_NO_DATA: u8 = 3;

/// Reads the TOC that follows the header.
pub(crate) fn read_toc<R: Read>(
    reader: &mut FieldReader<R>,
    extra: Extra,
) -> Result<Vec<TocEntry>, ArchiveError> {
    reader.set_context("in the TOC entry count");
    let count = reader.read_int()?;
    if count < 0 {
        return Err(reader.corrupt(format_args!("a TOC entry count of {count}")));
    }
    // The count comes from the file: trust it only as far as the entries are really there.
    let mut entries = Vec::with_capacity(usize::try_from(count.min(4096)).unwrap_or(0));
    for index in 1..=count {
        let context = format!("in TOC entry {index} of {count}");
        reader.set_context(context.clone());
        let entry = read_entry(reader, extra, &context)?;
        entries.push(entry);
    }
    Ok(entries)
}

fn read_entry<R: Read>(
    reader: &mut FieldReader<R>,
    extra: Extra,
    context: &str,
) -> Result<TocEntry, ArchiveError> {
    let dump_id = reader.read_i32()?;
    if dump_id <= 0 {
        return Err(reader.corrupt(format_args!("an entry id of {dump_id}")));
    }
    reader.set_context(format!("{context} (dump id {dump_id})"));
    let had_dumper = reader.read_int()? != 0;
    let table_oid = read_oid(reader)?;
    let oid = read_oid(reader)?;
    let tag = reader.read_str()?.unwrap_or_default();
    let desc = reader.read_str()?.unwrap_or_default();
    reader.set_context(format!("{context} (dump id {dump_id}, {desc} {tag})"));
    let code = reader.read_int()?;
    let section = Section::from_code(code)
        .ok_or_else(|| reader.corrupt(format_args!("section number {code}")))?;
    let defn = reader.read_str()?.unwrap_or_default();
    let drop_stmt = reader.read_str()?.unwrap_or_default();
    let copy_stmt = reader.read_str()?;
    let namespace = reader.read_str()?;
    let tablespace = reader.read_str()?;
    let tableam = match reader.version().at_least(1, 14) {
        true => reader.read_str()?,
        false => None,
    };
    let relkind = match reader.version().at_least(1, 16) {
        true => match reader.read_int()? {
            0 => None,
            code => Some(
                u8::try_from(code)
                    .map(char::from)
                    .map_err(|_| reader.corrupt(format_args!("relation kind {code}")))?,
            ),
        },
        false => None,
    };
    let owner = reader.read_str()?;
    let with_oids = reader.read_str()?.as_deref() == Some("true");
    let mut dependencies = Vec::new();
    while let Some(dep) = reader.read_str()? {
        let id = dep
            .trim()
            .parse::<i32>()
            .map_err(|_| reader.corrupt(format_args!("dependency `{dep}`")))?;
        dependencies.push(id);
    }
    let data = match extra {
        Extra::Custom => {
            let (state, offset) = reader.read_offset()?;
            match state {
                OFFSET_POS_SET => DataLocation::Offset(offset),
                OFFSET_POS_NOT_SET => DataLocation::NotSet,
                OFFSET_NO_DATA => DataLocation::None,
                other => return Err(reader.corrupt(format_args!("data offset state {other}"))),
            }
        }
        Extra::Directory => match reader.read_str()? {
            Some(name) if !name.is_empty() => DataLocation::File(name),
            _ => DataLocation::None,
        },
    };
    Ok(TocEntry {
        dump_id,
        had_dumper,
        table_oid,
        oid,
        tag,
        desc,
        section,
        defn,
        drop_stmt,
        copy_stmt,
        namespace,
        tablespace,
        tableam,
        relkind,
        owner,
        with_oids,
        dependencies,
        data,
    })
}

/// OIDs are stored as decimal strings ("for historical reasons").
fn read_oid<R: Read>(reader: &mut FieldReader<R>) -> Result<u32, ArchiveError> {
    match reader.read_str()? {
        None => Ok(0),
        Some(text) => text
            .trim()
            .parse()
            .map_err(|_| reader.corrupt(format_args!("OID `{text}`"))),
    }
}

#[cfg(test)]
mod tests {
    use super::super::header::tests::{Writer, header};
    use super::super::header::{FORMAT_CUSTOM, FORMAT_TAR, read_header};
    use super::*;
    use std::path::Path;

    /// One entry written as pg_dump 1.`minor` does.
    fn entry(w: &mut Writer, minor: u8, extra: Extra, id: i64, desc: &str, tag: &str) {
        w.int(id).int(i64::from(desc == "TABLE DATA"));
        w.str(Some("1259")).str(Some("16385"));
        w.str(Some(tag)).str(Some(desc));
        w.int(if desc == "TABLE DATA" { 3 } else { 2 });
        w.str(Some("CREATE TABLE public.t (a int);\n"))
            .str(Some("DROP TABLE public.t;\n"));
        w.str(if desc == "TABLE DATA" {
            Some("COPY public.t (a) FROM stdin;\n")
        } else {
            None
        });
        w.str(Some("public")).str(Some(""));
        if minor >= 14 {
            w.str(Some("heap"));
        }
        if minor >= 16 {
            w.int(i64::from(b'r'));
        }
        w.str(Some("alice")).str(Some("false"));
        w.str(Some("7")).str(Some("12")).str(None);
        match extra {
            Extra::Custom => {
                w.byte(OFFSET_POS_SET);
                w.bytes.extend_from_slice(&4096u64.to_le_bytes());
            }
            Extra::Directory => {
                w.str(Some(&format!("{id}.dat")));
            }
        }
    }

    fn archive(minor: u8, extra: Extra) -> Vec<u8> {
        let format = match extra {
            Extra::Custom => FORMAT_CUSTOM,
            Extra::Directory => FORMAT_TAR,
        };
        let mut w = header(minor, format, 0);
        w.int(2);
        entry(&mut w, minor, extra, 214, "TABLE", "t");
        entry(&mut w, minor, extra, 3356, "TABLE DATA", "t");
        w.bytes
    }

    fn parse(bytes: &[u8], extra: Extra) -> Result<Vec<TocEntry>, ArchiveError> {
        let format = match extra {
            Extra::Custom => FORMAT_CUSTOM,
            Extra::Directory => FORMAT_TAR,
        };
        let mut reader = FieldReader::new(bytes, Path::new("x.dump"), 0);
        read_header(&mut reader, format)?;
        read_toc(&mut reader, extra)
    }

    #[test]
    fn reads_entries_of_every_supported_version() {
        for minor in 12..=16 {
            for extra in [Extra::Custom, Extra::Directory] {
                let entries = parse(&archive(minor, extra), extra).unwrap();
                assert_eq!(entries.len(), 2);
                let data = &entries[1];
                assert_eq!(data.dump_id, 3356);
                assert!(data.is_table_data() && data.had_dumper);
                assert_eq!((data.table_oid, data.oid), (1259, 16385));
                assert_eq!(data.section, Section::Data);
                assert_eq!(data.defn, "CREATE TABLE public.t (a int);\n");
                assert_eq!(data.drop_stmt, "DROP TABLE public.t;\n");
                assert_eq!(
                    data.copy_stmt.as_deref(),
                    Some("COPY public.t (a) FROM stdin;\n")
                );
                assert_eq!(data.namespace.as_deref(), Some("public"));
                assert_eq!(data.tablespace.as_deref(), Some(""));
                let am = (minor >= 14).then(|| "heap".to_string());
                assert_eq!(data.tableam, am, "1.{minor}");
                let relkind = (minor >= 16).then_some('r');
                assert_eq!(data.relkind, relkind, "1.{minor}");
                assert_eq!(data.owner.as_deref(), Some("alice"));
                assert!(!data.with_oids);
                assert_eq!(data.dependencies, vec![7, 12]);
                let location = match extra {
                    Extra::Custom => DataLocation::Offset(4096),
                    Extra::Directory => DataLocation::File("3356.dat".into()),
                };
                assert_eq!(data.data, location);
                assert_eq!(entries[0].section, Section::PreData);
                assert_eq!(data.to_string(), "TOC entry 3356 (TABLE DATA public.t)");
            }
        }
    }

    #[test]
    fn every_cut_names_the_entry_it_ends_in() {
        let bytes = archive(16, Extra::Custom);
        let mut reader = FieldReader::new(&bytes[..], Path::new("x.dump"), 0);
        read_header(&mut reader, FORMAT_CUSTOM).unwrap();
        let toc_start = usize::try_from(reader.pos()).unwrap();
        let mut saw_second = false;
        for cut in toc_start..bytes.len() {
            let err = parse(&bytes[..cut], Extra::Custom).unwrap_err();
            let ArchiveError::Truncated { at, .. } = &err else {
                panic!("cut at {cut}: {err}");
            };
            assert!(at.contains("TOC entry"), "cut at {cut}: {at}");
            saw_second |= at.contains("in TOC entry 2 of 2 (dump id 3356, TABLE DATA t)");
        }
        assert!(saw_second);
    }

    #[test]
    fn refuses_impossible_values() {
        let mut w = header(16, FORMAT_CUSTOM, 0);
        w.int(1).int(0);
        let err = parse(&w.bytes, Extra::Custom).unwrap_err();
        assert!(err.to_string().contains("an entry id of 0"), "{err}");

        let mut w = header(16, FORMAT_CUSTOM, 0);
        w.int(1).int(5).int(1).str(Some("0")).str(Some("1"));
        w.str(Some("t")).str(Some("TABLE")).int(9);
        let err = parse(&w.bytes, Extra::Custom).unwrap_err();
        assert!(err.to_string().contains("section number 9"), "{err}");
    }
}
