//! The Manage Bots tab in a real browser: the admin signs in, opens a user's tab, assigns a
//! bot role with the two dropdowns and sees the new row; the transfer input then gets
//! owner suggestions from the script as the admin types. The Bots page and the guided
//! delete are opened too, for their screenshots (`bots`, `user-delete-guided`). The screenshot `user-bots.png`
//! lands in `target/screenshots/`. SQLite only: the page is the same on both backends.

use crate::support::app::{ADMIN_EMAIL, PASSWORD, spawn_app};
use crate::support::browser::Browser;
use domain::bot::BotRole;
use domain::ids::BotId;
use serde_json::Value;
use std::time::{Duration, Instant};
use store::Backend;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_assigns_a_bot_role_with_the_two_dropdowns() {
    let app = spawn_app(Backend::Sqlite).await.expect("SQLite is always available");
    let org = app.seed_org().await;
    let now = app::clock::now();
    let helpdesk = BotId::new();
    store::bots::create(&app.db, helpdesk, org.alpha, "Helpdesk Bot", &[(org.cat, BotRole::Owner)], now)
        .await
        .expect("bot");
    let sales = BotId::new();
    store::bots::create(&app.db, sales, org.alpha, "Sales Bot", &[(org.ann, BotRole::Owner)], now).await.expect("bot");
    let Some(b) = Browser::start(&app.base).await else { return };

    let tab = format!("/admin/users/{}/bots", org.ann);
    b.goto(&tab).await;
    b.wait_for("#email").await;
    b.fill("#email", ADMIN_EMAIL).await;
    b.fill("#password", PASSWORD).await;
    b.click("button.primary").await;
    b.wait_for_text("#user-name", "Ann Archer").await;
    b.wait_for_text("#user-bots", "Sales Bot").await;
    b.wait_for_text("#owner-note", "moves only by Transfer Ownership").await;

    b.wait_for("#assign-bot").await.select_by_value(&helpdesk.to_string()).await.expect("choose the bot");
    b.wait_for("#assign-role").await.select_by_value("tester").await.expect("choose the role");
    b.click("#assign-submit").await;
    b.wait_for_text("#notice", "Bot assigned.").await;
    assert_eq!(b.current_path().await, format!("{tab}?notice=assigned"));
    b.wait_for_text(&format!("#bot-row-{helpdesk}"), "Tester").await;
    b.screenshot("user-bots").await;

    // The transfer input's suggestions come from the owner-candidates API as one types.
    b.fill(&format!("#new-owner-{sales}"), "cat").await;
    let script = format!("return [...document.querySelectorAll('#candidates-{sales} option')].map(o => o.value);");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let found: Value = b.client.execute(&script, vec![]).await.expect("read the datalist");
        if found.as_array().is_some_and(|o| o.iter().any(|v| v == "cat.cooper@example.com")) {
            break;
        }
        assert!(Instant::now() < deadline, "no suggestion for Cat: {found}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The Bots page and the guided delete of Ann (who owns Sales Bot) render in the browser too.
    b.goto("/admin/bots").await;
    b.wait_for_text("#bots", "Helpdesk Bot").await;
    b.screenshot("bots").await;
    b.goto(&format!("/admin/users/{}/delete", org.ann)).await;
    b.wait_for_text("#owned-bots", "Sales Bot").await;
    b.wait_for("#transfer-and-delete").await;
    b.screenshot("user-delete-guided").await;
    b.finish().await;
}
