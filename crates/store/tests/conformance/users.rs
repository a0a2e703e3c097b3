//! Users: insert, find, unique emails, sign-in lookup.

use crate::fixtures::{T0, account, insert, user};
use domain::ids::{AdminRoleId, UserId, WorkspaceId};
use domain::permission::{Permission, PermissionSet, Scope};
use domain::user::{BuilderAccess, UserStatus};
use store::roles::NewRole;
use store::{Db, StoreError};

async fn insert_then_find(db: Db) {
    let a = account(&db, "a").await;
    let b = account(&db, "b").await;
    let beta = WorkspaceId::new();
    store::workspaces::create(&db, a.id, beta, "Beta", T0).await.expect("workspace");
    let role = AdminRoleId::new();
    let new_role = NewRole {
        id: role,
        account_id: a.id,
        name: "Helpdesk".into(),
        permissions: PermissionSet::from_iter([Permission::UsersView]),
        scope: Scope::AllWorkspaces,
        created_at: T0,
    };
    store::roles::create(&db, &new_role).await.expect("role");

    let mut ann = user(a.id, "Ann.Lee@Example.org", "Ann", "Lee");
    ann.status = UserStatus::Invited;
    ann.builder_access = BuilderAccess::BuilderAndCreate;
    ann.admin_role_id = Some(role);
    ann.password_hash = Some("$argon2id$fake".into());
    ann.invited_at = Some(T0 + 5);
    ann.last_login_at = Some(T0 + 7);
    ann.created_at = T0 + 1;
    ann.workspaces = vec![a.workspace, beta];
    let plain = user(a.id, "plain@example.org", "Plain", "User");
    insert(&db, &[ann.clone(), plain.clone()]).await;
    store::users::insert(&db, &[]).await.expect("inserting nothing is fine");

    let row = store::users::find(&db, a.id, ann.id).await.expect("find").expect("ann");
    assert_eq!((row.id, row.account_id), (ann.id.0, a.id.0));
    assert_eq!(row.email, "Ann.Lee@Example.org", "the email is kept as typed");
    assert_eq!((row.first_name.as_str(), row.last_name.as_str()), ("Ann", "Lee"));
    assert_eq!((row.status.as_str(), row.builder_access.as_str()), ("invited", "builder_and_create"));
    assert!(!row.is_primary_admin);
    assert_eq!((row.admin_role_id, row.role_name.as_deref()), (Some(role.0), Some("Helpdesk")));
    assert_eq!((row.failed_logins, row.locked_at), (0, None));
    assert_eq!((row.invited_at, row.last_login_at, row.created_at), (Some(T0 + 5), Some(T0 + 7), T0 + 1));
    assert_eq!((row.profile.as_str(), row.version), ("{}", 1));

    let row = store::users::find(&db, a.id, plain.id).await.expect("find").expect("plain");
    assert_eq!((row.status.as_str(), row.builder_access.as_str()), ("active", "none"));
    assert_eq!((row.admin_role_id, row.role_name, row.invited_at, row.last_login_at), (None, None, None, None));

    assert!(store::users::find(&db, b.id, ann.id).await.expect("find").is_none(), "another account's user");
    assert!(store::users::find(&db, a.id, UserId::new()).await.expect("find").is_none(), "unknown id");

    let joined = store::lookups::user_workspaces(&db, ann.id).await.expect("user workspaces");
    let names: Vec<&str> = joined.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, ["Beta", "Default"]);
    assert!(store::lookups::user_workspaces(&db, plain.id).await.expect("user workspaces").is_empty());
}

async fn emails_are_unique_per_account_ignoring_case(db: Db) {
    let a = account(&db, "a").await;
    let b = account(&db, "b").await;
    insert(&db, &[user(a.id, "Ann@x.org", "Ann", "One")]).await;

    let err = store::users::insert(&db, &[user(a.id, "ann@X.org", "Ann", "Two")]).await.expect_err("same email");
    assert!(matches!(&err, StoreError::Conflict(c) if c.contains("email")), "{err:?}");

    // The same address in another account is another user.
    insert(&db, &[user(b.id, "ann@X.org", "Ann", "Three")]).await;

    // A batch with one duplicate is refused as a whole.
    let fresh = user(a.id, "fresh@x.org", "Fresh", "User");
    let err = store::users::insert(&db, &[fresh.clone(), user(a.id, "ANN@X.ORG", "Ann", "Four")])
        .await
        .expect_err("duplicate in batch");
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert!(store::users::find(&db, a.id, fresh.id).await.expect("find").is_none(), "the batch rolled back");

    let found = store::users::find_for_login(&db, "ann@x.org", None).await.expect("login lookup");
    assert_eq!(found.len(), 2, "one Ann per account");
}

async fn find_for_login_by_email_key_and_slug(db: Db) {
    let a = account(&db, "a").await;
    let b = account(&db, "b").await;
    let mut ann_a = user(a.id, "Ann@X.org", "Ann", "A");
    ann_a.password_hash = Some("hash-a".into());
    let mut ann_b = user(b.id, "ann@x.ORG", "Ann", "B");
    ann_b.status = UserStatus::Suspended;
    insert(&db, &[ann_a.clone(), ann_b.clone()]).await;

    let all = store::users::find_for_login(&db, "ann@x.org", None).await.expect("lookup");
    let mut ids: Vec<_> = all.iter().map(|r| r.id).collect();
    ids.sort();
    let mut expected = vec![ann_a.id.0, ann_b.id.0];
    expected.sort();
    assert_eq!(ids, expected);

    let only_a = store::users::find_for_login(&db, "ann@x.org", Some("a")).await.expect("lookup");
    assert_eq!(only_a.len(), 1);
    assert_eq!((only_a[0].id, only_a[0].account_id), (ann_a.id.0, a.id.0));
    assert_eq!((only_a[0].status.as_str(), only_a[0].password_hash.as_deref()), ("active", Some("hash-a")));
    let only_b = store::users::find_for_login(&db, "ann@x.org", Some("b")).await.expect("lookup");
    assert_eq!(
        (only_b[0].id, only_b[0].status.as_str(), only_b[0].password_hash.as_deref()),
        (ann_b.id.0, "suspended", None)
    );

    assert!(store::users::find_for_login(&db, "ann@x.org", Some("c")).await.expect("lookup").is_empty());
    assert!(store::users::find_for_login(&db, "Ann@X.org", None).await.expect("lookup").is_empty(), "looks up the key");
    assert!(store::users::find_for_login(&db, "nobody@x.org", None).await.expect("lookup").is_empty());
}

async fn record_login_sets_last_login(db: Db) {
    let a = account(&db, "a").await;
    let ann = user(a.id, "ann@x.org", "Ann", "Lee");
    insert(&db, std::slice::from_ref(&ann)).await;
    store::users::record_login(&db, ann.id, T0 + 42).await.expect("record login");
    let row = store::users::find(&db, a.id, ann.id).await.expect("find").expect("ann");
    assert_eq!((row.last_login_at, row.failed_logins), (Some(T0 + 42), 0));
}

on_both_backends!(
    insert_then_find,
    emails_are_unique_per_account_ignoring_case,
    find_for_login_by_email_key_and_slug,
    record_login_sets_last_login,
);
