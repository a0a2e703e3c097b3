//! Roster's integration tests: one binary, each test with its own server, port and
//! database, run on SQLite and PostgreSQL.

mod support;

mod admin_roles;
mod audit_log;
mod auth;
mod bad_input;
mod bulk;
mod console;
mod console_invite;
mod console_sessions;
mod deletion;
mod demo;
mod groups;
mod import;
mod invitations;
mod lifecycle;
mod list_bulk_pages;
mod lockout;
mod mail;
mod ops;
mod password_reset;
mod profile_edit;
mod scope;
mod security_settings;
mod sessions;
mod setup;
mod user_actions_pages;
mod users_list;
