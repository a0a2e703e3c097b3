//! The list of deleted users: only the soft-deleted users of the account, newest deletion
//! first, each with who deleted them; `limit` caps it; a restore takes the user off it.

use crate::fixtures::{HOUR, T0, account, event, insert, soft_delete, user};
use store::Db;
use uuid::Uuid;

async fn deleted_users_are_listed_newest_first_with_who_deleted_them(db: Db) {
    let a = account(&db, "a").await;
    let b = account(&db, "b").await;
    let people = [
        user(a.id, "root@a.org", "Root", "Admin"),
        user(a.id, "ann@a.org", "Ann", "Archer"),
        user(a.id, "bob@a.org", "Bob", "Baker"),
        user(a.id, "cat@a.org", "Cat", "Cooper"),
        user(b.id, "boss@b.org", "Boss", "Other"),
        user(b.id, "zed@b.org", "Zed", "Zero"),
    ];
    insert(&db, &people).await;
    let [root, ann, bob, cat, boss, zed] = people.each_ref().map(|u| u.id);
    assert!(store::deletion::list_deleted(&db, a.id, 100).await.unwrap().is_empty(), "nobody deleted yet");

    soft_delete(&db, a.id, ann, root, T0).await;
    soft_delete(&db, a.id, bob, root, T0 + 2 * HOUR).await;
    soft_delete(&db, a.id, cat, bob, T0 + HOUR).await;
    soft_delete(&db, b.id, zed, boss, T0 + 3 * HOUR).await;

    let rows = store::deletion::list_deleted(&db, a.id, 100).await.unwrap();
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    assert_eq!(ids, [bob.0, cat.0, ann.0], "newest deletion first, nothing of account b");
    let bob_row = &rows[0];
    assert_eq!(bob_row.email, "bob@a.org");
    assert_eq!((bob_row.first_name.as_str(), bob_row.last_name.as_str()), ("Bob", "Baker"));
    assert_eq!(bob_row.deleted_at, T0 + 2 * HOUR);
    assert_eq!(bob_row.deleted_by_email.as_deref(), Some("root@a.org"));
    assert_eq!(rows[1].deleted_by_email.as_deref(), Some("bob@a.org"), "a deleted admin still names them");

    let first = store::deletion::list_deleted(&db, a.id, 2).await.unwrap();
    assert_eq!(first.iter().map(|r| r.id).collect::<Vec<_>>(), [bob.0, cat.0], "limit");

    let other = store::deletion::list_deleted(&db, b.id, 100).await.unwrap();
    assert_eq!(other.iter().map(|r| r.id).collect::<Vec<_>>(), [zed.0]);
    assert_eq!(other[0].deleted_by_email.as_deref(), Some("boss@b.org"));

    let restored =
        store::deletion::restore(&db, a.id, cat, T0, &event(a.id, "user.restored", T0 + 4 * HOUR, cat)).await.unwrap();
    assert!(restored);
    let ids: Vec<Uuid> = store::deletion::list_deleted(&db, a.id, 100).await.unwrap().iter().map(|r| r.id).collect();
    assert_eq!(ids, [bob.0, ann.0], "a restored user leaves the list");
}

async fn the_deleter_may_be_unknown_after_their_purge(db: Db) {
    let a = account(&db, "a").await;
    let people = [user(a.id, "root@a.org", "Root", "Admin"), user(a.id, "ann@a.org", "Ann", "Archer")];
    insert(&db, &people).await;
    let [root, ann] = people.each_ref().map(|u| u.id);
    soft_delete(&db, a.id, ann, root, T0 + HOUR).await;
    soft_delete(&db, a.id, root, root, T0).await;
    // The purge of root (deleted earlier) clears ann's `deleted_by`.
    assert!(store::deletion::purge(&db, root, T0 + 1, &event(a.id, "user.purged", T0 + 2 * HOUR, root)).await.unwrap());
    let rows = store::deletion::list_deleted(&db, a.id, 100).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].id, ann.0);
    assert_eq!(rows[0].deleted_by_email, None);
}

/// A conditional delete (SCIM `DELETE` with `If-Match`) compares the version in the
/// deleting statement: a version the user has moved on from deletes nothing.
async fn a_delete_at_a_stale_version_deletes_nothing(db: Db) {
    let a = account(&db, "a").await;
    let people = [user(a.id, "root@a.org", "Root", "Admin"), user(a.id, "ann@a.org", "Ann", "Archer")];
    insert(&db, &people).await;
    let [root, ann] = people.each_ref().map(|u| u.id);
    let version = store::scim::users::find(&db, a.id, ann).await.unwrap().expect("ann").version;
    let ending = store::sessions::Ending {
        by_user: Some(root),
        for_workspace: None,
        cause: domain::closed::EndCause::Deleted,
        reason: None,
        at: T0,
    };
    let del = event(a.id, "user.deleted", T0, ann);
    let stale = store::deletion::soft_delete_at_version(&db, ann, version - 1, root, &ending, &del).await.unwrap();
    assert_eq!(stale, store::deletion::Deleted::Refused);
    assert!(store::deletion::list_deleted(&db, a.id, 100).await.unwrap().is_empty(), "nothing deleted");
    let done = store::deletion::soft_delete_at_version(&db, ann, version, root, &ending, &del).await.unwrap();
    assert_eq!(done, store::deletion::Deleted::Done);
    let ids: Vec<Uuid> = store::deletion::list_deleted(&db, a.id, 100).await.unwrap().iter().map(|r| r.id).collect();
    assert_eq!(ids, [ann.0]);
}

on_both_backends!(
    deleted_users_are_listed_newest_first_with_who_deleted_them,
    the_deleter_may_be_unknown_after_their_purge,
    a_delete_at_a_stale_version_deletes_nothing
);
