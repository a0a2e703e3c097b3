//! A fresh reviewer's walk of issue 15 (single sign-on) against the real provider: hostile
//! claims (wrong types, huge values, string `email_verified`, missing claims), Unicode
//! addresses, a lock without a timer, workspace-scoped admins at Bypass SSO, and the
//! trust settings in a lesser admin's hands. Each case must be a clear answer — a page or
//! a session — and never a 5xx.

use crate::on_both_backends;
use crate::sso::{Sso, add, audit, forged, me, refused, sso, verified};
use crate::sso_safety::{custom_admin, first_account};
use crate::support::app::{PASSWORD, TestApp, client};
use crate::support::oidc;
use crate::support::roles::CustomAdmin;
use domain::permission::Permission;
use domain::user::UserStatus;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const ADA: &str = "ada@example.com";

/// Whether `res` set a session cookie.
fn opened_session(res: &reqwest::Response) -> bool {
    res.headers().get_all("set-cookie").iter().any(|c| c.to_str().unwrap_or_default().starts_with("roster_session="))
}

/// Answers a sign-in with a forged token of `claims` and asserts the outcome: a session
/// (303) when `admitted`, else a 4xx page without one — never a 5xx.
async fn walk(app: &TestApp, s: &Sso, what: &str, claims: Value, admitted: bool) {
    let res = forged(app, s, claims, json!({})).await;
    let status = res.status();
    let session = opened_session(&res);
    let html = res.text().await.unwrap_or_default();
    assert!(!status.is_server_error(), "{what}: {status} {html}");
    if admitted {
        assert_eq!((status, session), (StatusCode::SEE_OTHER, true), "{what}: {html}");
    } else {
        assert!(status.is_client_error() && !session, "{what}: {status} session {session}: {html}");
        assert!(html.contains("<h1"), "{what}: a page: {html}");
    }
}

on_both_backends!(hostile_claims_are_clear_pages_never_a_5xx_or_a_stray_session, |app| async move {
    let Some(s) = sso(&app, json!({}), json!({})).await else { return };
    add(&app, &s, ADA, UserStatus::Active).await;
    let ok = |extra: Value| {
        let mut c = verified(ADA);
        for (k, v) in extra.as_object().unwrap() {
            c[k] = v.clone();
        }
        c
    };
    // The documented rule for email_verified: JSON true/false or "true"/"false".
    walk(&app, &s, "email_verified \"true\"", ok(json!({"email_verified": "true"})), true).await;
    walk(&app, &s, "email_verified \"false\"", ok(json!({"email_verified": "false"})), false).await;
    walk(&app, &s, "email_verified \"TRUE\"", ok(json!({"email_verified": "TRUE"})), false).await;
    walk(&app, &s, "email_verified 1", ok(json!({"email_verified": 1})), false).await;
    walk(&app, &s, "email_verified null", ok(json!({"email_verified": null})), false).await;
    walk(&app, &s, "email_verified absent", json!({"email": ADA}), false).await;
    // The email claim of the wrong type, missing, or no address.
    walk(&app, &s, "email a number", ok(json!({"email": 42})), false).await;
    walk(&app, &s, "email an array", ok(json!({"email": [ADA]})), false).await;
    walk(&app, &s, "email an object", ok(json!({"email": {"value": ADA}})), false).await;
    walk(&app, &s, "email with a NUL", ok(json!({"email": format!("{ADA}\u{0}")})), false).await;
    walk(&app, &s, "email with a newline", ok(json!({"email": format!("{ADA}\nbcc@evil.com")})), false).await;
    let huge = format!("{}@example.com", "a".repeat(100_000));
    walk(&app, &s, "a 100 kB email", ok(json!({"email": huge})), false).await;
    // The canonical form: case does not tell two addresses apart.
    walk(&app, &s, "email in capitals", ok(json!({"email": "ADA@EXAMPLE.COM"})), true).await;
    // The mapping's claim of any shape changes nothing and refuses nobody.
    walk(&app, &s, "groups an object", ok(json!({"groups": {"eng": true}})), true).await;
    walk(&app, &s, "groups of mixed types", ok(json!({"groups": [1, null, {"a": 1}, "eng"]})), true).await;
    walk(&app, &s, "groups a number", ok(json!({"groups": 7})), true).await;
    // Profile claims of the wrong type or huge sizes.
    walk(&app, &s, "a 300 kB name", ok(json!({"given_name": "A".repeat(300_000)})), true).await;
    // A token answer past the 512 KiB bound is the provider's failure (502), still a page.
    let res = forged(&app, &s, ok(json!({"padding": "x".repeat(600_000)})), json!({})).await;
    assert_eq!((res.status(), opened_session(&res)), (StatusCode::BAD_GATEWAY, false));
    assert!(res.text().await.unwrap().contains("larger than 524288 bytes"));
    // Token fields of the wrong type.
    walk(&app, &s, "exp a string", ok(json!({"exp": "soon"})), false).await;
    walk(&app, &s, "nonce a number", ok(json!({"nonce": 5})), false).await;
    walk(&app, &s, "iss with a trailing slash", ok(json!({"iss": format!("{}/", s.idp.issuer)})), false).await;
    walk(&app, &s, "a second, untrusted audience", ok(json!({"aud": [oidc::CLIENT_ID, "evil"]})), false).await;
    // Every refusal was audited, none as a success.
    let failed = audit(&app, &s.root, "login.failed").await;
    assert!(failed.iter().filter(|e| e["details"]["method"] == "sso").count() >= 16, "{failed:?}");
});

on_both_backends!(unicode_addresses_match_in_their_canonical_form, |app| async move {
    const STORED: &str = "åsa.ørn@exämple.com";
    let Some(s) = sso(&app, json!({}), json!({})).await else { return };
    add(&app, &s, STORED, UserStatus::Active).await;
    // Upper case, the domain in its ASCII (IDNA) form, and the local part decomposed (NFD):
    // each is the same address, and signs the same user in.
    for sent in ["ÅSA.ØRN@EXÄMPLE.COM", "åsa.ørn@xn--exmple-cua.com", "a\u{30a}sa.ørn@exämple.com"] {
        let mut claims = verified(sent);
        claims["sub"] = json!(sent);
        let res = forged(&app, &s, claims, json!({})).await;
        let status = res.status();
        let html = res.text().await.unwrap_or_default();
        assert_eq!(status, StatusCode::SEE_OTHER, "{sent}: {html}");
    }
    // A look-alike (Cyrillic а) is not the user.
    let res = forged(&app, &s, verified("\u{430}sa.ørn@exämple.com"), json!({})).await;
    assert!(res.status().is_client_error(), "{}", res.status());
});

on_both_backends!(a_lock_without_a_timer_refuses_sso_until_an_admin_unlocks, |app| async move {
    let Some(s) = sso(&app, json!({"ada": verified(ADA)}), json!({})).await else { return };
    let (status, body) =
        app.send(&s.root, Method::PATCH, "/api/v1/settings/security", Some(json!({"lockout_minutes": 0}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let bypass = custom_admin(&app, ADA, &[Permission::UsersView]).await;
    let id = me(&app, &bypass).await["id"].as_str().unwrap().to_owned();
    for _ in 0..5 {
        let wrong = json!({"email": ADA, "password": "Wrong-Password-9"});
        assert_eq!(app.post_json(&client(), "/api/v1/auth/login", &wrong).await.status(), StatusCode::UNAUTHORIZED);
    }
    let (_, u) = app.get_json(&s.root, &format!("/api/v1/users/{id}")).await;
    assert_eq!((&u["status"], &u["lockout"]["unlocks_at"]), (&json!("locked"), &Value::Null), "{u}");
    let (_, res) = oidc::sign_in(&app, "ada").await;
    refused(&app, &s, res, StatusCode::FORBIDDEN, "Your user is locked", "locked").await;
    let (_, res) = oidc::sign_in(&app, "ada").await;
    let html = res.text().await.unwrap();
    assert!(html.contains("Ask your admin to unlock it") && !html.contains("locked until"), "{html}");
});

on_both_backends!(a_workspace_scoped_admin_keeps_bypass_sso_and_their_wrong_passwords_count, |app| async move {
    const WES: &str = "wes@example.com";
    let Some(s) = sso(&app, json!({"wes": verified(WES)}), json!({})).await else { return };
    let (account, ws) = first_account(&app).await;
    let scoped = CustomAdmin {
        email: WES,
        role_name: "Workspace helper",
        permissions: &[Permission::UsersView],
        scope: Some(vec![ws]),
        workspaces: vec![ws],
    };
    let wes = app.add_custom_admin(account, scoped).await;
    let right = json!({"email": WES, "password": PASSWORD});
    let res = app.post_json(&client(), "/api/v1/auth/login", &right).await;
    assert_eq!(res.status(), StatusCode::OK, "Bypass SSO is open to a scoped admin: {}", res.text().await.unwrap());
    let events = audit(&app, &s.root, "login.succeeded").await;
    assert!(
        events.iter().any(|e| e["target"]["email"] == WES && e["details"]["method"] == "password_bypass"),
        "{events:?}"
    );
    for _ in 0..5 {
        let wrong = json!({"email": WES, "password": "Wrong-Password-9"});
        assert_eq!(app.post_json(&client(), "/api/v1/auth/login", &wrong).await.status(), StatusCode::UNAUTHORIZED);
    }
    let (_, u) = app.get_json(&s.root, &format!("/api/v1/users/{}", wes.0)).await;
    assert_eq!(u["status"], "locked", "{u}");
    let (_, res) = oidc::sign_in(&app, "wes").await;
    refused(&app, &s, res, StatusCode::FORBIDDEN, "Your user is locked", "locked").await;
});

on_both_backends!(a_lesser_admin_cannot_switch_sso_or_repoint_it, |app| async move {
    let Some(s) = sso(&app, json!({}), json!({})).await else { return };
    let lesser = custom_admin(&app, "set@example.com", &[Permission::SettingsManage]).await;
    for change in [
        json!({"enabled": false}),
        json!({"issuer": "https://evil.example.com"}),
        json!({"client_id": "evil"}),
        json!({"email_claim": "upn", "require_email_verified": false}),
        json!({"create_users": true}),
    ] {
        let (status, problem) = app.send(&lesser, Method::PATCH, "/api/v1/settings/sso", Some(change.clone())).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{change}: {problem}");
    }
    let (_, doc) = app.get_json(&s.root, "/api/v1/settings/sso").await;
    assert_eq!((&doc["enabled"], &doc["create_users"]), (&json!(true), &json!(false)), "{doc}");
    assert!(doc.get("client_secret").is_none_or(Value::is_null), "the secret is never returned: {doc}");
    let (status, _) = app.send(&lesser, Method::POST, "/api/v1/settings/sso/test", None).await;
    assert!(!status.is_server_error(), "{status}");
});

on_both_backends!(hostile_settings_are_refused_by_name_or_escaped_never_a_5xx, |app| async move {
    let Some(s) = sso(&app, json!({}), json!({})).await else { return };
    let huge_issuer = format!("https://{}.example.com", "a".repeat(100_000));
    let many_scopes: Vec<String> = (0..5000).map(|i| format!("scope-{i}")).collect();
    let many_groups: serde_json::Map<String, Value> =
        (0..5000).map(|i| (format!("{i:0>90}"), json!(format!("group {i}")))).collect();
    for (what, change) in [
        ("a 100 kB issuer", json!({"issuer": huge_issuer})),
        ("an issuer with a fragment", json!({"issuer": "https://idp.example.com/#x"})),
        ("an issuer with a query", json!({"issuer": "https://idp.example.com/?x=1"})),
        ("an issuer with credentials", json!({"issuer": "https://u:p@idp.example.com"})),
        ("a Unicode issuer", json!({"issuer": "https://exämple.com/realms/ä"})),
        ("5000 scopes", json!({"scopes": many_scopes})),
        ("a scope with a space", json!({"scopes": ["email profile"]})),
        ("scopes of the wrong type", json!({"scopes": "email"})),
        ("a 2001 character secret", json!({"client_secret": "s".repeat(2001)})),
        ("a provider name with a bidi override", json!({"provider_name": "Test\u{202e}PdI"})),
        ("a provider name of markup", json!({"provider_name": "<script>alert(1)</script>"})),
        ("5000 mapped groups", json!({"mapping": {"groups": many_groups}})),
        ("a claim value with a NUL", json!({"mapping": {"groups": {"a\u{0}b": "eng"}}})),
        ("mapping of the wrong type", json!({"mapping": {"groups": ["eng"]}})),
        ("enabled a string", json!({"enabled": "yes"})),
    ] {
        let (status, body) = app.send(&s.root, Method::PATCH, "/api/v1/settings/sso", Some(change)).await;
        eprintln!("walk15: {what}: {status} {}", body.to_string().chars().take(300).collect::<String>());
        assert!(!status.is_server_error(), "{what}: {status} {body}");
        if what.starts_with("5000") {
            let named = body["invalid_params"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["name"] == "scopes" || p["name"] == "mapping.groups");
            assert!(status == StatusCode::BAD_REQUEST && named, "{what} is too many: {status} {body}");
        }
    }
    // Whatever name was kept, the sign-in page shows it as text.
    let html = client().get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("<script>alert(1)"), "{html}");
});

on_both_backends!(an_issuer_differing_by_a_slash_fails_the_test_and_next_stays_on_this_site, |app| async move {
    let Some(s) = sso(&app, json!({"ada": verified(ADA)}), json!({})).await else { return };
    add(&app, &s, ADA, UserStatus::Active).await;
    // After the sign-in the browser goes to `next` only when it is a path of this site.
    for next in ["//evil.example.com/x", "https://evil.example.com/", "/\\evil.example.com", "javascript:alert(1)"] {
        let c = client();
        let res = c.get(app.url(&format!("/sso/start?next={}", urlencoding(next)))).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let mut url = oidc::location(&res);
        let callback = app.url("/sso/callback");
        for _ in 0..10 {
            if url.starts_with(&callback) {
                break;
            }
            let res = c.get(&url).send().await.unwrap();
            if res.status().is_redirection() {
                url = oidc::location(&res);
                continue;
            }
            let form = [("prompt", "login"), ("login", "ada"), ("password", "anything")];
            let res = c.post(&url).form(&form).send().await.unwrap();
            url = oidc::location(&res);
        }
        let res = c.get(&url).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{next}");
        let to = oidc::location(&res);
        assert!(to.starts_with(&app.url("/")), "{next} sent the browser to {to}");
    }
    // The issuer must equal the published string exactly: one more slash fails the test
    // (saying so), and SSO cannot be switched back on with it.
    let slash = format!("{}/", s.idp.issuer);
    let (status, body) = app
        .send(&s.root, Method::PATCH, "/api/v1/settings/sso", Some(json!({"enabled": false, "issuer": slash})))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, tested) = app.send(&s.root, Method::POST, "/api/v1/settings/sso/test", None).await;
    eprintln!("walk15: trailing slash test: {status} {tested}");
    assert!(!status.is_server_error() && tested["ok"] != json!(true), "{status} {tested}");
    let (status, body) = app.send(&s.root, Method::PATCH, "/api/v1/settings/sso", Some(json!({"enabled": true}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
});

fn urlencoding(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
