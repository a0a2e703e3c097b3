//! Suspend and activate: suspending ends every session at once (and revokes an invited
//! user's invitation); activating gives back a usable state (a fresh invitation for a user
//! who cannot sign in otherwise); illegal moves are 409.

use crate::invitations::invitation_token;
use crate::on_both_backends;
use crate::support::app::{PASSWORD, client};
use domain::ids::AdminRoleId;
use domain::permission::{Permission, Scope};
use reqwest::StatusCode;
use serde_json::json;

on_both_backends!(suspending_ends_every_session_and_blocks_sign_in_until_activated, |app| async move {
    let org = app.seed_org().await;
    let admin = app.login_admin().await;
    let ann = app.login("ann.archer@example.com", PASSWORD).await;
    let ann_phone = app.login("ann.archer@example.com", PASSWORD).await;
    let res = app.post_json(&admin, &format!("/api/v1/users/{}/suspend", org.ann), &json!({})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    for c in [&ann, &ann_phone] {
        assert_eq!(app.get_json(c, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED, "every session ends at once");
    }
    let (_, detail) = app.get_json(&admin, &format!("/api/v1/users/{}", org.ann)).await;
    assert_eq!(detail["status"], "suspended");
    let res = app
        .post_json(&client(), "/api/v1/auth/login", &json!({"email": "ann.archer@example.com", "password": PASSWORD}))
        .await;
    // The 401 of any wrong credential, not a 403 that tells the account exists (issue 10.3).
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let (_, sessions) = app.get_json(&admin, &format!("/api/v1/users/{}/sessions", org.ann)).await;
    assert!(sessions["items"].as_array().unwrap().is_empty());
    assert!(sessions["ended"].as_array().unwrap().iter().all(|s| s["end_cause"] == "suspended"), "{sessions}");
    let res = app.post_json(&admin, &format!("/api/v1/users/{}/activate", org.ann), &json!({})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    app.login("ann.archer@example.com", PASSWORD).await;
    let (_, audit) = app.get_json(&admin, &format!("/api/v1/audit?target={}", org.ann)).await;
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"user.suspended") && actions.contains(&"user.activated"), "{actions:?}");
});

on_both_backends!(illegal_status_changes_are_409_with_the_reason, |app| async move {
    let org = app.seed_org().await;
    let admin = app.login_admin().await;
    let post = |path: String| {
        let admin = admin.clone();
        let app = &app;
        async move {
            let res = app.post_json(&admin, &path, &json!({})).await;
            (res.status(), res.json::<serde_json::Value>().await.unwrap_or_default())
        }
    };
    let (status, body) = post(format!("/api/v1/users/{}/activate", org.ann)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["detail"].as_str().unwrap().contains("cannot activate a user who is active"), "{body}");
    let (status, body) = post(format!("/api/v1/users/{}/suspend", org.dan)).await;
    assert_eq!(status, StatusCode::CONFLICT, "dan is suspended already: {body}");
    assert!(body["detail"].as_str().unwrap().contains("cannot suspend a user who is suspended"), "{body}");
    let (status, body) = post(format!("/api/v1/users/{}/suspend", org.admin)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["detail"].as_str().unwrap().contains("Primary Master Admin"), "{body}");
    let (status, _) = post(format!("/api/v1/users/{}/unlock", org.ann)).await;
    assert_eq!(status, StatusCode::CONFLICT, "ann is not locked");
});

on_both_backends!(suspending_an_invited_user_revokes_the_link_and_activating_sends_a_fresh_one, |app| async move {
    app.seed_org().await;
    let admin = app.login_admin().await;
    let email = "ivan.invited@example.com";
    let res = app.post_json(&admin, "/api/v1/invitations", &json!({"emails": [email]})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.unwrap();
    let id = body["results"][0]["user_id"].as_str().expect("user_id").to_owned();
    let first = invitation_token(&app, email).await;
    let link = |token: String| {
        let app = &app;
        async move { app.get(&client(), &format!("/invitations/accept?token={token}")).await.status() }
    };
    assert_eq!(link(first.clone()).await, StatusCode::OK);

    let res = app.post_json(&admin, &format!("/api/v1/users/{id}/suspend"), &json!({})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get_json(&admin, &format!("/api/v1/users/{id}")).await.1["status"], "suspended");
    assert_eq!(link(first.clone()).await, StatusCode::GONE, "the invitation is revoked");

    let res = app.post_json(&admin, &format!("/api/v1/users/{id}/activate"), &json!({})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get_json(&admin, &format!("/api/v1/users/{id}")).await.1["status"], "invited");
    let second = invitation_token(&app, email).await;
    assert_ne!(second, first);
    assert_eq!(link(second).await, StatusCode::OK, "a fresh invitation");
    assert_eq!(link(first).await, StatusCode::GONE);
    let (_, audit) = app.get_json(&admin, &format!("/api/v1/audit?target={id}")).await;
    let moves: Vec<(&str, &str)> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| matches!(e["action"].as_str(), Some("user.suspended" | "user.activated")))
        .map(|e| (e["details"]["from"].as_str().unwrap_or(""), e["details"]["to"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(moves, [("suspended", "invited"), ("invited", "suspended")], "newest first");
});

on_both_backends!(status_changes_need_users_manage_within_scope, |app| async move {
    let org = app.seed_org().await;
    let viewer = app.login("alpha.admin@example.com", PASSWORD).await;
    let res = app.post_json(&viewer, &format!("/api/v1/users/{}/suspend", org.ann), &json!({})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "users.view is not enough");
    let role = AdminRoleId::new();
    store::roles::create(
        &app.db,
        &store::roles::NewRole {
            id: role,
            account_id: org.account,
            name: "Beta Manager".into(),
            permissions: [Permission::UsersView, Permission::UsersManage].into_iter().collect(),
            scope: Scope::Workspaces([org.beta].into_iter().collect()),
            created_at: app::clock::now(),
        },
    )
    .await
    .unwrap();
    let person = crate::support::org::Person {
        email: "beta.manager@example.com",
        first: "Bea",
        last: "Manager",
        status: domain::user::UserStatus::Active,
        workspaces: vec![org.beta],
        role: Some(role),
    };
    app.add_user(org.account, person).await;
    let manager = app.login("beta.manager@example.com", PASSWORD).await;
    let res = app.post_json(&manager, &format!("/api/v1/users/{}/suspend", org.ann), &json!({})).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "ann is only in Alpha");
    let res = app.post_json(&manager, &format!("/api/v1/users/{}/suspend", org.bob), &json!({})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
});

/// Two instances on one PostgreSQL database: a suspension made through one is refused at
/// the very next request on the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suspension_through_one_instance_is_refused_at_once_on_another() {
    let Some(a) = crate::support::spawn_app(store::Backend::Postgres).await else { return };
    let org = a.seed_org().await;
    let b = a.second_instance().await;
    let ann_on_b = b.login("ann.archer@example.com", PASSWORD).await;
    assert_eq!(b.get_json(&ann_on_b, "/api/v1/me").await.0, StatusCode::OK);
    let admin_on_a = a.login_admin().await;
    let res = a.post_json(&admin_on_a, &format!("/api/v1/users/{}/suspend", org.ann), &json!({})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(b.get_json(&ann_on_b, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
}
