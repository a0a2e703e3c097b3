//! Roster's integration tests: one binary, each test with its own server, port and
//! database, run on SQLite and PostgreSQL.

mod support;

mod admin_roles;
mod audit_log;
mod auth;
mod backup;
mod bad_input;
mod bot_pages;
mod bots;
mod bulk;
mod console;
mod console_bots;
mod console_invite;
mod console_sessions;
mod console_user_settings;
mod deleted_users;
mod deletion;
mod demo;
mod groups;
mod hostile_input;
mod import;
mod invitations;
mod lifecycle;
mod list_bulk_pages;
mod lockout;
mod mail;
mod metrics;
mod my_profile;
mod one_mailbox;
mod ops;
mod password_reset;
mod profile_edit;
mod proxies;
mod route_table;
mod scope;
mod security_settings;
mod serving;
mod session_activity;
mod sessions;
mod setup;
mod upgrade;
mod user_actions_pages;
mod user_settings;
mod user_settings_pages;
mod users_list;
