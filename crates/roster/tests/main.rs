//! Roster's integration tests: one binary, each test with its own server, port and
//! database, run on SQLite and PostgreSQL.

mod support;

mod audit_log;
mod auth;
mod bad_input;
mod console;
mod console_sessions;
mod demo;
mod lifecycle;
mod lockout;
mod mail;
mod ops;
mod scope;
mod security_settings;
mod sessions;
mod setup;
mod users_list;
