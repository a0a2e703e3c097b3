//! Single sign-on with OpenID Connect against a real provider (npm `oidc-provider`, see
//! support/oidc.rs): settings and the connection test, sign-in of each kind of user,
//! attribute mapping, Bypass SSO, and every refusal as a page with an audit event.

use crate::on_both_backends;
use crate::support::app::{ADMIN_EMAIL, PASSWORD, TestApp, client};
use crate::support::oidc::{self, CLIENT_SECRET, Oidc, location, param};
use crate::support::org::Person;
use domain::ids::{AccountId, UserId, WorkspaceId};
use domain::user::UserStatus;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub(crate) struct Sso {
    pub(crate) idp: Oidc,
    pub(crate) root: reqwest::Client,
    pub(crate) account: AccountId,
    pub(crate) ws: WorkspaceId,
}

/// The bootstrap account with SSO on through a fresh provider holding `users`, configured
/// with `settings` over working defaults.
pub(crate) async fn sso(app: &TestApp, users: Value, settings: Value) -> Option<Sso> {
    let idp = Oidc::start(app, users).await?;
    let root = app.login_admin().await;
    idp.configure(app, &root, settings).await;
    let account = AccountId(store::accounts::first(&app.db).await.unwrap().unwrap().id);
    let ws = WorkspaceId(store::lookups::workspaces(&app.db, account).await.unwrap()[0].id);
    Some(Sso { idp, root, account, ws })
}

pub(crate) async fn add(app: &TestApp, s: &Sso, email: &str, status: UserStatus) -> UserId {
    let p = Person { email, first: "Test", last: "User", status, workspaces: vec![s.ws], role: None };
    app.add_user(s.account, p).await
}

pub(crate) fn verified(email: &str) -> Value {
    json!({"email": email, "email_verified": true, "given_name": "Ann", "family_name": "Archer"})
}

/// The newest audit events with `action`.
pub(crate) async fn audit(app: &TestApp, root: &reqwest::Client, action: &str) -> Vec<Value> {
    let (status, body) = app.get_json(root, &format!("/api/v1/audit?action={action}&limit=50")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().cloned().unwrap_or_default()
}

/// Asserts a refusal page (no session) with `heading`, and a `login.failed` event with
/// `reason` and `method: sso`.
pub(crate) async fn refused(
    app: &TestApp,
    s: &Sso,
    res: reqwest::Response,
    status: StatusCode,
    heading: &str,
    reason: &str,
) {
    assert_eq!(res.status(), status);
    assert!(res.headers().get("set-cookie").is_none(), "no session on a refusal");
    let html = res.text().await.unwrap();
    assert!(html.contains(heading), "{heading:?} in {html}");
    let events = audit(app, &s.root, "login.failed").await;
    assert!(
        events.iter().any(|e| e["details"]["reason"] == reason && e["details"]["method"] == "sso"),
        "a login.failed with reason {reason}: {events:?}"
    );
}

/// The signed-in user's email, through the session the callback set.
pub(crate) async fn me(app: &TestApp, c: &reqwest::Client) -> Value {
    let (status, body) = app.get_json(c, "/api/v1/me").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["user"].clone()
}

/// Creates group `name` in the default workspace.
pub(crate) async fn group(app: &TestApp, s: &Sso, name: &str) {
    let res = app.post_json(&s.root, "/api/v1/groups", &json!({"name": name, "workspace_id": s.ws.0})).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
}

/// The names of `user`'s groups and their admin role.
pub(crate) async fn standing(app: &TestApp, s: &Sso, user: UserId) -> (Vec<String>, Value) {
    let (_, u) = app.get_json(&s.root, &format!("/api/v1/users/{}", user.0)).await;
    let groups = u["groups"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap().to_owned()).collect();
    (groups, u["account_role"].clone())
}

/// Starts a sign-in and answers it with a forged token of `claims` (this sign-in's nonce
/// unless `claims` names one): Roster's answer to the callback.
pub(crate) async fn forged(app: &TestApp, s: &Sso, claims: Value, key: Value) -> reqwest::Response {
    let (c, callback) = forged_sign_in(app, s, claims, key, "forged").await;
    c.get(callback).send().await.unwrap()
}

/// Starts a sign-in whose token request (for the authorization code `code`) the provider
/// answers with a forged token of `claims` signed as `key` says: the cookie client that
/// started it and the callback URL to send it to.
pub(crate) async fn forged_sign_in(
    app: &TestApp,
    s: &Sso,
    claims: Value,
    key: Value,
    code: &str,
) -> (reqwest::Client, String) {
    let c = client();
    let auth = oidc::start(app, &c).await;
    let mut all = json!({"sub": "forged", "nonce": param(&auth, "nonce")});
    for (k, v) in claims.as_object().unwrap() {
        all[k] = v.clone();
    }
    let mut order = json!({"claims": all, "code": code});
    for (k, v) in key.as_object().unwrap() {
        order[k] = v.clone();
    }
    s.idp.forge(order).await;
    let state = param(&auth, "state");
    (c, app.url(&format!("/sso/callback?code={code}&state={state}")))
}

on_both_backends!(settings_hide_the_secret_and_the_switch_waits_for_a_passed_test, |app| async move {
    let root = app.login_admin().await;
    let (_, doc) = app.get_json(&root, "/api/v1/settings/sso").await;
    assert_eq!(doc["enabled"], false);
    assert_eq!(doc["email_claim"], "email");
    assert_eq!(doc["require_email_verified"], true);
    assert_eq!(doc["create_users"], false);
    assert_eq!(doc["redirect_uri"], app.url("/sso/callback"));
    // Every bad field at once, nothing saved.
    let mut bad = doc.clone();
    bad["issuer"] = json!("ftp://idp.example.com");
    bad["email_claim"] = json!("e mail");
    bad["mapping"]["claim"] = json!("");
    let (status, problem) = app.send(&root, Method::PUT, "/api/v1/settings/sso", Some(bad)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    let names: Vec<&str> =
        problem["invalid_params"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["issuer", "email_claim", "mapping.claim"], "{problem}");
    // An unreachable issuer: the test says exactly what failed, and SSO stays off.
    let mut doc = doc.clone();
    doc["issuer"] = json!("http://127.0.0.1:9");
    doc["client_id"] = json!("roster");
    doc["client_secret"] = json!("very-secret-value");
    doc["provider_name"] = json!("Acme IdP");
    let (status, saved) = app.send(&root, Method::PUT, "/api/v1/settings/sso", Some(doc)).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["client_secret_set"], true);
    assert!(!saved.to_string().contains("very-secret-value"), "the secret is never returned: {saved}");
    let (_, report) = app.send(&root, Method::POST, "/api/v1/settings/sso/test", None).await;
    assert_eq!(report["ok"], false, "{report}");
    let message = report["message"].as_str().unwrap();
    assert!(message.contains("cannot reach the provider") && message.contains("127.0.0.1:9"), "{message}");
    let (status, problem) =
        app.send(&root, Method::PATCH, "/api/v1/settings/sso", Some(json!({"enabled": true}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["invalid_params"][0]["name"], "enabled", "{problem}");
    // A real provider passes; then SSO switches on, and the secret is in no audit event.
    let Some(idp) = Oidc::start(&app, json!({})).await else { return };
    let patch = json!({"issuer": idp.issuer, "client_secret": CLIENT_SECRET});
    let (status, _) = app.send(&root, Method::PATCH, "/api/v1/settings/sso", Some(patch)).await;
    assert_eq!(status, StatusCode::OK);
    let (_, report) = app.send(&root, Method::POST, "/api/v1/settings/sso/test", None).await;
    assert_eq!(report["ok"], true, "{report}");
    let (status, on) = app.send(&root, Method::PATCH, "/api/v1/settings/sso", Some(json!({"enabled": true}))).await;
    assert_eq!(
        (status, &on["enabled"], &on["connection_tested"]),
        (StatusCode::OK, &json!(true), &json!(true)),
        "{on}"
    );
    let events = audit(&app, &root, "settings.sso.changed").await;
    assert!(!events.is_empty());
    assert!(!Value::Array(events).to_string().contains("very-secret-value"), "no secret in the audit log");
    // A new secret keeps SSO on (the test never used it); a new client id needs a new test.
    let (status, kept) =
        app.send(&root, Method::PATCH, "/api/v1/settings/sso", Some(json!({"client_secret": "rotated"}))).await;
    assert_eq!((status, &kept["enabled"], &kept["connection_tested"]), (StatusCode::OK, &json!(true), &json!(true)));
    let (status, problem) =
        app.send(&root, Method::PATCH, "/api/v1/settings/sso", Some(json!({"client_id": "another-client"}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["invalid_params"][0]["name"], "enabled", "{problem}");
});

on_both_backends!(an_active_user_signs_in_through_the_provider_like_a_password_sign_in, |app| async move {
    let Some(s) = sso(&app, json!({"ann": verified("Ann@Example.com")}), json!({})).await else { return };
    add(&app, &s, "ann@example.com", UserStatus::Active).await;
    // Under SSO the sign-in page offers the provider and no password form.
    let html = client().get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Sign in with Test IdP") && !html.contains("name=\"password\""), "{html}");
    let (c, res) = oidc::sign_in(&app, "ann").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    assert_eq!(location(&res), app.url("/"));
    assert_eq!(me(&app, &c).await["email"], "ann@example.com", "matched by canonical email");
    let ok = audit(&app, &s.root, "login.succeeded").await;
    assert!(ok.iter().any(|e| e["target"]["email"] == "ann@example.com" && e["details"]["method"] == "sso"), "{ok:?}");
    // The state works once: the same callback again is refused.
    let replay = oidc::start(&app, &c).await;
    let url = app.url(&format!("/sso/callback?code=x&state={}", param(&replay, "state")));
    let first = c.get(&url).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::BAD_GATEWAY, "a made-up code is refused by the provider");
    let again = c.get(&url).send().await.unwrap();
    refused(&app, &s, again, StatusCode::BAD_REQUEST, "expired or was already used", "bad_state").await;
    let missing = client().get(app.url("/sso/callback?code=x")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
});

on_both_backends!(a_callback_finishes_only_in_the_browser_that_started_the_sign_in, |app| async move {
    let Some(s) = sso(&app, json!({"ann": verified("ann@example.com")}), json!({})).await else { return };
    add(&app, &s, "ann@example.com", UserStatus::Active).await;
    // Login CSRF: an attacker signs in at the provider and sends the callback URL to a victim.
    let (attacker, url) = oidc::to_callback(&app, "ann").await;
    let victim = client();
    let res = victim.get(&url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "another browser's state is refused");
    assert!(res.headers().get_all("set-cookie").iter().all(|c| !c.to_str().unwrap().starts_with("roster_session=")));
    assert_eq!(app.get_json(&victim, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED, "no session for the victim");
    // The browser that started it still finishes it.
    let res = attacker.get(&url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    assert_eq!(me(&app, &attacker).await["email"], "ann@example.com");
});

on_both_backends!(an_invited_user_becomes_active_at_the_first_sso_sign_in, |app| async move {
    let Some(s) = sso(&app, json!({"ivy": verified("ivy@example.com")}), json!({})).await else { return };
    let ivy = add(&app, &s, "ivy@example.com", UserStatus::Invited).await;
    let (c, res) = oidc::sign_in(&app, "ivy").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(me(&app, &c).await["email"], "ivy@example.com");
    let (_, user) = app.get_json(&s.root, &format!("/api/v1/users/{}", ivy.0)).await;
    assert_eq!(user["status"], "active", "{user}");
    let accepted = audit(&app, &s.root, "user.invitation_accepted").await;
    assert!(accepted.iter().any(|e| e["details"]["method"] == "sso"), "{accepted:?}");
});

// A Locked user (failed passwords) does sign in through the provider: sso_keys.rs.
on_both_backends!(suspended_deleted_and_unknown_users_get_a_page_and_no_session, |app| async move {
    let users = json!({
        "sue": verified("sue@example.com"), "del": verified("del@example.com"), "nobody": verified("nobody@example.com"),
    });
    let Some(s) = sso(&app, users, json!({})).await else { return };
    add(&app, &s, "sue@example.com", UserStatus::Suspended).await;
    let del = add(&app, &s, "del@example.com", UserStatus::Active).await;
    let (status, _) = app.send(&s.root, Method::DELETE, &format!("/api/v1/users/{}", del.0), None).await;
    assert!(status.is_success(), "{status}");
    for (login, heading, reason) in
        [("sue", "Your user is suspended", "suspended"), ("del", "Your user was deleted", "deleted")]
    {
        let (_, res) = oidc::sign_in(&app, login).await;
        refused(&app, &s, res, StatusCode::FORBIDDEN, heading, reason).await;
    }
    let (_, res) = oidc::sign_in(&app, "nobody").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.unwrap();
    assert!(html.contains("nobody@example.com") && html.contains(ADMIN_EMAIL), "names whom to ask: {html}");
});

on_both_backends!(unknown_users_are_created_when_the_account_allows_it, |app| async move {
    let settings = json!({
        "create_users": true,
        "mapping": {"mode": "inclusion_only", "claim": "groups", "groups": {"eng": "Engineering"}, "admin_roles": {}, "builder_access": {"builders": "builder"}},
    });
    let mut new = verified("new.person@example.com");
    new["groups"] = json!(["eng", "builders"]);
    let Some(s) = sso(&app, json!({"new": new}), settings).await else { return };
    group(&app, &s, "Engineering").await;
    let (c, res) = oidc::sign_in(&app, "new").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let me = me(&app, &c).await;
    assert_eq!(me["email"], "new.person@example.com");
    let id = me["id"].as_str().unwrap().to_owned();
    let (_, user) = app.get_json(&s.root, &format!("/api/v1/users/{id}")).await;
    assert_eq!(user["status"], "active", "{user}");
    assert_eq!(user["first_name"], "Ann", "named from the token: {user}");
    assert_eq!(user["builder_access"], "builder", "{user}");
    let groups = store::lookups::user_groups(&app.db, UserId(id.parse().unwrap())).await.unwrap();
    assert_eq!(groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(), ["Engineering"]);
    assert!(!audit(&app, &s.root, "user.sso_created").await.is_empty());
    assert!(!audit(&app, &s.root, "user.sso_mapping_applied").await.is_empty());
});

/// Signs `login` in with `groups` in the token (or no groups claim when `None`).
pub(crate) async fn sign_in_with(app: &TestApp, s: &Sso, login: &str, email: &str, groups: Option<Value>) {
    let mut claims = verified(email);
    if let Some(g) = groups {
        claims["groups"] = g;
    }
    s.idp.set_users(json!({ login: claims })).await;
    let (_, res) = oidc::sign_in(app, login).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
}

fn mapping(mode: &str) -> Value {
    json!({"mapping": {
        "mode": mode, "claim": "groups",
        "groups": {"eng": "Engineering", "ops": "Operations"},
        "admin_roles": {"roster-admins": "Master Admin"},
        "builder_access": {},
    }})
}

on_both_backends!(full_sync_replaces_mapped_attributes_and_inclusion_only_only_adds, |app| async move {
    let Some(s) = sso(&app, json!({}), mapping("full_sync")).await else { return };
    for g in ["Engineering", "Operations", "Hand-made"] {
        group(&app, &s, g).await;
    }
    let ann = add(&app, &s, "ann@example.com", UserStatus::Active).await;
    sign_in_with(&app, &s, "ann", "ann@example.com", Some(json!(["eng", "ops", "roster-admins"]))).await;
    assert_eq!(standing(&app, &s, ann).await, (vec!["Engineering".into(), "Operations".into()], json!("Master Admin")));
    // Someone adds her to an unmapped group by hand; full sync never touches it.
    let groups = store::lookups::groups(&app.db, s.account).await.unwrap();
    let hand_made = groups.iter().find(|g| g.name == "Hand-made").unwrap().id;
    let path = format!("/api/v1/groups/{hand_made}/members/{}", ann.0);
    let (status, body) = app.send(&s.root, Method::PUT, &path, None).await;
    assert!(status.is_success(), "{body}");
    // The claim drops ops and the admin group: full sync removes exactly those.
    sign_in_with(&app, &s, "ann", "ann@example.com", Some(json!(["eng"]))).await;
    let (groups, role) = standing(&app, &s, ann).await;
    assert_eq!(groups, ["Engineering", "Hand-made"]);
    assert_eq!(role, json!("Member"), "the mapped role was taken away");
    // No groups claim at all is not an empty list: nothing is removed.
    sign_in_with(&app, &s, "ann", "ann@example.com", None).await;
    assert_eq!(standing(&app, &s, ann).await.0, ["Engineering", "Hand-made"]);
    let changes = audit(&app, &s.root, "user.sso_mapping_applied").await;
    assert_eq!(changes.len(), 2, "audited only when something changed: {changes:?}");
    // The Primary Master Admin is never demoted by a mapping.
    sign_in_with(&app, &s, "root", ADMIN_EMAIL, Some(json!([]))).await;
    let root_id = store::users::find_for_login(&app.db, ADMIN_EMAIL, None).await.unwrap()[0].id;
    assert_eq!(standing(&app, &s, UserId(root_id)).await.1, json!("Primary Master Admin"));
    // Inclusion only: a claim without ops adds eng and removes nothing.
    let (status, body) =
        app.send(&s.root, Method::PATCH, "/api/v1/settings/sso", Some(mapping("inclusion_only"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let bo = add(&app, &s, "bo@example.com", UserStatus::Active).await;
    sign_in_with(&app, &s, "bo", "bo@example.com", Some(json!(["ops"]))).await;
    sign_in_with(&app, &s, "bo", "bo@example.com", Some(json!(["eng"]))).await;
    assert_eq!(standing(&app, &s, bo).await.0, ["Engineering", "Operations"]);
});

on_both_backends!(bypass_sso_lets_only_admins_sign_in_with_a_password, |app| async move {
    let Some(s) = sso(&app, json!({}), json!({})).await else { return };
    add(&app, &s, "member@example.com", UserStatus::Active).await;
    let wrong = json!({"email": "member@example.com", "password": "Not-The-Password-9"});
    let right = json!({"email": "member@example.com", "password": PASSWORD});
    let refused_wrong = app.post_json(&client(), "/api/v1/auth/login", &wrong).await;
    let (ws, wb) = (refused_wrong.status(), refused_wrong.text().await.unwrap());
    let refused_right = app.post_json(&client(), "/api/v1/auth/login", &right).await;
    assert_eq!(
        (refused_right.status(), refused_right.text().await.unwrap()),
        (ws, wb),
        "a member's right password reads as a wrong one"
    );
    assert_eq!(ws, StatusCode::UNAUTHORIZED);
    let failed = audit(&app, &s.root, "login.failed").await;
    assert!(
        failed.iter().any(|e| e["details"]["reason"] == "password sign-in is for admins only under SSO"),
        "{failed:?}"
    );
    // The admin gets in, by the API and by the Bypass SSO page.
    let admin = json!({"email": ADMIN_EMAIL, "password": PASSWORD});
    assert_eq!(app.post_json(&client(), "/api/v1/auth/login", &admin).await.status(), StatusCode::OK);
    let page = client().get(app.url("/admin/login")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("action=\"/admin/login\"") && page.contains("Bypass SSO"), "{page}");
    let form = [("email", ADMIN_EMAIL), ("password", PASSWORD), ("next", "/")];
    let res = client().post(app.url("/admin/login")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let member_form = [("email", "member@example.com"), ("password", PASSWORD), ("next", "/")];
    let res = client().post(app.url("/admin/login")).form(&member_form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let ok = audit(&app, &s.root, "login.succeeded").await;
    assert!(ok.iter().filter(|e| e["details"]["method"] == "password_bypass").count() >= 2, "{ok:?}");
});

on_both_backends!(every_bad_token_is_a_clear_page_and_an_audit_event, |app| async move {
    let Some(s) = sso(&app, json!({"ann": verified("ann@example.com")}), json!({})).await else { return };
    add(&app, &s, "ann@example.com", UserStatus::Active).await;
    // A good forged token first proves the forging path itself signs people in.
    let ann = json!({"email": "ann@example.com", "email_verified": true});
    assert_eq!(forged(&app, &s, ann.clone(), json!({})).await.status(), StatusCode::SEE_OTHER);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let with = |extra: Value| {
        let mut c = ann.clone();
        for (k, v) in extra.as_object().unwrap() {
            c[k] = v.clone();
        }
        c
    };
    let bad = StatusCode::BAD_REQUEST;
    let res = forged(&app, &s, ann.clone(), json!({"kid": "key-1", "rogue": true})).await;
    refused(&app, &s, res, bad, "could not be verified", "bad_signature").await;
    let res = forged(&app, &s, with(json!({"aud": "someone-else"})), json!({})).await;
    refused(&app, &s, res, bad, "meant for another application", "wrong_audience").await;
    let res = forged(&app, &s, with(json!({"exp": now - 120, "iat": now - 600})), json!({})).await;
    refused(&app, &s, res, bad, "The sign-in expired", "expired").await;
    let res = forged(&app, &s, with(json!({"iat": now + 300})), json!({})).await;
    refused(&app, &s, res, bad, "The sign-in expired", "expired").await;
    // Within the documented 60 s of skew both ways, a token is fine.
    let skewed = forged(&app, &s, with(json!({"exp": now - 30, "iat": now + 30})), json!({})).await;
    assert_eq!(skewed.status(), StatusCode::SEE_OTHER, "{}", skewed.text().await.unwrap());
    let res = forged(&app, &s, with(json!({"nonce": "not-this-one"})), json!({})).await;
    refused(&app, &s, res, bad, "does not match this attempt", "nonce_mismatch").await;
    let res = forged(&app, &s, with(json!({"iss": "http://127.0.0.1:1"})), json!({})).await;
    refused(&app, &s, res, bad, "another issuer", "wrong_issuer").await;
    let res = forged(&app, &s, with(json!({"email_verified": false})), json!({})).await;
    refused(&app, &s, res, bad, "not verified", "email_unverified").await;
    // email_verified as the string "true" is read as true (the one documented rule).
    let res = forged(&app, &s, with(json!({"email_verified": "true"})), json!({})).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let res = forged(&app, &s, json!({"preferred_username": "ann@example.com"}), json!({})).await;
    assert_eq!(res.status(), bad);
    let html = res.text().await.unwrap();
    let names_claim = html.contains("&#34;email&#34;") || html.contains("\"email\"");
    assert!(html.contains("sent no email address") && names_claim, "names the claim: {html}");
    // Cancelled at the provider's real login page.
    let c = client();
    let mut url = oidc::start(&app, &c).await;
    let res = c.get(&url).send().await.unwrap();
    url = location(&res);
    assert!(url.contains("/interaction/"), "{url}");
    let res = c.get(format!("{url}/abort")).send().await.unwrap();
    let mut next = location(&res);
    while !next.starts_with(&app.url("/sso/callback")) {
        next = location(&c.get(&next).send().await.unwrap());
    }
    assert_eq!(param(&next, "error"), "access_denied");
    let res = c.get(&next).send().await.unwrap();
    refused(&app, &s, res, bad, "Sign-in cancelled", "cancelled").await;
    // The provider goes away mid-sign-in: its token endpoint does not answer.
    let c = client();
    let auth = oidc::start(&app, &c).await;
    drop(s.idp);
    let res = c.get(app.url(&format!("/sso/callback?code=x&state={}", param(&auth, "state")))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_GATEWAY);
    assert!(res.text().await.unwrap().contains("could not be reached"));
    let events = audit(&app, &s.root, "login.failed").await;
    assert!(events.iter().any(|e| e["details"]["reason"] == "provider_unreachable"), "{events:?}");
});

/// One browser test: the sign-in page's button, the provider's own login page, and the
/// console behind it (SQLite: the pages are the same on both backends).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_browser_sign_in_with_the_provider_lands_on_the_console() {
    use crate::support::browser::Browser;
    let app = crate::support::spawn_app(store::Backend::Sqlite).await.expect("SQLite");
    let Some(_s) = sso(&app, json!({"root": verified(ADMIN_EMAIL)}), json!({})).await else { return };
    let Some(b) = Browser::start(&app.base).await else { return };
    b.goto("/admin/users").await;
    b.wait_for("#sso-sign-in").await;
    b.click("#sso-sign-in").await;
    // The provider's development login page (oidc-provider's own HTML).
    b.wait_for("input[name=login]").await;
    b.fill("input[name=login]", "root").await;
    b.fill("input[name=password]", "anything").await;
    b.click("button[type=submit]").await;
    b.wait_for("#user-count").await;
    assert_eq!(b.current_path().await, "/admin/users", "back where the sign-in started");
    b.screenshot("sso-console").await;
    b.finish().await;
}

/// The newest outbox message to `to`, soft line breaks undone.
async fn mail_to(app: &TestApp, to: &str) -> String {
    app.settle_mail().await;
    let mut files: Vec<_> = std::fs::read_dir(app.outbox())
        .expect("outbox")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .map(|p| (std::fs::metadata(&p).and_then(|m| m.modified()).expect("mtime"), p))
        .collect();
    files.sort();
    files
        .iter()
        .rev()
        .map(|(_, p)| std::fs::read_to_string(p).expect("eml").replace("=\r\n", "").replace("=3D", "="))
        .find(|text| text.contains(to))
        .unwrap_or_else(|| panic!("no mail to {to}"))
}

on_both_backends!(under_sso_invitations_say_sign_in_with_the_provider_and_password_steps_are_off, |app| async move {
    // Invited before SSO: a password link; after, its page offers the provider instead.
    let root = app.login_admin().await;
    let res = app.post_json(&root, "/api/v1/invitations", &json!({"emails": ["early@example.com"]})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let token = crate::invitations::invitation_token(&app, "early@example.com").await;
    let Some(s) = sso(&app, json!({}), json!({})).await else { return };
    let page = client().get(app.url(&format!("/invitations/accept?token={token}"))).send().await.unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("id=\"sso-invitation\"") && html.contains("Sign in with Test IdP"), "{html}");
    assert!(html.contains("<fieldset disabled"), "the password step is shown disabled: {html}");
    let form = [("token", token.as_str()), ("password", "Brand-New-Pass-42"), ("confirm", "Brand-New-Pass-42")];
    let res = client().post(app.url("/invitations/accept")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT, "no password is set under SSO");
    // Invited under SSO: the email says to sign in with the provider, with no password link.
    let res = app.post_json(&s.root, "/api/v1/invitations", &json!({"emails": ["late@example.com"]})).await;
    let body: Value = res.json().await.unwrap();
    let late = body["results"][0]["user_id"].as_str().expect("invited").to_owned();
    let mail = mail_to(&app, "late@example.com").await;
    assert!(mail.contains("Sign in with Test IdP") && mail.contains("/login?account="), "{mail}");
    assert!(!mail.contains("/invitations/accept"), "no password link under SSO: {mail}");
    // Forgot password and the admin's Reset password are shown disabled, saying why.
    let html = client().get(app.url("/password/forgot")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("id=\"sso-reason\"") && html.contains("Password reset is off here"), "{html}");
    let active = add(&app, &s, "active@example.com", UserStatus::Active).await;
    let html = s.root.get(app.url(&format!("/admin/users/{}", active.0))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("id=\"reset-sso-reason\""), "{html}");
    let (_, late) = app.get_json(&s.root, &format!("/api/v1/users/{late}")).await;
    assert_eq!(late["status"], "invited", "{late}");
    // The settings page shows the redirect URI and never the secret.
    let html = s.root.get(app.url("/admin/settings/sso")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&app.url("/sso/callback")) && !html.contains(CLIENT_SECRET), "{html}");
});
