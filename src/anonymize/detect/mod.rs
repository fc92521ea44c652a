//! PII detection: which columns (and JSON paths inside columns) hold personal data, and why.
//! `pgward profile check`, `pgward profile init` and the sync's pre-flight run it; what it finds
//! must be named in the profile (see [`crate::anonymize::coverage`]).
//!
//! ```no_run
//! # async fn f(client: &tokio_postgres::Client) -> Result<(), tokio_postgres::Error> {
//! use pgward::anonymize::detect::{self, DetectOptions};
//! let tables = pgward::pg::catalog::tables(client).await?;
//! let scan = detect::scan(client, &tables, &DetectOptions::default()).await?;
//! for f in &scan.findings {
//!     println!("{}.{} {:?}: {} -> {}", f.table, f.column, f.path, f.reason, f.suggested);
//! }
//! # Ok(()) }
//! ```
//!
//! # Signals
//!
//! - **Names** ([`names`]): the column name (or JSON key) read against a curated dictionary in
//!   several languages, with the exceptions that keep obvious non-PII quiet (`address_id`
//!   integers, `*_count`, booleans, `created_at`, `product_name`). A bare `name` or `city` is
//!   weak: it flags on a person-like table (`users`, `customer`, `staff`...), on a table estimated
//!   above [`DetectOptions::lookup_max_rows`] rows, or when the sampled values start with first
//!   names; `category.name` and `language.name` stay quiet.
//! - **Values** ([`values`]): up to [`DetectOptions::sample_rows`] rows per table (see
//!   [`crate::pg::sample`]), every text, json/jsonb (every key path), array and network column
//!   classified by shape; a column flags when [`DetectOptions::value_share`] of its values have a
//!   shape, free text when any value contains an email, phone, card number or token.
//! - **Derived**: a column a trigger fills from personal columns (a `tsvector` search vector,
//!   a denormalised text column), a `tsvector` no readable trigger fills, columns referencing
//!   large objects when the database has some, generated columns and materialized views over
//!   personal columns. The last two are *recomputed* by the target from masked inputs: covered
//!   without a rule, unless the profile leaves an input unmasked.
//!
//! Findings name the table the profile must name: a partition's findings are reported on its
//! partitioned root (whose rules apply to it).

pub mod names;
pub mod values;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;
use tokio_postgres::{Client, Error};

use crate::pg::catalog::{Table, TableKind};
use crate::pg::sample::{self, GeneratedColumn, MaterializedView, Sample, Trigger, ValueRead};
use names::{Strength, TypeClass};
use values::{JsonTally, Tally, VALUE_SHARE};

/// A kind of personal data.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PiiKind {
    Email,
    Phone,
    /// A full name, or a name of unknown part.
    PersonName,
    FirstName,
    LastName,
    Username,
    Address,
    City,
    PostalCode,
    BirthDate,
    /// Government ids: SSN, national id, passport, tax id, driver's license.
    NationalId,
    /// IBAN or bank account number.
    BankAccount,
    CardNumber,
    CardSecurityCode,
    IpAddress,
    UserAgent,
    /// A password or its hash.
    Password,
    /// Tokens, API keys, secrets, salts.
    Secret,
    Geolocation,
    Photo,
    /// Free text with personal data inside.
    FreeText,
    /// A `tsvector` filled from personal columns.
    SearchVector,
    /// Large objects (`pg_largeobject`), or a column referencing them.
    LargeObject,
    /// A column computed from personal columns (trigger, generated column, materialized view).
    Derived,
}

impl PiiKind {
    /// The transformer `profile init` writes for this kind (before the type check).
    pub const fn transformer(self) -> &'static str {
        match self {
            PiiKind::Email => "email",
            PiiKind::Phone => "phone",
            PiiKind::PersonName => "name",
            PiiKind::FirstName => "first_name",
            PiiKind::LastName => "last_name",
            PiiKind::Username => "username",
            PiiKind::Address => "address",
            PiiKind::City => "city",
            PiiKind::PostalCode => "zip",
            PiiKind::BirthDate => "date_shift",
            PiiKind::NationalId | PiiKind::BankAccount | PiiKind::CardNumber => "hash",
            PiiKind::IpAddress => "ip",
            PiiKind::Password => "constant",
            PiiKind::Secret => "token",
            PiiKind::Geolocation => "number_noise",
            PiiKind::FreeText => "scrub",
            PiiKind::CardSecurityCode
            | PiiKind::UserAgent
            | PiiKind::Photo
            | PiiKind::SearchVector
            | PiiKind::LargeObject
            | PiiKind::Derived => "null",
        }
    }

    /// What it is, in a sentence: `an email address`.
    pub const fn label(self) -> &'static str {
        match self {
            PiiKind::Email => "an email address",
            PiiKind::Phone => "a phone number",
            PiiKind::PersonName => "a person's name",
            PiiKind::FirstName => "a first name",
            PiiKind::LastName => "a last name",
            PiiKind::Username => "a user name",
            PiiKind::Address => "a postal address",
            PiiKind::City => "a city (part of an address)",
            PiiKind::PostalCode => "a postal code (part of an address)",
            PiiKind::BirthDate => "a birth date",
            PiiKind::NationalId => "a national id number",
            PiiKind::BankAccount => "a bank account number",
            PiiKind::CardNumber => "a payment card number",
            PiiKind::CardSecurityCode => "a card security code",
            PiiKind::IpAddress => "an IP address",
            PiiKind::UserAgent => "a browser user agent",
            PiiKind::Password => "a password or its hash",
            PiiKind::Secret => "a secret token or key",
            PiiKind::Geolocation => "a geolocation",
            PiiKind::Photo => "a photo of a person",
            PiiKind::FreeText => "free text with personal data",
            PiiKind::SearchVector => "a search vector of personal columns",
            PiiKind::LargeObject => "large objects",
            PiiKind::Derived => "data derived from personal columns",
        }
    }
}

/// A column another finding is derived from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Source {
    /// `schema.table` (the partitioned root for a partition).
    pub table: String,
    pub column: String,
}

/// Why a finding was made.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "signal", rename_all = "snake_case")]
pub enum Signal {
    /// The name (or JSON key) only.
    Name,
    /// Sampled values (the name may agree: see the reason). `share` = `matched / sampled`.
    Values {
        share: f64,
        matched: usize,
        sampled: usize,
    },
    /// Computed from personal columns `from`. `recomputed`: the target computes it again from
    /// the masked inputs (generated columns, materialized views), so it needs no rule of its own.
    Derived { from: Vec<Source>, recomputed: bool },
}

/// One column (or JSON path) that holds personal data.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Finding {
    /// `schema.table` as the catalog spells it (`public.Support Tickets`): the table the profile
    /// must name (a partition's root). A materialized view for a materialized-view finding;
    /// `pg_catalog.pg_largeobject` for large objects no column references.
    pub table: String,
    /// The column; `*` for a whole materialized view.
    pub column: String,
    /// A JSON path inside a json/jsonb column (`$.customer.email`, `$.items[*].to`).
    pub path: Option<String>,
    pub kind: PiiKind,
    pub signal: Signal,
    /// Why, in words: `the name says "email" (email address); 100% of 200 sampled values are
    /// email addresses`.
    pub reason: String,
    /// The transformer for one value at this place (for an array column: for each element).
    pub suggested: &'static str,
    /// The column's type as `format_type` spells it.
    pub type_name: String,
}

impl Finding {
    /// Whether the profile needs a rule for it (recomputed derived data does not).
    pub fn needs_rule(&self) -> bool {
        !matches!(
            self.signal,
            Signal::Derived {
                recomputed: true,
                ..
            }
        )
    }

    /// `public.users.payload $.customer.email` / `public.users.email`.
    pub fn location(&self) -> String {
        match &self.path {
            Some(p) => format!("{}.{} {p}", self.table, self.column),
            None => format!("{}.{}", self.table, self.column),
        }
    }
}

/// A word a profile adds to the dictionary.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct ExtraWord {
    /// A word or phrase (`matricule`, `badge number`).
    pub word: String,
    pub kind: PiiKind,
}

/// Detection settings (a profile may later carry the word lists).
#[derive(Debug, Clone, PartialEq)]
pub struct DetectOptions {
    /// Words to flag beyond the dictionary.
    pub extra_words: Vec<ExtraWord>,
    /// Dictionary words never to flag (`tel` in a schema where it means something else).
    pub ignore_words: Vec<String>,
    /// Rows sampled per table (default 200); 0 reads names only.
    pub sample_rows: u32,
    /// The share of sampled values of one shape that flags a column (default 10%).
    pub value_share: f64,
    /// A table estimated at no more rows than this is a lookup table for weak names (default
    /// 1000).
    pub lookup_max_rows: u64,
}

impl Default for DetectOptions {
    fn default() -> DetectOptions {
        DetectOptions {
            extra_words: Vec::new(),
            ignore_words: Vec::new(),
            sample_rows: sample::DEFAULT_ROWS,
            value_share: VALUE_SHARE,
            lookup_max_rows: 1000,
        }
    }
}

/// What [`scan`] found.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Scan {
    /// Sorted by table, column, path.
    pub findings: Vec<Finding>,
    /// Tables the role may not read: judged by their names only.
    pub unread: Vec<String>,
}

/// What the database says, read by [`scan`] (or built by hand for tests).
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// By table key (`schema.name`; a partitioned root's sample covers its partitions).
    pub samples: HashMap<String, Sample>,
    /// Partitioned tables that are partitions themselves (their root reports for them).
    pub sub_partitioned: HashSet<String>,
    pub unread: Vec<String>,
    pub triggers: Vec<Trigger>,
    pub generated: Vec<GeneratedColumn>,
    pub materialized_views: Vec<MaterializedView>,
    pub large_objects: i64,
}

/// Detects personal data in a database. `tables` is [`crate::pg::catalog::tables`]' list.
/// Read-only; runs inside the caller's snapshot transaction without aborting it.
pub async fn scan(
    client: &Client,
    tables: &[Table],
    options: &DetectOptions,
) -> Result<Scan, Error> {
    let access = sample::access(client).await?;
    let mut evidence = Evidence {
        sub_partitioned: access
            .iter()
            .filter(|(_, a)| a.sub_partitioned)
            .map(|((s, n), _)| format!("{s}.{n}"))
            .collect(),
        ..Evidence::default()
    };
    for unit in units(tables, &evidence.sub_partitioned) {
        let t = unit.table;
        let readable = access
            .get(&(t.schema.clone(), t.name.clone()))
            .is_none_or(|a| a.readable);
        if !readable {
            evidence.unread.push(t.key());
            continue;
        }
        let columns: Vec<(&str, ValueRead)> = t
            .columns
            .iter()
            .filter(|c| !c.generated)
            .filter_map(|c| read_for(&c.type_name).map(|r| (c.name.as_str(), r)))
            .collect();
        if columns.is_empty() || options.sample_rows == 0 {
            continue;
        }
        let s = sample::sample(
            client,
            &t.schema,
            &t.name,
            &columns,
            unit.est_rows,
            options.sample_rows,
        )
        .await?;
        evidence.samples.insert(t.key(), s);
    }
    evidence.triggers = sample::triggers(client).await?;
    evidence.generated = sample::generated_columns(client).await?;
    evidence.materialized_views = sample::materialized_views(client).await?;
    evidence.large_objects = sample::large_objects(client).await?;
    Ok(Scan {
        findings: analyze(tables, &evidence, options),
        unread: evidence.unread.clone(),
    })
}

/// How to sample a column of this type, or `None` when its values are not looked at (numbers,
/// dates, booleans, uuids, bytea, tsvector: their names decide).
fn read_for(type_name: &str) -> Option<ValueRead> {
    let (class, array) = TypeClass::of(type_name);
    match class {
        TypeClass::Json => Some(ValueRead::Whole),
        TypeClass::Text | TypeClass::Network | TypeClass::Other if array => Some(ValueRead::Whole),
        TypeClass::Text | TypeClass::Network | TypeClass::Other => Some(ValueRead::Text),
        _ => None,
    }
}

/// A table the detector reports on: plain tables, partitioned roots (their partitions' rows and
/// findings), partitions whose root is not in the list.
struct Unit<'a> {
    table: &'a Table,
    est_rows: Option<u64>,
}

fn units<'a>(tables: &'a [Table], sub_partitioned: &HashSet<String>) -> Vec<Unit<'a>> {
    let keys: HashSet<String> = tables.iter().map(Table::key).collect();
    let mut out = Vec::new();
    for t in tables {
        match &t.kind {
            TableKind::Partition { root } if keys.contains(&format!("{}.{}", root.0, root.1)) => {}
            TableKind::Partitioned if sub_partitioned.contains(&t.key()) => {}
            TableKind::Partitioned => {
                let parts: Vec<Option<u64>> = tables
                    .iter()
                    .filter(|p| matches!(&p.kind, TableKind::Partition { root } if root.0 == t.schema && root.1 == t.name))
                    .map(|p| p.est_rows)
                    .collect();
                let est_rows = if parts.iter().any(Option::is_some) {
                    Some(parts.iter().flatten().sum())
                } else {
                    t.est_rows
                };
                out.push(Unit { table: t, est_rows });
            }
            _ => out.push(Unit {
                table: t,
                est_rows: t.est_rows,
            }),
        }
    }
    out
}

/// The table key the profile names for a table key: its partitioned root, or itself.
fn owner_of(tables: &[Table], schema: &str, name: &str) -> String {
    tables
        .iter()
        .find(|t| t.schema == schema && t.name == name)
        .and_then(|t| match &t.kind {
            TableKind::Partition { root } => Some(format!("{}.{}", root.0, root.1)),
            _ => None,
        })
        .unwrap_or_else(|| format!("{schema}.{name}"))
}

/// Column names that hold digests, where long hex strings are not secrets.
fn digest_like(column: &str) -> bool {
    names::words(column).iter().any(|w| {
        matches!(
            w.as_str(),
            "checksum"
                | "etag"
                | "digest"
                | "sha"
                | "md"
                | "hash"
                | "fingerprint"
                | "commit"
                | "revision"
                | "sum"
                | "crc"
        )
    })
}

/// Values that look like full person names: two or three capitalised words, the first a common
/// first name (`Alice Martin`). Legacy columns with uninformative names hold them too.
fn full_name_share(values: &[String]) -> (usize, usize) {
    let mut hits = 0;
    for v in values {
        let words: Vec<&str> = v.split_whitespace().collect();
        let capitalised = words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars()
                    .all(|c| c.is_alphabetic() || c == '-' || c == '\'')
        });
        if (2..=3).contains(&words.len()) && capitalised && names::is_first_name(words[0]) {
            hits += 1;
        }
    }
    (hits, values.len())
}

/// Share of full-name values that flags an otherwise unremarkable text column.
pub const FULL_NAME_SHARE: f64 = 0.5;

/// Everything [`scan`] concludes from the evidence (pure: no database).
pub fn analyze(tables: &[Table], evidence: &Evidence, options: &DetectOptions) -> Vec<Finding> {
    let mut findings = Vec::new();
    for unit in units(tables, &evidence.sub_partitioned) {
        column_findings(&unit, evidence, options, &mut findings);
    }
    derived_findings(tables, evidence, options, &mut findings);
    findings.sort_by(|a, b| (&a.table, &a.column, &a.path).cmp(&(&b.table, &b.column, &b.path)));
    findings
}

fn column_findings(
    unit: &Unit,
    evidence: &Evidence,
    options: &DetectOptions,
    out: &mut Vec<Finding>,
) {
    let t = unit.table;
    let key = t.key();
    let person_table = names::is_person_table(&t.name);
    let sample = evidence.samples.get(&key);
    let unread = evidence.unread.contains(&key);
    let small = match unit.est_rows {
        Some(n) => n <= options.lookup_max_rows,
        None => sample.is_some_and(|s| s.rows.len() < options.sample_rows as usize),
    };
    for column in t.columns.iter().filter(|c| !c.generated) {
        let (class, array) = TypeClass::of(&column.type_name);
        let name = names::match_name(&column.name, &column.type_name, options);
        let index = sample.and_then(|s| s.columns.iter().position(|c| *c == column.name));
        let mut tally = Tally::default();
        let mut json = JsonTally::default();
        if let (Some(s), Some(i)) = (sample, index) {
            for v in s.values(i) {
                if class == TypeClass::Json && !array {
                    json.add(v);
                    // A document that is a bare string is a value of the column itself.
                    if let Ok(serde_json::Value::String(text)) = serde_json::from_str(v) {
                        tally.add(&text);
                    }
                } else if array {
                    if let Ok((_, elements)) = crate::anonymize::parse_array(v) {
                        add_elements(&elements, &mut tally);
                    }
                } else {
                    tally.add(v);
                }
            }
        }
        let hex_ok = !digest_like(&column.name)
            || name
                .as_ref()
                .is_some_and(|m| matches!(m.kind, PiiKind::Password | PiiKind::Secret));
        let verdict = tally.verdict(options.value_share, hex_ok);
        let what = if array { "elements" } else { "values" };

        // The name: strong, or weak and confirmed by the table or the values.
        let name = name.and_then(|m| {
            if m.strength != Strength::Weak {
                return Some((m.clone(), m.reason()));
            }
            let why = weak_confirmation(
                &t.name,
                person_table,
                small,
                unit.est_rows,
                options,
                &tally.kept,
                sample.is_none() || unread,
            )?;
            Some((m.clone(), format!("{}, {why}", m.reason())))
        });

        let finding = match (&name, &verdict) {
            (Some((m, why)), Some(v)) => {
                // The name's kind: `hashed_password` holding hex digests is still a password.
                Some((
                    m.kind,
                    values_signal(v),
                    format!("{why}; {}", v.describe(what)),
                ))
            }
            (Some((m, why)), None) => Some((m.kind, Signal::Name, why.clone())),
            (None, Some(v)) => {
                let kind = if v.free_text {
                    PiiKind::FreeText
                } else {
                    v.shape.kind()
                };
                Some((kind, values_signal(v), v.describe(what)))
            }
            (None, None) => {
                let (hits, total) = full_name_share(&tally.kept);
                (class == TypeClass::Text
                    && total > 0
                    && hits as f64 / total as f64 >= FULL_NAME_SHARE)
                    .then(|| {
                        (
                            PiiKind::PersonName,
                            Signal::Values {
                                share: hits as f64 / total as f64,
                                matched: hits,
                                sampled: total,
                            },
                            format!(
                                "{hits} of {total} sampled values are full person names (a first name, then capitalised words)"
                            ),
                        )
                    })
            }
        };
        if let Some((kind, signal, reason)) = finding {
            out.push(Finding {
                table: key.clone(),
                column: column.name.clone(),
                path: None,
                kind,
                signal,
                reason,
                suggested: kind.transformer(),
                type_name: column.type_name.clone(),
            });
        }
        if class == TypeClass::Json && !array {
            json_findings(t, &key, column, &json, person_table, options, out);
        }
    }
}

fn add_elements(elements: &[crate::anonymize::ArrayElement], tally: &mut Tally) {
    for e in elements {
        match e {
            crate::anonymize::ArrayElement::Text(s) => tally.add(s),
            crate::anonymize::ArrayElement::Array(a) => add_elements(a, tally),
            crate::anonymize::ArrayElement::Null => {}
        }
    }
}

fn values_signal(v: &values::Verdict) -> Signal {
    Signal::Values {
        share: v.share(),
        matched: v.matched,
        sampled: v.sampled,
    }
}

/// Why a weak name (`name`, `city`) counts here, or `None` when it does not: a small lookup table
/// whose values are no person names.
fn weak_confirmation(
    table: &str,
    person_table: bool,
    small: bool,
    est_rows: Option<u64>,
    options: &DetectOptions,
    kept: &[String],
    not_sampled: bool,
) -> Option<String> {
    if person_table {
        return Some(format!("on \"{table}\", whose rows are people"));
    }
    if not_sampled {
        return Some("and its values could not be sampled".to_owned());
    }
    let (hits, total) = names::person_name_share(kept.iter().map(String::as_str));
    if total > 0 && hits as f64 / total as f64 >= names::PERSON_NAME_SHARE {
        return Some(format!(
            "and {hits} of {total} sampled values start with a first name"
        ));
    }
    if !small {
        return Some(match est_rows {
            Some(n) => format!(
                "on a table of about {n} rows (more than {}: not a small lookup table)",
                options.lookup_max_rows
            ),
            None => "on a table that is not a small lookup table".to_owned(),
        });
    }
    None
}

fn json_findings(
    t: &Table,
    key: &str,
    column: &crate::pg::catalog::Column,
    json: &JsonTally,
    person_table: bool,
    options: &DetectOptions,
    out: &mut Vec<Finding>,
) {
    for (path, p) in &json.paths {
        let ty = if p.booleans > p.strings + p.numbers {
            "boolean"
        } else if p.numbers > p.strings {
            "numeric"
        } else {
            "text"
        };
        let name = p
            .keys
            .last()
            .and_then(|k| names::match_name(k, ty, options));
        let ancestors_person = p.keys[..p.keys.len().saturating_sub(1)]
            .iter()
            .any(|k| names::is_person_table(k));
        let name = name.and_then(|m| {
            if m.strength != Strength::Weak {
                return Some((m.clone(), m.reason()));
            }
            if ancestors_person {
                return Some((m.clone(), format!("{}, inside a person object", m.reason())));
            }
            let why = weak_confirmation(
                &t.name,
                person_table,
                true,
                None,
                options,
                &p.tally.kept,
                false,
            )?;
            Some((m.clone(), format!("{}, {why}", m.reason())))
        });
        let key_name = p.keys.last().map(String::as_str).unwrap_or("");
        let hex_ok = !digest_like(key_name);
        let verdict = p.tally.verdict(options.value_share, hex_ok);
        let what = "values at the path";
        let found = match (&name, &verdict) {
            (Some((m, why)), Some(v)) => Some((
                m.kind,
                values_signal(v),
                format!("{why}; {}", v.describe(what)),
            )),
            (Some((m, why)), None) => Some((m.kind, Signal::Name, why.clone())),
            (None, Some(v)) => Some((
                if v.free_text {
                    PiiKind::FreeText
                } else {
                    v.shape.kind()
                },
                values_signal(v),
                v.describe(what),
            )),
            (None, None) => None,
        };
        if let Some((kind, signal, reason)) = found {
            out.push(Finding {
                table: key.to_owned(),
                column: column.name.clone(),
                path: Some(path.clone()),
                kind,
                signal,
                reason: format!("key {path}: {reason}"),
                suggested: kind.transformer(),
                type_name: column.type_name.clone(),
            });
        }
    }
}

/// `NEW.col :=` / `NEW."Col" =` at the start of a PL/pgSQL statement: a column the trigger fills.
static ASSIGNED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?im)(?:^|;|\bthen|\belse|\bloop|\bbegin)\s*new\s*\.\s*("(?:[^"]|"")+"|[a-z_][a-z0-9_$]*)\s*:?=[^=]"#)
        .expect("static regex")
});
/// Any `NEW.col`: a column the trigger reads.
static READ: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\bnew\s*\.\s*("(?:[^"]|"")+"|[a-z_][a-z0-9_$]*)"#).expect("static regex")
});

fn plpgsql_ident(raw: &str) -> String {
    match raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(quoted) => quoted.replace("\"\"", "\""),
        None => raw.to_lowercase(),
    }
}

/// `(target column, columns it is computed from)` for one trigger.
fn trigger_fills(tr: &Trigger) -> Vec<(String, Vec<String>)> {
    if matches!(
        tr.function.as_str(),
        "pg_catalog.tsvector_update_trigger" | "pg_catalog.tsvector_update_trigger_column"
    ) {
        // (target, config or config column, source columns...)
        return match tr.args.split_first() {
            Some((target, rest)) => vec![(target.clone(), rest.iter().skip(1).cloned().collect())],
            None => Vec::new(),
        };
    }
    let targets: BTreeSet<String> = ASSIGNED
        .captures_iter(&tr.source)
        .map(|c| plpgsql_ident(&c[1]))
        .collect();
    let read: BTreeSet<String> = READ
        .captures_iter(&tr.source)
        .map(|c| plpgsql_ident(&c[1]))
        .filter(|c| !targets.contains(c))
        .collect();
    targets
        .into_iter()
        .map(|t| (t, read.iter().cloned().collect()))
        .collect()
}

fn derived_findings(
    tables: &[Table],
    evidence: &Evidence,
    options: &DetectOptions,
    out: &mut Vec<Finding>,
) {
    // Personal columns found so far: (table key, column) -> kind.
    let personal: BTreeMap<(String, String), PiiKind> = out
        .iter()
        .map(|f| ((f.table.clone(), f.column.clone()), f.kind))
        .collect();
    let mut derived = Vec::new();
    let describe = |table: &str, cols: &[String]| -> String {
        cols.iter()
            .map(|c| match personal.get(&(table.to_owned(), c.clone())) {
                Some(k) => format!("{c} ({})", k.label()),
                None => c.clone(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };

    // Columns filled by triggers.
    let mut filled: HashSet<(String, String)> = HashSet::new();
    for tr in &evidence.triggers {
        let owner = owner_of(tables, &tr.schema, &tr.table);
        let Some(table) = tables
            .iter()
            .find(|t| t.schema == tr.schema && t.name == tr.table)
        else {
            continue;
        };
        for (target, inputs) in trigger_fills(tr) {
            let Some(col) = table.column(&target).filter(|c| !c.generated) else {
                continue;
            };
            filled.insert((owner.clone(), target.clone()));
            let pii: Vec<String> = inputs
                .iter()
                .filter(|i| personal.contains_key(&(owner.clone(), (*i).clone())))
                .cloned()
                .collect();
            if pii.is_empty() || personal.contains_key(&(owner.clone(), target.clone())) {
                continue;
            }
            let vector = TypeClass::of(&col.type_name).0 == TypeClass::SearchVector;
            let kind = if vector {
                PiiKind::SearchVector
            } else {
                PiiKind::Derived
            };
            derived.push(Finding {
                table: owner.clone(),
                column: target.clone(),
                path: None,
                kind,
                signal: Signal::Derived {
                    from: pii
                        .iter()
                        .map(|c| Source {
                            table: owner.clone(),
                            column: c.clone(),
                        })
                        .collect(),
                    recomputed: false,
                },
                reason: format!(
                    "filled by trigger {} ({}) from {}",
                    tr.name,
                    tr.function,
                    describe(&owner, &inputs)
                ),
                suggested: if vector { "null" } else { "scrub" },
                type_name: col.type_name.clone(),
            });
        }
    }

    for unit in units(tables, &evidence.sub_partitioned) {
        let key = unit.table.key();
        for col in &unit.table.columns {
            let (class, _) = TypeClass::of(&col.type_name);
            let seen = personal.contains_key(&(key.clone(), col.name.clone()));
            // A search vector nothing readable fills: the application writes it from columns
            // pgward cannot see.
            if class == TypeClass::SearchVector
                && !col.generated
                && !seen
                && !filled.contains(&(key.clone(), col.name.clone()))
            {
                derived.push(Finding {
                    table: key.clone(),
                    column: col.name.clone(),
                    path: None,
                    kind: PiiKind::SearchVector,
                    signal: Signal::Derived {
                        from: Vec::new(),
                        recomputed: false,
                    },
                    reason: "a tsvector no trigger pgward can read fills: it carries the words of whatever the application indexes".to_owned(),
                    suggested: "null",
                    type_name: col.type_name.clone(),
                });
            }
            if class == TypeClass::LargeObjectRef && evidence.large_objects > 0 && !seen {
                derived.push(Finding {
                    table: key.clone(),
                    column: col.name.clone(),
                    path: None,
                    kind: PiiKind::LargeObject,
                    signal: Signal::Derived {
                        from: Vec::new(),
                        recomputed: false,
                    },
                    reason: format!(
                        "an {} column, and the database holds {} large objects: their contents are not masked",
                        col.type_name, evidence.large_objects
                    ),
                    suggested: "null",
                    type_name: col.type_name.clone(),
                });
            }
        }
    }
    let lo_columns = derived.iter().any(|f| f.kind == PiiKind::LargeObject);
    if evidence.large_objects > 0 && !lo_columns {
        derived.push(Finding {
            table: "pg_catalog.pg_largeobject".to_owned(),
            column: "data".to_owned(),
            path: None,
            kind: PiiKind::LargeObject,
            signal: Signal::Derived {
                from: Vec::new(),
                recomputed: false,
            },
            reason: format!(
                "the database holds {} large objects, which no oid column references: pgward cannot tell what they hold",
                evidence.large_objects
            ),
            suggested: "null",
            type_name: "bytea".to_owned(),
        });
    }

    // Generated columns: recomputed by the target.
    for g in &evidence.generated {
        let owner = owner_of(tables, &g.schema, &g.table);
        if !tables.iter().any(|t| t.key() == owner) {
            continue;
        }
        let Some(col) = tables
            .iter()
            .find(|t| t.schema == g.schema && t.name == g.table)
            .and_then(|t| t.column(&g.column))
        else {
            continue;
        };
        let pii: Vec<String> = g
            .inputs
            .iter()
            .filter(|i| personal.contains_key(&(owner.clone(), (*i).clone())))
            .cloned()
            .collect();
        let name = names::match_name(&g.column, &col.type_name, options)
            .filter(|m| m.strength != Strength::Weak);
        if pii.is_empty() && name.is_none() {
            continue;
        }
        let from = if pii.is_empty() {
            g.inputs.clone()
        } else {
            pii
        };
        let kind = name
            .as_ref()
            .map(|m| m.kind)
            .or_else(|| {
                from.iter()
                    .find_map(|c| personal.get(&(owner.clone(), c.clone())).copied())
            })
            .unwrap_or(PiiKind::Derived);
        derived.push(Finding {
            table: owner.clone(),
            column: g.column.clone(),
            path: None,
            kind,
            signal: Signal::Derived {
                from: from
                    .iter()
                    .map(|c| Source {
                        table: owner.clone(),
                        column: c.clone(),
                    })
                    .collect(),
                recomputed: true,
            },
            reason: format!(
                "generated from {}: the target recomputes it from the masked inputs",
                describe(&owner, &from)
            ),
            suggested: "keep",
            type_name: col.type_name.clone(),
        });
    }

    // Materialized views: refreshed from the masked tables.
    for mv in &evidence.materialized_views {
        let from: Vec<Source> = mv
            .inputs
            .iter()
            .map(|(s, n, c)| Source {
                table: owner_of(tables, s, n),
                column: c.clone(),
            })
            .filter(|src| personal.contains_key(&(src.table.clone(), src.column.clone())))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let Some(first) = from.first() else {
            continue;
        };
        let kind = personal[&(first.table.clone(), first.column.clone())];
        let list = from
            .iter()
            .map(|s| format!("{}.{}", s.table, s.column))
            .collect::<Vec<_>>()
            .join(", ");
        derived.push(Finding {
            table: format!("{}.{}", mv.schema, mv.name),
            column: "*".to_owned(),
            path: None,
            kind,
            signal: Signal::Derived {
                from,
                recomputed: true,
            },
            reason: format!(
                "a materialized view over {list}: the sync refreshes it from the masked tables"
            ),
            suggested: "keep",
            type_name: String::new(),
        });
    }
    out.extend(derived);
}

/// Why a column name looks personal (its kind's label), or `None`: the name signal alone, for the
/// sync's name-only pre-flight until it runs [`scan`]. It keeps that pre-flight's original scope
/// (emails, phones, names, user names, addresses, IPs, secrets, passwords, national ids, birth
/// dates; a bare `name` counted, other weak words not) so profiles written against it stay valid;
/// [`scan`] reads the whole dictionary. `type_name` is the type as `format_type` spells it.
pub fn column_looks_personal(column: &str, type_name: &str) -> Option<&'static str> {
    let m = names::match_name(column, type_name, &DetectOptions::default())?;
    if m.strength == Strength::Weak && m.kind != PiiKind::PersonName {
        return None;
    }
    // The original wording: the linter's snapshots and the sync's refusals quote it.
    Some(match m.kind {
        PiiKind::Email => "an email address",
        PiiKind::Phone => "a phone number",
        PiiKind::PersonName | PiiKind::FirstName | PiiKind::LastName => "a name",
        PiiKind::Username => "a user name",
        PiiKind::Address => "an address",
        PiiKind::IpAddress => "an IP address",
        PiiKind::Secret if m.word.contains("token") => "a secret token",
        PiiKind::Secret => "a secret",
        PiiKind::Password => "a password or its hash",
        PiiKind::NationalId => "a national id number",
        PiiKind::BirthDate => "a birth date",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pg::catalog::Column;
    use crate::pg::sample::SampleMethod;

    fn table(name: &str, est: u64, columns: &[(&str, &str)]) -> Table {
        Table {
            schema: "public".into(),
            name: name.into(),
            kind: TableKind::Plain,
            est_rows: Some(est),
            bytes: 0,
            columns: columns
                .iter()
                .map(|(n, t)| Column {
                    name: (*n).into(),
                    type_name: (*t).into(),
                    generated: false,
                })
                .collect(),
        }
    }

    fn sample(columns: &[&str], rows: Vec<Vec<Option<&str>>>) -> Sample {
        Sample {
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            rows: rows
                .into_iter()
                .map(|r| r.into_iter().map(|v| v.map(str::to_owned)).collect())
                .collect(),
            method: SampleMethod::Limit,
        }
    }

    #[test]
    fn keeps_the_old_name_only_entry_point() {
        assert_eq!(
            column_looks_personal("email", "text"),
            Some("an email address")
        );
        assert_eq!(column_looks_personal("address_id", "integer"), None);
        assert!(column_looks_personal("name", "text").is_some());
        // Outside the sync pre-flight's original scope: the full scan reports them.
        assert_eq!(column_looks_personal("avatar", "bytea"), None);
        assert_eq!(column_looks_personal("city", "text"), None);
    }

    #[test]
    fn lookup_names_stay_quiet_and_person_names_do_not() {
        let tables = [
            table("category", 16, &[("name", "text")]),
            table("language", 6, &[("name", "text")]),
            table("team", 5, &[("name", "text")]),
            table("customer", 5, &[("name", "text")]),
        ];
        let mut evidence = Evidence::default();
        let langs = [
            "English", "Italian", "Japanese", "Mandarin", "French", "German",
        ];
        evidence.samples.insert(
            "public.category".into(),
            sample(
                &["name"],
                (1..=16).map(|_| vec![Some("Category")]).collect(),
            ),
        );
        evidence.samples.insert(
            "public.language".into(),
            sample(&["name"], langs.iter().map(|l| vec![Some(*l)]).collect()),
        );
        evidence.samples.insert(
            "public.team".into(),
            sample(
                &["name"],
                vec![vec![Some("Alice Martin")], vec![Some("Bruno Keller")]],
            ),
        );
        let f = analyze(&tables, &evidence, &DetectOptions::default());
        let got: Vec<(&str, &str)> = f
            .iter()
            .map(|f| (f.table.as_str(), f.reason.as_str()))
            .collect();
        assert_eq!(got.len(), 2, "{got:#?}");
        assert_eq!(got[0].0, "public.customer");
        assert!(got[0].1.contains("whose rows are people"), "{}", got[0].1);
        assert_eq!(got[1].0, "public.team");
        assert!(got[1].1.contains("start with a first name"), "{}", got[1].1);
    }

    #[test]
    fn derived_from_triggers_generated_columns_and_views() {
        let mut users = table(
            "users",
            10,
            &[
                ("email", "text"),
                ("bio", "text"),
                ("search", "tsvector"),
                ("email_lower", "text"),
            ],
        );
        users.columns[3].generated = true;
        let evidence = Evidence {
            triggers: vec![Trigger {
                schema: "public".into(),
                table: "users".into(),
                name: "users_search".into(),
                function: "public.users_search".into(),
                args: vec![],
                source: "BEGIN\n  NEW.search := to_tsvector('simple', NEW.email || ' ' || coalesce(NEW.bio, ''));\n  IF NEW.email = OLD.email THEN RETURN NEW; END IF;\n  RETURN NEW;\nEND".into(),
            }],
            generated: vec![GeneratedColumn {
                schema: "public".into(),
                table: "users".into(),
                column: "email_lower".into(),
                inputs: vec!["email".into()],
            }],
            materialized_views: vec![MaterializedView {
                schema: "public".into(),
                name: "user_emails".into(),
                inputs: vec![("public".into(), "users".into(), "email".into())],
            }],
            ..Evidence::default()
        };
        let f = analyze(&[users], &evidence, &DetectOptions::default());
        let got: Vec<String> = f
            .iter()
            .map(|f| format!("{}.{} {:?} {}", f.table, f.column, f.kind, f.needs_rule()))
            .collect();
        assert_eq!(
            got,
            [
                "public.user_emails.* Email false",
                "public.users.email Email true",
                "public.users.email_lower Email false",
                "public.users.search SearchVector true",
            ]
        );
        assert!(
            f[3].reason.contains("trigger users_search"),
            "{}",
            f[3].reason
        );
        assert!(
            f[3].reason.contains("email (an email address)"),
            "{}",
            f[3].reason
        );
    }

    #[test]
    fn trigger_arguments_name_search_vector_inputs() {
        let tr = Trigger {
            schema: "public".into(),
            table: "film".into(),
            name: "t".into(),
            function: "pg_catalog.tsvector_update_trigger".into(),
            args: vec![
                "fulltext".into(),
                "pg_catalog.english".into(),
                "title".into(),
                "description".into(),
            ],
            source: String::new(),
        };
        assert_eq!(
            trigger_fills(&tr),
            vec![(
                "fulltext".to_owned(),
                vec!["title".to_owned(), "description".to_owned()]
            )]
        );
    }
}
