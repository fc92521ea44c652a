//! End-to-end tests of `pgward sync` on a real PostgreSQL (the throwaway cluster of
//! `tests/support`, or `PGWARD_TEST_DATABASE_URL`), written against /work/wt/SYNC-CONTRACT.md and
//! issue 3's "Done when":
//!
//! - `fixtures`: the fixtures load and the profiles parse (no pgward run);
//! - `hard_cases`: fixtures/sync/hard_cases.sql synced with hard_cases.toml: dry run, three runs
//!   (same salt twice, another salt with `--drop-old`), row counts, schema, PII scan, masking
//!   consistency, triggers, sequences, matview, rows policies, the run report, the swap;
//! - `refusals`: every pre-flight refusal exits 1 and writes nothing; bad profiles exit 2;
//! - `pagila`: ../shared/datasets/pagila-schema.sql filled by fixtures/sync/pagila-data.sql syncs;
//! - `killed`: a sync killed mid-COPY leaves the previous staging intact and the next run works;
//! - `large_objects`: the profile's `large_objects` key refuses, drops or keeps them.
//!
//! Run: `cargo test --test sync`.

#[path = "../support/mod.rs"]
mod support;

mod fixtures;
mod hard_cases;
mod harness;
mod killed;
mod large_objects;
mod pagila;
mod refusals;
