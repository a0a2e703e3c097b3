//! Security → SCIM provisioning (issue 16): the page shows the base URL SCIM answers at, the
//! provisioning mode and the groups workspace, and links to a token form with `scim`
//! ticked; saving is the API's `PUT /settings/scim` (audited the same way), every bad field
//! is named beside it, and the page is refused exactly when the API is. On both backends.

use crate::on_both_backends;
use crate::scim::{PROVISIONING, scim, token};
use crate::support::app::{PASSWORD, TestApp, csrf_of};
use reqwest::header::LOCATION;
use reqwest::{Client, Method, StatusCode};
use serde_json::json;

const PAGE: &str = "/admin/settings/scim";

async fn html(app: &TestApp, c: &Client, path: &str) -> String {
    let res = app.get(c, path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.expect("html")
}

async fn post(app: &TestApp, c: &Client, form: &[(&str, &str)]) -> (StatusCode, String, String) {
    let res = c.post(app.url(PAGE)).form(form).send().await.expect("post");
    let location = res.headers().get(LOCATION).map(|l| l.to_str().expect("ascii").to_owned()).unwrap_or_default();
    (res.status(), location, res.text().await.expect("body"))
}

/// The text of the element with `id` (its first text run).
fn text_of(html: &str, id: &str) -> String {
    let at = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("#{id} on the page"));
    let start = at + html[at..].find('>').expect("tag end") + 1;
    html[start..].split('<').next().unwrap_or_default().to_owned()
}

on_both_backends!(the_scim_page_shows_how_to_connect_and_saves_the_settings_as_the_api_does, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let security = html(&app, &root, "/admin/settings/security").await;
    assert!(security.contains("href=\"/admin/settings/scim\""), "linked from Security");

    let page = html(&app, &root, PAGE).await;
    // The base URL is where SCIM answers: its own ServiceProviderConfig says so.
    let secret = token(&app, &root, PROVISIONING).await;
    let spc = scim(&app, &secret, Method::GET, "/ServiceProviderConfig", None).await;
    let location = spc.body["meta"]["location"].as_str().expect("location").to_owned();
    assert_eq!(format!("{}/ServiceProviderConfig", text_of(&page, "scim-base-url")), location);
    assert!(page.contains("<option value=\"auto\" selected>"), "the default mode is shown");
    assert!(page.contains("<option value=\"\" selected>"), "the default workspace is shown");
    // The token link opens the API access form with `scim` ticked.
    let link_at = page.find("id=\"create-scim-token\"").expect("token link");
    let href_at = page[..link_at].rfind("href=\"").expect("href") + "href=\"".len();
    let href = page[href_at..].split('"').next().expect("href end").replace("&#38;", "&").replace("&amp;", "&");
    assert!(href.starts_with("/admin/settings/api-access?"), "{href}");
    let form = html(&app, &root, &href).await;
    for p in PROVISIONING {
        assert!(form.contains(&format!("id=\"perm-{p}\" checked")), "{p} ticked: {href}");
    }
    assert!(!form.contains("id=\"perm-bots.assign\" checked"), "only what SCIM needs");

    // Saving: 303 with a notice, the API reads the same settings, audited as the API's.
    let beta = org.beta.to_string();
    let csrf = csrf_of(&page);
    let (status, location, _) =
        post(&app, &root, &[("csrf", &csrf), ("workspace", &beta), ("new_users", "invited")]).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/admin/settings/scim?notice=saved"));
    let (_, api) = app.get_json(&root, "/api/v1/settings/scim").await;
    assert_eq!(api, json!({"workspace": beta, "new_users": "invited"}));
    let saved = html(&app, &root, &location).await;
    assert!(saved.contains("SCIM settings saved."));
    assert!(saved.contains(&format!("<option value=\"{beta}\" selected>")), "the saved workspace is selected");
    assert!(saved.contains("<option value=\"invited\" selected>"));
    let (_, audit) = app.get_json(&root, "/api/v1/audit?limit=5").await;
    assert!(
        audit["items"].as_array().expect("items").iter().any(|e| e["action"] == "scim_settings.changed"),
        "{audit}"
    );

    // Every bad field is named beside it, and nothing is saved.
    let (status, _, body) =
        post(&app, &root, &[("csrf", &csrf), ("workspace", "not-a-workspace"), ("new_users", "sometimes")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("id=\"workspace-error\""), "{body}");
    assert!(body.contains("id=\"new_users-error\""), "{body}");
    let other_account = uuid::Uuid::now_v7().to_string();
    let (status, _, body) =
        post(&app, &root, &[("csrf", &csrf), ("workspace", &other_account), ("new_users", "active")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("id=\"workspace-error\"") && !body.contains("id=\"new_users-error\""), "{body}");
    assert_eq!(app.get_json(&root, "/api/v1/settings/scim").await.1, api, "nothing saved");
});

on_both_backends!(the_scim_page_is_refused_exactly_when_the_api_is, |app| async move {
    app.seed_org().await;
    let root = app.login_admin().await;
    for email in ["alpha.admin@example.com", "member@example.com"] {
        let c = app.login(email, PASSWORD).await;
        let api = app.get(&c, "/api/v1/settings/scim").await.status();
        let page = app.get(&c, PAGE).await.status();
        assert_eq!(page, api, "{email}: the page answers as the API");
        assert_eq!(page, StatusCode::FORBIDDEN, "{email} lacks settings.manage");
        let own = csrf_of(&html(&app, &c, "/me/profile").await);
        let (status, _, _) = post(&app, &c, &[("csrf", &own), ("workspace", ""), ("new_users", "active")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}");
    }
    let (_, api) = app.get_json(&root, "/api/v1/settings/scim").await;
    assert_eq!(api["new_users"], "auto", "nothing saved");
});
