//! Single-use user tokens (invitation and password-reset links). Only the SHA-256 of a
//! token is stored. Issuing a token for a user and purpose spends every older live one, so
//! at most one link works at a time; consuming is one atomic `UPDATE … RETURNING`, so a link
//! works exactly once even under concurrent clicks. A trigger spends every live token of a
//! user who is deleted, suspended or moves to another address (migration 0045), and no
//! token is issued to such a user, so no link outlives the standing it was sent for.

use crate::{Micros, StoreError};
use domain::ids::UserId;

/// The purpose of invitation links.
pub const INVITATION: &str = "invitation";

/// A token to store.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub token_hash: Vec<u8>,
    pub user_id: UserId,
    pub purpose: &'static str,
    pub created_at: Micros,
    pub expires_at: Micros,
}

/// Spends the user's older live tokens of the same purpose and stores `$token`, with the
/// open transaction `$tx` of the backend whose [`crate::dialect::Dialect`] is `$dialect`;
/// evaluates to `false`, storing nothing, when the user may no longer be sent a link
/// (deleted or suspended meanwhile). The user's row stays locked until `$tx` ends.
macro_rules! issue_token {
    ($tx:expr, $dialect:expr, $token:expr) => {{
        let t: &$crate::tokens::NewToken = $token;
        let recipient: Option<(uuid::Uuid,)> =
            sqlx::query_as($dialect.lock_link_recipient()).bind(t.user_id.0).fetch_optional(&mut *$tx).await?;
        if recipient.is_some() {
            sqlx::query(
                "UPDATE user_tokens SET used_at = $1 WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL",
            )
            .bind(t.created_at)
            .bind(t.user_id.0)
            .bind(t.purpose)
            .execute(&mut *$tx)
            .await?;
            sqlx::query(
                "INSERT INTO user_tokens (token_hash, user_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&t.token_hash)
            .bind(t.user_id.0)
            .bind(t.purpose)
            .bind(t.created_at)
            .bind(t.expires_at)
            .execute(&mut *$tx)
            .await?;
        }
        recipient.is_some()
    }};
}
pub(crate) use issue_token;

/// Spends the live token `$hash` of `$purpose` with the open transaction `$tx`; evaluates to
/// the user it was for, or `None` when it is unknown, used or expired.
macro_rules! consume_token {
    ($tx:expr, $hash:expr, $purpose:expr, $now:expr) => {{
        let row: Option<(uuid::Uuid,)> = sqlx::query_as(
            "UPDATE user_tokens SET used_at = $1 WHERE token_hash = $2 AND purpose = $3 \
             AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
        )
        .bind($now)
        .bind($hash)
        .bind($purpose)
        .fetch_optional(&mut *$tx)
        .await?;
        row.map(|(u,)| UserId(u))
    }};
}
pub(crate) use consume_token;

/// Consumes a token on its own: the user it was for, or `None`.
pub async fn consume(
    db: &crate::Db,
    token_hash: &[u8],
    purpose: &'static str,
    now: Micros,
) -> Result<Option<UserId>, StoreError> {
    use crate::db::BeginWrite;
    let user = with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let user = consume_token!(tx, token_hash, purpose, now);
        tx.commit().await?;
        user
    });
    Ok(user)
}
