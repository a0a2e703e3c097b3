//! Roster's integration tests: one binary, each test with its own server, port and
//! database, run on SQLite and PostgreSQL.

mod support;

mod auth;
mod bad_input;
mod demo;
mod console;
mod ops;
mod scope;
mod setup;
mod users_list;
