//! Single-use links die with their user's standing (migration 0045): a deletion, a
//! suspension or a move to another address spends every live link of the user, a restore
//! or re-activation brings none back, a re-key of the same address keeps them, and no link
//! is issued to a deleted or suspended user.

use crate::fixtures::{HOUR, T0, account, email, event, insert, soft_delete, token_hash, user};
use domain::ids::{AccountId, UserId};
use domain::user::UserStatus;
use store::Db;
use store::tokens::{NewToken, TokenPurpose};

fn link(user: UserId, purpose: TokenPurpose, at: i64) -> NewToken {
    NewToken { token_hash: token_hash(), user_id: user, purpose, created_at: at, expires_at: at + 24 * HOUR }
}

/// The email carrying a link (queued with it).
fn mail(account: AccountId, user: UserId, at: i64) -> store::outbox::NewMail {
    store::outbox::NewMail {
        id: uuid::Uuid::now_v7(),
        account_id: account,
        user_id: Some(user),
        kind: domain::mail::MailKind::PasswordReset,
        recipient: "someone@a.org".into(),
        subject: "link".into(),
        body: "link".into(),
        created_at: at,
    }
}

/// Issues a reset link for `user` as of `at`: the link, or `None` when it was refused.
async fn reset_link(db: &Db, account: AccountId, user: UserId, at: i64) -> Option<Vec<u8>> {
    let token = link(user, TokenPurpose::PasswordReset, at);
    let event = event(account, "password.reset_requested", at, user);
    let issued = store::password_reset::issue(db, &token, &event, &mail(account, user, at)).await.expect("issue");
    issued.then_some(token.token_hash)
}

async fn live(db: &Db, hash: &[u8]) -> bool {
    let sql = "SELECT count(*) FROM user_tokens WHERE token_hash = $1 AND used_at IS NULL";
    let n: i64 = match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).bind(hash).fetch_one(p).await,
        Db::Pg(p) => sqlx::query_scalar(sql).bind(hash).fetch_one(p).await,
    }
    .expect("count");
    n == 1
}

async fn exec(db: &Db, sql: &'static str, text: &str, user: UserId) {
    match db {
        Db::Sqlite(p) => sqlx::query(sql).bind(text).bind(user.0).execute(p).await.map(drop),
        Db::Pg(p) => sqlx::query(sql).bind(text).bind(user.0).execute(p).await.map(drop),
    }
    .expect(sql);
}

async fn set_status(db: &Db, account: AccountId, user: UserId, from: UserStatus, to: UserStatus, at: i64) {
    let changed = store::users::change_status(
        db,
        user,
        from,
        to,
        &store::users::Then::Nothing,
        &event(account, "user.suspended", at, user),
    )
    .await
    .expect("change status");
    assert!(changed);
}

async fn links_die_with_a_deletion_and_stay_dead_after_the_restore(db: Db) {
    let a = account(&db, "a").await;
    let people = [user(a.id, "root@a.org", "Root", "Admin"), user(a.id, "ann@a.org", "Ann", "Archer")];
    insert(&db, &people).await;
    let [root, ann] = people.each_ref().map(|u| u.id);
    let kept = reset_link(&db, a.id, root, T0).await.expect("root's link");
    let first = reset_link(&db, a.id, ann, T0).await.expect("ann's link");
    assert!(live(&db, &first).await);

    soft_delete(&db, a.id, ann, root, T0 + HOUR).await;
    assert!(!live(&db, &first).await, "the deletion spent it");
    assert!(live(&db, &kept).await, "other users' links are untouched");
    assert_eq!(reset_link(&db, a.id, ann, T0 + HOUR).await, None, "no link for a deleted user");
    let restored = store::deletion::restore(&db, a.id, ann, T0, &event(a.id, "user.restored", T0 + 2 * HOUR, ann))
        .await
        .expect("restore");
    assert!(restored);
    assert!(!live(&db, &first).await, "a restore brings no link back");
    assert!(store::password_reset::peek(&db, &first, T0 + 2 * HOUR).await.expect("peek").is_none());
    let fresh = reset_link(&db, a.id, ann, T0 + 2 * HOUR).await.expect("a new link after the restore");
    assert!(live(&db, &fresh).await);
}

async fn links_die_with_a_suspension_and_stay_dead_after_reactivation(db: Db) {
    let a = account(&db, "a").await;
    let people = [user(a.id, "ann@a.org", "Ann", "Archer")];
    insert(&db, &people).await;
    let ann = people[0].id;
    let first = reset_link(&db, a.id, ann, T0).await.expect("link");
    set_status(&db, a.id, ann, UserStatus::Active, UserStatus::Locked, T0 + 1).await;
    assert!(live(&db, &first).await, "a lockout keeps the link: a reset is how a locked user gets back");
    set_status(&db, a.id, ann, UserStatus::Locked, UserStatus::Suspended, T0 + 2).await;
    assert!(!live(&db, &first).await, "the suspension spent it");
    assert_eq!(reset_link(&db, a.id, ann, T0 + 3).await, None, "no link for a suspended user");
    set_status(&db, a.id, ann, UserStatus::Suspended, UserStatus::Active, T0 + 4).await;
    assert!(!live(&db, &first).await, "re-activation brings no link back");
}

async fn links_die_with_a_new_address_but_not_with_a_re_key_of_the_same(db: Db) {
    let a = account(&db, "a").await;
    let people = [user(a.id, "lena@müller.example", "Lena", "Lang")];
    insert(&db, &people).await;
    let lena = people[0].id;
    let first = reset_link(&db, a.id, lena, T0).await.expect("link");
    exec(&db, "UPDATE users SET email = $1 WHERE id = $2", "Lena@Müller.example", lena).await;
    assert!(live(&db, &first).await, "another spelling of the same mailbox");
    // As the start-up re-key does for rows keyed by an older rule: the address stays.
    exec(&db, "UPDATE users SET email_key = $1 WHERE id = $2", "lena@müller.example", lena).await;
    exec(&db, "UPDATE users SET email_key = $1 WHERE id = $2", "lena@xn--mller-kva.example", lena).await;
    assert!(live(&db, &first).await, "re-keying the same address");
    let moved = email("lena@elsewhere.example");
    exec(&db, "UPDATE users SET email = $1, email_key = $1 WHERE id = $2", &moved.key(), lena).await;
    assert!(!live(&db, &first).await, "the link went to a mailbox that is no longer hers");
}

async fn an_invitation_dies_with_its_user_and_is_not_reissued_while_deleted(db: Db) {
    let a = account(&db, "a").await;
    let mut invited = user(a.id, "nina@a.org", "Nina", "New");
    invited.status = UserStatus::Invited;
    invited.invited_at = Some(T0);
    let people = [user(a.id, "root@a.org", "Root", "Admin"), invited];
    insert(&db, &people).await;
    let [root, nina] = people.each_ref().map(|u| u.id);
    let first = link(nina, TokenPurpose::Invitation, T0);
    let resent = event(a.id, "user.invitation_resent", T0, nina);
    let always = store::invitations::Reissue::Always;
    assert!(store::invitations::reissue(&db, &first, &resent, &mail(a.id, nina, T0), always).await.unwrap());
    assert!(store::invitations::find_live(&db, &first.token_hash, T0).await.unwrap().is_some());
    soft_delete(&db, a.id, nina, root, T0 + HOUR).await;
    let again = link(nina, TokenPurpose::Invitation, T0 + HOUR);
    let resent = event(a.id, "user.invitation_resent", T0 + HOUR, nina);
    let refused = store::invitations::reissue(&db, &again, &resent, &mail(a.id, nina, T0 + HOUR), always).await;
    assert!(!refused.unwrap(), "no invitation for a deleted user");
    store::deletion::restore(&db, a.id, nina, T0, &event(a.id, "user.restored", T0 + 2 * HOUR, nina)).await.unwrap();
    assert!(store::invitations::find_live(&db, &first.token_hash, T0 + 2 * HOUR).await.unwrap().is_none());
    assert!(!live(&db, &again.token_hash).await);
    let accepted = event(a.id, "user.invitation_accepted", T0 + 2 * HOUR, nina);
    let set = store::invitations::accept(&db, &first.token_hash, T0 + 2 * HOUR, "$argon2id$fake", &accepted).await;
    assert_eq!(set.unwrap(), None, "the old link sets no password");
}

on_both_backends!(
    links_die_with_a_deletion_and_stay_dead_after_the_restore,
    links_die_with_a_suspension_and_stay_dead_after_reactivation,
    links_die_with_a_new_address_but_not_with_a_re_key_of_the_same,
    an_invitation_dies_with_its_user_and_is_not_reissued_while_deleted,
);
