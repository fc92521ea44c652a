//! PostgreSQL plumbing shared by the commands and the tests.
//!
//! - [`connect`]: connection strings, the same server with another database, connection errors;
//! - [`catalog`]: the catalog queries (SQL in `sql/*.sql`): tables, columns, sequences, schema;
//! - [`tools`]: finding `pg_dump`/`pg_restore` of a version that can handle the server;
//! - [`cluster`]: a throwaway PostgreSQL cluster (`initdb` + `postgres` on a Unix socket in a temp
//!   dir), for `pgward demo` and the integration tests.

pub mod catalog;
pub mod cluster;
pub mod connect;
pub mod sample;
pub mod tools;
