//! The JSON API.

pub mod docs;
pub mod v1;
