//! Rules the schema enforces: unique names (case-insensitive), one Primary Master Admin per
//! account, one Owner per bot, and foreign keys, on both backends alike.

use crate::fixtures::{T0, account, insert, user};
use domain::bot::BotRole;
use domain::ids::{AdminRoleId, BotId, GroupId, WorkspaceId};
use domain::permission::{PermissionSet, Scope};
use store::roles::NewRole;
use store::{Db, StoreError};

fn assert_conflict<T: std::fmt::Debug>(result: Result<T, StoreError>, what: &str) {
    match result {
        Err(StoreError::Conflict(_)) => {}
        other => panic!("{what}: expected a conflict, got {other:?}"),
    }
}

async fn names_are_unique_ignoring_case(db: Db) {
    let a = account(&db, "a").await;
    let b = account(&db, "b").await;
    let ws = WorkspaceId::new();
    store::workspaces::create(&db, a.id, ws, "Sales", T0).await.expect("workspace");
    assert_conflict(store::workspaces::create(&db, a.id, WorkspaceId::new(), "SALES", T0).await, "workspace name");
    store::workspaces::create(&db, b.id, WorkspaceId::new(), "sales", T0).await.expect("same name, other account");

    store::groups::create(&db, GroupId::new(), ws, "Team", T0).await.expect("group");
    assert_conflict(store::groups::create(&db, GroupId::new(), ws, "team", T0).await, "group name");
    store::groups::create(&db, GroupId::new(), a.workspace, "TEAM", T0).await.expect("same name, other workspace");

    let role = |name: &str| NewRole {
        id: AdminRoleId::new(),
        account_id: a.id,
        name: name.to_owned(),
        permissions: PermissionSet::default(),
        scope: Scope::AllWorkspaces,
        created_at: T0,
    };
    store::roles::create(&db, &role("Helpdesk")).await.expect("role");
    assert_conflict(store::roles::create(&db, &role("HELPDESK")).await, "role name");
    assert_conflict(store::roles::create(&db, &role("master admin")).await, "the built-in role's name");
}

async fn one_primary_admin_per_account(db: Db) {
    let a = account(&db, "a").await;
    let b = account(&db, "b").await;
    let mut first = user(a.id, "one@x.org", "One", "Admin");
    first.is_primary_admin = true;
    insert(&db, &[first]).await;
    let mut second = user(a.id, "two@x.org", "Two", "Admin");
    second.is_primary_admin = true;
    assert_conflict(store::users::insert(&db, &[second]).await, "second primary admin");
    let mut elsewhere = user(b.id, "two@x.org", "Two", "Admin");
    elsewhere.is_primary_admin = true;
    insert(&db, &[elsewhere]).await;
}

async fn one_owner_per_bot(db: Db) {
    let a = account(&db, "a").await;
    let (ann, bob) = (user(a.id, "ann@x.org", "Ann", "A"), user(a.id, "bob@x.org", "Bob", "B"));
    insert(&db, &[ann.clone(), bob.clone()]).await;
    let bot = BotId::new();
    let two_owners = [(ann.id, BotRole::Owner), (bob.id, BotRole::Owner)];
    assert_conflict(store::bots::create(&db, bot, a.workspace, "Helper", &two_owners, T0).await, "two owners");
    // Refused as a whole: the same bot can be created properly afterwards.
    let members = [(ann.id, BotRole::Owner), (bob.id, BotRole::Developer)];
    store::bots::create(&db, bot, a.workspace, "Helper", &members, T0).await.expect("bot");
    assert_conflict(store::bots::create(&db, BotId::new(), a.workspace, "helper", &members, T0).await, "bot name");
}

async fn foreign_keys_are_enforced(db: Db) {
    let a = account(&db, "a").await;
    let mut stray = user(a.id, "ann@x.org", "Ann", "A");
    stray.workspaces = vec![WorkspaceId::new()];
    let err = store::users::insert(&db, std::slice::from_ref(&stray)).await.expect_err("unknown workspace");
    assert!(matches!(err, StoreError::Database(_)), "{err:?}");
    assert!(store::users::find(&db, a.id, stray.id).await.expect("find").is_none(), "rolled back");
    let mut no_role = user(a.id, "bob@x.org", "Bob", "B");
    no_role.admin_role_id = Some(AdminRoleId::new());
    assert!(store::users::insert(&db, &[no_role]).await.is_err(), "unknown role");
    let nobody = user(domain::ids::AccountId::new(), "cat@x.org", "Cat", "C");
    assert!(store::users::insert(&db, &[nobody]).await.is_err(), "unknown account");
}

on_both_backends!(
    names_are_unique_ignoring_case,
    one_primary_admin_per_account,
    one_owner_per_bot,
    foreign_keys_are_enforced
);
