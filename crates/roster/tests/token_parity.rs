//! Issue 14's "done when": a script with only a token does everything an admin with those
//! permissions does through the API. A Master Admin makes a token holding every admin
//! permission; the main admin operations (list, get, export, invite, edit, suspend and
//! activate, kill sessions, groups and their members, roles, settings, audit) run once with
//! the token alone and once with the admin's session cookie, on twin targets, and answer
//! alike: the same statuses, the same shapes, and the same data afterwards. On both
//! backends.

use crate::on_both_backends;
use crate::support::app::{PASSWORD, TestApp};
use domain::permission::Permission;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// One caller: the admin's cookie, or a client with no cookie and the bearer token.
enum Caller<'a> {
    Cookie(&'a reqwest::Client),
    Token(&'a str),
}

impl Caller<'_> {
    /// `method path` with an optional JSON body (and `If-Match` when given): status, body
    /// as text.
    async fn call(
        &self,
        app: &TestApp,
        method: Method,
        path: &str,
        body: Option<&Value>,
        if_match: Option<&str>,
    ) -> (StatusCode, String) {
        let mut req = match self {
            Self::Cookie(c) => c.request(method, app.url(path)),
            Self::Token(secret) => reqwest::Client::new().request(method, app.url(path)).bearer_auth(secret),
        };
        if let Some(b) = body {
            req = req.json(b);
        }
        if let Some(v) = if_match {
            req = req.header("if-match", v);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        if let Self::Token(_) = self {
            assert!(res.headers().get("set-cookie").is_none(), "{path}: a bearer request gets no cookie");
        }
        (status, res.text().await.expect("body"))
    }
}

/// Reads that both callers must answer identically, byte for byte.
const READS: [&str; 9] = [
    "/api/v1/users?limit=100",
    "/api/v1/users?status=active&sort=email&order=desc",
    "/api/v1/users/export",
    "/api/v1/groups",
    "/api/v1/admin-roles",
    "/api/v1/settings/security",
    "/api/v1/bots",
    "/api/v1/audit?action=user.suspended",
    "/api/v1/audit?action=group.created",
];

async fn same_reads(app: &TestApp, cookie: &Caller<'_>, token: &Caller<'_>, extra: &[String]) {
    for path in READS.iter().map(|p| (*p).to_owned()).chain(extra.iter().cloned()) {
        let by_cookie = cookie.call(app, Method::GET, &path, None, None).await;
        let by_token = token.call(app, Method::GET, &path, None, None).await;
        assert_eq!(by_cookie.0, StatusCode::OK, "{path}: {}", by_cookie.1);
        assert_eq!(by_token, by_cookie, "{path}: the token and the cookie see the same");
    }
}

/// `body` with every value at a key in `varying` (ids, emails, names chosen per caller, times)
/// replaced, so two answers about twin targets compare by shape and fixed values.
fn shape(body: &str, varying: &[&str]) -> Value {
    fn walk(v: &mut Value, varying: &[&str]) {
        match v {
            Value::Object(map) => {
                for (k, item) in map.iter_mut() {
                    if varying.contains(&k.as_str()) {
                        *item = json!("…");
                    } else {
                        walk(item, varying);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| walk(i, varying)),
            _ => {}
        }
    }
    let mut v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    walk(&mut v, varying);
    v
}

on_both_backends!(a_token_alone_does_what_its_admin_does_through_the_api, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    // Cat becomes a Master Admin and makes a token holding every admin permission.
    let (_, roles) = app.get_json(&root, "/api/v1/admin-roles").await;
    let master =
        roles["items"].as_array().unwrap().iter().find(|r| r["kind"] == "master").expect("master")["id"].clone();
    let (_, cat) = app.get_json(&root, &format!("/api/v1/users/{}", org.cat)).await;
    let res = root
        .patch(app.url(&format!("/api/v1/users/{}", org.cat)))
        .header("if-match", format!("\"v{}\"", cat["version"]))
        .json(&json!({"admin_role_id": master}))
        .send()
        .await
        .expect("make cat a Master Admin");
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap_or_default());
    let admin = app.login("cat.cooper@example.com", PASSWORD).await;
    let every: Vec<&str> =
        Permission::ALL.iter().map(|p| p.as_str()).filter(|p| !["tokens.manage", "scim"].contains(p)).collect();
    let (status, made) = app
        .send(
            &admin,
            Method::POST,
            "/api/v1/api-tokens",
            Some(json!({"name": "script", "expires_in_days": 1, "permissions": every})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let secret = made["secret"].as_str().expect("secret").to_owned();
    let (cookie, token) = (Caller::Cookie(&admin), Caller::Token(&secret));
    let user = |id: domain::ids::UserId| format!("/api/v1/users/{id}");
    same_reads(&app, &cookie, &token, &[user(org.ann), user(org.bob), format!("{}/sessions", user(org.ann))]).await;

    // Writes on twin targets: the token acts on Ann and its own names, the cookie on Bob.
    let (ann, bob) = (org.ann, org.bob);
    let (mut group_ids, mut answers_of) = (Vec::new(), Vec::new());
    for (who, caller, target, tag) in [("token", &token, ann, "t"), ("cookie", &cookie, bob, "c")] {
        let ws = if who == "token" { org.alpha } else { org.beta };
        let version = {
            let (_, u) = app.get_json(&root, &user(target)).await;
            format!("\"v{}\"", u["version"])
        };
        let steps = [
            (
                Method::POST,
                "/api/v1/invitations".into(),
                Some(json!({"emails": [format!("{tag}.new@example.com")]})),
                StatusCode::OK,
            ),
            (Method::PATCH, user(target), Some(json!({"last_name": format!("Edited-{tag}")})), StatusCode::OK),
            (Method::POST, format!("{}/suspend", user(target)), None, StatusCode::NO_CONTENT),
            (Method::POST, format!("{}/activate", user(target)), None, StatusCode::NO_CONTENT),
            (
                Method::POST,
                "/api/v1/groups".into(),
                Some(json!({"name": format!("Team {tag}"), "workspace_id": ws})),
                StatusCode::CREATED,
            ),
            (
                Method::POST,
                "/api/v1/admin-roles".into(),
                Some(json!({"name": format!("Viewers {tag}"), "permissions": ["users.view"], "scope": [ws]})),
                StatusCode::CREATED,
            ),
        ];
        let mut answers = Vec::new();
        for (method, path, body, expected) in steps {
            // The edit is conditional on the version read just before.
            let if_match = (method == Method::PATCH).then_some(version.as_str());
            let (status, text) = caller.call(&app, method.clone(), &path, body.as_ref(), if_match).await;
            assert_eq!(status, expected, "{who}: {method} {path}: {text}");
            answers.push(shape(&text, &["id", "user_id", "email", "name", "last_name", "version", "scope"]));
            if path == "/api/v1/groups" {
                group_ids.push(serde_json::from_str::<Value>(&text).expect("group")["id"].as_str().unwrap().to_owned());
            }
        }
        // The new group gets the target as a member; the target's one session is ended.
        let email = if who == "token" { "ann.archer@example.com" } else { "bob.baker@example.com" };
        let here = app.login(email, PASSWORD).await;
        let group = group_ids.last().expect("a group").clone();
        let (status, _) =
            caller.call(&app, Method::PUT, &format!("/api/v1/groups/{group}/members/{target}"), None, None).await;
        assert!(status.is_success(), "{who}: add member: {status}");
        let (status, ended) =
            caller.call(&app, Method::DELETE, &format!("{}/sessions", user(target)), None, None).await;
        assert_eq!((status, shape(&ended, &[])), (StatusCode::OK, json!({"ended": 1})), "{who}");
        assert_eq!(app.get(&here, "/api/v1/me").await.status(), StatusCode::UNAUTHORIZED, "{who}: session ended");
        let (_, roles) = app.get_json(&root, "/api/v1/admin-roles").await;
        assert!(roles.to_string().contains(&format!("Viewers {tag}")), "{who}");
        answers_of.push(answers);
    }
    assert_eq!(answers_of[0], answers_of[1], "the token's answers have the cookie's shape");

    // Afterwards both see the same world, each group and its members included.
    let members: Vec<String> = group_ids.iter().map(|g| format!("/api/v1/groups/{g}/members")).collect();
    same_reads(&app, &cookie, &token, &members).await;
    let (_, log) = app.get_json(&admin, "/api/v1/audit?action=user.suspended").await;
    let targets: Vec<&str> =
        log["items"].as_array().unwrap().iter().filter_map(|e| e["target"]["id"].as_str()).collect();
    assert!(targets.contains(&ann.to_string().as_str()) && targets.contains(&bob.to_string().as_str()), "{log}");
});
