//! pgward keeps PostgreSQL schema changes and staging data safe.
//!
//! - [`lint`]: migration SQL in, lock/rewrite/breakage diagnostics out.
//! - [`anonymize`]: anonymization profiles and the transformer catalogue.
//! - [`sync`]: the data path of the staging refresh (COPY codec, streaming table pipeline); the
//!   `pgward sync` command that drives it is not wired up yet.
//! - [`pg`]: throwaway PostgreSQL clusters for tests (and later `pgward demo`).
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
