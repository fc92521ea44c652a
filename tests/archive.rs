//! The native pg_dump archive reader (`pgward::archive`) against real archives: ones the installed
//! pg_dump makes from a source database in every form (custom with and without compression, to a
//! file and through a pipe; directory with `-j 2` and uncompressed; plain; plain gzipped), checked
//! against `pg_restore -l`, `pg_restore -f -` and `COPY ... TO STDOUT` on the source; the
//! committed fixtures made by pg_dump 13, 14, 16, 17 and 18 (fixtures/archive/README.md); and damaged
//! archives, which must give errors, never a panic or a hang.
//!
//! The source database comes from `tests/support` (a throwaway cluster, or
//! `PGWARD_TEST_DATABASE_URL`); pg_dump and pg_restore from PATH, else the newest
//! /usr/lib/postgresql/*/bin.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use pgward::archive::{
    Archive, ArchiveError, Compression, DataLocation, Format, PlainItem, Section, TocEntry,
    Version, parse_copy_statement,
};

mod support;

/// The source: awkward names, text with tabs, newlines and backslashes, NULLs, bytea, a
/// partitioned table, an identity column, a sequence, an index, a materialized view, an empty
/// table, a table big enough to span many data chunks, and a large object (its data block sits
/// among the tables' and must be skipped).
const SOURCE: &str = r#"
CREATE SCHEMA "Sales Dept";
CREATE TABLE "Sales Dept"."Customer Accounts" (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    "Full Name" text NOT NULL,
    notes text,
    avatar bytea,
    born date
);
INSERT INTO "Sales Dept"."Customer Accounts" ("Full Name", notes, avatar, born) VALUES
    ('Ada Lovelace', E'tab\there\nnewline\\backslash \\. and \\N', '\x00ff10', '1815-12-10'),
    ('Zoë Ünicode', NULL, NULL, NULL),
    (E'quote'' "double"', '\.', '\x', '2000-02-29'),
    ('\N', '', '\x5c2e', NULL);
CREATE TABLE public.events (id bigint, payload text, at timestamptz);
INSERT INTO public.events
    SELECT g, repeat(md5(g::text), 1 + g % 7) || E'\t' || g, TIMESTAMPTZ '2026-01-01' + g * INTERVAL '1 minute'
    FROM generate_series(1, 3000) g;
CREATE TABLE public.readings (taken date NOT NULL, value numeric) PARTITION BY RANGE (taken);
CREATE TABLE public.readings_2025 PARTITION OF public.readings
    FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE public.readings_2026 PARTITION OF public.readings
    FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO public.readings VALUES ('2025-03-01', 1.5), ('2026-04-01', NULL), ('2026-05-01', -2);
CREATE SEQUENCE public.ticket_no START 1000;
SELECT setval('public.ticket_no', 1234);
CREATE INDEX accounts_name ON "Sales Dept"."Customer Accounts" (lower("Full Name"));
CREATE MATERIALIZED VIEW public.account_count AS
    SELECT count(*) AS n FROM "Sales Dept"."Customer Accounts";
CREATE TABLE public.empty_table (a int);
COMMENT ON TABLE public.events IS 'what happened; when';
SELECT lo_from_bytea(0, 'a large object, skipped by the data readers');
"#;

/// The archives made from the source, and what the source says.
struct Setup {
    dir: tempfile::TempDir,
    /// `COPY` text of every table with data, by `schema.table`, with the columns pg_dump lists.
    expected: HashMap<String, Vec<u8>>,
    pg_dump_version: String,
}

impl Setup {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// A client program: PATH first (as the cluster support does), else the newest installed.
fn program(name: &str) -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(name))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
        .into_iter()
        .find(|p| p.is_file());
    if let Some(found) = on_path {
        return found;
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    dirs.sort_by_key(|d| {
        d.parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(0)
    });
    dirs.pop()
        .map(|d| d.join(name))
        .filter(|p| p.is_file())
        .unwrap_or_else(|| panic!("{name} not found: install PostgreSQL's client programs"))
}

fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let url = support::database("archive_source").await;
            let client = support::connect(&url).await;
            client
                .batch_execute(SOURCE)
                .await
                .unwrap_or_else(|e| panic!("source setup: {}", support::message(&e)));

            let dir = tempfile::tempdir().unwrap();
            let d = dir.path();
            let pg_dump = program("pg_dump");
            let dump = |args: &[&str]| {
                run(Command::new(&pg_dump).args(args).arg("-d").arg(&url));
            };
            let out = |name: &str| d.join(name).to_str().unwrap().to_string();
            dump(&["-Fc", "-Z0", "-f", &out("z0.dump")]);
            dump(&["-Fc", "-f", &out("gzip.dump")]);
            dump(&["-Fd", "-j", "2", "-f", &out("dir-j2")]);
            dump(&["-Fd", "-Z0", "-f", &out("dir-z0")]);
            dump(&["-Fp", "-f", &out("plain.sql")]);
            // Standard output redirected to a file: pg_dump can still seek back to write offsets.
            let shell = |script: String| {
                run(Command::new("sh")
                    .arg("-c")
                    .arg(script)
                    .arg("sh")
                    .arg(&pg_dump)
                    .arg(&url));
            };
            shell(format!("\"$1\" -Fc -d \"$2\" > '{}'", out("stdout.dump")));
            // Through a pipe: no offsets.
            shell(format!(
                "\"$1\" -Fc -d \"$2\" | cat > '{}'",
                out("pipe.dump")
            ));
            shell(format!(
                "\"$1\" -Fp -d \"$2\" | gzip > '{}'",
                out("plain.sql.gz")
            ));
            let version = String::from_utf8(run(Command::new(&pg_dump).arg("--version"))).unwrap();

            // What every table holds, with the columns pg_dump's COPY statement lists.
            let archive = Archive::open(d.join("z0.dump")).unwrap();
            let mut expected = HashMap::new();
            for entry in archive.table_data() {
                let target = parse_copy_statement(entry.copy_stmt.as_deref().unwrap()).unwrap();
                let columns: Vec<String> = target.columns.iter().map(|c| quote_ident(c)).collect();
                let sql = format!(
                    "COPY {}.{} ({}) TO STDOUT",
                    quote_ident(target.schema.as_deref().unwrap()),
                    quote_ident(&target.table),
                    columns.join(", ")
                );
                let text = copy_out(&client, &sql).await;
                expected.insert(entry.qualified_name(), text);
            }
            Setup {
                dir,
                expected,
                pg_dump_version: version,
            }
        })
    })
}

async fn copy_out(client: &tokio_postgres::Client, sql: &str) -> Vec<u8> {
    use futures_util::StreamExt;
    let mut stream = std::pin::pin!(client.copy_out(sql).await.unwrap());
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        out.extend_from_slice(&chunk.unwrap());
    }
    out
}

/// Every table's data through `for_each_data`, by `schema.table`.
fn all_data(archive: &Archive) -> Result<Vec<(String, Vec<u8>)>, ArchiveError> {
    let mut tables = Vec::new();
    archive.for_each_data(|entry, reader| {
        let mut text = Vec::new();
        reader
            .read_to_end(&mut text)
            .map_err(ArchiveError::from_io)?;
        tables.push((entry.qualified_name(), text));
        Ok::<(), ArchiveError>(())
    })?;
    Ok(tables)
}

fn assert_data_matches_source(archive: &Archive, setup: &Setup) {
    let tables = all_data(archive).unwrap();
    let names: Vec<&str> = tables.iter().map(|(n, _)| n.as_str()).collect();
    let mut want: Vec<&str> = setup.expected.keys().map(String::as_str).collect();
    let mut got = names.clone();
    want.sort();
    got.sort();
    assert_eq!(got, want, "{}", archive.path.display());
    for (name, text) in &tables {
        assert!(
            *text == setup.expected[name],
            "{} {name}: archive data differ from the source's COPY output\narchive: {:?}\nsource:  {:?}",
            archive.path.display(),
            String::from_utf8_lossy(&text[..text.len().min(300)]),
            String::from_utf8_lossy(&setup.expected[name][..setup.expected[name].len().min(300)])
        );
    }
    // And one at a time, where the format allows it.
    if archive.has_random_access() {
        for entry in archive.table_data() {
            let mut text = Vec::new();
            archive
                .open_data(entry)
                .unwrap()
                .read_to_end(&mut text)
                .unwrap();
            assert!(text == setup.expected[&entry.qualified_name()], "{entry}");
        }
    }
}

/// `pg_restore -l`'s line for an entry.
fn list_line(e: &TocEntry) -> String {
    format!(
        "{}; {} {} {} {} {} {}",
        e.dump_id,
        e.table_oid,
        e.oid,
        e.desc,
        e.namespace.as_deref().unwrap_or("-"),
        e.tag,
        e.owner.as_deref().unwrap_or("")
    )
}

/// The entries `pg_restore -l` lists (it leaves out the ones it handles itself).
fn listed(entries: &[TocEntry]) -> Vec<String> {
    entries
        .iter()
        .filter(|e| {
            !matches!(
                e.desc.as_str(),
                "ENCODING" | "STDSTRINGS" | "SEARCHPATH" | "DATABASE" | "DATABASE PROPERTIES"
            ) && !e.tag.starts_with("DATABASE ")
        })
        .map(list_line)
        .collect()
}

fn pg_restore_list(path: &Path) -> Vec<String> {
    let out = run(Command::new(program("pg_restore")).arg("-l").arg(path));
    String::from_utf8(out)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with(';') && !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn custom_archives_match_pg_restore_and_the_source() {
    let setup = setup();
    for (name, compression, offsets) in [
        ("z0.dump", Compression::None, true),
        ("gzip.dump", Compression::Gzip, true),
        ("stdout.dump", Compression::Gzip, true),
        ("pipe.dump", Compression::Gzip, false),
    ] {
        let path = setup.path(name);
        let archive = Archive::open(&path).unwrap();
        assert_eq!(archive.format, Format::Custom, "{name}");
        assert_eq!(archive.compression, compression, "{name}");
        assert_eq!(archive.has_random_access(), offsets, "{name}");
        assert_eq!(archive.dbname.as_deref(), Some("archive_source"));
        let version = archive.version.unwrap();
        assert!(version >= Version::new(1, 14, 0), "{name}: {version}");
        assert!(
            setup
                .pg_dump_version
                .contains(archive.dump_version.as_deref().unwrap()),
            "{name}: {:?} vs {}",
            archive.dump_version,
            setup.pg_dump_version
        );
        assert_eq!(archive.encoding(), Some("UTF8"));
        assert_eq!(listed(&archive.entries), pg_restore_list(&path), "{name}");
        let data_entries: Vec<&TocEntry> = archive.table_data().collect();
        assert!(data_entries.iter().all(|e| match offsets {
            true => matches!(e.data, DataLocation::Offset(_)),
            false => e.data == DataLocation::NotSet,
        }));
        assert_data_matches_source(&archive, setup);
    }
}

#[test]
fn a_pipe_written_archive_still_opens_tables_one_at_a_time() {
    let setup = setup();
    let archive = Archive::open(setup.path("pipe.dump")).unwrap();
    // Last table first: the reader skips the blocks before it.
    for entry in archive.table_data().collect::<Vec<_>>().into_iter().rev() {
        let mut text = Vec::new();
        archive
            .open_data(entry)
            .unwrap()
            .read_to_end(&mut text)
            .unwrap();
        assert!(text == setup.expected[&entry.qualified_name()], "{entry}");
    }
}

#[test]
fn directory_archives_match_pg_restore_and_the_source() {
    let setup = setup();
    for (name, compression) in [("dir-j2", Compression::Gzip), ("dir-z0", Compression::None)] {
        let path = setup.path(name);
        let archive = Archive::open(&path).unwrap();
        assert_eq!(archive.format, Format::Directory, "{name}");
        assert_eq!(archive.compression, compression, "{name}");
        assert!(archive.has_random_access());
        assert_eq!(listed(&archive.entries), pg_restore_list(&path), "{name}");
        assert!(
            archive
                .table_data()
                .all(|e| e.data == DataLocation::File(format!("{}.dat", e.dump_id)))
        );
        assert_data_matches_source(&archive, setup);
    }
}

#[test]
fn ddl_text_is_what_pg_restore_prints() {
    let setup = setup();
    let path = setup.path("gzip.dump");
    let archive = Archive::open(&path).unwrap();
    for (section, flag) in [
        (Section::PreData, "pre-data"),
        (Section::PostData, "post-data"),
    ] {
        let script = String::from_utf8(run(Command::new(program("pg_restore"))
            .args(["-f", "-", "--section", flag])
            .arg(&path)))
        .unwrap();
        let mut checked = 0;
        for entry in archive.entries.iter().filter(|e| e.section == section) {
            // pg_restore writes the session settings itself, and SCHEMA entries as it likes.
            let special = ["ENCODING", "STDSTRINGS", "SEARCHPATH", "DATABASE", "SCHEMA"];
            if entry.defn.is_empty() || special.contains(&entry.desc.as_str()) {
                continue;
            }
            assert!(
                script.contains(entry.defn.trim_end()),
                "{entry}: defn not in pg_restore --section={flag} output:\n{}",
                entry.defn
            );
            checked += 1;
        }
        assert!(checked >= 3, "{flag}: only {checked} entries checked");
    }
    let kinds: Vec<&str> = archive.entries.iter().map(|e| e.desc.as_str()).collect();
    for kind in [
        "TABLE",
        "TABLE DATA",
        "SEQUENCE",
        "SEQUENCE SET",
        "INDEX",
        "MATERIALIZED VIEW",
        "MATERIALIZED VIEW DATA",
        "TABLE ATTACH",
        "COMMENT",
        "CONSTRAINT",
        "BLOBS",
    ] {
        assert!(kinds.contains(&kind), "no {kind} entry in {kinds:?}");
    }
    let seq = archive
        .entries
        .iter()
        .find(|e| e.desc == "SEQUENCE SET" && e.tag == "ticket_no")
        .unwrap();
    assert!(seq.defn.contains("1234"), "{}", seq.defn);
    let table = archive
        .entries
        .iter()
        .find(|e| e.desc == "TABLE" && e.tag == "Customer Accounts")
        .unwrap();
    assert_eq!(table.namespace.as_deref(), Some("Sales Dept"));
    assert_eq!(table.section, Section::PreData);
    let data = archive
        .table_data()
        .find(|e| e.tag == "Customer Accounts")
        .unwrap();
    assert!(data.dependencies.contains(&table.dump_id));
    let blobs = archive.entries.iter().find(|e| e.desc == "BLOBS").unwrap();
    let err = archive.open_data(blobs).err().unwrap();
    assert!(err.to_string().contains("is not table data"), "{err}");
    let target = parse_copy_statement(data.copy_stmt.as_deref().unwrap()).unwrap();
    assert_eq!(target.schema.as_deref(), Some("Sales Dept"));
    assert_eq!(
        target.columns,
        ["id", "Full Name", "notes", "avatar", "born"]
    );
}

#[test]
fn plain_dumps_yield_statements_and_copy_blocks() {
    let setup = setup();
    for (name, format) in [
        ("plain.sql", Format::Plain),
        ("plain.sql.gz", Format::PlainGzip),
    ] {
        let archive = Archive::open(setup.path(name)).unwrap();
        assert_eq!(archive.format, format, "{name}");
        assert!(archive.entries.is_empty());
        let mut reader = archive.plain().unwrap();
        let mut statements = Vec::new();
        let mut tables = HashMap::new();
        while let Some(item) = reader.next_item().unwrap() {
            match item {
                PlainItem::Statement { sql, .. } => statements.push(sql),
                PlainItem::Copy(mut block) => {
                    let mut text = Vec::new();
                    block.rows.read_to_end(&mut text).unwrap();
                    let key = format!(
                        "{}.{}",
                        block.target.schema.as_deref().unwrap(),
                        block.target.table
                    );
                    tables.insert(key, text);
                }
            }
        }
        assert_eq!(tables, setup.expected, "{name}");
        assert!(
            statements
                .iter()
                .any(|s| s.starts_with("CREATE TABLE \"Sales Dept\".\"Customer Accounts\" (")),
            "{name}"
        );
        assert!(
            statements
                .iter()
                .any(|s| s == "COMMENT ON TABLE public.events IS 'what happened; when';"),
            "{name}"
        );
        assert!(statements.iter().all(|s| s.ends_with(';')), "{name}");
    }
}

// --- Archives made by newer pg_dump versions (fixtures/archive/README.md) ---

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/archive")
        .join(name)
}

fn people(archive: &Archive) -> Vec<u8> {
    let tables = all_data(archive).unwrap();
    let (_, text) = tables
        .into_iter()
        .find(|(n, _)| n == "Sales Dept.People")
        .expect("no data for \"Sales Dept\".\"People\"");
    text
}

#[test]
fn archives_of_pg_dump_16_to_18_with_lz4_zstd_and_gzip() {
    let expected = std::fs::read(fixture("people.copy")).unwrap();
    for (name, format, version, compression, dump_version) in [
        (
            "v16-custom-lz4.dump",
            Format::Custom,
            15,
            Compression::Lz4,
            "16.",
        ),
        (
            "v17-custom-zstd.dump",
            Format::Custom,
            16,
            Compression::Zstd,
            "17.",
        ),
        (
            "v18-custom-gzip-pipe.dump",
            Format::Custom,
            16,
            Compression::Gzip,
            "18.",
        ),
        (
            "v18-custom-none.dump",
            Format::Custom,
            16,
            Compression::None,
            "18.",
        ),
        (
            "v17-dir-lz4",
            Format::Directory,
            16,
            Compression::Lz4,
            "17.",
        ),
        (
            "v18-dir-zstd",
            Format::Directory,
            16,
            Compression::Zstd,
            "18.",
        ),
    ] {
        let archive = Archive::open(fixture(name)).unwrap();
        assert_eq!(archive.format, format, "{name}");
        assert_eq!(
            archive.version.unwrap(),
            Version::new(1, version, 0),
            "{name}"
        );
        assert_eq!(archive.compression, compression, "{name}");
        assert!(
            archive
                .dump_version
                .as_deref()
                .unwrap()
                .starts_with(dump_version),
            "{name}: {:?}",
            archive.dump_version
        );
        assert!(people(&archive) == expected, "{name}: data differ");
        let table = archive
            .entries
            .iter()
            .find(|e| e.desc == "TABLE" && e.tag == "People")
            .unwrap();
        if version >= 16 {
            assert_eq!(table.relkind, Some('r'), "{name}");
            let parent = archive
                .entries
                .iter()
                .find(|e| e.tag == "readings" && e.desc == "TABLE");
            assert_eq!(parent.unwrap().relkind, Some('p'), "{name}");
        }
        assert_eq!(table.tableam.as_deref(), Some("heap"), "{name}");
    }
    let pipe = Archive::open(fixture("v18-custom-gzip-pipe.dump")).unwrap();
    assert!(!pipe.has_random_access());
    assert!(pipe.table_data().all(|e| e.data == DataLocation::NotSet));
    // The TOC as pg_restore 18 listed it when the fixtures were made.
    let archive = Archive::open(fixture("v18-custom-none.dump")).unwrap();
    let list = std::fs::read_to_string(fixture("v18-custom-none.list")).unwrap();
    assert_eq!(listed(&archive.entries), list.lines().collect::<Vec<_>>());
}

#[test]
fn postgresql_18_statistics_entries() {
    let expected = std::fs::read(fixture("people.copy")).unwrap();
    let archive = Archive::open(fixture("v18-server18-stats.dump")).unwrap();
    assert!(
        archive
            .server_version
            .as_deref()
            .unwrap()
            .starts_with("18.")
    );
    let list = std::fs::read_to_string(fixture("v18-server18-stats.list")).unwrap();
    assert_eq!(listed(&archive.entries), list.lines().collect::<Vec<_>>());
    let stats: Vec<&TocEntry> = archive
        .entries
        .iter()
        .filter(|e| e.desc == "STATISTICS DATA")
        .collect();
    assert!(stats.len() >= 5, "{}", stats.len());
    for entry in &stats {
        // Statistics live in the definition (a pg_restore_*_stats call), not in a data block.
        assert_eq!(entry.data, DataLocation::None, "{entry}");
        assert!(!entry.is_table_data());
        assert!(entry.defn.contains("pg_restore_relation_stats"), "{entry}");
    }
    let people_stats = stats.iter().find(|e| e.tag == "People").unwrap();
    // Real values in the most-common-values list: what the sync must not copy.
    assert!(
        people_stats.defn.contains("pg_restore_attribute_stats"),
        "{}",
        people_stats.defn
    );
    assert!(people(&archive) == expected);
}

#[test]
fn a_pg_dump_18_plain_dump_with_restrict_lines() {
    let expected = std::fs::read(fixture("people.copy")).unwrap();
    let archive = Archive::open(fixture("v18-plain.sql")).unwrap();
    let mut reader = archive.plain().unwrap();
    let mut people = None;
    let mut count = 0;
    while let Some(item) = reader.next_item().unwrap() {
        count += 1;
        if let PlainItem::Copy(mut block) = item {
            if block.target.table == "People" {
                let mut text = Vec::new();
                block.rows.read_to_end(&mut text).unwrap();
                people = Some(text);
            }
        }
    }
    assert!(count > 10);
    assert!(people.unwrap() == expected);
}

// --- Archives made by older pg_dump versions: 13 and 14 write archive version 1.14 ---

/// The fixtures of one older pg_dump version (fixtures/archive/README.md): a custom archive to a
/// file and through a pipe, a directory archive made with `-j 2`, all with the default gzip
/// compression, and the TOC that version's `pg_restore -l` listed.
const OLDER_VERSIONS: [&str; 2] = ["13", "14"];

fn older_archives(v: &str) -> [(String, Format, bool); 3] {
    [
        (format!("v{v}-custom-gzip.dump"), Format::Custom, true),
        (format!("v{v}-custom-gzip-pipe.dump"), Format::Custom, false),
        (format!("v{v}-dir-gzip"), Format::Directory, true),
    ]
}

#[test]
fn archives_of_pg_dump_13_and_14_are_version_1_14_with_gzip() {
    let expected = std::fs::read(fixture("people.copy")).unwrap();
    for v in OLDER_VERSIONS {
        let list = std::fs::read_to_string(fixture(&format!("v{v}-custom-gzip.list"))).unwrap();
        let list: Vec<&str> = list.lines().collect();
        assert!(list.len() >= 10, "v{v}: {} lines", list.len());
        for (name, format, offsets) in older_archives(v) {
            let archive = Archive::open(fixture(&name)).unwrap();
            assert_eq!(archive.format, format, "{name}");
            assert_eq!(archive.version, Some(Version::new(1, 14, 0)), "{name}");
            assert_eq!(archive.compression, Compression::Gzip, "{name}");
            for (what, version) in [
                ("pg_dump", &archive.dump_version),
                ("server", &archive.server_version),
            ] {
                assert!(
                    version
                        .as_deref()
                        .is_some_and(|s| s.starts_with(&format!("{v}."))),
                    "{name}: {what} version {version:?}"
                );
            }
            assert_eq!(archive.dbname.as_deref(), Some("fixture"), "{name}");
            assert_eq!(archive.encoding(), Some("UTF8"), "{name}");
            assert_eq!(archive.has_random_access(), offsets, "{name}");
            // The same database in the same run: every form has the TOC pg_restore listed.
            assert_eq!(listed(&archive.entries), list, "{name}");

            let table = archive
                .entries
                .iter()
                .find(|e| e.desc == "TABLE" && e.tag == "People")
                .unwrap();
            assert_eq!(table.namespace.as_deref(), Some("Sales Dept"), "{name}");
            assert_eq!(table.section, Section::PreData, "{name}");
            // Archive version 1.14 has the table access method, not yet the relkind (1.16).
            assert_eq!(table.tableam.as_deref(), Some("heap"), "{name}");
            assert_eq!(table.relkind, None, "{name}");
            let data = archive.table_data().find(|e| e.tag == "People").unwrap();
            assert!(data.dependencies.contains(&table.dump_id), "{name}");
            let target = parse_copy_statement(data.copy_stmt.as_deref().unwrap()).unwrap();
            assert_eq!(target.schema.as_deref(), Some("Sales Dept"), "{name}");
            assert_eq!(
                target.columns,
                ["id", "Full Name", "note", "avatar", "born"],
                "{name}"
            );
            for entry in archive.table_data() {
                let located = match (&entry.data, format, offsets) {
                    (DataLocation::Offset(_), Format::Custom, true) => true,
                    (DataLocation::NotSet, Format::Custom, false) => true,
                    (DataLocation::File(file), Format::Directory, _) => {
                        *file == format!("{}.dat", entry.dump_id)
                    }
                    _ => false,
                };
                assert!(located, "{name}: {entry}: {:?}", entry.data);
            }

            // Every table's data, in archive order.
            let mut tables = all_data(&archive).unwrap();
            tables.sort();
            let names: Vec<&str> = tables.iter().map(|(n, _)| n.as_str()).collect();
            assert_eq!(
                names,
                [
                    "Sales Dept.People",
                    "public.empty_table",
                    "public.readings_2025"
                ],
                "{name}"
            );
            assert!(tables[0].1 == expected, "{name}: People data differ");
            assert!(tables[1].1.is_empty(), "{name}");
            assert_eq!(
                String::from_utf8_lossy(&tables[2].1),
                "2025-03-01\t1.5\n2025-04-01\t\\N\n",
                "{name}"
            );
            // And one at a time, last table first (a pipe-written archive skips blocks to it).
            for entry in archive.table_data().collect::<Vec<_>>().into_iter().rev() {
                let mut text = Vec::new();
                archive
                    .open_data(entry)
                    .unwrap()
                    .read_to_end(&mut text)
                    .unwrap();
                let want = &tables
                    .iter()
                    .find(|(n, _)| *n == entry.qualified_name())
                    .unwrap()
                    .1;
                assert!(text == *want, "{name}: {entry}");
            }
        }
    }
}

#[test]
fn pg_dump_13_and_14_definitions_are_the_ones_their_plain_dumps_print() {
    for v in OLDER_VERSIONS {
        let plain = std::fs::read_to_string(fixture(&format!("v{v}-plain.sql"))).unwrap();
        let archive = Archive::open(fixture(&format!("v{v}-custom-gzip.dump"))).unwrap();
        let mut checked = Vec::new();
        for entry in &archive.entries {
            // pg_dump writes the session settings and schemas of a plain dump itself.
            let special = ["ENCODING", "STDSTRINGS", "SEARCHPATH", "DATABASE", "SCHEMA"];
            if entry.defn.is_empty() || special.contains(&entry.desc.as_str()) {
                continue;
            }
            assert!(
                plain.contains(entry.defn.trim_end()),
                "v{v} {entry}: defn not in v{v}-plain.sql:\n{}",
                entry.defn
            );
            checked.push(entry.desc.as_str());
        }
        for desc in ["TABLE", "SEQUENCE SET", "INDEX", "CONSTRAINT"] {
            assert!(
                checked.contains(&desc),
                "v{v}: no {desc} checked: {checked:?}"
            );
        }
        let seq = archive
            .entries
            .iter()
            .find(|e| e.desc == "SEQUENCE SET" && e.tag == "ticket_no")
            .unwrap();
        assert!(seq.defn.contains("1234"), "v{v}: {}", seq.defn);
    }
}

#[test]
fn pg_dump_13_and_14_plain_dumps() {
    let expected = std::fs::read(fixture("people.copy")).unwrap();
    for v in OLDER_VERSIONS {
        let name = format!("v{v}-plain.sql");
        let archive = Archive::open(fixture(&name)).unwrap();
        assert_eq!(archive.format, Format::Plain, "{name}");
        let mut reader = archive.plain().unwrap();
        let mut tables = HashMap::new();
        let mut statements = Vec::new();
        while let Some(item) = reader.next_item().unwrap() {
            match item {
                PlainItem::Statement { sql, .. } => statements.push(sql),
                PlainItem::Copy(mut block) => {
                    let mut text = Vec::new();
                    block.rows.read_to_end(&mut text).unwrap();
                    tables.insert(block.target.table.clone(), text);
                }
            }
        }
        let mut names: Vec<&str> = tables.keys().map(String::as_str).collect();
        names.sort();
        assert_eq!(names, ["People", "empty_table", "readings_2025"], "{name}");
        assert!(tables["People"] == expected, "{name}: People data differ");
        assert!(
            statements
                .iter()
                .any(|s| s.starts_with("CREATE TABLE \"Sales Dept\".\"People\" (")),
            "{name}"
        );
        assert!(statements.iter().all(|s| s.ends_with(';')), "{name}");
    }
}

#[test]
fn damaged_version_1_14_archives_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["v14-custom-gzip.dump", "v13-custom-gzip-pipe.dump"] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let step = (bytes.len() / 300).max(1);
        damage(&bytes, dir.path(), (0..bytes.len()).step_by(step));
    }
    // A directory archive's toc.dat cut anywhere, and its gzip data file cut anywhere.
    let archive_dir = dir.path().join("d");
    std::fs::create_dir(&archive_dir).unwrap();
    let source = fixture("v14-dir-gzip");
    for f in std::fs::read_dir(&source).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), archive_dir.join(f.file_name())).unwrap();
    }
    let archive = Archive::open(&archive_dir).unwrap();
    let people = archive.table_data().find(|e| e.tag == "People").unwrap();
    let file = archive_dir.join(format!("{}.dat.gz", people.dump_id));
    let bytes = std::fs::read(&file).unwrap();
    for cut in 0..bytes.len() {
        std::fs::write(&file, &bytes[..cut]).unwrap();
        assert!(read_fully(&archive_dir).is_err(), "cut at {cut}");
    }
    std::fs::write(&file, &bytes).unwrap();
    assert_eq!(read_fully(&archive_dir).unwrap(), 3);
    let toc = std::fs::read(source.join("toc.dat")).unwrap();
    for cut in (0..toc.len()).step_by(7) {
        std::fs::write(archive_dir.join("toc.dat"), &toc[..cut]).unwrap();
        assert!(Archive::open(&archive_dir).is_err(), "toc.dat cut at {cut}");
    }
}

// --- Damaged archives ---

/// Opens and reads everything; must return (Ok or Err), never panic.
fn read_fully(path: &Path) -> Result<usize, ArchiveError> {
    let archive = Archive::open(path)?;
    match archive.format {
        Format::Plain | Format::PlainGzip => {
            let mut reader = archive.plain()?;
            let mut n = 0;
            while let Some(item) = reader.next_item()? {
                n += 1;
                if let PlainItem::Copy(mut block) = item {
                    let mut sink = Vec::new();
                    block
                        .rows
                        .read_to_end(&mut sink)
                        .map_err(ArchiveError::from_io)?;
                }
            }
            Ok(n)
        }
        _ => Ok(all_data(&archive)?.len()),
    }
}

/// Every cut of an archive is an error, and every flipped byte gives an error or a result.
fn damage(bytes: &[u8], dir: &Path, cuts: impl Iterator<Item = usize>) {
    let path = dir.join("damaged");
    for cut in cuts {
        std::fs::write(&path, &bytes[..cut]).unwrap();
        let err =
            read_fully(&path).expect_err(&format!("cut at {cut} of {} read fine", bytes.len()));
        assert!(!err.to_string().is_empty());
    }
    // Flip each byte (a sample of them in big files): no panic, no hang.
    let step = (bytes.len() / 400).max(1);
    for i in (0..bytes.len()).step_by(step) {
        let mut flipped = bytes.to_vec();
        flipped[i] ^= 0xff;
        std::fs::write(&path, &flipped).unwrap();
        let _ = read_fully(&path);
    }
}

#[test]
fn truncated_or_flipped_custom_archives_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "v18-custom-none.dump",
        "v16-custom-lz4.dump",
        "v17-custom-zstd.dump",
        "v18-custom-gzip-pipe.dump",
    ] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let step = (bytes.len() / 300).max(1);
        damage(&bytes, dir.path(), (0..bytes.len()).step_by(step));
    }
}

#[test]
fn truncation_names_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(fixture("v18-custom-none.dump")).unwrap();
    let archive = Archive::open(fixture("v18-custom-none.dump")).unwrap();
    let DataLocation::Offset(people) = archive
        .table_data()
        .find(|e| e.tag == "People")
        .unwrap()
        .data
    else {
        panic!("no offset");
    };
    let path = dir.path().join("cut.dump");
    // Cut inside the TOC: the error names the entry it ends in.
    std::fs::write(&path, &bytes[..600]).unwrap();
    let err = Archive::open(&path).unwrap_err();
    let ArchiveError::Truncated { at, .. } = &err else {
        panic!("{err}")
    };
    assert!(at.contains("in TOC entry"), "{at}");
    assert!(err.to_string().contains("cut.dump"), "{err}");
    // Cut inside a table's data.
    let cut = usize::try_from(people).unwrap() + 2000;
    std::fs::write(&path, &bytes[..cut]).unwrap();
    let err = read_fully(&path).unwrap_err();
    let ArchiveError::Truncated { at, .. } = &err else {
        panic!("{err}")
    };
    assert!(
        at.contains("in the data of TOC entry") && at.contains("Sales Dept.People"),
        "{at}"
    );
    // Cut cleanly between two tables' data: the first missing table is named.
    let entries: Vec<&TocEntry> = archive.table_data().collect();
    let offsets: Vec<u64> = entries
        .iter()
        .filter_map(|e| match e.data {
            DataLocation::Offset(o) => Some(o),
            _ => None,
        })
        .collect();
    let last = *offsets.iter().max().unwrap();
    std::fs::write(&path, &bytes[..usize::try_from(last).unwrap()]).unwrap();
    let err = read_fully(&path).unwrap_err();
    let ArchiveError::Truncated { at, .. } = &err else {
        panic!("{err}")
    };
    assert!(at.contains("before the data of TOC entry"), "{at}");
}

#[test]
fn damaged_directory_and_plain_dumps_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    // A directory archive's compressed data file, cut and flipped.
    let archive_dir = dir.path().join("d");
    std::fs::create_dir(&archive_dir).unwrap();
    let source = fixture("v18-dir-zstd");
    for f in std::fs::read_dir(&source).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), archive_dir.join(f.file_name())).unwrap();
    }
    let archive = Archive::open(&archive_dir).unwrap();
    let people = archive.table_data().find(|e| e.tag == "People").unwrap();
    let file = archive_dir.join(format!("{}.dat.zst", people.dump_id));
    let bytes = std::fs::read(&file).unwrap();
    for cut in 0..bytes.len() {
        std::fs::write(&file, &bytes[..cut]).unwrap();
        assert!(read_fully(&archive_dir).is_err(), "cut at {cut}");
    }
    std::fs::remove_file(&file).unwrap();
    let err = read_fully(&archive_dir).unwrap_err();
    assert!(err.to_string().contains("is missing"), "{err}");
    // toc.dat cut anywhere.
    let toc = std::fs::read(source.join("toc.dat")).unwrap();
    for cut in (0..toc.len()).step_by(7) {
        std::fs::write(archive_dir.join("toc.dat"), &toc[..cut]).unwrap();
        assert!(Archive::open(&archive_dir).is_err(), "toc.dat cut at {cut}");
    }
    // A plain dump cut anywhere in a statement or COPY block.
    let plain = std::fs::read(fixture("v18-plain.sql")).unwrap();
    let path = dir.path().join("p.sql");
    for cut in (1..plain.len()).step_by(97) {
        std::fs::write(&path, &plain[..cut]).unwrap();
        let _ = read_fully(&path);
    }
    let people_copy = plain.windows(5).position(|w| w == b"COPY ").unwrap();
    std::fs::write(&path, &plain[..people_copy + 200]).unwrap();
    assert!(matches!(
        read_fully(&path),
        Err(ArchiveError::Truncated { .. })
    ));
}

#[test]
fn what_is_not_an_archive_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("random.bin");
    std::fs::write(&path, [0u8, 1, 2, 3, 255, 254]).unwrap();
    let err = Archive::open(&path).unwrap_err();
    assert!(matches!(err, ArchiveError::NotAnArchive { .. }), "{err}");
    let err = Archive::open(dir.path()).unwrap_err();
    assert!(err.to_string().contains("toc.dat"), "{err}");
    let err = Archive::open(dir.path().join("missing.dump")).unwrap_err();
    assert!(matches!(err, ArchiveError::Io { .. }), "{err}");
    // An archive version from the future.
    let mut bytes = std::fs::read(fixture("v18-custom-none.dump")).unwrap();
    bytes[6] = 17;
    std::fs::write(&path, &bytes).unwrap();
    let err = Archive::open(&path).unwrap_err();
    assert!(
        matches!(&err, ArchiveError::UnknownVersion { version, .. } if version == "1.17"),
        "{err}"
    );
    // A compression method that does not exist.
    bytes[6] = 16;
    bytes[11] = 7;
    std::fs::write(&path, &bytes).unwrap();
    let err = Archive::open(&path).unwrap_err();
    assert!(
        matches!(err, ArchiveError::UnsupportedCompression { .. }),
        "{err}"
    );
}
