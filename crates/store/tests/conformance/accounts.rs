//! Accounts: creation with their first workspace and role, and the one-time setup link.

use crate::fixtures::{HOUR, T0, new_account, token_hash, user};
use domain::ids::AccountId;
use store::accounts::{self, FirstAdmin};
use store::{Db, StoreError};

async fn create_none_exist_and_first(db: Db) {
    assert!(accounts::none_exist(&db).await.expect("none_exist"));
    assert!(accounts::first(&db).await.expect("first").is_none());

    // Created second but older: `first` goes by creation time, not insertion order.
    let mut late = new_account("late");
    late.created_at = T0 + 10;
    let mut admin = user(late.id, "Boss@Late.org", "Bo", "Ss");
    admin.is_primary_admin = true;
    admin.workspaces = vec![late.workspace_id];
    accounts::create(&db, &late, &FirstAdmin::Create(Box::new(admin.clone()))).await.expect("create late");
    assert!(!accounts::none_exist(&db).await.expect("none_exist"));

    let early = new_account("early");
    let setup = FirstAdmin::SetupLink { token_hash: token_hash(), expires_at: T0 + HOUR, email: None };
    accounts::create(&db, &early, &setup).await.expect("create early");

    let first = accounts::first(&db).await.expect("first").expect("an account");
    assert_eq!((first.id, first.name.as_str(), first.slug.as_str()), (early.id.0, "Account early", "early"));
    // The listing goes by creation time too, and counts each account's users.
    let listed: Vec<_> =
        accounts::list(&db).await.expect("list").into_iter().map(|a| (a.slug, a.users, a.created_at)).collect();
    assert_eq!(listed, vec![("early".to_owned(), 0, early.created_at), ("late".to_owned(), 1, late.created_at)]);
    assert_eq!(accounts::by_slug(&db, "late").await.expect("by slug").map(|a| a.id), Some(late.id.0));
    assert!(accounts::by_slug(&db, "LATE").await.expect("by slug").is_none(), "slugs are exact");

    // The account came with its workspace, its Master Admin role and its first admin.
    let workspaces = store::lookups::workspaces(&db, late.id).await.expect("workspaces");
    assert_eq!(workspaces.len(), 1);
    assert_eq!((workspaces[0].id, workspaces[0].name.as_str()), (late.workspace_id.0, "Default"));
    assert_eq!(store::roles::master_role(&db, late.id).await.expect("master role"), Some(late.master_role_id));
    let master = store::lookups::role(&db, late.id, late.master_role_id).await.expect("role").expect("master role");
    assert_eq!((master.kind.as_str(), master.name.as_str(), master.all_workspaces), ("master", "Master Admin", true));
    let found = store::users::find(&db, late.id, admin.id).await.expect("find").expect("first admin");
    assert!(found.is_primary_admin);
    assert_eq!(found.email, "Boss@Late.org");
    let joined = store::lookups::user_workspaces(&db, admin.id).await.expect("user workspaces");
    assert_eq!(joined.iter().map(|w| w.id).collect::<Vec<_>>(), vec![late.workspace_id.0]);
    // The setup-link account got no user.
    let page =
        store::users::PageRequest { sort: store::users::UserSort::Name, descending: false, from: None, limit: 10 };
    let (rows, _) = store::users::list(&db, early.id, &store::users::UserFilter::default(), &page).await.expect("list");
    assert!(rows.is_empty());
}

async fn slugs_are_unique_and_a_refused_account_leaves_nothing(db: Db) {
    accounts::create(
        &db,
        &new_account("acme"),
        &FirstAdmin::SetupLink { token_hash: token_hash(), expires_at: T0, email: None },
    )
    .await
    .expect("create");
    let again = new_account("acme");
    let err =
        accounts::create(&db, &again, &FirstAdmin::SetupLink { token_hash: token_hash(), expires_at: T0, email: None })
            .await
            .expect_err("duplicate slug");
    assert!(matches!(&err, StoreError::Conflict(c) if c.contains("slug")), "{err:?}");
    // One transaction: the refused account's workspace and role are not there either.
    assert!(store::lookups::workspaces(&db, again.id).await.expect("workspaces").is_empty());
    assert_eq!(store::roles::master_role(&db, again.id).await.expect("master role"), None);
}

async fn setup_token_is_spent_exactly_once(db: Db) {
    let account = new_account("acme");
    let hash = token_hash();
    let link = FirstAdmin::SetupLink { token_hash: hash.clone(), expires_at: T0 + HOUR, email: None };
    accounts::create(&db, &account, &link).await.expect("create");
    assert!(!accounts::none_exist(&db).await.expect("none_exist"));
    assert_eq!(accounts::setup_token_account(&db, &hash, T0).await.expect("lookup"), Some(account.id));
    assert_eq!(accounts::setup_token_account(&db, &token_hash(), T0).await.expect("lookup"), None);
    assert_eq!(
        accounts::complete_setup(&db, &token_hash(), T0, &user(account.id, "x@y.org", "X", "Y"))
            .await
            .expect("unknown"),
        None
    );

    // An admin for another account does not spend the token.
    let stranger = user(AccountId::new(), "stranger@x.org", "Str", "Anger");
    assert_eq!(accounts::complete_setup(&db, &hash, T0, &stranger).await.expect("stranger"), None);
    assert_eq!(accounts::setup_token_account(&db, &hash, T0).await.expect("lookup"), Some(account.id));

    let mut admin = user(account.id, "boss@acme.org", "Bo", "Ss");
    admin.is_primary_admin = true;
    admin.workspaces = vec![account.workspace_id];
    assert_eq!(accounts::complete_setup(&db, &hash, T0 + 1, &admin).await.expect("complete"), Some(account.id));
    let found = store::users::find(&db, account.id, admin.id).await.expect("find").expect("admin created");
    assert!(found.is_primary_admin);
    assert_eq!(accounts::setup_token_account(&db, &hash, T0 + 2).await.expect("lookup"), None);

    let mut second = user(account.id, "boss2@acme.org", "Bo", "Two");
    second.is_primary_admin = true;
    assert_eq!(accounts::complete_setup(&db, &hash, T0 + 2, &second).await.expect("second"), None);
    assert!(store::users::find(&db, account.id, second.id).await.expect("find").is_none());
}

async fn expired_setup_tokens_are_refused(db: Db) {
    let account = new_account("acme");
    let hash = token_hash();
    let expires_at = T0 + HOUR;
    accounts::create(&db, &account, &FirstAdmin::SetupLink { token_hash: hash.clone(), expires_at, email: None })
        .await
        .expect("create");
    let admin = user(account.id, "boss@acme.org", "Bo", "Ss");
    for now in [expires_at, expires_at + HOUR] {
        assert_eq!(accounts::setup_token_account(&db, &hash, now).await.expect("lookup"), None);
        assert_eq!(accounts::complete_setup(&db, &hash, now, &admin).await.expect("complete"), None);
        assert!(store::users::find(&db, account.id, admin.id).await.expect("find").is_none());
    }
    // Still good a microsecond before it expires (and the refusals above did not spend it).
    assert_eq!(accounts::complete_setup(&db, &hash, expires_at - 1, &admin).await.expect("complete"), Some(account.id));
    assert!(store::users::find(&db, account.id, admin.id).await.expect("find").is_some());
}

on_both_backends!(
    create_none_exist_and_first,
    slugs_are_unique_and_a_refused_account_leaves_nothing,
    setup_token_is_spent_exactly_once,
    expired_setup_tokens_are_refused,
);
