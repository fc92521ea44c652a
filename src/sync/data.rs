//! The data stage: `--jobs` workers take tables from one queue (largest first) and copy each
//! through the pipeline, all reading the one exported snapshot.
//!
//! Each worker is an OS thread with a current-thread tokio runtime and its own two connections:
//! the source's in a `REPEATABLE READ READ ONLY` transaction whose first statement is `SET
//! TRANSACTION SNAPSHOT`, the new database's in autocommit (each `COPY FROM` is its own
//! transaction; the whole database is dropped if the run fails). Transforms run on rayon's pool,
//! shared by all workers. When a table fails, the worker cancels the other workers' queries so the
//! run stops at once rather than after the largest table.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio_postgres::{CancelToken, Client, NoTls};

use crate::anonymize::RowsPolicy;
use crate::pg::connect::{Endpoint, describe_error, quote_literal};

use super::SyncError;
use super::pipeline::{Pipeline, PipelineEvent, TableStats};
use super::plan::TableJob;
use super::report::Progress;

/// What the data stage needs.
pub struct DataStage<'a> {
    pub source: &'a Endpoint,
    pub target: &'a Endpoint,
    pub snapshot: &'a str,
    pub jobs: usize,
    pub progress: &'a Progress,
}

struct Shared<'a> {
    queue: Mutex<VecDeque<&'a TableJob>>,
    failed: AtomicBool,
    error: Mutex<Option<SyncError>>,
    cancel: Mutex<Vec<CancelToken>>,
    results: Mutex<Vec<(String, TableStats)>>,
}

impl DataStage<'_> {
    /// Copies every table; returns each table's stats (by `schema.name`).
    pub fn run(&self, tables: &[TableJob]) -> Result<Vec<(String, TableStats)>, SyncError> {
        let shared = Shared {
            queue: Mutex::new(tables.iter().collect()),
            failed: AtomicBool::new(false),
            error: Mutex::new(None),
            cancel: Mutex::new(Vec::new()),
            results: Mutex::new(Vec::new()),
        };
        let workers = self.jobs.clamp(1, tables.len().max(1));
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    if let Err(e) = self.worker(&shared) {
                        self.fail(&shared, e);
                    }
                });
            }
        });
        if let Some(e) = shared.error.into_inner().unwrap_or_else(|e| e.into_inner()) {
            return Err(e);
        }
        Ok(shared
            .results
            .into_inner()
            .unwrap_or_else(|e| e.into_inner()))
    }

    /// Records the first error and cancels the other workers' queries.
    fn fail(&self, shared: &Shared, error: SyncError) {
        let first = !shared.failed.swap(true, Ordering::SeqCst);
        if first {
            *shared.error.lock().unwrap_or_else(|e| e.into_inner()) = Some(error);
            let tokens = shared
                .cancel
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            if let Ok(rt) = runtime() {
                rt.block_on(async {
                    for token in tokens {
                        let _ = token.cancel_query(NoTls).await;
                    }
                });
            }
        }
    }

    fn worker(&self, shared: &Shared) -> Result<(), SyncError> {
        let rt = runtime().map_err(|e| SyncError::Internal(format!("tokio runtime: {e}")))?;
        rt.block_on(async {
            let source = self.open_source().await?;
            let target = self.target.connect("target").await?;
            target
                .batch_execute(super::TARGET_SESSION)
                .await
                .map_err(|e| copy_setup_error("target", &e))?;
            {
                let mut cancel = shared.cancel.lock().unwrap_or_else(|e| e.into_inner());
                cancel.push(source.cancel_token());
                cancel.push(target.cancel_token());
            }
            let pipeline = Pipeline::new();
            loop {
                if shared.failed.load(Ordering::SeqCst) {
                    return Ok(());
                }
                let next = shared
                    .queue
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .pop_front();
                let Some(job) = next else {
                    return Ok(());
                };
                let stats = self.copy(&pipeline, &source, &target, job).await?;
                shared
                    .results
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((job.key.clone(), stats));
            }
        })
    }

    async fn open_source(&self) -> Result<Client, SyncError> {
        let source = self.source.connect("source").await?;
        let sql = format!(
            "{}; BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT {}",
            super::SOURCE_SESSION,
            quote_literal(self.snapshot)
        );
        source
            .batch_execute(&sql)
            .await
            .map_err(|e| copy_setup_error("source", &e))?;
        Ok(source)
    }

    async fn copy(
        &self,
        pipeline: &Pipeline,
        source: &Client,
        target: &Client,
        job: &TableJob,
    ) -> Result<TableStats, SyncError> {
        self.progress.table_started(&job.key, job.est_rows);
        if job.rows == RowsPolicy::None {
            let stats = TableStats {
                rows: 0,
                bytes: 0,
                seconds: 0.0,
            };
            self.progress.table_finished(&job.key, &stats);
            return Ok(stats);
        }
        let events = |event: PipelineEvent| match event {
            PipelineEvent::BatchCopied { rows, bytes } => {
                self.progress.batch(&job.key, rows, bytes)
            }
            PipelineEvent::TableStarted | PipelineEvent::TableFinished(_) => {}
        };
        let stats = pipeline
            .copy_table(source, target, &job.plan, job.masking.clone(), &events)
            .await?;
        self.progress.table_finished(&job.key, &stats);
        Ok(stats)
    }
}

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

fn copy_setup_error(side: &'static str, e: &tokio_postgres::Error) -> SyncError {
    SyncError::Database {
        action: format!("prepare a {side} connection for copying"),
        reason: describe_error(e),
    }
}
