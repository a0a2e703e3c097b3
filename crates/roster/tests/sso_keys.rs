//! Single sign-on's hard edges against the real provider (issue 15): callbacks racing a key
//! rotation, a password lockout that refuses SSO but cannot be caused for members, the state every callback must
//! prove, and plain-http providers only where the operator allows them.

use crate::on_both_backends;
use crate::sso::{add, audit, forged, forged_sign_in, me, refused, sso, verified};
use crate::sso_safety::custom_admin;
use crate::support::app::{PASSWORD, TestApp, client};
use crate::support::oidc::{self, param};
use domain::permission::Permission;
use domain::user::UserStatus;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Callbacks arriving together after the provider rotated its keys.
const CALLBACKS: usize = 5;

on_both_backends!(after_a_key_rotation_concurrent_callbacks_all_verify_with_one_key_fetch, |app| async move {
    let Some(s) = sso(&app, json!({"ann": verified("ann@example.com")}), json!({})).await else { return };
    add(&app, &s, "ann@example.com", UserStatus::Active).await;
    let (_, res) = oidc::sign_in(&app, "ann").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "keys cached at the first sign-in");
    let kid = s.idp.rotate().await;
    let ann = json!({"email": "ann@example.com", "email_verified": true});
    // Each token answer waits until all are asked for: every callback has read the cached
    // (old) keys before any is verified, so all of them miss the new key id together.
    let key = json!({"kid": kid, "barrier": CALLBACKS});
    let mut callbacks = Vec::new();
    for i in 0..CALLBACKS {
        callbacks.push(forged_sign_in(&app, &s, ann.clone(), key.clone(), &format!("rotated-{i}")).await);
    }
    let fetches = s.idp.key_fetches().await;
    let mut running = tokio::task::JoinSet::new();
    for (c, url) in callbacks {
        running.spawn(async move { c.get(url).send().await.expect("callback") });
    }
    while let Some(res) = running.join_next().await {
        let res = res.expect("joined");
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "every callback signs in: {}", res.text().await.unwrap());
    }
    assert_eq!(s.idp.key_fetches().await - fetches, 1, "one key fetch for all {CALLBACKS} callbacks");
    let ok = audit(&app, &s.root, "login.succeeded").await;
    assert!(ok.iter().filter(|e| e["details"]["method"] == "sso").count() > CALLBACKS, "{ok:?}");
    // A key id the provider never published: the page and the event, and — within the
    // refetch interval — the cached key set, no further fetch.
    let res = forged(&app, &s, ann, json!({"kid": "never-published", "rogue": true})).await;
    refused(&app, &s, res, StatusCode::BAD_REQUEST, "could not be verified", "bad_signature").await;
    assert_eq!(s.idp.key_fetches().await - fetches, 1, "forged key ids cannot make us hammer the provider");
});

/// `user`'s record as the root admin sees it.
async fn user(app: &TestApp, root: &reqwest::Client, id: &str) -> Value {
    let (status, body) = app.get_json(root, &format!("/api/v1/users/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn password_sign_in(app: &TestApp, email: &str, password: &str) -> StatusCode {
    let body = json!({"email": email, "password": password});
    app.post_json(&client(), "/api/v1/auth/login", &body).await.status()
}

on_both_backends!(a_lockout_refuses_sso_too_and_a_members_passwords_under_sso_never_lock, |app| async move {
    const ADA: &str = "ada@example.com";
    const MO: &str = "mo@example.com";
    let users = json!({"ada": verified(ADA), "mo": verified(MO)});
    let Some(s) = sso(&app, users, json!({})).await else { return };
    // An admin: Bypass SSO is a password way in for her, so her wrong passwords count.
    let bypass = custom_admin(&app, ADA, &[Permission::UsersView]).await;
    let id = me(&app, &bypass).await["id"].as_str().unwrap().to_owned();
    for _ in 0..5 {
        assert_eq!(password_sign_in(&app, ADA, "Wrong-Password-9").await, StatusCode::UNAUTHORIZED);
    }
    let locked = user(&app, &s.root, &id).await;
    assert_eq!((&locked["status"], &locked["lockout"]["failed_logins"]), (&json!("locked"), &json!(5)), "{locked}");
    assert_eq!(app.get_json(&bypass, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED, "the lock ended her sessions");
    assert_eq!(password_sign_in(&app, ADA, PASSWORD).await, StatusCode::UNAUTHORIZED, "Bypass SSO is shut");
    let form = [("email", ADA), ("password", PASSWORD), ("next", "/")];
    let res = client().post(app.url("/admin/login")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "the Bypass SSO page is shut too");
    // The lock refuses SSO: a page saying so and until when, an event, no session.
    let (_, res) = oidc::sign_in(&app, "ada").await;
    refused(&app, &s, res, StatusCode::FORBIDDEN, "Your user is locked", "locked").await;
    let (_, res) = oidc::sign_in(&app, "ada").await;
    let html = res.text().await.unwrap();
    assert!(html.contains("locked until 20") && html.contains(" UTC"), "says until when: {html}");
    // The refused SSO sign-in neither lifted the lock nor moved the count.
    let after = user(&app, &s.root, &id).await;
    assert_eq!((&after["status"], &after["lockout"]["failed_logins"]), (&json!("locked"), &json!(5)), "{after}");
    // An admin unlocks her: SSO lets her in again.
    let (status, body) = app.send(&s.root, Method::POST, &format!("/api/v1/users/{id}/unlock"), None).await;
    assert!(status.is_success(), "{status} {body}");
    let (c, res) = oidc::sign_in(&app, "ada").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    assert_eq!(me(&app, &c).await["email"], ADA);
    // A member has no password way in under SSO: however many passwords anyone types for
    // him, right or wrong, each is answered as a wrong one and none counts — nobody can
    // shut him out of SSO that way.
    let mo = add(&app, &s, MO, UserStatus::Active).await;
    for password in ["Wrong-Password-9"; 7].into_iter().chain([PASSWORD]) {
        assert_eq!(password_sign_in(&app, MO, password).await, StatusCode::UNAUTHORIZED);
    }
    let standing = user(&app, &s.root, &mo.0.to_string()).await;
    assert_eq!(
        (&standing["status"], &standing["lockout"]["failed_logins"]),
        (&json!("active"), &json!(0)),
        "{standing}"
    );
    let failed = audit(&app, &s.root, "login.failed").await;
    let told = failed.iter().filter(|e| e["target"]["email"] == MO).collect::<Vec<_>>();
    assert_eq!(told.len(), 8, "every attempt is audited: {failed:?}");
    assert!(told.iter().all(|e| e["details"]["reason"] == "password sign-in is for admins only under SSO"), "{told:?}");
    let (c, res) = oidc::sign_in(&app, "mo").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    assert_eq!(me(&app, &c).await["email"], MO);
    // An admin's suspension refuses SSO, and ends the session it opened.
    let (status, body) = app.send(&s.root, Method::POST, &format!("/api/v1/users/{}/suspend", mo.0), None).await;
    assert!(status.is_success(), "{status} {body}");
    assert_eq!(app.get_json(&c, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    let (_, res) = oidc::sign_in(&app, "mo").await;
    refused(&app, &s, res, StatusCode::FORBIDDEN, "Your user is suspended", "suspended").await;
});

/// The `detail`s of the `login.failed` events with reason `bad_state` and method `sso`.
async fn bad_states(app: &TestApp, root: &reqwest::Client) -> Vec<String> {
    let events = audit(app, root, "login.failed").await;
    events
        .iter()
        .filter(|e| e["details"]["method"] == "sso" && e["details"]["reason"] == "bad_state")
        .map(|e| e["details"]["detail"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Sends `request` and asserts the clear page of a bad state, no session, and one new
/// audit event saying `detail`.
async fn refused_state(app: &TestApp, root: &reqwest::Client, request: reqwest::RequestBuilder, detail: &str) {
    let before = bad_states(app, root).await.len();
    let res = request.send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let cookies: Vec<_> = res.headers().get_all("set-cookie").iter().map(|c| c.to_str().unwrap().to_owned()).collect();
    assert!(cookies.iter().all(|c| !c.starts_with("roster_session=")), "no session: {cookies:?}");
    let html = res.text().await.unwrap();
    assert!(html.contains("This sign-in has expired or was already used"), "{html}");
    assert!(html.contains("in the browser that started it"), "{html}");
    let details = bad_states(app, root).await;
    assert_eq!(details.len(), before + 1, "one event: {details:?}");
    assert!(details.iter().any(|d| d.contains(detail)), "{detail:?} in {details:?}");
}

on_both_backends!(a_callback_with_a_missing_forged_foreign_or_replayed_state_is_audited, |app| async move {
    let Some(s) = sso(&app, json!({"ann": verified("ann@example.com")}), json!({})).await else { return };
    add(&app, &s, "ann@example.com", UserStatus::Active).await;
    let root = &s.root;
    // No state at all.
    refused_state(&app, root, client().get(app.url("/sso/callback?code=x")), "carries no state").await;
    // A made-up state, without a cookie.
    let made_up = client().get(app.url("/sso/callback?code=x&state=made-up"));
    refused_state(&app, root, made_up, "not the one this browser").await;
    // Another browser's state (a leaked or planted callback): refused, and not spent — the
    // browser that started the sign-in still finishes it.
    let (owner, url) = oidc::to_callback(&app, "ann").await;
    refused_state(&app, root, client().get(&url), "not the one this browser").await;
    let res = owner.get(&url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    // The same callback again in the same browser: a replay.
    refused_state(&app, root, owner.get(&url), "already used").await;
    // This browser's cookie, and a state that is not it.
    let jar = client();
    let auth = oidc::start(&app, &jar).await;
    let other = jar.get(app.url(&format!("/sso/callback?code=x&state={}x", param(&auth, "state"))));
    refused_state(&app, root, other, "not the one this browser").await;
});

/// Plain http to the provider is off unless the operator turns it on.
async fn plain_http_issuers_need_the_operator(backend: store::Backend) {
    let Some(app) = crate::support::app::spawn_app_with(backend, |c| c.sso_allow_insecure_issuer = false).await else {
        return;
    };
    let root = app.login_admin().await;
    let settings = |issuer: &str| json!({"issuer": issuer, "client_id": "roster", "client_secret": "s"});
    let (status, problem) =
        app.send(&root, Method::PATCH, "/api/v1/settings/sso", Some(settings("http://127.0.0.1:9"))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    let param = &problem["invalid_params"][0];
    assert_eq!(param["name"], "issuer", "{problem}");
    assert!(param["reason"].as_str().unwrap_or_default().contains("sso_allow_insecure_issuer"), "{problem}");
    let (status, saved) =
        app.send(&root, Method::PATCH, "/api/v1/settings/sso", Some(settings("https://idp.example.com"))).await;
    assert_eq!(status, StatusCode::OK, "https is always allowed: {saved}");
}

mod plain_http_issuers_need_the_operator {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::plain_http_issuers_need_the_operator(store::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::plain_http_issuers_need_the_operator(store::Backend::Postgres).await;
    }
}
