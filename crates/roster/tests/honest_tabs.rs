//! The user tabs offer an action exactly when `authz` allows it on that user (issues 9 and
//! 13): a permission alone is not enough when the target's authority is above the admin's,
//! and an invited user, who never signed in, has no sessions to kill.

use crate::on_both_backends;
use crate::support::app::PASSWORD;
use crate::support::roles::CustomAdmin;
use domain::permission::Permission;

on_both_backends!(tabs_offer_kill_and_assign_only_on_users_within_the_admins_authority, |app| async move {
    let org = app.seed_org().await;
    let boss = app.add_master_admin(org.account, "boss@example.com", ("Bo", "Boss"), vec![org.alpha]).await;
    let support = CustomAdmin {
        email: "support@example.com",
        role_name: "Support",
        permissions: &[
            Permission::UsersView,
            Permission::SessionsView,
            Permission::SessionsKill,
            Permission::BotsView,
            Permission::BotsAssign,
        ],
        scope: None,
        workspaces: vec![org.alpha],
    };
    app.add_custom_admin(org.account, support).await;
    let c = app.login("support@example.com", PASSWORD).await;
    let html = |path: String| {
        let c = c.clone();
        let app = &app;
        async move { app.get(&c, &path).await.text().await.expect("html") }
    };

    // A member within authority: Kill and Assign are offered.
    let ann_sessions = html(format!("/admin/users/{}/sessions", org.ann)).await;
    assert!(ann_sessions.contains("id=\"kill-warning\""), "{ann_sessions}");
    let ann_bots = html(format!("/admin/users/{}/bots", org.ann)).await;
    assert!(ann_bots.contains("id=\"assign-form\""), "{ann_bots}");

    // A Master Admin is above this admin's authority: the tabs open, the actions are not offered
    // (they would be refused), and the refusal itself still holds.
    let boss_sessions = html(format!("/admin/users/{boss}/sessions")).await;
    assert!(
        boss_sessions.contains("id=\"live-sessions\"") && !boss_sessions.contains("id=\"kill-warning\""),
        "{boss_sessions}"
    );
    let boss_bots = html(format!("/admin/users/{boss}/bots")).await;
    assert!(!boss_bots.contains("id=\"assign-form\""), "{boss_bots}");

    // An invited user has never signed in: no Kill on the tab, none in the More menu.
    let root = app.login_admin().await;
    let eve_sessions = app.get(&root, &format!("/admin/users/{}/sessions", org.eve)).await.text().await.expect("html");
    assert!(!eve_sessions.contains("id=\"kill-warning\""), "{eve_sessions}");
    let eve = app.get(&root, &format!("/admin/users/{}", org.eve)).await.text().await.expect("html");
    assert!(!eve.contains("id=\"action-kill-all-sessions\""), "{eve}");
    let ann = app.get(&root, &format!("/admin/users/{}", org.ann)).await.text().await.expect("html");
    assert!(ann.contains("id=\"action-kill-all-sessions\""), "{ann}");
});
