//! The sync data path against a real PostgreSQL: `pgward::sync::pipeline` copying tables between two
//! databases of a throwaway cluster, with and without a transform, in batches, under backpressure,
//! and failing without showing values.
//!
//! The databases come from `tests/support` (a throwaway cluster, or `PGWARD_TEST_DATABASE_URL`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use pgward::sync::pipeline::{
    Limits, PassThrough, PipelineError, PipelineEvent, RowTransform, TablePlan, TransformError,
    copy_table, prepare_session,
};
use tokio_postgres::Client;

mod support;

/// A test's source and target databases (`<name>_src`, `<name>_tgt`) on the test cluster.
struct Databases {
    source: Client,
    target: Client,
}

impl Databases {
    async fn create(name: &str) -> Databases {
        let source = support::database(&format!("{name}_src")).await;
        let target = support::database(&format!("{name}_tgt")).await;
        Databases {
            source: support::connect(&source).await,
            target: support::connect(&target).await,
        }
    }

    /// Runs `sql` on both databases.
    async fn both(&self, sql: &str) {
        self.source.batch_execute(sql).await.expect("source setup");
        self.target.batch_execute(sql).await.expect("target setup");
    }
}

/// The COPY text of `query` (in the pipeline's session settings), for byte-level comparisons.
async fn copy_text(client: &Client, query: &str) -> Vec<u8> {
    prepare_session(client).await.unwrap();
    let mut stream = std::pin::pin!(
        client
            .copy_out(&format!("COPY ({query}) TO STDOUT"))
            .await
            .unwrap()
    );
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        out.extend_from_slice(&chunk.unwrap());
    }
    out
}

async fn checksum(client: &Client, table: &str) -> String {
    let sql = format!("SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM {table} t");
    client.query_one(&sql, &[]).await.unwrap().get(0)
}

async fn count(client: &Client, table: &str) -> i64 {
    let sql = format!("SELECT count(*) FROM {table}");
    client.query_one(&sql, &[]).await.unwrap().get(0)
}

/// Uppercases the listed columns (positions in the plan), leaving NULLs alone; refuses the value
/// `refuse`, if set, without saying what it was.
struct Upper {
    columns: Vec<usize>,
    refuse: Option<&'static str>,
}

impl Upper {
    fn new(columns: Vec<usize>) -> Upper {
        Upper {
            columns,
            refuse: None,
        }
    }
}

impl RowTransform for Upper {
    fn columns(&self) -> &[usize] {
        &self.columns
    }

    fn apply(&self, fields: &mut [Option<String>]) -> Result<(), TransformError> {
        for (k, field) in fields.iter_mut().enumerate() {
            if let Some(value) = field {
                if Some(value.as_str()) == self.refuse {
                    return Err(TransformError::new(k, "upper", "this value is refused"));
                }
                *value = value.to_uppercase();
            }
        }
        Ok(())
    }
}

/// Collects the events of one copy.
#[derive(Default)]
struct Events(Mutex<Vec<PipelineEvent>>);

impl Events {
    fn push(&self, event: PipelineEvent) {
        self.0.lock().unwrap().push(event);
    }

    /// Rows of each `BatchCopied`, after checking the events start and end as they should.
    fn batches(&self) -> Vec<u64> {
        let events = self.0.lock().unwrap();
        assert_eq!(events.first(), Some(&PipelineEvent::TableStarted));
        assert!(matches!(
            events.last(),
            Some(PipelineEvent::TableFinished(_))
        ));
        events
            .iter()
            .filter_map(|e| match e {
                PipelineEvent::BatchCopied { rows, .. } => Some(*rows),
                _ => None,
            })
            .collect()
    }
}

const NASTY_TABLE: &str = r#"
CREATE TABLE "Mixed Case" (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    "Full Name" text,
    note text,
    raw bytea,
    doc jsonb,
    tags text[],
    born date,
    seen timestamptz,
    span interval,
    ratio float8,
    name_len int GENERATED ALWAYS AS (char_length("Full Name")) STORED
);
"#;

/// Every column but the generated `name_len`.
const NASTY_COLUMNS: [&str; 10] = [
    "id",
    "Full Name",
    "note",
    "raw",
    "doc",
    "tags",
    "born",
    "seen",
    "span",
    "ratio",
];

const NASTY_ROWS: &str = r#"
INSERT INTO "Mixed Case" (id, "Full Name", note, raw, doc, tags, born, seen, span, ratio)
OVERRIDING SYSTEM VALUE VALUES
    (10, E'tab\there', E'new\nline\r\nand a bare \r', '\x00ff5c0a09'::bytea,
     '{"a": "tab\there", "b": [1, null, "back\\slash"], "c": "\u00e9"}',
     ARRAY['a b', 'c"d', NULL, E'e\\f', '', 'NULL'], '2020-01-02', '2020-01-13 03:04:05.678+01',
     '1 year 2 mons -3 days 04:05:06.5', 0.1),
    (20, 'żółw 🐢 日本 straße', E'back\\slash \\N \\. \\t \\\\', '', '[]', '{}', '1999-12-31',
     '2021-12-31 23:59:59.999999+00', '-00:00:01', 1e-300),
    (30, NULL, '', NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (40, '', NULL, '\x'::bytea, 'null', ARRAY[NULL]::text[], 'infinity', '-infinity', '0', 'NaN'),
    (50, E'\\N', E'\\.', '\x5c4e'::bytea, '"\\N"', ARRAY[E'\\N', E'x\ty'], '0044-03-15 BC',
     '2000-02-29 12:00:00+05:30', '100 years', '-Infinity'),
    (60, 'ctl' || chr(8) || chr(11) || chr(12) || chr(1) || '.', E'ends in backslash \\', NULL,
     '{"k": "new\nline"}', ARRAY['{', '}', ','], '2024-02-29', now(), '1 day', 0.30000000000000004);
"#;

/// The nasty table on both sides, with the source in the session settings most likely to go wrong
/// (day-month-year dates, SQL-standard intervals) and the target reading month-day-year: the
/// pipeline must set both sessions so that values keep their meaning.
async fn nasty_databases(name: &str) -> (Databases, TablePlan) {
    let db = Databases::create(name).await;
    db.both(NASTY_TABLE).await;
    db.source.batch_execute(NASTY_ROWS).await.unwrap();
    db.source
        .batch_execute("SET DateStyle = 'SQL, DMY'; SET IntervalStyle = sql_standard")
        .await
        .unwrap();
    db.target
        .batch_execute("SET DateStyle = 'SQL, MDY'")
        .await
        .unwrap();
    (db, TablePlan::new("public", "Mixed Case", NASTY_COLUMNS))
}

#[tokio::test]
async fn nasty_values_copy_exactly_and_identity_always_keeps_its_values() {
    let (db, plan) = nasty_databases("nasty_pass").await;
    let events = Events::default();

    let stats = copy_table(&db.source, &db.target, &plan, Arc::new(PassThrough), &|e| {
        events.push(e)
    })
    .await
    .unwrap();

    assert_eq!(stats.rows, 6);
    assert_eq!(events.batches(), vec![6]);
    let all = r#"SELECT * FROM "Mixed Case" ORDER BY id"#;
    let source_text = copy_text(&db.source, all).await;
    assert_eq!(copy_text(&db.target, all).await, source_text);
    assert_eq!(
        checksum(&db.target, r#""Mixed Case""#).await,
        checksum(&db.source, r#""Mixed Case""#).await
    );
    // Identity ALWAYS: the source's ids, not the target's sequence (which would give 1, 2, ...).
    let ids: Vec<i64> = db
        .target
        .query(r#"SELECT id FROM "Mixed Case" ORDER BY id"#, &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(ids, [10, 20, 30, 40, 50, 60]);
    // The generated column was computed by the target, from the copied name.
    let lengths: Vec<Option<i32>> = db
        .target
        .query(r#"SELECT name_len FROM "Mixed Case" ORDER BY id"#, &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        lengths,
        [Some(8), Some(16), None, Some(0), Some(2), Some(8)]
    );
}

#[tokio::test]
async fn a_transform_changes_only_its_column() {
    let (db, plan) = nasty_databases("nasty_upper").await;
    let events = Events::default();

    let stats = copy_table(
        &db.source,
        &db.target,
        &plan,
        Arc::new(Upper::new(vec![1])),
        &|e| events.push(e),
    )
    .await
    .unwrap();

    assert_eq!(stats.rows, 6);
    assert_eq!(events.batches(), vec![6]);
    // Every other column is byte for byte the source's COPY text.
    let untouched =
        r#"SELECT id, note, raw, doc, tags, born, seen, span, ratio FROM "Mixed Case" ORDER BY id"#;
    assert_eq!(
        copy_text(&db.target, untouched).await,
        copy_text(&db.source, untouched).await
    );
    let names = r#"SELECT "Full Name", name_len FROM "Mixed Case" ORDER BY id"#;
    let source: Vec<Option<String>> = db
        .source
        .query(names, &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let target: Vec<(Option<String>, Option<i32>)> = db
        .target
        .query(names, &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let expected: Vec<(Option<String>, Option<i32>)> = source
        .iter()
        .map(|name| {
            let upper = name.as_ref().map(|n| n.to_uppercase());
            let len = upper.as_ref().map(|u| u.chars().count() as i32);
            (upper, len)
        })
        .collect();
    assert_eq!(target, expected);
    // "straße" became "STRASSE": the generated column follows the masked value.
    assert_eq!(target[1].1, Some(17));
}

#[tokio::test]
async fn rows_cut_anywhere_by_the_stream_arrive_whole() {
    let (db, plan) = nasty_databases("nasty_chunks").await;
    let columns: Vec<String> = NASTY_COLUMNS.iter().map(|c| format!("\"{c}\"")).collect();
    let all = format!(
        r#"SELECT {} FROM "Mixed Case" ORDER BY id"#,
        columns.join(", ")
    );
    let text = copy_text(&db.source, &all).await;
    // Cut mid-escape, mid-UTF-8 character, mid-row: 1 to 5 bytes per chunk.
    let mut chunks = Vec::new();
    let mut rest = text.as_slice();
    for len in [1, 2, 3, 4, 5].into_iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (chunk, tail) = rest.split_at(len.min(rest.len()));
        chunks.push(Ok::<_, std::io::Error>(bytes::Bytes::copy_from_slice(
            chunk,
        )));
        rest = tail;
    }
    let pipeline = pgward::sync::pipeline::Pipeline::new().with_limits(Limits {
        batch_rows: 2,
        ..Limits::default()
    });

    let stats = pipeline
        .copy_rows(
            futures_util::stream::iter(chunks),
            &db.target,
            &plan,
            Arc::new(Upper::new(vec![1])),
            &|_| {},
        )
        .await
        .unwrap();

    assert_eq!(stats.rows, 6);
    let untouched =
        r#"SELECT id, note, raw, doc, tags, born, seen, span, ratio FROM "Mixed Case" ORDER BY id"#;
    assert_eq!(
        copy_text(&db.target, untouched).await,
        copy_text(&db.source, untouched).await
    );
    let name = r#"SELECT "Full Name" FROM "Mixed Case" WHERE id = 20"#;
    let name: String = db.target.query_one(name, &[]).await.unwrap().get(0);
    assert_eq!(name, "ŻÓŁW 🐢 日本 STRASSE");
}

#[tokio::test]
async fn a_large_table_goes_in_bounded_batches() {
    let db = Databases::create("big").await;
    db.both("CREATE TABLE big (id int PRIMARY KEY, name text, note text)")
        .await;
    db.source
        .batch_execute(
            "INSERT INTO big SELECT g, 'name ' || g, \
             CASE WHEN g % 7 = 0 THEN NULL ELSE md5(g::text) || E'\\t\\\\' END \
             FROM generate_series(1, 200000) g",
        )
        .await
        .unwrap();
    let plan = TablePlan::new("public", "big", ["id", "name", "note"]);
    let events = Events::default();

    let stats = copy_table(
        &db.source,
        &db.target,
        &plan,
        Arc::new(Upper::new(vec![1])),
        &|e| events.push(e),
    )
    .await
    .unwrap();

    assert_eq!(stats.rows, 200_000);
    let batches = events.batches();
    assert_eq!(batches.len(), 200_000usize.div_ceil(4096));
    assert!(batches.iter().all(|&rows| rows <= 4096));
    assert_eq!(batches.iter().sum::<u64>(), 200_000);
    let expected = db
        .source
        .query_one(
            "SELECT md5(string_agg((id, upper(name), note)::text, ',' ORDER BY id)) FROM big",
            &[],
        )
        .await
        .unwrap()
        .get::<_, String>(0);
    assert_eq!(checksum(&db.target, "big").await, expected);
}

#[tokio::test]
async fn a_filter_copies_only_matching_rows() {
    let db = Databases::create("filtered").await;
    db.both("CREATE TABLE t (id int, note text)").await;
    db.source
        .batch_execute("INSERT INTO t SELECT g, 'n' || g FROM generate_series(1, 1000) g")
        .await
        .unwrap();
    let plan = TablePlan::new("public", "t", ["id", "note"]).with_filter("id % 4 = 0 -- a quarter");

    let stats = copy_table(
        &db.source,
        &db.target,
        &plan,
        Arc::new(PassThrough),
        &|_| {},
    )
    .await
    .unwrap();

    assert_eq!(stats.rows, 250);
    let sum: i64 = db
        .target
        .query_one("SELECT sum(id)::int8 FROM t WHERE id % 4 = 0", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(sum, (1..=250).map(|i| i * 4).sum::<i64>());
    assert_eq!(count(&db.target, "t").await, 250);

    // A broken condition is the profile author's SQL: its message names no row value and is shown.
    db.target.batch_execute("TRUNCATE t").await.unwrap();
    let broken = TablePlan::new("public", "t", ["id", "note"]).with_filter("id >");
    let err = copy_table(
        &db.source,
        &db.target,
        &broken,
        Arc::new(PassThrough),
        &|_| {},
    )
    .await
    .unwrap_err();
    assert!(matches!(err, PipelineError::Source { .. }), "{err:?}");
    assert!(err.to_string().contains("syntax error"), "{err}");
    assert!(err.to_string().contains("SQLSTATE 42601"), "{err}");
    assert_eq!(count(&db.target, "t").await, 0);
}

/// Blocks every `apply` until opened: a stalled transform, so the writer waits on the first batch.
struct Gated {
    open: Mutex<bool>,
    opened: Condvar,
}

impl Gated {
    fn open(&self) {
        *self.open.lock().unwrap() = true;
        self.opened.notify_all();
    }
}

impl RowTransform for Gated {
    fn columns(&self) -> &[usize] {
        &[1]
    }

    fn apply(&self, fields: &mut [Option<String>]) -> Result<(), TransformError> {
        let mut open = self.open.lock().unwrap();
        while !*open {
            open = self.opened.wait(open).unwrap();
        }
        fields[0] = fields[0].take().map(|v| v.to_uppercase());
        Ok(())
    }
}

#[tokio::test]
async fn a_stalled_transform_stops_the_reader() {
    const ROWS: u64 = 50_000;
    let db = Databases::create("stalled").await;
    db.both("CREATE TABLE t (id int, name text)").await;
    db.source
        .batch_execute("INSERT INTO t SELECT g, 'name ' || g FROM generate_series(1, 50000) g")
        .await
        .unwrap();
    let plan = TablePlan::new("public", "t", ["id", "name"]);
    // Its own pool: the gate blocks its workers, which must not be the other tests' workers.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let pipeline = pgward::sync::pipeline::Pipeline::new()
        .with_pool(Arc::new(pool))
        .with_limits(Limits {
            batch_rows: 100,
            batch_bytes: 1 << 20,
            batches_in_flight_per_worker: 2,
        });
    // Vector's arithmetic: the batch the writer waits on, the channel's capacity (2 per worker x
    // 2 workers), and the batch the reader is blocked sending. PostgreSQL sends one row per COPY
    // message and the reader queues a batch as soon as it is full, so no row more is read.
    let capacity = pipeline.batches_in_flight() as u64;
    assert_eq!(capacity, 4);
    let expected_read = (1 + capacity + 1) * 100;

    let read = Arc::new(AtomicU64::new(0));
    let gate = Arc::new(Gated {
        open: Mutex::new(false),
        opened: Condvar::new(),
    });
    prepare_session(&db.source).await.unwrap();
    let counter = Arc::clone(&read);
    let rows = db
        .source
        .copy_out(plan.copy_out_sql().as_str())
        .await
        .unwrap()
        .inspect(move |chunk| {
            if let Ok(chunk) = chunk {
                let rows = chunk.iter().filter(|&&b| b == b'\n').count() as u64;
                counter.fetch_add(rows, Ordering::SeqCst);
            }
        });
    let observer = {
        let (read, gate) = (Arc::clone(&read), Arc::clone(&gate));
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            while read.load(Ordering::SeqCst) < expected_read && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            // Give an unbounded reader time to run ahead.
            std::thread::sleep(Duration::from_secs(1));
            let seen = read.load(Ordering::SeqCst);
            gate.open();
            seen
        })
    };

    let stats = pipeline
        .copy_rows(rows, &db.target, &plan, gate, &|_| {})
        .await
        .unwrap();

    let read_while_stalled = observer.join().unwrap();
    assert_eq!(read_while_stalled, expected_read);
    assert_eq!(stats.rows, ROWS);
    assert_eq!(read.load(Ordering::SeqCst), ROWS);
    assert_eq!(count(&db.target, "t").await, ROWS as i64);
}

#[tokio::test]
async fn a_failing_transform_aborts_and_names_row_and_column_not_value() {
    let db = Databases::create("refused").await;
    db.both(r#"CREATE TABLE "Support Tickets" (id int, "Requester Email" text)"#)
        .await;
    db.source
        .batch_execute(
            r#"INSERT INTO "Support Tickets"
               SELECT g, CASE WHEN g = 4242 THEN 'secret@example.com' ELSE g || '@example.com' END
               FROM generate_series(1, 10000) g"#,
        )
        .await
        .unwrap();
    let plan = TablePlan::new("public", "Support Tickets", ["id", "Requester Email"]);
    let transform = Upper {
        columns: vec![1],
        refuse: Some("secret@example.com"),
    };

    let err = copy_table(&db.source, &db.target, &plan, Arc::new(transform), &|_| {})
        .await
        .unwrap_err();

    assert!(
        matches!(&err, PipelineError::Transform { row: 4242, column, .. } if column == "Requester Email"),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(message.contains(r#"public."Support Tickets""#), "{message}");
    assert!(
        message.contains(r#"row 4242, column "Requester Email""#),
        "{message}"
    );
    assert!(!message.contains("secret"), "{message}");
    assert!(!format!("{err:?}").contains("secret"));
    // The target's COPY was aborted: nothing loaded, and the connection still works.
    assert_eq!(count(&db.target, r#""Support Tickets""#).await, 0);
}

#[tokio::test]
async fn a_target_rejection_names_row_and_column_not_value() {
    let db = Databases::create("rejected").await;
    db.source
        .batch_execute(
            "CREATE TABLE t (id int, n text); \
             INSERT INTO t VALUES (1, '1'), (2, '2'), (3, 'secret'), (4, '4')",
        )
        .await
        .unwrap();
    db.target
        .batch_execute("CREATE TABLE t (id int, n int)")
        .await
        .unwrap();
    let plan = TablePlan::new("public", "t", ["id", "n"]);

    let err = copy_table(
        &db.source,
        &db.target,
        &plan,
        Arc::new(PassThrough),
        &|_| {},
    )
    .await
    .unwrap_err();

    let PipelineError::Target { row, column, .. } = &err else {
        panic!("expected a target error, got {err:?}");
    };
    assert_eq!((*row, column.as_deref()), (Some(3), Some("n")));
    let message = err.to_string();
    assert!(message.contains("SQLSTATE 22P02"), "{message}");
    assert!(!format!("{err:?}").contains("secret"), "{err:?}");
    assert_eq!(count(&db.target, "t").await, 0);
}
