//! A request that changes nothing writes no audit event (issue 10 point 1): the whole
//! security settings as they are, SSO switched to the state it has, a group renamed to its
//! own name. Each answers 200 with the unchanged state.

use crate::on_both_backends;
use crate::support::app::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn newest_event(app: &TestApp, c: &reqwest::Client) -> Value {
    let (status, body) = app.get_json(c, "/api/v1/audit?limit=1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"][0].clone()
}

on_both_backends!(requests_that_change_nothing_write_no_audit_event, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let before = newest_event(&app, &root).await;

    let (_, security) = app.get_json(&root, "/api/v1/settings/security").await;
    let (status, body) = app.send(&root, Method::PUT, "/api/v1/settings/security", Some(security.clone())).await;
    assert_eq!((status, &body), (StatusCode::OK, &security), "the settings as they are");

    let (_, sso) = app.get_json(&root, "/api/v1/settings/sso").await;
    let (status, body) = app.send(&root, Method::PUT, "/api/v1/settings/sso", Some(sso.clone())).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let path = format!("/api/v1/groups/{}", org.alpha_team);
    let (_, group) = app.get_json(&root, &path).await;
    let name = group["name"].as_str().expect("a name").to_owned();
    let (status, body) = app.send(&root, Method::PATCH, &path, Some(json!({"name": name}))).await;
    assert_eq!((status, body["name"].as_str()), (StatusCode::OK, Some(name.as_str())), "{body}");

    assert_eq!(newest_event(&app, &root).await["id"], before["id"], "nothing changed, so nothing was audited");

    // A real change is still audited.
    let (status, body) = app.send(&root, Method::PATCH, &path, Some(json!({"name": "Renamed team"}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(newest_event(&app, &root).await["action"], "group.renamed");
});
