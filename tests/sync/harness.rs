//! Shared helpers of the sync tests: running the binary, naming databases, reading catalogs,
//! dumping with pg_dump, scanning for PII, and collecting many failed checks into one panic.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tokio_postgres::Client;

use crate::support;

/// Two salts: the same salt must give the same staging data, another salt other data.
pub const SALT_A: &str = "pgward-tests-salt-A-6f1d2c9e";
pub const SALT_B: &str = "pgward-tests-salt-B-0b7e44a1";

/// Environment variables pgward reads; the tests clear them so the caller's shell cannot leak in.
const PGWARD_ENV: &[&str] = &[
    "PGWARD_SOURCE",
    "PGWARD_TARGET",
    "PGWARD_PROFILE",
    "PGWARD_JOBS",
    "PGWARD_REPORT",
    "PGWARD_PROGRESS",
    "PGWARD_SALT",
    "STAGING_SAFETY_LOCK",
];

/// `fixtures/sync/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/sync")
        .join(name)
}

pub fn read_fixture(name: &str) -> String {
    let path = fixture(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `../shared/datasets` beside the crate (CI), else /work/shared/datasets.
pub fn shared_datasets() -> PathBuf {
    let beside = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/datasets"));
    if beside.is_dir() {
        beside.to_path_buf()
    } else {
        PathBuf::from("/work/shared/datasets")
    }
}

/// The same connection URL (or `key=value` string) for another database of the same server.
pub fn url_for(url: &str, db: &str) -> String {
    crate::support::with_dbname(url, db)
}

/// The same database as `url`, written as a libpq `key=value` string (another spelling that
/// must still count as the same database).
pub fn keyword_form(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let (authority_path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = authority_path
        .split_once('/')
        .unwrap_or((authority_path, ""));
    let mut parts = Vec::new();
    if let Some((user, _)) = authority.split_once('@') {
        parts.push(format!("user={user}"));
    }
    for kv in query.split('&').filter(|s| !s.is_empty()) {
        let (k, v) = kv.split_once('=')?;
        parts.push(format!("{k}={}", percent_decode(v)));
    }
    parts.push(format!("dbname={}", percent_decode(path)));
    Some(parts.join(" "))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A fresh database for a test, its URL and its real name on the server.
pub async fn fresh_database(name: &str) -> (String, String) {
    let url = support::database(name).await;
    let client = support::connect(&url).await;
    let real: String = client
        .query_one("SELECT current_database()::text", &[])
        .await
        .unwrap()
        .get(0);
    (url, real)
}

/// Runs SQL, panicking with the server's message.
pub async fn exec(client: &Client, sql: &str, what: &str) {
    client
        .batch_execute(sql)
        .await
        .unwrap_or_else(|e| panic!("{what}: {}", support::message(&e)));
}

pub async fn load_hard_cases(url: &str) {
    let client = support::connect(url).await;
    exec(
        &client,
        &read_fixture("hard_cases.sql"),
        "loading hard_cases.sql",
    )
    .await;
}

/// Loads Pagila's schema (its `OWNER TO` lines removed: the roles need not exist on a test
/// server) and then fixtures/sync/pagila-data.sql.
pub async fn load_pagila(url: &str) {
    let path = shared_datasets().join("pagila-schema.sql");
    let schema =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: String = schema
        .lines()
        .filter(|l| !(l.starts_with("ALTER ") && l.contains(" OWNER TO ")))
        .collect::<Vec<_>>()
        .join("\n");
    let client = support::connect(url).await;
    exec(&client, &schema, "loading pagila-schema.sql").await;
    drop(client);
    let client = support::connect(url).await;
    exec(
        &client,
        &read_fixture("pagila-data.sql"),
        "loading pagila-data.sql",
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Running pgward

/// The outcome of one pgward run.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub command: String,
}

impl Run {
    fn from_output(command: String, out: Output) -> Run {
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            command,
        }
    }

    /// For failure messages: the command, its exit code and output.
    pub fn describe(&self) -> String {
        format!(
            "`{}` exited {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.command,
            self.code,
            tail(&self.stdout, 60),
            tail(&self.stderr, 60)
        )
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// `pgward sync --source S --target T --profile P --jobs 2` with `STAGING_SAFETY_LOCK=enabled`
/// and `PGWARD_SALT=salt`, every other pgward variable cleared.
pub fn sync_command(source: &str, target: &str, profile: &Path, salt: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pgward"));
    for var in PGWARD_ENV {
        cmd.env_remove(var);
    }
    cmd.env("STAGING_SAFETY_LOCK", "enabled")
        .env("PGWARD_SALT", salt)
        .arg("sync")
        .arg("--source")
        .arg(source)
        .arg("--target")
        .arg(target)
        .arg("--profile")
        .arg(profile)
        .args(["--jobs", "2"])
        .stdin(Stdio::null());
    cmd
}

fn describe_command(cmd: &Command) -> String {
    let mut s = String::new();
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            s.push_str(&format!("{}={} ", k.to_string_lossy(), v.to_string_lossy()));
        }
    }
    s.push_str("pgward");
    for a in cmd.get_args() {
        let a = a.to_string_lossy();
        if a.contains(' ') || a.contains('?') || a.contains('&') {
            s.push_str(&format!(" '{a}'"));
        } else {
            s.push_str(&format!(" {a}"));
        }
    }
    s
}

/// Runs a command to completion off the test's runtime thread (so our connections stay served).
/// With `PGWARD_SYNC_TESTS_VERBOSE` set, prints the command and its output.
pub async fn run(mut cmd: Command) -> Run {
    let command = describe_command(&cmd);
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("join")
        .unwrap_or_else(|e| panic!("cannot run pgward: {e}"));
    let run = Run::from_output(command, out);
    if std::env::var_os("PGWARD_SYNC_TESTS_VERBOSE").is_some() {
        eprintln!("{}", run.describe());
    }
    run
}

// ---------------------------------------------------------------------------------------------
// Catalog reads

/// Database names on the server starting with `prefix`.
pub async fn databases_like(client: &Client, prefix: &str) -> BTreeSet<String> {
    client
        .query(
            "SELECT datname::text FROM pg_database WHERE starts_with(datname, $1)",
            &[&prefix],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

pub async fn database_exists(client: &Client, name: &str) -> bool {
    client
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await
        .unwrap()
        .is_some()
}

/// Tables holding rows (plain tables and partitions, not partitioned parents), outside the
/// system schemas: `schema.table` as the catalog spells it -> quoted name.
pub async fn leaf_tables(client: &Client) -> BTreeMap<String, String> {
    client
        .query(
            "SELECT n.nspname || '.' || c.relname, format('%I.%I', n.nspname, c.relname)
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

pub async fn scalar_i64(client: &Client, sql: &str) -> i64 {
    client
        .query_one(sql, &[])
        .await
        .unwrap_or_else(|e| panic!("{sql}: {}", support::message(&e)))
        .get(0)
}

/// Like [`scalar_i64`], the server's message as the error.
pub async fn try_i64(client: &Client, sql: &str) -> Result<i64, String> {
    match client.query_one(sql, &[]).await {
        Ok(row) => row
            .try_get::<_, Option<i64>>(0)
            .map(|v| v.unwrap_or(0))
            .map_err(|e| e.to_string()),
        Err(e) => Err(support::message(&e)),
    }
}

pub async fn scalar_text(client: &Client, sql: &str) -> Option<String> {
    client
        .query_one(sql, &[])
        .await
        .unwrap_or_else(|e| panic!("{sql}: {}", support::message(&e)))
        .get(0)
}

/// Rows per leaf table.
pub async fn row_counts(client: &Client) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for (name, quoted) in leaf_tables(client).await {
        let n = scalar_i64(client, &format!("SELECT count(*) FROM ONLY {quoted}")).await;
        out.insert(name, n);
    }
    out
}

/// An order-independent digest of a table's rows (text form of every row, sorted).
pub async fn table_digest(client: &Client, quoted: &str) -> String {
    scalar_text(
        client,
        &format!(
            "SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) \
             FROM ONLY {quoted} t"
        ),
    )
    .await
    .unwrap_or_default()
}

pub async fn digests(client: &Client) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (name, quoted) in leaf_tables(client).await {
        out.insert(name, table_digest(client, &quoted).await);
    }
    out
}

/// Every sequence's `last_value` (NULL when never used), by `schema.sequence`.
pub async fn sequences(client: &Client) -> BTreeMap<String, Option<i64>> {
    client
        .query(
            "SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

/// Text values returned by each query (NULLs skipped).
pub async fn collect_values(client: &Client, queries: &[&str]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for sql in queries {
        let rows = client
            .query(*sql, &[])
            .await
            .unwrap_or_else(|e| panic!("{sql}: {}", support::message(&e)));
        for row in rows {
            for i in 0..row.len() {
                if let Some(v) = row.get::<_, Option<String>>(i) {
                    out.insert(v);
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// pg_dump

/// A PostgreSQL client program: on PATH, else in the newest /usr/lib/postgresql/*/bin.
pub fn pg_program(name: &str) -> PathBuf {
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return p;
            }
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    versions.sort();
    versions
        .into_iter()
        .rev()
        .map(|v| v.join("bin").join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("cannot find `{name}`: install PostgreSQL's client programs"))
}

/// `pg_dump ARGS URL`, stdout as text.
pub async fn pg_dump(url: &str, args: &[&str]) -> String {
    let mut cmd = Command::new(pg_program("pg_dump"));
    cmd.args(args).arg("--dbname").arg(url);
    let shown = format!("pg_dump {} --dbname {url}", args.join(" "));
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("join")
        .unwrap_or_else(|e| panic!("{shown}: {e}"));
    assert!(
        out.status.success(),
        "{shown} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The schema of a database as pg_dump prints it, owners and grants aside, without the lines that
/// differ between two dumps of equal schemas: comments (`--`, they carry nothing but names and
/// versions), session settings (`SET`, `set_config`), psql's `\restrict` guard lines, blank lines.
pub async fn schema_lines(url: &str) -> Vec<String> {
    pg_dump(url, &["--schema-only", "--no-owner", "--no-acl"])
        .await
        .lines()
        .filter(|l| {
            !(l.trim().is_empty()
                || l.starts_with("--")
                || l.starts_with("SET ")
                || l.starts_with("SELECT pg_catalog.set_config")
                || l.starts_with("\\restrict")
                || l.starts_with("\\unrestrict"))
        })
        .map(str::to_owned)
        .collect()
}

/// None when equal, else the lines only in one of them (up to 40 each).
pub fn line_diff(source: &[String], target: &[String]) -> Option<String> {
    if source == target {
        return None;
    }
    let s: BTreeSet<&String> = source.iter().collect();
    let t: BTreeSet<&String> = target.iter().collect();
    let only_s: Vec<&&String> = s.difference(&t).take(40).collect();
    let only_t: Vec<&&String> = t.difference(&s).take(40).collect();
    let first = source
        .iter()
        .zip(target)
        .position(|(a, b)| a != b)
        .unwrap_or(source.len().min(target.len()));
    Some(format!(
        "{} vs {} lines, first difference at line {first}:\n  source: {:?}\n  target: {:?}\n\
         only in source: {only_s:#?}\nonly in target: {only_t:#?}",
        source.len(),
        target.len(),
        source.get(first),
        target.get(first),
    ))
}

// ---------------------------------------------------------------------------------------------
// PII scan

/// Values shorter than this are not looked for: 5-digit zip codes and similar short values occur
/// by chance inside other data (ids, amounts, timestamps, fake digits), so finding one proves
/// nothing; every longer value in the fixtures (emails, full names, phones, streets, IPs, tokens,
/// password hashes, invented last names) is specific enough that finding it means it leaked.
pub const MIN_PII_LEN: usize = 8;

/// The original values found in `haystack` (at most 20), or none.
pub fn find_pii(values: &BTreeSet<String>, haystack: &str) -> Vec<String> {
    let needles: Vec<&String> = values.iter().filter(|v| v.len() >= MIN_PII_LEN).collect();
    if needles.is_empty() {
        return Vec::new();
    }
    let pattern = needles
        .iter()
        .map(|v| regex::escape(v))
        .collect::<Vec<_>>()
        .join("|");
    let re = regex::RegexBuilder::new(&pattern)
        .size_limit(256 << 20)
        .dfa_size_limit(256 << 20)
        .build()
        .expect("literal alternation");
    let mut found = BTreeSet::new();
    for m in re.find_iter(haystack) {
        found.insert(m.as_str().to_owned());
        if found.len() >= 20 {
            break;
        }
    }
    found.into_iter().collect()
}

// ---------------------------------------------------------------------------------------------
// Checks

/// Collects failed checks so one test run reports all of them, then panics at `finish`.
#[derive(Default)]
pub struct Checks {
    failures: Vec<String>,
}

impl Checks {
    pub fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            self.failures.push(what());
        }
    }

    pub fn eq<T: PartialEq + std::fmt::Debug>(&mut self, left: T, right: T, what: &str) {
        if left != right {
            self.failures
                .push(format!("{what}: {left:?} != {right:?} (left: expected)"));
        }
    }

    pub fn fail(&mut self, what: String) {
        self.failures.push(what);
    }

    /// Panics listing every failed check.
    pub fn finish(self, test: &str) {
        if !self.failures.is_empty() {
            let list: Vec<String> = self
                .failures
                .iter()
                .enumerate()
                .map(|(i, f)| format!("{}. {f}", i + 1))
                .collect();
            panic!(
                "{test}: {} check(s) failed:\n{}",
                self.failures.len(),
                list.join("\n\n")
            );
        }
    }
}
