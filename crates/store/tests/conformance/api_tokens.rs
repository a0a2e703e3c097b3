//! API tokens (migration 0100): made with their permission and workspace rows, found live by
//! secret hash with their creator's role, never once revoked, expired or of a deleted
//! creator; the last use is written at most once per interval; a purge of the creator takes
//! their tokens with them.

use crate::fixtures::{HOUR, T0, account, event, insert, soft_delete, token_hash, user};
use domain::ids::{ApiTokenId, UserId};
use domain::permission::{Permission, Scope};
use store::Db;
use store::api_tokens::NewApiToken;

const MINUTE: i64 = 60_000_000;

fn new_token(account: domain::ids::AccountId, creator: UserId, scope: Scope) -> NewApiToken {
    NewApiToken {
        id: ApiTokenId::new(),
        account,
        creator,
        name: "ci".into(),
        secret_hash: token_hash(),
        permissions: [Permission::UsersView, Permission::AuditView].into_iter().collect(),
        scope,
        created_at: T0,
        expires_at: T0 + 24 * HOUR,
    }
}

async fn tokens_are_found_live_only_until_revoked_or_expired(db: Db) {
    let a = account(&db, "a").await;
    let people = [user(a.id, "root@a.org", "Root", "Admin"), user(a.id, "ann@a.org", "Ann", "Archer")];
    insert(&db, &people).await;
    let [root, ann] = people.each_ref().map(|u| u.id);
    let scoped = new_token(a.id, root, Scope::Workspaces([a.workspace].into_iter().collect()));
    store::api_tokens::create(&db, &scoped, &event(a.id, "api_token.created", T0, root)).await.expect("create");

    let live = store::api_tokens::find_live(&db, &scoped.secret_hash, T0 + HOUR).await.expect("find").expect("live");
    assert_eq!(live.permissions(), scoped.permissions);
    assert_eq!(live.scope(), scoped.scope);
    assert_eq!(live.creator.email, "root@a.org");
    assert!(store::api_tokens::find_live(&db, &scoped.secret_hash, T0 + 24 * HOUR).await.expect("find").is_none());
    assert!(store::api_tokens::find_live(&db, &token_hash(), T0).await.expect("find").is_none());

    let listed = store::api_tokens::list(&db, a.id, None).await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].workspaces.iter().map(|w| w.id).collect::<Vec<_>>(), [a.workspace.0]);
    assert!(store::api_tokens::list(&db, a.id, Some(ann)).await.expect("list").is_empty());

    let revoke = event(a.id, "api_token.revoked", T0 + HOUR, root);
    assert!(store::api_tokens::revoke(&db, scoped.id, root, T0 + HOUR, &revoke).await.expect("revoke"));
    let again = event(a.id, "api_token.revoked", T0 + HOUR, root);
    assert!(!store::api_tokens::revoke(&db, scoped.id, root, T0 + HOUR, &again).await.expect("revoke"), "once");
    assert!(store::api_tokens::find_live(&db, &scoped.secret_hash, T0 + HOUR).await.expect("find").is_none());

    // A soft-deleted creator's tokens are not live.
    let anns = new_token(a.id, ann, Scope::AllWorkspaces);
    store::api_tokens::create(&db, &anns, &event(a.id, "api_token.created", T0, ann)).await.expect("create");
    assert!(store::api_tokens::find_live(&db, &anns.secret_hash, T0).await.expect("find").is_some());
    soft_delete(&db, a.id, ann, root, T0 + HOUR).await;
    assert!(store::api_tokens::find_live(&db, &anns.secret_hash, T0 + HOUR).await.expect("find").is_none());
}

async fn the_last_use_is_written_at_most_once_an_interval(db: Db) {
    let a = account(&db, "a").await;
    let people = [user(a.id, "root@a.org", "Root", "Admin")];
    insert(&db, &people).await;
    let t = new_token(a.id, people[0].id, Scope::AllWorkspaces);
    store::api_tokens::create(&db, &t, &event(a.id, "api_token.created", T0, people[0].id)).await.expect("create");
    let last = |db: Db| async move {
        let row = store::api_tokens::find(&db, a.id, t.id).await.expect("find").expect("token");
        (row.last_used_at, row.last_used_ip)
    };
    assert_eq!(last(db.clone()).await, (None, None));
    let touch = |at: i64, ip: &'static str| {
        let db = db.clone();
        async move { store::api_tokens::touch(&db, t.id, at, ip, at - MINUTE + 1).await.expect("touch") }
    };
    touch(T0, "192.0.2.1").await;
    touch(T0 + 30_000_000, "192.0.2.2").await;
    assert_eq!(last(db.clone()).await, (Some(T0), Some("192.0.2.1".into())), "within the minute: kept");
    touch(T0 + MINUTE, "192.0.2.3").await;
    assert_eq!(last(db.clone()).await, (Some(T0 + MINUTE), Some("192.0.2.3".into())));
}

on_both_backends!(
    tokens_are_found_live_only_until_revoked_or_expired,
    the_last_use_is_written_at_most_once_an_interval
);
