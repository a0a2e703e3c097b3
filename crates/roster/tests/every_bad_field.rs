//! Every bad field of a request is named at once (PRODUCT.md §10), also where the use case
//! itself judges the values (not only the JSON reader): list filters, roles, groups, bots,
//! bulk actions, a user's profile, the security settings. Over the API `invalid_params`
//! lists them all; pages show each message beside its field. On both backends.

use crate::on_both_backends;
use crate::support::app::{TestApp, csrf_of};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The names `invalid_params` lists, in order.
fn refused(body: &Value) -> Vec<String> {
    let params = body["invalid_params"].as_array().cloned().unwrap_or_default();
    params.iter().map(|p| p["name"].as_str().unwrap_or_default().to_owned()).collect()
}

/// A GET that must be refused with 400 naming exactly `expected`.
async fn refused_get(app: &TestApp, c: &reqwest::Client, path: &str, expected: &[&str]) {
    let res = app.get(c, path).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{path}");
    assert_eq!(res.headers()["content-type"], "application/problem+json", "{path}");
    let body: Value = res.json().await.expect("problem+json");
    assert_eq!(refused(&body), expected, "{path}: {body}");
}

/// A page that must answer 400 with a message beside each of `fields` (`<field>-error`).
async fn page_names_each(app: &TestApp, c: &reqwest::Client, path: &str, fields: &[&str]) {
    let res = app.get(c, path).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{path}");
    let html = res.text().await.expect("html");
    for f in fields {
        assert!(html.contains(&format!("id=\"{f}-error\"")), "{path}: no message for {f}: {html}");
    }
}

const BAD_USER_FILTERS: &str =
    "status=gone&role=owner&workspace=w1&group=g1&builder_access=all&sort=password&order=up&limit=0&cursor=%25%25";
const USER_FILTERS: [&str; 9] =
    ["status", "role", "workspace", "group", "builder_access", "sort", "order", "limit", "cursor"];

on_both_backends!(list_filters_are_all_named_at_once_in_the_api_and_on_the_page, |app| async move {
    app.seed_org().await;
    let root = app.login_admin().await;
    refused_get(&app, &root, &format!("/api/v1/users?{BAD_USER_FILTERS}"), &USER_FILTERS).await;
    // The export reads every row: it ignores `limit` and `cursor`, and names the rest.
    refused_get(&app, &root, &format!("/api/v1/users/export?{BAD_USER_FILTERS}"), &USER_FILTERS[..7]).await;
    page_names_each(&app, &root, &format!("/admin/users?{BAD_USER_FILTERS}"), &USER_FILTERS).await;
    // A cursor is judged against the sort only once the sort is readable.
    refused_get(&app, &root, "/api/v1/users?sort=nope&cursor=eyJ4IjoxfQ", &["sort", "cursor"]).await;

    let audit = "actor=x&target=y&action=drop&from=yesterday&to=soon&limit=0&cursor=%25%25";
    let filters = ["actor", "target", "action", "from", "to", "limit", "cursor"];
    refused_get(&app, &root, &format!("/api/v1/audit?{audit}"), &filters).await;
    page_names_each(&app, &root, &format!("/admin/audit?{audit}"), &filters).await;
});

on_both_backends!(use_cases_name_every_bad_field_at_once, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let before = app.get_json(&root, "/api/v1/audit?limit=1").await.1["items"][0]["id"].clone();
    let (_, ann) = app.get_json(&root, &format!("/api/v1/users/{}", org.ann)).await;
    let version = ann["version"].as_i64().expect("version");
    let cases: [(Method, String, Value, &[&str]); 6] = [
        (
            Method::POST,
            "/api/v1/admin-roles".into(),
            json!({"name": "Master Admin", "permissions": ["nope", "users.view", "worse"], "scope": ["junk"]}),
            &["name", "permissions", "scope"],
        ),
        (
            Method::POST,
            "/api/v1/groups".into(),
            json!({"name": " ", "workspace_id": "nope"}),
            &["name", "workspace_id"],
        ),
        (Method::POST, "/api/v1/bots".into(), json!({"name": "", "workspace_id": "nope"}), &["name", "workspace_id"]),
        (
            Method::POST,
            "/api/v1/users/bulk".into(),
            json!({"action": "explode", "ids": ["x", org.ann, "y"]}),
            &["action", "ids[0]", "ids[2]"],
        ),
        (
            Method::PATCH,
            format!("/api/v1/users/{}", org.ann),
            json!({"first_name": "", "last_name": "x".repeat(101), "builder_access": "all", "admin_role_id": "nope",
                   "groups": ["junk"]}),
            &["first_name", "last_name", "builder_access", "admin_role_id", "groups"],
        ),
        (
            Method::PATCH,
            "/api/v1/settings/security".into(),
            json!({"max_login_attempts": 0, "lockout_minutes": 100_000, "password": {"min_length": 4}}),
            &["max_login_attempts", "lockout_minutes", "password.min_length"],
        ),
    ];
    for (method, path, body, expected) in cases {
        let mut req = root.request(method.clone(), app.url(&path)).json(&body);
        if path.starts_with("/api/v1/users/") {
            req = req.header("if-match", format!("\"v{version}\""));
        }
        let res = req.send().await.expect("request");
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{method} {path}");
        let problem: Value = res.json().await.expect("json");
        assert_eq!(refused(&problem), expected, "{method} {path}: {problem}");
    }
    // Each unknown permission and each stray workspace is named, not only the first.
    let (_, problem) = app
        .send(
            &root,
            Method::POST,
            "/api/v1/admin-roles",
            Some(json!({"name": "Ops", "permissions": ["nope", "worse"], "scope": ["a", "b"]})),
        )
        .await;
    let text = problem.to_string();
    for name in ["nope", "worse", "\\\"a\\\"", "\\\"b\\\""] {
        assert!(text.contains(name), "{name} in {text}");
    }
    let after = app.get_json(&root, "/api/v1/audit?limit=1").await.1["items"][0]["id"].clone();
    assert_eq!(before, after, "a refused request changed nothing");

    // The security settings page shows each refusal beside its field.
    let html = app.get(&root, "/admin/settings/security").await.text().await.expect("html");
    let csrf = csrf_of(&html);
    let form = [
        ("csrf", csrf.as_str()),
        ("max_login_attempts", "0"),
        ("lockout_minutes", "x"),
        ("idle_timeout_minutes", "60"),
        ("absolute_lifetime_hours", "12"),
        ("password_min_length", "4"),
        ("password_min_classes", "3"),
        ("password_history", "5"),
    ];
    // A value that is not a number is named together with every value out of its range.
    let res = root.post(app.url("/admin/settings/security")).form(&form).send().await.expect("save");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.expect("html");
    for error in [
        "id=\"lockout_minutes-error\">Lockout duration must be a whole number",
        "id=\"max_login_attempts-error\">Maximum login attempts must be between 1 and 100.",
        "id=\"password_min_length-error\">Minimum length must be between 8 and 128.",
    ] {
        assert!(html.contains(error), "{error}: {html}");
    }
    // A value that is not a number alone also saves nothing.
    let form = form.map(|(k, v)| match k {
        "max_login_attempts" => (k, "7"),
        "password_min_length" => (k, "12"),
        _ => (k, v),
    });
    let res = root.post(app.url("/admin/settings/security")).form(&form).send().await.expect("save");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let (_, saved) = app.get_json(&root, "/api/v1/settings/security").await;
    assert_ne!(saved["max_login_attempts"], 7, "nothing saved: {saved}");
});

on_both_backends!(a_query_with_several_unreadable_parameters_names_each, |app| async move {
    let admin = app.login_admin().await;
    // The text gate names every unreadable value at once (it used to stop at the first)…
    refused_get(&app, &admin, "/api/v1/audit?actor=%FF&target=a%00b&limit=many", &["actor", "target"]).await;
    // …and the query reader every value of the wrong shape with them.
    refused_get(&app, &admin, "/api/v1/users?limit=many&order=up&status=gone", &["status", "order", "limit"]).await;
});

/// The names `invalid_params` lists, sorted.
fn refused_sorted(body: &Value) -> Vec<String> {
    let mut names = refused(body);
    names.sort();
    names
}

/// What the refused requests below could have changed, as the API shows it.
async fn state_of(app: &TestApp, c: &reqwest::Client, ann: &str) -> Value {
    let mut state = serde_json::Map::new();
    for path in [
        "/api/v1/audit?limit=1",
        "/api/v1/groups",
        "/api/v1/admin-roles",
        "/api/v1/bots",
        "/api/v1/settings/security",
        &format!("/api/v1/users/{ann}"),
        "/api/v1/users?q=fresh",
    ] {
        let (status, body) = app.get_json(c, path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        state.insert(path.to_owned(), body);
    }
    Value::Object(state)
}

on_both_backends!(unreadable_fields_are_named_with_the_use_cases_refusals_and_nothing_changes, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let ann = org.ann.to_string();
    let before = state_of(&app, &root, &ann).await;
    let version = before[&format!("/api/v1/users/{ann}")]["version"].as_i64().expect("version");
    let alpha = org.alpha.to_string();
    // Each body holds a field that cannot be read; the first of each pair also holds values
    // the use case refuses, the second nothing else wrong: neither may change anything.
    let cases: Vec<(Method, String, Value, &[&str])> = vec![
        (
            Method::POST,
            "/api/v1/users/bulk".into(),
            json!({"action": "explode", "ids": ["x"], "group_id": 5}),
            &["action", "group_id", "ids[0]"],
        ),
        (
            Method::POST,
            "/api/v1/users/bulk".into(),
            json!({"action": "suspend", "ids": [ann], "group_id": 5}),
            &["group_id"],
        ),
        (
            Method::POST,
            "/api/v1/groups".into(),
            json!({"name": "x".repeat(300), "workspace_id": alpha, "description": 7}),
            &["description", "name"],
        ),
        (
            Method::POST,
            "/api/v1/groups".into(),
            json!({"name": "Fresh", "workspace_id": alpha, "description": 7}),
            &["description"],
        ),
        (
            Method::PATCH,
            format!("/api/v1/groups/{}", org.alpha_team),
            json!({"name": "", "colour": "red"}),
            &["colour", "name"],
        ),
        (
            Method::POST,
            "/api/v1/admin-roles".into(),
            json!({"name": "", "permissions": ["users.view", 5], "scope": ["junk"]}),
            &["name", "permissions", "scope"],
        ),
        (
            Method::POST,
            "/api/v1/admin-roles".into(),
            json!({"name": "Fresh", "permissions": 5, "scope": "all"}),
            &["permissions"],
        ),
        (
            Method::PATCH,
            format!("/api/v1/users/{ann}"),
            json!({"first_name": "", "last_name": 5, "groups": ["junk"]}),
            &["first_name", "groups", "last_name"],
        ),
        (Method::PATCH, format!("/api/v1/users/{ann}"), json!({"first_name": "Fresh", "last_name": 5}), &["last_name"]),
        (
            Method::POST,
            "/api/v1/invitations".into(),
            json!({"emails": ["not-an-email", 7, "fresh@example.org"]}),
            &["emails[0]", "emails[1]"],
        ),
        (Method::POST, "/api/v1/invitations".into(), json!({"emails": ["fresh@example.org"], "cc": 1}), &["cc"]),
        (
            Method::POST,
            "/api/v1/bots".into(),
            json!({"name": "", "workspace_id": "nope", "owner": 5}),
            &["name", "owner", "workspace_id"],
        ),
        (Method::POST, "/api/v1/bots".into(), json!({"name": "Fresh", "workspace_id": alpha, "owner": 5}), &["owner"]),
        (
            Method::PATCH,
            "/api/v1/settings/security".into(),
            json!({"max_login_attempts": 0, "lockout_minutes": "x", "password": {"min_length": 4, "history": true}}),
            &["lockout_minutes", "max_login_attempts", "password.history", "password.min_length"],
        ),
        (
            Method::PATCH,
            "/api/v1/settings/security".into(),
            json!({"max_login_attempts": 7, "lockout_minutes": "x"}),
            &["lockout_minutes"],
        ),
        (
            Method::POST,
            "/api/v1/api-tokens".into(),
            json!({"name": "", "expires_in_days": 30, "permissions": ["users.view"], "workspaces": 5}),
            &["name", "workspaces"],
        ),
    ];
    for (method, path, body, expected) in cases {
        let mut req = root.request(method.clone(), app.url(&path)).json(&body);
        if path.contains(&ann) {
            req = req.header("if-match", format!("\"v{version}\""));
        }
        let res = req.send().await.expect("request");
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{method} {path} {body}");
        assert_eq!(res.headers()["content-type"], "application/problem+json", "{method} {path}");
        let problem: Value = res.json().await.expect("json");
        assert_eq!(refused_sorted(&problem), expected, "{method} {path} {body}: {problem}");
    }
    assert_eq!(state_of(&app, &root, &ann).await, before, "a refused request changed nothing");
});

on_both_backends!(query_parameters_an_operation_does_not_declare_are_refused, |app| async move {
    app.seed_org().await;
    let root = app.login_admin().await;
    // Every one named at once, before any value is judged…
    refused_get(&app, &root, "/api/v1/users?stauts=active&limit=5&colour=red", &["stauts", "colour"]).await;
    // …also by an operation that declares none.
    refused_get(&app, &root, "/api/v1/groups?workspace=a&page=2", &["workspace", "page"]).await;
    // The document's own names are the rule: every operation's declared parameters pass.
    refused_get(&app, &root, "/api/v1/audit?limit=0&actorr=x", &["actorr"]).await;
    // Declared ones pass.
    let (status, _) = app.get_json(&root, "/api/v1/users?status=active&limit=5").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.get_json(&root, "/api/v1/groups").await;
    assert_eq!(status, StatusCode::OK);
});

/// A request with several bad fields, answered 400 naming exactly `expected` (sorted).
async fn refused_all(app: &TestApp, c: &reqwest::Client, method: Method, path: &str, body: &Value, expected: &[&str]) {
    let res = c.request(method.clone(), app.url(path)).json(body).send().await.expect("request");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{method} {path} {body}");
    assert_eq!(res.headers()["content-type"], "application/problem+json", "{method} {path}");
    let problem: Value = res.json().await.expect("json");
    assert_eq!(refused_sorted(&problem), expected, "{method} {path} {body}: {problem}");
}

on_both_backends!(settings_documents_and_the_invitation_workspace_name_every_bad_field, |app| async move {
    app.seed_org().await;
    let root = app.login_admin().await;
    let paths =
        ["/api/v1/audit?limit=1", "/api/v1/settings/sso", "/api/v1/settings/user-profile", "/api/v1/users?q=fresh"];
    let mut before = Vec::new();
    for path in paths {
        before.push(app.get_json(&root, path).await);
    }

    // The SSO settings: unreadable fields (the switch, the client id, an unknown one) with
    // the values the use case refuses, in one answer; a PUT of the whole document and a PATCH.
    let (_, mut sso) = app.get_json(&root, "/api/v1/settings/sso").await;
    sso["enabled"] = json!("yes");
    sso["client_id"] = json!(5);
    sso["email_claim"] = json!("bad claim!");
    sso["provider_name"] = json!("x".repeat(61));
    sso["colour"] = json!(1);
    let sso_fields = ["client_id", "colour", "email_claim", "enabled", "provider_name"];
    refused_all(&app, &root, Method::PUT, "/api/v1/settings/sso", &sso, &sso_fields).await;
    let patch = json!({"client_id": 5, "email_claim": "bad claim!", "scopes": ["a b"]});
    refused_all(&app, &root, Method::PATCH, "/api/v1/settings/sso", &patch, &["client_id", "email_claim", "scopes"])
        .await;

    // The User Settings: a rule of the wrong type, a field that does not exist, a default
    // field switched off and an unknown member, at once; as the whole document (its list
    // form, as GET shows it) and as a merge patch (its object form).
    let (_, mut profile) = app.get_json(&root, "/api/v1/settings/user-profile").await;
    for rule in profile["fields"].as_array_mut().expect("the rules") {
        match rule["field"].as_str() {
            Some("company") => rule["enabled"] = json!("yes"),
            Some("first_name") => rule["enabled"] = json!(false),
            _ => {}
        }
    }
    profile["fields"].as_array_mut().unwrap().push(json!({"field": "nickname", "enabled": true, "allow_edits": true}));
    profile["colour"] = json!(1);
    let profile_fields = ["colour", "fields.company.enabled", "fields.first_name", "fields.nickname"];
    refused_all(&app, &root, Method::PUT, "/api/v1/settings/user-profile", &profile, &profile_fields).await;
    refused_all(&app, &root, Method::POST, "/api/v1/settings/user-profile/preview", &profile, &profile_fields).await;
    let patch = json!({"fields": {"company": {"enabled": "yes"}, "first_name": {"enabled": false},
        "nickname": {"enabled": true, "allow_edits": true}}, "colour": 1});
    refused_all(&app, &root, Method::PATCH, "/api/v1/settings/user-profile", &patch, &profile_fields).await;

    // An invitation's workspace is judged with its rows: both named, nobody invited.
    let invite = json!({"emails": ["not-an-email", "fresh@example.org"], "workspace_id": "nope"});
    refused_all(&app, &root, Method::POST, "/api/v1/invitations", &invite, &["emails[0]", "workspace_id"]).await;
    let invite = json!({"emails": ["fresh@example.org"], "workspace_id": uuid::Uuid::now_v7()});
    refused_all(&app, &root, Method::POST, "/api/v1/invitations", &invite, &["workspace_id"]).await;

    for (path, was) in paths.iter().zip(before) {
        assert_eq!(app.get_json(&root, path).await, was, "{path}: a refused request changed nothing");
    }
});
