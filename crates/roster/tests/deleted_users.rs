//! The list of deleted users (`/admin/users/deleted` and `GET /api/v1/users/deleted`): who
//! was deleted, by whom and until when they can be restored; Restore from the page; only
//! account-wide admins with `users.delete` see it; nothing crosses accounts.

use crate::on_both_backends;
use crate::support::app::{ADMIN_EMAIL, PASSWORD, TestApp};
use crate::support::org::Person;
use crate::support::roles::CustomAdmin;
use app::clock::rfc3339;
use domain::ids::{AccountId, UserId};
use domain::permission::Permission;
use domain::user::UserStatus;
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::Value;

const PAGE: &str = "/admin/users/deleted";

/// "2026-11-27 14:05 UTC", as the pages show times.
fn when(us: i64) -> String {
    let t = app::clock::from_micros(us);
    format!("{:04}-{:02}-{:02} {:02}:{:02} UTC", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
}

/// The CSRF token of the first form on `html`.
fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a CSRF field") + marker.len();
    html[start..].split('"').next().expect("a closing quote").to_owned()
}

async fn page(app: &TestApp, c: &reqwest::Client, path: &str) -> (StatusCode, String) {
    let res = app.get(c, path).await;
    (res.status(), res.text().await.expect("html"))
}

async fn restore(app: &TestApp, c: &reqwest::Client, user: UserId, csrf: &str) -> reqwest::Response {
    c.post(app.url(&format!("{PAGE}/{user}/restore"))).form(&[("csrf", csrf)]).send().await.expect("post")
}

async fn delete(app: &TestApp, c: &reqwest::Client, user: UserId) {
    let res = c.delete(app.url(&format!("/api/v1/users/{user}"))).send().await.expect("request");
    assert_eq!(res.status(), StatusCode::NO_CONTENT, "delete {user}");
}

/// The emails of `GET /api/v1/users/deleted`, after asserting a 200.
async fn api_emails(app: &TestApp, c: &reqwest::Client) -> (Vec<String>, Value) {
    let (status, body) = app.get_json(c, "/api/v1/users/deleted").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (crate::support::app::emails(body["items"].as_array().expect("items")), body)
}

on_both_backends!(the_page_lists_deleted_users_and_restores_them, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;

    let (status, html) = page(&app, &root, PAGE).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"no-deleted-users\""), "empty state: {html}");
    let (_, users) = page(&app, &root, "/admin/users").await;
    assert!(users.contains("href=\"/admin/users/deleted\" id=\"deleted-users-link\""), "the users list links here");

    delete(&app, &root, org.ann).await;
    delete(&app, &root, org.bob).await;
    let (status, html) = page(&app, &root, PAGE).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("id=\"no-deleted-users\""), "{html}");
    assert!(html.contains("Ann Archer") && html.contains("ann.archer@example.com"), "{html}");
    assert!(html.contains(&format!("by {ADMIN_EMAIL}")), "who deleted them: {html}");
    assert!(html.contains(&format!("action=\"{PAGE}/{}/restore\"", org.ann)), "a Restore button: {html}");
    assert!(
        html.find("bob.baker@example.com").unwrap() < html.find("ann.archer@example.com").unwrap(),
        "newest deletion first"
    );

    let (listed, body) = api_emails(&app, &root).await;
    assert_eq!(listed, ["bob.baker@example.com", "ann.archer@example.com"]);
    let ann = &body["items"][1];
    assert_eq!(ann["id"], org.ann.to_string());
    assert_eq!((ann["first_name"].as_str(), ann["last_name"].as_str()), (Some("Ann"), Some("Archer")));
    assert_eq!(ann["deleted_by_email"], ADMIN_EMAIL);
    let deleted_at = store::deletion::find_deleted(&app.db, org.account, org.ann).await.unwrap().unwrap().deleted_at;
    assert_eq!(ann["deleted_at"], rfc3339(deleted_at));
    assert_eq!(ann["restorable_until"], rfc3339(deleted_at + 30 * app::clock::DAY), "30 days by default");
    assert!(html.contains(&when(deleted_at + 30 * app::clock::DAY)), "restorable until, on the page: {html}");

    let res = restore(&app, &root, org.ann, &csrf_of(&html)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[LOCATION], format!("{PAGE}?notice=restored").as_str());
    assert_eq!(app.get_json(&root, &format!("/api/v1/users/{}", org.ann)).await.0, StatusCode::OK);
    let (status, html) = page(&app, &root, &format!("{PAGE}?notice=restored")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Restored. The user can sign in again."), "{html}");
    assert!(!html.contains("ann.archer@example.com") && html.contains("bob.baker@example.com"), "{html}");
    assert_eq!(api_emails(&app, &root).await.0, ["bob.baker@example.com"]);
    app.login("ann.archer@example.com", PASSWORD).await;

    // Restoring again finds nothing to restore; a forged token changes nothing.
    let res = restore(&app, &root, org.ann, &csrf_of(&html)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = restore(&app, &root, org.bob, "forged").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(api_emails(&app, &root).await.0, ["bob.baker@example.com"], "bob is still deleted");
    let (_, audit) = app.get_json(&root, &format!("/api/v1/audit?target={}", org.ann)).await;
    assert!(audit.to_string().contains("user.restored"), "{audit}");
});

on_both_backends!(only_account_wide_admins_with_users_delete_see_deleted_users, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    delete(&app, &root, org.ann).await;
    let perms = [Permission::UsersView, Permission::UsersDelete];
    let scoped = CustomAdmin {
        email: "alpha.deleter@example.com",
        role_name: "Alpha Deleter",
        permissions: &perms,
        scope: Some(vec![org.alpha]),
        workspaces: vec![org.alpha],
    };
    app.add_custom_admin(org.account, scoped).await;
    let scoped = app.login("alpha.deleter@example.com", PASSWORD).await;
    let (_, users) = page(&app, &scoped, "/admin/users").await;
    assert!(!users.contains("deleted-users-link"), "no link for a workspace-scoped admin");
    let member = app.login("member@example.com", PASSWORD).await;
    let auditor = app.login("auditor@example.com", PASSWORD).await;
    for (who, c) in [("scoped admin", &scoped), ("member", &member), ("auditor", &auditor)] {
        let (status, html) = page(&app, c, PAGE).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {html}");
        assert!(!html.contains("ann.archer@example.com"), "{who}: {html}");
        let (status, body) = app.get_json(c, "/api/v1/users/deleted").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {body}");
        let res = restore(&app, c, org.ann, &csrf_of(&html)).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{who} cannot restore");
    }
    assert_eq!(api_emails(&app, &root).await.0, ["ann.archer@example.com"], "ann is still deleted");
    let res = app.get(&crate::support::app::client(), PAGE).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "signed out: to the sign-in page");
});

on_both_backends!(another_accounts_deleted_users_never_appear, |app| async move {
    let org = app.seed_org().await;
    let other = AccountId(
        store::users::find_for_login(&app.db, "outsider@other.example", Some("other")).await.unwrap()[0].account_id,
    );
    let person = Person {
        email: "olga@other.example",
        first: "Olga",
        last: "Other",
        status: UserStatus::Active,
        workspaces: Vec::new(),
        role: None,
    };
    let olga = app.add_user(other, person).await;
    let outsider = app.login("outsider@other.example", PASSWORD).await;
    delete(&app, &outsider, olga).await;
    let root = app.login_admin().await;
    delete(&app, &root, org.bob).await;

    assert_eq!(api_emails(&app, &root).await.0, ["bob.baker@example.com"]);
    assert_eq!(api_emails(&app, &outsider).await.0, ["olga@other.example"]);
    let (_, html) = page(&app, &root, PAGE).await;
    assert!(!html.contains("olga@other.example") && html.contains("bob.baker@example.com"), "{html}");
    let (_, html) = page(&app, &outsider, PAGE).await;
    assert!(html.contains("olga@other.example") && !html.contains("bob.baker@example.com"), "{html}");
    let res = restore(&app, &outsider, org.bob, &csrf_of(&html)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "another account's user is not there");
    assert_eq!(api_emails(&app, &root).await.0, ["bob.baker@example.com"], "bob is still deleted");
});

/// With no retention at all, every deleted user is past the window: Restore shows why (409).
async fn past_the_window_restore_is_refused_with_the_reason(backend: store::Backend) {
    let Some(app) = crate::support::app::spawn_app_with(backend, |c| c.deletion_retention_days = 0).await else {
        return;
    };
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    delete(&app, &root, org.ann).await;
    let (status, html) = page(&app, &root, PAGE).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("ann.archer@example.com"), "listed until the purge: {html}");
    let res = restore(&app, &root, org.ann, &csrf_of(&html)).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let html = res.text().await.unwrap();
    assert!(html.contains("retention window") && html.contains("id=\"error\""), "{html}");
    assert!(html.contains("ann.archer@example.com"), "the list stays: {html}");
    assert_eq!(app.get_json(&root, &format!("/api/v1/users/{}", org.ann)).await.0, StatusCode::NOT_FOUND);
}

mod past_the_window_restore_is_refused {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::past_the_window_restore_is_refused_with_the_reason(store::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::past_the_window_restore_is_refused_with_the_reason(store::Backend::Postgres).await;
    }
}
