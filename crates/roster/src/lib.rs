//! The `roster` binary's library half: command line, configuration, telemetry and startup,
//! shared by `main.rs` and the integration tests.

mod accounts;
pub mod backup;
pub mod cli;
pub mod config;
pub mod config_reference;
mod demo;
pub mod import;
mod serve;
mod serving_lock;
pub mod startup;
pub mod telemetry;
mod unlock;
