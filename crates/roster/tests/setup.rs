//! First start without a configured admin: a one-time setup link, never a default password.

use crate::support::app::{PASSWORD, client, spawn_app_with};
use reqwest::StatusCode;
use store::Backend;

async fn setup_flow(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |c| {
        c.bootstrap_admin_email.clear();
        c.bootstrap_admin_password.clear();
    })
    .await
    else {
        return;
    };
    let token = app.setup_token.clone().expect("a setup link is printed when no admin is configured");
    let c = client();
    // Nobody can sign in yet: there is no default password.
    let res = app
        .post_json(&c, "/api/v1/auth/login", &serde_json::json!({"email": "admin@example.com", "password": "admin"}))
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.get(&c, &format!("/setup?token={token}")).await.status(), StatusCode::OK);
    assert_eq!(app.get(&c, "/setup?token=forged").await.status(), StatusCode::GONE);
    let form = |password: &'static str| {
        vec![
            ("token", token.clone()),
            ("email", "first@example.com".into()),
            ("first_name", "Fay".into()),
            ("last_name", "First".into()),
            ("password", password.into()),
        ]
    };
    // Every bad field is named at once, each beside itself.
    let mut bad = form("short");
    bad[1].1 = "not an address".into();
    bad[2].1 = " ".into();
    let refused = c.post(app.url("/setup")).form(&bad).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let html = refused.text().await.unwrap();
    for field in ["email", "first_name", "password"] {
        assert!(html.contains(&format!("id=\"{field}-error\"")), "{field}: {html}");
    }
    let weak = c.post(app.url("/setup")).form(&form("short")).send().await.unwrap();
    assert_eq!(weak.status(), StatusCode::BAD_REQUEST);
    assert!(weak.text().await.unwrap().contains("at least 8 characters"), "the error stands beside the field");
    let ok = c.post(app.url("/setup")).form(&form(PASSWORD)).send().await.unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let again = c.post(app.url("/setup")).form(&form(PASSWORD)).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::GONE, "the link works once");
    let admin = app.login("first@example.com", PASSWORD).await;
    let me = app.get_json(&admin, "/api/v1/me").await.1;
    assert_eq!(me["user"]["account_role"], "Primary Master Admin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_setup_link_creates_the_first_admin_once_on_sqlite() {
    setup_flow(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_setup_link_creates_the_first_admin_once_on_postgres() {
    setup_flow(Backend::Postgres).await;
}
