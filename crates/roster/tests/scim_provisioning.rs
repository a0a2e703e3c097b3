//! Provisioning 10,000 users through SCIM (issue 16), as an identity provider's first
//! sync does: `POST /Users` for each, eight at a time, then the whole set read back page by
//! page. Ignored by default (2–4 minutes on a shared 2-core machine: 131 s on SQLite, 231 s on PostgreSQL); run with
//! `cargo test -p roster --test main -- --ignored scim_provisioning` (the count can be
//! set with `SCIM_PROVISION_USERS`). It prints the time taken.

use crate::scim::{PROVISIONING, USER, token};
use crate::support::Backend;
use crate::support::app::TestApp;
use crate::support::app::spawn_app_with;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Instant;

/// An initial sync is a burst: the token's rate limit (600 a minute by default) is raised,
/// as the README advises for a first import.
fn unlimited(c: &mut roster::config::Config) {
    c.api_token_rate_per_minute = 1_000_000;
}

async fn provision(app: TestApp, backend: &str) {
    let users: usize = std::env::var("SCIM_PROVISION_USERS").ok().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    app.seed_org().await;
    let root = app.login_admin().await;
    crate::support::oidc::force_sso_on(&app).await;
    let secret = token(&app, &root, PROVISIONING).await;
    let url = app.url("/scim/v2/Users");
    let client = reqwest::Client::new();
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..8 {
        let (client, url, secret) = (client.clone(), url.clone(), secret.clone());
        tasks.spawn(async move {
            for i in (worker..users).step_by(8) {
                let body = json!({
                    "schemas": [USER], "userName": format!("user{i:05}@bulk.example"), "externalId": format!("okta-{i}"),
                    "name": {"givenName": "Bulk", "familyName": format!("User {i}")}, "active": true,
                });
                let res = client.post(&url).bearer_auth(&secret).json(&body).send().await.expect("request");
                assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap_or_default());
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("worker");
    }
    let created = started.elapsed();
    let read = Instant::now();
    let mut seen = 0;
    let mut start = 1;
    loop {
        let path = format!("{url}?filter=userName%20ew%20%22%40bulk.example%22&startIndex={start}&count=200");
        let page: Value =
            client.get(&path).bearer_auth(&secret).send().await.expect("page").json().await.expect("json");
        let n = page["Resources"].as_array().map_or(0, Vec::len);
        seen += n;
        if n < 200 {
            break;
        }
        start += 200;
    }
    assert_eq!(seen, users, "every provisioned user is listed once");
    println!(
        "SCIM provisioning on {backend}: {users} users created in {:.1} s ({:.0}/s); listed back in {:.1} s",
        created.as_secs_f64(),
        users as f64 / created.as_secs_f64(),
        read.elapsed().as_secs_f64()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "minutes: run explicitly to measure provisioning time"]
async fn scim_provisioning_of_10000_users_sqlite() {
    provision(spawn_app_with(Backend::Sqlite, unlimited).await.expect("SQLite"), "SQLite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "minutes: run explicitly to measure provisioning time"]
async fn scim_provisioning_of_10000_users_postgres() {
    let Some(app) = spawn_app_with(Backend::Postgres, unlimited).await else { return };
    provision(app, "PostgreSQL").await;
}
