//! Test helpers: `spawn_app` on a random port with a fresh database of either backend,
//! seeded organizations, signed-in clients, and the browser driver.

#![allow(dead_code)]

pub mod app;
pub mod browser;
pub mod oidc;
pub mod org;
pub mod roles;
pub mod smtp;
pub mod statements;

pub use app::spawn_app;
pub use store::Backend;

/// Runs an async test body once per backend: `<name>::sqlite` and `<name>::postgres`.
/// Without PostgreSQL the second is skipped with a printed reason, except under `CI=true`,
/// where it fails.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident, |$app:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app = $crate::support::spawn_app($crate::support::Backend::Sqlite)
                    .await
                    .expect("SQLite is always available");
                $body.await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($app) = $crate::support::spawn_app($crate::support::Backend::Postgres).await else { return };
                $body.await;
            }
        }
    };
}
