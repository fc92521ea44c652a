//! Anonymization: the profile format and the transformer catalogue used by `pgward sync`.
//!
//! Pure Rust, no database. The sync pipeline uses it like this:
//!
//! ```no_run
//! use pgward::anonymize::{NoRow, Profile, Salt, Transformer};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let profile = Profile::load("anonymize.toml".as_ref())?;      // resolves `extends`, validates
//! let salt = Salt::resolve(profile.salt_source())?;              // env var or file
//! for (table, rules) in &profile.tables {                        // "public.Support Tickets"
//!     for (column, rule) in &rules.columns {
//!         let t = Transformer::build(rule, &salt)?;              // Send + Sync, share across rayon
//!         t.fits_type("text")?;                                  // pre-flight: type check
//!         let masked = t.apply(Some("alice@corp.com"), &NoRow)?; // decoded text in, text out
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! Columns not named in a table fall back to `[patterns]` via [`Profile::rule_for`].
//!
//! # Profile format (version 1)
//!
//! ```toml
//! version = 1
//! extends = ["common"]            # shipped names (anonymize-profiles/<name>.toml) or paths
//!                                 # ("./base.toml", relative to this file); later ones and this
//!                                 # file override earlier ones, table by table, column by column
//! protect = ["*prod*"]            # target database names the sync refuses (glob, any case)
//! [salt]
//! env = "PGWARD_SALT"             # or: file = "salt.txt" (relative to this file)
//! [patterns]                      # column-NAME globs -> rule, for columns no table names;
//! "*email*" = "email"             # `*` any run, `?` one char, case-insensitive; first match in
//! "phone" = "phone"               # file order wins, this file's patterns before extended ones
//! [tables."public.user"]          # "schema.table", names as written (spaces, capitals); split
//!                                 # at the first dot, so the schema name cannot contain one
//! columns.email = "email"         # shorthand for { transform = "email" }
//! columns.hashed_password = { transform = "constant", value = "$2b$12$..." }
//! columns.plan = { transform = "keep", reason = "not personal" }
//! rows = "none"                   # or "all" (default) or { where = "created_at > ..." }
//! [after]
//! sql = ["INSERT INTO ..."]       # run on the new database after the data
//! ```
//!
//! Unknown keys, unknown transformers, bad options (unknown option, bad JSON path, bad regex) and
//! a missing salt are errors that point at the profile line.
//!
//! # Determinism
//!
//! Deterministic transformers derive output from `HMAC-SHA256(salt, transformer, value)` (see
//! [`keyed`]): the same value gives the same output in every table, inside JSON and arrays, and
//! in every run with the same salt. NULL stays NULL unless the transformer is `null`/`constant`.
//! `fake`, `rand` and `rand_xoshiro` are pinned; `tests/anonymize.rs` snapshots every
//! transformer's output so an upgrade that changes staging data shows up.
//!
//! # Transformers
//!
//! One file per transformer under `transform/`, listed in [`transform::REGISTRY`] (the doc
//! comment of each file gives output, determinism, uniqueness, options and an example).

pub mod coverage;
pub mod detect;
pub mod keyed;
pub mod profile;
pub mod scaffold;
pub mod transform;

pub use keyed::{Salt, SaltSource};
pub use profile::{
    ColumnPattern, ColumnRule, LargeObjects, Profile, ProfileError, RowsPolicy, TableRules,
};
pub use transform::array::{Element as ArrayElement, encode as encode_array, parse as parse_array};
pub use transform::{BuildError, NoRow, RowLookup, TransformError, Transformer};
