//! Several accounts in one installation: `roster account create|list`, the created
//! account's setup link, `roster user import --account`, and signing in when one email is
//! a user in several accounts.

use crate::on_both_backends;
use crate::support::app::{ADMIN_EMAIL, PASSWORD, TestApp, client};
use app::accounts::NewAccountRequest;
use app::auth::setup::SetupRequest;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Runs the binary against `app`'s database; (success, stdout, stderr).
fn roster(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let config = app.config();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(args)
        .args(["--database-url", &config.database_url, "--data-dir"])
        .arg(&config.data_dir)
        .env("ROSTER_PUBLIC_URL", "https://roster.example")
        .output()
        .expect("the binary runs");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.success(), text(&out.stdout), text(&out.stderr))
}

fn setup_form(token: &str, email: &str) -> Vec<(&'static str, String)> {
    vec![
        ("token", token.to_owned()),
        ("email", email.to_owned()),
        ("first_name", "Bea".into()),
        ("last_name", "Boss".into()),
        ("password", PASSWORD.into()),
    ]
}

on_both_backends!(the_cli_creates_and_lists_accounts_and_imports_into_the_one_named, |app| async move {
    let (ok, out, err) =
        roster(&app, &["account", "create", "--name", "Müller & Söhne GmbH", "--admin-email", "bea@mueller.example"]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("slug muller-sohne-gmbh"), "{out}");
    let link = out.lines().find_map(|l| l.trim().strip_prefix("https://roster.example/setup?token=")).expect(&out);
    assert!(out.contains("Send this link to bea@mueller.example"), "{out}");

    // The link creates the address it was made for, and no other.
    let c = client();
    let page = app.get(&c, &format!("/setup?token={link}")).await.text().await.unwrap();
    assert!(page.contains(r#"value="bea@mueller.example" required readonly"#), "{page}");
    let other = c.post(app.url("/setup")).form(&setup_form(link, "mallory@evil.example")).send().await.unwrap();
    assert_eq!(other.status(), StatusCode::BAD_REQUEST);
    let refused = other.text().await.unwrap();
    assert!(refused.contains("this setup link is for bea@mueller.example only"), "{refused}");
    assert!(
        refused.contains(r#"value="bea@mueller.example" required readonly"#) && !refused.contains("mallory"),
        "the read-only field shows the link's address again, not the refused one: {refused}"
    );
    let done = c.post(app.url("/setup")).form(&setup_form(link, "Bea@Mueller.example")).send().await.unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER, "the same mailbox, spelt differently");
    let bea = app.login("bea@mueller.example", PASSWORD).await;
    let me = app.get_json(&bea, "/api/v1/me").await.1;
    assert_eq!(me["user"]["account_role"], "Primary Master Admin");
    let root = app.login_admin().await;
    let root_me = app.get_json(&root, "/api/v1/me").await.1;
    assert_ne!(me["user"]["account_id"], root_me["user"]["account_id"], "a new account, not the default one");
    let account: uuid::Uuid = serde_json::from_value(me["user"]["account_id"].clone()).unwrap();
    let workspaces = store::lookups::workspaces(&app.db, domain::ids::AccountId(account)).await.unwrap();
    assert_eq!(workspaces.iter().map(|w| w.name.as_str()).collect::<Vec<_>>(), ["Default"]);
    // Its audit log starts with its own creation, done by the operator (no actor).
    let (status, log) = app.get_json(&bea, "/api/v1/audit?action=account.created").await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let events = log["items"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{log}");
    assert!(events[0]["actor"].is_null(), "{log}");
    assert_eq!(events[0]["details"]["by"], "roster account create", "{log}");
    assert_eq!(events[0]["details"]["admin_email"], "bea@mueller.example", "{log}");

    // A taken slug is refused and changes nothing.
    let (ok, out, err) =
        roster(&app, &["account", "create", "--name", "Muller Sohne GmbH", "--admin-email", "x@y.example"]);
    assert!(!ok && err.contains("slug \"muller-sohne-gmbh\" exists already"), "{out}{err}");
    let (ok, _, err) = roster(&app, &["account", "create", "--name", " ", "--admin-email", "nope"]);
    assert!(!ok && err.contains("name") && err.contains("admin_email"), "every bad field at once: {err}");

    let (ok, out, err) = roster(&app, &["account", "list"]);
    assert!(ok, "{err}");
    let rows: Vec<Vec<&str>> = out.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows[0], ["id", "slug", "name", "users", "created"]);
    let summary: Vec<(&str, &str, &str)> = rows[1..].iter().map(|r| (r[1], r[2], r[3])).collect();
    assert_eq!(summary, [("default", "Default", "1"), ("muller-sohne-gmbh", "Müller & Söhne GmbH", "1")]);

    // Import: refused without --account now that there are two, and lands only in the named one.
    let csv = app.config().data_dir.join("people.csv");
    std::fs::write(&csv, "email,first_name,last_name,workspace,groups\nida.imp@example.com,Ida,Imp,,\n").unwrap();
    let file = csv.to_str().unwrap();
    let (ok, out, err) = roster(&app, &["user", "import", file, "--no-email"]);
    assert!(
        !ok && err.contains("this database has 2 accounts; name one with --account (default, muller-sohne-gmbh)"),
        "{out}{err}"
    );
    let (ok, _, err) = roster(&app, &["user", "import", file, "--no-email", "--account", "nowhere"]);
    assert!(!ok && err.contains("no account has the slug \"nowhere\""), "{err}");
    let (ok, out, err) = roster(&app, &["user", "import", file, "--no-email", "--account", "muller-sohne-gmbh"]);
    assert!(ok && out.contains("1 invited"), "{out}{err}");
    let emails = |items: Vec<Value>| crate::support::app::emails(&items);
    assert!(emails(app.list_all(&bea, "q=ida.imp").await).contains(&"ida.imp@example.com".to_owned()));
    assert!(emails(app.list_all(&root, "q=ida.imp").await).is_empty(), "nothing in the other account");
});

/// Adds an account whose Primary Master Admin is `email` with `password`.
pub(crate) async fn account_with_admin(app: &TestApp, name: &str, email: &str, password: &str) {
    let req = NewAccountRequest { name: name.into(), slug: None, admin_email: email.into() };
    let created = app::accounts::create(&app.ctx, req).await.expect("account created");
    let setup = SetupRequest {
        token: created.setup_token,
        email: email.into(),
        first_name: "Root".into(),
        last_name: "Elsewhere".into(),
        password: password.into(),
    };
    app::auth::setup::complete(&app.ctx, setup).await.expect("admin set up");
}

async fn sign_in(app: &TestApp, body: Value) -> (StatusCode, Value) {
    let c = client();
    app.send(&c, reqwest::Method::POST, "/api/v1/auth/login", Some(body)).await
}

async fn failed_logins(app: &TestApp, root: &reqwest::Client, id: &Value) -> i64 {
    let (_, user) = app.get_json(root, &format!("/api/v1/users/{}", id.as_str().unwrap())).await;
    user["lockout"]["failed_logins"].as_i64().unwrap_or_else(|| panic!("{user}"))
}

on_both_backends!(one_email_in_several_accounts_signs_in_where_its_password_proves, |app| async move {
    let root = app.login_admin().await;
    let root_id = app.get_json(&root, "/api/v1/me").await.1["user"]["id"].clone();
    const OTHER: &str = "Other-Horse-8";
    account_with_admin(&app, "Second Co", ADMIN_EMAIL, OTHER).await;

    // Each password opens its own account; signing in to one is no failure in the other.
    let (status, first) = sign_in(&app, json!({"email": ADMIN_EMAIL, "password": PASSWORD})).await;
    assert_eq!((status, &first["user"]["id"]), (StatusCode::OK, &root_id), "{first}");
    for _ in 0..3 {
        let (status, second) = sign_in(&app, json!({"email": ADMIN_EMAIL, "password": OTHER})).await;
        assert_eq!(status, StatusCode::OK, "{second}");
        assert_ne!(second["user"]["account_id"], first["user"]["account_id"]);
    }
    assert_eq!(failed_logins(&app, &root, &root_id).await, 0, "the other account's password is not a wrong one here");

    // A wrong password says nothing about where the address belongs, and counts everywhere.
    let (status, wrong) = sign_in(&app, json!({"email": ADMIN_EMAIL, "password": "Wrong-Horse-9"})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(wrong.get("accounts").is_none(), "{wrong}");
    assert_eq!(failed_logins(&app, &root, &root_id).await, 1);

    // The same password in two accounts: the answer lists those two, and only after the proof.
    account_with_admin(&app, "Third Co", ADMIN_EMAIL, PASSWORD).await;
    let (status, choose) = sign_in(&app, json!({"email": ADMIN_EMAIL, "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{choose}");
    assert_eq!(
        choose["accounts"],
        json!([{"slug": "default", "name": "Default"}, {"slug": "third-co", "name": "Third Co"}]),
        "not Second Co, whose password is another"
    );
    let (status, third) =
        sign_in(&app, json!({"email": ADMIN_EMAIL, "password": PASSWORD, "account": "third-co"})).await;
    assert_eq!(status, StatusCode::OK, "{third}");
    assert_ne!(third["user"]["account_id"], first["user"]["account_id"]);
    let (status, _) = sign_in(&app, json!({"email": ADMIN_EMAIL, "password": PASSWORD, "account": "second-co"})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "naming an account checks only its password");
    assert_eq!(failed_logins(&app, &root, &root_id).await, 1, "and counts nothing against the others");

    // The page asks which account, and for the password again (it is never sent back).
    let c = client();
    let form = [("email", ADMIN_EMAIL), ("password", PASSWORD), ("next", "/admin/users")];
    let res = c.post(app.url("/login")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    assert!(page.contains("several accounts") && page.contains("Third Co") && page.contains("Default"), "{page}");
    assert!(!page.contains("Second Co") && !page.contains(PASSWORD), "{page}");
    let chosen = [("email", ADMIN_EMAIL), ("password", PASSWORD), ("next", "/admin/users"), ("account", "third-co")];
    let res = c.post(app.url("/login")).form(&chosen).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let me = app.get_json(&c, "/api/v1/me").await.1;
    assert_eq!(me["user"]["account_id"], third["user"]["account_id"]);
});

// Sign-in checks an email in at most 5 accounts (the oldest), so its work does not grow
// with the accounts an address is in; in a 6th, the user signs in naming it — `account` in
// the API, `/login?account=SLUG` on the page.
on_both_backends!(an_email_in_more_than_five_accounts_signs_in_to_the_sixth_by_naming_it, |app| async move {
    const SIXTH: &str = "Sixth-Horse-6";
    for name in ["Co Two", "Co Three", "Co Four", "Co Five"] {
        account_with_admin(&app, name, ADMIN_EMAIL, PASSWORD).await;
    }
    account_with_admin(&app, "Co Six", ADMIN_EMAIL, SIXTH).await;
    let (status, _) = sign_in(&app, json!({"email": ADMIN_EMAIL, "password": SIXTH})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the sixth account is not tried without its name");
    let (status, opened) = sign_in(&app, json!({"email": ADMIN_EMAIL, "password": SIXTH, "account": "co-six"})).await;
    assert_eq!(status, StatusCode::OK, "{opened}");
    let (status, choose) = sign_in(&app, json!({"email": ADMIN_EMAIL, "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{choose}");
    assert_eq!(choose["accounts"].as_array().unwrap().len(), 5, "{choose}");

    let c = client();
    let page = c.get(app.url("/login?account=co-six")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(r#"name="account" value="co-six""#) && page.contains("named-account"), "{page}");
    let form = [("email", ADMIN_EMAIL), ("password", SIXTH), ("next", "/admin/users"), ("account", "co-six")];
    let res = c.post(app.url("/login")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let me = app.get_json(&c, "/api/v1/me").await.1;
    assert_eq!(me["user"]["account_id"], opened["user"]["account_id"]);
});
