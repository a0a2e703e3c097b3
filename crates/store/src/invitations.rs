//! Invitations: invited users are inserted with their memberships, group memberships,
//! invitation token and audit event, one transaction per batch. An email that already
//! belongs to a user of the account is left alone: the unique index on
//! `(account_id, email_key)` decides (`ON CONFLICT DO NOTHING`), never a prior check, and
//! the answer names the user who holds the address.

use crate::audit::{NewAuditEvent, insert_audit};
use crate::db::BeginWrite;
use crate::outbox::{NewMail, enqueue_mail};
use crate::tokens::{INVITATION, NewToken, consume_token, issue_token};
use crate::users::{NewUser, USERS_PER_STATEMENT};
use crate::{Db, Micros, StoreError};
use domain::ids::{AccountId, GroupId, UserId};
use sqlx::{FromRow, QueryBuilder};
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
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        for chunk in invites.chunks(USERS_PER_STATEMENT) {
            let mut qb = QueryBuilder::new(
                "INSERT INTO users (id, account_id, email, email_key, first_name, last_name, name_key, search_text, \
                 status, builder_access, is_primary_admin, admin_role_id, password_hash, invited_at, last_login_at, \
                 created_at, updated_at) ",
            );
            qb.push_values(chunk, |mut row, i| crate::users::push_user_values!(row, &i.user));
            qb.push(" ON CONFLICT (account_id, email_key) DO NOTHING RETURNING id");
            let ids: Vec<(Uuid,)> = qb.build_query_as().fetch_all(&mut *tx).await?;
            created.extend(ids.into_iter().map(|(id,)| id));
        }
        let taken: Vec<String> =
            invites.iter().filter(|i| !created.contains(&i.user.id.0)).map(|i| i.user.email.key()).collect();
        for chunk in taken.chunks(USERS_PER_STATEMENT) {
            let mut qb = QueryBuilder::new("SELECT id, email_key, deleted_at FROM users WHERE account_id = ");
            qb.push_bind(invites[0].user.account_id.0).push(" AND email_key IN (");
            let mut keys = qb.separated(", ");
            for key in chunk {
                keys.push_bind(key.clone());
            }
            qb.push(")");
            let rows: Vec<Holder> = qb.build_query_as().fetch_all(&mut *tx).await?;
            holders.extend(rows.into_iter().map(|h| (h.email_key.clone(), h)));
        }
        let fresh: Vec<&NewInvitation> = invites.iter().filter(|i| created.contains(&i.user.id.0)).collect();
        let memberships: Vec<(Uuid, Uuid, i64)> = fresh
            .iter()
            .flat_map(|i| i.user.workspaces.iter().map(move |w| (i.user.id.0, w.0, i.user.created_at)))
            .collect();
        for chunk in memberships.chunks(5000) {
            let mut qb = QueryBuilder::new("INSERT INTO memberships (user_id, workspace_id, joined_at) ");
            qb.push_values(chunk, |mut row, (u, w, at)| {
                row.push_bind(*u).push_bind(*w).push_bind(*at);
            });
            qb.build().execute(&mut *tx).await?;
        }
        let groups: Vec<(Uuid, Uuid)> =
            fresh.iter().flat_map(|i| i.groups.iter().map(move |g| (g.0, i.user.id.0))).collect();
        for chunk in groups.chunks(5000) {
            let mut qb = QueryBuilder::new("INSERT INTO group_members (group_id, user_id) ");
            qb.push_values(chunk, |mut row, (g, u)| {
                row.push_bind(*g).push_bind(*u);
            });
            qb.build().execute(&mut *tx).await?;
        }
        for chunk in fresh.chunks(3000) {
            let mut qb =
                QueryBuilder::new("INSERT INTO user_tokens (token_hash, user_id, purpose, created_at, expires_at) ");
            qb.push_values(chunk, |mut row, i| {
                row.push_bind(i.token_hash.clone())
                    .push_bind(i.user.id.0)
                    .push_bind(INVITATION)
                    .push_bind(i.user.created_at)
                    .push_bind(i.expires_at);
            });
            qb.build().execute(&mut *tx).await?;
        }
        for chunk in fresh.chunks(3000) {
            let mut qb = QueryBuilder::new(
                "INSERT INTO audit_events (id, account_id, at, actor_user_id, action, target_user_id, workspace_id, ip, details) ",
            );
            qb.push_values(chunk, |mut row, i| {
                let e = &i.audit;
                row.push_bind(e.id)
                    .push_bind(e.account_id.0)
                    .push_bind(e.at)
                    .push_bind(e.actor_user_id)
                    .push_bind(e.action.clone())
                    .push_bind(e.target_user_id)
                    .push_bind(e.workspace_id)
                    .push_bind(e.ip.clone())
                    .push_bind(e.details.clone());
            });
            qb.build().execute(&mut *tx).await?;
        }
        let mails: Vec<NewMail> = fresh.iter().filter_map(|i| i.mail.clone()).collect();
        enqueue_mail!(tx, &mails);
        tx.commit().await?;
    });
    Ok(invites
        .iter()
        .map(|i| match holders.get(&i.user.email.key()) {
            _ if created.contains(&i.user.id.0) => Inserted::Created,
            Some(h) => Inserted::Exists { user_id: Some(UserId(h.id)), deleted_at: h.deleted_at },
            None => Inserted::Exists { user_id: None, deleted_at: None },
        })
        .collect())
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
    let unsent = match when {
        Reissue::Always => "",
        Reissue::IfNeverEmailed => {
            " AND NOT EXISTS (SELECT 1 FROM outbox WHERE user_id = $2 AND kind = 'invitation' \
             AND status IN ('pending', 'sent'))"
        }
    };
    let sql = format!("UPDATE users SET invited_at = $1 WHERE id = $2 AND status = 'invited'{unsent}");
    let done = with_db!(db, pool, d => {
        let mut tx = pool.begin_write().await?;
        // The row lock first: on PostgreSQL the check below then sees the mail a concurrent
        // re-send committed (each READ COMMITTED statement reads the latest commits).
        sqlx::query(d.lock_user()).bind(token.user_id.0).execute(&mut *tx).await?;
        let n = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token.created_at)
            .bind(token.user_id.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 1 {
            issue_token!(tx, token);
            insert_audit!(tx, audit);
            enqueue_mail!(tx, std::slice::from_ref(mail));
            tx.commit().await?;
        }
        n == 1
    });
    Ok(done)
}

/// The invited user behind a live invitation token.
#[derive(Debug, Clone, FromRow)]
pub struct Invitee {
    pub user_id: Uuid,
    pub account_id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub status: String,
    pub security_settings: Option<String>,
}

/// The user a live (unused, unexpired) invitation token is for.
pub async fn find_live(db: &Db, token_hash: &[u8], now: Micros) -> Result<Option<Invitee>, StoreError> {
    let row = with_db!(db, pool => {
        sqlx::query_as::<_, Invitee>(
            "SELECT u.id AS user_id, u.account_id, u.email, u.first_name, u.last_name, u.status, \
             st.value AS security_settings FROM user_tokens t JOIN users u ON u.id = t.user_id \
             LEFT JOIN settings st ON st.account_id = u.account_id AND st.key = 'security' \
             WHERE t.token_hash = $1 AND t.purpose = 'invitation' AND t.used_at IS NULL AND t.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(pool)
        .await?
    });
    Ok(row)
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
    let accepted = with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let Some(user) = consume_token!(tx, token_hash, INVITATION, now) else {
            return Ok(None);
        };
        let row: Option<(Uuid,)> = sqlx::query_as(
            "UPDATE users SET status = 'active', password_hash = $1, version = version + 1, updated_at = $2 \
             WHERE id = $3 AND status = 'invited' RETURNING account_id",
        )
        .bind(password_hash)
        .bind(now)
        .bind(user.0)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((account,)) = row else {
            return Ok(None);
        };
        let mut event = audit.clone();
        event.target_user_id = Some(user.0);
        event.account_id = AccountId(account);
        insert_audit!(tx, &event);
        tx.commit().await?;
        Some((user, AccountId(account)))
    });
    Ok(accepted)
}
