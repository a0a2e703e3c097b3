//! Profile fields and the User Settings that decide which of them users see and edit.

mod fields;
mod settings;

pub use fields::{ProfileField, country_code, postal_code};
pub use settings::{FieldRule, ProfileSettings, SettingsChange};
