//! Admin roles API: create, edit, delete only when unused; no privilege escalation; the
//! built-in Master Admin role is fixed.

use crate::on_both_backends;
use crate::support::app::PASSWORD;
use crate::support::roles::CustomAdmin;
use domain::permission::Permission;
use reqwest::{Method, StatusCode};
use serde_json::json;

on_both_backends!(roles_are_created_edited_and_deleted_only_when_unused, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let body =
        json!({"name": "Helpdesk", "permissions": ["users.view", "sessions.kill"], "scope": [org.alpha.to_string()]});
    let (status, role) = app.send(&root, Method::POST, "/api/v1/admin-roles", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{role}");
    let id = role["id"].as_str().unwrap().to_owned();
    assert_eq!(role["scope"], json!([org.alpha.to_string()]));
    let (status, _) = app
        .send(
            &root,
            Method::POST,
            "/api/v1/admin-roles",
            Some(json!({"name": "helpdesk", "permissions": ["users.view"], "scope": "all"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, body) = app
        .send(
            &root,
            Method::POST,
            "/api/v1/admin-roles",
            Some(json!({"name": "Bad", "permissions": ["users.everything"], "scope": "all"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["invalid_params"][0]["name"], "permissions");
    let (status, body) = app
        .send(&root, Method::POST, "/api/v1/admin-roles", Some(json!({"name": "", "permissions": ["users.view"]})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["invalid_params"][0]["name"], "name");
    let (status, body) = app
        .send(
            &root,
            Method::POST,
            "/api/v1/admin-roles",
            Some(json!({"name": "S", "permissions": ["users.view"], "scope": "some"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["invalid_params"][0]["name"], "scope");

    let (status, role) = app
        .send(
            &root,
            Method::PATCH,
            &format!("/api/v1/admin-roles/{id}"),
            Some(json!({"name": "Support", "scope": "all"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{role}");
    assert_eq!(role["name"], "Support");
    assert_eq!(role["scope"], "all");
    assert_eq!(role["permissions"].as_array().unwrap().len(), 2);

    let (status, body) =
        app.send(&root, Method::DELETE, &format!("/api/v1/admin-roles/{}", org.alpha_admin_role), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "alpha.admin holds it");
    assert!(body["detail"].as_str().unwrap().contains("still held by 1 user"), "{body}");
    let (status, _) = app.send(&root, Method::DELETE, &format!("/api/v1/admin-roles/{id}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.get_json(&root, &format!("/api/v1/admin-roles/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let master = store::roles::master_role(&app.db, org.account).await.unwrap().unwrap();
    let (status, _) =
        app.send(&root, Method::PATCH, &format!("/api/v1/admin-roles/{master}"), Some(json!({"name": "Boss"}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the Master Admin role is built in");
    let (status, _) = app.send(&root, Method::DELETE, &format!("/api/v1/admin-roles/{master}"), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (_, audit) = app.get_json(&root, "/api/v1/audit?limit=100").await;
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    for a in ["admin_role.created", "admin_role.updated", "admin_role.deleted"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
});

on_both_backends!(nobody_creates_a_role_beyond_their_own_permissions, |app| async move {
    let org = app.seed_org().await;
    let admin = CustomAdmin {
        email: "role.maker@example.com",
        role_name: "Role Maker",
        permissions: &[Permission::RolesManage, Permission::UsersView],
        scope: Some(vec![org.alpha]),
        workspaces: vec![org.alpha],
    };
    app.add_custom_admin(org.account, admin).await;
    let c = app.login("role.maker@example.com", PASSWORD).await;
    let (status, body) = app.send(&c,
        Method::POST,
        "/api/v1/admin-roles",
        Some(
            json!({"name": "Escalate", "permissions": ["users.view", "audit.view"], "scope": [org.alpha.to_string()]}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["detail"].as_str().unwrap().contains("audit.view"), "{body}");
    let (status, _) = app
        .send(
            &c,
            Method::POST,
            "/api/v1/admin-roles",
            Some(json!({"name": "Wide", "permissions": ["users.view"], "scope": "all"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "nor a wider scope");
    let (status, role) = app
        .send(
            &c,
            Method::POST,
            "/api/v1/admin-roles",
            Some(json!({"name": "Viewer", "permissions": ["users.view"], "scope": [org.alpha.to_string()]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = app
        .send(
            &c,
            Method::PATCH,
            &format!("/api/v1/admin-roles/{}", role["id"].as_str().unwrap()),
            Some(json!({"permissions": ["roles.manage", "settings.manage"]})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let viewer = app.login("alpha.admin@example.com", PASSWORD).await;
    let (status, body) = app.get_json(&viewer, "/api/v1/admin-roles").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["detail"].as_str().unwrap().contains("roles.manage"));
});
