//! The mail outbox (transactional outbox pattern): a message is inserted with
//! [`enqueue_in`] inside the transaction of the change that causes it, so both commit or
//! neither does; a worker then claims due messages under a lease, delivers them and records
//! the outcome. Several instances on one PostgreSQL database never claim one message
//! twice: the claim is one `UPDATE` whose candidates are picked `FOR UPDATE SKIP LOCKED`,
//! re-checked against the lease; SQLite has one writer at a time.
//!
//! Delivery is at least once: a worker that dies after the server accepted a message but
//! before [`mark_sent`] leaves it to be sent again once its lease runs out.

use crate::sql::{Sql, Tx};
use crate::{Db, Micros, StoreError};
use domain::ids::{AccountId, UserId};
use domain::mail::{MailKind, MailStatus};
use sqlx::FromRow;
use uuid::Uuid;

/// Rows per multi-row `INSERT` (9 parameters each; SQLite allows 32,766).
pub(crate) const PER_STATEMENT: usize = 1000;

/// One message to queue.
#[derive(Debug, Clone)]
pub struct NewMail {
    pub id: Uuid,
    pub account_id: AccountId,
    /// The user the message is about (shown on their page; purged with them).
    pub user_id: Option<UserId>,
    pub kind: MailKind,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: Micros,
}

/// Inserts `mails` within the open transaction `tx`: they are delivered only if it
/// commits. Due at once.
pub(crate) async fn enqueue_in(tx: &mut Tx, mails: &[NewMail]) -> Result<(), StoreError> {
    for chunk in mails.chunks(PER_STATEMENT) {
        let mut sql = Sql::new(
            "INSERT INTO outbox (id, account_id, user_id, kind, recipient, subject, body, next_attempt_at, created_at) ",
        );
        sql.push_values(chunk, |row, m| {
            row.bind(m.id)
                .bind(m.account_id.0)
                .bind(m.user_id.map(|u| u.0))
                .bind(m.kind.as_str())
                .bind(&m.recipient)
                .bind(&m.subject)
                .bind(&m.body)
                .bind(m.created_at)
                .bind(m.created_at);
        });
        tx.run().execute(sql).await?;
    }
    Ok(())
}

/// Queues `mails` on their own (for messages that change nothing else).
pub async fn enqueue(db: &Db, mails: &[NewMail]) -> Result<(), StoreError> {
    db.write(async |tx| enqueue_in(tx, mails).await).await
}

/// A message claimed for delivery.
#[derive(Debug, Clone, FromRow)]
pub struct Claimed {
    pub id: Uuid,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// Failed attempts so far.
    pub attempts: i32,
}

/// Claims up to `limit` due messages (pending, `next_attempt_at <= now`, no live lease)
/// for the worker `claim` until `lease_until`, oldest due first.
pub async fn claim(
    db: &Db,
    claim: Uuid,
    now: Micros,
    lease_until: Micros,
    limit: i64,
) -> Result<Vec<Claimed>, StoreError> {
    // The candidates are picked once (a materialized CTE: PostgreSQL may otherwise re-run
    // a LIMIT subquery per row and claim more than `limit`), locked without waiting for
    // rows another worker is claiming, then re-checked by the UPDATE itself.
    let sql = format!(
        "WITH picked AS MATERIALIZED (SELECT id FROM outbox \
         WHERE status = 'pending' AND next_attempt_at <= $3 AND lease_until <= $3 \
         ORDER BY next_attempt_at LIMIT $4{}) \
         UPDATE outbox SET claim = $1, lease_until = $2 WHERE id IN (SELECT id FROM picked) \
         AND status = 'pending' AND lease_until <= $3 \
         RETURNING id, recipient, subject, body, attempts",
        if db.dialect().is_sqlite() { "" } else { " FOR UPDATE SKIP LOCKED" }
    );
    let mut tx = db.begin_write().await?;
    let rows: Vec<Claimed> =
        tx.run().fetch_all(Sql::new(sql).bind(claim).bind(lease_until).bind(now).bind(limit)).await?;
    tx.commit().await?;
    Ok(rows)
}

/// Records that message `id` (claimed by `claim`) was accepted at `now`. Its body, which
/// may carry a single-use link, is erased. False when the claim was lost (lease run out
/// and taken over).
pub async fn mark_sent(db: &Db, id: Uuid, claim: Uuid, now: Micros) -> Result<bool, StoreError> {
    let sent = Sql::new(
        "UPDATE outbox SET status = 'sent', sent_at = $1, body = '', claim = NULL, lease_until = 0, \
         last_error = NULL WHERE id = $2 AND claim = $3",
    );
    Ok(db.run().execute(sent.bind(now).bind(id).bind(claim)).await? == 1)
}

/// Records a failed attempt at message `id` (claimed by `claim`): retried at `retry_at`,
/// or given up (`failed`, body erased) when that is `None`.
pub async fn mark_failed(
    db: &Db,
    id: Uuid,
    claim: Uuid,
    error: &str,
    retry_at: Option<Micros>,
) -> Result<bool, StoreError> {
    let failed = Sql::new(
        "UPDATE outbox SET attempts = attempts + 1, last_error = $1, claim = NULL, lease_until = 0, \
         status = CASE WHEN $2 IS NULL THEN 'failed' ELSE 'pending' END, \
         next_attempt_at = COALESCE($2, next_attempt_at), \
         body = CASE WHEN $2 IS NULL THEN '' ELSE body END \
         WHERE id = $3 AND claim = $4",
    );
    Ok(db.run().execute(failed.bind(error).bind(retry_at).bind(id).bind(claim)).await? == 1)
}

/// Gives back what the worker `claim` holds and has not attempted (it is stopping).
pub async fn release(db: &Db, claim: Uuid) -> Result<(), StoreError> {
    let sql = "UPDATE outbox SET claim = NULL, lease_until = 0 WHERE claim = $1 AND status = 'pending'";
    db.run().execute(Sql::new(sql).bind(claim)).await?;
    Ok(())
}

/// When the next pending message is due (it may be now or past), if any.
pub async fn next_due(db: &Db) -> Result<Option<Micros>, StoreError> {
    let at: Option<Option<i64>> = db
        .run()
        .fetch_scalar(Sql::new(
            "SELECT MIN(CASE WHEN lease_until > next_attempt_at THEN lease_until ELSE next_attempt_at END) \
             FROM outbox WHERE status = 'pending'",
        ))
        .await?;
    Ok(at.flatten())
}

/// Messages waiting for delivery in the whole database (for `roster_mail_queued`).
pub async fn pending_count(db: &Db) -> Result<i64, StoreError> {
    let n: Option<i64> =
        db.run().fetch_scalar(Sql::new("SELECT count(*) FROM outbox WHERE status = 'pending'")).await?;
    Ok(n.unwrap_or(0))
}

/// Messages due by `now` and not yet sent or given up (being delivered included).
pub async fn due_count(db: &Db, now: Micros) -> Result<i64, StoreError> {
    let sql = "SELECT count(*) FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1";
    let n: Option<i64> = db.run().fetch_scalar(Sql::new(sql).bind(now)).await?;
    Ok(n.unwrap_or(0))
}

/// Where one message stands, as admins see it.
#[derive(Debug, Clone, FromRow)]
pub struct MailState {
    #[sqlx(try_from = "String")]
    pub kind: MailKind,
    #[sqlx(try_from = "String")]
    pub status: MailStatus,
    /// Failed attempts so far.
    pub attempts: i32,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

/// The newest message of each kind about `user` (one per kind, by kind).
pub async fn latest_for_user(db: &Db, account: AccountId, user: UserId) -> Result<Vec<MailState>, StoreError> {
    let rows: Vec<MailState> = db
        .run()
        .fetch_all(
            Sql::new(
                "SELECT kind, status, attempts, next_attempt_at, last_error, created_at, sent_at FROM outbox \
                 WHERE user_id = $1 AND account_id = $2 ORDER BY created_at DESC LIMIT 100",
            )
            .bind(user.0)
            .bind(account.0),
        )
        .await?;
    let mut latest: Vec<MailState> = Vec::new();
    for row in rows {
        if !latest.iter().any(|m| m.kind == row.kind) {
            latest.push(row);
        }
    }
    latest.sort_by_key(|m| m.kind.as_str());
    Ok(latest)
}

/// Of `users`, the ones still invited (and not deleted) whose invitation email never left:
/// no invitation message of theirs is sent or still pending (none was ever queued — an
/// import without email, or one from before the outbox — or the last one was given up on).
pub async fn invited_never_emailed(db: &Db, account: AccountId, users: &[UserId]) -> Result<Vec<UserId>, StoreError> {
    let mut found = Vec::new();
    for chunk in users.chunks(PER_STATEMENT) {
        let mut sql = Sql::new(
            "SELECT u.id FROM users u WHERE u.status = 'invited' AND u.deleted_at IS NULL AND u.account_id = $1 \
             AND u.id IN (",
        )
        .bind(account.0);
        for (i, u) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "" } else { ", " }).push_bind(u.0);
        }
        sql.push(
            ") AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.user_id = u.id AND o.kind = 'invitation' \
             AND o.status IN ('pending', 'sent'))",
        );
        let ids: Vec<Uuid> = db.run().fetch_column(sql).await?;
        found.extend(ids.into_iter().map(UserId));
    }
    Ok(found)
}
