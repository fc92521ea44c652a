//! Column types: sqlparser's [`DataType`] to the canonical [`SqlType`] rules compare.
//!
//! PostgreSQL spells most built-in types several ways; rules want one name per type. The table
//! (written forms on the left, canonical `SqlType::name` on the right; `args` are the type
//! modifiers, empty when none were written):
//!
//! | written | canonical |
//! | --- | --- |
//! | `int`, `integer`, `int4` | `integer` |
//! | `bigint`, `int8` | `bigint` |
//! | `smallint`, `int2` | `smallint` |
//! | `serial`, `serial4` / `bigserial`, `serial8` / `smallserial`, `serial2` | `serial` / `bigserial` / `smallserial` |
//! | `varchar(n)`, `character varying(n)` | `varchar` (`[n]` or `[]`) |
//! | `char(n)`, `character(n)`, `bpchar` | `char` |
//! | `"char"` (quoted: the one-byte internal type) | `"char"` |
//! | `numeric`, `decimal`, `dec` | `numeric` (`[]`, `[p]` or `[p, s]`) |
//! | `real`, `float4`, `float(1..24)` | `real` |
//! | `double precision`, `float8`, `float`, `float(25..53)` | `double precision` |
//! | `timestamp`, `timestamp without time zone` | `timestamp` (`[p]`) |
//! | `timestamptz`, `timestamp with time zone` | `timestamptz` (`[p]`) |
//! | `time`, `time without time zone` / `timetz`, `time with time zone` | `time` / `timetz` |
//! | `bool`, `boolean` | `boolean` |
//! | `bit varying(n)`, `varbit(n)` | `varbit` |
//! | `date`, `interval`, `json`, `jsonb`, `uuid`, `bytea`, `text`, `bit`, `tsvector`, `tsquery`, `regclass`, geometric types | the same name |
//! | `elem[]`, `elem ARRAY`, `elem[][]` | `elem`'s canonical name with `array = true` |
//! | anything else (`inet`, `citext`, `public.money_t`, `"MyType"`) | the name as written, identifiers folded: `public.money_t`, `MyType` |
//!
//! A `pg_catalog.` prefix is dropped before the table is applied (`pg_catalog.int4` is `integer`).

use sqlparser::ast::{
    ArrayElemTypeDef, CharacterLength, DataType, ExactNumberInfo, GeometricTypeKind, ObjectName,
    TimezoneInfo,
};

use super::ident;
use crate::lint::ops::SqlType;

/// The canonical form of a column type.
pub(super) fn sql_type(data_type: &DataType) -> SqlType {
    let (name, args, array) = canonical(data_type);
    SqlType {
        name,
        args,
        array,
        written: data_type.to_string(),
    }
}

/// `(name, args, array)` for one data type.
fn canonical(data_type: &DataType) -> (String, Vec<u64>, bool) {
    use DataType as D;
    let plain = |name: &str| (name.to_owned(), Vec::new(), false);
    let with = |name: &str, args: Vec<u64>| (name.to_owned(), args, false);
    let opt = |n: &Option<u64>| n.iter().copied().collect::<Vec<u64>>();
    match data_type {
        D::Int(_) | D::Integer(_) | D::Int4(_) => plain("integer"),
        D::BigInt(_) | D::Int8(_) => plain("bigint"),
        D::SmallInt(_) | D::Int2(_) => plain("smallint"),
        D::Varchar(len) | D::CharacterVarying(len) | D::CharVarying(len) | D::Nvarchar(len) => {
            with("varchar", char_length(len))
        }
        D::Char(len) | D::Character(len) => with("char", char_length(len)),
        D::Text => plain("text"),
        D::Numeric(info) | D::Decimal(info) | D::Dec(info) => with("numeric", exact(info)),
        D::Real | D::Float4 => plain("real"),
        D::Float8 | D::DoublePrecision | D::Double(_) => plain("double precision"),
        D::Float(ExactNumberInfo::Precision(p)) if *p <= 24 => plain("real"),
        D::Float(_) => plain("double precision"),
        D::Timestamp(p, tz) => match tz {
            TimezoneInfo::WithTimeZone | TimezoneInfo::Tz => with("timestamptz", opt(p)),
            TimezoneInfo::None | TimezoneInfo::WithoutTimeZone => with("timestamp", opt(p)),
        },
        D::Time(p, tz) => match tz {
            TimezoneInfo::WithTimeZone | TimezoneInfo::Tz => with("timetz", opt(p)),
            TimezoneInfo::None | TimezoneInfo::WithoutTimeZone => with("time", opt(p)),
        },
        D::Date => plain("date"),
        D::Interval { precision, .. } => with("interval", opt(precision)),
        D::JSON => plain("json"),
        D::JSONB => plain("jsonb"),
        D::Bool | D::Boolean => plain("boolean"),
        D::Uuid => plain("uuid"),
        D::Bytea => plain("bytea"),
        D::Regclass => plain("regclass"),
        D::Bit(n) => with("bit", opt(n)),
        D::BitVarying(n) | D::VarBit(n) => with("varbit", opt(n)),
        D::TsVector => plain("tsvector"),
        D::TsQuery => plain("tsquery"),
        D::GeometricType(kind) => plain(match kind {
            GeometricTypeKind::Point => "point",
            GeometricTypeKind::Line => "line",
            GeometricTypeKind::LineSegment => "lseg",
            GeometricTypeKind::GeometricBox => "box",
            GeometricTypeKind::GeometricPath => "path",
            GeometricTypeKind::Polygon => "polygon",
            GeometricTypeKind::Circle => "circle",
        }),
        D::Array(elem) => match elem {
            ArrayElemTypeDef::SquareBracket(inner, _)
            | ArrayElemTypeDef::Qualified(inner, _)
            | ArrayElemTypeDef::AngleBracket(inner)
            | ArrayElemTypeDef::Parenthesis(inner) => {
                let (name, args, _) = canonical(inner);
                (name, args, true)
            }
            // A bare `ARRAY` with no element type (not PostgreSQL).
            ArrayElemTypeDef::None => ("array".to_owned(), Vec::new(), true),
        },
        D::Custom(name, modifiers) => custom(name, modifiers),
        // Types of other dialects (and the rare PostgreSQL ones sqlparser names differently):
        // as written, lower-cased.
        other => {
            let written = other.to_string();
            let base = written.split('(').next().unwrap_or(&written);
            plain(base.trim().to_ascii_lowercase().as_str())
        }
    }
}

/// A type sqlparser does not know by name (`serial`, `inet`, `citext`, user types).
fn custom(name: &ObjectName, modifiers: &[String]) -> (String, Vec<u64>, bool) {
    let parts: Vec<_> = name.0.iter().filter_map(|p| p.as_ident()).collect();
    let args: Vec<u64> = modifiers
        .iter()
        .filter_map(|m| m.trim().parse::<u64>().ok())
        .collect();
    let Some(last) = parts.last() else {
        return (name.to_string().to_ascii_lowercase(), args, false);
    };
    let schema = parts.len().checked_sub(2).map(|i| ident(parts[i]));
    let base = ident(last);
    if last.quote_style.is_some() && base == "char" {
        // `"char"` is PostgreSQL's one-byte internal type, not `char(1)`.
        return ("\"char\"".to_owned(), args, false);
    }
    if schema.is_none() || schema.as_deref() == Some("pg_catalog") {
        let alias = match base.as_str() {
            "int" | "integer" | "int4" => Some("integer"),
            "bigint" | "int8" => Some("bigint"),
            "smallint" | "int2" => Some("smallint"),
            "serial" | "serial4" => Some("serial"),
            "bigserial" | "serial8" => Some("bigserial"),
            "smallserial" | "serial2" => Some("smallserial"),
            "varchar" => Some("varchar"),
            "bpchar" | "char" | "character" => Some("char"),
            "decimal" | "numeric" => Some("numeric"),
            "float4" | "real" => Some("real"),
            "float8" => Some("double precision"),
            "timestamptz" => Some("timestamptz"),
            "timetz" => Some("timetz"),
            "bool" | "boolean" => Some("boolean"),
            "varbit" => Some("varbit"),
            _ => None,
        };
        return (alias.map_or(base, str::to_owned), args, false);
    }
    let full = parts.iter().map(|p| ident(p)).collect::<Vec<_>>().join(".");
    (full, args, false)
}

fn char_length(len: &Option<CharacterLength>) -> Vec<u64> {
    match len {
        Some(CharacterLength::IntegerLength { length, .. }) => vec![*length],
        Some(CharacterLength::Max) | None => Vec::new(),
    }
}

fn exact(info: &ExactNumberInfo) -> Vec<u64> {
    match info {
        ExactNumberInfo::None => Vec::new(),
        ExactNumberInfo::Precision(p) => vec![*p],
        // PostgreSQL 15 allows a negative scale; it cannot be stored in `args`, so it is left out.
        ExactNumberInfo::PrecisionAndScale(p, s) => match u64::try_from(*s) {
            Ok(s) => vec![*p, s],
            Err(_) => vec![*p],
        },
    }
}
