//! Password resets: admin "Reset Password" and self-service "Forgot password" email a
//! single-use, expiring link; completing it checks policy and history, ends every session
//! and clears a lockout; under SSO resets are refused (admin) or silently skipped (forgot).

use crate::on_both_backends;
use crate::support::app::{PASSWORD, TestApp, client};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

const NEW_PASSWORD: &str = "Battery-Staple-42";

/// Reset links mailed to `to` so far, oldest first (quoted-printable undone).
pub(crate) fn links(app: &TestApp, to: &str) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(app.outbox()) else { return Vec::new() };
    let mut mails: Vec<(std::time::SystemTime, String)> = dir
        .map(|e| {
            let e = e.unwrap();
            (e.metadata().unwrap().modified().unwrap(), std::fs::read_to_string(e.path()).unwrap())
        })
        .filter(|(_, text)| text.lines().any(|l| l.strip_prefix("To: ").is_some_and(|t| t.trim() == to)))
        .collect();
    mails.sort();
    mails
        .into_iter()
        .filter_map(|(_, text)| {
            let text = text.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
            let at = text.find("/password/reset?token=")? + "/password/reset?token=".len();
            Some(text[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect())
        })
        .collect()
}

/// Waits until `n` links have been mailed to `to` and returns the newest.
pub(crate) async fn wait_for_link(app: &TestApp, to: &str, n: usize) -> String {
    for _ in 0..100 {
        let found = links(app, to);
        if found.len() >= n {
            return found.last().unwrap().clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no reset link number {n} for {to}");
}

pub(crate) async fn complete(app: &TestApp, token: &str, password: &str) -> (StatusCode, Value) {
    let res =
        app.post_json(&client(), "/api/v1/auth/reset-password", &json!({"token": token, "password": password})).await;
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn forgot(app: &TestApp, email: &str) -> (StatusCode, String) {
    let res = app.post_json(&client(), "/api/v1/auth/forgot-password", &json!({"email": email})).await;
    (res.status(), res.text().await.unwrap())
}

on_both_backends!(an_admin_reset_link_works_once_ends_sessions_and_honours_policy_and_history, |app| async move {
    let org = app.seed_org().await;
    let admin = app.login_admin().await;
    let ann = app.login("ann.archer@example.com", PASSWORD).await;
    let res = app.post_json(&admin, &format!("/api/v1/users/{}/reset-password", org.ann), &json!({})).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let token = wait_for_link(&app, "ann.archer@example.com", 1).await;
    let (status, body) = complete(&app, &token, "short").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "policy: {body}");
    let (status, body) = complete(&app, &token, PASSWORD).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the current password is history: {body}");
    assert!(body["detail"].as_str().unwrap().contains("last 5 passwords"), "{body}");
    assert_eq!(complete(&app, &token, NEW_PASSWORD).await.0, StatusCode::NO_CONTENT);
    assert_eq!(app.get_json(&ann, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED, "sessions ended");
    app.login("ann.archer@example.com", NEW_PASSWORD).await;
    assert_eq!(complete(&app, &token, "Another-Pass-77").await.0, StatusCode::GONE, "single use");

    let res = app.post_json(&admin, &format!("/api/v1/users/{}/reset-password", org.ann), &json!({})).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let again = wait_for_link(&app, "ann.archer@example.com", 2).await;
    let (status, body) = complete(&app, &again, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a password of the history: {body}");
    let (_, audit) = app.get_json(&admin, &format!("/api/v1/audit?target={}", org.ann)).await;
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(
        actions.contains(&"password.reset_requested") && actions.contains(&"password.reset_completed"),
        "{actions:?}"
    );
});

on_both_backends!(forgot_password_clears_a_lockout_and_a_newer_link_kills_the_older, |app| async move {
    let org = app.seed_org().await;
    for _ in 0..5 {
        let res = app
            .post_json(
                &client(),
                "/api/v1/auth/login",
                &json!({"email": "bob.baker@example.com", "password": "Wrong-Pass-99"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let admin = app.login_admin().await;
    let (_, bob) = app.get_json(&admin, &format!("/api/v1/users/{}", org.bob)).await;
    assert_eq!(bob["status"], "locked");
    assert_eq!(forgot(&app, "Bob.Baker@example.com").await.0, StatusCode::ACCEPTED);
    let first = wait_for_link(&app, "bob.baker@example.com", 1).await;
    assert_eq!(forgot(&app, "bob.baker@example.com").await.0, StatusCode::ACCEPTED);
    let second = wait_for_link(&app, "bob.baker@example.com", 2).await;
    assert_eq!(complete(&app, &first, NEW_PASSWORD).await.0, StatusCode::GONE, "the newer link killed it");
    assert_eq!(complete(&app, &second, NEW_PASSWORD).await.0, StatusCode::NO_CONTENT);
    let (_, bob) = app.get_json(&admin, &format!("/api/v1/users/{}", org.bob)).await;
    assert_eq!(bob["status"], "active", "the lockout is cleared");
    app.login("bob.baker@example.com", NEW_PASSWORD).await;
});

on_both_backends!(an_expired_link_is_gone, |app| async move {
    let org = app.seed_org().await;
    let token = app::tokens::generate();
    let now = app::clock::now();
    let link = store::tokens::NewToken {
        token_hash: app::tokens::hash(&token),
        user_id: org.ann,
        purpose: store::tokens::TokenPurpose::PasswordReset,
        created_at: now - app::password_reset::RESET_LINK_LIFETIME - 1,
        expires_at: now - 1,
    };
    let event = app::audit::unattended(
        org.account,
        domain::closed::AuditAction::PasswordResetRequested,
        Some(org.ann),
        "",
        json!({}),
    );
    let mail = app::mail::Mail { to: "ann.archer@example.com".into(), subject: "reset".into(), body: token.clone() };
    let mail = app::mail::outbox::queued(org.account, Some(org.ann), app::mail::outbox::MailKind::PasswordReset, mail);
    store::password_reset::issue(&app.db, &link, &event, &mail).await.unwrap();
    let (status, body) = complete(&app, &token, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(body["detail"].as_str().unwrap().contains("expired"), "{body}");
    app.login("ann.archer@example.com", PASSWORD).await;
});

on_both_backends!(forgot_password_answers_the_same_for_unknown_emails, |app| async move {
    app.seed_org().await;
    let known = forgot(&app, "ann.archer@example.com").await;
    let unknown = forgot(&app, "nobody@example.com").await;
    let invalid = forgot(&app, "not an email").await;
    assert_eq!(known.0, StatusCode::ACCEPTED);
    assert_eq!(known, unknown);
    assert_eq!(known, invalid);
    wait_for_link(&app, "ann.archer@example.com", 1).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(links(&app, "nobody@example.com").is_empty());
});

on_both_backends!(under_sso_resets_are_refused_with_the_reason_and_forgot_sends_nothing, |app| async move {
    let org = app.seed_org().await;
    let admin = app.login_admin().await;
    assert_eq!(app.get_json(&admin, "/api/v1/settings/sso").await.1["enabled"], false);
    let res = app.post_json(&admin, &format!("/api/v1/users/{}/reset-password", org.ann), &json!({})).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let early = wait_for_link(&app, "ann.archer@example.com", 1).await;

    let member = app.login("member@example.com", PASSWORD).await;
    crate::support::oidc::force_sso_on(&app).await;
    assert_eq!(app.get_json(&admin, "/api/v1/settings/sso").await.1["enabled"], true);
    let res = app.post_json(&admin, &format!("/api/v1/users/{}/reset-password", org.ann), &json!({})).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body: Value = res.json().await.unwrap();
    assert!(body["detail"].as_str().unwrap().contains("SSO"), "{body}");
    assert_eq!(forgot(&app, "ann.archer@example.com").await, forgot(&app, "nobody@example.com").await);
    assert_eq!(complete(&app, &early, NEW_PASSWORD).await.0, StatusCode::CONFLICT, "no resets under SSO");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(links(&app, "ann.archer@example.com").len(), 1, "nothing sent under SSO");
    // Under SSO a member cannot sign in with a password at all (Bypass SSO is for admins).
    let member_login = json!({"email": "member@example.com", "password": PASSWORD});
    assert_eq!(app.post_json(&client(), "/api/v1/auth/login", &member_login).await.status(), StatusCode::UNAUTHORIZED);
    let res = member.put(app.url("/api/v1/settings/sso")).json(&json!({"enabled": false})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "a member's session from before SSO may not change it");
    let (_, audit) = app.get_json(&admin, "/api/v1/audit?action=settings.sso.changed").await;
    assert_eq!(audit["items"].as_array().unwrap().len(), 1, "{audit}");
});
