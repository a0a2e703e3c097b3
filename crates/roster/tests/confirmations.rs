//! Confirm steps (issue 13): Suspend, Reset password, Transfer ownership, Remove a bot role
//! and Report a session ask before they act — in a `<dialog>` with JavaScript, on a confirm
//! page without — and Kill Session stays one click. The HTTP side of each is in
//! `user_actions_pages.rs` and `bot_pages.rs`; this file has the browser's and the report's.

use crate::support::app::{ADMIN_EMAIL, PASSWORD, TestApp, csrf_of};
use crate::support::browser::Browser;
use crate::support::{Backend, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn status_of(app: &TestApp, c: &reqwest::Client, user: domain::ids::UserId) -> String {
    let (status, body) = app.get_json(c, &format!("/api/v1/users/{user}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["status"].as_str().expect("a status").to_owned()
}

async fn dialog_open(b: &Browser) -> bool {
    let open: Value = b
        .client
        .execute("const d = document.getElementById('confirm-dialog'); return !!(d && d.open);", vec![])
        .await
        .expect("js");
    open == json!(true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suspend_asks_in_a_dialog_and_cancel_changes_nothing() {
    let app = spawn_app(Backend::Sqlite).await.expect("SQLite is always available");
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let Some(b) = Browser::start(&app.base).await else { return };
    b.goto("/login").await;
    b.fill("#email", ADMIN_EMAIL).await;
    b.fill("#password", PASSWORD).await;
    b.click("button.primary").await;
    b.wait_for("#user-menu").await;
    b.goto(&format!("/admin/users/{}", org.ann)).await;

    b.click("#more-menu summary").await;
    b.click("#action-suspend").await;
    b.wait_for_text("#confirm-dialog-text", "Suspend Ann Archer?").await;
    assert!(dialog_open(&b).await);
    b.screenshot("confirm-suspend").await;
    b.click("#confirm-dialog-no").await;
    assert!(!dialog_open(&b).await, "Cancel closes the dialog");
    assert_eq!(status_of(&app, &root, org.ann).await, "active", "Cancel sends nothing");

    b.click("#action-suspend").await;
    b.wait_for_text("#confirm-dialog-yes", "Suspend").await;
    b.click("#confirm-dialog-yes").await;
    b.wait_for_text("#notice", "User suspended.").await;
    assert_eq!(status_of(&app, &root, org.ann).await, "suspended");
    b.finish().await;
}

crate::on_both_backends!(reporting_a_session_asks_first_and_kill_session_does_not, |app| async move {
    let org = app.seed_org().await;
    let ann = app.login("ann.archer@example.com", PASSWORD).await;
    let other = app.login("ann.archer@example.com", PASSWORD).await;
    let (_, mine) = app.get_json(&other, "/api/v1/me/sessions").await;
    let items = mine["items"].as_array().expect("items");
    let session = items.iter().find(|s| s["current"] == true).expect("the other device")["id"].as_str().expect("id");
    let html = app.get(&ann, "/me/sessions").await.text().await.expect("html");
    assert!(html.contains("data-confirm=\"Report this session as not yours?"), "{html}");
    let csrf = csrf_of(&html);

    let path = format!("/me/sessions/{session}/report");
    let res = ann.post(app.url(&path)).form(&[("csrf", csrf.as_str())]).send().await.expect("post");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.expect("html").contains("Report this session as not yours?"));
    assert_eq!(app.get_json(&other, "/api/v1/me").await.0, StatusCode::OK, "asking ends nothing");
    let res =
        ann.post(app.url(&path)).form(&[("csrf", csrf.as_str()), ("confirmed", "yes")]).send().await.expect("post");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get_json(&other, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED, "reported means ended");

    // Kill Session keeps its one click (the seed's rule): its form has no confirm step.
    let root = app.login_admin().await;
    let tab = app.get(&root, &format!("/admin/users/{}/sessions", org.ann)).await.text().await.expect("html");
    assert!(tab.contains("No confirmation step") && !tab.contains("data-confirm"), "{tab}");
});
