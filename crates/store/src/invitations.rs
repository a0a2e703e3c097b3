//! Invitations: invited users are inserted with their memberships, group memberships,
//! invitation token and audit event, one transaction per batch. An email that already
//! belongs to a user of the account is left alone: the unique index on
//! `(account_id, email_key)` decides (`ON CONFLICT DO NOTHING`), never a prior check, and
//! the answer names the user who holds the address.

use crate::audit::{self, NewAuditEvent};
use crate::outbox::NewMail;
use crate::sql::Sql;
use crate::tokens::{NewToken, TokenPurpose};
use crate::users::{INSERT_USERS, NewUser, USERS_PER_STATEMENT, push_user_values};
use crate::{Db, Micros, StoreError};
use domain::ids::{AccountId, GroupId, UserId};
use domain::user::UserStatus;
use sqlx::FromRow;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// One user to invite.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    /// Status `invited`, `invited_at` set, no password.
    pub user: NewUser,
    pub groups: Vec<GroupId>,
    pub token_hash: Vec<u8>,
    pub expires_at: Micros,
    pub audit: NewAuditEvent,
    /// The invitation email, queued in the same transaction when the user is created.
    pub mail: Option<NewMail>,
}

/// What became of one invitation of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    /// The user was created.
    Created,
    /// The account already has a user with this canonical email key: that user, and when
    /// they were deleted if they are soft-deleted.
    /// `user_id` is `None` only if that user vanished within the transaction's statements.
    Exists { user_id: Option<UserId>, deleted_at: Option<Micros> },
}

#[derive(FromRow)]
struct Holder {
    id: Uuid,
    email_key: String,
    deleted_at: Option<i64>,
}

/// Inserts a batch of invitations, with the invitation emails of the users created, in one
/// transaction. For each, in order: whether the user was created or which user already
/// holds that email (read in the same transaction, so the answer names the user the unique
/// index found).
pub async fn insert_batch(db: &Db, invites: &[NewInvitation]) -> Result<Vec<Inserted>, StoreError> {
    if invites.is_empty() {
        return Ok(Vec::new());
    }
    let mut created: HashSet<Uuid> = HashSet::new();
    let mut holders: HashMap<String, Holder> = HashMap::new();
    let mut tx = db.begin_write().await?;
    for chunk in invites.chunks(USERS_PER_STATEMENT) {
        let mut sql = Sql::new(INSERT_USERS);
        sql.push_values(chunk, |row, i| push_user_values(row, &i.user));
        sql.push(" ON CONFLICT (account_id, email_key) DO NOTHING RETURNING id");
        created.extend(tx.run().fetch_column::<Uuid>(sql).await?);
    }
    let taken: Vec<String> =
        invites.iter().filter(|i| !created.contains(&i.user.id.0)).map(|i| i.user.email.key()).collect();
    for chunk in taken.chunks(USERS_PER_STATEMENT) {
        let mut sql = Sql::new("SELECT id, email_key, deleted_at FROM users WHERE account_id = $1 AND email_key IN (")
            .bind(invites[0].user.account_id.0);
        for (i, key) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "" } else { ", " }).push_bind(key);
        }
        sql.push(")");
        let rows: Vec<Holder> = tx.run().fetch_all(sql).await?;
        holders.extend(rows.into_iter().map(|h| (h.email_key.clone(), h)));
    }
    let fresh: Vec<&NewInvitation> = invites.iter().filter(|i| created.contains(&i.user.id.0)).collect();
    let memberships: Vec<(Uuid, Uuid, i64)> = fresh
        .iter()
        .flat_map(|i| i.user.workspaces.iter().map(move |w| (i.user.id.0, w.0, i.user.created_at)))
        .collect();
    crate::users::add_memberships_in(&mut tx, &memberships).await?;
    let groups: Vec<(GroupId, UserId)> =
        fresh.iter().flat_map(|i| i.groups.iter().map(move |g| (*g, i.user.id))).collect();
    crate::groups::add_members_in(&mut tx, &groups).await?;
    for chunk in fresh.chunks(3000) {
        let mut sql = Sql::new("INSERT INTO user_tokens (token_hash, user_id, purpose, created_at, expires_at) ");
        sql.push_values(chunk, |row, i| {
            row.bind(&i.token_hash)
                .bind(i.user.id.0)
                .bind(TokenPurpose::Invitation.as_str())
                .bind(i.user.created_at)
                .bind(i.expires_at);
        });
        tx.run().execute(sql).await?;
    }
    let events: Vec<&NewAuditEvent> = fresh.iter().map(|i| &i.audit).collect();
    audit::insert_many(&mut tx, &events).await?;
    let mails: Vec<NewMail> = fresh.iter().filter_map(|i| i.mail.clone()).collect();
    crate::outbox::enqueue_in(&mut tx, &mails).await?;
    tx.commit().await?;
    Ok(invites
        .iter()
        .map(|i| match holders.get(&i.user.email.key()) {
            _ if created.contains(&i.user.id.0) => Inserted::Created,
            Some(h) => Inserted::Exists { user_id: Some(UserId(h.id)), deleted_at: h.deleted_at },
            None => Inserted::Exists { user_id: None, deleted_at: None },
        })
        .collect())
}

/// A fresh invitation for a user who becomes Invited again (a suspended user activated
/// without a way to sign in): its token and its email.
#[derive(Debug, Clone)]
pub struct FreshInvitation {
    pub token: NewToken,
    pub mail: NewMail,
}

/// Within `tx`, after the user's status became Invited: moves `invited_at`, issues the
/// token (spending older ones) and queues the email. False when the user can receive no
/// link (deleted meanwhile).
pub(crate) async fn invite_again_in(tx: &mut crate::sql::Tx, fresh: &FreshInvitation) -> Result<bool, StoreError> {
    let t = &fresh.token;
    tx.run()
        .execute(Sql::new("UPDATE users SET invited_at = $1 WHERE id = $2").bind(t.created_at).bind(t.user_id.0))
        .await?;
    crate::tokens::send_link_in(tx, t, &fresh.mail).await
}

/// When [`reissue`] gives a new invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reissue {
    /// Whenever the user is still invited ("Resend invitation").
    Always,
    /// Only while no invitation email of theirs is sent or pending (a re-run import
    /// re-sends what never left, and nothing twice).
    IfNeverEmailed,
}

/// Gives an invited user a new invitation token (spending the older ones), moves
/// `invited_at` and queues `mail`, in one transaction, if they are still invited (and, for
/// [`Reissue::IfNeverEmailed`], no invitation email of theirs left or waits). False otherwise.
pub async fn reissue(
    db: &Db,
    token: &NewToken,
    audit: &NewAuditEvent,
    mail: &NewMail,
    when: Reissue,
) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    // The row lock first: on PostgreSQL the check below then sees the mail a concurrent
    // re-send committed (each READ COMMITTED statement reads the latest commits).
    crate::bots::lock_user(&mut tx, token.user_id).await?;
    let mut still_invited =
        Sql::new("UPDATE users SET invited_at = $1 WHERE id = $2 AND status = $3 AND deleted_at IS NULL");
    if when == Reissue::IfNeverEmailed {
        still_invited.push(
            " AND NOT EXISTS (SELECT 1 FROM outbox WHERE user_id = $2 AND kind = 'invitation' \
             AND status IN ('pending', 'sent'))",
        );
    }
    let still_invited = still_invited.bind(token.created_at).bind(token.user_id.0).bind(UserStatus::Invited.as_str());
    let mut done = audit::update_audited(&mut tx, still_invited, audit).await?;
    // No link (and no mail) for a user deleted or suspended meanwhile: the whole change rolls back.
    done = done && crate::tokens::send_link_in(&mut tx, token, mail).await?;
    tx.finish(done).await?;
    Ok(done)
}

/// The invited user behind a live invitation token.
pub type Invitee = crate::tokens::LinkUser;

/// The user a live (unused, unexpired) invitation token is for.
pub async fn find_live(db: &Db, token_hash: &[u8], now: Micros) -> Result<Option<Invitee>, StoreError> {
    crate::tokens::link_user(db, token_hash, TokenPurpose::Invitation, now).await
}

/// Spends the invitation token and makes its (still invited) user active with
/// `password_hash`, with `audit`, atomically. The user, or `None` when the token was spent
/// meanwhile or the user is no longer invited (nothing changes then).
pub async fn accept(
    db: &Db,
    token_hash: &[u8],
    now: Micros,
    password_hash: &str,
    audit: &NewAuditEvent,
) -> Result<Option<(UserId, AccountId)>, StoreError> {
    let mut tx = db.begin_write().await?;
    let Some(user) = crate::tokens::consume_in(&mut tx, token_hash, TokenPurpose::Invitation, now).await? else {
        return Ok(None);
    };
    let account: Option<Uuid> = tx
        .run()
        .fetch_scalar(
            Sql::new(
                "UPDATE users SET status = $4, password_hash = $1, version = version + 1, updated_at = $2 \
                 WHERE id = $3 AND status = $5 RETURNING account_id",
            )
            .bind(password_hash)
            .bind(now)
            .bind(user.0)
            .bind(UserStatus::Active.as_str())
            .bind(UserStatus::Invited.as_str()),
        )
        .await?;
    let Some(account) = account.map(AccountId) else {
        return Ok(None);
    };
    let mut event = audit.clone();
    event.target_user_id = Some(user.0);
    event.account_id = account;
    audit::insert(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(Some((user, account)))
}
