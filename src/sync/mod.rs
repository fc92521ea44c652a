//! The anonymizing staging sync (`pgward sync`). For now only its data path:
//!
//! - [`copy`]: the COPY text row codec, decoding only the fields a transform needs;
//! - [`pipeline`]: one table's rows from source to target through a bounded, parallel transform.
//!
//! The stages (preflight, schema, data, post-data, verify, swap) will be listed here as they land.

pub mod copy;
pub mod pipeline;
