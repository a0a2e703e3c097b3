//! Invitations: invite (emails or rows) → Inactive users with a single-use emailed link;
//! accepting sets a password that meets the policy, activates and signs in; resend kills
//! the old link; existing users and invalid rows are reported row by row; scope holds.

use crate::on_both_backends;
use crate::support::app::TestApp;
use crate::support::app::{PASSWORD, client};
use domain::permission::Permission;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The invitation token in the newest outbox message to `email` (once delivered).
pub async fn invitation_token(app: &TestApp, email: &str) -> String {
    app.settle_mail().await;
    let mut files: Vec<_> = std::fs::read_dir(app.outbox())
        .expect("outbox")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .map(|p| (std::fs::metadata(&p).and_then(|m| m.modified()).expect("mtime"), p))
        .collect();
    files.sort();
    for (_, path) in files.iter().rev() {
        // Quoted-printable: undo soft line breaks and `=3D`.
        let text = std::fs::read_to_string(path).expect("eml").replace("=\r\n", "").replace("=3D", "=");
        if !text.contains(email) {
            continue;
        }
        let start = text.find("/invitations/accept?token=").expect("link") + "/invitations/accept?token=".len();
        return text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    }
    panic!("no invitation mail to {email}");
}

async fn invite(app: &TestApp, c: &reqwest::Client, body: &Value) -> (StatusCode, Value) {
    let res = app.post_json(c, "/api/v1/invitations", body).await;
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn accept(app: &TestApp, c: &reqwest::Client, token: &str, password: &str) -> reqwest::Response {
    c.post(app.url("/invitations/accept"))
        .form(&[("token", token), ("password", password), ("confirm", password)])
        .send()
        .await
        .expect("request")
}

async fn user(app: &TestApp, admin: &reqwest::Client, email: &str) -> Value {
    let items = app.list_all(admin, &format!("q={email}")).await;
    items.into_iter().find(|u| u["email"] == email).unwrap_or(Value::Null)
}

on_both_backends!(an_invited_user_accepts_once_with_a_good_password_and_is_signed_in, |app| async move {
    app.seed_org().await;
    let admin = app.login_admin().await;
    let (status, body) = invite(&app, &admin, &json!({"emails": ["new.person@example.com"]})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["results"][0]["status"], "invited", "{body}");
    assert!(body["results"][0]["user_id"].is_string());
    let listed = user(&app, &admin, "new.person@example.com").await;
    assert_eq!(listed["status"], "invited", "{listed}");
    assert!(listed["invited_at"].is_string(), "{listed}");
    let token = invitation_token(&app, "new.person@example.com").await;
    assert_eq!(app.get(&client(), &format!("/invitations/accept?token={token}")).await.status(), StatusCode::OK);

    let weak = client();
    let res = accept(&app, &weak, &token, "short").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("password"), "the error names the password");
    assert_eq!(user(&app, &admin, "new.person@example.com").await["status"], "invited", "nothing changed");

    let invitee = client();
    let res = accept(&app, &invitee, &token, PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/");
    let (status, me) = app.get_json(&invitee, "/api/v1/me").await;
    assert_eq!(status, StatusCode::OK, "signed in: {me}");
    assert_eq!(user(&app, &admin, "new.person@example.com").await["status"], "active");
    app.login("new.person@example.com", PASSWORD).await;

    assert_eq!(app.get(&client(), &format!("/invitations/accept?token={token}")).await.status(), StatusCode::GONE);
    assert_eq!(accept(&app, &client(), &token, "Another-Good-9").await.status(), StatusCode::GONE);
    let (_, audit) = app.get_json(&admin, "/api/v1/audit").await;
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"user.invited") && actions.contains(&"user.invitation_accepted"), "{actions:?}");
});

on_both_backends!(resending_an_invitation_kills_the_old_link, |app| async move {
    let org = app.seed_org().await;
    let admin = app.login_admin().await;
    let (_, body) = invite(&app, &admin, &json!({"emails": ["late.comer@example.com"]})).await;
    let id = body["results"][0]["user_id"].as_str().unwrap().to_owned();
    let old = invitation_token(&app, "late.comer@example.com").await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let res = app.post_json(&admin, &format!("/api/v1/users/{id}/resend-invitation"), &json!({})).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"status": "queued"}));
    let new = invitation_token(&app, "late.comer@example.com").await;
    assert_ne!(old, new);
    assert_eq!(app.get(&client(), &format!("/invitations/accept?token={old}")).await.status(), StatusCode::GONE);
    assert_eq!(app.get(&client(), &format!("/invitations/accept?token={new}")).await.status(), StatusCode::OK);
    let res = app.post_json(&admin, &format!("/api/v1/users/{}/resend-invitation", org.ann), &json!({})).await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "ann is active");
});

on_both_backends!(rows_are_judged_one_by_one_and_existing_users_are_not_reinvited, |app| async move {
    app.seed_org().await;
    let admin = app.login_admin().await;
    let rows = json!({"invitations": [
        {"email": "gil.green@example.com", "first_name": "Gil", "last_name": "Green", "workspace": "Alpha", "groups": ["Alpha Team"]},
        {"email": "ann.archer@example.com", "first_name": "Ann", "last_name": "Again", "workspace": "Alpha"},
        {"email": "not-an-email", "workspace": "Alpha"},
        {"email": "hal.hill@example.com", "workspace": "Nowhere"},
        {"email": "ida.ives@example.com", "workspace": "Alpha", "groups": ["No Such Group"]},
        {"email": "GIL.green@example.com", "workspace": "Alpha"},
        {"email": "jo.jones@example.com", "workspace": "beta"}
    ]});
    let (status, body) = invite(&app, &admin, &rows).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r = body["results"].as_array().unwrap();
    let statuses: Vec<&str> = r.iter().map(|x| x["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["invited", "exists", "invalid", "invalid", "invalid", "invalid", "invited"], "{body}");
    assert!(r[2]["reason"].as_str().unwrap().contains("email"), "{body}");
    assert!(r[3]["reason"].as_str().unwrap().contains("Nowhere"), "{body}");
    assert!(r[4]["reason"].as_str().unwrap().contains("No Such Group"), "{body}");
    let gil = user(&app, &admin, "gil.green@example.com").await;
    let (_, detail) = app.get_json(&admin, &format!("/api/v1/users/{}", gil["id"].as_str().unwrap())).await;
    assert!(detail.to_string().contains("Alpha Team"), "{detail}");
    assert_eq!(user(&app, &admin, "ann.archer@example.com").await["status"], "active", "ann untouched");
    assert_eq!(user(&app, &admin, "hal.hill@example.com").await, Value::Null);
    let (status, _) = invite(&app, &admin, &json!({"nobody": []})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = invite(&app, &admin, &json!({"emails": []})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
});

on_both_backends!(inviting_needs_users_invite_and_stays_within_scope, |app| async move {
    let org = app.seed_org().await;
    let viewer = app.login("alpha.admin@example.com", PASSWORD).await;
    let (status, _) = invite(&app, &viewer, &json!({"emails": ["x.y@example.com"]})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "users.view is not enough");
    let admin = crate::support::roles::CustomAdmin {
        email: "beta.inviter@example.com",
        role_name: "Beta Inviter",
        permissions: &[Permission::UsersView, Permission::UsersInvite],
        scope: Some(vec![org.beta]),
        workspaces: vec![org.beta],
    };
    app.add_custom_admin(org.account, admin).await;
    let inviter = app.login("beta.inviter@example.com", PASSWORD).await;
    let rows = json!({"invitations": [
        {"email": "into.alpha@example.com", "workspace": "Alpha"},
        {"email": "into.beta@example.com", "workspace": "Beta"}
    ]});
    let (status, body) = invite(&app, &inviter, &rows).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["results"][0]["status"], "invalid", "{body}");
    assert!(body["results"][0]["reason"].as_str().unwrap().contains("outside your scope"), "{body}");
    assert_eq!(body["results"][1]["status"], "invited", "{body}");
    let res = app.post_json(&inviter, &format!("/api/v1/users/{}/resend-invitation", org.eve), &json!({})).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED, "eve is invited, in Beta");
});

on_both_backends!(an_expired_invitation_link_gets_a_clear_410_page, |app| async move {
    app.seed_org().await;
    let admin = app.login_admin().await;
    invite(&app, &admin, &json!({"emails": ["too.late@example.com"]})).await;
    let token = invitation_token(&app, "too.late@example.com").await;
    let expire = "UPDATE user_tokens SET expires_at = 1 WHERE purpose = 'invitation'";
    match &app.db {
        store::Db::Sqlite(pool) => sqlx::query(expire).execute(pool).await.map(|_| ()),
        store::Db::Pg(pool) => sqlx::query(expire).execute(pool).await.map(|_| ()),
    }
    .expect("expire the link");
    let res = app.get(&client(), &format!("/invitations/accept?token={token}")).await;
    assert_eq!(res.status(), StatusCode::GONE);
    assert!(res.text().await.unwrap().contains("expired"), "the page says why");
    assert_eq!(accept(&app, &client(), &token, PASSWORD).await.status(), StatusCode::GONE);
    assert_eq!(user(&app, &admin, "too.late@example.com").await["status"], "invited");
});
