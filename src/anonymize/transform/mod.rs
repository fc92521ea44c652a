//! The transformer catalogue: one file per transformer, one line per transformer in [`REGISTRY`].
//!
//! A transformer is a pure per-value function on the DECODED text of a column (PostgreSQL's text
//! output, not COPY-escaped text). The pipeline decides parallelism; transformers are
//! `Send + Sync` and hold no mutable state. NULL stays NULL except for `null` and `constant`.
//! A [`TransformError`] names the transformer and what went wrong, never the value.

use std::collections::{BTreeMap, HashMap};

use serde::de::DeserializeOwned;

use super::keyed::{Keyed, Salt};
use super::profile::ColumnRule;

mod address;
pub mod array;
mod choice;
mod city;
mod company;
mod constant;
mod date_shift;
mod email;
mod fakes;
mod first_name;
mod hash;
mod ip;
pub(crate) mod json;
mod keep;
mod last_name;
mod lorem;
mod mask;
mod memo;
mod name;
mod null;
mod number_noise;
mod phone;
mod regex_replace;
mod scrub;
mod template;
mod token;
mod username;
mod uuid;
mod zip;

/// Other columns of the current row, by name (decoded text; `Some(None)` is SQL NULL, `None` means
/// there is no such column). `template` reads them.
pub trait RowLookup {
    fn get(&self, column: &str) -> Option<Option<&str>>;
}

/// A row with no columns, for transformers applied outside a row (tests, JSON values).
pub struct NoRow;

impl RowLookup for NoRow {
    fn get(&self, _: &str) -> Option<Option<&str>> {
        None
    }
}

impl RowLookup for HashMap<String, Option<String>> {
    fn get(&self, column: &str) -> Option<Option<&str>> {
        HashMap::get(self, column).map(|v| v.as_deref())
    }
}

impl RowLookup for BTreeMap<String, Option<String>> {
    fn get(&self, column: &str) -> Option<Option<&str>> {
        BTreeMap::get(self, column).map(|v| v.as_deref())
    }
}

/// A transformer failed on a value. Its Display names the transformer and the problem; it never
/// contains the value (the pipeline adds table, column and row number).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("transformer `{transformer}`: {message}")]
#[diagnostic(code(pgward::anonymize::transform_failed))]
pub struct TransformError {
    pub transformer: &'static str,
    pub message: String,
}

/// A rule could not be turned into a transformer (unknown name, bad options, bad JSON path...).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BuildError(pub String);

/// What each transformer file implements.
pub(crate) trait Transform: Send + Sync {
    /// Transforms a non-NULL value; `Ok(None)` makes it NULL. The error message must not contain
    /// the value.
    fn apply(&self, value: &str, row: &dyn RowLookup) -> Result<Option<String>, String>;
    /// What a NULL becomes (NULL, except for `constant`).
    fn apply_null(&self) -> Option<String> {
        None
    }
    /// Whether the transformer fits a column of this type (see [`PgType`]).
    fn fits_type(&self, ty: &PgType) -> Result<(), String>;
    /// Other columns of the row it reads through [`RowLookup`] (`template`'s `{column}`s).
    fn row_columns(&self) -> Vec<String> {
        Vec::new()
    }
}

/// What a transformer's `build` receives.
pub(crate) struct BuildCtx<'a> {
    pub salt: &'a Salt,
    pub keyed: Keyed,
}

impl BuildCtx<'_> {
    /// Parses a rule's options into the transformer's options struct (`deny_unknown_fields`).
    pub(crate) fn options<T: DeserializeOwned>(&self, rule: &ColumnRule) -> Result<T, String> {
        toml::Value::Table(rule.options.clone())
            .try_into()
            .map_err(|e: toml::de::Error| e.message().trim().to_owned())
    }

    /// Builds a nested rule (json paths, array `each`).
    pub(crate) fn nested(&self, rule: &ColumnRule) -> Result<Transformer, String> {
        Transformer::build(rule, self.salt).map_err(|e| e.0)
    }
}

type BuildFn = fn(&ColumnRule, &BuildCtx) -> Result<Box<dyn Transform>, String>;

/// One registry line: name, one-line summary (for generated profile docs), builder.
pub struct Entry {
    pub name: &'static str,
    pub summary: &'static str,
    build: BuildFn,
}

macro_rules! registry {
    ($($name:literal => $module:ident),+ $(,)?) => {
        /// Every transformer: the single list that names, docs and builders come from.
        pub static REGISTRY: &[Entry] = &[
            $(Entry { name: $name, summary: $module::SUMMARY, build: $module::build },)+
        ];
    };
}

registry! {
    "keep" => keep,
    "null" => null,
    "constant" => constant,
    "template" => template,
    "email" => email,
    "name" => name,
    "first_name" => first_name,
    "last_name" => last_name,
    "phone" => phone,
    "address" => address,
    "city" => city,
    "zip" => zip,
    "company" => company,
    "username" => username,
    "ip" => ip,
    "uuid" => uuid,
    "hash" => hash,
    "token" => token,
    "mask" => mask,
    "date_shift" => date_shift,
    "number_noise" => number_noise,
    "json" => json,
    "array" => array,
    "scrub" => scrub,
    "lorem" => lorem,
    "choice" => choice,
    "regex_replace" => regex_replace,
}

/// Transformer names, in catalogue order.
pub fn names() -> impl Iterator<Item = &'static str> {
    REGISTRY.iter().map(|e| e.name)
}

/// The transformer reference for the profile docs, generated from [`REGISTRY`] (Markdown).
pub fn reference() -> String {
    let mut out = String::from("| transformer | output |\n|---|---|\n");
    for e in REGISTRY {
        out.push_str(&format!("| `{}` | {} |\n", e.name, e.summary));
    }
    out
}

/// A built transformer: cheap to share between threads.
pub struct Transformer {
    kind: &'static str,
    inner: Box<dyn Transform>,
    /// Recent results, for transformers whose output depends on the value alone and costs more
    /// than a lookup (see [`memo`]).
    memo: Option<memo::Memo>,
}

impl std::fmt::Debug for Transformer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Transformer({})", self.kind)
    }
}

impl Transformer {
    /// Builds the transformer a rule names, keyed by the salt.
    pub fn build(rule: &ColumnRule, salt: &Salt) -> Result<Transformer, BuildError> {
        let entry = REGISTRY
            .iter()
            .find(|e| e.name == rule.transform)
            .ok_or_else(|| BuildError(format!("unknown transformer `{}`", rule.transform)))?;
        let ctx = BuildCtx {
            salt,
            keyed: salt.keyed(),
        };
        let inner = (entry.build)(rule, &ctx)
            .map_err(|m| BuildError(format!("transformer `{}`: {m}", entry.name)))?;
        // Cheap or row-reading transformers are not cached: `template` reads other columns,
        // the others cost less than a lookup.
        let cached = inner.row_columns().is_empty()
            && !matches!(entry.name, "keep" | "null" | "constant" | "mask");
        Ok(Transformer {
            kind: entry.name,
            inner,
            memo: cached.then(memo::Memo::default),
        })
    }

    /// The transformer's name (`email`, ...).
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// Transforms one decoded text value; NULL stays NULL unless the transformer is `null` or
    /// `constant`.
    pub fn apply(
        &self,
        value: Option<&str>,
        row: &dyn RowLookup,
    ) -> Result<Option<String>, TransformError> {
        match value {
            None => Ok(self.inner.apply_null()),
            Some(v) => {
                let compute = || self.inner.apply(v, row);
                match &self.memo {
                    Some(memo) => memo.get_or(v, compute),
                    None => compute(),
                }
                .map_err(|message| TransformError {
                    transformer: self.kind,
                    message,
                })
            }
        }
    }

    /// The other columns of the row this transformer reads (`template`'s `{column}`s), which the
    /// pipeline must decode and pass in the [`RowLookup`].
    pub fn row_columns(&self) -> Vec<String> {
        self.inner.row_columns()
    }

    /// Whether this transformer fits a column of the given PostgreSQL type (as `format_type`
    /// prints it: `integer`, `character varying(255)`, `text[]`, `timestamp with time zone`...).
    /// The error says why not.
    pub fn fits_type(&self, pg_type_name: &str) -> Result<(), String> {
        self.inner.fits_type(&PgType::parse(pg_type_name))
    }
}

/// A PostgreSQL type name, classified for [`Transformer::fits_type`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PgType {
    /// Lowercased, modifiers removed (`character varying`), array brackets removed.
    pub base: String,
    /// Array dimensions (`text[]` is 1).
    pub array_dims: usize,
    /// The name as given, for messages.
    pub written: String,
}

impl PgType {
    pub(crate) fn parse(name: &str) -> PgType {
        let written = name.trim().to_owned();
        let mut s = written.to_lowercase();
        let mut array_dims = 0;
        while let Some(rest) = s.trim_end().strip_suffix("[]") {
            s = rest.to_owned();
            array_dims += 1;
        }
        if array_dims == 0 && s.starts_with('_') {
            // Internal array names (`_text`).
            s.remove(0);
            array_dims = 1;
        }
        // Drop type modifiers: `varchar(255)`, `numeric(10,2)`, `timestamp(3) with time zone`.
        let mut base = String::new();
        let mut depth = 0;
        for c in s.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ if depth == 0 => base.push(c),
                _ => {}
            }
        }
        let base = base.split_whitespace().collect::<Vec<_>>().join(" ");
        let base = base.strip_prefix("pg_catalog.").unwrap_or(&base).to_owned();
        PgType {
            base,
            array_dims,
            written,
        }
    }

    /// The element type of an array type.
    pub(crate) fn element(&self) -> PgType {
        PgType {
            base: self.base.clone(),
            array_dims: self.array_dims.saturating_sub(1),
            written: self.written.trim_end().trim_end_matches("[]").to_owned(),
        }
    }

    fn scalar_in(&self, names: &[&str]) -> bool {
        self.array_dims == 0 && names.contains(&self.base.as_str())
    }

    pub(crate) fn is_text(&self) -> bool {
        self.scalar_in(&[
            "text",
            "character varying",
            "varchar",
            "character",
            "char",
            "bpchar",
            "citext",
            "name",
        ])
    }

    pub(crate) fn is_numeric(&self) -> bool {
        self.scalar_in(&[
            "smallint",
            "int2",
            "integer",
            "int",
            "int4",
            "bigint",
            "int8",
            "numeric",
            "decimal",
            "real",
            "float4",
            "double precision",
            "float8",
            "money",
        ])
    }

    pub(crate) fn is_datetime(&self) -> bool {
        self.scalar_in(&[
            "date",
            "timestamp",
            "timestamp without time zone",
            "timestamp with time zone",
            "timestamptz",
        ])
    }

    pub(crate) fn is_json(&self) -> bool {
        self.scalar_in(&["json", "jsonb"])
    }
}

/// `fits_type` for transformers that produce free text.
pub(crate) fn text_only(kind: &str, ty: &PgType) -> Result<(), String> {
    if ty.is_text() {
        Ok(())
    } else {
        Err(format!(
            "`{kind}` produces text; column type `{}` needs another transformer",
            ty.written
        ))
    }
}

/// The common shape of the `fake`-backed transformers: a keyed generator from the value.
pub(crate) struct Faked {
    pub kind: &'static str,
    pub keyed: Keyed,
    pub generate: fn(&mut rand_xoshiro::Xoshiro256PlusPlus) -> String,
}

impl Transform for Faked {
    fn apply(&self, value: &str, _: &dyn RowLookup) -> Result<Option<String>, String> {
        let mut rng = self.keyed.rng(self.kind, value.as_bytes());
        Ok(Some((self.generate)(&mut rng)))
    }
    fn fits_type(&self, ty: &PgType) -> Result<(), String> {
        text_only(self.kind, ty)
    }
}

/// Options of transformers that take none.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoOptions {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pg_type_parse() {
        let t = PgType::parse("character varying(255)");
        assert_eq!(t.base, "character varying");
        assert!(t.is_text());
        let t = PgType::parse("timestamp(3) with time zone");
        assert!(t.is_datetime());
        let t = PgType::parse("text[]");
        assert_eq!(t.array_dims, 1);
        assert!(!t.is_text());
        assert!(t.element().is_text());
        assert!(PgType::parse("_int4").element().is_numeric());
        assert!(PgType::parse("NUMERIC(10, 2)").is_numeric());
    }

    #[test]
    fn registry_names_are_unique() {
        let mut names: Vec<_> = names().collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n);
        assert_eq!(n, 27);
    }
}
