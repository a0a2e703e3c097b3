//! Client addresses behind trusted proxies, and spoofed forwarding headers from anyone else:
//! the address that sessions, lockout records, audit events and the sign-in rate limit
//! record. On both backends.

use crate::support::app::{PASSWORD, TestApp, client, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};
use store::Backend;

const ANN: &str = "ann.archer@example.com";

/// Signs in as Ann through `forwarded_for` (an `X-Forwarded-For` value) and returns the
/// status.
async fn sign_in(app: &TestApp, c: &reqwest::Client, password: &str, forwarded_for: &str) -> StatusCode {
    c.post(app.url("/api/v1/auth/login"))
        .header("X-Forwarded-For", forwarded_for)
        .json(&json!({"email": ANN, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
}

/// The addresses recorded for Ann's last failure, her current session and the latest
/// sign-in audit event.
async fn recorded(app: &TestApp, ann_client: &reqwest::Client, ann: domain::ids::UserId) -> (Value, Value, Value) {
    let admin = app.login_admin().await;
    let (_, profile) = app.get_json(&admin, &format!("/api/v1/users/{}", ann.0)).await;
    let failure = profile["lockout"]["recent_failures"][0]["ip"].clone();
    let (_, sessions) = app.get_json(ann_client, "/api/v1/me/sessions").await;
    let current = sessions["items"].as_array().unwrap().iter().find(|s| s["current"] == true).unwrap()["ip"].clone();
    let path = format!("/api/v1/audit?action=login.succeeded&target={}&limit=1", ann.0);
    let (_, audit) = app.get_json(&admin, &path).await;
    (failure, current, audit["items"][0]["ip"].clone())
}

async fn forwarded_addresses_count_only_from_trusted_proxies(backend: Backend) {
    // Untrusted peer (no proxies configured): the headers are ignored.
    let Some(app) = spawn_app_with(backend, |c| c.login_rate_per_minute = 3).await else { return };
    let org = app.seed_org().await;
    let ann = client();
    assert_eq!(sign_in(&app, &ann, "wrong", "203.0.113.7").await, StatusCode::UNAUTHORIZED);
    assert_eq!(sign_in(&app, &ann, PASSWORD, "203.0.113.7").await, StatusCode::OK);
    let (failure, session, audit) = recorded(&app, &ann, org.ann).await;
    assert_eq!((failure, session, audit), (json!("127.0.0.1"), json!("127.0.0.1"), json!("127.0.0.1")));
    // A new spoofed address per attempt does not escape the per-address limit (two used above,
    // one by the admin's sign-in).
    assert_eq!(sign_in(&app, &client(), "wrong", "198.51.100.1").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(sign_in(&app, &client(), "wrong", "198.51.100.2").await, StatusCode::TOO_MANY_REQUESTS);
    drop(app);

    // Behind a trusted proxy: the right-most address the proxy vouches for is the client.
    let Some(app) = spawn_app_with(backend, |c| {
        c.login_rate_per_minute = 3;
        c.trusted_proxies = "127.0.0.1/32, 10.0.0.0/8".into();
    })
    .await
    else {
        return;
    };
    let org = app.seed_org().await;
    let ann = client();
    // The client claims 1.1.1.1; the proxies saw 203.0.113.7 (then passed through 10.0.0.5).
    assert_eq!(sign_in(&app, &ann, "wrong", "1.1.1.1, 203.0.113.7, 10.0.0.5").await, StatusCode::UNAUTHORIZED);
    assert_eq!(sign_in(&app, &ann, PASSWORD, "203.0.113.8").await, StatusCode::OK);
    let (failure, session, audit) = recorded(&app, &ann, org.ann).await;
    assert_eq!((failure, session, audit), (json!("203.0.113.7"), json!("203.0.113.8"), json!("203.0.113.8")));
    // The limit is per client, not per proxy: one address runs out, another does not.
    for _ in 0..3 {
        assert_eq!(sign_in(&app, &client(), "wrong", "192.0.2.50").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(sign_in(&app, &client(), "wrong", "192.0.2.50").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(sign_in(&app, &client(), "wrong", "192.0.2.51").await, StatusCode::UNAUTHORIZED);
}

mod forwarded_addresses_count_only_from_trusted_proxies {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        forwarded_addresses_count_only_from_trusted_proxies(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        forwarded_addresses_count_only_from_trusted_proxies(Backend::Postgres).await;
    }
}
