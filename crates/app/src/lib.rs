//! Roster's use cases. Each public function is one thing a person or script asks for:
//! it takes an [`authz`] capability where it needs one, validates input into domain types,
//! and calls the store (one transaction per change).

pub mod accounts;
pub mod api_tokens;
pub mod audit;
pub mod audit_people;
pub mod auth;
pub mod authz;
pub mod bootstrap;
pub mod bots;
pub mod bulk;
pub mod clock;
mod ctx;
pub mod deletion;
pub mod demo;
pub mod device;
mod error;
pub mod export;
pub mod groups;
pub mod invitations;
pub mod lifecycle;
pub mod lockout;
pub mod mail;
pub mod metrics;
pub mod my_profile;
mod params;
pub mod password_reset;
pub mod picture;
mod problems;
pub mod profile;
pub mod profile_values;
pub mod roles;
pub mod scim;
pub mod sessions;
pub mod settings;
pub mod sso;
pub mod tokens;
pub mod user_settings;
pub mod users;

pub use ctx::{AppCtx, AuthSettings};
pub use error::{AppError, What};
pub use problems::{Input, Problems};
pub use store::{Backend, Db};
