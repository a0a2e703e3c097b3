//! SCIM 2.0 provisioning (issue 16): request sequences written from Okta's and Microsoft
//! Entra ID's published SCIM integration guides, replayed on both backends, with the
//! console's API checking that it shows the same users, statuses, groups and audit events.

use crate::on_both_backends;
use crate::support::app::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub(crate) const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub(crate) const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub(crate) const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub(crate) const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub(crate) const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// Every permission an identity provider's token needs.
pub(crate) const PROVISIONING: &[&str] =
    &["scim", "users.view", "users.invite", "users.manage", "users.delete", "groups.manage"];

/// A token made by the signed-in `c` holding `permissions`: its secret.
pub(crate) async fn token(app: &TestApp, c: &reqwest::Client, permissions: &[&str]) -> String {
    let body = json!({"name": "Okta provisioning", "expires_in_days": 30, "permissions": permissions});
    let (status, body) = app.send(c, Method::POST, "/api/v1/api-tokens", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["secret"].as_str().expect("secret").to_owned()
}

/// One SCIM answer: status, headers and JSON body.
pub(crate) struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    pub(crate) fn header(&self, name: &str) -> String {
        self.headers.get(name).map(|v| v.to_str().unwrap_or_default().to_owned()).unwrap_or_default()
    }
}

/// A SCIM request with the bearer `secret` (no cookie), its body sent as
/// `application/scim+json` like Okta and Entra ID do; the answer must be SCIM JSON.
pub(crate) async fn scim(app: &TestApp, secret: &str, method: Method, path: &str, body: Option<Value>) -> Answer {
    scim_with(app, secret, method, path, body, &[]).await
}

pub(crate) async fn scim_with(
    app: &TestApp,
    secret: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Answer {
    let mut req =
        reqwest::Client::new().request(method.clone(), app.url(&format!("/scim/v2{path}"))).bearer_auth(secret);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.header("content-type", "application/scim+json").body(b.to_string());
    }
    let res = req.send().await.expect("request");
    let status = res.status();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap_or_default();
    if status != StatusCode::NO_CONTENT {
        let ct = headers.get("content-type").map(|v| v.to_str().unwrap_or_default().to_owned());
        assert_eq!(ct.as_deref(), Some("application/scim+json"), "{method} {path}: {status} {text}");
    }
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    if !status.is_success() {
        assert_eq!(body["schemas"], json!([ERROR]), "{method} {path}: a SCIM error: {text}");
        assert_eq!(body["status"], status.as_u16().to_string(), "{method} {path}: {text}");
    }
    Answer { status, headers, body }
}

pub(crate) fn patch_op(ops: Value) -> Value {
    let mut body = json!({"schemas": [PATCH_OP]});
    body["Operations"] = ops;
    body
}

/// The console's view of a user (`GET /api/v1/users/{id}`).
pub(crate) async fn console_user(app: &TestApp, root: &reqwest::Client, id: &str) -> Value {
    let (status, body) = app.get_json(root, &format!("/api/v1/users/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The newest audit events (newest first), as the console's audit log lists them.
pub(crate) async fn audit(app: &TestApp, root: &reqwest::Client, limit: u32) -> Vec<Value> {
    let (status, body) = app.get_json(root, &format!("/api/v1/audit?limit={limit}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().expect("items").clone()
}

fn filter_path(resource: &str, filter: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(filter.as_bytes()).collect();
    format!("/{resource}?filter={encoded}")
}

/// `GET /Users?filter=…` (Okta adds `startIndex=1&count=100`).
pub(crate) async fn find_users(app: &TestApp, secret: &str, filter: &str) -> Answer {
    let path = format!("{}&startIndex=1&count=100", filter_path("Users", filter));
    scim(app, secret, Method::GET, &path, None).await
}

on_both_backends!(okta_creates_finds_deactivates_reactivates_and_updates_a_user, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let secret = token(&app, &root, PROVISIONING).await;
    // Okta's guide: SSO signs people in, so a provisioned user starts Active.
    // Ann signs in with her password before SSO is on (under SSO only admins may).
    let ann = app.login("ann.archer@example.com", crate::support::app::PASSWORD).await;
    crate::support::oidc::force_sso_on(&app).await;

    // 1. Okta checks that the user does not exist yet.
    let none = find_users(&app, &secret, "userName eq \"Dawn.Okta@Example.com\"").await;
    assert_eq!(none.status, StatusCode::OK);
    assert_eq!((none.body["totalResults"].clone(), none.body["Resources"].clone()), (json!(0), json!([])));

    // 2. Create, as Okta sends it.
    let created = scim(
        &app,
        &secret,
        Method::POST,
        "/Users",
        Some(json!({
            "schemas": [USER],
            "userName": "Dawn.Okta@Example.com",
            "name": {"givenName": "Dawn", "familyName": "Okta"},
            "emails": [{"primary": true, "value": "Dawn.Okta@Example.com", "type": "work"}],
            "displayName": "Dawn Okta",
            "locale": "en-US",
            "externalId": "00ujl29u0le5T6Aj10h7",
            "groups": [],
            "password": "1mz050nq",
            "active": true
        })),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().expect("id").to_owned();
    assert_eq!(created.header("location"), app.url(&format!("/scim/v2/Users/{id}")));
    assert_eq!(created.body["meta"]["location"], created.header("location"));
    assert_eq!(created.header("etag"), created.body["meta"]["version"].as_str().expect("version"));
    assert_eq!(created.body["userName"], "Dawn.Okta@Example.com", "the email as given; matched case-insensitively");
    assert_eq!(created.body["externalId"], "00ujl29u0le5T6Aj10h7");
    assert_eq!(created.body["active"], true);
    let user = console_user(&app, &root, &id).await;
    assert_eq!((user["status"].as_str(), user["first_name"].as_str()), (Some("active"), Some("Dawn")));

    // 3. Okta finds the user again by userName, in any case.
    let found = find_users(&app, &secret, "userName eq \"dawn.okta@EXAMPLE.com\"").await;
    assert_eq!(found.body["totalResults"], 1, "{}", found.body);
    assert_eq!(found.body["Resources"][0]["id"], id.as_str());
    assert_eq!(found.body["schemas"], json!(["urn:ietf:params:scim:api:messages:2.0:ListResponse"]));

    // 4. Okta's deactivation: a PATCH of `active` alone. An existing user with a live
    //    session is suspended and the session ends at once, as the console's Suspend does.
    assert_eq!(app.get_json(&ann, "/api/v1/me").await.0, StatusCode::OK);
    let deactivate = patch_op(json!([{"op": "replace", "value": {"active": false}}]));
    let off = scim(&app, &secret, Method::PATCH, &format!("/Users/{}", org.ann), Some(deactivate.clone())).await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert_eq!(off.body["active"], false);
    assert_eq!(console_user(&app, &root, &org.ann.to_string()).await["status"], "suspended");
    assert_eq!(app.get_json(&ann, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED, "the session ended");
    let events = audit(&app, &root, 5).await;
    let suspended = events.iter().find(|e| e["action"] == "user.suspended").expect("a suspension event");
    assert_eq!(suspended["details"]["api_token"]["name"], "Okta provisioning", "{suspended}");

    // 5. Reactivation, then Okta's profile push: a PUT of the whole user.
    let on = scim(
        &app,
        &secret,
        Method::PATCH,
        &format!("/Users/{}", org.ann),
        Some(patch_op(json!([{"op": "replace", "value": {"active": true}}]))),
    )
    .await;
    assert_eq!((on.status, on.body["active"].clone()), (StatusCode::OK, json!(true)), "{}", on.body);
    assert_eq!(console_user(&app, &root, &org.ann.to_string()).await["status"], "active");
    let put = scim(
        &app,
        &secret,
        Method::PUT,
        &format!("/Users/{id}"),
        Some(json!({
            "schemas": [USER, ENTERPRISE],
            "id": id,
            "userName": "Dawn.Okta@Example.com",
            "name": {"givenName": "Dawna", "familyName": "Okta"},
            "emails": [{"primary": true, "value": "Dawn.Okta@Example.com", "type": "work"}],
            "title": "Engineer",
            "active": true,
            ENTERPRISE: {"organization": "Acme", "department": "R&D"}
        })),
    )
    .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    assert_eq!((put.body["name"]["givenName"].as_str(), put.body["title"].as_str()), (Some("Dawna"), Some("Engineer")));
    assert_eq!(put.body[ENTERPRISE], json!({"organization": "Acme", "department": "R&D"}));
    assert_ne!(put.header("etag"), created.header("etag"), "a change moves the version");
    let raw = store::scim::users::find(&app.db, org.account, domain::ids::UserId(id.parse().expect("uuid")))
        .await
        .expect("read")
        .expect("user");
    let profile: Value = serde_json::from_str(&raw.profile).expect("profile");
    assert_eq!(
        (profile["company"].as_str(), profile["department"].as_str()),
        (Some("Acme"), Some("R&D")),
        "stored although User Settings show neither"
    );
    let updated = audit(&app, &root, 3).await;
    assert!(
        updated
            .iter()
            .any(|e| e["action"] == "user.updated" && e["details"]["api_token"]["name"] == "Okta provisioning"),
        "{updated:?}"
    );

    // 6. Okta's deprovisioning of a user it no longer assigns: DELETE is the soft delete.
    let gone = scim(&app, &secret, Method::DELETE, &format!("/Users/{id}"), None).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    assert_eq!(scim(&app, &secret, Method::GET, &format!("/Users/{id}"), None).await.status, StatusCode::NOT_FOUND);
    let (_, deleted) = app.get_json(&root, "/api/v1/users/deleted").await;
    assert!(deleted.to_string().contains(&id), "restorable from the console: {deleted}");
});

on_both_backends!(entra_provisions_with_string_booleans_capitalised_ops_and_group_membership, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let secret = token(&app, &root, PROVISIONING).await;
    let (status, body) = app
        .send(&root, Method::PUT, "/api/v1/settings/scim", Some(json!({"workspace": org.alpha, "new_users": "auto"})))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Entra ID's first request: a filter on a userName that does not exist.
    let probe = find_users(&app, &secret, "userName eq \"non-existent user\"").await;
    assert_eq!(probe.body["totalResults"], 0);

    // Create, as Entra ID sends it (SSO is off: the user is invited by email).
    let created = scim(&app, &secret, Method::POST, "/Users", Some(json!({
        "schemas": [USER, ENTERPRISE],
        "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
        "userName": "Erin.Entra@example.com",
        "active": true,
        "addresses": [{"primary": true, "type": "work", "streetAddress": "1 Main St", "locality": "Redmond", "region": "WA", "postalCode": "98052", "country": "US"}],
        "displayName": "Erin Entra",
        "emails": [{"primary": true, "type": "work", "value": "Erin.Entra@example.com"}],
        "meta": {"resourceType": "User"},
        "name": {"familyName": "Entra", "givenName": "Erin"},
        "phoneNumbers": [{"type": "work", "value": "+1 425 555 0100"}, {"type": "mobile", "value": "+1 425 555 0101"}],
        "title": "Sales Rep",
        ENTERPRISE: {"department": "Sales", "employeeNumber": "E-42"}
    }))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().expect("id").to_owned();
    assert_eq!(created.body["addresses"][0]["locality"], "Redmond");
    assert_eq!(
        created.body["phoneNumbers"],
        json!([{"value": "+1 425 555 0100", "type": "work"}, {"value": "+1 425 555 0101", "type": "mobile"}])
    );
    let user = console_user(&app, &root, &id).await;
    assert_eq!(user["status"], "invited");
    assert_eq!(user["workspaces"][0]["name"], "Alpha", "provisioned into the SCIM workspace");
    app.settle_mail().await;
    let (_, details) = app.get_json(&root, &format!("/api/v1/users/{id}")).await;
    assert_eq!(details["emails"][0]["kind"], "invitation", "{details}");

    // Entra ID's filter by externalId, then its PATCHes: capitalised ops, string booleans,
    // URN paths and value filters.
    let by_external = find_users(&app, &secret, "externalId eq \"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159\"").await;
    assert_eq!(by_external.body["Resources"][0]["id"], id.as_str(), "{}", by_external.body);
    let patched = scim(
        &app,
        &secret,
        Method::PATCH,
        &format!("/Users/{id}"),
        Some(patch_op(json!([
            {"op": "Replace", "path": format!("{ENTERPRISE}:department"), "value": "Marketing"},
            {"op": "Replace", "path": "phoneNumbers[type eq \"work\"].value", "value": "+1 425 555 0199"},
            {"op": "Add", "path": "name.givenName", "value": "Erina"},
            {"op": "Remove", "path": "title"}
        ]))),
    )
    .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.body[ENTERPRISE]["department"], "Marketing");
    assert_eq!(patched.body["phoneNumbers"][0], json!({"value": "+1 425 555 0199", "type": "work"}));
    assert_eq!(patched.body["name"]["givenName"], "Erina");
    assert!(patched.body.get("title").is_none(), "{}", patched.body);

    // An existing active user: Entra ID deactivates with the string "False".
    let off = scim(
        &app,
        &secret,
        Method::PATCH,
        &format!("/Users/{}", org.cat),
        Some(patch_op(json!([
            {"op": "Replace", "path": "active", "value": "False"}
        ]))),
    )
    .await;
    assert_eq!((off.status, off.body["active"].clone()), (StatusCode::OK, json!(false)), "{}", off.body);
    assert_eq!(console_user(&app, &root, &org.cat.to_string()).await["status"], "suspended");
    let on = scim(
        &app,
        &secret,
        Method::PATCH,
        &format!("/Users/{}", org.cat),
        Some(patch_op(json!([
            {"op": "Replace", "path": "active", "value": "True"}
        ]))),
    )
    .await;
    assert_eq!(on.body["active"], true, "{}", on.body);

    // Groups: create, add many members in one PATCH, remove one Entra-style, rename.
    let group = scim(
        &app,
        &secret,
        Method::POST,
        "/Groups",
        Some(json!({
            "schemas": [GROUP], "externalId": "grp-1", "displayName": "Sales Team", "members": []
        })),
    )
    .await;
    assert_eq!(group.status, StatusCode::CREATED, "{}", group.body);
    let gid = group.body["id"].as_str().expect("id").to_owned();
    let members = [org.ann.to_string(), org.cat.to_string(), id.clone()];
    let added = scim(
        &app,
        &secret,
        Method::PATCH,
        &format!("/Groups/{gid}"),
        Some(patch_op(json!([
            {"op": "Add", "path": "members", "value": members.iter().map(|m| json!({"value": m})).collect::<Vec<_>>()}
        ]))),
    )
    .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    assert_eq!(added.body["members"].as_array().map(Vec::len), Some(3), "{}", added.body);
    let (_, listed) = app.get_json(&root, &format!("/api/v1/groups/{gid}/members")).await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(3), "the console shows them: {listed}");
    let removed = scim(
        &app,
        &secret,
        Method::PATCH,
        &format!("/Groups/{gid}"),
        Some(patch_op(json!([
            {"op": "Remove", "path": "members", "value": [{"value": org.ann.to_string()}]},
            {"op": "Replace", "path": "displayName", "value": "Sales"}
        ]))),
    )
    .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    let left: Vec<&str> =
        removed.body["members"].as_array().expect("members").iter().filter_map(|m| m["value"].as_str()).collect();
    assert_eq!(left.len(), 2);
    assert!(!left.contains(&org.ann.to_string().as_str()));
    assert_eq!(removed.body["displayName"], "Sales");
    let user = scim(&app, &secret, Method::GET, &format!("/Users/{id}"), None).await;
    assert_eq!(user.body["groups"][0]["value"], gid.as_str(), "groups are read on the user: {}", user.body);
    let by_name = scim(
        &app,
        &secret,
        Method::GET,
        &format!("{}&excludedAttributes=members", filter_path("Groups", "displayName eq \"sales\"")),
        None,
    )
    .await;
    assert_eq!(by_name.body["totalResults"], 1, "{}", by_name.body);
    assert!(by_name.body["Resources"][0].get("members").is_none());
    let events = audit(&app, &root, 10).await;
    for action in ["group.member_added", "group.member_removed", "group.renamed", "group.created"] {
        assert!(
            events.iter().any(|e| e["action"] == action && e["details"]["api_token"]["name"] == "Okta provisioning"),
            "{action} audited naming the token: {events:?}"
        );
    }

    // DELETE of a group with members is refused as in the console; emptied, it goes.
    let refused = scim(&app, &secret, Method::DELETE, &format!("/Groups/{gid}"), None).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    let emptied = scim(
        &app,
        &secret,
        Method::PATCH,
        &format!("/Groups/{gid}"),
        Some(patch_op(json!([{"op": "remove", "path": "members"}]))),
    )
    .await;
    assert_eq!(emptied.body["members"], json!([]), "{}", emptied.body);
    assert_eq!(
        scim(&app, &secret, Method::DELETE, &format!("/Groups/{gid}"), None).await.status,
        StatusCode::NO_CONTENT
    );
});
