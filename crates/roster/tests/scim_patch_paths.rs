//! SCIM PATCH paths (issue 16, RFC 7644 §3.5.2): every path form — with and without a
//! value filter, sub-attributes, URN paths, the no-path form with a value object — either
//! takes effect (the user shows it, in SCIM and in the console) or is refused with the
//! RFC's `scimType` and changes nothing. Never a 200 that stored nothing — except for what
//! RFC 7643 defines and Roster does not keep (Entra ID's default mappings send it on every
//! update): accepted, and changing nothing. On both backends.

use crate::on_both_backends;
use crate::scim::{ENTERPRISE, PROVISIONING, USER, audit, console_user, patch_op, scim, token};
use crate::support::app::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// PATCHes `ops` onto `/Users/{id}`: the answer's status and body.
async fn patch(app: &TestApp, secret: &str, id: &str, ops: Value) -> (StatusCode, Value) {
    let res = scim(app, secret, Method::PATCH, &format!("/Users/{id}"), Some(patch_op(ops))).await;
    (res.status, res.body)
}

async fn read(app: &TestApp, secret: &str, id: &str) -> Value {
    let res = scim(app, secret, Method::GET, &format!("/Users/{id}"), None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.body
}

on_both_backends!(every_patch_path_takes_effect_or_is_refused, |app| async move {
    app.seed_org().await;
    let root = app.login_admin().await;
    let secret = token(&app, &root, PROVISIONING).await;
    let created = scim(
        &app,
        &secret,
        Method::POST,
        "/Users",
        Some(json!({
            "schemas": [USER, ENTERPRISE],
            "userName": "Pat.Path@example.com",
            "name": {"givenName": "Pat", "familyName": "Path"},
            "emails": [{"primary": true, "type": "work", "value": "Pat.Path@example.com"}],
            "title": "Engineer",
            "phoneNumbers": [{"type": "work", "value": "+1 425 555 0100"}],
            "addresses": [{"type": "work", "locality": "Redmond", "country": "US"}],
            ENTERPRISE: {"department": "R&D"}
        })),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().expect("id").to_owned();
    let id = id.as_str();

    // Refusals first: each is the RFC's error, and the user is unchanged after it.
    let refused: Vec<(Value, &str)> = vec![
        // A value filter selecting nothing, for an op that needs a target (§3.5.2.3).
        (json!([{"op": "replace", "path": "emails[type eq \"home\"].value", "value": "h@example.com"}]), "noTarget"),
        (
            json!([{"op": "Replace", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+1 425 555 0109"}]),
            "noTarget",
        ),
        // Paths that are not paths, or name what RFC 7643 does not define (a typo, another
        // schema's attribute).
        (json!([{"op": "replace", "path": "emails[type eq].value", "value": "x"}]), "invalidPath"),
        (json!([{"op": "replace", "path": "emails[type eq \"work\"]x", "value": "x"}]), "invalidPath"),
        (json!([{"op": "add", "path": "nickNam", "value": "Patty"}]), "invalidPath"),
        (json!([{"op": "replace", "path": "name.middleNam", "value": "Q"}]), "invalidPath"),
        (json!([{"op": "replace", "path": format!("{ENTERPRISE}:managr"), "value": {"value": "x"}}]), "invalidPath"),
        (json!([{"op": "add", "path": "urn:example:ext:1.0:User:shoeSize", "value": "42"}]), "invalidPath"),
        (json!([{"op": "add", "path": "urn:example:ext:1.0:User:manager", "value": "m"}]), "invalidPath"),
        // …or in a value object: the same refusal, as a bad value.
        (json!([{"op": "add", "value": {"nickNam": "Patty"}}]), "invalidValue"),
        (json!([{"op": "replace", "value": {"name": {"formated": "Dr Pat Path"}}}]), "invalidValue"),
        // Read-only attributes.
        (json!([{"op": "replace", "path": "displayName", "value": "Someone Else"}]), "mutability"),
        (json!([{"op": "replace", "path": "id", "value": "1"}]), "mutability"),
        (json!([{"op": "add", "path": "groups", "value": [{"value": "g"}]}]), "mutability"),
        (json!([{"op": "replace", "path": "meta.created", "value": "2000-01-01T00:00:00Z"}]), "mutability"),
        // Required attributes cannot be removed; values Roster cannot hold are refused.
        (json!([{"op": "remove", "path": "name.givenName"}]), "invalidValue"),
        (json!([{"op": "remove", "path": "active"}]), "invalidValue"),
        (json!([{"op": "remove", "path": "userName"}]), "invalidValue"),
        (json!([{"op": "remove", "path": "emails"}]), "invalidValue"),
        (json!([{"op": "remove", "path": "emails[type eq \"work\"]"}]), "invalidValue"),
        (
            json!([{"op": "add", "path": "emails", "value": [{"value": "second@example.com", "type": "work"}]}]),
            "invalidValue",
        ),
        (json!([{"op": "add", "path": "emails[type eq \"home\"].value", "value": "home@example.com"}]), "invalidValue"),
        // A `type` outside RFC 7643's canonical values.
        (
            json!([{"op": "add", "path": "phoneNumbers[type eq \"satellite\"].value", "value": "+1 425 555 0111"}]),
            "invalidValue",
        ),
        (json!([{"op": "add", "path": "phoneNumbers", "value": [{"value": "+1 425 555 0112"}]}]), "invalidValue"),
        (json!([{"op": "add", "path": "addresses[type eq \"office\"].locality", "value": "Oslo"}]), "invalidValue"),
        (json!([{"op": "replace", "path": "active", "value": "sometimes"}]), "invalidValue"),
        // userName and emails are one address: one request cannot name two.
        (
            json!([
                {"op": "replace", "path": "userName", "value": "one@example.com"},
                {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "two@example.com"}
            ]),
            "invalidValue",
        ),
        // The first operation would take effect; the second's refusal undoes the request.
        (
            json!([
                {"op": "replace", "path": "title", "value": "Boss"},
                {"op": "replace", "path": "emails[type eq \"other\"].value", "value": "o@example.com"}
            ]),
            "noTarget",
        ),
    ];
    let before = read(&app, &secret, id).await;
    for (ops, scim_type) in refused {
        let (status, body) = patch(&app, &secret, id, ops.clone()).await;
        assert_eq!((status, body["scimType"].as_str()), (StatusCode::BAD_REQUEST, Some(scim_type)), "{ops}: {body}");
        assert_eq!(read(&app, &secret, id).await, before, "{ops} changed nothing");
    }

    // What RFC 7643 defines and Roster does not keep: accepted, changing nothing — the
    // same user, the same version, no audit event (RFC 7644 §3.3; Entra ID's defaults).
    let accepted = [
        json!([{"op": "add", "path": "nickName", "value": "Patty"}]),
        json!([{"op": "Replace", "path": "preferredLanguage", "value": "en-US"}]),
        json!([{"op": "replace", "path": "name.middleName", "value": "Q"}]),
        json!([{"op": "Add", "path": "name.formatted", "value": "Pat Path"}]),
        json!([{"op": "replace", "path": format!("{ENTERPRISE}:manager"), "value": {"value": "x"}}]),
        json!([{"op": "Add", "path": format!("{ENTERPRISE}:manager"), "value": "x"}]),
        json!([{"op": "remove", "path": format!("{ENTERPRISE}:costCenter")}]),
        json!([{"op": "Replace", "path": "addresses[type eq \"work\"].formatted", "value": "1 Main St"}]),
        json!([{"op": "replace", "path": "addresses[type eq \"home\"].locality", "value": "Oslo"}]),
        json!([{"op": "add", "path": "addresses[type eq \"home\"].locality", "value": "Oslo"}]),
        json!([{"op": "Replace", "path": "phoneNumbers[type eq \"fax\"].value", "value": "+1 425 555 0111"}]),
        json!([{"op": "add", "path": "phoneNumbers[type eq \"fax\"].value", "value": "+1 425 555 0111"}]),
        json!([{"op": "add", "path": "phoneNumbers", "value": [{"type": "pager", "value": "+1 425 555 0113"}]}]),
        json!([{"op": "add", "value": {"nickName": "Patty", "locale": "en-US", "userType": "Employee"}}]),
        json!([{"op": "replace", "value": {"name": {"formatted": "Dr Pat Path", "honorificPrefix": "Dr"}}}]),
        json!([{"op": "replace", "value": {ENTERPRISE: {"manager": {"value": "x"}, "division": "East"}}}]),
    ];
    let newest = audit(&app, &root, 1).await[0]["id"].clone();
    for ops in accepted {
        let (status, body) = patch(&app, &secret, id, ops.clone()).await;
        assert_eq!((status, &body), (StatusCode::OK, &before), "{ops}: accepted, and the user is unchanged");
    }
    assert_eq!(read(&app, &secret, id).await, before, "nothing changed");
    assert_eq!(audit(&app, &root, 1).await[0]["id"], newest, "no audit event");

    // What takes effect. Entra ID's mapping of `mail`: the email (and so userName) changes.
    let (status, body) = patch(
        &app,
        &secret,
        id,
        json!([{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "Pat.New@example.com"}]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["userName"].as_str(), body["emails"][0]["value"].as_str()),
        (Some("Pat.New@example.com"), Some("Pat.New@example.com"))
    );
    assert_eq!(console_user(&app, &root, id).await["email"], "Pat.New@example.com", "the console shows it");
    let (status, body) = patch(
        &app,
        &secret,
        id,
        json!([{"op": "replace", "path": "emails[primary eq true].value", "value": "pat.third@example.com"}]),
    )
    .await;
    assert_eq!((status, body["userName"].as_str()), (StatusCode::OK, Some("pat.third@example.com")), "{body}");
    // userName alone: emails follow it.
    let (status, body) =
        patch(&app, &secret, id, json!([{"op": "replace", "path": "userName", "value": "pat@example.com"}])).await;
    assert_eq!((status, body["emails"][0]["value"].as_str()), (StatusCode::OK, Some("pat@example.com")), "{body}");

    // Sub-attributes by path; a complex value keeps the sub-attributes it does not name;
    // displayName may be sent as the names make it (Entra ID sends it beside them).
    let (status, body) = patch(
        &app,
        &secret,
        id,
        json!([
            {"op": "replace", "path": "name.givenName", "value": "Patricia"},
            {"op": "add", "path": "name", "value": {"familyName": "Paths"}},
            {"op": "replace", "path": "displayName", "value": "Patricia Paths"}
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["name"], json!({"givenName": "Patricia", "familyName": "Paths"}));
    let console = console_user(&app, &root, id).await;
    assert_eq!(
        (console["first_name"].as_str(), console["last_name"].as_str()),
        (Some("Patricia"), Some("Paths")),
        "{console}"
    );

    // Value filters: replace a matched value, add through a filter matching nothing (a new
    // value carrying the filter's type), remove a matched one and a sub-attribute.
    let (status, body) = patch(
        &app,
        &secret,
        id,
        json!([
            {"op": "replace", "path": "phoneNumbers[type eq \"work\"].value", "value": "+1 425 555 0199"},
            {"op": "add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+1 425 555 0198"},
            {"op": "replace", "path": "addresses[type eq \"work\"].locality", "value": "Seattle"},
            {"op": "remove", "path": "addresses[type eq \"work\"].country"}
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["phoneNumbers"],
        json!([{"value": "+1 425 555 0199", "type": "work"}, {"value": "+1 425 555 0198", "type": "mobile"}])
    );
    assert_eq!(body["addresses"], json!([{"locality": "Seattle", "type": "work"}]));
    let (status, body) = patch(
        &app,
        &secret,
        id,
        json!([
            {"op": "remove", "path": "phoneNumbers[type eq \"mobile\"]"},
            {"op": "remove", "path": "phoneNumbers[type eq \"fax\"]"},
            {"op": "remove", "path": "title"},
            {"op": "remove", "path": format!("{ENTERPRISE}:department")}
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["phoneNumbers"], json!([{"value": "+1 425 555 0199", "type": "work"}]));
    assert!(body.get("title").is_none() && body.get(ENTERPRISE).is_none(), "{body}");

    // The no-path form with a value object: dotted keys, the extension, emails.
    let (status, body) = patch(
        &app,
        &secret,
        id,
        json!([{"op": "replace", "value": {
            "name.familyName": "Pathfinder",
            "title": "Lead",
            "emails": [{"value": "pat.final@example.com", "type": "work", "primary": true}],
            ENTERPRISE: {"organization": "Acme"}
        }}]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (
            body["name"]["familyName"].as_str(),
            body["title"].as_str(),
            body["userName"].as_str(),
            body[ENTERPRISE]["organization"].as_str()
        ),
        (Some("Pathfinder"), Some("Lead"), Some("pat.final@example.com"), Some("Acme"))
    );
    // Writing what is already there changes nothing and is no error.
    let version = body["meta"]["version"].clone();
    let (status, body) =
        patch(&app, &secret, id, json!([{"op": "replace", "path": "displayName", "value": "Patricia Pathfinder"}]))
            .await;
    assert_eq!((status, body["meta"]["version"].clone()), (StatusCode::OK, version), "{body}");
});

// Microsoft Entra ID's update with its default attribute mappings, as its provisioning
// service sends it: one PATCH, `Replace` for values the user has and `Add` for the others,
// naming attributes Roster does not keep beside those it does. The kept ones change (in
// SCIM and the console, audited once); the request is 200.
on_both_backends!(entra_default_mapping_update_is_taken, |app| async move {
    app.seed_org().await;
    let root = app.login_admin().await;
    let secret = token(&app, &root, PROVISIONING).await;
    let created = scim(
        &app,
        &secret,
        Method::POST,
        "/Users",
        Some(json!({
            "schemas": [USER, ENTERPRISE],
            "externalId": "0b8f5c2e-9d1a-4f7e-8c3b-6a2d1e0f9b7c",
            "userName": "Eve.Entra@example.com",
            "active": true,
            "displayName": "Eve Entra",
            "preferredLanguage": "en-US",
            "title": "Analyst",
            "emails": [{"primary": true, "type": "work", "value": "Eve.Entra@example.com"}],
            "name": {"formatted": "Eve Entra", "familyName": "Entra", "givenName": "Eve"},
            "addresses": [{"type": "work", "formatted": "1 Main St", "streetAddress": "1 Main St", "locality": "Redmond", "country": "US"}],
            "phoneNumbers": [{"type": "work", "value": "+1 425 555 0100"}, {"type": "fax", "value": "+1 425 555 0107"}],
            ENTERPRISE: {"department": "Sales", "manager": {"value": "7f2c"}}
        })),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().expect("id").to_owned();
    assert!(created.body.get("preferredLanguage").is_none(), "not kept: {}", created.body);
    let version = created.body["meta"]["version"].clone();

    let created_event = audit(&app, &root, 1).await[0]["id"].clone();
    let (status, body) = patch(
        &app,
        &secret,
        &id,
        json!([
            {"op": "Replace", "path": "title", "value": "Senior Analyst"},
            {"op": "Add", "path": "preferredLanguage", "value": "en-GB"},
            {"op": "Replace", "path": "name.givenName", "value": "Evelyn"},
            {"op": "Replace", "path": "name.familyName", "value": "Entra-Ward"},
            {"op": "Add", "path": "name.formatted", "value": "Evelyn Entra-Ward"},
            {"op": "Replace", "path": "displayName", "value": "Evelyn Entra-Ward"},
            {"op": "Replace", "path": "addresses[type eq \"work\"].locality", "value": "Seattle"},
            {"op": "Add", "path": "addresses[type eq \"work\"].formatted", "value": "1 Main St, Seattle"},
            {"op": "Replace", "path": "phoneNumbers[type eq \"work\"].value", "value": "+1 206 555 0100"},
            {"op": "Add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+1 206 555 0101"},
            {"op": "Replace", "path": "phoneNumbers[type eq \"fax\"].value", "value": "+1 206 555 0107"},
            {"op": "Replace", "path": format!("{ENTERPRISE}:department"), "value": "Marketing"},
            {"op": "Add", "path": format!("{ENTERPRISE}:manager"), "value": "9e41"},
            {"op": "Replace", "path": "active", "value": "True"}
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_ne!(body["meta"]["version"], version, "a new version: {body}");
    assert_eq!(body["title"], "Senior Analyst");
    assert_eq!(body["name"], json!({"givenName": "Evelyn", "familyName": "Entra-Ward"}));
    assert_eq!(body["displayName"], "Evelyn Entra-Ward");
    assert_eq!(
        body["addresses"],
        json!([{"streetAddress": "1 Main St", "locality": "Seattle", "country": "US", "type": "work"}])
    );
    assert_eq!(
        body["phoneNumbers"],
        json!([{"value": "+1 206 555 0100", "type": "work"}, {"value": "+1 206 555 0101", "type": "mobile"}])
    );
    assert_eq!(body[ENTERPRISE], json!({"department": "Marketing"}));
    assert_eq!(body["active"], true);
    for unkept in ["preferredLanguage", "nickName"] {
        assert!(body.get(unkept).is_none(), "{unkept}: {body}");
    }
    assert_eq!(read(&app, &secret, &id).await, body, "stored as answered");

    let console = console_user(&app, &root, &id).await;
    assert_eq!((console["first_name"].as_str(), console["last_name"].as_str()), (Some("Evelyn"), Some("Entra-Ward")));
    // Events' summaries name people as they are now: compare them by id.
    let newest = audit(&app, &root, 2).await;
    assert_ne!(newest[0]["id"], created_event, "audited");
    assert_eq!(newest[1]["id"], created_event, "once");
    assert_eq!(newest[0]["action"], "user.updated", "{}", newest[0]);
    let changes = &newest[0]["details"]["changes"];
    for field in ["first_name", "last_name", "title", "city", "work_number", "mobile_number", "department"] {
        assert!(changes.get(field).is_some(), "{field} in {changes}");
    }

    // Entra sends the same update again on its next cycle: nothing kept changes.
    let again = body.clone();
    let (status, body) = patch(
        &app,
        &secret,
        &id,
        json!([
            {"op": "Add", "path": "preferredLanguage", "value": "en-GB"},
            {"op": "Add", "path": "name.formatted", "value": "Evelyn Entra-Ward"},
            {"op": "Replace", "path": "phoneNumbers[type eq \"fax\"].value", "value": "+1 206 555 0107"},
            {"op": "Add", "path": format!("{ENTERPRISE}:manager"), "value": "9e41"}
        ]),
    )
    .await;
    assert_eq!((status, body), (StatusCode::OK, again), "the same user, the same version");
    assert_eq!(audit(&app, &root, 1).await[0]["id"], newest[0]["id"], "no audit event");
});
