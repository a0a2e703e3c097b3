//! User Settings in a real browser (PRODUCT.md §4, §7): the admin enables "Company" with
//! Allow Edits, previews and saves; a session the user opened before keeps the old fields
//! (settings take effect at the next login), while a new login shows the Company input,
//! which the user fills and saves. Screenshots `user-settings.png` and `my-profile.png`
//! land in `target/screenshots/`. SQLite only: the pages are the same on both backends.

use crate::support::app::{ADMIN_EMAIL, PASSWORD, spawn_app};
use crate::support::browser::Browser;
use reqwest::StatusCode;
use serde_json::Value;
use std::time::{Duration, Instant};
use store::Backend;

const MEMBER: &str = "member@example.com";

/// Fills the login form (the browser is on it) and submits it.
async fn sign_in(b: &Browser, email: &str) {
    b.wait_for("#email").await;
    b.fill("#email", email).await;
    b.fill("#password", PASSWORD).await;
    b.click("button.primary").await;
}

/// Polls until the address starts with `prefix` (at most 10 s).
async fn wait_for_path(b: &Browser, prefix: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let path = b.current_path().await;
        if path.starts_with(prefix) {
            return;
        }
        assert!(Instant::now() < deadline, "waited for a page at {prefix}*; still at {path}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The keys of the fields `/api/v1/me/profile` shows to the client `c`.
async fn my_field_keys(app: &crate::support::app::TestApp, c: &reqwest::Client) -> Vec<String> {
    let (status, body) = app.get_json(c, "/api/v1/me/profile").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["field"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enabling_company_reaches_the_user_at_their_next_login_not_in_their_open_session() {
    let app = spawn_app(Backend::Sqlite).await.expect("SQLite is always available");
    app.seed_org().await;
    // Session A: the user is signed in before the admin changes anything.
    let old_session = app.login(MEMBER, PASSWORD).await;
    let Some(b) = Browser::start(&app.base).await else { return };

    // The admin enables Company with Allow Edits, previews, then saves.
    b.goto("/admin/settings/user-profile").await;
    sign_in(&b, ADMIN_EMAIL).await;
    b.wait_for("#fields-table").await;
    b.wait_for_text("#effective-note", "next login").await;
    b.click("#enabled_company").await;
    b.click("#allow_company").await;
    b.click("#preview-settings").await;
    b.wait_for_text("#preview", "Will appear: Company").await;
    b.wait_for_text("#preview", "Users may now edit: Company").await;
    b.wait_for_text("#preview-users", "will see this at their next login").await;
    assert!(b.wait_for("#enabled_company").await.is_selected().await.expect("checked"), "the preview keeps the form");
    b.screenshot("user-settings").await;
    b.click("#save-settings").await;
    b.wait_for_text("#notice", "Saved. Changes take effect at each user").await;
    assert!(b.wait_for("#allow_company").await.is_selected().await.expect("checked"));

    // Session A still has the settings of its login: no Company, on the page or the API.
    let html = app.get(&old_session, "/me/profile").await.text().await.expect("html");
    assert!(html.contains("id=\"field-first_name\"") && !html.contains("field-company"), "{html}");
    assert!(!my_field_keys(&app, &old_session).await.contains(&"company".to_owned()));

    // A new login of the user sees the Company input, fills it and saves.
    // Sign out sits in the user menu at the top right.
    b.click("#user-menu summary").await;
    b.click("#sign-out").await;
    wait_for_path(&b, "/login").await;
    b.goto("/me/profile").await;
    sign_in(&b, MEMBER).await;
    wait_for_path(&b, "/me/profile").await;
    b.fill("#field-company", "Acme Robotics").await;
    b.click("#save-profile").await;
    b.wait_for_text("#notice", "Profile saved.").await;
    let value: Value = b
        .client
        .execute("return document.getElementById('field-company').value;", vec![])
        .await
        .expect("read the input");
    assert_eq!(value, "Acme Robotics");
    // Show the saved field, not only the picture card above it.
    let scroll = "document.getElementById('field-company').scrollIntoView({block: 'center'});";
    b.client.execute(scroll, vec![]).await.expect("scroll");
    b.screenshot("my-profile").await;

    // Stored: a fresh session reads it back; session A still does not show the field.
    let fresh = app.login(MEMBER, PASSWORD).await;
    let (_, body) = app.get_json(&fresh, "/api/v1/me/profile").await;
    let company = body["fields"].as_array().expect("fields").iter().find(|f| f["field"] == "company").cloned();
    assert_eq!(company.expect("company")["value"], "Acme Robotics", "{body}");
    assert!(!my_field_keys(&app, &old_session).await.contains(&"company".to_owned()));
    b.finish().await;
}
