//! What the sync reads from a database's catalog. The SQL lives in `sql/*.sql` (pgcopydb's habit):
//! read there what each query returns and why.

use std::collections::HashMap;

use tokio_postgres::{Client, Error};

const SERVER_SQL: &str = include_str!("sql/server.sql");
const SYSTEM_IDENTIFIER_SQL: &str = include_str!("sql/system_identifier.sql");
const TABLES_SQL: &str = include_str!("sql/tables.sql");
const COLUMNS_SQL: &str = include_str!("sql/columns.sql");
const SEQUENCES_SQL: &str = include_str!("sql/sequences.sql");
const SCHEMA_FINGERPRINT_SQL: &str = include_str!("sql/schema_fingerprint.sql");
const MATVIEWS_SQL: &str = include_str!("sql/matviews.sql");

/// The server and database a connection reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerInfo {
    /// `server_version_num`: 150018 for 15.18.
    pub version_num: i32,
    /// `pg_control_system().system_identifier`, unique per cluster; `None` when the role may not
    /// call it.
    pub system_identifier: Option<String>,
    pub database: String,
    pub encoding: String,
    pub collate: String,
    pub ctype: String,
}

impl ServerInfo {
    /// The major version: 15 for 150018, 9 for 90624 (as pg_dump counts them, 9.6 is "9").
    pub fn major(&self) -> i32 {
        self.version_num / 10000
    }
}

/// Call it outside a transaction: a refused `pg_control_system()` would abort one.
pub async fn server_info(client: &Client) -> Result<ServerInfo, Error> {
    let row = client.query_one(SERVER_SQL, &[]).await?;
    // A role without the privilege gets `None`; callers outside a transaction lose nothing.
    let system_identifier = client
        .query_one(SYSTEM_IDENTIFIER_SQL, &[])
        .await
        .ok()
        .map(|r| r.get(0));
    Ok(ServerInfo {
        version_num: row.get("version_num"),
        system_identifier,
        database: row.get("database"),
        encoding: row.get("encoding"),
        collate: row.get("collate"),
        ctype: row.get("ctype"),
    })
}

/// What kind of table, for the sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableKind {
    /// A table with rows of its own (inheritance children included).
    Plain,
    /// A partitioned table: no rows of its own; its partitions carry them.
    Partitioned,
    /// A partition: `root` is the partitioned table at the top of its tree, whose profile rules
    /// apply to it.
    Partition { root: (String, String) },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    /// The type as `format_type` spells it; a domain's base type.
    pub type_name: String,
    /// A generated column: the target computes it, so it is never copied.
    pub generated: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub schema: String,
    pub name: String,
    pub kind: TableKind,
    /// `reltuples`: the planner's estimate, `None` when never analyzed.
    pub est_rows: Option<u64>,
    /// `pg_table_size`: heap and TOAST, no indexes.
    pub bytes: u64,
    pub columns: Vec<Column>,
}

impl Table {
    /// `schema.name` unquoted, as profiles and reports spell it: `public.Support Tickets`.
    pub fn key(&self) -> String {
        format!("{}.{}", self.schema, self.name)
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// Every table the sync copies or that a profile may name, with its columns.
pub async fn tables(client: &Client) -> Result<Vec<Table>, Error> {
    let rows = client.query(TABLES_SQL, &[]).await?;
    let mut tables = Vec::with_capacity(rows.len());
    let mut oids = Vec::with_capacity(rows.len());
    for row in rows {
        let kind: String = row.get("kind");
        let root_schema: Option<String> = row.get("root_schema");
        let root_name: Option<String> = row.get("root_name");
        let kind = match (kind.as_str(), root_schema, root_name) {
            ("p", _, _) => TableKind::Partitioned,
            (_, Some(s), Some(n)) => TableKind::Partition { root: (s, n) },
            _ => TableKind::Plain,
        };
        let est_rows: f64 = row.get("est_rows");
        oids.push(row.get::<_, i64>("oid"));
        tables.push(Table {
            schema: row.get("schema"),
            name: row.get("name"),
            kind,
            est_rows: (est_rows >= 0.0).then_some(est_rows as u64),
            bytes: row.get::<_, i64>("bytes").max(0) as u64,
            columns: Vec::new(),
        });
    }
    let by_oid: HashMap<i64, usize> = oids.iter().enumerate().map(|(i, o)| (*o, i)).collect();
    for row in client.query(COLUMNS_SQL, &[&oids]).await? {
        let oid: i64 = row.get("table_oid");
        if let Some(&i) = by_oid.get(&oid) {
            tables[i].columns.push(Column {
                name: row.get("name"),
                type_name: row.get("type"),
                generated: row.get("generated"),
            });
        }
    }
    Ok(tables)
}

/// `(schema, name)` of every sequence.
pub async fn sequences(client: &Client) -> Result<Vec<(String, String)>, Error> {
    Ok(client
        .query(SEQUENCES_SQL, &[])
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect())
}

/// `(schema, name)` of every materialized view that holds data.
pub async fn populated_matviews(client: &Client) -> Result<Vec<(String, String)>, Error> {
    Ok(client
        .query(MATVIEWS_SQL, &[])
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect())
}

/// One sorted line per schema object, owners and grants aside (see `sql/schema_fingerprint.sql`).
pub async fn schema_fingerprint(client: &Client) -> Result<Vec<String>, Error> {
    let mut lines: Vec<String> = client
        .query(SCHEMA_FINGERPRINT_SQL, &[])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    lines.sort();
    Ok(lines)
}
