//! Roster's domain: the rules of user management as plain Rust types, with no I/O.
//!
//! Every value here is valid once built ("parse, don't validate"): an [`user::Email`]
//! always holds a well-formed address, a [`user::UserStatus`] changes only through its
//! transition methods, and an [`role::AdminRole`] answers permission and scope questions
//! without touching a database.

pub mod account;
pub mod api_token;
pub mod audit;
pub mod authority;
pub mod bot;
pub mod bulk;
pub mod closed;
pub mod error;
pub mod group;
pub mod ids;
pub mod mail;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod password;
pub mod permission;
pub mod profile;
pub mod role;
pub mod scim;
pub mod security;
pub mod sso;
pub mod text;
pub mod user;

pub use error::DomainError;
