//! One table's data, source to target: `COPY TO STDOUT` → batches → rayon transform → `COPY FROM STDIN`.
//!
//! ```text
//! source COPY TO ─► reader: cut lines, batch ─► bounded channel (ordered) ─► writer: feed ─► target COPY FROM
//!                                  └─► rayon: transform batch ─┘ (one oneshot result per batch)
//! ```
//! The reader and writer are two futures joined on the caller's task: a current-thread tokio runtime
//! drives the I/O and rayon does the CPU work (field-notes.md: half the CPU of a multi-thread
//! runtime). The channel holds the batches in read order, each one either ready (no transform) or
//! a pending rayon result, so output order is input order and at most
//! [`Pipeline::batches_in_flight`] + 2 batches exist at once (vector's `run_concurrently`): a slow
//! target or transform stops the reader, and memory stays bounded whatever the table size.
//!
//! When the transform needs no column, batches go straight from reader to writer as raw bytes, no
//! row is decoded. Otherwise each row is cut on tabs and only the needed fields are decoded,
//! transformed and re-encoded ([`FieldEditor`]); the other fields keep the source's bytes.
//!
//! The caller owns the transaction: the sync stage opens the source connection's transaction with
//! `SET TRANSACTION SNAPSHOT` (one exported snapshot for all tables) before calling [`copy_table`],
//! and decides whether the target load commits. This module never prints: it reports through
//! [`PipelineEvent`]s, once per batch. Errors name the table, column and row, never a value.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use futures_util::{SinkExt, Stream, StreamExt};
use miette::Diagnostic;
use thiserror::Error;
use tokio::sync::{mpsc, oneshot};
use tokio_postgres::{Client, CopyInSink};

use super::copy::{CopyError, EditError, FieldEditor};

/// Rows per batch (PostgreSQL sends one row per COPY message; a stream whose chunks hold several
/// rows can overshoot by one chunk's rows). With rows of a few hundred bytes a batch is about 1 MiB; the transform work per
/// batch (milliseconds) dwarfs the cost of handing it to rayon and through the channel (microseconds).
pub const BATCH_ROWS: usize = 4096;
/// Bytes of COPY text per batch, whichever of the two limits is reached first, so wide rows do not
/// make batches huge. A batch being transformed holds its input and output: up to 2 MiB.
pub const BATCH_BYTES: usize = 1 << 20;
/// Batches queued or being transformed per rayon worker (field-notes.md: two were enough to keep
/// the workers busy). With 2 workers: 4 in the channel, plus the one the writer is loading and the
/// one the reader is filling, so 6 batches of at most 1 MiB (2 MiB while transformed): at most
/// about 12 MiB per table copied at once, whatever the table size.
pub const BATCHES_IN_FLIGHT_PER_WORKER: usize = 2;

/// Session settings both ends need so that text values mean the same thing on both sides: dates in
/// ISO order (a `DMY` source and `MDY` target would swap day and month), intervals in the
/// PostgreSQL style, floats with every digit. pg_dump sets the same.
pub const SESSION_SETTINGS: &str =
    "SET DateStyle = ISO; SET IntervalStyle = postgres; SET extra_float_digits = 3";

/// What to copy for one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TablePlan {
    /// Schema name as stored in the catalog (no quoting).
    pub schema: String,
    /// Table name as stored in the catalog (no quoting): `Mixed Case` works.
    pub name: String,
    /// The columns to copy, in order, as stored in the catalog. Leave generated columns out: the
    /// target computes them. Identity columns (even `GENERATED ALWAYS`) belong here: `COPY FROM`
    /// stores the given values.
    pub columns: Vec<String>,
    /// A SQL condition from the profile's `rows = { where = ... }`, if any.
    pub filter: Option<String>,
}

impl TablePlan {
    pub fn new(
        schema: impl Into<String>,
        name: impl Into<String>,
        columns: impl IntoIterator<Item = impl Into<String>>,
    ) -> TablePlan {
        TablePlan {
            schema: schema.into(),
            name: name.into(),
            columns: columns.into_iter().map(Into::into).collect(),
            filter: None,
        }
    }

    pub fn with_filter(mut self, filter: impl Into<String>) -> TablePlan {
        self.filter = Some(filter.into());
        self
    }

    /// `"schema"."name"`, for SQL.
    pub fn qualified_name(&self) -> String {
        format!("{}.{}", quote_ident(&self.schema), quote_ident(&self.name))
    }

    /// `schema.name`, quoting only the parts that need it, for messages: `public."Mixed Case"`.
    pub fn display_name(&self) -> String {
        format!(
            "{}.{}",
            display_ident(&self.schema),
            display_ident(&self.name)
        )
    }

    /// ` (a, b)`, or nothing for a table without stored columns (`COPY t () ...` is a syntax
    /// error, and `COPY t ...` copies every non-generated column: none).
    fn column_list(&self) -> String {
        if self.columns.is_empty() {
            return String::new();
        }
        let quoted: Vec<String> = self.columns.iter().map(|c| quote_ident(c)).collect();
        format!(" ({})", quoted.join(", "))
    }

    /// The columns for a `SELECT`: `a, b`, or nothing (`SELECT FROM t` selects rows of no columns).
    fn select_list(&self) -> String {
        if self.columns.is_empty() {
            return String::new();
        }
        let quoted: Vec<String> = self.columns.iter().map(|c| quote_ident(c)).collect();
        quoted.join(", ")
    }

    /// The source side. Without a filter, `COPY table (cols) TO STDOUT`, which reads only the
    /// table's own rows (not those of inheritance children). With one, a query over `ONLY` the
    /// table, so both forms read the same rows. The filter is SQL the profile's author wrote; it
    /// goes on its own lines so a trailing `--` comment cannot swallow the closing parenthesis.
    pub fn copy_out_sql(&self) -> String {
        match &self.filter {
            None => format!(
                "COPY {}{} TO STDOUT",
                self.qualified_name(),
                self.column_list()
            ),
            Some(filter) => format!(
                "COPY (SELECT {} FROM ONLY {} WHERE (\n{filter}\n)) TO STDOUT",
                self.select_list(),
                self.qualified_name()
            ),
        }
    }

    /// The target side: `COPY table (cols) FROM STDIN`. No `OVERRIDING SYSTEM VALUE` is needed:
    /// `COPY FROM` always stores the given values of identity columns.
    pub fn copy_in_sql(&self) -> String {
        format!(
            "COPY {}{} FROM STDIN",
            self.qualified_name(),
            self.column_list()
        )
    }
}

/// `name` as a quoted SQL identifier: `"Mixed ""Case"""`.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn display_ident(name: &str) -> String {
    let mut chars = name.chars();
    let plain = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain {
        name.to_owned()
    } else {
        quote_ident(name)
    }
}

/// A per-row transform (the anonymize profile of one table implements it). It must be a pure
/// function of the row: the pipeline calls it on several threads at once, on batches in any order.
pub trait RowTransform: Send + Sync {
    /// The positions (in [`TablePlan::columns`]) of the columns `apply` reads or writes, strictly
    /// ascending. Empty: rows pass through as raw bytes and `apply` is never called.
    fn columns(&self) -> &[usize];

    /// Transforms one row. `fields[k]` is the decoded value of column `columns()[k]` (`None` is
    /// NULL); assign to change it. Must not panic, and errors must not contain the value.
    fn apply(&self, fields: &mut [Option<String>]) -> Result<(), TransformError>;
}

/// The transform that changes nothing: every byte passes through undecoded.
#[derive(Debug, Clone, Copy, Default)]
pub struct PassThrough;

impl RowTransform for PassThrough {
    fn columns(&self) -> &[usize] {
        &[]
    }

    fn apply(&self, _fields: &mut [Option<String>]) -> Result<(), TransformError> {
        Ok(())
    }
}

/// Why a transform refused a value. Never holds the value itself (PII); the pipeline adds the
/// table, column and row number.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{transformer}: {reason}")]
pub struct TransformError {
    /// Index into the `fields` passed to [`RowTransform::apply`].
    pub field: usize,
    /// The transformer's name as the profile spells it, e.g. `email`.
    pub transformer: String,
    /// What is wrong, without the value: "not valid JSON", "the template names a NULL column".
    pub reason: String,
}

impl TransformError {
    pub fn new(field: usize, transformer: impl Into<String>, reason: impl Into<String>) -> Self {
        TransformError {
            field,
            transformer: transformer.into(),
            reason: reason.into(),
        }
    }
}

/// What a table copy did.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct TableStats {
    /// Rows loaded into the target.
    pub rows: u64,
    /// Bytes of COPY text sent to the target.
    pub bytes: u64,
    /// Wall-clock time of the copy.
    pub seconds: f64,
}

/// Progress of one table copy, emitted per batch (never per row) to the caller's callback, which
/// knows which table it is copying. Rendering is `report.rs`'s job.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PipelineEvent {
    TableStarted,
    /// A batch went to the target connection: its rows and bytes (not running totals).
    BatchCopied {
        rows: u64,
        bytes: u64,
    },
    TableFinished(TableStats),
}

/// The bounds of a pipeline; the defaults are the named constants above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub batch_rows: usize,
    pub batch_bytes: usize,
    pub batches_in_flight_per_worker: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            batch_rows: BATCH_ROWS,
            batch_bytes: BATCH_BYTES,
            batches_in_flight_per_worker: BATCHES_IN_FLIGHT_PER_WORKER,
        }
    }
}

/// A failed table copy. The target's `COPY FROM` is aborted, so the target table holds none of
/// this run's rows. No variant holds a row value: database messages that may quote one are
/// replaced by their SQLSTATE.
#[derive(Debug, Error, Diagnostic)]
pub enum PipelineError {
    #[error("{table}: {reason}")]
    #[diagnostic(
        code(pgward::sync::invalid_table_plan),
        help(
            "This is a bug in pgward's table plan; please report it with the table's definition."
        )
    )]
    InvalidPlan { table: String, reason: String },

    #[error("{table}: reading from the source failed: {reason}")]
    #[diagnostic(
        code(pgward::sync::copy_source),
        help(
            "Check that the table and columns exist on the source, that the user may read them, and that a `rows.where` condition in the profile is valid SQL."
        )
    )]
    Source { table: String, reason: String },

    #[error("{table}: loading into the target failed{}: {reason}", location(*row, column.as_deref()))]
    #[diagnostic(
        code(pgward::sync::copy_target),
        help(
            "Check that the target table matches the source's (columns, types, constraints). A masked value can break a constraint, e.g. a fake that collides on a unique index."
        )
    )]
    Target {
        table: String,
        reason: String,
        row: Option<u64>,
        column: Option<String>,
    },

    #[error(
        "{table}: row {row}, column \"{column}\": transformer `{transformer}` failed: {reason}"
    )]
    #[diagnostic(
        code(pgward::sync::transform_failed),
        help(
            "Fix the profile's rule for this column, or find the row with a query on the source; pgward does not show values."
        )
    )]
    Transform {
        table: String,
        row: u64,
        column: String,
        transformer: String,
        reason: String,
    },

    #[error("{table}: row {row}{}: the source sent invalid COPY text: {problem}", location(None, column.as_deref()))]
    #[diagnostic(
        code(pgward::sync::malformed_row),
        help(
            "The table plan's columns may not match the source table; re-run to re-read the catalog."
        )
    )]
    MalformedRow {
        table: String,
        row: u64,
        column: Option<String>,
        problem: CopyError,
    },

    #[error("{table}: the source's COPY data ended inside row {row}")]
    #[diagnostic(
        code(pgward::sync::truncated_copy),
        help("The source connection or archive was cut off; re-run the sync.")
    )]
    TruncatedRow { table: String, row: u64 },

    #[error("{table}: sent {sent} rows but the target loaded {loaded}")]
    #[diagnostic(
        code(pgward::sync::row_count_mismatch),
        help("Check for triggers or rules on the target table; the load must run without them.")
    )]
    RowCountMismatch {
        table: String,
        sent: u64,
        loaded: u64,
    },

    #[error(
        "{table}: the transform of rows {first_row}-{last_row} stopped without a result (it panicked)"
    )]
    #[diagnostic(
        code(pgward::sync::transform_panicked),
        help("This is a bug in a transformer; please report it with the profile (not the data).")
    )]
    TransformPanicked {
        table: String,
        first_row: u64,
        last_row: u64,
    },
}

fn location(row: Option<u64>, column: Option<&str>) -> String {
    match (row, column) {
        (Some(row), Some(column)) => format!(" at row {row}, column \"{column}\""),
        (Some(row), None) => format!(" at row {row}"),
        (None, Some(column)) => format!(", column \"{column}\""),
        (None, None) => String::new(),
    }
}

/// Copies one table with the default [`Limits`] on rayon's global pool; see [`Pipeline::copy_table`].
pub async fn copy_table(
    source: &Client,
    target: &Client,
    plan: &TablePlan,
    transform: Arc<dyn RowTransform>,
    events: &(dyn Fn(PipelineEvent) + Sync),
) -> Result<TableStats, PipelineError> {
    Pipeline::default()
        .copy_table(source, target, plan, transform, events)
        .await
}

/// Applies [`SESSION_SETTINGS`] to a connection.
pub async fn prepare_session(client: &Client) -> Result<(), tokio_postgres::Error> {
    client.batch_execute(SESSION_SETTINGS).await
}

/// The bounds and the rayon pool a table copy runs with.
#[derive(Debug, Clone, Default)]
pub struct Pipeline {
    limits: Limits,
    pool: Option<Arc<rayon::ThreadPool>>,
}

impl Pipeline {
    pub fn new() -> Pipeline {
        Pipeline::default()
    }

    pub fn with_limits(mut self, limits: Limits) -> Pipeline {
        self.limits = limits;
        self
    }

    /// Transforms on `pool` instead of rayon's global pool.
    pub fn with_pool(mut self, pool: Arc<rayon::ThreadPool>) -> Pipeline {
        self.pool = Some(pool);
        self
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The capacity of the channel between reader and writer: batches per worker × workers.
    pub fn batches_in_flight(&self) -> usize {
        let workers = match &self.pool {
            Some(pool) => pool.current_num_threads(),
            None => rayon::current_num_threads(),
        };
        self.limits.batches_in_flight_per_worker.max(1) * workers.max(1)
    }

    /// Copies `plan`'s rows from `source` to `target`, transformed by `transform`.
    ///
    /// Call it inside the transactions you want: on `source`, one whose snapshot is set (`SET
    /// TRANSACTION SNAPSHOT`, the sync stage's job); on `target`, one you commit once the table
    /// (or the whole load) is in. Both sessions get [`SESSION_SETTINGS`]. Returns when the
    /// target's `COPY FROM` has completed. On error the target's COPY is aborted; the source
    /// connection may still be draining its COPY, so the caller should drop it rather than reuse it.
    pub async fn copy_table(
        &self,
        source: &Client,
        target: &Client,
        plan: &TablePlan,
        transform: Arc<dyn RowTransform>,
        events: &(dyn Fn(PipelineEvent) + Sync),
    ) -> Result<TableStats, PipelineError> {
        let started = Instant::now();
        self.check(plan, transform.as_ref())?;
        let sink = open_target(target, plan).await?;
        let source_error = |err: tokio_postgres::Error| PipelineError::Source {
            table: plan.display_name(),
            reason: describe_pg(&err),
        };
        prepare_session(source).await.map_err(source_error)?;
        let rows = source
            .copy_out(plan.copy_out_sql().as_str())
            .await
            .map_err(source_error)?;
        self.run(started, rows, sink, plan, transform, events).await
    }

    /// Like [`Pipeline::copy_table`], with the COPY text coming from `rows` rather than a source
    /// connection (a pg_dump archive's data block, a test's counting wrapper). The chunks may cut
    /// rows anywhere. The text must be in [`SESSION_SETTINGS`]'s formats, as pg_dump writes it.
    pub async fn copy_rows<S, E>(
        &self,
        rows: S,
        target: &Client,
        plan: &TablePlan,
        transform: Arc<dyn RowTransform>,
        events: &(dyn Fn(PipelineEvent) + Sync),
    ) -> Result<TableStats, PipelineError>
    where
        S: Stream<Item = Result<Bytes, E>>,
        E: std::error::Error + 'static,
    {
        let started = Instant::now();
        self.check(plan, transform.as_ref())?;
        let sink = open_target(target, plan).await?;
        self.run(started, rows, sink, plan, transform, events).await
    }

    fn check(&self, plan: &TablePlan, transform: &dyn RowTransform) -> Result<(), PipelineError> {
        let invalid = |reason: String| {
            Err(PipelineError::InvalidPlan {
                table: plan.display_name(),
                reason,
            })
        };
        if FieldEditor::new(plan.columns.len(), transform.columns()).is_none() {
            return invalid(format!(
                "the transform's column positions {:?} are not strictly ascending below {}",
                transform.columns(),
                plan.columns.len()
            ));
        }
        Ok(())
    }

    async fn run<S, E>(
        &self,
        started: Instant,
        rows: S,
        sink: CopyInSink<Bytes>,
        plan: &TablePlan,
        transform: Arc<dyn RowTransform>,
        events: &(dyn Fn(PipelineEvent) + Sync),
    ) -> Result<TableStats, PipelineError>
    where
        S: Stream<Item = Result<Bytes, E>>,
        E: std::error::Error + 'static,
    {
        events(PipelineEvent::TableStarted);
        let context = Arc::new(BatchContext {
            table: plan.display_name(),
            columns: plan.columns.clone(),
            transform,
        });
        let (queue, batches) = mpsc::channel(self.batches_in_flight());
        let ((), (rows, bytes)) = tokio::try_join!(
            self.read(rows, queue, &context),
            write(sink, batches, &context, events)
        )?;
        let stats = TableStats {
            rows,
            bytes,
            seconds: started.elapsed().as_secs_f64(),
        };
        events(PipelineEvent::TableFinished(stats));
        Ok(stats)
    }

    /// Cuts the byte stream into batches of whole rows and queues them in order, waiting while
    /// the queue is full: this wait is the backpressure.
    async fn read<S, E>(
        &self,
        rows: S,
        queue: mpsc::Sender<InFlight>,
        context: &Arc<BatchContext>,
    ) -> Result<(), PipelineError>
    where
        S: Stream<Item = Result<Bytes, E>>,
        E: std::error::Error + 'static,
    {
        let mut rows = std::pin::pin!(rows);
        let mut data = Vec::new();
        let mut batch_rows = 0;
        let mut first_row = 1;
        while let Some(chunk) = rows.next().await {
            let chunk = chunk.map_err(|err| PipelineError::Source {
                table: context.table.clone(),
                reason: describe(&err),
            })?;
            data.extend_from_slice(&chunk);
            batch_rows += chunk.iter().filter(|&&b| b == b'\n').count();
            let full =
                batch_rows >= self.limits.batch_rows || data.len() >= self.limits.batch_bytes;
            if !full || batch_rows == 0 {
                continue;
            }
            // Cut after the last complete row; the rest of a row cut by the chunk stays.
            let end = data.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            let mut next = Vec::with_capacity(data.len() + data.len() / 8);
            next.extend_from_slice(&data[end..]);
            data.truncate(end);
            let batch = Batch {
                first_row,
                rows: batch_rows as u64,
                data: std::mem::replace(&mut data, next),
            };
            first_row += batch.rows;
            batch_rows = 0;
            self.queue(batch, &queue, context).await?;
        }
        if data.last().is_some_and(|&b| b != b'\n') {
            return Err(PipelineError::TruncatedRow {
                table: context.table.clone(),
                row: first_row + batch_rows as u64,
            });
        }
        if batch_rows > 0 {
            let batch = Batch {
                first_row,
                rows: batch_rows as u64,
                data,
            };
            self.queue(batch, &queue, context).await?;
        }
        Ok(())
    }

    /// Queues a batch: as it is when nothing needs transforming, else as a pending rayon job.
    async fn queue(
        &self,
        batch: Batch,
        queue: &mpsc::Sender<InFlight>,
        context: &Arc<BatchContext>,
    ) -> Result<(), PipelineError> {
        let item = if context.transform.columns().is_empty() {
            InFlight::Ready(batch)
        } else {
            let (done, result) = oneshot::channel();
            let context = Arc::clone(context);
            let (first_row, last_row) = (batch.first_row, batch.first_row + batch.rows - 1);
            let job = move || {
                let outcome =
                    std::panic::catch_unwind(AssertUnwindSafe(|| transform_batch(&context, batch)))
                        .unwrap_or_else(|_| {
                            Err(PipelineError::TransformPanicked {
                                table: context.table.clone(),
                                first_row,
                                last_row,
                            })
                        });
                // The writer may be gone (the copy failed elsewhere): nothing to tell then.
                let _ = done.send(outcome);
            };
            match &self.pool {
                Some(pool) => pool.spawn(job),
                None => rayon::spawn(job),
            }
            InFlight::Transforming {
                result,
                first_row,
                last_row,
            }
        };
        // The writer drops its end only when it failed, and then its error is the one reported.
        queue.send(item).await.map_err(|_| PipelineError::Target {
            table: context.table.clone(),
            reason: "the target side stopped".into(),
            row: None,
            column: None,
        })
    }
}

/// What every batch of one table shares.
struct BatchContext {
    table: String,
    columns: Vec<String>,
    transform: Arc<dyn RowTransform>,
}

/// Whole rows of COPY text, each ending in `\n`.
struct Batch {
    /// 1-based number of the first row in the table's stream.
    first_row: u64,
    rows: u64,
    data: Vec<u8>,
}

enum InFlight {
    Ready(Batch),
    Transforming {
        result: oneshot::Receiver<Result<Batch, PipelineError>>,
        first_row: u64,
        last_row: u64,
    },
}

fn transform_batch(context: &BatchContext, batch: Batch) -> Result<Batch, PipelineError> {
    let needed = context.transform.columns();
    let Some(mut editor) = FieldEditor::new(context.columns.len(), needed) else {
        // Checked before the copy started; kept as an error rather than a panic.
        return Err(PipelineError::InvalidPlan {
            table: context.table.clone(),
            reason: "the transform's column positions changed during the copy".into(),
        });
    };
    let mut out = Vec::with_capacity(batch.data.len() + batch.data.len() / 8);
    let mut start = 0;
    let lines = memchr::memchr_iter(b'\n', &batch.data)
        .chain(std::iter::once(batch.data.len()))
        .map(|end| {
            let line = &batch.data[start..end];
            start = end + 1;
            line
        })
        .take(batch.rows as usize);
    for (row, line) in (batch.first_row..).zip(lines) {
        let edited = editor.edit(line, &mut out, |fields| context.transform.apply(fields));
        edited.map_err(|err| match err {
            EditError::Copy(problem) => {
                let column = match problem {
                    CopyError::FieldCount { .. } => None,
                    CopyError::InvalidUtf8 { field } | CopyError::DanglingBackslash { field } => {
                        context.columns.get(field).cloned()
                    }
                };
                PipelineError::MalformedRow {
                    table: context.table.clone(),
                    row,
                    column,
                    problem,
                }
            }
            EditError::Edit(err) => PipelineError::Transform {
                table: context.table.clone(),
                row,
                column: needed
                    .get(err.field)
                    .and_then(|&c| context.columns.get(c))
                    .cloned()
                    .unwrap_or_else(|| format!("(transform field {})", err.field)),
                transformer: err.transformer,
                reason: err.reason,
            },
        })?;
    }
    Ok(Batch { data: out, ..batch })
}

async fn open_target(
    target: &Client,
    plan: &TablePlan,
) -> Result<CopyInSink<Bytes>, PipelineError> {
    let target_error =
        |err: tokio_postgres::Error| target_error(&err, plan.display_name(), &plan.columns);
    prepare_session(target).await.map_err(target_error)?;
    target
        .copy_in(plan.copy_in_sql().as_str())
        .await
        .map_err(target_error)
}

/// Feeds batches to the target in queue order, then completes the COPY. `feed` hands each batch to
/// the connection without flushing per item (field-notes.md: `send` cost 4x the CPU).
async fn write(
    sink: CopyInSink<Bytes>,
    mut batches: mpsc::Receiver<InFlight>,
    context: &BatchContext,
    events: &(dyn Fn(PipelineEvent) + Sync),
) -> Result<(u64, u64), PipelineError> {
    let mut sink = std::pin::pin!(sink);
    let target_failed =
        |err: tokio_postgres::Error| target_error(&err, context.table.clone(), &context.columns);
    let (mut rows, mut bytes) = (0, 0);
    while let Some(item) = batches.recv().await {
        let batch = match item {
            InFlight::Ready(batch) => batch,
            InFlight::Transforming {
                result,
                first_row,
                last_row,
            } => result
                .await
                .map_err(|_| PipelineError::TransformPanicked {
                    table: context.table.clone(),
                    first_row,
                    last_row,
                })??,
        };
        let batch_bytes = batch.data.len() as u64;
        sink.as_mut()
            .feed(Bytes::from(batch.data))
            .await
            .map_err(target_failed)?;
        rows += batch.rows;
        bytes += batch_bytes;
        events(PipelineEvent::BatchCopied {
            rows: batch.rows,
            bytes: batch_bytes,
        });
    }
    let loaded = sink.as_mut().finish().await.map_err(target_failed)?;
    if loaded != rows {
        return Err(PipelineError::RowCountMismatch {
            table: context.table.clone(),
            sent: rows,
            loaded,
        });
    }
    Ok((rows, bytes))
}

fn target_error(err: &tokio_postgres::Error, table: String, columns: &[String]) -> PipelineError {
    let (row, column) = err
        .as_db_error()
        .and_then(|db| db.where_())
        .map_or((None, None), |context| copy_position(context, columns));
    PipelineError::Target {
        table,
        reason: describe_pg(err),
        row,
        column,
    }
}

/// Row and column from a `COPY FROM` error context, `COPY t, line 5, column email: "<value>"`,
/// keeping only the line number and a column name the plan knows, never the quoted value.
fn copy_position(context: &str, columns: &[String]) -> (Option<u64>, Option<String>) {
    if !context.starts_with("COPY ") {
        return (None, None);
    }
    let row = context.find(", line ").and_then(|at| {
        let digits: String = context[at + 7..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    });
    let column = columns
        .iter()
        .filter(|name| {
            context.contains(&format!(", column {name}:"))
                || context.ends_with(&format!(", column {name}"))
        })
        .max_by_key(|name| name.len())
        .cloned();
    (row, column)
}

fn describe(err: &(dyn std::error::Error + 'static)) -> String {
    match err.downcast_ref::<tokio_postgres::Error>() {
        Some(err) => describe_pg(err),
        None => err.to_string(),
    }
}

/// A database error without row values. Messages of the SQLSTATE classes that are about SQL,
/// objects, connections or resources name objects, not data, and are kept; the others (data
/// exceptions, constraint violations, ...) can quote a value (`invalid input syntax for type
/// integer: "..."`, a unique violation's detail), so only their code and the constraint name stay.
fn describe_pg(err: &tokio_postgres::Error) -> String {
    let Some(db) = err.as_db_error() else {
        return err.to_string();
    };
    let code = db.code().code();
    const SAFE_CLASSES: &[&str] = &[
        "08", "0A", "25", "28", "3D", "3F", "42", "53", "54", "55", "57", "58",
    ];
    if SAFE_CLASSES.contains(&code.get(..2).unwrap_or_default()) {
        return format!("{} (SQLSTATE {code})", db.message());
    }
    let mut reason = format!("the server rejected the data (SQLSTATE {code}");
    if let Some(constraint) = db.constraint() {
        reason.push_str(&format!(", constraint {}", quote_ident(constraint)));
    }
    reason.push_str("; its message is not shown as it may quote a row value)");
    reason
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_quotes_every_identifier() {
        let plan = TablePlan::new("public", "Mixed Case", ["id", "Full Name", "a\"b"]);
        assert_eq!(
            plan.copy_out_sql(),
            r#"COPY "public"."Mixed Case" ("id", "Full Name", "a""b") TO STDOUT"#
        );
        assert_eq!(
            plan.copy_in_sql(),
            r#"COPY "public"."Mixed Case" ("id", "Full Name", "a""b") FROM STDIN"#
        );
        let filtered = plan.with_filter("id > 5 -- recent only");
        assert_eq!(
            filtered.copy_out_sql(),
            "COPY (SELECT \"id\", \"Full Name\", \"a\"\"b\" FROM ONLY \"public\".\"Mixed Case\" \
             WHERE (\nid > 5 -- recent only\n)) TO STDOUT"
        );
    }

    #[test]
    fn tables_without_stored_columns_copy_without_a_column_list() {
        let plan = TablePlan::new("public", "marker", Vec::<String>::new());
        assert_eq!(plan.copy_out_sql(), r#"COPY "public"."marker" TO STDOUT"#);
        assert_eq!(plan.copy_in_sql(), r#"COPY "public"."marker" FROM STDIN"#);
        assert_eq!(
            plan.with_filter("true").copy_out_sql(),
            "COPY (SELECT  FROM ONLY \"public\".\"marker\" WHERE (\ntrue\n)) TO STDOUT"
        );
    }

    #[test]
    fn display_names_quote_only_when_needed() {
        assert_eq!(
            TablePlan::new("public", "users", ["id"]).display_name(),
            "public.users"
        );
        assert_eq!(
            TablePlan::new("App", "Mixed Case", ["id"]).display_name(),
            r#""App"."Mixed Case""#
        );
    }

    #[test]
    fn copy_context_gives_row_and_known_column_only() {
        let columns = vec![
            "email".to_string(),
            "Full Name".to_string(),
            "name".to_string(),
        ];
        assert_eq!(
            copy_position(
                r#"COPY t, line 17, column Full Name: "secret value""#,
                &columns
            ),
            (Some(17), Some("Full Name".into()))
        );
        assert_eq!(
            copy_position("COPY t, line 3, column email: null input", &columns),
            (Some(3), Some("email".into()))
        );
        assert_eq!(
            copy_position(r#"COPY t, line 4: "a	b""#, &columns),
            (Some(4), None)
        );
        assert_eq!(copy_position("SQL function", &columns), (None, None));
    }

    #[test]
    fn error_messages_point_at_row_and_column() {
        let err = PipelineError::Target {
            table: "public.t".into(),
            reason: "r".into(),
            row: Some(5),
            column: Some("email".into()),
        };
        assert_eq!(
            err.to_string(),
            "public.t: loading into the target failed at row 5, column \"email\": r"
        );
        let err = PipelineError::Transform {
            table: "public.t".into(),
            row: 9,
            column: "email".into(),
            transformer: "email".into(),
            reason: "not an email".into(),
        };
        assert_eq!(
            err.to_string(),
            "public.t: row 9, column \"email\": transformer `email` failed: not an email"
        );
    }

    struct Upper(Vec<usize>);

    impl RowTransform for Upper {
        fn columns(&self) -> &[usize] {
            &self.0
        }

        fn apply(&self, fields: &mut [Option<String>]) -> Result<(), TransformError> {
            for field in fields.iter_mut().flatten() {
                if field == "s3cr3t" {
                    return Err(TransformError::new(0, "upper", "refused"));
                }
                *field = field.to_uppercase();
            }
            Ok(())
        }
    }

    fn context(transform: impl RowTransform + 'static) -> BatchContext {
        BatchContext {
            table: "public.t".into(),
            columns: vec!["id".into(), "name".into(), "note".into()],
            transform: Arc::new(transform),
        }
    }

    /// Runs the reader over `chunks` with room for every batch, returning what it queued.
    async fn read_chunks(
        chunks: Vec<Result<Bytes, std::io::Error>>,
        batch_rows: usize,
        batch_bytes: usize,
    ) -> (Vec<Batch>, Result<(), PipelineError>) {
        let pipeline = Pipeline::new().with_limits(Limits {
            batch_rows,
            batch_bytes,
            batches_in_flight_per_worker: 1,
        });
        let (queue, mut batches) = mpsc::channel(10_000);
        let outcome = pipeline
            .read(
                futures_util::stream::iter(chunks),
                queue,
                &Arc::new(context(PassThrough)),
            )
            .await;
        let mut out = Vec::new();
        while let Ok(item) = batches.try_recv() {
            match item {
                InFlight::Ready(batch) => out.push(batch),
                InFlight::Transforming { .. } => panic!("nothing to transform"),
            }
        }
        (out, outcome)
    }

    /// Rows of three fields with escapes and multi-byte text, as COPY writes them.
    fn sample_rows(count: usize) -> Vec<u8> {
        let mut text = Vec::new();
        for i in 0..count {
            let row = [
                Some(i.to_string()),
                (i % 3 != 0).then(|| format!("name\t{i}\n żółw")),
                Some("tab\there 🐢".repeat(i % 4)),
            ];
            super::super::copy::encode_row(&row, &mut text);
        }
        text
    }

    #[tokio::test]
    async fn the_reader_keeps_rows_whole_wherever_chunks_cut_them() {
        let text = sample_rows(500);
        for chunk_len in [1, 2, 3, 7, 64, 1000, text.len()] {
            let chunks = text
                .chunks(chunk_len)
                .map(|c| Ok(Bytes::copy_from_slice(c)))
                .collect();
            let (batches, outcome) = read_chunks(chunks, 16, 1 << 20).await;
            outcome.unwrap();
            let mut joined = Vec::new();
            let mut next_row = 1;
            for batch in &batches {
                assert_eq!(batch.first_row, next_row, "chunks of {chunk_len}");
                assert_eq!(batch.data.last(), Some(&b'\n'));
                let newlines = batch.data.iter().filter(|&&b| b == b'\n').count() as u64;
                assert_eq!(batch.rows, newlines);
                next_row += batch.rows;
                joined.extend_from_slice(&batch.data);
            }
            assert_eq!(joined, text, "chunks of {chunk_len}");
            assert_eq!(next_row, 501);
            if chunk_len <= 3 {
                // Chunks shorter than any row (6 bytes at least): every batch but the last is full.
                assert!(batches.iter().rev().skip(1).all(|b| b.rows == 16));
            }
        }
    }

    #[tokio::test]
    async fn the_reader_cuts_on_bytes_too() {
        let text = sample_rows(100);
        let chunks = text
            .split_inclusive(|&b| b == b'\n')
            .map(|row| Ok(Bytes::copy_from_slice(row)))
            .collect();
        let (batches, outcome) = read_chunks(chunks, 4096, 200).await;
        outcome.unwrap();
        assert!(batches.len() > 5);
        assert!(batches.iter().all(|b| b.data.len() < 200 + 100));
        assert_eq!(batches.iter().map(|b| b.rows).sum::<u64>(), 100);
    }

    #[tokio::test]
    async fn the_reader_reports_a_stream_cut_inside_a_row() {
        let chunks = vec![Ok(Bytes::from_static(b"1\ta\tb\n2\tsecr"))];
        let (_, outcome) = read_chunks(chunks, 16, 1 << 20).await;
        let err = outcome.unwrap_err();
        assert!(
            matches!(err, PipelineError::TruncatedRow { row: 2, .. }),
            "{err:?}"
        );
        assert!(!err.to_string().contains("secr"));

        let chunks = vec![
            Ok(Bytes::from_static(b"1\ta\tb\n")),
            Err(std::io::Error::other("archive block is corrupt")),
        ];
        let (_, outcome) = read_chunks(chunks, 16, 1 << 20).await;
        let err = outcome.unwrap_err();
        assert_eq!(
            err.to_string(),
            "public.t: reading from the source failed: archive block is corrupt"
        );
    }

    #[test]
    fn batches_transform_only_the_needed_columns() {
        let batch = Batch {
            first_row: 1,
            rows: 2,
            data: b"1\tann\ta\\tb\n2\t\\N\tzed\n".to_vec(),
        };
        let out = transform_batch(&context(Upper(vec![1])), batch).unwrap();
        assert_eq!(out.data, b"1\tANN\ta\\tb\n2\t\\N\tzed\n");
        assert_eq!((out.first_row, out.rows), (1, 2));
    }

    #[test]
    fn batch_errors_name_row_and_column_not_value() {
        let batch = Batch {
            first_row: 4097,
            rows: 2,
            data: b"1\tann\tx\n2\ts3cr3t\tx\n".to_vec(),
        };
        let Err(err) = transform_batch(&context(Upper(vec![1])), batch) else {
            panic!("the transform should fail");
        };
        let message = err.to_string();
        assert!(message.contains("row 4098"), "{message}");
        assert!(message.contains("\"name\""), "{message}");
        assert!(!message.contains("s3cr3t"), "{message}");

        let batch = Batch {
            first_row: 1,
            rows: 1,
            data: b"1\tsecret\n".to_vec(),
        };
        let Err(err) = transform_batch(&context(Upper(vec![1])), batch) else {
            panic!("a short row should fail");
        };
        assert!(matches!(err, PipelineError::MalformedRow { row: 1, .. }));
        assert!(!err.to_string().contains("secret"));
    }

    struct Panics;

    impl RowTransform for Panics {
        fn columns(&self) -> &[usize] {
            &[2]
        }

        fn apply(&self, _fields: &mut [Option<String>]) -> Result<(), TransformError> {
            panic!("a transformer bug");
        }
    }

    #[tokio::test]
    async fn a_panicking_transform_becomes_an_error() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let pipeline = Pipeline::new().with_pool(Arc::new(pool));
        let (queue, mut batches) = mpsc::channel(1);
        let batch = Batch {
            first_row: 8193,
            rows: 2,
            data: b"1\ta\tb\n2\tc\td\n".to_vec(),
        };
        pipeline
            .queue(batch, &queue, &Arc::new(context(Panics)))
            .await
            .unwrap();
        let Some(InFlight::Transforming { result, .. }) = batches.recv().await else {
            panic!("a transform should be pending");
        };
        let Err(err) = result.await.unwrap() else {
            panic!("the transform should fail");
        };
        assert!(
            matches!(
                err,
                PipelineError::TransformPanicked {
                    first_row: 8193,
                    last_row: 8194,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn copy_table_future_is_send() {
        fn assert_send<T: Send>(_: &T) {}
        #[allow(dead_code)]
        async fn check(source: &Client, target: &Client, plan: &TablePlan) {
            let future = copy_table(source, target, plan, Arc::new(PassThrough), &|_| {});
            assert_send(&future);
            let _ = future.await;
        }
    }
}
