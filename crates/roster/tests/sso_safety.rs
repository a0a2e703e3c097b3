//! Single sign-on made safe (issue 15, review): who may change the provider's trust settings
//! and the attribute mapping, Full sync's reach, the lock rule, racing first sign-ins, the
//! provider's words on pages, and the sign-in page of an account under SSO.

use crate::on_both_backends;
use crate::sso::{add, audit, group, me, sign_in_with, sso, standing, verified};
use crate::support::app::{ADMIN_EMAIL, PASSWORD, TestApp, client, csrf_of};
use crate::support::oidc::{self, param};
use crate::support::org::Person;
use crate::support::roles::CustomAdmin;
use domain::ids::{AccountId, UserId, WorkspaceId};
use domain::permission::Permission;
use domain::user::UserStatus;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub(crate) async fn first_account(app: &TestApp) -> (AccountId, WorkspaceId) {
    let account = AccountId(store::accounts::first(&app.db).await.unwrap().unwrap().id);
    let ws = WorkspaceId(store::lookups::workspaces(&app.db, account).await.unwrap()[0].id);
    (account, ws)
}

/// The names `invalid_params` of a problem lists.
pub(crate) fn names(problem: &Value) -> Vec<String> {
    problem["invalid_params"]
        .as_array()
        .map_or_else(Vec::new, |ps| ps.iter().map(|p| p["name"].as_str().unwrap_or_default().to_owned()).collect())
}

pub(crate) fn mapping(roles: Value, builder: Value, groups: Value) -> Value {
    let mut doc = json!({"mapping": {"mode": "full_sync", "claim": "groups"}});
    doc["mapping"]["groups"] = groups;
    doc["mapping"]["admin_roles"] = roles;
    doc["mapping"]["builder_access"] = builder;
    doc
}

/// Signs in an admin of a custom role holding `permissions` on every workspace.
pub(crate) async fn custom_admin(app: &TestApp, email: &str, permissions: &[Permission]) -> reqwest::Client {
    let (account, ws) = first_account(app).await;
    let admin = CustomAdmin { email, role_name: email, permissions, scope: None, workspaces: vec![ws] };
    app.add_custom_admin(account, admin).await;
    app.login(email, PASSWORD).await
}

on_both_backends!(a_mapping_hands_out_only_roles_and_levels_its_saver_may_grant, |app| async move {
    let (account, _) = first_account(&app).await;
    app.add_role(account, "Helpdesk", &[Permission::UsersView], None).await;
    let perms = [Permission::SettingsManage, Permission::UsersManage, Permission::UsersView, Permission::GroupsManage];
    let c = custom_admin(&app, "settings.admin@example.com", &perms).await;
    // Master Admin (any spelling) and a Bot Builder level above their own: refused, by field.
    let above = mapping(json!({"admins": "master ADMIN"}), json!({"b": "builder_and_create"}), json!({}));
    let (status, problem) = app.send(&c, Method::PATCH, "/api/v1/settings/sso", Some(above)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert_eq!(names(&problem), ["mapping.admin_roles.admins", "mapping.builder_access.b"], "{problem}");
    let (_, doc) = app.get_json(&c, "/api/v1/settings/sso").await;
    assert_eq!(doc["mapping"]["admin_roles"], json!({}), "nothing saved: {doc}");
    // A role that does not exist cannot be mapped (a later role of that name was never judged).
    let ghost = mapping(json!({"x": "Not Yet"}), json!({}), json!({}));
    let (status, problem) = app.send(&c, Method::PATCH, "/api/v1/settings/sso", Some(ghost)).await;
    assert_eq!((status, names(&problem)), (StatusCode::FORBIDDEN, vec!["mapping.admin_roles.x".to_owned()]));
    // A role within their authority maps.
    let within = mapping(json!({"help": "Helpdesk"}), json!({}), json!({"eng": "Engineering"}));
    let (status, saved) = app.send(&c, Method::PATCH, "/api/v1/settings/sso", Some(within)).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    // The page shows the refusal beside the field.
    let html = c.get(app.url("/admin/settings/sso")).send().await.unwrap().text().await.unwrap();
    let form = [
        ("csrf", csrf_of(&html)),
        ("provider_name", String::new()),
        ("scopes", "email profile".into()),
        ("mapping_mode", "full_sync".into()),
        ("mapping_claim", "groups".into()),
        ("role_value", "admins".into()),
        ("role_name", "Master Admin".into()),
    ];
    let res = c.post(app.url("/admin/settings/sso")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"error-mapping.admin_roles[0]\""), "beside its row: {html}");
    // Without users.manage no mapping of roles, levels or groups at all.
    let c = custom_admin(&app, "settings.only@example.com", &[Permission::SettingsManage]).await;
    let any = mapping(json!({}), json!({}), json!({"ops": "Operations"}));
    let (status, problem) = app.send(&c, Method::PATCH, "/api/v1/settings/sso", Some(any)).await;
    assert_eq!((status, names(&problem)), (StatusCode::FORBIDDEN, vec!["mapping.groups".to_owned()]), "{problem}");
});

on_both_backends!(only_the_primary_master_admin_changes_who_vouches_for_sign_ins, |app| async move {
    let (account, ws) = first_account(&app).await;
    app.add_master_admin(account, "master@example.com", ("Mia", "Master"), vec![ws]).await;
    let c = app.login("master@example.com", PASSWORD).await;
    // Even a Master Admin: pointing the account at another provider would let them sign in
    // as the Primary Master Admin.
    for (field, value) in [
        ("issuer", json!("https://idp.attacker.example")),
        ("client_id", json!("mine")),
        ("client_secret", json!("mine")),
        ("email_claim", json!("upn")),
        ("require_email_verified", json!(false)),
        ("create_users", json!(true)),
        ("enabled", json!(true)),
    ] {
        let (status, problem) = app.send(&c, Method::PATCH, "/api/v1/settings/sso", Some(json!({field: value}))).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{field}: {problem}");
        assert_eq!(names(&problem), [field], "{problem}");
    }
    let (_, doc) = app.get_json(&c, "/api/v1/settings/sso").await;
    assert_eq!((doc["issuer"].as_str(), doc["create_users"].as_bool()), (Some(""), Some(false)), "{doc}");
    assert!(doc["trust_refusal"].as_str().is_some_and(|r| r.contains("Primary Master Admin")), "{doc}");
    // What does not decide who signs in stays theirs.
    let (status, saved) =
        app.send(&c, Method::PATCH, "/api/v1/settings/sso", Some(json!({"provider_name": "Acme"}))).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    // The page shows the trust settings read-only with the reason, and saves the rest.
    let html = c.get(app.url("/admin/settings/sso")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("id=\"trust-settings\" disabled") && html.contains("id=\"trust-reason\""), "{html}");
    let form = [
        ("csrf", csrf_of(&html)),
        ("provider_name", "Acme SSO".to_owned()),
        ("scopes", "email profile".into()),
        ("mapping_mode", "inclusion_only".into()),
        ("mapping_claim", "groups".into()),
    ];
    let res = c.post(app.url("/admin/settings/sso")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    // The Primary Master Admin may.
    let root = app.login_admin().await;
    let (_, doc) = app.get_json(&root, "/api/v1/settings/sso").await;
    assert_eq!((doc["provider_name"].as_str(), &doc["trust_refusal"]), (Some("Acme SSO"), &Value::Null), "{doc}");
    let (status, saved) = app
        .send(&root, Method::PATCH, "/api/v1/settings/sso", Some(json!({"issuer": "https://idp.example.com"})))
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
});

on_both_backends!(issuers_are_parsed_and_unverified_claims_need_an_opt_out, |app| async move {
    let root = app.login_admin().await;
    for bad in ["http://localhost.evil.com", "http://127.0.0.1.nip.io", "http://10.0.0.1", "http://localhost@evil.com"]
    {
        let (status, problem) =
            app.send(&root, Method::PATCH, "/api/v1/settings/sso", Some(json!({"issuer": bad}))).await;
        assert_eq!((status, names(&problem)), (StatusCode::BAD_REQUEST, vec!["issuer".to_owned()]), "{bad}");
    }
    let (status, _) =
        app.send(&root, Method::PATCH, "/api/v1/settings/sso", Some(json!({"issuer": "http://[::1]:1"}))).await;
    assert_eq!(status, StatusCode::OK);
    // email_verified says nothing of upn: matching on it needs verification turned off.
    let (status, problem) =
        app.send(&root, Method::PATCH, "/api/v1/settings/sso", Some(json!({"email_claim": "upn"}))).await;
    assert_eq!((status, names(&problem)), (StatusCode::BAD_REQUEST, vec!["email_claim".to_owned()]), "{problem}");
    let opt_out = json!({"email_claim": "upn", "require_email_verified": false});
    let (status, _) = app.send(&root, Method::PATCH, "/api/v1/settings/sso", Some(opt_out)).await;
    assert_eq!(status, StatusCode::OK);
    let html = root.get(app.url("/admin/settings/sso")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("id=\"unverified-claim-warning\""), "{html}");
});

on_both_backends!(full_sync_compares_names_one_way_and_removes_only_what_it_maps, |app| async move {
    let roles = json!({"roster-admins": "Master Admin"});
    let settings = mapping(roles, json!({"builders": "builder"}), json!({"eng": "engineering"}));
    let Some(s) = sso(&app, json!({}), settings).await else { return };
    group(&app, &s, "Engineering").await;
    let ann = add(&app, &s, "ann@example.com", UserStatus::Active).await;
    sign_in_with(&app, &s, "ann", "ann@example.com", Some(json!(["eng"]))).await;
    assert_eq!(standing(&app, &s, ann).await.0, ["Engineering"], "resolved ignoring case");
    // The claim drops eng: what was resolved ignoring case is removed the same way.
    sign_in_with(&app, &s, "ann", "ann@example.com", Some(json!([]))).await;
    assert!(standing(&app, &s, ann).await.0.is_empty(), "full sync removed the mapped group");
    // A role and a Bot Builder level given by hand are not the mapping's to replace or lower.
    let helpdesk = app.add_role(s.account, "Helpdesk", &[Permission::UsersView], None).await;
    let p = Person {
        email: "hal@example.com",
        first: "Hal",
        last: "Hand",
        status: UserStatus::Active,
        workspaces: vec![s.ws],
        role: Some(helpdesk),
    };
    let hal = app.add_user(s.account, p).await;
    let by_hand = "UPDATE users SET builder_access = 'builder_and_create', version = version + $1 WHERE id = $2";
    crate::sessions::exec(&app, by_hand, 1, hal.0).await;
    sign_in_with(&app, &s, "hal", "hal@example.com", Some(json!(["roster-admins"]))).await;
    let (_, user) = app.get_json(&s.root, &format!("/api/v1/users/{}", hal.0)).await;
    assert_eq!((&user["account_role"], &user["builder_access"]), (&json!("Helpdesk"), &json!("builder_and_create")));
    // The Primary Master Admin keeps their Bot Builder access.
    let root_id = UserId(store::users::find_for_login(&app.db, ADMIN_EMAIL, None).await.unwrap()[0].id);
    let (_, before) = app.get_json(&s.root, &format!("/api/v1/users/{}", root_id.0)).await;
    sign_in_with(&app, &s, "root", ADMIN_EMAIL, Some(json!([]))).await;
    let (_, after) = app.get_json(&s.root, &format!("/api/v1/users/{}", root_id.0)).await;
    assert_eq!(
        (&after["builder_access"], &after["account_role"]),
        (&before["builder_access"], &before["account_role"])
    );
});

on_both_backends!(an_expired_lock_is_lifted_at_an_sso_sign_in_as_at_a_password_one, |app| async move {
    let Some(s) = sso(&app, json!({"lou": verified("lou@example.com")}), json!({})).await else { return };
    let lou = add(&app, &s, "lou@example.com", UserStatus::Locked).await;
    let future = app::clock::now() + app::clock::MINUTE;
    crate::sessions::exec(&app, "UPDATE users SET lock_until = $1 WHERE id = $2", future, lou.0).await;
    let (_, res) = oidc::sign_in(&app, "lou").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "a running lock refuses SSO (sso_keys.rs)");
    let (_, user) = app.get_json(&s.root, &format!("/api/v1/users/{}", lou.0)).await;
    assert_eq!(user["status"], "locked", "and stays: {user}");
    let past = app::clock::now() - app::clock::MINUTE;
    crate::sessions::exec(&app, "UPDATE users SET lock_until = $1 WHERE id = $2", past, lou.0).await;
    let (c, res) = oidc::sign_in(&app, "lou").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    assert_eq!(me(&app, &c).await["email"], "lou@example.com");
    let unlocked = audit(&app, &s.root, "user.unlocked").await;
    assert!(unlocked.iter().any(|e| e["details"]["by"] == "timer"), "{unlocked:?}");
});

on_both_backends!(first_sign_ins_racing_for_one_new_user_make_one_user_and_no_5xx, |app| async move {
    // With a groups mapping every racer also joins the new user to the group: the joins race
    // for one membership row too.
    let mut settings = mapping(json!({}), json!({}), json!({"eng": "Engineering"}));
    settings["create_users"] = json!(true);
    let mut neo = verified("neo@example.com");
    neo["groups"] = json!(["eng"]);
    let Some(s) = sso(&app, json!({"neo": neo}), settings).await else { return };
    group(&app, &s, "Engineering").await;
    let mut pending = Vec::new();
    for _ in 0..4 {
        pending.push(oidc::to_callback(&app, "neo").await);
    }
    let racing: Vec<_> =
        pending.into_iter().map(|(c, url)| tokio::spawn(async move { c.get(url).send().await })).collect();
    for task in racing {
        let res = task.await.unwrap().unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    }
    let created = audit(&app, &s.root, "user.sso_created").await;
    assert_eq!(created.len(), 1, "{created:?}");
    let (_, list) = app.get_json(&s.root, "/api/v1/users?q=neo").await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
    let neo = UserId(list["items"][0]["id"].as_str().unwrap().parse().unwrap());
    assert_eq!(standing(&app, &s, neo).await.0, ["Engineering"]);
});

on_both_backends!(the_providers_error_text_is_bounded_and_escaped, |app| async move {
    let Some(s) = sso(&app, json!({}), json!({})).await else { return };
    let c = client();
    let auth = oidc::start(&app, &c).await;
    // Under the input layer's 4096-character cap for one value, far over ours.
    let description = format!("<script>alert(1)</script>{}", "x".repeat(3000));
    let url = reqwest::Url::parse_with_params(
        &app.url("/sso/callback"),
        [("state", param(&auth, "state")), ("error", "server_error".into()), ("error_description", description)],
    )
    .unwrap();
    let res = c.get(url).send().await.unwrap();
    let status = res.status();
    let html = res.text().await.unwrap();
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{html}");
    assert!(!html.contains("<script>alert"), "escaped: {html}");
    assert!(html.contains("&#60;script&#62;") && !html.contains(&"x".repeat(300)), "bounded: {html}");
    let failed = audit(&app, &s.root, "login.failed").await;
    let detail = failed.iter().find(|e| e["details"]["reason"] == "provider_error").expect("audited");
    assert!(detail["details"]["detail"].as_str().unwrap().chars().count() <= 200, "{detail}");
});

on_both_backends!(an_accounts_sign_in_page_under_sso_offers_only_the_provider, |app| async move {
    let Some(_s) = sso(&app, json!({}), json!({})).await else { return };
    crate::accounts::account_with_admin(&app, "Second Co", "boss@second.example", "Other-Horse-8").await;
    let slug = store::accounts::first(&app.db).await.unwrap().unwrap().slug;
    // With two accounts, the page for the SSO one — asked for, or answering a refused
    // password sign-in — offers the provider and no password form.
    let html = client().get(app.url(&format!("/login?account={slug}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("id=\"sso-sign-in\"") && !html.contains("name=\"password\""), "{html}");
    let form = [("email", "member@example.com"), ("password", "Wrong-Pass-1"), ("next", "/"), ("account", &slug)];
    let res = client().post(app.url("/login")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"sso-sign-in\"") && !html.contains("name=\"password\""), "{html}");
    // The other account still signs in with passwords.
    let html = client().get(app.url("/login?account=second-co")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("name=\"password\""), "{html}");
});

/// What a raw provider answers, made from its own URL.
type Answer = Box<dyn FnOnce(&str) -> Vec<u8>>;

/// Serves what `answer` makes of its own URL (raw HTTP/1.1) to every connection on
/// 127.0.0.1: a provider that misbehaves. Its URL.
async fn raw_provider(answer: impl FnOnce(&str) -> Vec<u8>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let response = answer(&url);
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let response = response.clone();
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = sock.read(&mut request).await;
                let _ = sock.write_all(&response).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    url
}

fn http(status: &str, headers: &str, body: &str) -> Vec<u8> {
    format!("HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())
        .into_bytes()
}

on_both_backends!(test_connection_follows_no_redirect_reads_a_bounded_answer_and_echoes_none, |app| async move {
    let root = app.login_admin().await;
    let secret = "INTERNAL-SECRET-42";
    // A well-formed discovery document of `issuer` whose keys are at `jwks`.
    let discovery = |issuer: &str, jwks: &str| {
        let doc = json!({
            "issuer": issuer, "authorization_endpoint": format!("{issuer}/auth"), "jwks_uri": jwks,
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        });
        http("200 OK", "Content-Type: application/json\r\n", &doc.to_string())
    };
    let json = "Content-Type: application/json\r\n";
    let big = format!("{{\"issuer\": \"{secret}\", \"x\": \"{}\"}}", "y".repeat(600 * 1024));
    let cases: Vec<(Answer, &str)> = vec![
        (Box::new(move |_| http("302 Found", "Location: http://127.0.0.1:1/elsewhere\r\n", "")), "HTTP 302"),
        (Box::new(move |_| http("500 Internal Server Error", "", secret)), "HTTP 500"),
        (Box::new(move |_| http("200 OK", json, &big)), "larger than"),
        (
            Box::new(move |_| discovery(&format!("https://{secret}.example"), "https://x.example/jwks")),
            "another issuer",
        ),
        (Box::new(move |_| http("200 OK", json, &format!("{{\"issuer\": [\"{secret}\"]}}"))), "not valid OpenID JSON"),
        // The key set a discovery document names is held to the issuer's rule too.
        (Box::new(move |me| discovery(me, "http://10.255.255.1/jwks")), "not https://"),
        // A key set that cannot be fetched: the kind of failure, never its URL (which the
        // provider's document named).
        (Box::new(move |me| discovery(me, &format!("http://127.0.0.1:1/{secret}/jwks"))), "the connection was refused"),
    ];
    for (answer, expected) in cases {
        let issuer = raw_provider(answer).await;
        let settings = json!({"issuer": issuer, "client_id": "roster", "client_secret": "s", "provider_name": "Raw"});
        let (status, body) = app.send(&root, Method::PATCH, "/api/v1/settings/sso", Some(settings)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, report) = app.send(&root, Method::POST, "/api/v1/settings/sso/test", None).await;
        assert_eq!((status, &report["ok"]), (StatusCode::OK, &json!(false)), "{report}");
        let message = report["message"].as_str().unwrap();
        assert!(message.contains(expected), "{expected:?} in {message}");
        assert!(!message.contains(secret), "the provider's answer is not echoed: {message}");
    }
});
