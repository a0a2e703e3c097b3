//! `roster user unlock EMAIL [--account SLUG]` (issue 10): the operator's way out of a
//! lockout, driven through the real binary on both backends — audited as `user.unlocked`
//! with no actor and `{"by": "operator"}`; unknown accounts and emails, and users who are
//! not locked, are clear errors with a non-zero exit.

use crate::on_both_backends;
use crate::support::app::{PASSWORD, TestApp, client};
use reqwest::StatusCode;
use serde_json::json;

const ANN: &str = "ann.archer@example.com";

async fn sign_in(app: &TestApp, password: &str) -> StatusCode {
    app.post_json(&client(), "/api/v1/auth/login", &json!({"email": ANN, "password": password})).await.status()
}

on_both_backends!(the_operator_unlocks_a_locked_user_from_the_command_line, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let slug = store::accounts::first(&app.db).await.expect("query").expect("account").slug;
    for _ in 0..5 {
        assert_eq!(sign_in(&app, "Wrong-Password-9").await, StatusCode::UNAUTHORIZED);
    }
    let (_, ann) = app.get_json(&root, &format!("/api/v1/users/{}", org.ann)).await;
    assert_eq!(ann["status"], "locked", "{ann}");

    // Two accounts in this database: the command needs --account, and says so.
    let (ok, out, err) = app.run_cli(&["user", "unlock", ANN]);
    assert!(!ok && err.contains("name one with --account"), "{out}{err}");
    let (ok, out, err) = app.run_cli(&["user", "unlock", ANN, "--account", "no-such-account"]);
    assert!(!ok && err.contains("no account has the slug \"no-such-account\""), "{out}{err}");
    let (ok, out, err) = app.run_cli(&["user", "unlock", "nobody@example.com", "--account", &slug]);
    assert!(!ok && err.contains("has the email \"nobody@example.com\""), "{out}{err}");

    let (ok, out, err) = app.run_cli(&["user", "unlock", ANN, "--account", &slug]);
    assert!(ok, "{out}{err}");
    assert!(out.contains(&format!("Unlocked {ANN}")), "{out}");
    let (_, ann) = app.get_json(&root, &format!("/api/v1/users/{}", org.ann)).await;
    assert_eq!(ann["status"], "active", "{ann}");
    assert_eq!(sign_in(&app, PASSWORD).await, StatusCode::OK, "she signs in again");
    let (_, log) = app.get_json(&root, &format!("/api/v1/audit?action=user.unlocked&target={}", org.ann)).await;
    let events = log["items"].as_array().expect("items");
    assert_eq!(events.len(), 1, "{log}");
    assert!(events[0]["actor"].is_null(), "{log}");
    assert_eq!(events[0]["details"], json!({"by": "operator"}), "{log}");

    // Not locked (any more): a clear error, nothing audited.
    let (ok, out, err) = app.run_cli(&["user", "unlock", ANN, "--account", &slug]);
    assert!(!ok && err.contains("is not locked"), "{out}{err}");
    let (_, log) = app.get_json(&root, &format!("/api/v1/audit?action=user.unlocked&target={}", org.ann)).await;
    assert_eq!(log["items"].as_array().map(Vec::len), Some(1), "{log}");
});
