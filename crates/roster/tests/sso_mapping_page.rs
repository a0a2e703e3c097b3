//! The attribute mapping editor on Security → Single sign-on (issue 15): rows of claim
//! value → group / role / level that work without JavaScript, claim values with `=`, `,`
//! and spaces that round-trip to the API, and each bad row's message beside that row.

use crate::on_both_backends;
use crate::support::app::{TestApp, csrf_of};
use reqwest::StatusCode;
use serde_json::json;

const PAGE: &str = "/admin/settings/sso";

/// The form's settings fields as the page shows them to the Primary Master Admin, followed
/// by `rows`.
fn form(csrf: &str, rows: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = [
        ("csrf", csrf),
        ("provider_name", "Corp IdP"),
        ("scopes", "email profile"),
        ("email_claim", "email"),
        ("require_email_verified", "on"),
        ("mapping_mode", "full_sync"),
        ("mapping_claim", "groups"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    f.extend(rows.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    f
}

async fn post(app: &TestApp, c: &reqwest::Client, rows: &[(&str, &str)]) -> (StatusCode, String) {
    let html = c.get(app.url(PAGE)).send().await.unwrap().text().await.unwrap();
    let res = c.post(app.url(PAGE)).form(&form(&csrf_of(&html), rows)).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

on_both_backends!(a_mapping_saved_through_the_form_round_trips_and_a_bad_row_is_named, |app| async move {
    let root = app.login_admin().await;
    // The page offers a blank row for each map without JavaScript.
    let html = root.get(app.url(PAGE)).send().await.unwrap().text().await.unwrap();
    for id in ["group_value-0", "role_name-0", "builder_level-0"] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id} in {html}");
    }
    let dn = "CN=Eng,OU=Groups,DC=corp";
    let rows = [
        ("group_value", dn),
        ("group_name", "Engineering"),
        ("group_value", "Domain Users"),
        ("group_name", "Everyone"),
        ("group_value", ""),
        ("group_name", ""),
        ("role_value", "CN=Admins, OU=Groups"),
        ("role_name", "Master Admin"),
        ("role_value", ""),
        ("role_name", ""),
        ("builder_value", "a=b,c"),
        ("builder_level", "builder"),
        ("builder_value", ""),
        ("builder_level", ""),
    ];
    let (status, body) = post(&app, &root, &rows).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "saved: {body}");
    let (_, doc) = app.get_json(&root, "/api/v1/settings/sso").await;
    assert_eq!(doc["mapping"]["groups"], json!({dn: "Engineering", "Domain Users": "Everyone"}), "{doc}");
    assert_eq!(doc["mapping"]["admin_roles"], json!({"CN=Admins, OU=Groups": "Master Admin"}), "{doc}");
    assert_eq!(doc["mapping"]["builder_access"], json!({"a=b,c": "builder"}), "{doc}");
    // The page shows the saved rows as they are, the role chosen, and a blank row after them.
    let html = root.get(app.url(PAGE)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&format!("value=\"{dn}\"")), "{html}");
    assert!(html.contains("<option value=\"Master Admin\" selected>"), "{html}");
    assert!(html.contains("id=\"group_value-2\" name=\"group_value\" value=\"\""), "{html}");
    // A row without its group, and a claim value given twice: each named by its row, beside it.
    let bad = [
        ("group_value", dn),
        ("group_name", "Engineering"),
        ("group_value", "ops"),
        ("group_name", ""),
        ("group_value", dn),
        ("group_name", "Other"),
    ];
    let (status, html) = post(&app, &root, &bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("id=\"error-mapping.groups[1]\""), "{html}");
    assert!(html.contains("id=\"error-mapping.groups[2]\"") && html.contains("already mapped in row 1"), "{html}");
    assert!(!html.contains("id=\"error-mapping.groups[0]\""), "{html}");
    // What the API refuses by claim value is shown beside the row holding it.
    let long = "x".repeat(101);
    let bad = [("group_value", "fine"), ("group_name", "Fine"), ("group_value", dn), ("group_name", long.as_str())];
    let (status, html) = post(&app, &root, &bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("id=\"error-mapping.groups[1]\""), "{html}");
    assert!(html.contains(&format!("value=\"{long}\"")), "the row stays as typed: {html}");
    let (_, doc) = app.get_json(&root, "/api/v1/settings/sso").await;
    assert_eq!(doc["mapping"]["groups"][dn], "Engineering", "nothing saved: {doc}");
    // Remove takes a row out.
    let keep = [
        ("group_value", dn),
        ("group_name", "Engineering"),
        ("group_value", "Domain Users"),
        ("group_name", "Everyone"),
        ("group_remove", "1"),
        ("role_value", "CN=Admins, OU=Groups"),
        ("role_name", "Master Admin"),
    ];
    let (status, body) = post(&app, &root, &keep).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, doc) = app.get_json(&root, "/api/v1/settings/sso").await;
    assert_eq!(doc["mapping"]["groups"], json!({dn: "Engineering"}), "{doc}");
    assert_eq!(doc["mapping"]["builder_access"], json!({}), "rows not sent are gone: {doc}");
});
