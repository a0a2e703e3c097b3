//! Invitations in the console: an admin invites an email on the invite page, the invitee
//! opens the link from the outbox in another browser, sets a password and lands signed in,
//! and the admin sees the user turn Active in the list. SQLite only: the pages are the same
//! on both backends. Every wait is bounded and polls.

use crate::invitations::invitation_token;
use crate::support::app::{ADMIN_EMAIL, PASSWORD, spawn_app};
use crate::support::browser::Browser;
use store::Backend;

const NEW: &str = "nina.novak@example.com";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_invites_a_user_who_accepts_and_turns_active_in_the_list() {
    let app = spawn_app(Backend::Sqlite).await.expect("SQLite is always available");
    app.seed_org().await;
    let Some(admin) = Browser::start(&app.base).await else { return };
    let Some(invitee) = Browser::start(&app.base).await else { return };

    admin.goto("/admin/users").await;
    admin.fill("#email", ADMIN_EMAIL).await;
    admin.fill("#password", PASSWORD).await;
    admin.click("button.primary").await;
    admin.click("#invite-users").await;
    admin.fill("#emails", NEW).await;
    admin.click("#send-invitations").await;
    admin.wait_for_text("#invite-results", "invited").await;

    let token = invitation_token(&app, NEW).await;
    invitee.goto(&format!("/invitations/accept?token={token}")).await;
    invitee.wait_for_text("h1", "Welcome").await;
    invitee.fill("#password", "weak").await;
    invitee.fill("#confirm", "weak").await;
    invitee.click("button.primary").await;
    invitee.wait_for_text("#password-error", "Password must be at least").await;
    invitee.fill("#password", PASSWORD).await;
    invitee.fill("#confirm", PASSWORD).await;
    invitee.click("button.primary").await;
    invitee.wait_for_text("body", "nina.novak@example.com").await;
    assert!(!invitee.current_path().await.starts_with("/invitations"), "signed in and sent on");

    admin.goto(&format!("/admin/users?q={NEW}")).await;
    admin.wait_for_text("table tbody", "Active").await;
    admin.finish().await;
    invitee.finish().await;
}
