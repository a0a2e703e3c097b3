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

/// Makes Cat (`id`) a Master Admin through the API as `root` and signs her in.
async fn cat_as_master_admin(app: &TestApp, root: &reqwest::Client, id: domain::ids::UserId) -> reqwest::Client {
    let (_, roles) = app.get_json(root, "/api/v1/admin-roles").await;
    let master =
        roles["items"].as_array().unwrap().iter().find(|r| r["kind"] == "master").expect("master")["id"].clone();
    let (_, cat) = app.get_json(root, &format!("/api/v1/users/{id}")).await;
    let res = root
        .patch(app.url(&format!("/api/v1/users/{id}")))
        .header("if-match", format!("\"v{}\"", cat["version"]))
        .json(&json!({"admin_role_id": master}))
        .send()
        .await
        .expect("make cat a Master Admin");
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap_or_default());
    app.login("cat.cooper@example.com", PASSWORD).await
}

on_both_backends!(a_token_alone_does_what_its_admin_does_through_the_api, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    // Cat becomes a Master Admin and makes a token holding every admin permission.
    let admin = cat_as_master_admin(&app, &root, org.cat).await;
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

/// `v` reduced to its shape: every object's keys, every array's items, and the kind of each
/// value (`"string"`, `"number"`, …) — what two answers about twin targets must share.
fn skeleton(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), skeleton(v))).collect()),
        Value::Array(items) => Value::Array(items.iter().map(skeleton).collect()),
        Value::String(_) => json!("string"),
        Value::Number(_) => json!("number"),
        Value::Bool(_) => json!("bool"),
        Value::Null => Value::Null,
    }
}

/// The operations of the OpenAPI document that change something and that a token may call,
/// as `METHOD /path`: every `POST`, `PUT`, `PATCH` and `DELETE` but the public ones (no
/// credentials: `security: [{}]`) and those only a person's own session may call.
fn token_mutations() -> std::collections::BTreeSet<String> {
    let doc = serde_json::to_value(web::openapi()).expect("the document serializes");
    let mut ops = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            let session_only = op["security"] == json!([{"session": []}]);
            let public = op["security"] == json!([{}]);
            if ["post", "put", "patch", "delete"].contains(&method.as_str()) && !session_only && !public {
                ops.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    ops
}

/// One caller's run of every mutating operation on its own targets: what each answered.
struct Script<'a> {
    app: &'a TestApp,
    caller: &'a Caller<'a>,
    /// `(operation, status, skeleton of the answer)`, in order.
    seen: Vec<(String, StatusCode, Value)>,
}

impl Script<'_> {
    /// Calls `op` (`METHOD /template`, as the document names it) at `path` (under `/api/v1`),
    /// records the answer and returns it as JSON (`null` when empty). The call must succeed.
    async fn call(&mut self, op: &str, path: &str, body: Option<Value>, if_match: Option<&str>) -> Value {
        let (status, answer) = self.attempt(op, path, body, if_match).await;
        assert!(status.is_success(), "{op} at {path}: {status} {answer}");
        answer
    }

    /// [`Self::call`] whatever the status, which is recorded and returned.
    async fn attempt(
        &mut self,
        op: &str,
        path: &str,
        body: Option<Value>,
        if_match: Option<&str>,
    ) -> (StatusCode, Value) {
        let method: Method = op.split_once(' ').expect("METHOD /path").0.parse().expect("a method");
        let (status, text) =
            self.caller.call(self.app, method, &format!("/api/v1{path}"), body.as_ref(), if_match).await;
        let answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        self.seen.push((op.to_owned(), status, skeleton(&answer)));
        (status, answer)
    }

    /// `GET path` (under `/api/v1`) by this caller, which must answer 200.
    async fn read(&self, path: &str) -> Value {
        let (status, text) = self.caller.call(self.app, Method::GET, &format!("/api/v1{path}"), None, None).await;
        assert_eq!(status, StatusCode::OK, "{path}: {text}");
        serde_json::from_str(&text).expect("json")
    }
}

/// The users one caller acts on, each made for one kind of action.
struct Twin {
    tag: &'static str,
    workspace: domain::ids::WorkspaceId,
    edited: domain::ids::UserId,
    locked: domain::ids::UserId,
    deleted: domain::ids::UserId,
    bulk: [domain::ids::UserId; 2],
    member: domain::ids::UserId,
    signed_in: (domain::ids::UserId, &'static str),
}

async fn twin(app: &TestApp, org: &crate::support::org::Org, tag: &'static str) -> Twin {
    use crate::support::org::Person;
    use domain::user::UserStatus;
    let workspace = if tag == "t" { org.alpha } else { org.beta };
    let mut made = Vec::new();
    for (role, status) in [
        ("edited", UserStatus::Active),
        ("locked", UserStatus::Locked),
        ("deleted", UserStatus::Active),
        ("bulk1", UserStatus::Active),
        ("bulk2", UserStatus::Active),
        ("member", UserStatus::Active),
        ("signed", UserStatus::Active),
    ] {
        let email: &'static str = Box::leak(format!("{tag}.{role}@example.com").into_boxed_str());
        let person = Person { email, first: "Twin", last: "Target", status, workspaces: vec![workspace], role: None };
        made.push(app.add_user(org.account, person).await);
    }
    let signed_email: &'static str = Box::leak(format!("{tag}.signed@example.com").into_boxed_str());
    Twin {
        tag,
        workspace,
        edited: made[0],
        locked: made[1],
        deleted: made[2],
        bulk: [made[3], made[4]],
        member: made[5],
        signed_in: (made[6], signed_email),
    }
}

/// Every mutating operation a token may call, run by `s` on `t`'s targets (and on the
/// account's settings, each caller saving its own values).
async fn every_mutation(s: &mut Script<'_>, t: &Twin) {
    let tag = t.tag;
    let ws = t.workspace.to_string();
    // Users: invite and invite again, edit, suspend and activate, reset, unlock, delete and
    // restore, a bulk action.
    let invited = s
        .call(
            "POST /invitations",
            "/invitations",
            Some(json!({"emails": [format!("{tag}.new@example.com")], "workspace_id": ws})),
            None,
        )
        .await;
    let invited = invited["results"][0]["user_id"].as_str().expect("the invitee's id").to_owned();
    s.call("POST /users/{id}/resend-invitation", &format!("/users/{invited}/resend-invitation"), None, None).await;
    let user = format!("/users/{}", t.edited);
    let version = format!("\"v{}\"", s.read(&user).await["version"]);
    s.call("PATCH /users/{id}", &user, Some(json!({"last_name": format!("Edited-{tag}")})), Some(&version)).await;
    s.call("POST /users/{id}/suspend", &format!("{user}/suspend"), None, None).await;
    s.call("POST /users/{id}/activate", &format!("{user}/activate"), None, None).await;
    s.call("POST /users/{id}/reset-password", &format!("{user}/reset-password"), None, None).await;
    s.call("POST /users/{id}/unlock", &format!("/users/{}/unlock", t.locked), None, None).await;
    s.call("DELETE /users/{id}", &format!("/users/{}", t.deleted), None, None).await;
    s.call("POST /users/{id}/restore", &format!("/users/{}/restore", t.deleted), None, None).await;
    let ids = t.bulk.map(|u| u.to_string());
    let done = s.call("POST /users/bulk", "/users/bulk", Some(json!({"action": "suspend", "ids": ids})), None).await;
    assert_eq!(done.to_string().matches("\"ok\":true").count(), 2, "{tag}: both suspended: {done}");

    // Groups and their members.
    let group = s
        .call("POST /groups", "/groups", Some(json!({"name": format!("Team {tag}"), "workspace_id": ws})), None)
        .await["id"]
        .as_str()
        .expect("a group id")
        .to_owned();
    s.call("PATCH /groups/{id}", &format!("/groups/{group}"), Some(json!({"name": format!("Squad {tag}")})), None)
        .await;
    let member = format!("/groups/{group}/members/{}", t.member);
    s.call("PUT /groups/{id}/members/{user_id}", &member, None, None).await;
    s.call("DELETE /groups/{id}/members/{user_id}", &member, None, None).await;
    s.call("DELETE /groups/{id}", &format!("/groups/{group}"), None, None).await;

    // Admin roles.
    let body = json!({"name": format!("Viewers {tag}"), "permissions": ["users.view"], "scope": [ws]});
    let role = s.call("POST /admin-roles", "/admin-roles", Some(body), None).await["id"]
        .as_str()
        .expect("a role id")
        .to_owned();
    let renamed = json!({"name": format!("Readers {tag}")});
    s.call("PATCH /admin-roles/{id}", &format!("/admin-roles/{role}"), Some(renamed), None).await;
    s.call("DELETE /admin-roles/{id}", &format!("/admin-roles/{role}"), None, None).await;

    // Bots and a user's role on them.
    let bot = s
        .call("POST /bots", "/bots", Some(json!({"name": format!("Bot {tag}"), "workspace_id": ws})), None)
        .await["id"]
        .as_str()
        .expect("a bot id")
        .to_owned();
    let on_bot = format!("/users/{}/bots/{bot}", t.member);
    s.call("PUT /users/{id}/bots/{bot_id}", &on_bot, Some(json!({"role": "developer"})), None).await;
    s.call("DELETE /users/{id}/bots/{bot_id}", &on_bot, None, None).await;

    // Sessions: one ended by id, then the rest at once.
    let (signed, email) = t.signed_in;
    app_login_twice(s.app, email).await;
    let sessions = s.read(&format!("/users/{signed}/sessions")).await;
    let first = sessions["items"][0]["id"].as_str().expect("a session").to_owned();
    s.call("DELETE /users/{id}/sessions/{session_id}", &format!("/users/{signed}/sessions/{first}"), None, None).await;
    let ended = s.call("DELETE /users/{id}/sessions", &format!("/users/{signed}/sessions"), None, None).await;
    assert_eq!(ended, json!({"ended": 1}), "{tag}");

    // The account's settings, each caller with values of its own.
    let minutes = if tag == "t" { 61 } else { 62 };
    s.call("PATCH /settings/security", "/settings/security", Some(json!({"idle_timeout_minutes": minutes})), None)
        .await;
    let mut security = s.read("/settings/security").await;
    security["lockout_minutes"] = json!(minutes);
    s.call("PUT /settings/security", "/settings/security", Some(security), None).await;
    // Each caller shows a hidden field of its own, so that both previews tell the same change.
    let (shown, patched) = if tag == "t" { ("company", "city") } else { ("department", "country") };
    let mut profile = s.read("/settings/user-profile").await;
    for rule in profile["fields"].as_array_mut().expect("the rules") {
        if rule["field"] == shown {
            rule["enabled"] = json!(true);
            rule["allow_edits"] = json!(true);
        }
    }
    s.call("POST /settings/user-profile/preview", "/settings/user-profile/preview", Some(profile.clone()), None).await;
    s.call("PUT /settings/user-profile", "/settings/user-profile", Some(profile), None).await;
    let patch = json!({"fields": {patched: {"enabled": true, "allow_edits": false}}});
    s.call("PATCH /settings/user-profile", "/settings/user-profile", Some(patch), None).await;
    let mut scim = s.read("/settings/scim").await;
    scim["workspace"] = json!(ws);
    s.call("PUT /settings/scim", "/settings/scim", Some(scim), None).await;
    let provider = json!({"provider_name": format!("Provider {tag}")});
    s.call("PATCH /settings/sso", "/settings/sso", Some(provider), None).await;
    let mut sso = s.read("/settings/sso").await;
    sso["scopes"] = json!(["email", tag]);
    s.call("PUT /settings/sso", "/settings/sso", Some(sso), None).await;
    // No provider is configured: the test reports it, alike for both (whatever its status).
    s.attempt("POST /settings/sso/test", "/settings/sso/test", None, None).await;
}

async fn app_login_twice(app: &TestApp, email: &str) {
    for _ in 0..2 {
        app.login(email, PASSWORD).await;
    }
}

on_both_backends!(a_token_alone_runs_every_mutating_operation_as_its_admin_does, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    // Cat becomes a Master Admin and makes a token holding every permission a token may use.
    let admin = cat_as_master_admin(&app, &root, org.cat).await;
    let (_, held) = app.get_json(&admin, "/api/v1/me").await;
    let every: Vec<&str> = Permission::ALL.iter().map(|p| p.as_str()).filter(|p| *p != "tokens.manage").collect();
    let (status, made) = app
        .send(
            &admin,
            Method::POST,
            "/api/v1/api-tokens",
            Some(json!({"name": "script", "expires_in_days": 1, "permissions": every})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made} (Cat holds {held})");
    let secret = made["secret"].as_str().expect("secret").to_owned();
    let (cookie, token) = (Caller::Cookie(&admin), Caller::Token(&secret));

    let mut runs = Vec::new();
    for (caller, tag) in [(&token, "t"), (&cookie, "c")] {
        let targets = twin(&app, &org, tag).await;
        let mut script = Script { app: &app, caller, seen: Vec::new() };
        every_mutation(&mut script, &targets).await;
        runs.push(script.seen);
    }
    for (by_token, by_cookie) in runs[0].iter().zip(&runs[1]) {
        assert_eq!(by_token, by_cookie, "the token is answered as the cookie");
    }
    assert_eq!(runs[0].len(), runs[1].len());
    // Every operation of the document a token may call to change something was run.
    let run: std::collections::BTreeSet<String> = runs[0].iter().map(|(op, _, _)| op.clone()).collect();
    let missing: Vec<_> = token_mutations().difference(&run).cloned().collect();
    assert!(missing.is_empty(), "mutating operations the parity run does not call: {missing:?}");
    let unknown: Vec<_> = run.difference(&token_mutations()).cloned().collect();
    assert!(unknown.is_empty(), "not operations of the document: {unknown:?}");

    // The audit log names the token for its actions, the admin alone for the cookie's.
    let (_, log) = app.get_json(&admin, "/api/v1/audit?action=user.deleted").await;
    let items = log["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{log}");
    assert_eq!(items.iter().filter(|e| e.to_string().contains("\"script\"")).count(), 1, "{log}");
});
