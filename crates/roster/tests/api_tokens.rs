//! API tokens (issue 14): a script with only a token does admin work; its rights follow its
//! creator's current role; every refused token gets the same 401; tokens do not make
//! tokens; each token is rate-limited; audit events name the token. On both backends.

use crate::on_both_backends;
use crate::support::app::{PASSWORD, TestApp};
use crate::support::org::{Org, Person};
use domain::permission::{Permission, Scope};
use domain::user::UserStatus;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Creates a token through the API with the signed-in `c`: (status, body).
async fn create(app: &TestApp, c: &reqwest::Client, body: Value) -> (StatusCode, Value) {
    app.send(c, Method::POST, "/api/v1/api-tokens", Some(body)).await
}

/// A token made by `c` holding `permissions` for 30 days: its secret and id.
async fn token(app: &TestApp, c: &reqwest::Client, name: &str, permissions: &[&str]) -> (String, String) {
    let (status, body) = create(app, c, json!({"name": name, "expires_in_days": 30, "permissions": permissions})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (body["secret"].as_str().expect("secret").to_owned(), body["id"].as_str().expect("id").to_owned())
}

/// A request with only the bearer token (a client with no cookie).
async fn with_token(app: &TestApp, secret: &str, method: Method, path: &str, body: Option<Value>) -> reqwest::Response {
    let mut req = reqwest::Client::new().request(method, app.url(path)).bearer_auth(secret);
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.expect("request")
}

async fn status_with(app: &TestApp, secret: &str, method: Method, path: &str, body: Option<Value>) -> StatusCode {
    with_token(app, secret, method, path, body).await.status()
}

/// Olive Ops, an active admin in Alpha holding `permissions` on `scope` (`None`: all
/// workspaces), signed in: her role, her id and her client.
pub(crate) async fn ops_admin(
    app: &TestApp,
    org: &Org,
    permissions: &[Permission],
    scope: Option<Vec<domain::ids::WorkspaceId>>,
) -> (domain::ids::AdminRoleId, domain::ids::UserId, reqwest::Client) {
    let role_id = app.add_role(org.account, "Ops", permissions, scope).await;
    let ops = Person {
        email: "ops@example.com",
        first: "Olive",
        last: "Ops",
        status: UserStatus::Active,
        workspaces: vec![org.alpha],
        role: Some(role_id),
    };
    let id = app.add_user(org.account, ops).await;
    (role_id, id, app.login("ops@example.com", PASSWORD).await)
}

on_both_backends!(a_script_with_only_a_token_does_admin_work, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let (secret, id) = token(&app, &root, "provisioning", &["users.view", "users.manage", "groups.manage"]).await;
    assert!(secret.starts_with("roster_pat_") && secret.len() >= "roster_pat_".len() + 43, "{secret}");

    let res = with_token(&app, &secret, Method::GET, "/api/v1/users?limit=5", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().get("set-cookie").is_none(), "a bearer request gets no cookie");

    // A state-changing call needs no CSRF token, even with a foreign Origin.
    let res = reqwest::Client::new()
        .post(app.url("/api/v1/groups"))
        .bearer_auth(&secret)
        .header("Origin", "https://elsewhere.example")
        .json(&json!({"name": "Made by a script", "workspace_id": org.alpha}))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap_or_default());
    let suspend = format!("/api/v1/users/{}/suspend", org.ann);
    assert_eq!(status_with(&app, &secret, Method::POST, &suspend, None).await, StatusCode::NO_CONTENT);
    // Outside the token's permissions: 403 even though its creator holds them.
    assert_eq!(status_with(&app, &secret, Method::GET, "/api/v1/audit", None).await, StatusCode::FORBIDDEN);

    // Tokens cannot make, list or revoke tokens.
    let body = json!({"name": "child", "expires_in_days": 1, "permissions": ["users.view"]});
    assert_eq!(status_with(&app, &secret, Method::POST, "/api/v1/api-tokens", Some(body)).await, StatusCode::FORBIDDEN);
    assert_eq!(status_with(&app, &secret, Method::GET, "/api/v1/api-tokens", None).await, StatusCode::FORBIDDEN);
    let revoke = format!("/api/v1/api-tokens/{id}");
    assert_eq!(status_with(&app, &secret, Method::DELETE, &revoke, None).await, StatusCode::FORBIDDEN);

    // The list shows the token with its last use (time and address).
    let (status, list) = app.get_json(&root, "/api/v1/api-tokens").await;
    assert_eq!(status, StatusCode::OK);
    let item = list["items"].as_array().unwrap().iter().find(|t| t["id"] == id.as_str()).expect("listed").clone();
    assert_eq!(item["name"], "provisioning");
    assert_eq!(item["status"], "active");
    assert_eq!(item["creator"]["email"], "root@example.com");
    assert_eq!(item["permissions"], json!(["users.view", "users.manage", "groups.manage"]));
    assert_eq!(item["all_workspaces"], true);
    assert_eq!(item["last_used_ip"], "127.0.0.1");
    assert!(item["last_used_at"].is_string(), "{item}");
    assert!(item.get("secret").is_none(), "the secret is shown once only");
});

on_both_backends!(rights_are_the_intersection_with_the_creators_current_rights, |app| async move {
    let org: Org = app.seed_org().await;
    let perms = [Permission::UsersView, Permission::AuditView, Permission::TokensManage];
    let (role_id, ops_id, c) = ops_admin(&app, &org, &perms, Some(vec![org.alpha])).await;

    // Permissions and scope must lie within the creator's: every bad field at once.
    let (status, body) = create(
        &app,
        &c,
        json!({"name": "", "expires_in_days": 400, "permissions": ["users.manage"], "workspaces": [org.beta]}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let names: Vec<&str> =
        body["invalid_params"].as_array().unwrap().iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(names, ["name", "expires_in_days", "permissions", "workspaces"], "{body}");
    // Every bad value of a field is named, not only the first kind or the first one.
    let (status, body) = create(
        &app,
        &c,
        json!({"name": "x", "expires_in_days": 3, "permissions": ["users.manage", "nope"],
               "workspaces": [org.beta, "junk"]}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let reason = |field: &str| {
        body["invalid_params"].as_array().unwrap().iter().find(|p| p["name"] == field).expect(field)["reason"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let (permissions, workspaces) = (reason("permissions"), reason("workspaces"));
    assert!(permissions.contains("\"nope\"") && permissions.contains("users.manage"), "{permissions}");
    assert!(workspaces.contains(&org.beta.to_string()) && workspaces.contains("\"junk\""), "{workspaces}");

    let (secret, _) = token(&app, &c, "reports", &["users.view", "audit.view"]).await;
    assert_eq!(status_with(&app, &secret, Method::GET, "/api/v1/audit", None).await, StatusCode::OK);

    // A scoped admin sees and revokes their own tokens, not one reaching beyond their authority.
    let root = app.login_admin().await;
    let (_, roots) = token(&app, &root, "everything", &["users.view", "users.delete"]).await;
    let (_, list) = app.get_json(&c, "/api/v1/api-tokens").await;
    let names: Vec<&str> = list["items"].as_array().unwrap().iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(names, ["reports"], "{list}");
    let (status, _) = app.send(&c, Method::DELETE, &format!("/api/v1/api-tokens/{roots}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = app.get_json(&root, "/api/v1/api-tokens").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2, "the Primary Master Admin reaches both: {list}");
    let ann = format!("/api/v1/users/{}", org.ann);
    let bob = format!("/api/v1/users/{}", org.bob);
    assert_eq!(status_with(&app, &secret, Method::GET, &ann, None).await, StatusCode::OK);
    assert_eq!(status_with(&app, &secret, Method::GET, &bob, None).await, StatusCode::NOT_FOUND, "Beta is outside");

    // The creator is demoted: the token loses audit.view at the next request.
    let demoted = [Permission::UsersView, Permission::TokensManage].into_iter().collect();
    let event = app::audit::unattended(org.account, domain::closed::AuditAction::RoleUpdated, None, "", json!({}));
    let scope = Scope::Workspaces([org.alpha].into_iter().collect());
    store::roles::update(&app.db, role_id, "Ops", demoted, &scope, &event).await.expect("demote");
    assert_eq!(status_with(&app, &secret, Method::GET, "/api/v1/audit", None).await, StatusCode::FORBIDDEN);
    assert_eq!(status_with(&app, &secret, Method::GET, &ann, None).await, StatusCode::OK);

    // The creator is suspended: the token is refused like an unknown one.
    let (status, _) = app.send(&root, Method::POST, &format!("/api/v1/users/{ops_id}/suspend"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let res = with_token(&app, &secret, Method::GET, &ann, None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.headers()["www-authenticate"], "Bearer error=\"invalid_token\"");
});

on_both_backends!(a_token_is_not_its_creators_own_session, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let every: Vec<&str> = Permission::ALL.iter().map(|p| p.as_str()).filter(|p| *p != "tokens.manage").collect();
    let (secret, _) = token(&app, &root, "script", &every).await;
    let (_, mine) = app.get_json(&root, "/api/v1/me/sessions").await;
    let sid = mine["items"][0]["id"].as_str().expect("root's session").to_owned();

    // Who am I: a token may ask.
    assert_eq!(status_with(&app, &secret, Method::GET, "/api/v1/me", None).await, StatusCode::OK);
    // The self-service area is a person's own session: every route refuses a token.
    let routes = [
        (Method::GET, "/api/v1/me/sessions".to_owned(), None),
        (Method::DELETE, "/api/v1/me/sessions".to_owned(), None),
        (Method::DELETE, format!("/api/v1/me/sessions/{sid}"), None),
        (Method::POST, format!("/api/v1/me/sessions/{sid}/report"), None),
        (Method::PUT, "/api/v1/me/workspace".to_owned(), Some(json!({"workspace_id": org.alpha}))),
        (Method::GET, "/api/v1/me/profile".to_owned(), None),
        (Method::PATCH, "/api/v1/me/profile".to_owned(), Some(json!({"first_name": "Scripted"}))),
        (Method::GET, "/api/v1/me/profile/picture".to_owned(), None),
        (Method::DELETE, "/api/v1/me/profile/picture".to_owned(), None),
        (
            Method::POST,
            "/api/v1/me/password".to_owned(),
            Some(json!({"current_password": PASSWORD, "new_password": "Another-Horse-8"})),
        ),
        (Method::POST, "/api/v1/auth/logout".to_owned(), None),
    ];
    for (method, path, body) in routes {
        let res = with_token(&app, &secret, method.clone(), &path, body).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{method} {path}");
        let problem: Value = res.json().await.expect("problem+json");
        assert!(problem["detail"].as_str().unwrap_or_default().contains("self-service"), "{problem}");
    }
    // Nothing happened to the creator: the session lives and the password still signs in.
    let (status, after) = app.get_json(&root, "/api/v1/me/sessions").await;
    assert_eq!(status, StatusCode::OK);
    assert!(after["items"].as_array().unwrap().iter().any(|s| s["id"] == sid.as_str()), "{after}");
    app.login_admin().await;
});

on_both_backends!(a_token_holds_no_act_only_a_person_may_do, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    // The Primary Master Admin's full token acts as a Master Admin: a leaked token cannot
    // hand the account over.
    let every: Vec<&str> = Permission::ALL.iter().map(|p| p.as_str()).collect();
    let (full, _) = token(&app, &root, "everything", &every).await;
    let (status, me) = {
        let res = with_token(&app, &full, Method::GET, "/api/v1/me", None).await;
        (res.status(), res.json::<Value>().await.expect("json"))
    };
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["user"]["account_role"], "Master Admin", "{me}");
    let make_primary = format!("/api/v1/users/{}/make-primary", org.cat);
    let res = with_token(&app, &full, Method::POST, &make_primary, Some(json!({}))).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Refused as a token, by name — not as a Master Admin who is not the primary.
    let problem: Value = res.json().await.expect("problem+json");
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("API token \"everything\"") && detail.contains("signed in"), "{problem}");
    let (_, cat) = app.get_json(&root, &format!("/api/v1/users/{}", org.cat)).await;
    assert_ne!(cat["role_kind"], "primary_master_admin", "{cat}");
    // So with bot ownership: refused as the token it is, before anything is looked up.
    let transfer = format!("/api/v1/users/{}/transfer-and-delete", org.cat);
    let res = with_token(&app, &full, Method::POST, &transfer, Some(json!({"successors": {}}))).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let problem: Value = res.json().await.expect("problem+json");
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("API token \"everything\" cannot transfer bot ownership"), "{problem}");

    // A deleted creator's tokens are revoked with the deletion and stay dead after a restore.
    let (_, ops_id, c) = ops_admin(&app, &org, &[Permission::UsersView, Permission::TokensManage], None).await;
    let (secret, id) = token(&app, &c, "ops script", &["users.view"]).await;
    assert_eq!(status_with(&app, &secret, Method::GET, "/api/v1/users", None).await, StatusCode::OK);
    let (status, _) = app.send(&root, Method::DELETE, &format!("/api/v1/users/{ops_id}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(status_with(&app, &secret, Method::GET, "/api/v1/users", None).await, StatusCode::UNAUTHORIZED);
    let (status, _) = app.send(&root, Method::POST, &format!("/api/v1/users/{ops_id}/restore"), None).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(status_with(&app, &secret, Method::GET, "/api/v1/users", None).await, StatusCode::UNAUTHORIZED);
    let (_, list) = app.get_json(&root, "/api/v1/api-tokens").await;
    let item = list["items"].as_array().unwrap().iter().find(|t| t["id"] == id.as_str()).expect("listed").clone();
    assert_eq!(item["status"], "revoked", "{item}");
});

on_both_backends!(every_refused_token_gets_the_same_401, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let (revoked, id) = token(&app, &root, "old", &["users.view"]).await;
    let (status, body) = app.send(&root, Method::DELETE, &format!("/api/v1/api-tokens/{id}"), None).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("revoked")), "{body}");

    // An expired token, stored as the API would have stored it.
    let now = app::clock::now();
    let expired = format!("roster_pat_{}", app::tokens::generate());
    let t = store::api_tokens::NewApiToken {
        id: domain::ids::ApiTokenId::new(),
        account: org.account,
        creator: org.admin,
        name: "expired".into(),
        secret_hash: app::tokens::hash(&expired),
        permissions: [Permission::UsersView].into_iter().collect(),
        scope: Scope::AllWorkspaces,
        created_at: now - 2 * app::clock::DAY,
        expires_at: now - app::clock::DAY,
    };
    let event = app::audit::unattended(org.account, domain::closed::AuditAction::ApiTokenCreated, None, "", json!({}));
    store::api_tokens::create(&app.db, &t, &event).await.expect("token");

    let unknown = format!("roster_pat_{}", app::tokens::generate());
    let mut answers = Vec::new();
    for secret in [revoked.as_str(), expired.as_str(), unknown.as_str(), "not-a-token", "roster_pat_short"] {
        let res = with_token(&app, secret, Method::GET, "/api/v1/users", None).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{secret}");
        assert_eq!(res.headers()["www-authenticate"], "Bearer error=\"invalid_token\"", "{secret}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        answers.push(res.text().await.expect("body"));
    }
    // Malformed headers that still name the bearer scheme: no secret, a tab, bytes that are
    // not text — the same answer, not the cookie path's "sign in first".
    let raw: [&[u8]; 4] = [b"Bearer", b"Bearer ", b"Bearer\troster_pat_x", b"bearer roster_pat_\xc3\xa9"];
    for value in raw {
        let res = reqwest::Client::new()
            .get(app.url("/api/v1/users"))
            .header("Authorization", reqwest::header::HeaderValue::from_bytes(value).expect("header"))
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{value:?}");
        assert_eq!(res.headers()["www-authenticate"], "Bearer error=\"invalid_token\"", "{value:?}");
        answers.push(res.text().await.expect("body"));
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:#?}");

    // The scheme is read in any case; a refused token is not rescued by a session cookie.
    let (secret, _) = token(&app, &root, "live", &["users.view"]).await;
    let res = reqwest::Client::new()
        .get(app.url("/api/v1/users"))
        .header("Authorization", format!("bearer {secret}"))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::OK);
    let res = root.get(app.url("/api/v1/users")).bearer_auth(&unknown).send().await.expect("request");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
});

on_both_backends!(unreadable_and_invalid_fields_are_listed_together, |app| async move {
    app.seed_org().await;
    let root = app.login_admin().await;
    let (status, body) = create(
        &app,
        &root,
        json!({"name": 7, "expires_at": "2020-01-01", "permissions": ["users.view", "nope"], "colour": "red"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let names: Vec<&str> =
        body["invalid_params"].as_array().unwrap().iter().filter_map(|p| p["name"].as_str()).collect();
    for field in ["name", "colour", "expires_at", "permissions"] {
        assert!(names.contains(&field), "{field} missing from {body}");
    }
    let (status, body) = create(&app, &root, json!({"name": "x", "permissions": ["users.view"]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["invalid_params"][0]["name"], "expires_at", "an expiry is required: {body}");
    // An unreadable expiry is reported as itself, without a spurious "expires_at is required".
    let (status, body) =
        create(&app, &root, json!({"name": "x", "expires_in_days": 1.5, "permissions": ["users.view"]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let names: Vec<&str> =
        body["invalid_params"].as_array().unwrap().iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(names, ["expires_in_days"], "{body}");
    let (status, body) = app.send(&root, Method::DELETE, "/api/v1/api-tokens/not-an-id", None).await;
    assert!(body.to_string().contains("an API token id"), "{status} {body}");
    let both = json!({"name": "x", "expires_at": "2099-01-01", "expires_in_days": 3, "permissions": ["users.view"]});
    let (status, body) = create(&app, &root, both).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["invalid_params"][0]["name"], "expires_in_days", "{body}");
    // A member (no tokens.manage) may not make one at all.
    let member = app.login("member@example.com", PASSWORD).await;
    let (status, _) = create(&app, &member, json!({"name": "x", "expires_in_days": 3, "permissions": []})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
});

on_both_backends!(audit_events_name_the_token_and_its_creator, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let (secret, id) = token(&app, &root, "hr-sync", &["users.manage"]).await;
    let suspend = format!("/api/v1/users/{}/suspend", org.ann);
    assert_eq!(status_with(&app, &secret, Method::POST, &suspend, None).await, StatusCode::NO_CONTENT);
    let (status, _) = app.send(&root, Method::DELETE, &format!("/api/v1/api-tokens/{id}"), None).await;
    assert_eq!(status, StatusCode::OK);

    let (_, log) = app.get_json(&root, "/api/v1/audit?action=user.suspended").await;
    let event = &log["items"][0];
    assert_eq!(event["actor"]["email"], "root@example.com", "{log}");
    assert_eq!(event["details"]["api_token"], json!({"id": id, "name": "hr-sync"}), "{log}");
    for action in ["api_token.created", "api_token.revoked"] {
        let (_, log) = app.get_json(&root, &format!("/api/v1/audit?action={action}")).await;
        let event = &log["items"][0];
        assert_eq!(event["details"]["api_token_id"], id.as_str(), "{action}: {log}");
        assert_eq!(event["details"]["name"], "hr-sync");
        assert!(event["details"].get("api_token").is_none(), "made with a session, not a token");
    }
});

mod rate_limit {
    use super::*;
    use crate::support::app::spawn_app_with;
    use store::Backend;

    async fn each_token_has_its_own_budget(app: TestApp) {
        let root = app.login_admin().await;
        let (first, _) = token(&app, &root, "busy", &["users.view"]).await;
        let (second, _) = token(&app, &root, "quiet", &["users.view"]).await;
        for _ in 0..3 {
            assert_eq!(status_with(&app, &first, Method::GET, "/api/v1/me", None).await, StatusCode::OK);
        }
        let res = with_token(&app, &first, Method::GET, "/api/v1/me", None).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=20).contains(&wait), "{wait}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        assert_eq!(status_with(&app, &second, Method::GET, "/api/v1/me", None).await, StatusCode::OK);
        // Sessions are not limited by it.
        assert_eq!(app.get(&root, "/api/v1/me").await.status(), StatusCode::OK);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let app = spawn_app_with(Backend::Sqlite, |c| c.api_token_rate_per_minute = 3).await.expect("SQLite");
        each_token_has_its_own_budget(app).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let Some(app) = spawn_app_with(Backend::Postgres, |c| c.api_token_rate_per_minute = 3).await else { return };
        each_token_has_its_own_budget(app).await;
    }
}

/// Security → API access in a real browser: a refused form shows each error beside its
/// field; a token is created, its secret shown once and working; Revoke ends it. The
/// screenshot `api-access.png` lands in `target/screenshots/`. SQLite only: the page is the
/// same on both backends (the API tests above cover both).
mod page {
    use super::*;
    use crate::support::app::{ADMIN_EMAIL, spawn_app};
    use crate::support::browser::Browser;
    use store::Backend;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_admin_creates_and_revokes_a_token_on_the_page() {
        let app = spawn_app(Backend::Sqlite).await.expect("SQLite is always available");
        let Some(b) = Browser::start(&app.base).await else { return };
        b.goto("/admin/settings/api-access").await;
        b.fill("#email", ADMIN_EMAIL).await;
        b.fill("#password", PASSWORD).await;
        b.click("button.primary").await;
        b.wait_for("#token-form").await;
        b.wait_for_text("#nav-api-access", "API access").await;

        // Nothing filled in: the name, expiry and permissions each say why, beside themselves.
        b.fill("#token-expires", "400").await;
        b.click("#create-token").await;
        b.wait_for_text("#name-error", "is required").await;
        b.wait_for_text("#expires-error", "from 1 to 365").await;
        b.wait_for_text("#permissions-error", "at least one permission").await;

        b.fill("#token-name", "nightly export").await;
        b.fill("#token-expires", "30").await;
        b.click("input[value='users.view']").await;
        b.click("#create-token").await;
        b.wait_for_text("#new-secret", "shown only this once").await;
        let secret = b.wait_for("#secret").await.text().await.expect("secret text");
        assert!(secret.starts_with("roster_pat_"), "{secret}");
        b.wait_for_text("#tokens", "nightly export").await;
        b.screenshot("api-access").await;

        assert_eq!(status_with(&app, &secret, Method::GET, "/api/v1/users", None).await, StatusCode::OK);
        b.goto("/admin/settings/api-access").await;
        b.wait_for_text("#tokens", "from 127.0.0.1").await;
        assert!(!b.client.source().await.expect("page source").contains(&secret), "the secret is shown once only");

        b.click("#tokens button[id^='revoke-']").await;
        b.wait_for_text("#notice", "Token revoked").await;
        b.wait_for_text("#tokens .status", "revoked").await;
        assert_eq!(status_with(&app, &secret, Method::GET, "/api/v1/users", None).await, StatusCode::UNAUTHORIZED);
        b.finish().await;
    }
}
