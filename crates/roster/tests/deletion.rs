//! Deleting users: refused for bot owners and the Primary Master Admin, soft delete that
//! ends sessions and hides the user at once, restore, workspace-scoped removal, and purge.

use crate::on_both_backends;
use crate::support::app::{PASSWORD, client};
use crate::support::roles::CustomAdmin;
use domain::bot::BotRole;
use domain::ids::BotId;
use domain::permission::Permission;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn delete(
    app: &crate::support::app::TestApp,
    c: &reqwest::Client,
    id: impl std::fmt::Display,
) -> (StatusCode, Value) {
    let res = c.delete(app.url(&format!("/api/v1/users/{id}"))).send().await.expect("request");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

on_both_backends!(delete_is_refused_while_the_user_owns_a_bot_and_names_it, |app| async move {
    let org = app.seed_org().await;
    let admin = app.login_admin().await;
    let now = app::clock::now();
    store::bots::create(&app.db, BotId::new(), org.alpha, "Helpdesk Bot", &[(org.ann, BotRole::Owner)], now)
        .await
        .unwrap();
    store::bots::create(&app.db, BotId::new(), org.alpha, "Sales Bot", &[(org.ann, BotRole::Owner)], now)
        .await
        .unwrap();
    let (status, body) = delete(&app, &admin, org.ann).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("Helpdesk Bot") && detail.contains("Sales Bot"), "{detail}");
    assert!(detail.contains("Transfer Ownership"), "{detail}");
    assert_eq!(app.get_json(&admin, &format!("/api/v1/users/{}", org.ann)).await.0, StatusCode::OK);
});

on_both_backends!(the_primary_master_admin_is_never_deletable, |app| async move {
    let org = app.seed_org().await;
    let admin = app.login_admin().await;
    let (status, body) = delete(&app, &admin, org.admin).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["detail"].as_str().unwrap().contains("Primary Master Admin"), "{body}");
});

on_both_backends!(a_deleted_user_is_gone_from_list_and_sign_in_with_sessions_ended_until_restored, |app| async move {
    let org = app.seed_org().await;
    let admin = app.login_admin().await;
    let ann = app.login("ann.archer@example.com", PASSWORD).await;
    let (status, _) = delete(&app, &admin, org.ann).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.get_json(&ann, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED, "sessions end at once");
    let listed = crate::support::app::emails(&app.list_all(&admin, "").await);
    assert!(!listed.contains(&"ann.archer@example.com".to_owned()), "{listed:?}");
    assert_eq!(app.get_json(&admin, &format!("/api/v1/users/{}", org.ann)).await.0, StatusCode::NOT_FOUND);
    let res = app
        .post_json(&client(), "/api/v1/auth/login", &json!({"email": "ann.archer@example.com", "password": PASSWORD}))
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let (status, _) = delete(&app, &admin, org.ann).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "already deleted");

    let res = app.post_json(&admin, &format!("/api/v1/users/{}/restore", org.ann), &json!({})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let listed = crate::support::app::emails(&app.list_all(&admin, "").await);
    assert!(listed.contains(&"ann.archer@example.com".to_owned()));
    app.login("ann.archer@example.com", PASSWORD).await;
    let res = app.post_json(&admin, &format!("/api/v1/users/{}/restore", org.ann), &json!({})).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "nothing to restore");
    let (_, audit) = app.get_json(&admin, &format!("/api/v1/audit?target={}", org.ann)).await;
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"user.deleted") && actions.contains(&"user.restored"), "{actions:?}");
});

on_both_backends!(a_workspace_admin_removes_the_user_from_their_workspaces_only, |app| async move {
    let org = app.seed_org().await;
    let perms = [Permission::UsersView, Permission::UsersDelete];
    let admin = CustomAdmin {
        email: "alpha.deleter@example.com",
        role_name: "Alpha Deleter",
        permissions: &perms,
        scope: Some(vec![org.alpha]),
        workspaces: vec![org.alpha],
    };
    app.add_custom_admin(org.account, admin).await;
    let scoped = app.login("alpha.deleter@example.com", PASSWORD).await;
    let (status, body) = delete(&app, &scoped, org.cat).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["deleted"], false);
    assert_eq!(body["removed_from_workspaces"], json!([org.alpha]));
    let master = app.login_admin().await;
    let (status, cat) = app.get_json(&master, &format!("/api/v1/users/{}", org.cat)).await;
    assert_eq!(status, StatusCode::OK, "cat is not deleted");
    let names: Vec<&str> = cat["workspaces"].as_array().unwrap().iter().filter_map(|w| w["name"].as_str()).collect();
    assert_eq!(names, ["Beta"]);
    assert!(cat["groups"].as_array().unwrap().is_empty(), "Alpha's groups go too: {cat}");
    let (status, _) = delete(&app, &scoped, org.bob).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "bob is outside Alpha");
    let res = app.post_json(&scoped, &format!("/api/v1/users/{}/restore", org.cat), &json!({})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "only account-wide admins restore");
});

on_both_backends!(purge_removes_users_past_retention_and_keeps_the_email_in_the_audit_log, |app| async move {
    let org = app.seed_org().await;
    let admin = app.login_admin().await;
    assert_eq!(delete(&app, &admin, org.ann).await.0, StatusCode::NO_CONTENT);
    assert_eq!(delete(&app, &admin, org.bob).await.0, StatusCode::NO_CONTENT);
    let now = app::clock::now();
    assert_eq!(app::deletion::purge_expired(&app.ctx, now).await.unwrap(), 0, "within retention");
    let later = now + app::deletion::RETENTION + app::clock::HOUR;
    assert_eq!(app::deletion::purge_expired(&app.ctx, later).await.unwrap(), 2);
    assert!(store::deletion::find_deleted(&app.db, org.account, org.ann).await.unwrap().is_none());
    let res = app.post_json(&admin, &format!("/api/v1/users/{}/restore", org.ann), &json!({})).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "purged for good");
    let (_, audit) = app.get_json(&admin, "/api/v1/audit?action=user.purged").await;
    let details = audit.to_string();
    assert!(details.contains("ann.archer@example.com") && details.contains("bob.baker@example.com"), "{audit}");
});
