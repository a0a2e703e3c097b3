//! SCIM 2.0 provisioning's storage: users and groups as SCIM reads and writes them, and
//! SCIM filters translated to SQL (both backends).

mod filter;
pub mod groups;
pub mod users;

/// The settings key of the SCIM settings document (`app::scim::settings`).
pub const SETTINGS_KEY: &str = "scim";
