//! `/metrics`: off by default, behind a bearer token on the main listener or open on its own
//! address, and carrying every series the operator's dashboards need. The database-wide
//! session series are exact per database; the per-instance ones are shared by every app in
//! this test process (one global recorder), so they are checked for presence and growth.

use crate::support::app::{ADMIN_EMAIL, PASSWORD, TestApp, client, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::json;
use store::Backend;

const TOKEN: &str = "scrape-me-7f3a";
const ANN: &str = "ann.archer@example.com";
const BOB: &str = "bob.baker@example.com";

async fn scrape(app: &TestApp, token: Option<&str>) -> (StatusCode, String) {
    let mut req = client().get(app.url("/metrics"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

/// The value of the first series starting with `series` (name and, optionally, labels).
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find(|l| l.starts_with(series))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> (StatusCode, reqwest::Client) {
    let c = client();
    let res = c
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    (res.status(), c)
}

async fn metrics_name_every_series(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |c| {
        c.metrics_token = TOKEN.into();
        c.metrics_bind = "127.0.0.1:0".into();
    })
    .await
    else {
        return;
    };
    app.seed_org().await;
    assert_eq!(scrape(&app, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(scrape(&app, Some("wrong")).await.0, StatusCode::UNAUTHORIZED);
    // The scheme name is case-insensitive (RFC 9110 §11.1), as some scrapers send it.
    let lower = client().get(app.url("/metrics")).header("authorization", format!("bearer {TOKEN}")).send().await;
    assert_eq!(lower.unwrap().status(), StatusCode::OK);
    let (_, before) = scrape(&app, Some(TOKEN)).await;
    let succeeded_before = value(&before, "roster_sign_ins_total{outcome=\"succeeded\"}").unwrap_or(0.0);

    // Three sessions; Ann signs out; Bob is locked by five wrong passwords (ending his).
    let (_, admin) = sign_in(&app, ADMIN_EMAIL, PASSWORD).await;
    let (_, ann) = sign_in(&app, ANN, PASSWORD).await;
    let (status, _bob) = sign_in(&app, BOB, PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.get(&ann, "/api/v1/me").await.status(), StatusCode::OK);
    assert_eq!(ann.post(app.url("/api/v1/auth/logout")).send().await.unwrap().status(), StatusCode::NO_CONTENT);
    for _ in 0..5 {
        assert_eq!(sign_in(&app, BOB, "wrong").await.0, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(sign_in(&app, BOB, PASSWORD).await.0, StatusCode::UNAUTHORIZED, "locked");
    let (status, _) = app
        .send(&admin, reqwest::Method::POST, "/api/v1/invitations", Some(json!({"emails": ["new.hire@example.com"]})))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.get(&admin, "/no/such/page").await.status(), StatusCode::NOT_FOUND);
    app.settle_mail().await;

    let (status, text) = scrape(&app, Some(TOKEN)).await;
    assert_eq!(status, StatusCode::OK);
    for name in [
        "roster_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/me\",status=\"2xx\",le=",
        "roster_http_request_duration_seconds_count{method=\"POST\",route=\"/api/v1/auth/login\",status=\"4xx\"}",
        "roster_http_request_duration_seconds_count{method=\"GET\",route=\"unmatched\"",
        "roster_http_requests_in_flight",
        "roster_sign_ins_total{outcome=\"failed\"}",
        "roster_sign_ins_total{outcome=\"locked\"}",
        "roster_lockouts_total",
        "roster_mail_sent_total",
        "roster_mail_queued",
        "roster_db_pool_acquire_seconds_bucket",
        "roster_db_pool_connections{state=\"idle\"}",
        "roster_db_pool_connections{state=\"in_use\"}",
        "roster_db_pool_max_connections",
        "# HELP roster_sessions_live",
        "# TYPE roster_sessions_ended_total counter",
    ] {
        assert!(text.contains(name), "{name} missing from:\n{text}");
    }
    assert!(value(&text, "roster_sign_ins_total{outcome=\"succeeded\"}").unwrap() >= succeeded_before + 3.0);
    assert!(value(&text, "roster_lockouts_total").unwrap() >= 1.0);
    // Database-wide and exact: three sign-ins, one sign-out, one lockout.
    assert_eq!(value(&text, "roster_sessions_created_total "), Some(3.0), "{text}");
    assert_eq!(value(&text, "roster_sessions_ended_total{cause=\"signed_out\"}"), Some(1.0), "{text}");
    assert_eq!(value(&text, "roster_sessions_ended_total{cause=\"locked\"}"), Some(1.0), "{text}");
    assert_eq!(value(&text, "roster_sessions_live "), Some(1.0), "{text}");
    let backend_label = if backend == Backend::Sqlite { "sqlite" } else { "postgres" };
    let build = format!("roster_build_info{{version=\"{}\",backend=\"{backend_label}\"}}", env!("CARGO_PKG_VERSION"));
    assert_eq!(value(&text, &build), Some(1.0), "{text}");

    // The separate address: no token, and nothing but /metrics.
    let port = app.metrics_port.expect("a metrics address");
    let res = client().get(format!("http://127.0.0.1:{port}/metrics")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("roster_sessions_live 1"));
    let res = client().get(format!("http://127.0.0.1:{port}/api/v1/me")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

mod metrics_name_every_series {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        metrics_name_every_series(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        metrics_name_every_series(Backend::Postgres).await;
    }
}

/// Refusals by the layers around the handlers (a CSRF 403, a body-limit 413) are in the
/// latency histogram under their route: they used to bypass it, as did 408 and 503.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_before_the_handler_are_counted() {
    let app = spawn_app_with(Backend::Sqlite, |c| c.metrics_token = TOKEN.into()).await.unwrap();
    let forbidden = "roster_http_request_duration_seconds_count{method=\"DELETE\",route=\"/api/v1/admin-roles/{id}\",status=\"4xx\"}";
    let too_large =
        "roster_http_request_duration_seconds_count{method=\"PUT\",route=\"/api/v1/settings/sso\",status=\"4xx\"}";
    let (_, before) = scrape(&app, Some(TOKEN)).await;
    let count = |text: &str, series: &str| value(text, series).unwrap_or(0.0);

    let res =
        client().delete(app.url("/api/v1/admin-roles/1")).header("origin", "http://evil.example").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // A declared length over the limit, refused before a byte of the body is read.
    let port = app.port;
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let head = format!(
        "PUT /api/v1/settings/sso HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: 100000000\r\nConnection: close\r\n\r\n"
    );
    tokio::io::AsyncWriteExt::write_all(&mut stream, head.as_bytes()).await.unwrap();
    let mut answer = String::new();
    let _ = tokio::io::AsyncReadExt::read_to_string(&mut stream, &mut answer).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");

    let (_, after) = scrape(&app, Some(TOKEN)).await;
    assert!(count(&after, forbidden) > count(&before, forbidden), "the CSRF 403 is counted:\n{after}");
    assert!(count(&after, too_large) > count(&before, too_large), "the 413 is counted:\n{after}");
}

#[tokio::test]
async fn metrics_are_off_unless_configured() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    assert_eq!(scrape(&app, None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(scrape(&app, Some(TOKEN)).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn sessions_past_their_lifetime_stop_counting_as_live() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    app.login_admin().await;
    let t = store::session_tallies::read(&app.db).await.unwrap();
    assert_eq!(t.live(), 1);
    let later = app::clock::now() + 400 * app::clock::DAY;
    assert_eq!(app::sessions::end_expired(&app.ctx, later).await.unwrap(), 1);
    let t = store::session_tallies::read(&app.db).await.unwrap();
    assert_eq!((t.live(), t.ended.clone()), (0, vec![("expired".to_owned(), 1)]));
}
