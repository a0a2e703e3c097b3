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
