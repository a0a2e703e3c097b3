//! A token and its creator (issue 14): a token holding `sessions.kill` still cannot end its
//! creator's sessions; a token whose creator is suspended shows `inactive` and is refused
//! like an unknown one until the creator is active again (a locked creator's keeps working); `api_token.created` records the
//! token's permissions and workspace scope. On both backends.

use crate::api_tokens::ops_admin;
use crate::on_both_backends;
use crate::support::app::{PASSWORD, TestApp};
use domain::permission::Permission;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A token made by `c`: (secret, id).
async fn token(app: &TestApp, c: &reqwest::Client, body: Value) -> (String, String) {
    let (status, body) = app.send(c, Method::POST, "/api/v1/api-tokens", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (body["secret"].as_str().expect("secret").to_owned(), body["id"].as_str().expect("id").to_owned())
}

/// `method path` with only the bearer token: (status, body or null).
async fn with_token(app: &TestApp, secret: &str, method: Method, path: &str) -> (StatusCode, Value) {
    let res = reqwest::Client::new().request(method, app.url(path)).bearer_auth(secret).send().await.expect("request");
    (res.status(), res.json().await.unwrap_or(Value::Null))
}

/// The status the token list gives token `id`, as `c` sees it.
async fn listed_status(app: &TestApp, c: &reqwest::Client, id: &str) -> String {
    let (_, list) = app.get_json(c, "/api/v1/api-tokens").await;
    let item = list["items"].as_array().expect("items").iter().find(|t| t["id"] == id).expect("listed").clone();
    item["status"].as_str().expect("status").to_owned()
}

on_both_backends!(a_token_cannot_end_its_creators_sessions_but_ends_others, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let ann = app.login("ann.archer@example.com", PASSWORD).await;
    let body = json!({"name": "sessions", "expires_in_days": 1, "permissions": ["users.view", "sessions.view", "sessions.kill"]});
    let (secret, _) = token(&app, &root, body).await;
    let (_, mine) = app.get_json(&root, "/api/v1/me/sessions").await;
    let sid = mine["items"][0]["id"].as_str().expect("root's session").to_owned();

    // The creator's sessions: one or all, both refused with 403 naming the rule.
    for path in [format!("/api/v1/users/{}/sessions/{sid}", org.admin), format!("/api/v1/users/{}/sessions", org.admin)]
    {
        let (status, problem) = with_token(&app, &secret, Method::DELETE, &path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {problem}");
        assert!(problem["detail"].as_str().unwrap_or_default().contains("creator's own sessions"), "{problem}");
    }
    // The creator is still signed in; the token may list those sessions.
    assert_eq!(app.get(&root, "/api/v1/me").await.status(), StatusCode::OK);
    let (status, _) = with_token(&app, &secret, Method::GET, &format!("/api/v1/users/{}/sessions", org.admin)).await;
    assert_eq!(status, StatusCode::OK);

    // Another user's sessions end: the refusal is about the creator, not the permission.
    let (status, ended) =
        with_token(&app, &secret, Method::DELETE, &format!("/api/v1/users/{}/sessions", org.ann)).await;
    assert_eq!(status, StatusCode::OK, "{ended}");
    assert_eq!(ended["ended"], 1);
    assert_eq!(app.get(&ann, "/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);
});

on_both_backends!(a_suspended_creators_token_is_inactive_and_refused_a_locked_ones_works, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let (_, ops_id, c) = ops_admin(&app, &org, &[Permission::UsersView, Permission::TokensManage], None).await;
    let (secret, id) =
        token(&app, &c, json!({"name": "ops", "expires_in_days": 1, "permissions": ["users.view"]})).await;
    assert_eq!(with_token(&app, &secret, Method::GET, "/api/v1/users").await.0, StatusCode::OK);
    assert_eq!(listed_status(&app, &root, &id).await, "active");

    // Suspended: the list says inactive and the token gets the one 401 of a refused token.
    let (status, _) = app.send(&root, Method::POST, &format!("/api/v1/users/{ops_id}/suspend"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(listed_status(&app, &root, &id).await, "inactive");
    let res = reqwest::Client::new().get(app.url("/api/v1/users")).bearer_auth(&secret).send().await.expect("request");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.headers()["www-authenticate"], "Bearer error=\"invalid_token\"");
    // Locked (too many failed sign-ins, which anyone can type): the token keeps working — a
    // lock stops password guessing, it must not be a way to cut off an integration.
    let (status, _) = app.send(&root, Method::POST, &format!("/api/v1/users/{ops_id}/activate"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(listed_status(&app, &root, &id).await, "active");
    assert_eq!(with_token(&app, &secret, Method::GET, "/api/v1/users").await.0, StatusCode::OK);
    for _ in 0..5 {
        let wrong = json!({"email": "ops@example.com", "password": "Wrong-Horse-0"});
        app.post_json(&crate::support::app::client(), "/api/v1/auth/login", &wrong).await;
    }
    let (_, ops_now) = app.get_json(&root, &format!("/api/v1/users/{ops_id}")).await;
    assert_eq!(ops_now["status"], "locked", "{ops_now}");
    assert_eq!(listed_status(&app, &root, &id).await, "active");
    assert_eq!(with_token(&app, &secret, Method::GET, "/api/v1/users").await.0, StatusCode::OK);

    // Deleted: the token is revoked with its creator, for good.
    let (status, _) = app.send(&root, Method::DELETE, &format!("/api/v1/users/{ops_id}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(listed_status(&app, &root, &id).await, "revoked");
    assert_eq!(with_token(&app, &secret, Method::GET, "/api/v1/users").await.0, StatusCode::UNAUTHORIZED);
});

on_both_backends!(the_created_event_records_the_tokens_permissions_and_scope, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let body = json!({"name": "scoped", "expires_in_days": 7, "permissions": ["users.view", "groups.manage"],
                      "workspaces": [org.alpha, org.beta]});
    let (_, scoped) = token(&app, &root, body).await;
    let (_, everywhere) =
        token(&app, &root, json!({"name": "everywhere", "expires_in_days": 7, "permissions": ["audit.view"]})).await;

    let (_, log) = app.get_json(&root, "/api/v1/audit?action=api_token.created").await;
    let event = |id: &str| {
        log["items"].as_array().expect("items").iter().find(|e| e["details"]["api_token_id"] == id).expect(id).clone()
    };
    let details = event(&scoped)["details"].clone();
    assert_eq!(details["permissions"], json!(["users.view", "groups.manage"]), "{details}");
    let mut scope: Vec<String> =
        details["scope"].as_array().expect("workspace ids").iter().map(|w| w.as_str().unwrap().to_owned()).collect();
    scope.sort();
    let mut expected = vec![org.alpha.to_string(), org.beta.to_string()];
    expected.sort();
    assert_eq!(scope, expected, "{details}");
    let details = event(&everywhere)["details"].clone();
    assert_eq!(details["permissions"], json!(["audit.view"]), "{details}");
    assert_eq!(details["scope"], "all", "{details}");
});
