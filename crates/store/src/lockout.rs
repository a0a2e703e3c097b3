//! Failed sign-ins and the Locked status. The failure counter is one atomic `UPDATE …
//! RETURNING`, so concurrent guesses count exactly and lock the user exactly once.

use crate::audit::{self, NewAuditEvent};
use crate::sessions::Ending;
use crate::sql::Sql;
use crate::{Db, Micros, StoreError};
use domain::closed::EndCause;
use domain::ids::UserId;
use domain::user::UserStatus;
use sqlx::FromRow;
use uuid::Uuid;

/// What one failed sign-in did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    /// Consecutive failures so far (0 when the user was not active, so nothing counted).
    pub failed_logins: i32,
    /// This failure locked the user (and ended their sessions).
    pub locked_now: bool,
}

#[derive(FromRow)]
struct Counted {
    failed_logins: i32,
    #[sqlx(try_from = "String")]
    status: UserStatus,
}

/// Records a failed sign-in from `ip` (kept for the profile) and appends `failed_event`,
/// whatever the user's status; counts it only when `counts` (the refusal is one that
/// counts: a wrong password on an open way) and the user is active, so a locked user's
/// count never passes `max_attempts`. The failure that reaches `max_attempts` locks the
/// user until `lock_until` (`None`: until an admin unlocks), ends all their sessions and
/// appends `locked_event`. All in one transaction, whose commit does not wait for the disk
/// (see [`crate::dialect::Dialect::commit_without_flush`]), and whose writes are the same
/// whatever the status (the user's row is rewritten even when nothing is counted) and the
/// same as an unknown email's ([`record_failure_of_nobody`]): a refusal's time does not
/// tell the user's state.
#[allow(clippy::too_many_arguments)]
pub async fn record_failure(
    db: &Db,
    user: UserId,
    ip: &str,
    (counts, max_attempts): (bool, i32),
    now: Micros,
    lock_until: Option<Micros>,
    failed_event: &NewAuditEvent,
    locked_event: &NewAuditEvent,
) -> Result<Failure, StoreError> {
    let mut tx = db.begin_write().await?;
    if let Some(sql) = tx.dialect().commit_without_flush() {
        tx.run().execute(Sql::new(sql)).await?;
    }
    let count = Sql::new(
        "UPDATE users SET failed_logins = failed_logins + 1, \
                 status = CASE WHEN failed_logins + 1 >= $2 THEN $5 ELSE status END, \
                 locked_at = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_at END, \
                 lock_until = CASE WHEN failed_logins + 1 >= $2 THEN $4 ELSE lock_until END \
                 WHERE id = $1 AND status = $6 RETURNING failed_logins, status",
    )
    .bind(user.0)
    .bind(max_attempts)
    .bind(now)
    .bind(lock_until)
    .bind(UserStatus::Locked.as_str())
    .bind(UserStatus::Active.as_str());
    let counted: Option<Counted> = if counts { tx.run().fetch_optional(count).await? } else { None };
    if counted.is_none() {
        // Nothing counted (a refusal that does not count; a user who is not active): the
        // row is written all the same, so every refusal costs the write a wrong password
        // costs.
        tx.run().execute(Sql::new(TOUCH).bind(user.0)).await?;
    }
    tx.run()
        .execute(
            Sql::new("INSERT INTO login_failures (id, user_id, at, ip) VALUES ($1, $2, $3, $4)")
                .bind(Uuid::now_v7())
                .bind(user.0)
                .bind(now)
                .bind(ip),
        )
        .await?;
    audit::insert(&mut tx, failed_event).await?;
    let locked_now = counted.as_ref().is_some_and(|c| c.status == UserStatus::Locked);
    if locked_now {
        let ending = Ending {
            by_user: None,
            for_workspace: None,
            cause: EndCause::Locked,
            reason: Some("too many failed sign-ins".to_owned()),
            at: now,
        };
        crate::sessions::end_all_in(&mut tx, user, None, &ending).await?;
        audit::insert(&mut tx, locked_event).await?;
    }
    tx.commit().await?;
    Ok(Failure { failed_logins: counted.map_or(0, |c| c.failed_logins), locked_now })
}

/// Rewrites a user's row unchanged: the write a counted failure makes, without counting.
const TOUCH: &str = "UPDATE users SET failed_logins = failed_logins WHERE id = $1";

/// Clears a lockout: back to active, no failures counted.
const UNLOCK: &str = "UPDATE users SET status = $2, failed_logins = 0, locked_at = NULL, lock_until = NULL \
     WHERE id = $1 AND status = $3";

fn unlock_sql(user: UserId) -> Sql {
    Sql::new(UNLOCK).bind(user.0).bind(UserStatus::Active.as_str()).bind(UserStatus::Locked.as_str())
}

/// The database work of [`record_failure`] for a sign-in whose email matches no user (the
/// dummy hash's idea applied to the database): the same transaction, commit behaviour and
/// writes — a user row rewritten, a failure record and an audit event inserted — made on
/// some user of the installation inside a savepoint that is rolled back, so an unknown
/// email costs what a wrong password costs and leaves nothing behind.
pub async fn record_failure_of_nobody(db: &Db, ip: &str, now: Micros) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    if let Some(sql) = tx.dialect().commit_without_flush() {
        tx.run().execute(Sql::new(sql)).await?;
    }
    let nobody = Sql::new("UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 AND status = $2")
        .bind(Uuid::nil())
        .bind(UserStatus::Active.as_str());
    tx.run().execute(nobody).await?;
    let someone: Option<Stand> = tx.run().fetch_optional(Sql::new("SELECT id, account_id FROM users LIMIT 1")).await?;
    if let Some(s) = someone {
        tx.run().execute(Sql::new("SAVEPOINT nobody")).await?;
        tx.run().execute(Sql::new(TOUCH).bind(s.id)).await?;
        tx.run()
            .execute(
                Sql::new("INSERT INTO login_failures (id, user_id, at, ip) VALUES ($1, $2, $3, $4)")
                    .bind(Uuid::now_v7())
                    .bind(s.id)
                    .bind(now)
                    .bind(ip),
            )
            .await?;
        let event = NewAuditEvent {
            id: Uuid::now_v7(),
            account_id: domain::ids::AccountId(s.account_id),
            at: now,
            actor_user_id: None,
            action: domain::closed::AuditAction::LoginFailed,
            target_user_id: Some(s.id),
            workspace_id: None,
            ip: Some(ip.to_owned()),
            details: r#"{"reason":"wrong password"}"#.to_owned(),
        };
        audit::insert(&mut tx, &event).await?;
        tx.run().execute(Sql::new("ROLLBACK TO SAVEPOINT nobody")).await?;
    }
    tx.commit().await
}

/// The user whose row stands in for nobody's in [`record_failure_of_nobody`].
#[derive(sqlx::FromRow)]
struct Stand {
    id: Uuid,
    account_id: Uuid,
}

/// Lifts a lockout whose time is up. True when this call unlocked the user.
pub async fn unlock_if_due(db: &Db, user: UserId, now: Micros) -> Result<bool, StoreError> {
    let mut due = unlock_sql(user);
    due.push(" AND lock_until IS NOT NULL AND lock_until <= ").push_bind(now);
    Ok(db.run().execute(due).await? == 1)
}

/// An admin lifts a lockout, with its audit event. False when the user was not locked.
pub async fn unlock(db: &Db, user: UserId, audit: &NewAuditEvent) -> Result<bool, StoreError> {
    audit::commit_audited(db, unlock_sql(user), audit).await
}

/// One failed sign-in, for the profile.
#[derive(Debug, Clone, FromRow)]
pub struct FailureRow {
    pub at: i64,
    pub ip: String,
}

/// The most recent failed sign-ins of `user`, newest first.
pub async fn recent_failures(db: &Db, user: UserId, limit: u32) -> Result<Vec<FailureRow>, StoreError> {
    db.run()
        .fetch_all(
            Sql::new("SELECT at, ip FROM login_failures WHERE user_id = $1 ORDER BY at DESC LIMIT $2")
                .bind(user.0)
                .bind(i64::from(limit)),
        )
        .await
}
