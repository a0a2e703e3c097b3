//! SCIM refusals (issue 16): every refusal is a SCIM error (`application/scim+json`,
//! `status` as a string, `scimType` where RFC 7644 defines one) and changes nothing; the
//! console's rules hold (the Primary Master Admin is never touched (403/409); a bot owner is not
//! deleted; stale versions are refused). On both backends.

use crate::on_both_backends;
use crate::scim::{GROUP, PROVISIONING, USER, find_users, patch_op, scim, scim_with, token};
use reqwest::{Method, StatusCode};
use serde_json::json;

on_both_backends!(every_refusal_is_a_scim_error_and_changes_nothing, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let secret = token(&app, &root, PROVISIONING).await;

    // 401: no token, a wrong one; 403: a session, a token without `scim`.
    let none = reqwest::Client::new().get(app.url("/scim/v2/Users")).send().await.expect("request");
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(none.headers()["content-type"], "application/scim+json");
    let wrong = scim(&app, "roster_pat_wrong", Method::GET, "/Users", None).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.header("www-authenticate"), "Bearer error=\"invalid_token\"");
    let session = app.get(&root, "/scim/v2/Users").await;
    assert_eq!(session.status(), StatusCode::FORBIDDEN);
    let plain = token(&app, &root, &["users.view", "users.manage"]).await;
    let no_scim = scim(&app, &plain, Method::GET, "/Users", None).await;
    assert_eq!(no_scim.status, StatusCode::FORBIDDEN);
    assert!(no_scim.body["detail"].as_str().unwrap_or_default().contains("scim"), "{}", no_scim.body);
    // `scim` alone opens the door; each action still needs its own permission.
    let door_only = token(&app, &root, &["scim", "users.view"]).await;
    let create = json!({"schemas": [USER], "userName": "nope@example.com"});
    let denied = scim(&app, &door_only, Method::POST, "/Users", Some(create)).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN, "{}", denied.body);
    assert!(denied.body["detail"].as_str().unwrap_or_default().contains("users.invite"), "{}", denied.body);
    assert_eq!(find_users(&app, &secret, "userName eq \"nope@example.com\"").await.body["totalResults"], 0);

    // 405: a method the endpoint does not take is a SCIM error too, not an empty answer.
    let not_allowed = scim(&app, &secret, Method::DELETE, "/Users", None).await;
    assert_eq!(not_allowed.status, StatusCode::METHOD_NOT_ALLOWED, "{}", not_allowed.body);
    assert_eq!(not_allowed.header("content-type"), "application/scim+json");
    assert_eq!(not_allowed.body["status"], "405", "{}", not_allowed.body);

    // 404: unknown and malformed ids, unknown endpoints.
    for path in [format!("/Users/{}", uuid::Uuid::now_v7()), "/Users/not-an-id".into(), "/Nothing".into()] {
        assert_eq!(scim(&app, &secret, Method::GET, &path, None).await.status, StatusCode::NOT_FOUND, "{path}");
    }

    // 400 with scimType: bad filter, bad JSON, bad values, bad PATCH.
    let bad_filter = scim(&app, &secret, Method::GET, "/Users?filter=userName%20zz%20%22x%22", None).await;
    assert_eq!(
        (bad_filter.status, bad_filter.body["scimType"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalidFilter"))
    );
    let unsupported = find_users(&app, &secret, "nickName eq \"x\"").await;
    assert_eq!(unsupported.body["scimType"], "invalidFilter", "{}", unsupported.body);
    let not_json = reqwest::Client::new()
        .post(app.url("/scim/v2/Users"))
        .bearer_auth(&secret)
        .header("content-type", "application/scim+json")
        .body("{not json")
        .send()
        .await
        .expect("request");
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = not_json.json().await.expect("json");
    assert_eq!(body["scimType"], "invalidSyntax");
    for (bad, names) in [
        (json!({"schemas": [USER]}), "userName"),
        (json!({"schemas": [USER], "userName": "not an email"}), "userName"),
        (json!({"schemas": [USER], "userName": "x@example.com", "active": "maybe"}), "active"),
        (json!({"schemas": [USER], "userName": "x@example.com", "addresses": [{"country": "Narnia"}]}), "country"),
    ] {
        let res = scim(&app, &secret, Method::POST, "/Users", Some(bad.clone())).await;
        assert_eq!(
            (res.status, res.body["scimType"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalidValue")),
            "{bad}: {}",
            res.body
        );
        assert!(res.body["detail"].as_str().unwrap_or_default().contains(names), "{bad}: {}", res.body);
    }
    let ann = format!("/Users/{}", org.ann);
    let bad_op =
        scim(&app, &secret, Method::PATCH, &ann, Some(patch_op(json!([{"op": "move", "path": "title"}])))).await;
    assert_eq!(bad_op.body["scimType"], "invalidSyntax");
    let bad_path = scim(
        &app,
        &secret,
        Method::PATCH,
        &ann,
        Some(patch_op(json!([{"op": "add", "path": "emails[type", "value": "x"}]))),
    )
    .await;
    assert_eq!(bad_path.body["scimType"], "invalidPath");

    // 409 uniqueness: a userName (email) the account has, in any case.
    let dup = scim(
        &app,
        &secret,
        Method::POST,
        "/Users",
        Some(json!({"schemas": [USER], "userName": "ANN.archer@example.com"})),
    )
    .await;
    assert_eq!((dup.status, dup.body["scimType"].as_str()), (StatusCode::CONFLICT, Some("uniqueness")), "{}", dup.body);

    // 412: a stale If-Match; the current one works, and every answer carries the ETag.
    let current = scim(&app, &secret, Method::GET, &ann, None).await;
    let etag = current.header("etag");
    assert!(etag.starts_with("W/\""), "{etag}");
    let rename = patch_op(json!([{"op": "replace", "path": "name.givenName", "value": "Annie"}]));
    let stale = scim_with(&app, &secret, Method::PATCH, &ann, Some(rename.clone()), &[("if-match", "W/\"999\"")]).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED, "{}", stale.body);
    assert_eq!(scim(&app, &secret, Method::GET, &ann, None).await.body["name"]["givenName"], "Ann", "nothing changed");
    let fresh = scim_with(&app, &secret, Method::PATCH, &ann, Some(rename), &[("if-match", &etag)]).await;
    assert_eq!(fresh.status, StatusCode::OK, "{}", fresh.body);
    assert_ne!(fresh.header("etag"), etag);

    // The Primary Master Admin is never deactivated nor deleted.
    let root_id = org.admin.to_string();
    let off = scim(
        &app,
        &secret,
        Method::PATCH,
        &format!("/Users/{root_id}"),
        Some(patch_op(json!([{"op": "replace", "value": {"active": false}}]))),
    )
    .await;
    // 403: a token acts at most as a Master Admin, below the Primary Master Admin's authority.
    assert!(off.status == StatusCode::FORBIDDEN || off.status == StatusCode::CONFLICT, "{}", off.body);
    let del = scim(&app, &secret, Method::DELETE, &format!("/Users/{root_id}"), None).await;
    assert!(del.status == StatusCode::CONFLICT || del.status == StatusCode::FORBIDDEN, "{}", del.body);
    assert_eq!(scim(&app, &secret, Method::GET, &format!("/Users/{root_id}"), None).await.body["active"], true);

    // 409 naming the bots: a bot owner's deprovisioning stays with a person.
    let bot = domain::ids::BotId::new();
    store::bots::create(
        &app.db,
        bot,
        org.beta,
        "Invoice Bot",
        &[(org.bob, domain::bot::BotRole::Owner)],
        app::clock::now(),
    )
    .await
    .expect("bot");
    let owner = scim(&app, &secret, Method::DELETE, &format!("/Users/{}", org.bob), None).await;
    assert_eq!(owner.status, StatusCode::CONFLICT, "{}", owner.body);
    assert!(owner.body["detail"].as_str().unwrap_or_default().contains("Invoice Bot"), "{}", owner.body);
    assert_eq!(scim(&app, &secret, Method::GET, &format!("/Users/{}", org.bob), None).await.status, StatusCode::OK);
});

on_both_backends!(an_id_that_is_not_exactly_a_uuid_is_a_scim_404_on_every_verb_as_an_unknown_one, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let secret = token(&app, &root, PROVISIONING).await;
    let group =
        scim(&app, &secret, Method::POST, "/Groups", Some(json!({"schemas": [GROUP], "displayName": "Typed"}))).await;
    assert_eq!(group.status, StatusCode::CREATED, "{}", group.body);
    let group = group.body["id"].as_str().expect("id").to_owned();
    let ann = org.ann.to_string();
    let verbs = [Method::GET, Method::PUT, Method::PATCH, Method::DELETE];
    for (endpoint, real, noun) in [("Users", ann.as_str(), "user"), ("Groups", group.as_str(), "group")] {
        let unknown = scim(&app, &secret, Method::GET, &format!("/{endpoint}/{}", uuid::Uuid::now_v7()), None).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
        // Padded with a space, or not an id at all: no resource has that id, even
        // when a real id is inside it.
        for id in [format!("%20{real}"), format!("{real}%20"), "not-an-id".to_owned()] {
            for method in verbs.clone() {
                let body = (method == Method::PUT || method == Method::PATCH).then(|| json!({"schemas": [USER]}));
                let res = scim(&app, &secret, method.clone(), &format!("/{endpoint}/{id}"), body).await;
                assert_eq!(res.status, StatusCode::NOT_FOUND, "{method} /{endpoint}/{id}: {}", res.body);
                assert_eq!(res.body, unknown.body, "{method} /{endpoint}/{id}: answered as an unknown {noun}");
                assert!(res.body.get("scimType").is_none(), "RFC 7644 §3.12 has no scimType for 404");
            }
        }
    }
    // Nothing was touched.
    assert_eq!(scim(&app, &secret, Method::GET, &format!("/Users/{ann}"), None).await.status, StatusCode::OK);
    assert_eq!(scim(&app, &secret, Method::GET, &format!("/Groups/{group}"), None).await.status, StatusCode::OK);
});

on_both_backends!(deletes_are_account_wide_and_conditional, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    // A token scoped to a workspace is refused at the door (403): a DELETE through it
    // neither deletes Ann nor quietly removes her from Alpha (the console's workspace-admin
    // delete).
    let body =
        json!({"name": "Alpha SCIM", "expires_in_days": 30, "permissions": PROVISIONING, "workspaces": [org.alpha]});
    let (status, created) = app.send(&root, Method::POST, "/api/v1/api-tokens", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let scoped = created["secret"].as_str().expect("secret");
    let ann = format!("/Users/{}", org.ann);
    let refused = scim(&app, scoped, Method::DELETE, &ann, None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let console = crate::scim::console_user(&app, &root, &org.ann.to_string()).await;
    assert_eq!(console["workspaces"][0]["name"], "Alpha", "still in Alpha: {console}");

    // If-Match: a stale version deletes nothing (412); the current one deletes.
    let secret = token(&app, &root, PROVISIONING).await;
    let etag = scim(&app, &secret, Method::GET, &ann, None).await.header("etag");
    let rename = patch_op(json!([{"op": "replace", "path": "name.givenName", "value": "Annie"}]));
    assert_eq!(scim(&app, &secret, Method::PATCH, &ann, Some(rename)).await.status, StatusCode::OK);
    let stale = scim_with(&app, &secret, Method::DELETE, &ann, None, &[("if-match", &etag)]).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED, "{}", stale.body);
    assert_eq!(scim(&app, &secret, Method::GET, &ann, None).await.status, StatusCode::OK, "not deleted");
    let etag = scim(&app, &secret, Method::GET, &ann, None).await.header("etag");
    let done = scim_with(&app, &secret, Method::DELETE, &ann, None, &[("if-match", &etag)]).await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.body);
    assert_eq!(scim(&app, &secret, Method::GET, &ann, None).await.status, StatusCode::NOT_FOUND);
});
