//! Health, readiness, security headers, logs and shutdown.

use crate::on_both_backends;
use crate::support::app::client;
use reqwest::StatusCode;

on_both_backends!(health_and_readiness_answer, |app| async move {
    let c = client();
    let h = app.get(&c, "/healthz").await;
    assert_eq!(h.status(), StatusCode::OK);
    let r = app.get(&c, "/readyz").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.text().await.unwrap(), "ready");
});

/// Only PostgreSQL can lose its database under a running app; SQLite is a local file.
#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let Some(app) = crate::support::spawn_app(store::Backend::Postgres).await else { return };
    assert_eq!(app.get(&client(), "/readyz").await.status(), StatusCode::OK);
    app.drop_database();
    let res = app.get(&client(), "/readyz").await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(app.get(&client(), "/healthz").await.status(), StatusCode::OK, "the process itself is still alive");
}

on_both_backends!(every_response_carries_strict_security_headers, |app| async move {
    for path in ["/login", "/api/v1/users", "/healthz", "/nowhere"] {
        let res = app.get(&client(), path).await;
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'")
                && csp.contains("script-src 'self'")
                && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        assert!(h.get("strict-transport-security").is_none(), "no HSTS over plain http");
        assert!(h.contains_key("x-request-id"), "{path}");
    }
});

#[tokio::test]
async fn https_deployments_get_hsts_and_secure_cookies() {
    let app =
        crate::support::app::spawn_app_with(store::Backend::Sqlite, |c| c.public_url = "https://roster.example".into())
            .await
            .unwrap();
    let res = client()
        .post(app.url("/api/v1/auth/login"))
        .json(
            &serde_json::json!({"email": crate::support::app::ADMIN_EMAIL, "password": crate::support::app::PASSWORD}),
        )
        .send()
        .await
        .unwrap();
    assert!(res.headers()["strict-transport-security"].to_str().unwrap().contains("max-age="));
    assert!(res.headers()["set-cookie"].to_str().unwrap().contains("Secure"));
}

/// The real binary: JSON logs on stderr, and a clean exit on SIGTERM.
#[test]
fn the_binary_logs_json_and_stops_gracefully_on_sigterm() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let dir =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("sigterm-{}", uuid::Uuid::now_v7().simple()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["serve", "--bind", "127.0.0.1:0", "--log-format", "json", "--data-dir"])
        .arg(&dir)
        .env("ROSTER_ARGON2_MEMORY_KIB", "1024")
        .env("ROSTER_BOOTSTRAP_ADMIN_EMAIL", "ops@example.com")
        .env("ROSTER_BOOTSTRAP_ADMIN_PASSWORD", "Correct-Horse-7")
        // A drain long enough to ask /readyz, which answers 503 meanwhile.
        .env("ROSTER_SHUTDOWN_DELAY_SECONDS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start roster");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    // Every line is one JSON object; wait for the one saying the server is ready.
    let mut port = 0u16;
    loop {
        let line = lines.next().expect("the server logs that it is ready").unwrap();
        let parsed: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        let message = parsed["fields"]["message"].as_str().unwrap_or_default();
        if let Some(rest) = message.strip_prefix("listening on http://127.0.0.1:") {
            port = rest.split(';').next().and_then(|p| p.parse().ok()).expect("a port");
        }
        if message.contains("is ready") {
            break;
        }
    }
    assert!(dir.join("roster.db").exists(), "SQLite lives in the data dir");
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    // Draining: /readyz answers 503, an expected answer that is not logged as an error.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let readyz = {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("still listening while draining");
        s.write_all(b"GET /readyz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        answer
    };
    assert!(readyz.starts_with("HTTP/1.1 503") && readyz.ends_with("draining"), "{readyz}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(!rest.iter().any(|l| l.contains("\"level\":\"ERROR\"")), "no ERROR for a draining 503: {rest:#?}");
    let exit = child.wait().unwrap();
    assert!(exit.success(), "exit status {exit:?}; logs: {rest:?}");
    assert!(rest.iter().any(|l| l.contains("Roster stopped")), "{rest:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
