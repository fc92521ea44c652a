//! pgward keeps PostgreSQL schema changes and staging data safe.
//!
//! - [`lint`]: migration SQL in, lock/rewrite/breakage diagnostics out.
//! - `sync` (to come): the anonymizing weekly staging refresh.
//!
//! The binary (`src/main.rs`) is a thin shell over [`cli`] and [`commands`].

pub mod anonymize;
pub mod cli;
pub mod commands;
pub mod config;
pub mod lint;
pub mod pg;
pub mod sync;
