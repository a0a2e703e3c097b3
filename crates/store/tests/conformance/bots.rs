//! Bot roles and ownership: the Owner row is never changed by a role change or removal,
//! a transfer demotes the old Owner to Developer and only promotes an active member of the
//! bot's workspace, and a guided delete with transfers is all or nothing.

use crate::fixtures::{T0, account, insert, user};
use domain::bot::BotRole;
use domain::ids::{AccountId, BotId, UserId, WorkspaceId};
use domain::user::UserStatus;
use store::Db;
use store::audit::NewAuditEvent;
use store::bots::Transfer;
use store::deletion::Deleted;
use store::sessions::Ending;
use uuid::Uuid;

fn event(account: AccountId, action: &str) -> NewAuditEvent {
    NewAuditEvent {
        id: Uuid::now_v7(),
        account_id: account,
        at: T0,
        actor_user_id: None,
        action: action.parse().expect("a known action"),
        target_user_id: None,
        workspace_id: None,
        ip: None,
        details: "{}".to_owned(),
    }
}

async fn audit_count(db: &Db, account: AccountId, action: &str) -> usize {
    let filter =
        store::audit::AuditFilter { action: Some(action.parse().expect("a known action")), ..Default::default() };
    store::audit::list(db, account, &filter, 100).await.expect("audit").0.len()
}

/// An account with ann (the Owner), bob and cat (active members) and dan (suspended member)
/// of the account's workspace, and eve who is active but in no workspace; one bot.
struct Team {
    account: AccountId,
    bot: BotId,
    ann: UserId,
    bob: UserId,
    cat: UserId,
    dan: UserId,
    eve: UserId,
}

async fn team(db: &Db) -> Team {
    let a = account(db, "a").await;
    let member = |address: &str, status: UserStatus, ws: Vec<WorkspaceId>| {
        let mut u = user(a.id, address, "Some", "One");
        u.status = status;
        u.workspaces = ws;
        u
    };
    let ws = vec![a.workspace];
    let people = [
        member("ann@x.org", UserStatus::Active, ws.clone()),
        member("bob@x.org", UserStatus::Active, ws.clone()),
        member("cat@x.org", UserStatus::Active, ws.clone()),
        member("dan@x.org", UserStatus::Suspended, ws.clone()),
        member("eve@x.org", UserStatus::Active, Vec::new()),
    ];
    insert(db, &people).await;
    let bot = BotId::new();
    store::bots::create(db, bot, a.workspace, "Helper", &[(people[0].id, BotRole::Owner)], T0).await.expect("bot");
    Team {
        account: a.id,
        bot,
        ann: people[0].id,
        bob: people[1].id,
        cat: people[2].id,
        dan: people[3].id,
        eve: people[4].id,
    }
}

async fn role(db: &Db, bot: BotId, user: UserId) -> Option<BotRole> {
    store::bots::role_of(db, bot, user).await.expect("role")
}

async fn roles_change_but_the_owner_row_never_does(db: Db) {
    let t = team(&db).await;
    let ev = event(t.account, "bot.role_set");
    assert!(store::bots::set_role(&db, t.bot, t.bob, BotRole::Developer, &ev).await.expect("assign"));
    assert!(
        store::bots::set_role(&db, t.bot, t.bob, BotRole::Tester, &event(t.account, "bot.role_set")).await.unwrap()
    );
    assert_eq!(role(&db, t.bot, t.bob).await, Some(BotRole::Tester));
    let demote = event(t.account, "bot.role_set");
    assert!(!store::bots::set_role(&db, t.bot, t.ann, BotRole::Developer, &demote).await.expect("owner"));
    assert!(!store::bots::remove_role(&db, t.bot, t.ann, &event(t.account, "bot.role_removed")).await.unwrap());
    assert_eq!(role(&db, t.bot, t.ann).await, Some(BotRole::Owner));
    assert!(store::bots::remove_role(&db, t.bot, t.bob, &event(t.account, "bot.role_removed")).await.unwrap());
    assert_eq!(role(&db, t.bot, t.bob).await, None);
    // Audited exactly when something changed.
    assert_eq!(audit_count(&db, t.account, "bot.role_set").await, 2);
    assert_eq!(audit_count(&db, t.account, "bot.role_removed").await, 1);
}

async fn a_transfer_demotes_the_old_owner_and_needs_an_active_member(db: Db) {
    let t = team(&db).await;
    let to = |to| Transfer { bot: t.bot, from: t.ann, to };
    let ev = || vec![event(t.account, "bot.ownership_transferred")];
    for refused in [t.dan, t.eve] {
        assert!(!store::bots::transfer(&db, &to(refused), &ev()).await.expect("transfer"), "suspended or non-member");
        assert_eq!(role(&db, t.bot, t.ann).await, Some(BotRole::Owner), "nothing changed");
        assert_eq!(role(&db, t.bot, refused).await, None);
    }
    store::bots::set_role(&db, t.bot, t.bob, BotRole::Tester, &event(t.account, "bot.role_set")).await.unwrap();
    assert!(store::bots::transfer(&db, &to(t.bob), &ev()).await.expect("transfer"));
    assert_eq!(role(&db, t.bot, t.bob).await, Some(BotRole::Owner));
    assert_eq!(role(&db, t.bot, t.ann).await, Some(BotRole::Developer));
    assert!(!store::bots::transfer(&db, &to(t.cat), &ev()).await.unwrap(), "ann no longer owns it");
    assert_eq!(audit_count(&db, t.account, "bot.ownership_transferred").await, 1);
}

async fn a_guided_delete_is_all_or_nothing(db: Db) {
    let t = team(&db).await;
    let second = BotId::new();
    let ws = store::lookups::workspaces(&db, t.account).await.unwrap()[0].id;
    store::bots::create(&db, second, WorkspaceId(ws), "Second", &[(t.ann, BotRole::Owner)], T0).await.unwrap();
    let ending =
        Ending { by_user: None, for_workspace: None, cause: domain::closed::EndCause::Deleted, reason: None, at: T0 };
    let plan = |second_to| {
        vec![
            (Transfer { bot: t.bot, from: t.ann, to: t.bob }, vec![event(t.account, "bot.ownership_transferred")]),
            (Transfer { bot: second, from: t.ann, to: second_to }, vec![event(t.account, "bot.ownership_transferred")]),
        ]
    };
    let del = event(t.account, "user.deleted");
    let refused = store::deletion::soft_delete(&db, t.ann, t.bob, &plan(t.dan), &ending, &del).await.unwrap();
    assert_eq!(refused, Deleted::Refused);
    assert_eq!(role(&db, t.bot, t.ann).await, Some(BotRole::Owner), "the first transfer was rolled back");
    assert!(store::users::find(&db, t.account, t.ann).await.unwrap().is_some(), "not deleted");
    assert_eq!(audit_count(&db, t.account, "bot.ownership_transferred").await, 0);

    let done = store::deletion::soft_delete(&db, t.ann, t.bob, &plan(t.cat), &ending, &del).await.unwrap();
    assert_eq!(done, Deleted::Done);
    assert_eq!(role(&db, t.bot, t.bob).await, Some(BotRole::Owner));
    assert_eq!(role(&db, second, t.cat).await, Some(BotRole::Owner));
    assert!(store::users::find(&db, t.account, t.ann).await.unwrap().is_none(), "deleted");
    assert_eq!(audit_count(&db, t.account, "bot.ownership_transferred").await, 2);
}

async fn owner_candidates_are_active_members_matching_the_query(db: Db) {
    let t = team(&db).await;
    let ws = WorkspaceId(store::lookups::workspaces(&db, t.account).await.unwrap()[0].id);
    let found = store::bots::owner_candidates(&db, t.account, ws, "", 10).await.unwrap();
    let ids: Vec<Uuid> = found.iter().map(|c| c.id).collect();
    assert!(ids.contains(&t.bob.0) && ids.contains(&t.ann.0));
    assert!(!ids.contains(&t.dan.0), "suspended");
    assert!(!ids.contains(&t.eve.0), "not a member");
    let bob = store::bots::owner_candidates(&db, t.account, ws, "BOB@", 10).await.unwrap();
    assert_eq!(bob.iter().map(|c| c.id).collect::<Vec<_>>(), [t.bob.0]);
    assert!(store::bots::owner_candidates(&db, t.account, ws, "%", 10).await.unwrap().is_empty(), "% is literal");
}

on_both_backends!(
    roles_change_but_the_owner_row_never_does,
    a_transfer_demotes_the_old_owner_and_needs_an_active_member,
    a_guided_delete_is_all_or_nothing,
    owner_candidates_are_active_members_matching_the_query
);
