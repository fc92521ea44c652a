//! What the PII detector reads from a database: sampled rows, and the catalog facts its derived
//! checks need (triggers, generated columns, materialized views, large objects). SQL in
//! `sql/sample_*.sql`.
//!
//! Everything here is read-only and cannot fail on a missing privilege (tables the role may not
//! read are found first and left out), so the caller may run it inside the sync's
//! `REPEATABLE READ READ ONLY` snapshot transaction without aborting it.

use std::collections::HashMap;

use tokio_postgres::{Client, Error};

const READABLE_SQL: &str = include_str!("sql/sample_readable.sql");
const TRIGGERS_SQL: &str = include_str!("sql/sample_triggers.sql");
const GENERATED_SQL: &str = include_str!("sql/sample_generated.sql");
const MATVIEWS_SQL: &str = include_str!("sql/sample_matviews.sql");
const LARGE_OBJECTS_SQL: &str = include_str!("sql/sample_large_objects.sql");

/// Rows sampled per table unless configured.
pub const DEFAULT_ROWS: u32 = 200;

/// A text value longer than this is cut (free text keeps its first characters; the shapes the
/// detector looks for are short).
pub const MAX_TEXT_CHARS: u32 = 8192;

/// A json/jsonb or array value stored larger than this (bytes) is read as NULL: cutting would
/// break it, and one huge document says little more than a smaller one.
pub const MAX_STRUCTURED_BYTES: u32 = 262_144;

/// How to read one column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueRead {
    /// `left(col::text, MAX_TEXT_CHARS)`.
    Text,
    /// `col::text` whole (json, jsonb, arrays), NULL when larger than `MAX_STRUCTURED_BYTES`.
    Whole,
}

/// How the rows were picked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SampleMethod {
    /// `TABLESAMPLE SYSTEM (percent) REPEATABLE (0)`: random pages of a large table.
    System { percent: f64 },
    /// `LIMIT n`: the first rows of a small table (or of a large one whose page sample came back
    /// short).
    Limit,
}

/// Sampled rows: `rows[i][j]` is column `j` of row `i`, as text, `None` for NULL.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
    pub method: SampleMethod,
}

impl Sample {
    /// The non-NULL values of one column.
    pub fn values(&self, column: usize) -> impl Iterator<Item = &str> {
        self.rows.iter().filter_map(move |r| r[column].as_deref())
    }
}

/// `"name"` with inner quotes doubled: mixed case, spaces and reserved words survive.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Samples up to `rows` rows of the given columns. A table estimated (`reltuples`) at more than
/// ten times `rows` is read with `TABLESAMPLE SYSTEM` at a percentage expected to return about
/// three times `rows` (then `LIMIT rows`), a smaller one (or one whose page sample returned fewer
/// than half of `rows`) with a plain `LIMIT`.
pub async fn sample(
    client: &Client,
    schema: &str,
    table: &str,
    columns: &[(&str, ValueRead)],
    est_rows: Option<u64>,
    rows: u32,
) -> Result<Sample, Error> {
    let names: Vec<String> = columns.iter().map(|(c, _)| (*c).to_owned()).collect();
    if columns.is_empty() || rows == 0 {
        return Ok(Sample {
            columns: names,
            rows: Vec::new(),
            method: SampleMethod::Limit,
        });
    }
    let select: Vec<String> = columns
        .iter()
        .map(|(c, read)| {
            let q = quote_ident(c);
            match read {
                ValueRead::Text => format!("left({q}::text, {MAX_TEXT_CHARS})"),
                ValueRead::Whole => format!(
                    "CASE WHEN pg_column_size({q}) <= {MAX_STRUCTURED_BYTES} THEN {q}::text END"
                ),
            }
        })
        .collect();
    let from = format!("{}.{}", quote_ident(schema), quote_ident(table));
    let large = est_rows.is_some_and(|n| n > u64::from(rows) * 10);
    if let Some(est) = est_rows.filter(|_| large) {
        let percent = (300.0 * f64::from(rows) / est as f64).clamp(0.000_001, 100.0);
        let sql = format!(
            "SELECT {} FROM {from} TABLESAMPLE SYSTEM ({percent:.6}) REPEATABLE (0) LIMIT {rows}",
            select.join(", ")
        );
        let got = read(client, &sql, columns.len()).await?;
        if got.len() * 2 >= rows as usize {
            return Ok(Sample {
                columns: names,
                rows: got,
                method: SampleMethod::System { percent },
            });
        }
    }
    let sql = format!("SELECT {} FROM {from} LIMIT {rows}", select.join(", "));
    Ok(Sample {
        columns: names,
        rows: read(client, &sql, columns.len()).await?,
        method: SampleMethod::Limit,
    })
}

async fn read(client: &Client, sql: &str, width: usize) -> Result<Vec<Vec<Option<String>>>, Error> {
    Ok(client
        .query(sql, &[])
        .await?
        .iter()
        .map(|r| (0..width).map(|i| r.get::<_, Option<String>>(i)).collect())
        .collect())
}

/// Per table (`(schema, name)`): whether the role may read it, and whether it is a partitioned
/// table that is itself a partition (its rows are sampled through its root).
pub async fn access(client: &Client) -> Result<HashMap<(String, String), Access>, Error> {
    Ok(client
        .query(READABLE_SQL, &[])
        .await?
        .iter()
        .map(|r| {
            (
                (r.get("schema"), r.get("name")),
                Access {
                    readable: r.get("readable"),
                    sub_partitioned: r.get("sub_partitioned"),
                },
            )
        })
        .collect())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    pub readable: bool,
    pub sub_partitioned: bool,
}

/// A row trigger on a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trigger {
    pub schema: String,
    pub table: String,
    pub name: String,
    /// `pg_catalog.tsvector_update_trigger`, `public.users_search`.
    pub function: String,
    /// The trigger's arguments (`CREATE TRIGGER ... EXECUTE FUNCTION f('a', 'b')`).
    pub args: Vec<String>,
    /// The function's source (PL/pgSQL text; a C function's symbol name).
    pub source: String,
}

pub async fn triggers(client: &Client) -> Result<Vec<Trigger>, Error> {
    Ok(client
        .query(TRIGGERS_SQL, &[])
        .await?
        .iter()
        .map(|r| {
            let raw: Vec<u8> = r.get("args");
            let mut args: Vec<String> = raw
                .split(|b| *b == 0)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            if args.last().is_some_and(String::is_empty) {
                args.pop(); // each argument ends with a NUL
            }
            Trigger {
                schema: r.get("schema"),
                table: r.get("name"),
                name: r.get("trigger"),
                function: format!(
                    "{}.{}",
                    r.get::<_, String>("function_schema"),
                    r.get::<_, String>("function")
                ),
                args,
                source: r.get("source"),
            }
        })
        .collect())
}

/// A generated column and the columns of its table that its expression reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedColumn {
    pub schema: String,
    pub table: String,
    pub column: String,
    pub inputs: Vec<String>,
}

pub async fn generated_columns(client: &Client) -> Result<Vec<GeneratedColumn>, Error> {
    Ok(client
        .query(GENERATED_SQL, &[])
        .await?
        .iter()
        .map(|r| GeneratedColumn {
            schema: r.get("schema"),
            table: r.get("name"),
            column: r.get("column"),
            inputs: r.get("inputs"),
        })
        .collect())
}

/// A materialized view and the table columns its query reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaterializedView {
    pub schema: String,
    pub name: String,
    /// `(schema, table, column)`.
    pub inputs: Vec<(String, String, String)>,
}

pub async fn materialized_views(client: &Client) -> Result<Vec<MaterializedView>, Error> {
    let mut out: Vec<MaterializedView> = Vec::new();
    for r in client.query(MATVIEWS_SQL, &[]).await? {
        let (schema, name): (String, String) = (r.get("schema"), r.get("name"));
        let input = (
            r.get("source_schema"),
            r.get("source_name"),
            r.get("source_column"),
        );
        match out.last_mut() {
            Some(m) if m.schema == schema && m.name == name => m.inputs.push(input),
            _ => out.push(MaterializedView {
                schema,
                name,
                inputs: vec![input],
            }),
        }
    }
    Ok(out)
}

/// How many large objects the database holds.
pub async fn large_objects(client: &Client) -> Result<i64, Error> {
    Ok(client.query_one(LARGE_OBJECTS_SQL, &[]).await?.get(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_identifiers() {
        assert_eq!(quote_ident("Support Tickets"), "\"Support Tickets\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote_ident("user"), "\"user\"");
    }
}
