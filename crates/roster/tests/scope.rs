//! Permission and workspace scope: every request goes through one authz module.

use crate::on_both_backends;
use crate::support::app::{PASSWORD, emails};
use reqwest::StatusCode;

on_both_backends!(a_scoped_admin_sees_only_users_sharing_a_workspace, |app| async move {
    let org = app.seed_org().await;
    let c = app.login("alpha.admin@example.com", PASSWORD).await;
    let mut seen = emails(&app.list_all(&c, "").await);
    seen.sort();
    assert_eq!(
        seen,
        ["alpha.admin@example.com", "ann.archer@example.com", "cat.cooper@example.com", "dan.dunn@example.com"]
    );
    let (status, _) = app.get_json(&c, &format!("/api/v1/users/{}", org.cat)).await;
    assert_eq!(status, StatusCode::OK, "cat shares Alpha");
    let (status, body) = app.get_json(&c, &format!("/api/v1/users/{}", org.bob)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "bob is only in Beta: {body}");
    let (status, _) = app.get_json(&c, &format!("/api/v1/users/{}", org.admin)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the root admin is only in Default");
    // Filtering on a workspace outside the scope shows nobody rather than leaking.
    let beta_only = app.list_all(&c, &format!("workspace={}", org.beta)).await;
    assert_eq!(emails(&beta_only), ["cat.cooper@example.com"]);
    let page = app.get(&c, &format!("/admin/users/{}", org.bob)).await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    let list_page = app.get(&c, "/admin/users?limit=100").await.text().await.unwrap();
    assert!(!list_page.contains("bob.baker@example.com") && list_page.contains("ann.archer@example.com"));
});

on_both_backends!(nothing_crosses_accounts, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let (status, _) = app.get_json(&root, &format!("/api/v1/users/{}", org.outsider)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let outsider = app.login("outsider@other.example", PASSWORD).await;
    let theirs = emails(&app.list_all(&outsider, "").await);
    assert_eq!(theirs, ["outsider@other.example"]);
    let (status, _) = app.get_json(&outsider, &format!("/api/v1/users/{}", org.ann)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.get_json(&outsider, &format!("/api/v1/users?workspace={}", org.alpha)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(app.list_all(&outsider, &format!("workspace={}", org.alpha)).await.is_empty());
});

on_both_backends!(admins_without_users_view_and_members_get_403, |app| async move {
    let org = app.seed_org().await;
    for email in ["auditor@example.com", "member@example.com"] {
        let c = app.login(email, PASSWORD).await;
        let (status, body) = app.get_json(&c, "/api/v1/users").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}");
        assert!(body["detail"].as_str().unwrap().contains("users.view"), "{body}");
        let (status, _) = app.get_json(&c, &format!("/api/v1/users/{}", org.ann)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}");
        assert_eq!(app.get(&c, "/admin/users").await.status(), StatusCode::FORBIDDEN);
        // Their own identity still works.
        assert_eq!(app.get_json(&c, "/api/v1/me").await.0, StatusCode::OK);
    }
});

on_both_backends!(requests_without_a_session_get_401, |app| async move {
    let org = app.seed_org().await;
    let anon = crate::support::app::client();
    for path in ["/api/v1/users".to_owned(), format!("/api/v1/users/{}", org.ann), "/api/v1/me".to_owned()] {
        let res = app.get(&anon, &path).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
    }
});

/// Switches `c`'s session through the console's switcher to `workspace` ("all" or an id).
async fn switch(app: &crate::support::app::TestApp, c: &reqwest::Client, workspace: &str) -> StatusCode {
    let html = app.get(c, "/admin/users").await.text().await.unwrap();
    let csrf = crate::list_bulk_pages::csrf_of(&html);
    let form = [("csrf", csrf.as_str()), ("workspace", workspace), ("back", "/admin/users")];
    c.post(app.url("/me/workspace")).form(&form).send().await.unwrap().status()
}

/// The workspace named by the newest `user.suspended` event (`None`: all workspaces).
async fn suspended_for(app: &crate::support::app::TestApp, root: &reqwest::Client) -> serde_json::Value {
    let (_, events) = app.get_json(root, "/api/v1/audit?action=user.suspended&limit=1").await;
    events["items"][0]["workspace"].clone()
}

on_both_backends!(an_account_wide_admin_may_act_for_all_workspaces_and_a_scoped_one_may_not, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let html = app.get(&root, "/admin/users").await.text().await.unwrap();
    assert!(html.contains("<option value=\"all\" >All workspaces</option>"), "offered, not chosen: {html}");
    // Acting in a workspace, an action is recorded for it; acting for all, for none.
    let suspend = |id| format!("/api/v1/users/{id}/suspend");
    assert!(app.send(&root, reqwest::Method::POST, &suspend(org.ann), None).await.0.is_success());
    assert!(suspended_for(&app, &root).await["id"].is_string(), "acts in its first workspace");
    assert_eq!(switch(&app, &root, "all").await, StatusCode::SEE_OTHER);
    let html = app.get(&root, "/admin/users").await.text().await.unwrap();
    assert!(html.contains("<option value=\"all\" selected>All workspaces</option>"), "{html}");
    assert!(app.send(&root, reqwest::Method::POST, &suspend(org.bob), None).await.0.is_success());
    assert_eq!(suspended_for(&app, &root).await, serde_json::Value::Null, "for all workspaces");
    // Back to one workspace.
    assert_eq!(switch(&app, &root, &org.default_ws.to_string()).await, StatusCode::SEE_OTHER);
    let html = app.get(&root, "/admin/users").await.text().await.unwrap();
    assert!(html.contains("<option value=\"all\" >All workspaces</option>"), "{html}");
    // A workspace-scoped admin is not offered it, and is refused it.
    let scoped = app.login("alpha.admin@example.com", PASSWORD).await;
    let html = app.get(&scoped, "/admin/users").await.text().await.unwrap();
    assert!(!html.contains("All workspaces</option>"), "{html}");
    assert_eq!(switch(&app, &scoped, "all").await, StatusCode::FORBIDDEN);
});
