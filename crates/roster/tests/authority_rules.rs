//! Authority over the target (issue 10.1), case by case through the API on both backends:
//! an admin acts only on users whose authority lies within their own, manages only roles
//! within it, never changes their own standing, and a request that changes nothing writes
//! nothing. (The generated matrix in `authority.rs` covers every route by status class.)

use crate::on_both_backends;
use crate::support::app::{PASSWORD, TestApp};
use crate::support::roles::CustomAdmin;
use domain::ids::UserId;
use domain::permission::Permission;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

async fn status_of(app: &TestApp, root: &Client, user: UserId) -> String {
    let (_, body) = app.get_json(root, &format!("/api/v1/users/{user}")).await;
    body["status"].as_str().unwrap_or_default().to_owned()
}

async fn newest_event(app: &TestApp, root: &Client) -> Value {
    let (status, body) = app.get_json(root, "/api/v1/audit?limit=1").await;
    assert_eq!(status, StatusCode::OK);
    body["items"][0]["id"].clone()
}

async fn etag(app: &TestApp, c: &Client, user: UserId) -> String {
    let res = app.get(c, &format!("/api/v1/users/{user}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.headers()["etag"].to_str().expect("etag").to_owned()
}

async fn patch(app: &TestApp, c: &Client, user: UserId, body: &Value) -> (StatusCode, Value) {
    let tag = etag(app, c, user).await;
    let res = c
        .patch(app.url(&format!("/api/v1/users/{user}")))
        .header("If-Match", tag)
        .json(body)
        .send()
        .await
        .expect("patch");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// A Master Admin named Mara Master, a user of workspace Alpha.
async fn master_admin(app: &TestApp, org: &crate::support::org::Org, email: &'static str) -> UserId {
    app.add_master_admin(org.account, email, ("Mara", "Master"), vec![org.alpha]).await
}

on_both_backends!(admins_act_only_on_users_within_their_authority, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let mara = master_admin(&app, &org, "mara@example.com").await;
    let ops = CustomAdmin {
        email: "ops@example.com",
        role_name: "Alpha Ops",
        permissions: &Permission::ALL,
        scope: Some(vec![org.alpha]),
        workspaces: vec![org.alpha],
    };
    app.add_custom_admin(org.account, ops).await;
    let ops = app.login("ops@example.com", PASSWORD).await;

    // A workspace admin holding every permission still does not reach a Master Admin who
    // shares the workspace: suspending, resetting, renaming and re-roling are refused.
    let (status, body) = app.send(&ops, Method::POST, &format!("/api/v1/users/{mara}/suspend"), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("Mara Master acts on workspaces outside your scope")));
    assert_eq!(status_of(&app, &root, mara).await, "active");
    let (status, _) = app.send(&ops, Method::POST, &format!("/api/v1/users/{mara}/reset-password"), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = patch(&app, &ops, mara, &json!({"first_name": "Renamed"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.send(&ops, Method::DELETE, &format!("/api/v1/users/{mara}/sessions"), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Reading her is fine; a member of Alpha is within the workspace admin's authority.
    let (status, _) = app.get_json(&ops, &format!("/api/v1/users/{mara}")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.send(&ops, Method::POST, &format!("/api/v1/users/{}/suspend", org.ann), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    // An account-wide role lacking a permission the target's role holds.
    let helpdesk = CustomAdmin {
        email: "helpdesk@example.com",
        role_name: "Helpdesk",
        permissions: &[Permission::UsersView, Permission::UsersManage],
        scope: None,
        workspaces: vec![org.default_ws],
    };
    app.add_custom_admin(org.account, helpdesk).await;
    let helpdesk = app.login("helpdesk@example.com", PASSWORD).await;
    let (status, body) =
        app.send(&helpdesk, Method::POST, &format!("/api/v1/users/{}/suspend", org.auditor), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["detail"], "Aud Itor holds permissions you do not hold: audit.view");
    assert_eq!(status_of(&app, &root, org.auditor).await, "active");

    // A Master Admin does not act on the Primary Master Admin.
    let mara_client = app.login("mara@example.com", PASSWORD).await;
    for (method, path) in [
        (Method::POST, format!("/api/v1/users/{}/reset-password", org.admin)),
        (Method::DELETE, format!("/api/v1/users/{}/sessions", org.admin)),
    ] {
        let (status, body) = app.send(&mara_client, method, &path, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        assert!(body["detail"].as_str().is_some_and(|d| d.contains("is the Primary Master Admin")), "{body}");
    }
    let (status, _) = patch(&app, &mara_client, org.admin, &json!({"first_name": "Renamed"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
});

on_both_backends!(an_out_of_scope_user_is_absent_from_group_routes_too, |app| async move {
    let org = app.seed_org().await;
    let groups = CustomAdmin {
        email: "groups@example.com",
        role_name: "Alpha Groups",
        permissions: &[Permission::UsersView, Permission::GroupsManage],
        scope: Some(vec![org.alpha]),
        workspaces: vec![org.alpha],
    };
    app.add_custom_admin(org.account, groups).await;
    let c = app.login("groups@example.com", PASSWORD).await;
    let team = org.alpha_team;
    let (outside, _) = app.send(&c, Method::PUT, &format!("/api/v1/groups/{team}/members/{}", org.bob), None).await;
    let (absent, _) =
        app.send(&c, Method::PUT, &format!("/api/v1/groups/{team}/members/{}", UserId::new()), None).await;
    assert_eq!((outside, absent), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    let (status, _) = app.send(&c, Method::PUT, &format!("/api/v1/groups/{team}/members/{}", org.cat), None).await;
    assert!(status.is_success(), "an in-scope user joins: {status}");
});

on_both_backends!(roles_are_managed_and_granted_only_within_ones_authority, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let (status, wide) = app
        .send(
            &root,
            Method::POST,
            "/api/v1/admin-roles",
            Some(json!({"name": "Wide Viewer", "permissions": ["users.view"], "scope": "all"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{wide}");
    let wide = wide["id"].as_str().expect("id").to_owned();
    let narrow = CustomAdmin {
        email: "roles@example.com",
        role_name: "Alpha Roles",
        permissions: &[Permission::UsersView, Permission::RolesManage],
        scope: Some(vec![org.alpha]),
        workspaces: vec![org.alpha],
    };
    app.add_custom_admin(org.account, narrow).await;
    let narrow = app.login("roles@example.com", PASSWORD).await;
    // A workspace-scoped roles.manage holder neither narrows nor deletes an all-workspaces role.
    let (status, body) = app
        .send(&narrow, Method::PATCH, &format!("/api/v1/admin-roles/{wide}"), Some(json!({"scope": [org.alpha]})))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("acts on workspaces outside your scope")), "{body}");
    let (status, _) = app.send(&narrow, Method::DELETE, &format!("/api/v1/admin-roles/{wide}"), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The roles page offers rename and delete only for roles within the admin's authority.
    let html = app.get(&narrow, "/admin/roles").await.text().await.expect("page");
    assert!(!html.contains(&format!("/admin/roles/{wide}/rename")), "no controls for a wider role");
    assert!(html.contains(&format!("/admin/roles/{}/rename", org.alpha_admin_role)), "controls for one within");
    let (status, role) = app.get_json(&root, &format!("/api/v1/admin-roles/{wide}")).await;
    assert_eq!((status, role["scope"].clone()), (StatusCode::OK, json!("all")), "unchanged");

    // Master Admin under another name: minted and granted only by the Primary Master Admin.
    master_admin(&app, &org, "mara@example.com").await;
    let mara_client = app.login("mara@example.com", PASSWORD).await;
    let all: Vec<&str> = Permission::ALL.iter().map(|p| p.as_str()).collect();
    let boss = json!({"name": "Boss", "permissions": all, "scope": "all"});
    let (status, body) = app.send(&mara_client, Method::POST, "/api/v1/admin-roles", Some(boss.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("only the Primary Master Admin")), "{body}");
    let (status, created) = app.send(&root, Method::POST, "/api/v1/admin-roles", Some(boss)).await;
    assert_eq!(status, StatusCode::CREATED);
    let boss = created["id"].clone();
    // The profile editor offers Mara only the roles she may grant.
    let html = app.get(&mara_client, &format!("/admin/users/{}", org.cat)).await.text().await.expect("page");
    let option = |id: &str| format!("<option value=\"{id}\"");
    assert!(html.contains(&option(&org.alpha_admin_role.to_string())), "a custom role within hers is offered");
    assert!(!html.contains(&option(boss.as_str().expect("id"))), "Master Admin under another name is not offered");
    let (status, _) = patch(&app, &mara_client, org.ann, &json!({"admin_role_id": boss})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = patch(&app, &root, org.ann, &json!({"admin_role_id": boss})).await;
    assert_eq!(status, StatusCode::OK);
    // ... and revoked only by them.
    let (status, _) = patch(&app, &mara_client, org.ann, &json!({"admin_role_id": null})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
});

on_both_backends!(nobody_changes_their_own_standing_through_admin_actions, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let mara = master_admin(&app, &org, "mara@example.com").await;
    let c = app.login("mara@example.com", PASSWORD).await;
    let before = newest_event(&app, &root).await;
    for body in [json!({"builder_access": "builder_and_create"}), json!({"admin_role_id": null})] {
        let (status, problem) = patch(&app, &c, mara, &body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}: {problem}");
        assert!(problem["detail"].as_str().is_some_and(|d| d.starts_with("you cannot change your own")), "{problem}");
    }
    for (method, path) in [
        (Method::POST, format!("/api/v1/users/{mara}/suspend")),
        (Method::POST, format!("/api/v1/users/{mara}/unlock")),
        (Method::DELETE, format!("/api/v1/users/{mara}")),
    ] {
        let (status, problem) = app.send(&c, method, &path, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {problem}");
    }
    assert_eq!(newest_event(&app, &root).await, before, "nothing was written");
    let (_, me) = app.get_json(&root, &format!("/api/v1/users/{mara}")).await;
    assert_eq!((me["builder_access"].as_str(), me["status"].as_str()), (Some("none"), Some("active")));
    // Their own name is theirs to fix.
    let (status, _) = patch(&app, &c, mara, &json!({"first_name": "Marah"})).await;
    assert_eq!(status, StatusCode::OK);
});

on_both_backends!(a_request_that_changes_nothing_writes_nothing_and_says_so, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let before = newest_event(&app, &root).await;
    let (_, primary) = app.get_json(&root, &format!("/api/v1/users/{}", org.admin)).await;
    let (status, body) = patch(&app, &root, org.admin, &json!({"admin_role_id": null})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["version"].clone(), body["changed"].clone()), (primary["version"].clone(), json!(false)));
    let (status, body) =
        patch(&app, &root, org.ann, &json!({"first_name": "Ann", "groups": [org.alpha_team.to_string()]})).await;
    assert_eq!((status, body["changed"].clone()), (StatusCode::OK, json!(false)), "{body}");
    let role = format!("/api/v1/admin-roles/{}", org.alpha_admin_role);
    let (status, _) = app.send(&root, Method::PATCH, &role, Some(json!({"name": "Alpha Admin"}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(newest_event(&app, &root).await, before, "no empty user.updated or role.updated event");
    let (status, body) = patch(&app, &root, org.ann, &json!({"first_name": "Annie"})).await;
    assert_eq!((status, body["changed"].clone()), (StatusCode::OK, json!(true)));
    assert_ne!(newest_event(&app, &root).await, before);
});
