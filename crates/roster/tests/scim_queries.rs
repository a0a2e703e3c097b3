//! SCIM queries (issue 16): filters on every attribute clients use, sorting, paging with
//! `startIndex`/`count` that neither skips nor repeats, `attributes` / `excludedAttributes`.
//! On both backends. (The index behind each lookup is checked by the store's plan test.)

use crate::on_both_backends;
use crate::scim::{PROVISIONING, USER, find_users, scim, token};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn user_names(body: &Value) -> Vec<String> {
    body["Resources"]
        .as_array()
        .expect("Resources")
        .iter()
        .map(|r| r["userName"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// `totalResults` of a filter.
async fn total(app: &crate::support::app::TestApp, secret: &str, f: &str) -> i64 {
    let res = find_users(app, secret, f).await;
    assert_eq!(res.status, StatusCode::OK, "{f}: {}", res.body);
    res.body["totalResults"].as_i64().expect("totalResults")
}

on_both_backends!(filters_sorting_paging_and_projection_answer_as_rfc_7644_says, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let secret = token(&app, &root, PROVISIONING).await;
    for (i, (given, family)) in
        [("Quinn", "Alpha"), ("Quincy", "Beta"), ("Rae", "Gamma"), ("Sol", "Delta"), ("Tam", "Omega")]
            .iter()
            .enumerate()
    {
        let res = scim(&app, &secret, Method::POST, "/Users", Some(json!({
            "schemas": [USER], "userName": format!("{}.{}@scim.example", given.to_lowercase(), family.to_lowercase()),
            "externalId": format!("ext-{i}"), "name": {"givenName": given, "familyName": family},
            "active": i != 4,
        }))).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    }
    assert_eq!(total(&app, &secret, "externalId eq \"ext-2\"").await, 1);
    assert_eq!(total(&app, &secret, "externalId eq \"EXT-2\"").await, 0, "externalId is case-exact");
    assert_eq!(total(&app, &secret, "userName sw \"QUIN\"").await, 2);
    assert_eq!(total(&app, &secret, "userName ew \"@scim.example\"").await, 5);
    assert_eq!(total(&app, &secret, "emails.value co \"gamma\"").await, 1);
    assert_eq!(total(&app, &secret, "emails[type eq \"work\" and value eq \"sol.delta@scim.example\"]").await, 1);
    assert_eq!(total(&app, &secret, "name.givenName eq \"quinn\" or name.familyName eq \"DELTA\"").await, 2);
    assert_eq!(total(&app, &secret, "userName ew \"@scim.example\" and not (active eq true)").await, 1);
    assert_eq!(total(&app, &secret, "userName ew \"@scim.example\" and active eq false").await, 1);
    assert_eq!(total(&app, &secret, "(externalId pr) and userName ne \"rae.gamma@scim.example\"").await, 4);
    assert_eq!(
        total(&app, &secret, "meta.lastModified gt \"2000-01-01T00:00:00Z\" and userName ew \"scim.example\"").await,
        5
    );
    assert_eq!(total(&app, &secret, "meta.lastModified lt \"2000-01-01T00:00:00Z\"").await, 0);
    assert_eq!(total(&app, &secret, &format!("id eq \"{}\"", org.ann)).await, 1);

    // Sorted pages of 2 cover every user once, in order (the later pages continue from
    // the remembered position rather than skipping rows).
    let mut seen = Vec::new();
    for start in [1, 3, 5, 7] {
        let path = format!(
            "/Users?filter=userName%20ew%20%22scim.example%22&sortBy=userName&sortOrder=descending&startIndex={start}&count=2"
        );
        let page = scim(&app, &secret, Method::GET, &path, None).await;
        assert_eq!(
            (page.body["startIndex"].as_i64(), page.body["totalResults"].as_i64()),
            (Some(start), Some(5)),
            "{}",
            page.body
        );
        seen.extend(user_names(&page.body));
    }
    let mut expected = seen.clone();
    expected.sort();
    expected.reverse();
    assert_eq!(seen, expected, "descending userName order");
    assert_eq!(seen.len(), 5, "no user skipped or repeated: {seen:?}");
    // A page asked out of order (nothing remembered) is the same page.
    let jump = scim(
        &app,
        &secret,
        Method::GET,
        "/Users?filter=userName%20ew%20%22scim.example%22&sortBy=userName&sortOrder=descending&startIndex=4&count=2",
        None,
    )
    .await;
    assert_eq!(user_names(&jump.body), seen[3..5].to_vec());
    let by_modified = scim(&app, &secret, Method::GET, "/Users?sortBy=meta.lastModified&count=1", None).await;
    assert_eq!(by_modified.body["itemsPerPage"], 1);
    assert_eq!(scim(&app, &secret, Method::GET, "/Users?sortBy=nickName", None).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(scim(&app, &secret, Method::GET, "/Users?count=0", None).await.body["Resources"], json!([]));

    // Projection.
    let only = scim(
        &app,
        &secret,
        Method::GET,
        "/Users?filter=externalId%20eq%20%22ext-0%22&attributes=userName,name.familyName",
        None,
    )
    .await;
    assert_eq!(
        only.body["Resources"][0],
        json!({
            "schemas": only.body["Resources"][0]["schemas"], "id": only.body["Resources"][0]["id"],
            "userName": "quinn.alpha@scim.example", "name": {"familyName": "Alpha"}
        })
    );
    let without = scim(
        &app,
        &secret,
        Method::GET,
        "/Users?filter=externalId%20eq%20%22ext-0%22&excludedAttributes=groups,meta,name.givenName",
        None,
    )
    .await;
    let r = &without.body["Resources"][0];
    assert!(r.get("groups").is_none() && r.get("meta").is_none() && r["name"].get("givenName").is_none(), "{r}");
    assert_eq!(r["userName"], "quinn.alpha@scim.example");
});
