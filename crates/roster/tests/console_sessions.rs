//! Sessions and security settings in the admin console: an admin kills a signed-in user's
//! session from the user's Sessions tab (two real browsers), and the security settings
//! form refuses an out-of-range value beside its field, then saves a valid change; the
//! audit log page filters and links its CSV export; the workspace switcher returns only to
//! local pages. The screenshot `user-sessions.png` lands in `target/screenshots/` and is
//! copied to `docs/screenshots/` by hand.
//! SQLite only: the pages are the same on both backends. Every wait is bounded and polls.

use crate::support::app::{ADMIN_EMAIL, PASSWORD, TestApp, client, spawn_app};
use crate::support::browser::Browser;
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::Value;
use std::time::{Duration, Instant};
use store::Backend;

const ANN: &str = "ann.archer@example.com";

async fn sqlite_app() -> TestApp {
    spawn_app(Backend::Sqlite).await.expect("SQLite is always available")
}

/// Fills the login form (the browser is on it) and submits it.
async fn sign_in(b: &Browser, email: &str) {
    b.fill("#email", email).await;
    b.fill("#password", PASSWORD).await;
    b.click("button.primary").await;
}

/// Polls until the address starts with `prefix` (at most 10 s).
async fn wait_for_path(b: &Browser, prefix: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let path = b.current_path().await;
        if path.starts_with(prefix) {
            return path;
        }
        assert!(Instant::now() < deadline, "waited for a page at {prefix}*; still at {path}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// How many live sessions the table matched by `table_css` lists.
async fn live_rows(b: &Browser, table_css: &str) -> usize {
    let script = format!("return document.querySelectorAll('{table_css} tbody tr[data-session]').length;");
    let n: Value = b.client.execute(&script, vec![]).await.expect("count rows");
    usize::try_from(n.as_u64().expect("a number")).expect("fits")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_kills_a_session_and_the_victims_next_page_load_lands_on_login() {
    let app = sqlite_app().await;
    let org = app.seed_org().await;
    let Some(victim) = Browser::start(&app.base).await else { return };
    let Some(admin) = Browser::start(&app.base).await else { return };

    // Ann signs in and sees her one session, marked as this device.
    victim.goto("/me/sessions").await;
    victim.wait_for("#email").await;
    sign_in(&victim, ANN).await;
    victim.wait_for_text("#my-sessions", "This device").await;
    assert_eq!(victim.current_path().await, "/me/sessions");
    victim.wait_for_text("#shared-note", "shared across all your workspaces").await;

    // The admin opens Ann's Sessions tab: one live session, the warning, the shared note.
    let tab = format!("/admin/users/{}/sessions", org.ann);
    admin.goto(&tab).await;
    admin.wait_for("#email").await;
    sign_in(&admin, ADMIN_EMAIL).await;
    admin.wait_for_text("#user-name", "Ann Archer").await;
    assert_eq!(admin.current_path().await, tab);
    assert_eq!(live_rows(&admin, "#live-sessions").await, 1, "Ann has one live session");
    admin.wait_for_text("#kill-warning", "No confirmation step").await;
    admin.wait_for_text("#shared-note", "Alpha").await;
    admin.wait_for_text("#tab-sessions", "Sessions / Devices").await;
    admin.wait_for_text("#ended-sessions", "No ended sessions yet.").await;
    admin.screenshot("user-sessions").await;

    // Kill it, with a reason: no confirmation, back to the tab with a notice and history.
    admin.fill("#live-sessions input[name=reason]", "Lost laptop").await;
    admin.click(".kill-session").await;
    admin.wait_for_text("#notice", "Session ended.").await;
    assert_eq!(admin.current_path().await, format!("{tab}?notice=ended&n=1"));
    assert_eq!(live_rows(&admin, "#live-sessions").await, 0);
    admin.wait_for_text("#ended-sessions", "Killed by root@example.com").await;
    admin.wait_for_text("#ended-sessions", "Lost laptop").await;

    // Ann's next page load lands on the login page.
    victim.goto("/me/sessions").await;
    victim.wait_for("#email").await;
    let path = wait_for_path(&victim, "/login").await;
    assert_eq!(path, "/login?next=%2Fme%2Fsessions");

    victim.finish().await;
    admin.finish().await;
}

/// The CSRF token of the form on `html`.
fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a CSRF field") + marker.len();
    html[start..].split('"').next().expect("a closing quote").to_owned()
}

fn settings_form(csrf: &str, max_login_attempts: &str, lockout_minutes: &str) -> Vec<(&'static str, String)> {
    vec![
        ("csrf", csrf.to_owned()),
        ("max_login_attempts", max_login_attempts.to_owned()),
        ("lockout_minutes", lockout_minutes.to_owned()),
        ("idle_timeout_minutes", "60".to_owned()),
        ("absolute_lifetime_hours", "12".to_owned()),
        ("password_min_length", "10".to_owned()),
        ("password_min_classes", "3".to_owned()),
        ("password_history", "5".to_owned()),
        ("password_reject_common", "on".to_owned()),
    ]
}

#[tokio::test]
async fn the_security_settings_page_refuses_zero_login_attempts_beside_the_field_and_saves_a_valid_change() {
    let app = sqlite_app().await;
    let org = app.seed_org().await;
    let c = form_login(&app, ADMIN_EMAIL).await;
    let page = c.get(app.url("/admin/settings/security")).send().await.expect("settings page");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(html.contains("id=\"max_login_attempts\" name=\"max_login_attempts\" value=\"5\""), "{html}");
    let csrf = csrf_of(&html);

    let refused =
        c.post(app.url("/admin/settings/security")).form(&settings_form(&csrf, "0", "15")).send().await.expect("save");
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let html = refused.text().await.expect("html");
    let error = "<p class=\"field-error\" id=\"max_login_attempts-error\">Maximum login attempts must be between 1 and 100.</p>";
    assert!(html.contains(error), "the message sits beside the field: {html}");
    assert!(html.contains("value=\"0\""), "the form keeps what was typed");
    let unchanged = app::settings::security(&app.ctx, org.account).await.expect("settings");
    assert_eq!(unchanged.max_login_attempts, 5);

    let saved =
        c.post(app.url("/admin/settings/security")).form(&settings_form(&csrf, "7", "0")).send().await.expect("save");
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(saved.headers()[LOCATION], "/admin/settings/security?notice=saved");
    let html =
        c.get(app.url("/admin/settings/security?notice=saved")).send().await.expect("page").text().await.expect("html");
    assert!(html.contains("Security settings saved."), "{html}");
    let now = app::settings::security(&app.ctx, org.account).await.expect("settings");
    assert_eq!((now.max_login_attempts, now.lockout_minutes, now.password.min_length), (7, 0, 10));
}

/// Signs in through the login form and returns the client with its session cookie.
async fn form_login(app: &TestApp, email: &str) -> reqwest::Client {
    let c = client();
    let login = c
        .post(app.url("/login"))
        .form(&[("email", email), ("password", PASSWORD), ("next", "/")])
        .send()
        .await
        .expect("sign in");
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    c
}

#[tokio::test]
async fn the_audit_log_page_filters_by_action_and_the_switcher_goes_back_only_to_local_pages() {
    let app = sqlite_app().await;
    let org = app.seed_org().await;
    let c = form_login(&app, ADMIN_EMAIL).await;
    let html =
        c.get(app.url("/admin/audit?action=login.succeeded")).send().await.expect("audit").text().await.expect("html");
    assert!(html.contains("<td class=\"summary\">Root Admin signed in</td>"), "one readable line: {html}");
    assert!(html.contains("<dd>login.succeeded</dd>") && html.contains("<dd>root@example.com</dd>"), "{html}");
    assert!(html.contains("href=\"/api/v1/audit/export?action=login.succeeded\""), "{html}");
    let csv = c.get(app.url("/api/v1/audit/export?action=login.succeeded")).send().await.expect("export");
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.text().await.expect("csv").starts_with(app::audit::CSV_HEADER));
    let bad = c.get(app.url("/admin/audit?from=yesterday")).send().await.expect("audit");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.expect("html").contains("From must be a date"));

    // A member has no audit log, but has /me and the switcher.
    let member = form_login(&app, "member@example.com").await;
    let refused = member.get(app.url("/admin/audit")).send().await.expect("audit");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let me = member.get(app.url("/me")).send().await.expect("me").text().await.expect("html");
    assert!(me.contains("href=\"/me/sessions\""), "{me}");
    let csrf = csrf_of(&me);
    let ws = org.default_ws.to_string();
    for (back, lands) in [("/me/sessions", "/me/sessions"), ("https://evil.example/", "/"), ("//evil.example", "/")] {
        let res = member
            .post(app.url("/me/workspace"))
            .form(&[("csrf", csrf.as_str()), ("workspace", ws.as_str()), ("back", back)])
            .send()
            .await
            .expect("switch");
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "back={back}");
        assert_eq!(res.headers()[LOCATION], lands, "back={back}");
    }
    let foreign = org.beta.to_string();
    let res = member
        .post(app.url("/me/workspace"))
        .form(&[("csrf", csrf.as_str()), ("workspace", foreign.as_str()), ("back", "/me")])
        .send()
        .await
        .expect("switch");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_locked_users_profile_says_why_and_an_admin_unlocks_them_there() {
    let app = sqlite_app().await;
    let org = app.seed_org().await;
    for _ in 0..5 {
        let res = client()
            .post(app.url("/login"))
            .form(&[("email", ANN), ("password", "wrong-password-1"), ("next", "/")])
            .send()
            .await
            .expect("sign in");
        assert!(res.status().is_client_error(), "{}", res.status());
    }
    let c = form_login(&app, ADMIN_EMAIL).await;
    let profile = format!("/admin/users/{}", org.ann);
    let html = c.get(app.url(&profile)).send().await.expect("profile").text().await.expect("html");
    assert!(html.contains("Why locked"), "{html}");
    assert!(html.contains("<strong id=\"failed-logins\">5</strong>"), "{html}");
    assert!(html.contains("Unlocks by itself at"), "{html}");
    assert!(html.contains("id=\"recent-failures\""), "{html}");
    let csrf = csrf_of(&html);
    let res =
        c.post(app.url(&format!("{profile}/unlock"))).form(&[("csrf", csrf.as_str())]).send().await.expect("unlock");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[LOCATION], format!("{profile}?notice=unlocked").as_str());
    let html = c
        .get(app.url(&format!("{profile}?notice=unlocked")))
        .send()
        .await
        .expect("profile")
        .text()
        .await
        .expect("html");
    assert!(html.contains("User unlocked.") && !html.contains("id=\"unlock\""), "{html}");
}
