//! Provisioning many users through SCIM (issue 16), as an identity provider's first sync
//! does: `POST /Users` for each from eight concurrent clients, then the whole set read back
//! page by page — every user listed exactly once, `totalResults` equal to the count.
//!
//! CI runs 300 users on each backend (seconds). The figure is 10,000 users: set
//! `ROSTER_SCIM_PROVISION_USERS=10000` and run
//! `cargo test -p roster --test main -- --nocapture scim_provisioning` (2–4 minutes on a
//! shared 2-core machine). Each run prints the time taken.

use crate::scim::{PROVISIONING, USER, token};
use crate::support::Backend;
use crate::support::app::TestApp;
use crate::support::app::spawn_app_with;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Instant;

/// Users provisioned when `ROSTER_SCIM_PROVISION_USERS` is not set: enough for several full
/// pages of 200 and a last partial one, quick enough for every CI run.
const QUICK: usize = 300;
/// Concurrent clients, as a provider's sync runs them.
const CLIENTS: usize = 8;
/// The page size read back with (the largest SCIM serves).
const PAGE: usize = 200;

fn how_many() -> usize {
    std::env::var("ROSTER_SCIM_PROVISION_USERS").ok().and_then(|n| n.trim().parse().ok()).unwrap_or(QUICK)
}

/// An initial sync is a burst: the token's rate limit (600 a minute by default) is raised,
/// as the README advises for a first import.
fn unlimited(c: &mut roster::config::Config) {
    c.api_token_rate_per_minute = 1_000_000;
}

fn user_name(i: usize) -> String {
    format!("user{i:05}@bulk.example")
}

async fn provision(app: TestApp, backend: &str) {
    let users = how_many();
    app.seed_org().await;
    let root = app.login_admin().await;
    crate::support::oidc::force_sso_on(&app).await;
    let secret = token(&app, &root, PROVISIONING).await;
    let url = app.url("/scim/v2/Users");
    let client = reqwest::Client::new();
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..CLIENTS {
        let (client, url, secret) = (client.clone(), url.clone(), secret.clone());
        tasks.spawn(async move {
            for i in (worker..users).step_by(CLIENTS) {
                let body = json!({
                    "schemas": [USER], "userName": user_name(i), "externalId": format!("okta-{i}"),
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
    let mut seen = Vec::with_capacity(users);
    let mut start = 1;
    loop {
        let path = format!("{url}?filter=userName%20ew%20%22%40bulk.example%22&startIndex={start}&count={PAGE}");
        let res = client.get(&path).bearer_auth(&secret).send().await.expect("page");
        assert_eq!(res.status(), StatusCode::OK);
        let page: Value = res.json().await.expect("json");
        assert_eq!(page["totalResults"], users, "every page counts every provisioned user");
        assert_eq!(page["startIndex"], start);
        let names: Vec<String> = page["Resources"]
            .as_array()
            .expect("Resources")
            .iter()
            .map(|u| u["userName"].as_str().expect("userName").to_owned())
            .collect();
        assert_eq!(page["itemsPerPage"], names.len());
        let n = names.len();
        seen.extend(names);
        if n < PAGE {
            break;
        }
        start += PAGE;
    }
    let listed = read.elapsed();
    let distinct: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(seen.len(), users, "every provisioned user is listed, none twice");
    let expected: Vec<String> = (0..users).map(user_name).collect();
    assert_eq!(distinct, expected.iter().collect(), "exactly the provisioned users are listed");
    // The last one created is found by the lookup a provider's next sync makes.
    let last = format!("{url}?filter=externalId%20eq%20%22okta-{}%22", users - 1);
    let found: Value = client.get(&last).bearer_auth(&secret).send().await.expect("lookup").json().await.expect("json");
    assert_eq!(found["totalResults"], 1);
    assert_eq!(found["Resources"][0]["userName"], user_name(users - 1));
    #[allow(clippy::cast_precision_loss)] // a rate for people to read
    let rate = users as f64 / created.as_secs_f64();
    println!(
        "SCIM provisioning on {backend}: {users} users by {CLIENTS} clients created in {:.1} s ({rate:.0}/s); listed \
         back in {:.1} s",
        created.as_secs_f64(),
        listed.as_secs_f64()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn scim_provisioning_creates_and_lists_back_every_user_sqlite() {
    provision(spawn_app_with(Backend::Sqlite, unlimited).await.expect("SQLite"), "SQLite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn scim_provisioning_creates_and_lists_back_every_user_postgres() {
    let Some(app) = spawn_app_with(Backend::Postgres, unlimited).await else { return };
    provision(app, "PostgreSQL").await;
}
