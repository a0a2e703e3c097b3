//! Roster's persistence on SQLite and PostgreSQL.
//!
//! [`Db`] wraps one pool of either kind; every statement is written once, as a backend-neutral
//! `Sql`, and runs on the pool or inside a write transaction (`sql` module); steps reused
//! inside transactions are plain functions taking `&mut Tx`. Dialect differences live in
//! [`dialect`] and nowhere else.
//! Ids are UUIDs; times are `i64` microseconds since the Unix epoch on both backends (one
//! representation that sorts, compares and round-trips identically everywhere).

pub mod accounts;
pub mod api_tokens;
pub mod audit;
pub mod audit_people;
pub mod backup;
pub mod bots;
mod db;
pub mod deletion;
pub mod dialect;
pub mod email_keys;
mod error;
pub mod groups;
pub mod invitations;
pub mod lockout;
pub mod lookups;
pub mod name_keys;
pub mod outbox;
pub mod password_reset;
pub mod pictures;
pub mod profile;
pub mod roles;
pub mod scim;
pub mod seed;
pub mod session_tallies;
pub mod sessions;
pub mod settings;
mod sql;
pub mod sso;
pub mod targets;
pub mod tokens;
pub mod users;
pub mod workspaces;

pub use db::{Backend, Db, PoolStats};
pub use error::StoreError;

/// Microseconds since the Unix epoch: the one time format of the schema.
pub type Micros = i64;
