//! The README's pictures of the demo, taken by this browser test. Issue 13.
//!
//! The app starts as `roster serve --demo` starts it (`spawn_demo_app`: the same
//! `Application::build(config, demo = true)` that `serve --demo` calls, which seeds the sample
//! organization with `app::demo::seed_sample`), on SQLite; the browser signs in with the
//! Primary Master Admin's credentials the demo produced. At desktop (1280×800) and phone
//! (390×844) width it photographs the users list, one user's profile and the audit log, and on
//! the phone the opened menu too, each page checked first (rows, the signed-in admin's name,
//! no sideways scrolling). The PNGs are written straight into `docs/screenshots/demo-*.png` of
//! this checkout, so running the tests refreshes the README's pictures (their times and
//! "last seen" columns move with the clock, so `git status` shows them changed after a run).

use crate::console_layout::{WIDTHS, sideways_overflow};
use crate::support::app::spawn_demo_app;
use crate::support::browser::Browser;
use fantoccini::Locator;
use std::path::{Path, PathBuf};
use store::{Backend, Db};

/// `docs/screenshots/` of this checkout, where the README's pictures live.
fn readme_screenshots() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/roster is two levels down")
        .join("docs/screenshots")
}

/// The demo user whose profile is photographed: a bot owner, preferably one with sessions
/// (so the page's tabs have something behind them); by email, for a stable choice.
async fn a_demo_bot_owner(db: &Db) -> String {
    let Db::Sqlite(pool) = db else { unreachable!("the screenshots are taken on SQLite") };
    sqlx::query_scalar(
        "SELECT u.email FROM users u JOIN bot_members m ON m.user_id = u.id AND m.role = 'owner' \
         ORDER BY EXISTS (SELECT 1 FROM sessions s WHERE s.user_id = u.id) DESC, u.email LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .expect("the demo has bot owners")
}

async fn user_count(db: &Db) -> i64 {
    let Db::Sqlite(pool) = db else { unreachable!("the screenshots are taken on SQLite") };
    sqlx::query_scalar("SELECT count(*) FROM users WHERE deleted_at IS NULL").fetch_one(pool).await.expect("count")
}

/// Text of the first element matching `css`.
async fn text(b: &Browser, css: &str) -> String {
    b.wait_for(css).await.text().await.unwrap_or_else(|e| panic!("text of {css}: {e}"))
}

/// Asserts the page does not scroll sideways at `width`, then saves it as `demo-<name>-<width>.png`
/// in the README's screenshots and checks the picture is `width` × `height`.
async fn shoot(b: &Browser, name: &str, (width, height): (u32, u32)) {
    let (overflow, culprits) = sideways_overflow(b).await;
    assert!(overflow <= 0, "{name} at {width}px scrolls {overflow}px sideways ({culprits})");
    let scroll_width = b.client.execute("return document.documentElement.scrollWidth", vec![]).await.expect("js");
    assert!(scroll_width.as_u64().is_some_and(|w| w <= u64::from(width)), "{name}: {scroll_width} > {width}px");
    let path = b.screenshot_into(&readme_screenshots(), &format!("demo-{name}-{width}")).await;
    let png = std::fs::read(&path).expect("read the screenshot back");
    let size = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().expect("4 bytes"));
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 24, "{} is a PNG", path.display());
    assert_eq!((size(16), size(20)), (width, height), "{} shows the whole {width}×{height} viewport", path.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_signed_in_as_its_primary_admin_is_photographed_for_the_readme_at_both_widths() {
    let app = spawn_demo_app(Backend::Sqlite).await.expect("SQLite is always available");
    let demo = app.demo.clone().expect("`--demo` on an empty database seeds it and prints the sign-in");
    let owner = a_demo_bot_owner(&app.db).await;
    let users = user_count(&app.db).await;
    let Some(b) = Browser::start(&app.base).await else { return };

    b.set_viewport(1280, 800).await;
    b.goto("/login").await;
    b.fill("#email", &demo.admin_email).await;
    b.fill("#password", &demo.password).await;
    b.click("button.primary").await;
    b.wait_for("#user-menu").await;
    assert_eq!(text(&b, "#user-menu .who-name").await, "Alex Morgan", "the demo's Primary Master Admin is signed in");
    assert_eq!(text(&b, "#user-menu .role").await, "Primary Master Admin");

    for (width, height) in WIDTHS {
        b.set_viewport(width, height).await;

        b.goto("/admin/users").await;
        let rows = b.client.find_all(Locator::Css("#users-table tbody tr[data-href]")).await.expect("rows");
        assert!(rows.len() >= 20, "a full first page of demo users, got {}", rows.len());
        let count = text(&b, "#user-count").await;
        assert!(count.ends_with(&format!(" of {users} users")), "{count:?} counts all {users} demo users");
        shoot(&b, "users", (width, height)).await;

        b.goto(&format!("/admin/users?q={owner}")).await;
        b.wait_for_text("#user-count", "1 of 1 user").await;
        b.click("#users-table td.name a").await;
        b.wait_for("#user-email").await;
        assert!(text(&b, "#user-email").await.starts_with(&owner), "the profile of {owner}");
        assert!(!text(&b, "#user-name").await.is_empty(), "{owner}'s name heads the page");
        for tab in ["#tab-profile", "#tab-sessions", "#tab-bots"] {
            b.wait_for(tab).await;
        }
        shoot(&b, "profile", (width, height)).await;

        b.goto("/admin/audit").await;
        b.wait_for("#audit-table td.summary").await;
        assert!(
            text(&b, "#audit-table tbody").await.contains("Alex Morgan"),
            "the audit log shows the demo admin's own sign-in"
        );
        shoot(&b, "audit", (width, height)).await;

        if width < 600 {
            b.goto("/admin/users").await;
            assert!(!b.wait_for("#sidebar").await.is_displayed().await.expect("visible?"), "folded on a phone");
            b.click("#menu-button").await;
            assert!(b.wait_for("#nav-audit").await.is_displayed().await.expect("visible?"), "the menu opens");
            shoot(&b, "menu", (width, height)).await;
        }
    }
    b.finish().await;
}
