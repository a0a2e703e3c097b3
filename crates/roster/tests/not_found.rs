//! A 404 names what was not found — user, group, admin role, session — in problem+json and
//! on the page, instead of one sentence about users for everything.

use crate::on_both_backends;
use reqwest::StatusCode;
use uuid::Uuid;

on_both_backends!(a_404_names_what_was_not_found, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let nobody = Uuid::now_v7();
    for (path, noun) in [
        (format!("/api/v1/users/{nobody}"), "no such user"),
        (format!("/api/v1/groups/{nobody}"), "no such group"),
        (format!("/api/v1/admin-roles/{nobody}"), "no such admin role"),
    ] {
        let (status, body) = app.get_json(&root, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(body["detail"], noun, "{path}: {body}");
    }
    let (status, body) =
        app.send(&root, reqwest::Method::DELETE, &format!("/api/v1/users/{}/sessions/{nobody}", org.ann), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["detail"], "no such session", "{body}");

    // The groups page, asked to delete a group that is not there, says which thing is missing.
    let page = app.get(&root, "/admin/groups").await.text().await.unwrap();
    let marker = "name=\"csrf\" value=\"";
    let start = page.find(marker).unwrap() + marker.len();
    let csrf = page[start..].split('"').next().unwrap().to_owned();
    let res = root
        .post(app.url(&format!("/admin/groups/{nobody}/delete")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let text = res.text().await.unwrap();
    assert!(text.contains("no such group"), "{text}");
    assert!(!text.contains("no such user"), "{text}");
});
