//! Failed sign-ins and the Locked status. The failure counter is one atomic `UPDATE …
//! RETURNING`, so concurrent guesses count exactly and lock the user exactly once.

use crate::audit::{NewAuditEvent, insert_audit};
use crate::db::BeginWrite;
use crate::{Db, Micros, StoreError};
use domain::ids::UserId;
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
    status: String,
}

/// Records a failed sign-in from `ip` (kept for the profile) and appends `failed_event`,
/// whatever the user's status; counts it only while the user is active, so a locked user's
/// count never passes `max_attempts`. The failure that reaches `max_attempts` locks the
/// user until `lock_until` (`None`: until an admin unlocks), ends all their sessions and
/// appends `locked_event`. All in one transaction, whose commit does not wait for the disk
/// (see [`crate::dialect::Dialect::commit_without_flush`]): a refused sign-in must cost
/// what an unknown email costs, which writes nothing.
#[allow(clippy::too_many_arguments)]
pub async fn record_failure(
    db: &Db,
    user: UserId,
    ip: &str,
    max_attempts: i32,
    now: Micros,
    lock_until: Option<Micros>,
    failed_event: &NewAuditEvent,
    locked_event: &NewAuditEvent,
) -> Result<Failure, StoreError> {
    let failure = with_db!(db, pool, dialect => {
        let mut tx = pool.begin_write().await?;
        if let Some(sql) = dialect.commit_without_flush() {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
        let counted = sqlx::query_as::<_, Counted>(
            "UPDATE users SET failed_logins = failed_logins + 1, \
             status = CASE WHEN failed_logins + 1 >= $2 THEN 'locked' ELSE status END, \
             locked_at = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_at END, \
             lock_until = CASE WHEN failed_logins + 1 >= $2 THEN $4 ELSE lock_until END \
             WHERE id = $1 AND status = 'active' RETURNING failed_logins, status",
        )
        .bind(user.0)
        .bind(max_attempts)
        .bind(now)
        .bind(lock_until)
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO login_failures (id, user_id, at, ip) VALUES ($1, $2, $3, $4)")
            .bind(Uuid::now_v7())
            .bind(user.0)
            .bind(now)
            .bind(ip)
            .execute(&mut *tx)
            .await?;
        insert_audit!(tx, failed_event);
        let locked_now = counted.as_ref().is_some_and(|c| c.status == "locked");
        if locked_now {
            sqlx::query(
                "UPDATE sessions SET ended_at = $1, end_cause = 'locked', \
                 end_reason = 'too many failed sign-ins' WHERE user_id = $2 AND ended_at IS NULL",
            )
            .bind(now)
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
            insert_audit!(tx, locked_event);
        }
        tx.commit().await?;
        Failure { failed_logins: counted.map_or(0, |c| c.failed_logins), locked_now }
    });
    Ok(failure)
}

/// The database work of [`record_failure`] for a sign-in whose email matches no user: the
/// same transaction and counter update, matching no row (the dummy hash's idea applied to
/// the database), so an unknown email does not answer sooner than a wrong password.
pub async fn record_failure_of_nobody(db: &Db) -> Result<(), StoreError> {
    with_db!(db, pool, dialect => {
        let mut tx = pool.begin_write().await?;
        if let Some(sql) = dialect.commit_without_flush() {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 AND status = 'active'")
            .bind(Uuid::nil())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    });
    Ok(())
}

/// Lifts a lockout whose time is up. True when this call unlocked the user.
pub async fn unlock_if_due(db: &Db, user: UserId, now: Micros) -> Result<bool, StoreError> {
    let n = with_db!(db, pool => {
        sqlx::query(
            "UPDATE users SET status = 'active', failed_logins = 0, locked_at = NULL, lock_until = NULL \
             WHERE id = $1 AND status = 'locked' AND lock_until IS NOT NULL AND lock_until <= $2",
        )
        .bind(user.0)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// An admin lifts a lockout, with its audit event. False when the user was not locked.
pub async fn unlock(db: &Db, user: UserId, audit: &NewAuditEvent) -> Result<bool, StoreError> {
    let done = with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let n = sqlx::query(
            "UPDATE users SET status = 'active', failed_logins = 0, locked_at = NULL, lock_until = NULL \
             WHERE id = $1 AND status = 'locked'",
        )
        .bind(user.0)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 1 {
            insert_audit!(tx, audit);
        }
        tx.commit().await?;
        n == 1
    });
    Ok(done)
}

/// One failed sign-in, for the profile.
#[derive(Debug, Clone, FromRow)]
pub struct FailureRow {
    pub at: i64,
    pub ip: String,
}

/// The most recent failed sign-ins of `user`, newest first.
pub async fn recent_failures(db: &Db, user: UserId, limit: u32) -> Result<Vec<FailureRow>, StoreError> {
    let rows = with_db!(db, pool => {
        sqlx::query_as::<_, FailureRow>("SELECT at, ip FROM login_failures WHERE user_id = $1 ORDER BY at DESC LIMIT $2")
            .bind(user.0)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
    });
    Ok(rows)
}
