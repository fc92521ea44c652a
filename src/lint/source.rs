//! Where SQL comes from: files, directories (walked for `*.sql`, sorted) and stdin.
//!
//! Every input is read whole into memory as UTF-8 (a byte-order mark is dropped). A path that
//! cannot be used becomes a [`SourceError`] and the run goes on with the other inputs, as ripgrep
//! does: the caller prints the errors and ends with exit code 2.
//!
//! Directories are walked recursively for files whose extension is `sql` in any case, in byte order
//! of their path relative to the directory, so that the order is the same on every machine.
//! Hidden entries (`.git`, `.#x.sql` editor locks) are skipped; symbolic links are followed, but a
//! directory already walked (a symlink loop, or two links to one place) is not walked again.
//!
//! [`collect_migrations`] adds what the migration framework says about each file (see
//! [`super::layout`]): the layout is detected for each directory that holds `*.sql` files (or set
//! in `pgward.toml`), the files of one migration set are put in the runner's order (in the places
//! the byte order gave the set, so plain SQL keeps exactly the byte order), and each file gets its
//! part (up, down, repeatable), its transaction mode and the text the rules see.
//!
//! Each up is then paired with its down ([`DownPart`]): the sibling `.down.sql` (golang-migrate,
//! sqlx reversible pairs), `down.sql` in the same directory (diesel), the `U<version>__` undo file
//! (Flyway), or the down section of the same file (goose, dbmate). A down is *expected* only where
//! the migration set writes downs (at least one down file or section in the set), and only from
//! the set's first migration with a down on: a team that never writes them rolls forward by
//! design, and migrations older than its first down predate the habit.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::SourceFile;
use super::layout::{self, DirListing, DownSite, Layout, Part, Prepared};
use super::statement::Statement;

/// The largest input read; bigger ones are refused rather than loaded into memory.
pub const MAX_FILE_SIZE: u64 = 256 * 1024 * 1024;

/// A path that could not be read; the run goes on with the others and ends with exit code 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SourceError {
    #[error("{path}: no such file or directory")]
    #[diagnostic(
        code(pgward::lint::missing_path),
        help("Check the path; `pgward lint migrations/` walks a directory for *.sql files.")
    )]
    Missing { path: String },

    #[error("{path}: no .sql files found")]
    #[diagnostic(
        code(pgward::lint::no_sql_files),
        help(
            "Point pgward at the directory that holds the migrations, or name the files: only \
             files ending in .sql are read from a directory (hidden directories are skipped)."
        )
    )]
    NoSqlFiles { path: String },

    #[error("{path}: not a file or a directory")]
    #[diagnostic(
        code(pgward::lint::not_a_file),
        help(
            "Pass a .sql file or a directory; to lint SQL from a pipe or a device, pass `-` and \
             send the SQL to standard input."
        )
    )]
    NotAFile { path: String },

    #[error("{path}: cannot read: {error}")]
    #[diagnostic(
        code(pgward::lint::io_error),
        help("Check that the path exists and that you may read it, then run pgward again.")
    )]
    Io { path: String, error: io::Error },

    #[error("{path}:{line}: not valid UTF-8 (the first bad byte is on this line); not linted")]
    #[diagnostic(
        code(pgward::lint::invalid_utf8),
        help("Re-save the file as UTF-8 (for example `iconv -f LATIN1 -t UTF-8`).")
    )]
    InvalidUtf8 { path: String, line: usize },

    #[error("{path}: larger than the {} MiB limit; not linted", MAX_FILE_SIZE >> 20)]
    #[diagnostic(
        code(pgward::lint::file_too_large),
        help(
            "Split the file into smaller migrations. To lint a pg_dump, lint a schema-only dump \
             (`pg_dump --schema-only`)."
        )
    )]
    TooLarge { path: String },
}

/// Reads every input. `-` is stdin, shown in output as `stdin_name`.
pub fn collect(inputs: &[PathBuf], stdin_name: &str) -> (Vec<SourceFile>, Vec<SourceError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for input in inputs {
        if input.as_os_str() == "-" {
            keep(
                read_stream(io::stdin().lock(), stdin_name),
                &mut files,
                &mut errors,
            );
            continue;
        }
        let shown = input.to_string_lossy().into_owned();
        match fs::metadata(input) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                errors.push(SourceError::Missing { path: shown });
            }
            Err(error) => errors.push(SourceError::Io { path: shown, error }),
            Ok(meta) if meta.is_file() => keep(read_file(input, shown), &mut files, &mut errors),
            Ok(meta) if meta.is_dir() => {
                let walked = walk_sorted(input, shown, &mut errors);
                for rel in walked {
                    let path = input.join(&rel);
                    let shown = path.to_string_lossy().into_owned();
                    keep(read_file(&path, shown), &mut files, &mut errors);
                }
            }
            Ok(_) => errors.push(SourceError::NotAFile { path: shown }),
        }
    }
    (files, errors)
}

/// One input file as its migration runner sees it.
#[derive(Clone, Debug)]
pub struct Migration {
    pub file: SourceFile,
    /// The file on disk; `None` for stdin.
    pub disk_path: Option<PathBuf>,
    /// The directory of the migration set the file belongs to (diesel and prisma: the directory
    /// above the migration's own); `None` for stdin.
    pub set: Option<PathBuf>,
    pub layout: Layout,
    pub prepared: Prepared,
    /// The down part that undoes this up (set for up parts only; down files get
    /// [`DownPart::NotExpected`]).
    pub down: DownPart,
}

/// What the reversibility rules know of an up migration's down part.
#[derive(Clone, Debug)]
pub enum DownPart {
    /// No down is expected: the layout has none (prisma, plain SQL, stdin, sqlx
    /// `<version>_<name>.sql`, Flyway repeatables), or the migration set never writes one.
    NotExpected,
    /// The set writes downs but this up has none. `expected` names what is missing, for
    /// messages: a path (`migrations/3_x.down.sql`) or a section (`a -- +goose Down section`).
    Missing { expected: String },
    /// The down file or section.
    Present(DownFile),
}

impl DownPart {
    /// Whether the layout and the set say this migration has, or should have, a down.
    pub fn is_expected(&self) -> bool {
        !matches!(self, DownPart::NotExpected)
    }

    /// A down given as text (tests, docs examples).
    pub fn present(path: &str, text: &str) -> DownPart {
        DownPart::Present(DownFile::new(path.to_owned(), text.to_owned(), None))
    }
}

/// A down file, or the down section of the up's own file.
#[derive(Clone, Debug)]
pub struct DownFile {
    /// The path as shown in output (the up file's own path for a section).
    pub path: String,
    /// The SQL the runner runs to go down: for a section, the whole file with everything else
    /// blanked (same length, so positions are the file's).
    pub text: String,
    /// For a section of the up's own file (goose, dbmate), the line that starts it
    /// (`-- +goose Down`); `None` for a file of its own.
    pub section: Option<&'static str>,
    statements: OnceLock<Vec<Statement>>,
}

impl DownFile {
    pub fn new(path: String, text: String, section: Option<&'static str>) -> DownFile {
        DownFile {
            path,
            text,
            section,
            statements: OnceLock::new(),
        }
    }

    /// The down's statements, split and lowered once (DO bodies expanded, as for up files).
    pub fn statements(&self) -> &[Statement] {
        self.statements
            .get_or_init(|| super::parse_file(&self.text))
    }

    /// How messages name it: `migrations/3_x.down.sql`, or `the -- +goose Down section`.
    pub fn describe(&self) -> String {
        match self.section {
            Some(marker) => format!("the `{marker}` section"),
            None => self.path.clone(),
        }
    }
}

impl Migration {
    /// Whether its rules run: up and repeatable parts; down files are only read.
    pub fn is_linted(&self) -> bool {
        self.prepared.part.is_linted()
    }
}

/// Reads every input like [`collect`], and prepares each file as its migration framework runs it.
/// `layout` forces one layout for every directory (`[migrations] layout` in `pgward.toml`).
pub fn collect_migrations(
    inputs: &[PathBuf],
    stdin_name: &str,
    layout: Option<Layout>,
) -> (Vec<Migration>, Vec<SourceError>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for input in inputs {
        if input.as_os_str() == "-" {
            match read_stream(io::stdin().lock(), stdin_name) {
                Ok(file) => out.push(stdin_migration(file, stdin_name, layout)),
                Err(e) => errors.push(e),
            }
            continue;
        }
        let shown = input.to_string_lossy().into_owned();
        match fs::metadata(input) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                errors.push(SourceError::Missing { path: shown });
            }
            Err(error) => errors.push(SourceError::Io { path: shown, error }),
            Ok(meta) if meta.is_file() => match read_file(input, shown) {
                Ok(file) => out.push(file_migration(file, input, layout)),
                Err(e) => errors.push(e),
            },
            Ok(meta) if meta.is_dir() => {
                let walked = walk_sorted(input, shown, &mut errors);
                let mut read = Vec::new();
                for rel in walked {
                    let path = input.join(&rel);
                    let shown = path.to_string_lossy().into_owned();
                    match read_file(&path, shown) {
                        Ok(file) => read.push((path, file)),
                        Err(e) => errors.push(e),
                    }
                }
                out.extend(dir_migrations(read, layout));
            }
            Ok(_) => errors.push(SourceError::NotAFile { path: shown }),
        }
    }
    (out, errors)
}

fn stdin_migration(file: SourceFile, stdin_name: &str, layout: Option<Layout>) -> Migration {
    let layout = layout.unwrap_or(Layout::Plain);
    let mut prepared = layout.prepare(Path::new(stdin_name), &file.text);
    if layout == Layout::Plain {
        // Piped SQL (alembic --sql, sqlmigrate) is what is about to run, whatever its name.
        prepared.part = Part::Up;
    }
    Migration {
        file,
        disk_path: None,
        set: None,
        layout,
        prepared,
        down: DownPart::NotExpected,
    }
}

/// A file named on the command line: its layout comes from its directory.
fn file_migration(file: SourceFile, path: &Path, layout: Option<Layout>) -> Migration {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = layout::file_name(path);
    let layout = layout.unwrap_or_else(|| {
        layout::detect(&DirListing {
            dir,
            names: dir_names(dir),
            texts: vec![(name.as_str(), file.text.as_str())],
        })
    });
    let set = set_dir(dir, layout);
    let prepared = layout.prepare(path, &file.text);
    let mut migrations = [Migration {
        file,
        disk_path: Some(path.to_owned()),
        set: Some(set),
        layout,
        prepared,
        down: DownPart::NotExpected,
    }];
    pair_downs(&mut migrations);
    let [m] = migrations;
    m
}

/// The files walked from one directory argument, in byte order: detect each directory's layout,
/// prepare the files, and put each migration set in its runner's order.
fn dir_migrations(read: Vec<(PathBuf, SourceFile)>, forced: Option<Layout>) -> Vec<Migration> {
    // Files grouped by the directory that holds them, in order of first appearance.
    let mut groups: Vec<(PathBuf, Vec<usize>)> = Vec::new();
    for (i, (path, _)) in read.iter().enumerate() {
        let dir = path.parent().unwrap_or(Path::new("")).to_owned();
        match groups.iter_mut().find(|(d, _)| *d == dir) {
            Some((_, members)) => members.push(i),
            None => groups.push((dir, vec![i])),
        }
    }
    let mut layouts = vec![Layout::Plain; read.len()];
    for (dir, members) in &groups {
        let layout = forced.unwrap_or_else(|| {
            let names: Vec<String> = members
                .iter()
                .map(|&i| layout::file_name(&read[i].0))
                .collect();
            let texts = members
                .iter()
                .zip(&names)
                .map(|(&i, n)| (n.as_str(), read[i].1.text.as_str()))
                .collect();
            let mut all_names = dir_names(dir);
            if all_names.is_empty() {
                all_names = names.clone();
            }
            layout::detect(&DirListing {
                dir,
                names: all_names,
                texts,
            })
        });
        for &i in members {
            layouts[i] = layout;
        }
    }
    let mut migrations: Vec<Migration> = read
        .into_iter()
        .zip(layouts)
        .map(|((path, file), layout)| {
            let dir = path.parent().unwrap_or(Path::new(""));
            let set = set_dir(dir, layout);
            let prepared = layout.prepare(&path, &file.text);
            Migration {
                file,
                disk_path: Some(path),
                set: Some(set),
                layout,
                prepared,
                down: DownPart::NotExpected,
            }
        })
        .collect();
    order_sets(&mut migrations);
    pair_downs(&mut migrations);
    migrations
}

/// Gives each up migration its [`DownPart`]. Down files among `migrations` are used as read;
/// others are looked up on disk (a file linted alone still finds its `.down.sql`).
fn pair_downs(migrations: &mut [Migration]) {
    let read: HashMap<PathBuf, usize> = migrations
        .iter()
        .enumerate()
        .filter_map(|(i, m)| Some((m.disk_path.clone()?, i)))
        .collect();
    let mut first_downs: HashMap<(PathBuf, Layout), Option<String>> = HashMap::new();
    for i in 0..migrations.len() {
        let m = &migrations[i];
        let (Some(path), Some(set)) = (&m.disk_path, &m.set) else {
            continue;
        };
        if m.prepared.part != Part::Up {
            continue;
        }
        let site = m.layout.down_site(path);
        if site == DownSite::None {
            continue;
        }
        let layout = m.layout;
        if matches!(layout, Layout::GolangMigrate | Layout::Sqlx) && is_pop_set(set) {
            continue;
        }
        let first = first_downs
            .entry((set.clone(), layout))
            .or_insert_with(|| first_down_version(set, layout, migrations));
        let expected = first.as_deref().is_some_and(|first| {
            layout::natural_cmp(&m.prepared.version, first) != std::cmp::Ordering::Less
        });
        if !expected {
            continue;
        }
        let m = &migrations[i];
        let down = match site {
            DownSite::None => DownPart::NotExpected,
            DownSite::SameFile => match layout.down_text(&m.file.text) {
                Some(text) => DownPart::Present(DownFile::new(
                    m.file.path.clone(),
                    text,
                    Some(layout.down_section_marker()),
                )),
                None => DownPart::Missing {
                    expected: format!(
                        "a `{}` section in {}",
                        layout.down_section_marker(),
                        m.file.path
                    ),
                },
            },
            DownSite::Sibling(down_path) => sibling_down(&read, migrations, m, path, &down_path),
            DownSite::FlywayUndo { version } => {
                let dir = path.parent().unwrap_or(Path::new(""));
                let undo = dir_names(dir).into_iter().find(|n| {
                    Layout::flyway_undo_version(n).is_some_and(|v| {
                        layout::natural_cmp(&v, &version) == std::cmp::Ordering::Equal
                    })
                });
                match undo {
                    Some(name) => sibling_down(&read, migrations, m, path, &dir.join(&name)),
                    None => {
                        let desc = layout::file_name(path);
                        let desc = desc.split_once("__").map_or("", |(_, d)| d);
                        let down_path = dir.join(format!("U{version}__{desc}"));
                        DownPart::Missing {
                            expected: shown_beside(&m.file.path, path, &down_path),
                        }
                    }
                }
            }
        };
        migrations[i].down = down;
    }
}

/// `down` shown the way the user wrote the up file's path (relative stays relative).
/// The down file `down_path` of migration `m` (at `path`): from the files already read when it is
/// one of them, else from the disk.
fn sibling_down(
    read: &HashMap<PathBuf, usize>,
    migrations: &[Migration],
    m: &Migration,
    path: &Path,
    down_path: &Path,
) -> DownPart {
    match read.get(down_path) {
        Some(&j) => DownPart::Present(DownFile::new(
            migrations[j].file.path.clone(),
            migrations[j].file.text.clone(),
            None,
        )),
        None => read_down(down_path, shown_beside(&m.file.path, path, down_path)),
    }
}

fn shown_beside(up_shown: &str, up_path: &Path, down: &Path) -> String {
    match (Path::new(up_shown).parent(), up_path.parent()) {
        (Some(shown_dir), Some(dir)) => match down.strip_prefix(dir) {
            Ok(rel) => shown_dir.join(rel).to_string_lossy().into_owned(),
            Err(_) => down.to_string_lossy().into_owned(),
        },
        _ => down.to_string_lossy().into_owned(),
    }
}

/// A down file not among the inputs, read from disk. One that exists but cannot be read is not
/// reported as missing: the reversibility rules then stay quiet about the migration.
fn read_down(path: &Path, shown: String) -> DownPart {
    match fs::metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => DownPart::Missing { expected: shown },
        Err(_) => DownPart::NotExpected,
        Ok(meta) if !meta.is_file() => DownPart::NotExpected,
        Ok(_) => match read_file(path, shown) {
            Ok(file) => DownPart::Present(DownFile::new(file.path, file.text, None)),
            Err(_) => DownPart::NotExpected,
        },
    }
}

/// A gobuffalo/pop (fizz) set that golang-migrate's naming also matches:
/// `<version>_<name>.<dialect>.up.sql`. Pop splits one migration into numbered parts whose downs
/// undo the group as a whole, in reverse, not the part with the same number, so pairing by version
/// would compare unrelated files (ory/kratos); no down is expected there.
fn is_pop_set(set: &Path) -> bool {
    dir_names(set).iter().any(|n| {
        let n = n.to_ascii_lowercase();
        [".postgres.", ".cockroach.", ".mysql.", ".sqlite3."]
            .iter()
            .any(|d| n.contains(d) && (n.ends_with(".up.sql") || n.ends_with(".down.sql")))
    })
}

/// The version of the first migration of the set in `set` that has a down (a down file, or a
/// down section in goose and dbmate files; the files read are looked at first, then the others on
/// disk), or `None` when the set writes no downs. Migrations before it predate the team's use of
/// downs and expect none.
fn first_down_version(set: &Path, layout: Layout, read: &[Migration]) -> Option<String> {
    let dir = if set.as_os_str().is_empty() {
        Path::new(".")
    } else {
        set
    };
    let mut versions: Vec<String> = Vec::new();
    match layout {
        Layout::Goose | Layout::Dbmate => {
            let members: Vec<&Migration> = read
                .iter()
                .filter(|m| m.layout == layout && m.set.as_deref() == Some(set))
                .collect();
            versions.extend(
                members
                    .iter()
                    .filter(|m| layout.has_down_section(&m.file.text))
                    .map(|m| m.prepared.version.clone()),
            );
            let known: HashSet<&Path> = members
                .iter()
                .filter_map(|m| m.disk_path.as_deref())
                .collect();
            if let Ok(entries) = fs::read_dir(dir) {
                for e in entries.flatten() {
                    let path = e.path();
                    if known.contains(path.as_path())
                        || !layout::is_sql_name(&layout::file_name(&path))
                        || !e
                            .metadata()
                            .is_ok_and(|m| m.is_file() && m.len() <= MAX_FILE_SIZE)
                    {
                        continue;
                    }
                    if let Ok(text) = fs::read_to_string(&path)
                        && layout.has_down_section(&text)
                    {
                        versions.push(layout.prepare(&path, "").version);
                    }
                }
            }
        }
        Layout::Diesel => {
            if let Ok(entries) = fs::read_dir(dir) {
                for e in entries.flatten() {
                    let down = e.path().join("down.sql");
                    if down.is_file() {
                        versions.push(layout.prepare(&down, "").version);
                    }
                }
            }
        }
        _ => {
            for name in dir_names(set) {
                if layout.is_down_name(&name) {
                    versions.push(layout.prepare(&dir.join(&name), "").version);
                }
            }
        }
    }
    versions
        .into_iter()
        .min_by(|a, b| layout::natural_cmp(a, b))
}

/// Within each migration set of a framework layout, runner order (version, then path), in the
/// slots the set already occupies; plain SQL keeps the byte order.
fn order_sets(migrations: &mut [Migration]) {
    let mut sets: Vec<(&Path, Vec<usize>)> = Vec::new();
    for (i, m) in migrations.iter().enumerate() {
        if m.layout == Layout::Plain {
            continue;
        }
        let set = m.set.as_deref().unwrap_or(Path::new(""));
        match sets.iter_mut().find(|(s, _)| *s == set) {
            Some((_, members)) => members.push(i),
            None => sets.push((set, vec![i])),
        }
    }
    let sets: Vec<Vec<usize>> = sets.into_iter().map(|(_, m)| m).collect();
    for slots in sets {
        let mut ordered = slots.clone();
        ordered.sort_by(|&a, &b| {
            let (a, b) = (&migrations[a], &migrations[b]);
            layout::natural_cmp(&a.prepared.version, &b.prepared.version)
                .then_with(|| a.file.path.as_bytes().cmp(b.file.path.as_bytes()))
        });
        let taken: Vec<Migration> = ordered.iter().map(|&i| migrations[i].clone()).collect();
        for (slot, m) in slots.into_iter().zip(taken) {
            migrations[slot] = m;
        }
    }
}

/// The migration set's directory: the one above the migration's own for diesel and prisma.
fn set_dir(dir: &Path, layout: Layout) -> PathBuf {
    if layout.one_dir_per_migration() {
        dir.parent().unwrap_or(dir).to_owned()
    } else {
        dir.to_owned()
    }
}

/// Names of the files in `dir` (empty when it cannot be read: detection then uses what it has).
fn dir_names(dir: &Path) -> Vec<String> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Why `--since` could not tell which files changed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SinceError {
    #[error("--since {git_ref}: cannot run git: {error}")]
    #[diagnostic(
        code(pgward::lint::since_git),
        help("--since needs the `git` program on PATH; install git or lint the files by name.")
    )]
    NoGit { git_ref: String, error: io::Error },

    #[error("--since {git_ref}: not inside a git repository")]
    #[diagnostic(
        code(pgward::lint::since_not_a_repository),
        help("Run pgward from the repository's working tree, or lint the files by name.")
    )]
    NotARepository { git_ref: String },

    #[error("--since {git_ref}: no such commit or branch in this shallow clone")]
    #[diagnostic(
        code(pgward::lint::since_shallow),
        help(
            "The clone is shallow and does not have {git_ref}: run `git fetch --unshallow origin` \
             (or `git fetch origin <branch>`) first; in GitHub Actions, check out with \
             `fetch-depth: 0` (actions/checkout)."
        )
    )]
    ShallowMissingRef { git_ref: String },

    #[error("--since {git_ref}: no merge base with HEAD in this shallow clone")]
    #[diagnostic(
        code(pgward::lint::since_shallow),
        help(
            "The history down to the common ancestor is missing: run `git fetch --unshallow` \
             first; in GitHub Actions, check out with `fetch-depth: 0` (actions/checkout)."
        )
    )]
    ShallowNoMergeBase { git_ref: String },

    #[error("--since {git_ref}: no such commit or branch")]
    #[diagnostic(
        code(pgward::lint::since_unknown_ref),
        help(
            "Name a branch, tag or commit that exists here (e.g. origin/main after `git fetch origin main`)."
        )
    )]
    UnknownRef { git_ref: String },

    #[error("--since {git_ref}: git failed: {message}")]
    #[diagnostic(
        code(pgward::lint::since_git),
        help("Run the git command by hand to see what is wrong with the repository.")
    )]
    Git { git_ref: String, message: String },
}

/// The files `--since` found changed, as canonical paths.
#[derive(Debug, Default)]
pub struct Changed {
    /// Added since the base (untracked files included): part of the change under review.
    pub added: HashSet<PathBuf>,
    /// Modified since the base: linted, but they ran before (edited in place).
    pub modified: HashSet<PathBuf>,
}

impl Changed {
    /// How `lint_migrations` treats the file at `path` (a canonical path).
    pub fn selection(&self, path: &Path) -> crate::lint::Selection {
        use crate::lint::Selection;
        if self.added.contains(path) {
            Selection::New
        } else if self.modified.contains(path) {
            Selection::Linted
        } else {
            Selection::Deployed
        }
    }
}

/// The files added or modified since the merge base of `git_ref` and `HEAD`, in the working tree
/// (committed, staged or not; untracked files count as added). Runs git in `cwd`.
pub fn changed_since(git_ref: &str, cwd: &Path) -> Result<Changed, SinceError> {
    let r = || git_ref.to_owned();
    let git = |args: &[&str]| -> Result<std::process::Output, SinceError> {
        std::process::Command::new("git")
            .args(args)
            .current_dir(cwd)
            .output()
            .map_err(|error| SinceError::NoGit {
                git_ref: r(),
                error,
            })
    };
    let text = |out: &std::process::Output| String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let top = git(&["rev-parse", "--show-toplevel"])?;
    if !top.status.success() {
        return Err(SinceError::NotARepository { git_ref: r() });
    }
    let top = PathBuf::from(text(&top));
    let shallow = git(&["rev-parse", "--is-shallow-repository"])
        .map(|o| text(&o) == "true")
        .unwrap_or(false);
    let commit = format!("{git_ref}^{{commit}}");
    let exists = git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        &commit,
    ])?;
    if !exists.status.success() {
        return Err(if shallow {
            SinceError::ShallowMissingRef { git_ref: r() }
        } else {
            SinceError::UnknownRef { git_ref: r() }
        });
    }
    let base = git(&["merge-base", "--end-of-options", git_ref, "HEAD"])?;
    if !base.status.success() {
        return Err(if shallow {
            SinceError::ShallowNoMergeBase { git_ref: r() }
        } else {
            SinceError::Git {
                git_ref: r(),
                message: format!(
                    "no common ancestor with HEAD ({})",
                    String::from_utf8_lossy(&base.stderr).trim()
                ),
            }
        });
    }
    let base = text(&base);
    let diff = git(&[
        "-c",
        "core.quotepath=off",
        "diff",
        "--name-status",
        "--no-renames",
        "--diff-filter=AM",
        "-z",
        &base,
        "--",
    ])?;
    if !diff.status.success() {
        return Err(SinceError::Git {
            git_ref: r(),
            message: String::from_utf8_lossy(&diff.stderr).trim().to_owned(),
        });
    }
    let top_str = top.to_string_lossy().into_owned();
    let untracked = git(&[
        "-C",
        &top_str,
        "ls-files",
        "--others",
        "--exclude-standard",
        "-z",
    ])?;
    // Both name files from the repository root: `diff` always, `ls-files` because it ran there.
    let canonical = |rel: &[u8]| {
        let path = top.join(&*String::from_utf8_lossy(rel));
        fs::canonicalize(&path).unwrap_or(path)
    };
    let mut changed = Changed::default();
    // `--name-status -z`: a status and a path per file, each ending in NUL.
    let mut fields = diff.stdout.split(|&b| b == 0).filter(|f| !f.is_empty());
    while let (Some(status), Some(rel)) = (fields.next(), fields.next()) {
        match status {
            b"A" => changed.added.insert(canonical(rel)),
            _ => changed.modified.insert(canonical(rel)),
        };
    }
    if untracked.status.success() {
        for rel in untracked
            .stdout
            .split(|&b| b == 0)
            .filter(|p| !p.is_empty())
        {
            changed.added.insert(canonical(rel));
        }
    }
    Ok(changed)
}

fn keep(
    result: Result<SourceFile, SourceError>,
    files: &mut Vec<SourceFile>,
    errors: &mut Vec<SourceError>,
) {
    match result {
        Ok(file) => files.push(file),
        Err(err) => errors.push(err),
    }
}

/// Collects into `out` the `*.sql` files under `root.join(rel)`, as paths relative to `root`.
fn walk(
    root: &Path,
    rel: &Path,
    seen: &mut HashSet<PathBuf>,
    out: &mut Vec<PathBuf>,
    errors: &mut Vec<SourceError>,
) {
    let dir = root.join(rel);
    let io_error = |path: &Path, error| SourceError::Io {
        path: path.to_string_lossy().into_owned(),
        error,
    };
    // A directory reached twice (a symlink loop) is walked once.
    match fs::canonicalize(&dir) {
        Ok(real) => {
            if !seen.insert(real) {
                return;
            }
        }
        Err(e) => return errors.push(io_error(&dir, e)),
    }
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) => return errors.push(io_error(&dir, e)),
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                errors.push(io_error(&dir, e));
                continue;
            }
        };
        let name = entry.file_name();
        if name.as_encoded_bytes().starts_with(b".") {
            continue;
        }
        let child = rel.join(&name);
        let file_type = match entry.file_type() {
            Ok(t) if t.is_symlink() => match fs::metadata(entry.path()) {
                Ok(meta) => meta.file_type(),
                Err(e) => {
                    if is_sql(&child) {
                        errors.push(io_error(&root.join(&child), e));
                    }
                    continue;
                }
            },
            Ok(t) => t,
            Err(e) => {
                errors.push(io_error(&root.join(&child), e));
                continue;
            }
        };
        if file_type.is_dir() {
            walk(root, &child, seen, out, errors);
        } else if file_type.is_file() && is_sql(&child) {
            out.push(child);
        }
    }
}

/// A `.sql` extension, in any case.
fn is_sql(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("sql"))
}

fn read_file(path: &Path, shown: String) -> Result<SourceFile, SourceError> {
    let file = match fs::File::open(path) {
        Ok(file) => file,
        Err(error) => return Err(SourceError::Io { path: shown, error }),
    };
    // Refuse early from the size on disk; `read_stream` also stops at the limit, for files whose
    // size is not known in advance.
    let size = file.metadata().map_or(0, |meta| meta.len());
    if size > MAX_FILE_SIZE {
        return Err(SourceError::TooLarge { path: shown });
    }
    // usize is at least 32 bits and `size` at most 256 MiB.
    read_limited(file, &shown, MAX_FILE_SIZE, size as usize)
}

/// Reads a whole stream (a file, or stdin) as UTF-8, shown in messages as `shown`.
fn read_stream(reader: impl Read, shown: &str) -> Result<SourceFile, SourceError> {
    read_limited(reader, shown, MAX_FILE_SIZE, 0)
}

/// [`read_stream`] with the size limit as a parameter (so that tests need not allocate 256 MiB),
/// and the expected size to allocate at once.
fn read_limited(
    reader: impl Read,
    shown: &str,
    limit: u64,
    size_hint: usize,
) -> Result<SourceFile, SourceError> {
    // One byte more than the file, so that reading to its end does not grow the buffer.
    let mut bytes = Vec::with_capacity(size_hint.saturating_add(1));
    if let Err(error) = reader.take(limit + 1).read_to_end(&mut bytes) {
        return Err(SourceError::Io {
            path: shown.to_owned(),
            error,
        });
    }
    if bytes.len() as u64 > limit {
        return Err(SourceError::TooLarge {
            path: shown.to_owned(),
        });
    }
    decode(bytes, shown).map(|text| SourceFile {
        path: shown.to_owned(),
        text,
    })
}

/// UTF-8 text without a leading byte-order mark.
fn decode(mut bytes: Vec<u8>, shown: &str) -> Result<String, SourceError> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        let bad = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..bad].iter().filter(|&&b| b == b'\n').count() + 1;
        SourceError::InvalidUtf8 {
            path: shown.to_owned(),
            line,
        }
    })
}

/// The `*.sql` files under a directory, relative to it, in byte order of their paths. An empty
/// directory is an error; an unreadable one is reported as such, not also as empty.
fn walk_sorted(dir: &Path, shown: String, errors: &mut Vec<SourceError>) -> Vec<PathBuf> {
    let mut walked = Vec::new();
    let errors_before = errors.len();
    walk(dir, Path::new(""), &mut HashSet::new(), &mut walked, errors);
    if walked.is_empty() && errors.len() == errors_before {
        errors.push(SourceError::NoSqlFiles { path: shown });
    }
    walked.sort_by(|a, b| {
        a.as_os_str()
            .as_encoded_bytes()
            .cmp(b.as_os_str().as_encoded_bytes())
    });
    walked
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::fs::File;
    use std::io::Write;

    fn write(path: &Path, text: &[u8]) {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        File::create(path).unwrap().write_all(text).unwrap();
    }

    fn paths(files: &[SourceFile]) -> Vec<&str> {
        files.iter().map(|f| f.path.as_str()).collect()
    }

    #[test]
    fn reads_a_file_as_typed_whatever_its_extension() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("up.txt");
        write(&path, b"SELECT 1;\n");
        let (files, errors) = collect(std::slice::from_ref(&path), "<stdin>");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(paths(&files), [path.to_string_lossy()]);
        assert_eq!(files[0].text, "SELECT 1;\n");
    }

    #[test]
    fn walks_directories_recursively_in_byte_order() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for name in [
            "m/b.sql",
            "m/a.SQL",
            "m/a/z.sql",
            "m/a-b.sql",
            "m/B.sql",
            "m/notes.md",
            "m/sql",
            "m/.git/x.sql",
            "m/.hidden.sql",
            "m/sub/deeper/c.Sql",
        ] {
            write(&root.join(name), b"SELECT 1;");
        }
        let dir = root.join("m");
        let (files, errors) = collect(std::slice::from_ref(&dir), "<stdin>");
        assert!(errors.is_empty(), "{errors:?}");
        let shown: Vec<String> = [
            "B.sql",
            "a-b.sql",
            "a.SQL",
            "a/z.sql",
            "b.sql",
            "sub/deeper/c.Sql",
        ]
        .iter()
        .map(|rel| dir.join(rel).to_string_lossy().into_owned())
        .collect();
        assert_eq!(paths(&files), shown);
    }

    #[test]
    fn walked_paths_keep_the_users_directory_spelling() {
        let tmp = tempfile::tempdir().unwrap();
        write(&tmp.path().join("migrations/sub/1.sql"), b"SELECT 1;");
        let typed = format!("{}/migrations/", tmp.path().display());
        let (files, _) = collect(&[PathBuf::from(&typed)], "<stdin>");
        assert_eq!(paths(&files), [format!("{typed}sub/1.sql")]);
    }

    #[test]
    fn inputs_keep_their_order_and_errors_do_not_stop_the_run() {
        let tmp = tempfile::tempdir().unwrap();
        let a = tmp.path().join("a.sql");
        let b = tmp.path().join("b.sql");
        write(&a, b"SELECT 'a';");
        write(&b, b"SELECT 'b';");
        let missing = tmp.path().join("nope.sql");
        let (files, errors) = collect(&[b.clone(), missing.clone(), a.clone()], "<stdin>");
        assert_eq!(paths(&files), [b.to_string_lossy(), a.to_string_lossy()]);
        assert_eq!(errors.len(), 1);
        assert!(
            matches!(&errors[0], SourceError::Missing { path } if *path == missing.to_string_lossy())
        );
        assert_eq!(
            errors[0].to_string(),
            format!("{}: no such file or directory", missing.display())
        );
    }

    #[test]
    fn a_directory_without_sql_files_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        write(&tmp.path().join("migrations/README.md"), b"hi");
        write(&tmp.path().join("migrations/.git/a.sql"), b"SELECT 1;");
        let typed = format!("{}/migrations/", tmp.path().display());
        let (files, errors) = collect(&[PathBuf::from(&typed)], "<stdin>");
        assert!(files.is_empty());
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].to_string(),
            format!("{typed}: no .sql files found")
        );
        assert!(matches!(errors[0], SourceError::NoSqlFiles { .. }));
    }

    #[cfg(unix)]
    #[test]
    fn neither_file_nor_directory_is_an_error() {
        let (files, errors) = collect(&[PathBuf::from("/dev/null")], "<stdin>");
        assert!(files.is_empty());
        assert!(matches!(&errors[..], [SourceError::NotAFile { path }] if path == "/dev/null"));
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_walked_once() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("m");
        write(&dir.join("sub/1.sql"), b"SELECT 1;");
        std::os::unix::fs::symlink(&dir, dir.join("sub/loop")).unwrap();
        let (files, errors) = collect(std::slice::from_ref(&dir), "<stdin>");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(paths(&files), [dir.join("sub/1.sql").to_string_lossy()]);
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_files_are_followed_and_dangling_ones_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("m");
        write(&tmp.path().join("outside.sql"), b"SELECT 1;");
        fs::create_dir_all(&dir).unwrap();
        std::os::unix::fs::symlink(tmp.path().join("outside.sql"), dir.join("1.sql")).unwrap();
        std::os::unix::fs::symlink(tmp.path().join("gone.sql"), dir.join("2.sql")).unwrap();
        let (files, errors) = collect(std::slice::from_ref(&dir), "<stdin>");
        assert_eq!(paths(&files), [dir.join("1.sql").to_string_lossy()]);
        assert!(
            matches!(&errors[..], [SourceError::Io { path, .. }] if *path == dir.join("2.sql").to_string_lossy()),
            "{errors:?}"
        );
    }

    #[test]
    fn the_byte_order_mark_is_stripped() {
        let file = read_stream(&b"\xEF\xBB\xBFSELECT 1;"[..], "x.sql").unwrap();
        assert_eq!(file.text, "SELECT 1;");
        assert_eq!(file.path, "x.sql");
    }

    #[test]
    fn invalid_utf8_names_the_file_and_line() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("latin1.sql");
        write(&path, b"SELECT 1;\n-- ok\nSELECT 'caf\xE9';\n");
        let (files, errors) = collect(std::slice::from_ref(&path), "<stdin>");
        assert!(files.is_empty());
        let shown = path.to_string_lossy();
        assert!(
            matches!(&errors[..], [SourceError::InvalidUtf8 { path, line: 3 }] if *path == shown),
            "{errors:?}"
        );
        assert!(
            errors[0]
                .to_string()
                .starts_with(&format!("{shown}:3: not valid UTF-8"))
        );
        let help = miette::Diagnostic::help(&errors[0]).unwrap().to_string();
        assert!(help.starts_with("Re-save the file as UTF-8"), "{help}");
    }

    #[test]
    fn stdin_is_read_under_its_display_name() {
        let file = read_stream(&b"SELECT 1;"[..], "migration.sql").unwrap();
        assert_eq!(file.path, "migration.sql");
        assert_eq!(file.text, "SELECT 1;");
    }

    #[test]
    fn read_errors_are_reported_with_the_io_error() {
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("disk on fire"))
            }
        }
        let err = read_stream(Failing, "<stdin>").unwrap_err();
        assert_eq!(err.to_string(), "<stdin>: cannot read: disk on fire");
    }

    #[test]
    fn streams_over_the_limit_are_refused() {
        let big = io::repeat(b' ').take(1000);
        let err = read_limited(big, "<stdin>", 999, 0).unwrap_err();
        assert!(matches!(err, SourceError::TooLarge { .. }), "{err:?}");
        assert!(
            err.to_string() == "<stdin>: larger than the 256 MiB limit; not linted",
            "{err}"
        );
        // At the limit exactly is fine.
        let file = read_limited(io::repeat(b' ').take(999), "<stdin>", 999, 0).unwrap();
        assert_eq!(file.text.len(), 999);
    }

    #[test]
    fn files_over_the_limit_are_refused_without_reading_them() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("huge.sql");
        // A sparse file: no disk space used, nothing read.
        File::create(&path)
            .unwrap()
            .set_len(MAX_FILE_SIZE + 1)
            .unwrap();
        let (files, errors) = collect(std::slice::from_ref(&path), "<stdin>");
        assert!(files.is_empty());
        assert!(
            matches!(&errors[..], [SourceError::TooLarge { path: p }] if *p == path.to_string_lossy()),
            "{errors:?}"
        );
    }

    #[test]
    fn every_error_has_a_code_and_help() {
        let errors = [
            SourceError::Missing { path: "a".into() },
            SourceError::NoSqlFiles { path: "a".into() },
            SourceError::NotAFile { path: "a".into() },
            SourceError::Io {
                path: "a".into(),
                error: io::Error::other("x"),
            },
            SourceError::InvalidUtf8 {
                path: "a".into(),
                line: 1,
            },
            SourceError::TooLarge { path: "a".into() },
        ];
        for err in &errors {
            let code = miette::Diagnostic::code(err).unwrap().to_string();
            assert!(code.starts_with("pgward::lint::"), "{code}");
            assert!(miette::Diagnostic::help(err).is_some(), "{err}");
        }
    }
}
