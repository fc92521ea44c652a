//! What a sync tells its user: progress while it runs (bars on a terminal, log lines otherwise),
//! the summary table at the end, and the JSON run report (`--report`). Table names, counts, sizes
//! and timings only: never a value.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use super::pipeline::TableStats;

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Display {
    /// One bar per table being copied (a terminal).
    Bars,
    /// A line per stage and per finished table, and one every [`LOG_INTERVAL`] for long tables.
    Log,
    /// Nothing but errors and the summary.
    Quiet,
}

/// How often a long table copy logs its progress in [`Display::Log`].
pub const LOG_INTERVAL: Duration = Duration::from_secs(10);

/// Progress of a run, shared by the copy workers (all methods take `&self`).
pub struct Progress {
    display: Display,
    started: Instant,
    multi: MultiProgress,
    tables: Mutex<HashMap<String, TableProgress>>,
}

struct TableProgress {
    bar: Option<ProgressBar>,
    rows: u64,
    bytes: u64,
    started: Instant,
    last_log: Instant,
}

impl Progress {
    pub fn new(display: Display) -> Progress {
        let multi = MultiProgress::with_draw_target(match display {
            Display::Bars => ProgressDrawTarget::stderr(),
            _ => ProgressDrawTarget::hidden(),
        });
        Progress {
            display,
            started: Instant::now(),
            multi,
            tables: Mutex::new(HashMap::new()),
        }
    }

    /// A line for the user (stage starts, notes), above the bars.
    pub fn line(&self, text: &str) {
        match self.display {
            Display::Quiet => {}
            Display::Bars => {
                let _ = self.multi.println(text);
            }
            Display::Log => eprintln!("[{:>7.1}s] {text}", self.started.elapsed().as_secs_f64()),
        }
    }

    pub fn table_started(&self, table: &str, est_rows: Option<u64>) {
        let bar = (self.display == Display::Bars).then(|| {
            let bar = self
                .multi
                .add(ProgressBar::new(est_rows.unwrap_or(0).max(1)));
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix:>30.bold} {bar:25} {human_pos:>11} rows {msg} {per_sec:>12}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.set_prefix(truncate(table, 30));
            bar
        });
        let now = Instant::now();
        self.tables
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(
                table.to_owned(),
                TableProgress {
                    bar,
                    rows: 0,
                    bytes: 0,
                    started: now,
                    last_log: now,
                },
            );
    }

    pub fn batch(&self, table: &str, rows: u64, bytes: u64) {
        let mut tables = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        let Some(t) = tables.get_mut(table) else {
            return;
        };
        t.rows += rows;
        t.bytes += bytes;
        if let Some(bar) = &t.bar {
            if t.rows > bar.length().unwrap_or(0) {
                bar.set_length(t.rows);
            }
            bar.set_position(t.rows);
            bar.set_message(human_bytes(t.bytes));
        } else if self.display == Display::Log && t.last_log.elapsed() >= LOG_INTERVAL {
            t.last_log = Instant::now();
            let secs = t.started.elapsed().as_secs_f64().max(0.001);
            self.line(&format!(
                "  {table}: {} rows, {} so far ({:.0} rows/s)",
                t.rows,
                human_bytes(t.bytes),
                t.rows as f64 / secs
            ));
        }
    }

    pub fn table_finished(&self, table: &str, stats: &TableStats) {
        let entry = self
            .tables
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(table);
        if let Some(bar) = entry.and_then(|t| t.bar) {
            bar.finish_and_clear();
            self.multi.remove(&bar);
        }
        self.line(&format!(
            "  {table}: {} rows, {} in {:.1}s",
            stats.rows,
            human_bytes(stats.bytes),
            stats.seconds
        ));
    }

    /// Removes the bars of tables that did not finish (a failed run).
    pub fn clear(&self) {
        for (_, t) in self
            .tables
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain()
        {
            if let Some(bar) = t.bar {
                bar.finish_and_clear();
            }
        }
        let _ = self.multi.clear();
    }
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let tail: String = text
        .chars()
        .rev()
        .take(width - 1)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("…{tail}")
}

/// `12.3 MB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// The JSON run report (`--report FILE`); its shape is a contract for schedulers and dashboards.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub pgward_version: &'static str,
    /// `synced` or `dry_run`.
    pub status: &'static str,
    pub source: SourceReport,
    pub target: TargetReport,
    pub profile: String,
    pub salt_fingerprint: String,
    pub jobs: usize,
    pub started_at: String,
    pub seconds: f64,
    pub stages: Vec<StageReport>,
    pub tables: Vec<TableReport>,
    pub totals: Totals,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceReport {
    pub database: String,
    pub system_identifier: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TargetReport {
    pub database: String,
    /// Where the previous staging went (`<name>__pgward_old`); `null` on a first run, with
    /// `--drop-old`, or in a dry run.
    pub previous: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StageReport {
    pub name: &'static str,
    pub seconds: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableReport {
    pub table: String,
    pub rows: u64,
    pub bytes: u64,
    pub seconds: f64,
    /// `all`, `none` or `where`.
    pub rows_policy: &'static str,
    /// Masked column -> transformer.
    pub transformers: std::collections::BTreeMap<String, &'static str>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    pub tables: usize,
    pub rows: u64,
    pub bytes: u64,
}

impl RunReport {
    /// The table printed at the end of a run.
    pub fn summary(&self) -> String {
        let mut out = self.table_lines(["rows", "bytes", "seconds"], |t| {
            let rows = match t.rows_policy {
                "none" => "schema only".to_owned(),
                _ => t.rows.to_string(),
            };
            [rows, human_bytes(t.bytes), format!("{:.1}", t.seconds)]
        });
        let stages: Vec<String> = self
            .stages
            .iter()
            .map(|s| format!("{} {:.1}s", s.name, s.seconds))
            .collect();
        let _ = writeln!(
            out,
            "\n{} tables, {} rows, {} in {:.1}s ({})",
            self.totals.tables,
            self.totals.rows,
            human_bytes(self.totals.bytes),
            self.seconds,
            stages.join(", ")
        );
        out
    }

    /// What a dry run prints: every table with its estimated rows, size, rows policy and the
    /// transformer of each masked column.
    pub fn plan(&self) -> String {
        let mut out = format!(
            "Plan: copy \"{}\" into \"{}\" (loaded into \"{}__pgward_new\", then swapped in), {} tables, {} jobs\n\n",
            self.source.database,
            self.target.database,
            self.target.database,
            self.tables.len(),
            self.jobs
        );
        out.push_str(&self.table_lines(["rows (est.)", "size", "rows"], |t| {
            [
                t.rows.to_string(),
                human_bytes(t.bytes),
                t.rows_policy.to_owned(),
            ]
        }));
        let _ = writeln!(out, "\nDry run: nothing was written.");
        out
    }

    /// One line per table: its name, three figures, and its masked columns.
    fn table_lines(
        &self,
        headers: [&str; 3],
        figures: impl Fn(&TableReport) -> [String; 3],
    ) -> String {
        let width = self
            .tables
            .iter()
            .map(|t| t.table.chars().count())
            .max()
            .unwrap_or(5)
            .max(5);
        let mut out = String::new();
        let [a, b, c] = headers;
        let _ = writeln!(
            out,
            "{:<width$}  {a:>12}  {b:>10}  {c:>11}  masked columns",
            "table"
        );
        for t in &self.tables {
            let masked: Vec<String> = t
                .transformers
                .iter()
                .map(|(c, k)| format!("{c}={k}"))
                .collect();
            let [a, b, c] = figures(t);
            let masked = if masked.is_empty() {
                "-".to_owned()
            } else {
                masked.join(", ")
            };
            let _ = writeln!(
                out,
                "{:<width$}  {a:>12}  {b:>10}  {c:>11}  {masked}",
                t.table
            );
        }
        out
    }
}

/// `2026-11-22T10:00:00Z` for a time (UTC, seconds).
pub fn rfc3339(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_times_and_sizes() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(1_795_336_200)),
            "2026-11-22T08:30:00Z"
        );
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00Z"
        );
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1_234_567), "1.2 MB");
    }

    #[test]
    fn truncates_long_names_from_the_left() {
        assert_eq!(truncate("public.short", 30), "public.short");
        assert_eq!(truncate("abcdef", 4), "…def");
    }
}
