//! pgward keeps PostgreSQL schema changes and staging data safe.
//!
//! - [`lint`]: migration SQL in (framework layouts, `--since`), lock/rewrite/breakage diagnostics
//!   out (pretty, JSON, GitHub, SARIF, GitLab, JUnit).
//! - [`anonymize`]: anonymization profiles, the transformer catalogue, the PII detector, coverage
//!   and the profile scaffold.
//! - [`sync`]: the staging refresh, stage by stage, from a live source or a pg_dump archive.
//! - [`archive`]: the pg_dump archive reader (custom, directory, plain).
//! - [`pg`]: connections, catalog queries and sampling, client tools, throwaway clusters.
//! - [`demo`]: `pgward demo`.
//!
//! The binary (`src/main.rs`) is a thin shell over [`cli`] and [`commands`].

pub mod anonymize;
pub mod archive;
pub mod cli;
pub mod commands;
pub mod config;
pub mod demo;
pub mod lint;
pub mod pg;
pub mod sync;
