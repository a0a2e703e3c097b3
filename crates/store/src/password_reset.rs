//! Password resets: issuing a reset link, what completing one needs to know, and the
//! completion itself (new hash, history, sessions ended, lockout cleared) in one
//! transaction. Links live in `user_tokens` with purpose `password_reset` (see [`crate::tokens`]).
//! Also the account's SSO switch, which forbids resets while on.

use crate::audit::{self, NewAuditEvent};
use crate::outbox::NewMail;
use crate::sessions::Ending;
use crate::sql::{Sql, Tx};
use crate::tokens::{NewToken, TokenPurpose};
use crate::{Db, Micros, StoreError};
use domain::ids::{AccountId, SessionId, UserId};
use domain::user::UserStatus;

/// Whether SSO is enabled for `account` (then the identity provider owns passwords).
pub async fn sso_enabled(db: &Db, account: AccountId) -> Result<bool, StoreError> {
    let on = db.run().fetch_scalar(Sql::new("SELECT sso_enabled FROM accounts WHERE id = $1").bind(account.0)).await?;
    Ok(on.unwrap_or(false))
}

/// Switches SSO for `account` and appends `audit`, in one transaction.
pub async fn set_sso_enabled(db: &Db, account: AccountId, on: bool, audit: &NewAuditEvent) -> Result<(), StoreError> {
    let switch = Sql::new("UPDATE accounts SET sso_enabled = $1 WHERE id = $2").bind(on).bind(account.0);
    audit::commit_audited(db, switch, audit).await?;
    Ok(())
}

/// Stores a reset link for its user (older live links die), appends `audit` and queues
/// `mail` (the link), in one transaction. False, storing nothing, when the user was deleted
/// or suspended meanwhile.
pub async fn issue(db: &Db, token: &NewToken, audit: &NewAuditEvent, mail: &NewMail) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    let issued = crate::tokens::send_link_in(&mut tx, token, mail).await?;
    if issued {
        audit::insert(&mut tx, audit).await?;
    }
    tx.finish(issued).await?;
    Ok(issued)
}

/// The user behind a live (unused, unexpired) reset link.
pub type ResetTarget = crate::tokens::LinkUser;

/// The user of the live reset link `token_hash`, without spending it.
pub async fn peek(db: &Db, token_hash: &[u8], now: Micros) -> Result<Option<ResetTarget>, StoreError> {
    crate::tokens::link_user(db, token_hash, TokenPurpose::PasswordReset, now).await
}

/// The user's most recent `n` earlier password hashes, newest first.
pub async fn history(db: &Db, user: UserId, n: u32) -> Result<Vec<String>, StoreError> {
    db.run()
        .fetch_column(
            Sql::new("SELECT password_hash FROM password_history WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2")
                .bind(user.0)
                .bind(i64::from(n)),
        )
        .await
}

/// Adds `hash`, set for `user` at `at`, to the password history; with `once`, only when the
/// history does not hold it yet.
async fn remember(tx: &mut Tx, user: UserId, hash: &str, at: Micros, once: bool) -> Result<(), StoreError> {
    let mut sql = Sql::new("INSERT INTO password_history (user_id, password_hash, created_at) SELECT $1, $2, $3");
    if once {
        sql.push(" WHERE NOT EXISTS (SELECT 1 FROM password_history WHERE user_id = $1 AND password_hash = $2)");
    }
    tx.run().execute(sql.bind(user.0).bind(hash).bind(at)).await?;
    Ok(())
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
    let mut tx = db.begin_write().await?;
    let spent = crate::tokens::consume_in(&mut tx, token_hash, TokenPurpose::PasswordReset, now).await?;
    let ok = spent == Some(user);
    if ok {
        tx.run()
            .execute(
                Sql::new(
                    "UPDATE users SET password_hash = $1, failed_logins = 0, locked_at = NULL, lock_until = NULL, \
                 status = CASE WHEN status = $4 THEN $5 ELSE status END, \
                 version = version + 1, updated_at = $2 WHERE id = $3",
                )
                .bind(new_hash)
                .bind(now)
                .bind(user.0)
                .bind(UserStatus::Locked.as_str())
                .bind(UserStatus::Active.as_str()),
            )
            .await?;
        remember(&mut tx, user, new_hash, now, false).await?;
        crate::sessions::end_all_in(&mut tx, user, None, ending).await?;
        audit::insert(&mut tx, audit).await?;
    }
    tx.commit().await?;
    Ok(ok)
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
    let mut tx = db.begin_write().await?;
    let replace = Sql::new(
        "UPDATE users SET password_hash = $1, version = version + 1, updated_at = $2 \
         WHERE id = $3 AND password_hash = $4",
    )
    .bind(new_hash)
    .bind(now)
    .bind(user.0)
    .bind(old_hash);
    let done = audit::update_audited(&mut tx, replace, audit).await?;
    if done {
        // The replaced password joins the history too (a password set without one, as
        // at account creation, would otherwise be reusable at once), just before the new.
        remember(&mut tx, user, old_hash, now - 1, true).await?;
        remember(&mut tx, user, new_hash, now, false).await?;
        crate::sessions::end_all_in(&mut tx, user, Some(keep), ending).await?;
    }
    tx.commit().await?;
    Ok(done)
}

/// `user`'s current password hash (none for invited users and SSO-only ones).
pub async fn password_hash(db: &Db, user: UserId) -> Result<Option<String>, StoreError> {
    let hash: Option<Option<String>> =
        db.run().fetch_scalar(Sql::new("SELECT password_hash FROM users WHERE id = $1").bind(user.0)).await?;
    Ok(hash.flatten())
}
