//! Profile edits: `If-Match` optimistic concurrency, the admin-role rules, scope, audit, and
//! handing over the primary role.

use crate::on_both_backends;
use crate::support::app::{PASSWORD, TestApp};
use crate::support::roles::CustomAdmin;
use domain::ids::UserId;
use domain::permission::Permission;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

/// The user's current ETag.
async fn etag(app: &TestApp, c: &Client, user: UserId) -> String {
    let res = app.get(c, &format!("/api/v1/users/{user}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.headers()["etag"].to_str().unwrap().to_owned()
}

/// PATCH with an optional `If-Match`: (status, new ETag, body).
async fn patch(
    app: &TestApp,
    c: &Client,
    user: UserId,
    if_match: Option<&str>,
    body: &Value,
) -> (StatusCode, Option<String>, Value) {
    let mut req = c.patch(app.url(&format!("/api/v1/users/{user}"))).json(body);
    if let Some(tag) = if_match {
        req = req.header("If-Match", tag);
    }
    let res = req.send().await.expect("request");
    let status = res.status();
    let tag = res.headers().get("etag").map(|t| t.to_str().unwrap().to_owned());
    (status, tag, res.json().await.unwrap_or(Value::Null))
}

async fn actions_on(app: &TestApp, c: &Client, user: UserId) -> Vec<Value> {
    let (_, audit) = app.get_json(c, &format!("/api/v1/audit?target={user}")).await;
    audit["items"].as_array().unwrap().clone()
}

on_both_backends!(an_edit_with_the_current_etag_applies_and_is_audited, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let tag = etag(&app, &root, org.ann).await;
    let body = json!({"first_name": "Annie", "builder_access": "builder", "groups": []});
    let (status, new_tag, res) = patch(&app, &root, org.ann, Some(&tag), &body).await;
    assert_eq!(status, StatusCode::OK, "{res}");
    assert_ne!(new_tag.as_deref(), Some(tag.as_str()));
    assert_eq!(new_tag, Some(etag(&app, &root, org.ann).await));
    let (_, ann) = app.get_json(&root, &format!("/api/v1/users/{}", org.ann)).await;
    assert_eq!(ann["first_name"], "Annie");
    assert_eq!(ann["builder_access"], "builder");
    assert!(ann["groups"].as_array().unwrap().is_empty());
    let events = actions_on(&app, &root, org.ann).await;
    let e = events.iter().find(|e| e["action"] == "user.updated").expect("audited");
    assert_eq!(e["details"]["first_name"], json!({"old": "Ann", "new": "Annie"}));
    // Groups come back.
    let tag = etag(&app, &root, org.ann).await;
    let (status, _, _) =
        patch(&app, &root, org.ann, Some(&tag), &json!({"groups": [org.alpha_team.to_string()]})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, ann) = app.get_json(&root, &format!("/api/v1/users/{}", org.ann)).await;
    assert_eq!(ann["groups"][0]["name"], "Alpha Team");
});

on_both_backends!(a_stale_etag_is_412_and_changes_nothing, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let tag = etag(&app, &root, org.ann).await;
    let (status, _, _) = patch(&app, &root, org.ann, Some(&tag), &json!({"last_name": "First"})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, body) = patch(&app, &root, org.ann, Some(&tag), &json!({"last_name": "Second"})).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("someone else changed this user"), "{body}");
    let (_, ann) = app.get_json(&root, &format!("/api/v1/users/{}", org.ann)).await;
    assert_eq!(ann["last_name"], "First", "never a lost update");
    let updates = actions_on(&app, &root, org.ann).await.iter().filter(|e| e["action"] == "user.updated").count();
    assert_eq!(updates, 1);
});

on_both_backends!(a_missing_if_match_is_428_and_email_is_read_only, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let (status, _, _) = patch(&app, &root, org.ann, None, &json!({"first_name": "X"})).await;
    assert_eq!(status, StatusCode::PRECONDITION_REQUIRED);
    let tag = etag(&app, &root, org.ann).await;
    let (status, _, body) = patch(&app, &root, org.ann, Some(&tag), &json!({"email": "new@example.com"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["invalid_params"][0]["name"], "email", "{body}");
    let (status, _, body) = patch(&app, &root, org.ann, Some(&tag), &json!({"builder_access": "god"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["invalid_params"][0]["name"], "builder_access", "{body}");
    // Bob is only in Beta: Alpha Team is not his to join.
    let tag = etag(&app, &root, org.bob).await;
    let (status, _, body) =
        patch(&app, &root, org.bob, Some(&tag), &json!({"groups": [org.alpha_team.to_string()]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["invalid_params"][0]["name"], "groups", "{body}");
    assert_eq!(etag(&app, &root, org.bob).await, tag, "nothing changed");
});

on_both_backends!(only_the_primary_master_admin_grants_master_admin, |app| async move {
    let org = app.seed_org().await;
    let master = store::roles::master_role(&app.db, org.account).await.unwrap().unwrap();
    let second =
        app.add_master_admin(org.account, "second.master@example.com", ("Sec", "Master"), vec![org.default_ws]).await;
    let m = app.login("second.master@example.com", PASSWORD).await;
    let tag = etag(&app, &m, org.ann).await;
    let (status, _, body) = patch(&app, &m, org.ann, Some(&tag), &json!({"admin_role_id": master.to_string()})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("Primary Master Admin"), "{body}");
    // Nor remove it from another Master Admin (themselves included).
    let tag = etag(&app, &m, second).await;
    let (status, _, _) = patch(&app, &m, second, Some(&tag), &json!({"admin_role_id": null})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The primary may.
    let root = app.login_admin().await;
    let tag = etag(&app, &root, org.ann).await;
    let (status, _, body) =
        patch(&app, &root, org.ann, Some(&tag), &json!({"admin_role_id": master.to_string()})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, ann) = app.get_json(&root, &format!("/api/v1/users/{}", org.ann)).await;
    assert_eq!(ann["role_kind"], "master_admin");
    // The primary's own role is not changed here.
    let tag = etag(&app, &root, org.admin).await;
    let (status, _, _) =
        patch(&app, &root, org.admin, Some(&tag), &json!({"admin_role_id": org.alpha_admin_role.to_string()})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
});

on_both_backends!(nobody_grants_a_role_with_permissions_they_lack, |app| async move {
    let org = app.seed_org().await;
    let admin = CustomAdmin {
        email: "manager@example.com",
        role_name: "Manager",
        permissions: &[Permission::UsersView, Permission::UsersManage],
        scope: None,
        workspaces: vec![org.default_ws],
    };
    app.add_custom_admin(org.account, admin).await;
    let auditor_role = app.add_role(org.account, "Log Reader", &[Permission::AuditView], None).await;
    let c = app.login("manager@example.com", PASSWORD).await;
    let tag = etag(&app, &c, org.ann).await;
    let (status, _, body) =
        patch(&app, &c, org.ann, Some(&tag), &json!({"admin_role_id": auditor_role.to_string()})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("audit.view"), "{body}");
    // A role within their own permissions and scope is fine.
    let (status, _, body) =
        patch(&app, &c, org.ann, Some(&tag), &json!({"admin_role_id": org.alpha_admin_role.to_string()})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
});

on_both_backends!(an_admin_scoped_to_beta_cannot_edit_ann, |app| async move {
    let org = app.seed_org().await;
    let admin = CustomAdmin {
        email: "beta.manager@example.com",
        role_name: "Beta Manager",
        permissions: &[Permission::UsersView, Permission::UsersManage],
        scope: Some(vec![org.beta]),
        workspaces: vec![org.beta],
    };
    app.add_custom_admin(org.account, admin).await;
    let root = app.login_admin().await;
    let tag = etag(&app, &root, org.ann).await;
    let c = app.login("beta.manager@example.com", PASSWORD).await;
    let (status, _, _) = patch(&app, &c, org.ann, Some(&tag), &json!({"first_name": "Hacked"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) =
        patch(&app, &c, org.bob, Some(&etag(&app, &c, org.bob).await), &json!({"first_name": "Robert"})).await;
    assert_eq!(status, StatusCode::OK);
    // Without users.manage: 403.
    let viewer = app.login("alpha.admin@example.com", PASSWORD).await;
    let (status, _, _) = patch(&app, &viewer, org.ann, Some(&tag), &json!({"first_name": "X"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(etag(&app, &root, org.ann).await, tag);
});

on_both_backends!(the_primary_hands_over_the_primary_role, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let res = app.post_json(&root, &format!("/api/v1/users/{}/make-primary", org.dan), &json!({})).await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "dan is suspended");
    let cat = app.login("cat.cooper@example.com", PASSWORD).await;
    let res = app.post_json(&cat, &format!("/api/v1/users/{}/make-primary", org.cat), &json!({})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "a member cannot");
    let res = app.post_json(&root, &format!("/api/v1/users/{}/make-primary", org.cat), &json!({})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let (_, c) = app.get_json(&root, &format!("/api/v1/users/{}", org.cat)).await;
    assert_eq!(c["role_kind"], "primary_master_admin");
    let (_, r) = app.get_json(&root, &format!("/api/v1/users/{}", org.admin)).await;
    assert_eq!(r["role_kind"], "master_admin");
    // The old primary can no longer hand it over.
    let res = app.post_json(&root, &format!("/api/v1/users/{}/make-primary", org.ann), &json!({})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let problem: Value = res.json().await.expect("problem+json");
    assert!(problem["detail"].as_str().unwrap_or_default().contains("only the Primary Master Admin"), "{problem}");
    let events = actions_on(&app, &root, org.cat).await;
    assert!(events.iter().any(|e| e["action"] == "user.primary_admin_handed_over"), "{events:?}");
});

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("{name} in the page")) + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

on_both_backends!(the_profile_tab_edits_and_refuses_a_stale_version, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let page = app.get(&root, &format!("/admin/users/{}", org.ann)).await.text().await.unwrap();
    assert!(page.contains("id=\"edit-profile\""), "the edit form shows");
    let (csrf, version) = (hidden(&page, "csrf"), hidden(&page, "version"));
    let form = |first: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("version", version.clone()),
            ("first_name", first.to_owned()),
            ("last_name", "Archer".to_owned()),
            ("builder_access", "builder_and_create".to_owned()),
            (Box::leak(format!("group_{}", org.alpha_team).into_boxed_str()) as &str, "on".to_owned()),
            ("admin_role_id", String::new()),
        ]
    };
    let url = app.url(&format!("/admin/users/{}/edit", org.ann));
    let res = root.post(&url).form(&form("Anna")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()["location"].to_str().unwrap().ends_with("?notice=saved"));
    let (_, ann) = app.get_json(&root, &format!("/api/v1/users/{}", org.ann)).await;
    assert_eq!(ann["first_name"], "Anna");
    assert_eq!(ann["builder_access"], "builder_and_create");
    assert_eq!(ann["groups"].as_array().unwrap().len(), 1);
    // The same (now stale) version again: refused, the current version shown.
    let res = root.post(&url).form(&form("Annabel")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
    let body = res.text().await.unwrap();
    assert!(body.contains("Someone else changed this user; here is the current version"), "{body}");
    assert!(body.contains("value=\"Anna\""));
    let (_, ann) = app.get_json(&root, &format!("/api/v1/users/{}", org.ann)).await;
    assert_eq!(ann["first_name"], "Anna");
});
