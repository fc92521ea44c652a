//! The anonymization profile: TOML model, `extends` resolution and merging, validation with spans.
//!
//! The format is a contract (users keep profiles in their repositories); see the module docs of
//! [`crate::anonymize`] for the full syntax. Every error points at the line of the profile that
//! caused it (a miette `NamedSource` with a labelled span) and says what to do.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::Deserialize;
use toml::Spanned;

use super::keyed::{Salt, SaltSource};
use super::transform::{self, Transformer};

/// Shipped profiles, usable by name in `extends`.
pub const SHIPPED: &[(&str, &str)] = &[
    (
        "common",
        include_str!("../../anonymize-profiles/common.toml"),
    ),
    (
        "django",
        include_str!("../../anonymize-profiles/django.toml"),
    ),
    (
        "rails-devise",
        include_str!("../../anonymize-profiles/rails-devise.toml"),
    ),
    (
        "deployment-guide",
        include_str!("../../anonymize-profiles/deployment-guide.toml"),
    ),
];

/// Errors loading a profile. None of them contains a row value.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ProfileError {
    // The I/O error is in the message, not a `source`: miette would print it a second time.
    #[error("cannot read profile `{path}`: {error}")]
    #[diagnostic(
        code(pgward::anonymize::profile_unreadable),
        help("Check the path; `extends` paths are relative to the profile that names them.")
    )]
    Unreadable { path: String, error: std::io::Error },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(Box<InvalidProfile>),
    #[error("no salt: {what}")]
    #[diagnostic(code(pgward::anonymize::salt_missing), help("{help}"))]
    SaltMissing { what: String, help: String },
}

/// A profile error at a place in the profile text.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{path}:{line}: {message}")]
#[diagnostic(code(pgward::anonymize::invalid_profile))]
pub struct InvalidProfile {
    pub path: String,
    pub line: usize,
    pub message: String,
    #[source_code]
    pub src: NamedSource<String>,
    #[label("{label}")]
    pub span: SourceSpan,
    pub label: String,
    #[help]
    pub help: Option<String>,
}

impl ProfileError {
    /// The 1-based line of the profile an `Invalid` error points at.
    pub fn line(&self) -> Option<usize> {
        match self {
            ProfileError::Invalid(i) => Some(i.line),
            _ => None,
        }
    }
}

/// One column's masking rule as written: `"email"` or `{ transform = "email", ...options }`.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnRule {
    /// Transformer name (`email`, `json`, ...).
    pub transform: String,
    /// The other keys of the inline table, checked by the transformer's options struct.
    pub options: toml::Table,
}

impl ColumnRule {
    /// A rule without options (`"email"`).
    pub fn named(transform: &str) -> ColumnRule {
        ColumnRule {
            transform: transform.to_owned(),
            options: toml::Table::new(),
        }
    }

    /// Reads a rule from a TOML value (also used for nested rules in `json` paths and `array`).
    pub fn from_value(value: &toml::Value) -> Result<ColumnRule, String> {
        match value {
            toml::Value::String(s) => Ok(ColumnRule::named(s)),
            toml::Value::Table(t) => {
                let mut options = t.clone();
                match options.remove("transform") {
                    Some(toml::Value::String(s)) => Ok(ColumnRule {
                        transform: s,
                        options,
                    }),
                    Some(_) => Err("`transform` must be a string such as \"email\"".to_owned()),
                    None => Err("missing `transform` (e.g. { transform = \"email\" })".to_owned()),
                }
            }
            _ => Err(
                "a column rule is a transformer name (\"email\") or an inline table \
                      ({ transform = \"constant\", value = \"x\" })"
                    .to_owned(),
            ),
        }
    }

    /// `keep`'s documented reason, if any.
    pub fn reason(&self) -> Option<&str> {
        self.options.get("reason").and_then(|v| v.as_str())
    }
}

/// Which rows of a table are copied.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum RowsPolicy {
    /// Every row (the default).
    #[default]
    All,
    /// `rows = "none"`: schema only.
    None,
    /// `rows = { where = "..." }`: a SQL condition on the source table.
    Where(String),
}

/// The rules of one table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TableRules {
    /// Schema, as written (`public`).
    pub schema: String,
    /// Table name as written, unquoted (`Support Tickets`).
    pub name: String,
    /// Column name as written -> rule.
    pub columns: BTreeMap<String, ColumnRule>,
    pub rows: RowsPolicy,
}

/// A column-name pattern from `[patterns]`: `"*email*" = "email"`.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnPattern {
    pub pattern: String,
    pub rule: ColumnRule,
}

/// A loaded, merged and validated profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// The name given to `parse` or the path given to `load`.
    pub name: String,
    /// `"schema.table"` as written (e.g. `public.Support Tickets`) -> rules.
    pub tables: BTreeMap<String, TableRules>,
    /// Column-name patterns, in precedence order (this profile's first, then those it extends).
    pub patterns: Vec<ColumnPattern>,
    /// Target database name patterns that the sync refuses to write to.
    pub protect: Vec<String>,
    /// SQL run on the new database after the data (extended profiles' statements first).
    pub after_sql: Vec<String>,
    /// `[detect]`: the PII detector's dictionary additions and silenced words, and its sample size.
    pub detect: DetectSettings,
    /// `large_objects = "drop" | "keep"` as written (this profile's, else an extended one's);
    /// see [`Profile::large_objects`] for the value in effect.
    pub large_objects_key: Option<LargeObjects>,
    salt: SaltSource,
}

/// What a sync does with the source's large objects (`large_objects = "..."`, top level).
///
/// Without the key a sync refuses a source that has large objects: their contents are bytes
/// pgward cannot mask. `drop` leaves them out of the staging copy (columns that reference them,
/// `oid` or the `lo` extension's type, keep their numbers, which then point at nothing, unless the
/// profile masks them, e.g. with `null`); `keep` copies them as they are, unmasked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LargeObjects {
    Drop,
    Keep,
}

impl LargeObjects {
    pub fn as_str(self) -> &'static str {
        match self {
            LargeObjects::Drop => "drop",
            LargeObjects::Keep => "keep",
        }
    }
}

/// `[detect]` in a profile: how `profile check` and the sync's pre-flight look for personal data.
/// ```toml
/// [detect]
/// extra_words = [{ word = "matricule", kind = "national_id" }]   # names that mean personal data here
/// ignore_words = ["handle"]                                      # words that do not, in this schema
/// sample_rows = 500                                              # rows sampled per table (default 200)
/// ```
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectSettings {
    #[serde(default)]
    pub extra_words: Vec<crate::anonymize::detect::ExtraWord>,
    #[serde(default)]
    pub ignore_words: Vec<String>,
    pub sample_rows: Option<u32>,
}

impl Profile {
    /// The detector's options with this profile's `[detect]` settings.
    pub fn detect_options(&self) -> crate::anonymize::detect::DetectOptions {
        let mut options = crate::anonymize::detect::DetectOptions {
            extra_words: self.detect.extra_words.clone(),
            ignore_words: self.detect.ignore_words.clone(),
            ..Default::default()
        };
        if let Some(rows) = self.detect.sample_rows {
            options.sample_rows = rows;
        }
        options
    }

    /// What to do with large objects: the `large_objects` key, else `drop` when the profile
    /// writes the older form `[tables."pg_catalog.pg_largeobject"] rows = "none"` (still read,
    /// as a synonym), else `None`: a source with large objects is refused.
    pub fn large_objects(&self) -> Option<LargeObjects> {
        self.large_objects_key.or_else(|| {
            self.tables
                .get(super::coverage::LARGE_OBJECTS_TABLE)
                .is_some_and(|t| t.rows == RowsPolicy::None)
                .then_some(LargeObjects::Drop)
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    version: Spanned<i64>,
    #[serde(default)]
    extends: Vec<Spanned<String>>,
    salt: Option<Spanned<RawSalt>>,
    #[serde(default)]
    protect: Vec<String>,
    #[serde(default)]
    patterns: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    #[serde(default)]
    tables: BTreeMap<Spanned<String>, RawTable>,
    after: Option<RawAfter>,
    detect: Option<DetectSettings>,
    large_objects: Option<LargeObjects>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSalt {
    env: Option<String>,
    file: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    #[serde(default)]
    columns: BTreeMap<String, Spanned<toml::Value>>,
    rows: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAfter {
    #[serde(default)]
    sql: Vec<String>,
}

/// A profile before merging: `salt` is optional here (a base may leave it to the extender).
struct Partial {
    tables: BTreeMap<String, TableRules>,
    patterns: Vec<ColumnPattern>,
    protect: Vec<String>,
    after_sql: Vec<String>,
    detect: DetectSettings,
    large_objects: Option<LargeObjects>,
    salt: Option<SaltSource>,
}

impl Profile {
    /// Reads a profile file, resolving `extends` (shipped names, or paths relative to the file).
    pub fn load(path: &Path) -> Result<Profile, ProfileError> {
        let text = read(path)?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let name = path.display().to_string();
        let mut stack = vec![name.clone()];
        let partial = parse_partial(&name, &text, Some(&base), &mut stack)?;
        finish(&name, &text, partial)
    }

    /// Parses profile text. Relative `extends` paths and salt files resolve against the current
    /// directory.
    pub fn parse(name: &str, text: &str) -> Result<Profile, ProfileError> {
        let mut stack = vec![name.to_owned()];
        let partial = parse_partial(name, text, None, &mut stack)?;
        finish(name, text, partial)
    }

    /// Where the salt comes from; resolve it with [`Salt::resolve`].
    pub fn salt_source(&self) -> &SaltSource {
        &self.salt
    }

    /// The rule for a column: the table's own rule, else the first matching column-name pattern.
    pub fn rule_for(&self, table: &str, column: &str) -> Option<&ColumnRule> {
        self.tables
            .get(table)
            .and_then(|t| t.columns.get(column))
            .or_else(|| {
                self.patterns
                    .iter()
                    .find(|p| glob_match(&p.pattern, column))
                    .map(|p| &p.rule)
            })
    }

    /// Whether the sync must refuse to write to a database of this name (`protect` patterns).
    pub fn is_protected(&self, database: &str) -> bool {
        self.protect.iter().any(|p| glob_match(p, database))
    }
}

fn read(path: &Path) -> Result<String, ProfileError> {
    std::fs::read_to_string(path).map_err(|error| ProfileError::Unreadable {
        path: path.display().to_string(),
        error,
    })
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn invalid(
    path: &str,
    text: &str,
    span: Range<usize>,
    message: String,
    label: &str,
    help: Option<String>,
) -> ProfileError {
    ProfileError::Invalid(Box::new(InvalidProfile {
        path: path.to_owned(),
        line: line_of(text, span.start),
        message,
        src: NamedSource::new(path, text.to_owned()),
        span: span.into(),
        label: label.to_owned(),
        help,
    }))
}

fn finish(name: &str, text: &str, p: Partial) -> Result<Profile, ProfileError> {
    let Some(salt) = p.salt else {
        return Err(invalid(
            name,
            text,
            0..0,
            "the profile has no salt".to_owned(),
            "add a [salt] table",
            Some(
                "Add `[salt]` with `env = \"PGWARD_SALT\"` (or `file = \"path\"`) here or in a profile \
                 it extends: the salt keys deterministic masking."
                    .to_owned(),
            ),
        ));
    };
    Ok(Profile {
        name: name.to_owned(),
        tables: p.tables,
        patterns: p.patterns,
        protect: p.protect,
        after_sql: p.after_sql,
        detect: p.detect,
        large_objects_key: p.large_objects,
        salt,
    })
}

/// Checks a rule by building its transformer with a throwaway salt: unknown transformers, unknown
/// options, bad JSON paths and bad regexes all surface here, at profile load, with a span.
fn check_rule(
    path: &str,
    text: &str,
    value: &Spanned<toml::Value>,
) -> Result<ColumnRule, ProfileError> {
    let err = |message: String, help: Option<String>| {
        invalid(path, text, value.span(), message, "in this rule", help)
    };
    let rule = ColumnRule::from_value(value.get_ref()).map_err(|m| err(m, None))?;
    Transformer::build(&rule, &Salt::new("validation")).map_err(|e| {
        let help = if transform::names().any(|n| n == rule.transform) {
            None
        } else {
            let closest = transform::names()
                .map(|n| (edit_distance(n, &rule.transform), n))
                .min()
                .filter(|(d, _)| *d <= 2)
                .map(|(_, n)| format!("Did you mean `{n}`? "))
                .unwrap_or_default();
            Some(format!(
                "{closest}Transformers: {}.",
                transform::names().collect::<Vec<_>>().join(", ")
            ))
        };
        err(e.to_string(), help)
    })?;
    Ok(rule)
}

fn parse_partial(
    path: &str,
    text: &str,
    base: Option<&Path>,
    stack: &mut Vec<String>,
) -> Result<Partial, ProfileError> {
    let raw: RawProfile = toml::from_str(text).map_err(|e| {
        invalid(
            path,
            text,
            e.span().unwrap_or(0..0),
            e.message().trim().to_owned(),
            "here",
            Some(
                "Top-level keys: version, extends, protect, large_objects = \"drop\"|\"keep\", [salt] \
                 env|file, [patterns], [detect], [tables.\"schema.table\"] columns|rows, [after] sql."
                    .to_owned(),
            ),
        )
    })?;
    if *raw.version.get_ref() != 1 {
        return Err(invalid(
            path,
            text,
            raw.version.span(),
            format!("unsupported profile version {}", raw.version.get_ref()),
            "expected 1",
            Some("This pgward reads `version = 1` profiles.".to_owned()),
        ));
    }

    // Bases first, in order; this profile's settings then override theirs.
    let mut merged = Partial {
        tables: BTreeMap::new(),
        patterns: Vec::new(),
        protect: Vec::new(),
        after_sql: Vec::new(),
        detect: DetectSettings::default(),
        large_objects: None,
        salt: None,
    };
    let mut base_patterns = Vec::new();
    for ext in &raw.extends {
        let name = ext.get_ref();
        let shipped = SHIPPED.iter().find(|(n, _)| n == name);
        let (ext_path, ext_text, ext_base) = match shipped {
            Some((n, t)) => (format!("<shipped>/{n}.toml"), (*t).to_owned(), None),
            None if name.contains('/') || name.ends_with(".toml") => {
                let p = base
                    .map(|b| b.join(name))
                    .unwrap_or_else(|| PathBuf::from(name));
                let t = read(&p).map_err(|e| {
                    invalid(
                        path,
                        text,
                        ext.span(),
                        e.to_string(),
                        "extended here",
                        Some("Paths in `extends` are relative to this profile.".to_owned()),
                    )
                })?;
                let b = p.parent().map(Path::to_path_buf).unwrap_or_default();
                (p.display().to_string(), t, Some(b))
            }
            None => {
                return Err(invalid(
                    path,
                    text,
                    ext.span(),
                    format!("unknown shipped profile `{name}`"),
                    "not a shipped profile",
                    Some(format!(
                        "Shipped profiles: {}. For a file, write a path such as \"./base.toml\".",
                        SHIPPED
                            .iter()
                            .map(|(n, _)| *n)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                ));
            }
        };
        if stack.contains(&ext_path) {
            return Err(invalid(
                path,
                text,
                ext.span(),
                format!("`extends` cycle: {} -> {ext_path}", stack.join(" -> ")),
                "cycle",
                Some("Remove one of the `extends` entries.".to_owned()),
            ));
        }
        stack.push(ext_path.clone());
        let p = parse_partial(&ext_path, &ext_text, ext_base.as_deref(), stack)?;
        stack.pop();
        for (key, t) in p.tables {
            let m = merged.tables.entry(key).or_insert_with(|| TableRules {
                schema: t.schema.clone(),
                name: t.name.clone(),
                ..TableRules::default()
            });
            m.columns.extend(t.columns);
            if t.rows != RowsPolicy::All {
                m.rows = t.rows;
            }
        }
        base_patterns.extend(p.patterns);
        merged.protect.extend(p.protect);
        merged.after_sql.extend(p.after_sql);
        merged.detect.extra_words.extend(p.detect.extra_words);
        merged.detect.ignore_words.extend(p.detect.ignore_words);
        if p.detect.sample_rows.is_some() {
            merged.detect.sample_rows = p.detect.sample_rows;
        }
        if p.salt.is_some() {
            merged.salt = p.salt;
        }
        if p.large_objects.is_some() {
            merged.large_objects = p.large_objects;
        }
    }

    let mut own_patterns = Vec::new();
    for (pattern, value) in &raw.patterns {
        let rule = check_rule(path, text, value)?;
        own_patterns.push((
            pattern.span().start,
            ColumnPattern {
                pattern: pattern.get_ref().clone(),
                rule,
            },
        ));
    }
    own_patterns.sort_by_key(|(start, _)| *start); // file order, not key order
    merged.patterns = own_patterns.into_iter().map(|(_, p)| p).collect();
    merged.patterns.extend(base_patterns);

    for (key, raw_table) in &raw.tables {
        let Some((schema, name)) = key.get_ref().split_once('.') else {
            return Err(invalid(
                path,
                text,
                key.span(),
                format!("table `{}` has no schema", key.get_ref()),
                "expected \"schema.table\"",
                Some(format!(
                    "Qualify the table: [tables.\"public.{}\"].",
                    key.get_ref()
                )),
            ));
        };
        if schema.is_empty() || name.is_empty() {
            return Err(invalid(
                path,
                text,
                key.span(),
                format!("table `{}` needs a schema and a name", key.get_ref()),
                "expected \"schema.table\"",
                None,
            ));
        }
        let table = merged
            .tables
            .entry(key.get_ref().clone())
            .or_insert_with(|| TableRules {
                schema: schema.to_owned(),
                name: name.to_owned(),
                ..TableRules::default()
            });
        for (column, value) in &raw_table.columns {
            table
                .columns
                .insert(column.clone(), check_rule(path, text, value)?);
        }
        if let Some(rows) = &raw_table.rows {
            table.rows = match rows.get_ref() {
                toml::Value::String(s) if s == "none" => RowsPolicy::None,
                toml::Value::String(s) if s == "all" => RowsPolicy::All,
                toml::Value::Table(t)
                    if t.len() == 1 && t.get("where").is_some_and(|w| w.is_str()) =>
                {
                    RowsPolicy::Where(t["where"].as_str().unwrap_or_default().to_owned())
                }
                _ => {
                    return Err(invalid(
                        path,
                        text,
                        rows.span(),
                        "invalid `rows`".to_owned(),
                        "expected \"none\", \"all\" or { where = \"...\" }",
                        Some(
                            "rows = \"none\" copies the schema only; rows = { where = \"created_at > \
                             now() - interval '90 days'\" } copies matching rows."
                                .to_owned(),
                        ),
                    ));
                }
            };
        }
    }

    merged.protect.extend(raw.protect);
    if raw.large_objects.is_some() {
        merged.large_objects = raw.large_objects;
    }
    if let Some(after) = raw.after {
        merged.after_sql.extend(after.sql);
    }
    if let Some(detect) = raw.detect {
        merged.detect.extra_words.extend(detect.extra_words);
        merged.detect.ignore_words.extend(detect.ignore_words);
        if detect.sample_rows.is_some() {
            merged.detect.sample_rows = detect.sample_rows;
        }
    }
    if let Some(salt) = &raw.salt {
        let s = salt.get_ref();
        merged.salt = Some(match (&s.env, &s.file) {
            (Some(env), None) if !env.is_empty() => SaltSource::Env(env.clone()),
            (None, Some(file)) if !file.is_empty() => SaltSource::File(
                base.map(|b| b.join(file))
                    .unwrap_or_else(|| PathBuf::from(file)),
            ),
            _ => {
                return Err(invalid(
                    path,
                    text,
                    salt.span(),
                    "[salt] needs exactly one of `env` or `file`".to_owned(),
                    "here",
                    Some("Write `env = \"PGWARD_SALT\"` or `file = \"path/to/salt\"`.".to_owned()),
                ));
            }
        });
    }
    Ok(merged)
}

/// Levenshtein distance, for "did you mean" hints.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Case-insensitive glob: `*` any run of characters, `?` one character. Used for `[patterns]`
/// (column names) and `protect` (database names).
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    // Iterative matcher with backtracking to the last `*`: linear in practice, no recursion.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// A column name as a TOML key in a profile: bare when it can be, quoted otherwise.
pub fn toml_key(name: &str) -> String {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        name.to_owned()
    } else {
        format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// The transformer to suggest for a column the name detector flagged, from its reason ("an email
/// address", "a birth date"...; see `detect::PII_WORDS`).
pub fn suggested_transformer(why: &str) -> &'static str {
    match why {
        w if w.contains("email") => "email",
        w if w.contains("phone") => "phone",
        w if w.contains("user name") => "username",
        w if w.contains("name") => "name",
        w if w.contains("IP") => "ip",
        w if w.contains("address") => "address",
        w if w.contains("token") => "token",
        w if w.contains("birth") => "date_shift",
        w if w.contains("national") => "hash",
        _ => "null",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detect_settings_feed_the_detector() {
        let p = Profile::parse(
            "p.toml",
            "version = 1\n[salt]\nenv = \"X\"\n[detect]\nextra_words = [{ word = \"matricule\", kind = \"national_id\" }]\nignore_words = [\"handle\"]\nsample_rows = 50\n",
        )
        .unwrap();
        let options = p.detect_options();
        assert_eq!(options.extra_words.len(), 1);
        assert_eq!(options.ignore_words, vec!["handle".to_owned()]);
        assert_eq!(options.sample_rows, 50);
        let bad = Profile::parse(
            "p.toml",
            "version = 1\n[salt]\nenv = \"X\"\n[detect]\nextra_word = []\n",
        )
        .unwrap_err();
        assert_eq!(bad.line(), Some(5), "{bad}");
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("email", "emial"), 2);
        assert_eq!(edit_distance("email", "email"), 0);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn glob() {
        assert!(glob_match("*email*", "billing_Email_addr"));
        assert!(glob_match("*prod*", "app_production"));
        assert!(glob_match("ip", "IP"));
        assert!(glob_match("?ip", "xip"));
        assert!(!glob_match("ip", "zip"));
        assert!(!glob_match("*_ip", "zip"));
        assert!(glob_match("*", ""));
    }
}
