//! The store's conformance suite: every test body runs twice, as `<test>::sqlite` on a fresh
//! SQLite file and as `<test>::postgres` on a fresh PostgreSQL database (see [`harness`]).
//!
//! PostgreSQL comes from `ROSTER_TEST_PG_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`); when it is unreachable the PostgreSQL
//! half is skipped with a message, or fails when `CI=true`.

#[macro_use]
#[path = "conformance/harness.rs"]
mod harness;

#[path = "conformance/fixtures.rs"]
mod fixtures;

#[path = "conformance/accounts.rs"]
mod accounts;
#[path = "conformance/api_tokens.rs"]
mod api_tokens;
#[path = "conformance/bots.rs"]
mod bots;
#[path = "conformance/bulk_load.rs"]
mod bulk_load;
#[path = "conformance/concurrency.rs"]
mod concurrency;
#[path = "conformance/constraints.rs"]
mod constraints;
#[path = "conformance/deleted.rs"]
mod deleted;
#[path = "conformance/email_keys.rs"]
mod email_keys;
#[path = "conformance/filters.rs"]
mod filters;
#[path = "conformance/list.rs"]
mod list;
#[path = "conformance/lookups.rs"]
mod lookups;
#[path = "conformance/migrations.rs"]
mod migrations;
#[path = "conformance/outbox.rs"]
mod outbox;
#[path = "conformance/plans.rs"]
mod plans;
#[path = "conformance/search.rs"]
mod search;
#[path = "conformance/seed.rs"]
mod seed;
#[path = "conformance/sessions.rs"]
mod sessions;
#[path = "conformance/tokens.rs"]
mod tokens;
#[path = "conformance/users.rs"]
mod users;
