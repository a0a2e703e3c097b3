//! Password resets: issuing a reset link, what completing one needs to know, and the
//! completion itself (new hash, history, sessions ended, lockout cleared) in one
//! transaction. Links live in `user_tokens` with purpose `password_reset` (see [`crate::tokens`]).
//! Also the account's SSO switch, which forbids resets while on.

use crate::audit::{NewAuditEvent, insert_audit};
use crate::db::BeginWrite;
use crate::outbox::{NewMail, enqueue_mail};
use crate::sessions::Ending;
use crate::tokens::{NewToken, consume_token, issue_token};
use crate::{Db, Micros, StoreError};
use domain::ids::{AccountId, SessionId, UserId};
use sqlx::FromRow;
use uuid::Uuid;

/// The purpose of password-reset links.
pub const PASSWORD_RESET: &str = "password_reset";

/// Whether SSO is enabled for `account` (then the identity provider owns passwords).
pub async fn sso_enabled(db: &Db, account: AccountId) -> Result<bool, StoreError> {
    let on = with_db!(db, pool => {
        sqlx::query_scalar::<_, bool>("SELECT sso_enabled FROM accounts WHERE id = $1")
            .bind(account.0)
            .fetch_optional(pool)
            .await?
    });
    Ok(on.unwrap_or(false))
}

/// Switches SSO for `account` and appends `audit`, in one transaction.
pub async fn set_sso_enabled(db: &Db, account: AccountId, on: bool, audit: &NewAuditEvent) -> Result<(), StoreError> {
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        sqlx::query("UPDATE accounts SET sso_enabled = $1 WHERE id = $2")
            .bind(on)
            .bind(account.0)
            .execute(&mut *tx)
            .await?;
        insert_audit!(tx, audit);
        tx.commit().await?;
    });
    Ok(())
}

/// Stores a reset link for its user (older live links die), appends `audit` and queues
/// `mail` (the link), in one transaction.
pub async fn issue(db: &Db, token: &NewToken, audit: &NewAuditEvent, mail: &NewMail) -> Result<(), StoreError> {
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        issue_token!(tx, token);
        insert_audit!(tx, audit);
        enqueue_mail!(tx, std::slice::from_ref(mail));
        tx.commit().await?;
    });
    Ok(())
}

/// The user behind a live (unused, unexpired) reset link.
#[derive(Debug, Clone, FromRow)]
pub struct ResetTarget {
    pub user_id: Uuid,
    pub account_id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub status: String,
    pub password_hash: Option<String>,
    pub sso_enabled: bool,
    pub security_settings: Option<String>,
}

/// The user of the live reset link `token_hash`, without spending it.
pub async fn peek(db: &Db, token_hash: &[u8], now: Micros) -> Result<Option<ResetTarget>, StoreError> {
    let row = with_db!(db, pool => {
        sqlx::query_as::<_, ResetTarget>(
            "SELECT u.id AS user_id, u.account_id, u.email, u.first_name, u.last_name, u.status, u.password_hash, \
             a.sso_enabled, st.value AS security_settings \
             FROM user_tokens t JOIN users u ON u.id = t.user_id JOIN accounts a ON a.id = u.account_id \
             LEFT JOIN settings st ON st.account_id = u.account_id AND st.key = 'security' \
             WHERE t.token_hash = $1 AND t.purpose = 'password_reset' AND t.used_at IS NULL AND t.expires_at > $2 \
             AND u.deleted_at IS NULL",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(pool)
        .await?
    });
    Ok(row)
}

/// The user's most recent `n` earlier password hashes, newest first.
pub async fn history(db: &Db, user: UserId, n: u32) -> Result<Vec<String>, StoreError> {
    let rows = with_db!(db, pool => {
        sqlx::query_scalar::<_, String>(
            "SELECT password_hash FROM password_history WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2",
        )
        .bind(user.0)
        .bind(i64::from(n))
        .fetch_all(pool)
        .await?
    });
    Ok(rows)
}

/// Spends the link `token_hash` and, if it was live for `user`, sets the new password
/// (recorded in the history), clears a lockout (locked → active), ends every session and
/// appends `audit` — all in one transaction. False when the link was no longer live.
pub async fn complete(
    db: &Db,
    token_hash: &[u8],
    user: UserId,
    new_hash: &str,
    ending: &Ending,
    audit: &NewAuditEvent,
) -> Result<bool, StoreError> {
    let now = audit.at;
    let done = with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let spent = consume_token!(tx, token_hash, PASSWORD_RESET, now);
        let ok = spent == Some(user);
        if ok {
            sqlx::query(
                "UPDATE users SET password_hash = $1, failed_logins = 0, locked_at = NULL, lock_until = NULL, \
                 status = CASE WHEN status = 'locked' THEN 'active' ELSE status END, \
                 version = version + 1, updated_at = $2 WHERE id = $3",
            )
            .bind(new_hash)
            .bind(now)
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
            sqlx::query("INSERT INTO password_history (user_id, password_hash, created_at) VALUES ($1, $2, $3)")
                .bind(user.0)
                .bind(new_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            crate::sessions::end_all_in!(tx, user, ending);
            insert_audit!(tx, audit);
        }
        tx.commit().await?;
        ok
    });
    Ok(done)
}

/// Replaces `user`'s password if it is still `old_hash` (recording the old and the new one
/// in the history), ends their other sessions (all but `keep`) and appends `audit`, in one
/// transaction. False, changing nothing, when the password changed meanwhile.
pub async fn change(
    db: &Db,
    user: UserId,
    old_hash: &str,
    new_hash: &str,
    keep: SessionId,
    ending: &Ending,
    audit: &NewAuditEvent,
) -> Result<bool, StoreError> {
    let now = audit.at;
    let done = with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let n = sqlx::query(
            "UPDATE users SET password_hash = $1, version = version + 1, updated_at = $2 \
             WHERE id = $3 AND password_hash = $4",
        )
        .bind(new_hash)
        .bind(now)
        .bind(user.0)
        .bind(old_hash)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 1 {
            // The replaced password joins the history too (a password set without one, as
            // at account creation, would otherwise be reusable at once), just before the new.
            sqlx::query(
                "INSERT INTO password_history (user_id, password_hash, created_at) SELECT $1, $2, $3 \
                 WHERE NOT EXISTS (SELECT 1 FROM password_history WHERE user_id = $1 AND password_hash = $2)",
            )
            .bind(user.0)
            .bind(old_hash)
            .bind(now - 1)
            .execute(&mut *tx)
            .await?;
            sqlx::query("INSERT INTO password_history (user_id, password_hash, created_at) VALUES ($1, $2, $3)")
                .bind(user.0)
                .bind(new_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE sessions SET ended_at = $1, ended_by_user_id = $2, end_cause = $3, end_reason = $4 \
                 WHERE user_id = $2 AND ended_at IS NULL AND id <> $5",
            )
            .bind(ending.at)
            .bind(user.0)
            .bind(ending.cause)
            .bind(&ending.reason)
            .bind(keep.0)
            .execute(&mut *tx)
            .await?;
            insert_audit!(tx, audit);
        }
        tx.commit().await?;
        n == 1
    });
    Ok(done)
}

/// `user`'s current password hash (none for invited users and SSO-only ones).
pub async fn password_hash(db: &Db, user: UserId) -> Result<Option<String>, StoreError> {
    let hash = with_db!(db, pool => {
        sqlx::query_scalar::<_, Option<String>>("SELECT password_hash FROM users WHERE id = $1")
            .bind(user.0)
            .fetch_optional(pool)
            .await?
    });
    Ok(hash.flatten())
}
