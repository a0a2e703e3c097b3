//! A deleted user stays out (issue 10.2): every single-use link (invitation, password
//! reset) dies when its user is deleted, suspended or moves to another address, and stays
//! dead after a restore or re-activation — the link page answers 410 with a page saying
//! so, the API 410 problem+json, and nobody signs in with a password set through it.
//! Before, an invitation sent before a deletion still set a password and signed the link
//! holder in as the deleted user, who then read Active after a restore.

use crate::invitations::invitation_token;
use crate::on_both_backends;
use crate::password_reset::{complete, wait_for_link};
use crate::sessions::exec;
use crate::support::app::{PASSWORD, TestApp, client};
use domain::ids::UserId;
use reqwest::StatusCode;
use serde_json::{Value, json};

const CHOSEN: &str = "Battery-Staple-42";

async fn post(app: &TestApp, c: &reqwest::Client, path: &str) -> StatusCode {
    let res = app.post_json(c, path, &json!({})).await;
    let status = res.status();
    assert!(status.is_success(), "{path}: {status} {}", res.text().await.unwrap_or_default());
    status
}

async fn delete_and_restore(app: &TestApp, admin: &reqwest::Client, user: UserId) {
    let res = admin.delete(app.url(&format!("/api/v1/users/{user}"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    post(app, admin, &format!("/api/v1/users/{user}/restore")).await;
}

async fn status_of(app: &TestApp, admin: &reqwest::Client, user: UserId) -> Value {
    app.get_json(admin, &format!("/api/v1/users/{user}")).await.1["status"].clone()
}

async fn sign_in_status(app: &TestApp, email: &str, password: &str) -> StatusCode {
    app.post_json(&client(), "/api/v1/auth/login", &json!({"email": email, "password": password})).await.status()
}

/// The page of a dead invitation link, for the form's GET and POST alike.
async fn assert_invitation_dead(app: &TestApp, token: &str) {
    let page = app.get(&client(), &format!("/invitations/accept?token={token}")).await;
    assert_eq!(page.status(), StatusCode::GONE);
    let html = page.text().await.unwrap();
    assert!(html.contains("Invitation link not valid") && html.contains("ask your administrator"), "{html}");
    let form = [("token", token), ("password", CHOSEN), ("confirm", CHOSEN)];
    let res = client().post(app.url("/invitations/accept")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::GONE);
    assert!(res.headers().get("set-cookie").is_none(), "nobody is signed in");
}

/// A dead reset link: the page says so, the API answers 410 problem+json.
async fn assert_reset_dead(app: &TestApp, token: &str) {
    let page = app.get(&client(), &format!("/password/reset?token={token}")).await;
    assert_eq!(page.status(), StatusCode::GONE);
    assert!(page.text().await.unwrap().contains("Reset link not valid"));
    let (status, body) = complete(app, token, CHOSEN).await;
    assert_eq!(status, StatusCode::GONE, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("no longer works"), "{body}");
}

on_both_backends!(an_invitation_sent_before_a_deletion_stays_dead_after_the_restore, |app| async move {
    app.seed_org().await;
    let admin = app.login_admin().await;
    let email = "nina.new@example.com";
    let res = app.post_json(&admin, "/api/v1/invitations", &json!({"emails": [email]})).await;
    let body: Value = res.json().await.unwrap();
    let nina = UserId(body["results"][0]["user_id"].as_str().unwrap().parse().unwrap());
    let token = invitation_token(&app, email).await;
    let ok = app.get(&client(), &format!("/invitations/accept?token={token}")).await;
    assert_eq!(ok.status(), StatusCode::OK, "live before the deletion");

    delete_and_restore(&app, &admin, nina).await;
    assert_invitation_dead(&app, &token).await;
    assert_eq!(status_of(&app, &admin, nina).await, "invited", "still not joined");
    assert_eq!(sign_in_status(&app, email, CHOSEN).await, StatusCode::UNAUTHORIZED);

    // A fresh invitation works again.
    post(&app, &admin, &format!("/api/v1/users/{nina}/resend-invitation")).await;
    let fresh = invitation_token(&app, email).await;
    assert_ne!(fresh, token);
    let form = [("token", fresh.as_str()), ("password", CHOSEN), ("confirm", CHOSEN)];
    let res = client().post(app.url("/invitations/accept")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    assert_eq!(status_of(&app, &admin, nina).await, "active");
});

on_both_backends!(a_reset_link_dies_with_a_deletion_a_suspension_or_a_new_address, |app| async move {
    let org = app.seed_org().await;
    let admin = app.login_admin().await;
    let ann = "ann.archer@example.com";
    let reset_link = |n: usize| {
        let (app, admin) = (&app, &admin);
        async move {
            post(app, admin, &format!("/api/v1/users/{}/reset-password", org.ann)).await;
            wait_for_link(app, ann, n).await
        }
    };

    let deleted = reset_link(1).await;
    let ok = app.get(&client(), &format!("/password/reset?token={deleted}")).await;
    assert_eq!(ok.status(), StatusCode::OK, "live before the deletion");
    delete_and_restore(&app, &admin, org.ann).await;
    assert_reset_dead(&app, &deleted).await;

    let suspended = reset_link(2).await;
    post(&app, &admin, &format!("/api/v1/users/{}/suspend", org.ann)).await;
    post(&app, &admin, &format!("/api/v1/users/{}/activate", org.ann)).await;
    assert_reset_dead(&app, &suspended).await;

    // Roster has no address change of its own yet; SCIM or an operator may make one.
    let moved = reset_link(3).await;
    let sql = "UPDATE users SET email = 'ann@elsewhere.example', email_key = 'ann@elsewhere.example', \
               updated_at = $1 WHERE id = $2";
    exec(&app, sql, app::clock::now(), org.ann.0).await;
    assert_reset_dead(&app, &moved).await;

    assert_eq!(sign_in_status(&app, "ann@elsewhere.example", CHOSEN).await, StatusCode::UNAUTHORIZED);
    assert_eq!(sign_in_status(&app, "ann@elsewhere.example", PASSWORD).await, StatusCode::OK, "her password stands");
});
