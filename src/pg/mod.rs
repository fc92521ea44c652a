//! PostgreSQL plumbing shared by the commands and the tests.
//!
//! - [`cluster`]: a throwaway PostgreSQL cluster (`initdb` + `postgres` on a Unix socket in a temp
//!   dir), for `pgward demo` and the integration tests.

pub mod cluster;
