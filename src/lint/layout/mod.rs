//! Migration framework layouts: which files a runner reads, in which order, which part of each is
//! the forward ("up") change, and whether the runner wraps the file in a transaction.
//!
//! Only the up part is linted for hazards: down files are skipped, and the down sections of
//! single-file formats (goose, dbmate) are blanked out byte for byte, so that every position in the
//! up part stays exactly where it is in the file and diagnostics point at the right lines.
//!
//! The layout is detected per directory from file names and markers (see [`detect`]), or set for
//! every directory with `[migrations] layout = "..."` in `pgward.toml`. Each framework lives in its
//! own file; this module holds what they share.
//!
//! How the runners send SQL matters as much as whether they open a transaction: a file sent as one
//! query string (PostgreSQL's simple query protocol, what `Exec` without parameters does in lib/pq,
//! pgx, sqlx, tokio-postgres' `simple_query`/`batch_execute`) runs its statements in one implicit
//! transaction when it holds more than one, so `CREATE INDEX CONCURRENTLY` fails there too
//! ("cannot run inside a transaction block"; PostgreSQL's `exec_simple_query`). That is
//! [`Transaction::OneQuery`].

use std::cmp::Ordering;
use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::str::FromStr;

use super::context::FileSettings;
use super::ops::Op;
use super::statement::Statement;

mod dbmate;
mod diesel;
mod flyway;
mod golang_migrate;
mod goose;
mod plain;
mod pop;
mod prisma;
mod sqlx;

/// A migration framework's file layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layout {
    Sqlx,
    Diesel,
    GolangMigrate,
    Goose,
    Dbmate,
    Flyway,
    Prisma,
    Pop,
    Plain,
}

impl Layout {
    pub const ALL: [Layout; 9] = [
        Layout::Sqlx,
        Layout::Diesel,
        Layout::GolangMigrate,
        Layout::Goose,
        Layout::Dbmate,
        Layout::Flyway,
        Layout::Prisma,
        Layout::Pop,
        Layout::Plain,
    ];

    /// The name used in `pgward.toml` (`[migrations] layout = "golang-migrate"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::Sqlx => "sqlx",
            Layout::Diesel => "diesel",
            Layout::GolangMigrate => "golang-migrate",
            Layout::Goose => "goose",
            Layout::Dbmate => "dbmate",
            Layout::Flyway => "flyway",
            Layout::Prisma => "prisma",
            Layout::Pop => "pop",
            Layout::Plain => "plain",
        }
    }

    fn framework(self) -> &'static dyn Framework {
        match self {
            Layout::Sqlx => &sqlx::Sqlx,
            Layout::Diesel => &diesel::Diesel,
            Layout::GolangMigrate => &golang_migrate::GolangMigrate,
            Layout::Goose => &goose::Goose,
            Layout::Dbmate => &dbmate::Dbmate,
            Layout::Flyway => &flyway::Flyway,
            Layout::Prisma => &prisma::Prisma,
            Layout::Pop => &pop::Pop,
            Layout::Plain => &plain::Plain,
        }
    }

    /// What the runner does with one file: `path` is the file on disk (its directory may hold
    /// per-migration settings such as diesel's `metadata.toml`), `text` its content.
    pub fn prepare(self, path: &Path, text: &str) -> Prepared {
        self.framework().prepare(path, text)
    }

    /// Whether the migration set's root is the directory above the file's (diesel and prisma keep
    /// one directory per migration).
    pub fn one_dir_per_migration(self) -> bool {
        matches!(self, Layout::Diesel | Layout::Prisma)
    }
}

/// Where a layout keeps the down part of an up file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DownSite {
    /// The layout has no down migrations (prisma, plain SQL), or this file is not a reversible
    /// up (sqlx `<version>_<name>.sql`, a Flyway repeatable migration, a down file itself).
    None,
    /// A file of its own: golang-migrate and sqlx `<v>_<name>.down.sql`, diesel `down.sql`.
    Sibling(std::path::PathBuf),
    /// A section of the same file: goose `-- +goose Down`, dbmate `-- migrate:down`.
    SameFile,
    /// A Flyway undo migration `U<version>__<desc>.sql` in the same directory.
    FlywayUndo { version: String },
}

impl Layout {
    /// Where the down part of the up file `path` lives.
    pub fn down_site(self, path: &Path) -> DownSite {
        let name = file_name(path);
        let dir = path.parent().unwrap_or(Path::new(""));
        match self {
            Layout::GolangMigrate | Layout::Sqlx => {
                let lower = name.to_ascii_lowercase();
                let reversible = if self == Layout::Sqlx {
                    sqlx::parse_name(&name).is_some_and(|(_, down)| !down)
                } else {
                    golang_migrate::parse_name(&name).is_some_and(|(_, down)| !down)
                };
                if !reversible || !lower.ends_with(".up.sql") {
                    return DownSite::None;
                }
                let stem = &name[..name.len() - ".up.sql".len()];
                DownSite::Sibling(dir.join(format!("{stem}.down.sql")))
            }
            Layout::Diesel if name.eq_ignore_ascii_case("up.sql") => {
                DownSite::Sibling(dir.join("down.sql"))
            }
            Layout::Goose | Layout::Dbmate => DownSite::SameFile,
            Layout::Flyway => match flyway::parse_name(&name) {
                Some((Part::Up, version)) => DownSite::FlywayUndo {
                    version: version.replace('_', "."),
                },
                _ => DownSite::None,
            },
            _ => DownSite::None,
        }
    }

    /// Whether `name` is a down file of this layout (a name is enough: goose and dbmate keep
    /// their downs inside the files, see [`Layout::down_text`]).
    pub fn is_down_name(self, name: &str) -> bool {
        match self {
            Layout::GolangMigrate => golang_migrate::parse_name(name).is_some_and(|(_, d)| d),
            Layout::Sqlx => sqlx::parse_name(name).is_some_and(|(_, d)| d),
            Layout::Diesel => name.eq_ignore_ascii_case("down.sql"),
            Layout::Flyway => matches!(flyway::parse_name(name), Some((Part::Down, _))),
            _ => false,
        }
    }

    /// A Flyway undo file's version, normalised like [`Prepared::version`] (`1_2` -> `1.2`).
    pub fn flyway_undo_version(name: &str) -> Option<String> {
        match flyway::parse_name(name) {
            Some((Part::Down, version)) => Some(version.replace('_', ".")),
            _ => None,
        }
    }

    /// Whether the file's text has a down section (goose, dbmate), empty or not.
    pub fn has_down_section(self, text: &str) -> bool {
        match self {
            Layout::Goose => goose::has_down_annotation(text),
            Layout::Dbmate => dbmate::has_down_marker(text),
            _ => false,
        }
    }

    /// The down section of a goose or dbmate file as its runner runs it: same length as the
    /// file, everything else blanked. `None` for other layouts and files without the section.
    pub fn down_text(self, text: &str) -> Option<String> {
        match self {
            Layout::Goose => goose::down_text(text),
            Layout::Dbmate => dbmate::down_text(text),
            _ => None,
        }
    }

    /// How a missing down section is named in messages.
    pub fn down_section_marker(self) -> &'static str {
        match self {
            Layout::Goose => "-- +goose Down",
            Layout::Dbmate => "-- migrate:down",
            _ => "down",
        }
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown migration layout `{0}`; expected one of: {names}", names = Layout::ALL.map(Layout::as_str).join(", "))]
pub struct UnknownLayout(pub String);

impl FromStr for Layout {
    type Err = UnknownLayout;
    fn from_str(s: &str) -> Result<Layout, UnknownLayout> {
        Layout::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownLayout(s.to_owned()))
    }
}

/// How the runner runs a file's statements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transaction {
    /// The runner opens a transaction around the file (`BEGIN` ... `COMMIT`).
    Wrapped,
    /// The runner sends the file as one query string: PostgreSQL runs several statements in one
    /// implicit transaction (a single statement runs on its own), unless the file manages its own
    /// transactions with `BEGIN`/`COMMIT`.
    OneQuery,
    /// The runner sends statement after statement, each committing on its own.
    PerStatement,
    /// Not known from the layout: `assume_in_transaction` (flag or `pgward.toml`) decides.
    Configured,
}

impl Transaction {
    pub fn as_str(self) -> &'static str {
        match self {
            Transaction::Wrapped => "wrapped",
            Transaction::OneQuery => "one-query",
            Transaction::PerStatement => "per-statement",
            Transaction::Configured => "configured",
        }
    }

    /// Whether the rules should assume the runner's transaction is open at the first statement.
    pub fn assume_in_transaction(self, statements: &[Statement], base: &FileSettings) -> bool {
        match self {
            Transaction::Wrapped => true,
            Transaction::PerStatement => false,
            Transaction::Configured => base.assume_in_transaction,
            Transaction::OneQuery => {
                let top: Vec<&Statement> = statements.iter().filter(|s| !s.in_do_block).collect();
                let own_transactions = top
                    .iter()
                    .any(|s| s.ops.iter().any(|op| matches!(op, Op::Transaction(_))));
                top.len() > 1 && !own_transactions
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown transaction mode `{0}`; expected one of: wrapped, one-query, per-statement")]
pub struct UnknownTransaction(pub String);

impl FromStr for Transaction {
    type Err = UnknownTransaction;
    /// The modes a user can set in `[migrations] transaction` (not `configured`, which is the
    /// absence of one).
    fn from_str(s: &str) -> Result<Transaction, UnknownTransaction> {
        [
            Transaction::Wrapped,
            Transaction::OneQuery,
            Transaction::PerStatement,
        ]
        .into_iter()
        .find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
        .ok_or_else(|| UnknownTransaction(s.to_owned()))
    }
}

/// Which part of a migration a file (or the linted part of it) is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// The forward change: linted.
    Up,
    /// A repeatable migration (Flyway `R__`), run after the versioned ones: linted.
    Repeatable,
    /// A down, undo or revert file: read, not linted.
    Down,
    /// A file the runner does not run on PostgreSQL (another database's dialect): neither linted
    /// nor part of the schema history.
    Skipped,
}

impl Part {
    pub fn is_linted(self) -> bool {
        matches!(self, Part::Up | Part::Repeatable)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Part::Up => "up",
            Part::Repeatable => "repeatable",
            Part::Down => "down",
            Part::Skipped => "skipped",
        }
    }
}

/// What the runner makes of one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prepared {
    pub part: Part,
    pub transaction: Transaction,
    /// Orders the file within its migration set (compared with [`natural_cmp`]); repeatable
    /// migrations come after every versioned one.
    pub version: String,
    /// The text the rules see when it differs from the file: same length, the bytes the runner
    /// does not run as the up part blanked (line breaks kept), placeholders neutralised.
    pub lint_text: Option<String>,
    /// Why this transaction mode, in a few words (for `--explain`-style output and tests).
    pub reason: &'static str,
}

/// One framework: one file per framework in this directory.
trait Framework: Sync {
    fn prepare(&self, path: &Path, text: &str) -> Prepared;
}

/// A directory's files, as detection sees them.
pub struct DirListing<'a> {
    /// The directory.
    pub dir: &'a Path,
    /// File names in it (every file, not only `*.sql`).
    pub names: Vec<String>,
    /// The `*.sql` files whose text is at hand: (name, text).
    pub texts: Vec<(&'a str, &'a str)>,
}

/// Detects the layout of the directory that holds migration files.
///
/// In order: diesel (`up.sql`/`down.sql` in a `<version>_<name>/` directory), prisma
/// (`migration.sql`), goose (`-- +goose Up` in a file), dbmate (`-- migrate:up`), Pop (names with
/// a dialect or `.autocommit.`, `.fizz` files, or a `go.mod` requiring Pop or ory/x), Flyway
/// (`V<version>__<desc>.sql`, `R__<desc>.sql`), then `<version>_<name>.up.sql` / `.down.sql`
/// pairs: sqlx when a file starts with `-- no-transaction` or the nearest project file above is a
/// `Cargo.toml` that names sqlx, golang-migrate otherwise; `<version>_<name>.sql` files are sqlx
/// on the same evidence. Anything else is plain SQL.
pub fn detect(listing: &DirListing<'_>) -> Layout {
    let has = |n: &str| listing.names.iter().any(|x| x == n);
    if has("up.sql") || (has("down.sql") && !has("migration.sql")) {
        return Layout::Diesel;
    }
    if has("migration.sql") {
        return Layout::Prisma;
    }
    if listing
        .texts
        .iter()
        .any(|(_, t)| goose::has_up_annotation(t))
    {
        return Layout::Goose;
    }
    if listing.texts.iter().any(|(_, t)| dbmate::has_up_marker(t)) {
        return Layout::Dbmate;
    }
    let sql: Vec<&str> = listing
        .names
        .iter()
        .map(String::as_str)
        .filter(|n| is_sql_name(n))
        .collect();
    if sql.is_empty() {
        return Layout::Plain;
    }
    let project = nearest_project_file(listing.dir);
    // Pop: names only Pop writes (a dialect or `.autocommit.`), fizz files beside the SQL, or a
    // go.mod that requires Pop.
    if sql.iter().any(|n| pop::is_pop_only_name(n))
        || listing.names.iter().any(|n| n.ends_with(".fizz"))
        || (project == Some(Project::GoWithPop) && sql.iter().any(|n| pop::parse_name(n).is_some()))
    {
        return Layout::Pop;
    }
    let flyway = sql
        .iter()
        .filter(|n| flyway::parse_name(n).is_some())
        .count();
    if flyway * 2 > sql.len() {
        return Layout::Flyway;
    }
    let up_down = sql
        .iter()
        .filter(|n| golang_migrate::parse_name(n).is_some())
        .count();
    let versioned = sql.iter().filter(|n| sqlx::parse_name(n).is_some()).count();
    let no_tx = listing
        .texts
        .iter()
        .any(|(_, t)| t.starts_with(sqlx::NO_TRANSACTION));
    if up_down * 2 > sql.len() {
        return if no_tx || project == Some(Project::CargoWithSqlx) {
            Layout::Sqlx
        } else {
            Layout::GolangMigrate
        };
    }
    if versioned * 2 > sql.len() && (no_tx || project == Some(Project::CargoWithSqlx)) {
        return Layout::Sqlx;
    }
    Layout::Plain
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Project {
    /// A `Cargo.toml` that mentions sqlx (a dependency, or a workspace member's).
    CargoWithSqlx,
    Cargo,
    /// A `go.mod` that requires gobuffalo/pop or ory/x (popx).
    GoWithPop,
    Go,
}

/// The nearest `Cargo.toml` or `go.mod` in `dir` or above it, up to the repository root.
fn nearest_project_file(dir: &Path) -> Option<Project> {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
    for d in dir.ancestors() {
        if let Ok(go_mod) = std::fs::read_to_string(d.join("go.mod")) {
            return Some(
                if go_mod.contains("github.com/gobuffalo/pop")
                    || go_mod.contains("github.com/ory/x ")
                {
                    Project::GoWithPop
                } else {
                    Project::Go
                },
            );
        }
        if let Ok(cargo) = std::fs::read_to_string(d.join("Cargo.toml")) {
            return Some(if cargo.contains("sqlx") {
                Project::CargoWithSqlx
            } else {
                Project::Cargo
            });
        }
        if d.join(".git").exists() {
            return None;
        }
    }
    None
}

pub(crate) fn is_sql_name(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() > 4 && b[b.len() - 4..].eq_ignore_ascii_case(b".sql")
}

/// Compares versions as people read them: runs of digits by value (`2` < `10`, leading zeros
/// ignored), everything else byte by byte.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let da = a.iter().take_while(|c| c.is_ascii_digit()).count();
                let db = b.iter().take_while(|c| c.is_ascii_digit()).count();
                let na = trim_zeros(&a[..da]);
                let nb = trim_zeros(&b[..db]);
                let ord = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
                if ord != Ordering::Equal {
                    return ord;
                }
                a = &a[da..];
                b = &b[db..];
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                a = &a[1..];
                b = &b[1..];
            }
        }
    }
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let zeros = digits.iter().take_while(|&&c| c == b'0').count();
    &digits[zeros..]
}

/// Lines of `text` with the byte range of each, line break excluded (`\r\n` too).
pub(crate) fn lines(text: &str) -> impl Iterator<Item = (Range<usize>, &str)> {
    let mut start = 0;
    text.split_inclusive('\n').map(move |raw| {
        let line = raw.trim_end_matches('\n').trim_end_matches('\r');
        let range = start..start + line.len();
        start += raw.len();
        (range, line)
    })
}

/// Text edits that keep every byte where it is.
pub(crate) struct Masked {
    bytes: Vec<u8>,
    changed: bool,
}

impl Masked {
    pub fn new(text: &str) -> Masked {
        Masked {
            bytes: text.as_bytes().to_vec(),
            changed: false,
        }
    }

    /// Blanks `range` with spaces, keeping line breaks (so line numbers stay right).
    pub fn blank(&mut self, range: Range<usize>) {
        for b in &mut self.bytes[range] {
            if *b != b'\n' && *b != b'\r' && *b != b' ' {
                *b = b' ';
                self.changed = true;
            }
        }
    }

    /// Puts a `;` at `at` and blanks the rest of `range`: ends a statement there.
    pub fn terminate(&mut self, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        self.blank(range.clone());
        self.bytes[range.start] = b';';
        self.changed = true;
    }

    /// Replaces `${name}`-style placeholders in `range` with an identifier of the same length
    /// (`${schema}` -> `__schema_`): the SQL parses as it would with a real name, positions stay.
    pub fn neutralise_placeholders(&mut self, range: Range<usize>) {
        let mut i = range.start;
        while i + 1 < range.end {
            if self.bytes[i] == b'$' && self.bytes[i + 1] == b'{' {
                if let Some(close) = self.bytes[i + 2..range.end]
                    .iter()
                    .position(|&c| c == b'}' || c == b'\n')
                    .map(|p| i + 2 + p)
                    .filter(|&c| self.bytes[c] == b'}')
                {
                    self.bytes[i] = b'_';
                    self.bytes[i + 1] = b'_';
                    for b in &mut self.bytes[i + 2..close] {
                        // ASCII punctuation (flyway:defaultSchema, a.b) becomes `_`; other bytes
                        // (letters, digits, UTF-8) are valid in an unquoted identifier as they are.
                        if b.is_ascii() && !b.is_ascii_alphanumeric() {
                            *b = b'_';
                        }
                    }
                    self.bytes[close] = b'_';
                    self.changed = true;
                    i = close + 1;
                    continue;
                }
            }
            i += 1;
        }
    }

    /// The edited text, or `None` when nothing changed.
    pub fn finish(self) -> Option<String> {
        if !self.changed {
            return None;
        }
        // Only ASCII bytes were written, each over a whole ASCII byte or over a byte of a
        // multi-byte character that was entirely blanked (blank) or kept (placeholders only
        // rewrite ASCII), so the text stays UTF-8; fall back to lossy rather than panic.
        Some(
            String::from_utf8(self.bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        )
    }
}

/// The file name of `path`, lossily.
pub(crate) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The name of the directory holding `path`.
pub(crate) fn parent_name(path: &Path) -> String {
    path.parent().map(file_name).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_reads_numbers_as_numbers() {
        let mut v = vec!["10_b", "2_a", "1_z", "002_c", "1.10", "1.9", "V2", "R__x"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            v,
            ["1.9", "1.10", "1_z", "2_a", "002_c", "10_b", "R__x", "V2"]
        );
        assert_eq!(
            natural_cmp("20210311102338000015", "20210311102338000016"),
            Ordering::Less
        );
    }

    #[test]
    fn masking_keeps_every_byte_position() {
        let text = "SELECT 'é';\n-- down\r\nDROP TABLE t;\n";
        let mut m = Masked::new(text);
        m.blank(12..text.len());
        let out = m.finish().unwrap();
        assert_eq!(out.len(), text.len());
        assert_eq!(out, "SELECT 'é';\n       \r\n             \n");
    }

    #[test]
    fn placeholders_become_identifiers_of_the_same_length() {
        let text = "CREATE TABLE ${schema}.t (a int); -- ${flyway:user} ${open\n$$x$$";
        let mut m = Masked::new(text);
        m.neutralise_placeholders(0..text.len());
        let out = m.finish().unwrap();
        assert_eq!(
            out,
            "CREATE TABLE __schema_.t (a int); -- __flyway_user_ ${open\n$$x$$"
        );
    }

    #[test]
    fn sql_names_with_multibyte_characters() {
        assert!(is_sql_name("é.sql"));
        assert!(!is_sql_name("x€"));
        assert!(!is_sql_name("€sql"));
    }

    #[test]
    fn layout_names_round_trip() {
        for l in Layout::ALL {
            assert_eq!(l.as_str().parse::<Layout>(), Ok(l));
        }
        let err = "rails".parse::<Layout>().unwrap_err().to_string();
        assert!(err.contains("golang-migrate"), "{err}");
    }
}
