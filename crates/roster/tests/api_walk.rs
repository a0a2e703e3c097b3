//! A fresh reviewer's walk of issue 14 (API tokens, OpenAPI) as a script author would:
//! refusals of token creation are problem+json listing every bad field, change nothing and
//! never answer 5xx; the document describes each operation's refusals and limits. On both
//! backends where a server is involved.

use crate::on_both_backends;
use crate::support::app::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// How many tokens the signed-in `c` sees.
async fn count(app: &TestApp, c: &reqwest::Client) -> usize {
    let (status, list) = app.get_json(c, "/api/v1/api-tokens").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list["items"].as_array().map_or(0, Vec::len)
}

/// The sorted names `invalid_params` lists.
fn refused(body: &Value) -> Vec<String> {
    let mut names: Vec<String> = body["invalid_params"]
        .as_array()
        .map(|ps| ps.iter().filter_map(|p| p["name"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    names.sort();
    names
}

/// POSTs raw `body` as JSON to `/api/v1/api-tokens` with `c`: status, content type, body.
async fn create_raw(app: &TestApp, c: &reqwest::Client, body: &str) -> (StatusCode, String, Value) {
    let res = c
        .post(app.url("/api/v1/api-tokens"))
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("request");
    let status = res.status();
    let ct = res.headers().get("content-type").map(|v| v.to_str().unwrap_or_default().to_owned()).unwrap_or_default();
    let text = res.text().await.unwrap_or_default();
    (status, ct, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

on_both_backends!(every_refused_token_request_is_a_problem_that_changes_nothing, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let before = count(&app, &root).await;

    // Wrong types in every field: each named at once.
    let (status, ct, body) = create_raw(
        &app,
        &root,
        r#"{"name": [], "expires_at": 5, "permissions": "users.view", "workspaces": {"a": 1}}"#,
    )
    .await;
    assert_eq!((status, ct.as_str()), (StatusCode::BAD_REQUEST, "application/problem+json"), "{body}");
    assert_eq!(refused(&body), ["expires_at", "name", "permissions", "workspaces"], "{body}");

    let now = app::clock::now();
    let rfc = app::clock::rfc3339;
    let (minute, day) = (app::clock::MINUTE, app::clock::DAY);
    let cases: Vec<(String, Vec<&str>)> = vec![
        (json!({"name": "x", "expires_in_days": i64::MAX, "permissions": ["users.view"]}).to_string(), vec!["expires_in_days"]),
        (r#"{"name": "x", "expires_in_days": 1e300, "permissions": ["users.view"]}"#.into(), vec!["expires_in_days"]),
        (r#"{"name": "x", "expires_in_days": 99999999999999999999999, "permissions": ["users.view"]}"#.into(), vec!["expires_in_days"]),
        (json!({"name": "x", "expires_in_days": 0, "permissions": ["users.view"]}).to_string(), vec!["expires_in_days"]),
        (json!({"name": "x", "expires_in_days": 366, "permissions": ["users.view"]}).to_string(), vec!["expires_in_days"]),
        (json!({"name": "x", "expires_at": rfc(now - minute), "permissions": ["users.view"]}).to_string(), vec!["expires_at"]),
        (json!({"name": "x", "expires_at": rfc(now + 366 * day), "permissions": ["users.view"]}).to_string(), vec!["expires_at"]),
        (json!({"name": "x", "expires_at": "9999-12-31T23:59:59Z", "permissions": ["users.view"]}).to_string(), vec!["expires_at"]),
        (json!({"name": "x", "expires_at": "0000-01-01", "permissions": ["users.view"]}).to_string(), vec!["expires_at"]),
        (json!({"name": "x", "expires_at": "2027-02-30", "permissions": ["users.view"]}).to_string(), vec!["expires_at"]),
        (json!({"name": "x".repeat(101), "expires_in_days": 3, "permissions": ["users.view"]}).to_string(), vec!["name"]),
        (json!({"name": "a\u{0}b", "expires_in_days": 3, "permissions": ["users.view"]}).to_string(), vec!["name"]),
        (json!({"name": "x", "expires_in_days": 3, "permissions": []}).to_string(), vec!["permissions"]),
        (json!({"name": "x", "expires_in_days": 3, "permissions": [null]}).to_string(), vec!["permissions"]),
        (json!({"name": "x", "expires_in_days": 3, "permissions": ["users.view"], "workspaces": []}).to_string(), vec!["workspaces"]),
        (json!({"name": "x", "expires_in_days": 3, "permissions": ["users.view"], "workspaces": [org.alpha, "nope"]}).to_string(), vec!["workspaces"]),
        (json!({"name": "x", "expires_in_days": 3, "permissions": ["users.view"], "workspaces": [uuid::Uuid::nil()]}).to_string(), vec!["workspaces"]),
    ];
    for (raw, want) in cases {
        let (status, ct, body) = create_raw(&app, &root, &raw).await;
        assert_eq!((status, ct.as_str()), (StatusCode::BAD_REQUEST, "application/problem+json"), "{raw}: {body}");
        assert_eq!(refused(&body), want, "{raw}: {body}");
    }
    // Bodies that are not an object at all: still a problem, not a server error.
    for raw in ["[]", "null", "\"x\"", "7", "{", ""] {
        let (status, ct, body) = create_raw(&app, &root, raw).await;
        assert!(status.is_client_error(), "{raw:?}: {status} {body}");
        assert_eq!(ct, "application/problem+json", "{raw:?}: {status} {body}");
    }
    assert_eq!(count(&app, &root).await, before, "no refused request made a token");

    // Just inside the year: made, with the expiry asked for.
    let at = now + 365 * day - 5 * minute;
    let (status, _, body) = create_raw(
        &app,
        &root,
        &json!({"name": "x", "expires_at": rfc(at), "permissions": ["users.view"]}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(count(&app, &root).await, before + 1);
});

on_both_backends!(revoking_twice_or_an_expired_token_is_answered_and_audited_once, |app| async move {
    app.seed_org().await;
    let root = app.login_admin().await;
    let (status, _, body) = create_raw(
        &app,
        &root,
        &json!({"name": "once", "expires_in_days": 3, "permissions": ["users.view"]}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/api-tokens/{id}");
    let (s1, first) = app.send(&root, Method::DELETE, &path, None).await;
    let (s2, second) = app.send(&root, Method::DELETE, &path, None).await;
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK), "{first} {second}");
    assert_eq!(first["revoked_at"], second["revoked_at"], "the first revocation stands");
    let (_, log) = app.get_json(&root, "/api/v1/audit?action=api_token.revoked").await;
    assert_eq!(log["items"].as_array().map(Vec::len), Some(1), "{log}");
    let (status, body) =
        app.send(&root, Method::DELETE, &format!("/api/v1/api-tokens/{}", uuid::Uuid::now_v7()), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
});

/// Every operation that needs a caller documents 401; every one a token may call documents
/// 429 (per-token rate limit) and 403; every one with a body documents 400 with
/// `invalid_params`; the token body's limits are in the document.
#[test]
fn the_document_names_each_operations_refusals_and_the_token_limits() {
    let doc = serde_json::to_value(web::openapi()).expect("the document serializes");
    let mut missing = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            let public = op["security"] == json!([{}]);
            let session_only = op["security"] == json!([{"session": []}]);
            let responses = op["responses"].as_object().expect("responses");
            let has =
                |code: &str| responses.get(code).is_some_and(|r| r["content"]["application/problem+json"].is_object());
            if !public && !has("401") {
                missing.push(format!("{method} {path}: 401"));
            }
            if !public && !session_only && !has("429") {
                missing.push(format!("{method} {path}: 429"));
            }
            for param in op["parameters"].as_array().into_iter().flatten() {
                let schema = &param["schema"];
                if param["name"] == "limit" && (schema["minimum"].is_null() || schema["maximum"].is_null()) {
                    missing.push(format!("{method} {path}: limit without its bounds {param}"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "undocumented refusals: {missing:#?}");
    let schemas = &doc["components"]["schemas"];
    let body = schemas.as_object().unwrap().iter().find(|(_, s)| s["properties"]["expires_in_days"].is_object());
    let (_, body) = body.expect("the token body is in the document");
    let p = &body["properties"];
    let limits = [
        ("expires_in_days minimum", &p["expires_in_days"]["minimum"], json!(1)),
        ("expires_in_days maximum", &p["expires_in_days"]["maximum"], json!(365)),
        ("name maxLength", &p["name"]["maxLength"], json!(100)),
        ("name minLength", &p["name"]["minLength"], json!(1)),
        ("permissions minItems", &p["permissions"]["minItems"], json!(1)),
        ("workspaces minItems", &p["workspaces"]["minItems"], json!(1)),
        // The server refuses a field it does not know (400): the document must not allow it.
        ("additionalProperties", &body["additionalProperties"], json!(false)),
    ];
    let wrong: Vec<String> = limits
        .iter()
        .filter(|(_, got, want)| *got != want)
        .map(|(what, got, want)| format!("{what}: {got} (want {want})"))
        .collect();
    assert!(wrong.is_empty(), "the token body's limits: {wrong:#?}\n{body}");
}

on_both_backends!(a_token_cannot_change_its_creators_own_sign_in, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let every: Vec<&str> =
        domain::permission::Permission::ALL.iter().map(|p| p.as_str()).filter(|p| *p != "tokens.manage").collect();
    let (status, _, body) =
        create_raw(&app, &root, &json!({"name": "script", "expires_in_days": 3, "permissions": every}).to_string())
            .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let secret = body["secret"].as_str().unwrap().to_owned();
    // The creator's address through the admin route: a leaked token must not move the
    // creator's sign-in (and with it, a password reset) to another mailbox.
    let res = reqwest::Client::new()
        .patch(app.url(&format!("/api/v1/users/{}", org.admin)))
        .bearer_auth(&secret)
        .json(&json!({"email": "thief@elsewhere.example"}))
        .send()
        .await
        .expect("request");
    let status = res.status();
    let text = res.text().await.unwrap_or_default();
    let (_, me) = app.get_json(&root, "/api/v1/me").await;
    assert_eq!(me["email"].as_str().or(me["user"]["email"].as_str()), Some("root@example.com"), "{status} {text} {me}");
    assert!(status.is_client_error(), "{status} {text}");

    // The same for an admin who is not the Primary Master Admin, on their own record.
    use domain::permission::Permission;
    let perms: Vec<Permission> = Permission::ALL.to_vec();
    let (_, ops_id, ops) = crate::api_tokens::ops_admin(&app, &org, &perms, None).await;
    let (status, _, body) = create_raw(
        &app,
        &ops,
        &json!({"name": "ops-script", "expires_in_days": 3, "permissions": ["users.view", "users.manage"]}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let secret = body["secret"].as_str().unwrap().to_owned();
    let res = reqwest::Client::new()
        .patch(app.url(&format!("/api/v1/users/{ops_id}")))
        .bearer_auth(&secret)
        .json(&json!({"email": "thief@elsewhere.example"}))
        .send()
        .await
        .expect("request");
    let status = res.status();
    let text = res.text().await.unwrap_or_default();
    let (_, me) = app.get_json(&ops, "/api/v1/me").await;
    assert_eq!(me["email"].as_str().or(me["user"]["email"].as_str()), Some("ops@example.com"), "{status} {text} {me}");
    assert!(status.is_client_error(), "{status} {text}");
});

on_both_backends!(a_scoped_token_reaches_only_its_workspaces_and_sets_no_cookie, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let (status, _, body) = create_raw(
        &app,
        &root,
        &json!({"name": "alpha-only", "expires_in_days": 3, "permissions": ["users.view", "users.manage", "groups.manage"],
                "workspaces": [org.alpha]})
        .to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["all_workspaces"], false, "{body}");
    let secret = body["secret"].as_str().unwrap().to_owned();
    let call = async |method: Method, path: String, body: Option<Value>| {
        let mut req = reqwest::Client::new().request(method, app.url(&path)).bearer_auth(&secret);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        assert!(res.headers().get("set-cookie").is_none(), "{path}: a bearer request gets no cookie");
        (res.status(), res.text().await.unwrap_or_default())
    };
    // Ann is in Alpha, Bob in Beta: the creator reaches both, the token only Alpha.
    assert_eq!(call(Method::GET, format!("/api/v1/users/{}", org.ann), None).await.0, StatusCode::OK);
    let (status, text) = call(Method::POST, format!("/api/v1/users/{}/suspend", org.bob), None).await;
    assert!(matches!(status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN), "{status} {text}");
    let (_, bob) = app.get_json(&root, &format!("/api/v1/users/{}", org.bob)).await;
    assert_eq!(bob["status"], "active", "{bob}");
    let (status, text) =
        call(Method::POST, "/api/v1/groups".into(), Some(json!({"name": "Beta by token", "workspace_id": org.beta})))
            .await;
    assert!(status.is_client_error(), "{status} {text}");
    let (_, groups) = app.get_json(&root, "/api/v1/groups").await;
    assert!(!groups.to_string().contains("Beta by token"), "{groups}");
    // Refusals through a token set no cookie either.
    let (status, _) = call(Method::POST, "/api/v1/groups".into(), Some(json!({"name": 5}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(call(Method::GET, "/api/v1/api-tokens".into(), None).await.0, StatusCode::FORBIDDEN);
});

// `PUT` and `PATCH /settings/sso` with several fields of the wrong type: each is named at
// once (issue 14, "invalid_params lists every invalid field"), and nothing is saved.
//
// Found by review walk14: when `mapping` could not be read at all, the reading gave up and
// dropped `enabled` and `client_secret` (read by hand in `api::v1::sso::save`) and the
// fields after `mapping`; now the unreadable field is taken out whole and reading goes on.
on_both_backends!(sso_settings_name_every_field_of_the_wrong_type_at_once, |app| async move {
    check(app).await;
});

async fn check(app: TestApp) {
    app.seed_org().await;
    let root = app.login_admin().await;
    let (_, before) = app.get_json(&root, "/api/v1/settings/sso").await;
    let fields =
        ["client_id", "issuer", "enabled", "require_email_verified", "provider_name", "client_secret", "mapping"];
    let mut wrong = Vec::new();
    for m in [Method::PUT, Method::PATCH] {
        for n in 1..=fields.len() {
            let mut body = if m == Method::PUT { before.clone() } else { json!({}) };
            for f in &fields[..n] {
                body[*f] = json!([[]]);
            }
            let (status, answer) = app.send(&root, m.clone(), "/api/v1/settings/sso", Some(body)).await;
            let named = refused(&answer);
            let missing: Vec<&&str> = fields[..n]
                .iter()
                .filter(|f| !named.iter().any(|g| g == *f || g.starts_with(&format!("{f}["))))
                .collect();
            if status != StatusCode::BAD_REQUEST || !missing.is_empty() {
                wrong.push(format!("{m} with {:?} wrong: {status}, not named {missing:?} ({answer})", &fields[..n]));
            }
        }
    }
    let (_, after) = app.get_json(&root, "/api/v1/settings/sso").await;
    assert_eq!(before, after, "nothing saved");
    assert!(wrong.is_empty(), "{wrong:#?}");
}

on_both_backends!(a_bulk_action_through_a_token_names_it_in_each_event, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let (status, _, body) = create_raw(
        &app,
        &root,
        &json!({"name": "bulk-script", "expires_in_days": 3, "permissions": ["users.view", "users.manage"]})
            .to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (secret, id) = (body["secret"].as_str().unwrap().to_owned(), body["id"].as_str().unwrap().to_owned());
    let res = reqwest::Client::new()
        .post(app.url("/api/v1/users/bulk"))
        .bearer_auth(&secret)
        .json(&json!({"action": "suspend", "ids": [org.ann, org.bob]}))
        .send()
        .await
        .expect("request");
    let status = res.status();
    assert!(status.is_success(), "{status} {}", res.text().await.unwrap_or_default());
    let (_, log) = app.get_json(&root, "/api/v1/audit?action=user.suspended").await;
    let items = log["items"].as_array().cloned().unwrap_or_default();
    assert!(!items.is_empty(), "{log}");
    for event in items {
        assert_eq!(event["details"]["api_token"], json!({"id": id, "name": "bulk-script"}), "{event}");
        assert_eq!(event["actor"]["email"], "root@example.com", "{event}");
    }
});
