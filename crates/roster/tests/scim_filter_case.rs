//! SCIM filters (issue 16, RFC 7644 §3.4.2.2) on complex attributes and by case, with
//! mixed-case data, on both backends alike: `externalId` is caseExact (RFC 7643 §3.1) under
//! every operator; `userName` is case-insensitive under every operator; `pr` and value
//! filters on `name` and `emails` answer from the data; what cannot be answered is 400
//! `invalidFilter`. And `totalResults` is counted once per pass over a query. Names compare
//! case-insensitively in every script, SQLite included (whose `lower()` is ASCII-only).

use crate::on_both_backends;
use crate::scim::{PROVISIONING, USER, find_users, scim, token};
use crate::support::app::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn total(app: &TestApp, secret: &str, f: &str) -> i64 {
    let res = find_users(app, secret, f).await;
    assert_eq!(res.status, StatusCode::OK, "{f}: {}", res.body);
    res.body["totalResults"].as_i64().expect("totalResults")
}

async fn create(app: &TestApp, secret: &str, user_name: &str, external_id: &str) -> String {
    let res = scim(
        app,
        secret,
        Method::POST,
        "/Users",
        Some(json!({
            "schemas": [USER], "userName": user_name, "externalId": external_id,
            "name": {"givenName": "Case", "familyName": "Tester"},
        })),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.body["id"].as_str().expect("id").to_owned()
}

on_both_backends!(externalid_is_case_exact_and_username_is_not_under_every_operator, |app| async move {
    app.seed_org().await;
    let root = app.login_admin().await;
    let secret = token(&app, &root, PROVISIONING).await;
    for (user_name, external_id) in [
        ("Mixed.Case@Case.Example", "AbC-1"),
        ("alpha.LOWER@case.example", "abc-2"),
        ("ZED.upper@CASE.example", "ABC-3"),
        ("omega@case.example", "xYz"),
    ] {
        create(&app, &secret, user_name, external_id).await;
    }
    // externalId: byte for byte (the seeded users have none).
    for (f, n) in [
        ("externalId eq \"AbC-1\"", 1),
        ("externalId eq \"abc-1\"", 0),
        ("externalId ne \"abc-2\" and externalId pr", 3),
        ("externalId co \"bC\"", 1),
        ("externalId co \"BC\"", 1),
        ("externalId co \"bc\"", 1),
        ("externalId co \"Y\"", 1),
        ("externalId co \"y\"", 0),
        ("externalId sw \"A\"", 2),
        ("externalId sw \"a\"", 1),
        ("externalId sw \"ABC-\"", 1),
        ("externalId ew \"C-3\"", 1),
        ("externalId ew \"c-3\"", 0),
        ("externalId ew \"yz\"", 0),
        ("externalId ew \"Yz\"", 1),
        ("externalId ew \"longer than any AbC-1\"", 0),
        // Byte order: upper case before lower case, whatever the server's locale.
        ("externalId gt \"ABC-3\"", 3),
        ("externalId ge \"abc-2\"", 2),
        ("externalId lt \"B\"", 2),
        ("externalId le \"ABC-3\"", 1),
        ("externalId co \"%\"", 0),
        ("externalId sw \"_\"", 0),
    ] {
        assert_eq!(total(&app, &secret, f).await, n, "{f}");
    }
    // userName: in any case, under every operator.
    let ours = "userName ew \"@CASE.EXAMPLE\"";
    for (f, n) in [
        (ours.to_owned(), 4),
        ("userName eq \"mixed.case@case.example\"".to_owned(), 1),
        ("userName eq \"MIXED.CASE@CASE.EXAMPLE\"".to_owned(), 1),
        (format!("{ours} and userName ne \"Alpha.Lower@Case.Example\""), 3),
        (format!("{ours} and userName co \".CASE@\""), 1),
        (format!("{ours} and userName co \".case@\""), 1),
        (format!("{ours} and userName sw \"ALPHA\""), 1),
        (format!("{ours} and userName sw \"zed.UPPER\""), 1),
        (format!("{ours} and userName gt \"MIXED\""), 3),
        (format!("{ours} and userName ge \"ZED.upper@case.example\""), 1),
        (format!("{ours} and userName lt \"B\""), 1),
        (format!("{ours} and userName le \"ALPHA.lower@CASE.example\""), 1),
        (format!("{ours} and emails.value sw \"OMEGA@\""), 1),
    ] {
        assert_eq!(total(&app, &secret, &f).await, n, "{f}");
    }
});

on_both_backends!(filters_on_complex_attributes_answer_from_the_data_or_are_refused, |app| async move {
    app.seed_org().await;
    let root = app.login_admin().await;
    let secret = token(&app, &root, PROVISIONING).await;
    let everyone = total(&app, &secret, "id pr").await;
    create(&app, &secret, "no.given@example.com", "blank-1").await;
    assert_eq!(total(&app, &secret, "id pr").await, everyone + 1);
    // A user without a given name (as older data can have): `name.givenName pr` is false
    // for them, `name pr` still true (the family name is there).
    let clear = "UPDATE users SET first_name = '', first_key = '' WHERE email_key = 'no.given@example.com'";
    let cleared = match &app.db {
        store::Db::Sqlite(pool) => sqlx::query(clear).execute(pool).await.map(|r| r.rows_affected()),
        store::Db::Pg(pool) => sqlx::query(clear).execute(pool).await.map(|r| r.rows_affected()),
    };
    assert_eq!(cleared.expect("clear the given name"), 1);
    let all = everyone + 1;
    for (f, n) in [
        ("name pr", all),
        ("name.givenName pr", all - 1),
        ("not (name.givenName pr)", 1),
        ("name.familyName pr", all),
        ("emails pr", all),
        ("emails.value pr", all),
        ("emails.value co \"NO.GIVEN\"", 1),
        ("emails[type eq \"work\"]", all),
        ("emails[type eq \"home\"]", 0),
        ("emails[primary eq true and value sw \"no.given@\"]", 1),
        ("emails[primary eq false]", 0),
        ("emails.type sw \"x\"", 0),
        ("emails.type lt \"a\"", 0),
        ("emails.type pr", all),
        ("meta pr", all),
        ("externalId pr", 1),
        ("userName pr and active pr and meta.lastModified pr", all),
    ] {
        assert_eq!(total(&app, &secret, f).await, n, "{f}");
    }
    for f in [
        "name eq \"Case Tester\"",
        "name co \"Case\"",
        "meta eq \"x\"",
        "title pr",
        "phoneNumbers pr",
        "emails[value co \"x\" and name[givenName pr]]",
        "emails[name.givenName pr]",
        "emails[type eq \"work\"].value eq \"x\"",
    ] {
        let res = find_users(&app, &secret, f).await;
        assert_eq!(
            (res.status, res.body["scimType"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalidFilter")),
            "{f}: {}",
            res.body
        );
    }
});

on_both_backends!(total_results_is_counted_once_per_pass, |app| async move {
    app.seed_org().await;
    let root = app.login_admin().await;
    let secret = token(&app, &root, PROVISIONING).await;
    for i in 0..4 {
        create(&app, &secret, &format!("pass.{i}@pass.example"), &format!("pass-{i}")).await;
    }
    let page = |start: u32| {
        format!("/Users?filter=userName%20ew%20%22%40pass.example%22&sortBy=userName&startIndex={start}&count=2")
    };
    let first = scim(&app, &secret, Method::GET, &page(1), None).await;
    assert_eq!(first.body["totalResults"], 4, "{}", first.body);
    create(&app, &secret, "pass.9@pass.example", "pass-9").await;
    // The pass goes on from where its first page ended, with the total it counted.
    let second = scim(&app, &secret, Method::GET, &page(3), None).await;
    assert_eq!(second.body["totalResults"], 4, "{}", second.body);
    let names: Vec<&str> =
        second.body["Resources"].as_array().expect("Resources").iter().filter_map(|r| r["userName"].as_str()).collect();
    assert_eq!(names, ["pass.2@pass.example", "pass.3@pass.example"]);
    // A new pass (page 1) counts again.
    assert_eq!(scim(&app, &secret, Method::GET, &page(1), None).await.body["totalResults"], 5);
});

/// A SCIM user named `given` `family` (userName `email`): its id.
async fn named(app: &TestApp, secret: &str, email: &str, given: &str, family: &str) -> String {
    let body = json!({"schemas": [USER], "userName": email, "name": {"givenName": given, "familyName": family}});
    let res = scim(app, secret, Method::POST, "/Users", Some(body)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.body["id"].as_str().expect("id").to_owned()
}

on_both_backends!(names_compare_case_insensitively_in_every_script, |app| async move {
    app.seed_org().await;
    let root = app.login_admin().await;
    let secret = token(&app, &root, PROVISIONING).await;
    named(&app, &secret, "ayse@unicode.example", "Ayşe", "Öztürk").await;
    named(&app, &secret, "zoe@unicode.example", "ZOË", "Ångström").await;
    let renamed = named(&app, &secret, "lukasz@unicode.example", "Lukasz", "Nowak").await;
    // Renamed over SCIM PATCH, then in the console: each write keeps the keys in step.
    let res = scim(
        &app,
        &secret,
        Method::PATCH,
        &format!("/Users/{renamed}"),
        Some(crate::scim::patch_op(json!([{"op": "replace", "path": "name.familyName", "value": "ŻÓŁW"}]))),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let page = app.get(&root, &format!("/api/v1/users/{renamed}")).await;
    let tag = page.headers()["etag"].to_str().expect("etag").to_owned();
    let res = root
        .patch(app.url(&format!("/api/v1/users/{renamed}")))
        .header("If-Match", tag)
        .json(&json!({"first_name": "ŁUKASZ"}))
        .send()
        .await
        .expect("console edit");
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap_or_default());
    let ours = "userName ew \"@unicode.example\"";
    for (f, n) in [
        ("name.familyName eq \"ÖZTÜRK\"", 1),
        ("name.familyName eq \"öztürk\"", 1),
        // The same letter written decomposed (o + U+0308).
        ("name.familyName eq \"O\u{308}ztu\u{308}rk\"", 1),
        ("name.givenName eq \"ayşe\"", 1),
        ("name.givenName eq \"AYŞE\"", 1),
        ("name.givenName eq \"zoë\"", 1),
        ("name.givenName ne \"zoë\"", 2),
        ("name.familyName sw \"ÅNG\"", 1),
        ("name.familyName sw \"ång\"", 1),
        ("name.familyName sw \"ÖZ\"", 1),
        ("name.familyName sw \"Ö\"", 1),
        ("name.familyName sw \"ż\"", 1),
        ("name.familyName co \"TÜR\"", 1),
        ("name.familyName co \"ółw\"", 1),
        ("name.familyName co \"ÓŁ\"", 1),
        ("name.familyName ew \"TRÖM\"", 1),
        ("name.givenName sw \"łuk\"", 1),
        ("name.givenName eq \"łukasz\"", 1),
        ("name.givenName eq \"lukasz\"", 0),
        ("name.familyName eq \"nowak\"", 0),
        ("name.familyName gt \"ö\"", 2),
    ] {
        let f = format!("{ours} and {f}");
        assert_eq!(total(&app, &secret, &f).await, n, "{f}");
    }
    // Groups' displayName alike.
    let body = json!({"schemas": [crate::scim::GROUP], "displayName": "ÉQUIPE Ñandú"});
    let res = scim(&app, &secret, Method::POST, "/Groups", Some(body)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    for (f, n) in [("displayName eq \"équipe ñandú\"", 1), ("displayName eq \"Équipe Ñandu\"", 0)] {
        let encoded: String = url::form_urlencoded::byte_serialize(f.as_bytes()).collect();
        let res = scim(&app, &secret, Method::GET, &format!("/Groups?filter={encoded}"), None).await;
        assert_eq!((res.status, res.body["totalResults"].as_i64()), (StatusCode::OK, Some(n)), "{f}: {}", res.body);
    }
});
