//! Single-use user tokens (invitation and password-reset links). Only the SHA-256 of a
//! token is stored. Issuing a token for a user and purpose spends every older live one, so
//! at most one link works at a time; consuming is one atomic `UPDATE … RETURNING`, so a link
//! works exactly once even under concurrent clicks. A trigger spends every live token of a
//! user who is deleted, suspended or moves to another address (migration 0045), and no
//! token is issued to such a user, so no link outlives the standing it was sent for.

use crate::sql::{Sql, Tx};
use crate::{Micros, StoreError};
use domain::ids::UserId;
use uuid::Uuid;

/// What a token is for (stored in `user_tokens.purpose`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    /// An invitation link: sets the first password and activates the user.
    Invitation,
    /// A password-reset link.
    PasswordReset,
}

impl TokenPurpose {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invitation => "invitation",
            Self::PasswordReset => "password_reset",
        }
    }
}

/// A token to store.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub token_hash: Vec<u8>,
    pub user_id: UserId,
    pub purpose: TokenPurpose,
    pub created_at: Micros,
    pub expires_at: Micros,
}

/// Spends the user's older live tokens of the same purpose and stores `token`, within the
/// open transaction `tx`; `false`, storing nothing, when the user may no longer be sent a
/// link (deleted or suspended meanwhile). The user's row stays locked until `tx` ends, so a
/// concurrent deletion or suspension comes after and its trigger spends this token.
pub(crate) async fn issue_in(tx: &mut Tx, token: &NewToken) -> Result<bool, StoreError> {
    let t = token;
    let recipient = Sql::new(tx.dialect().lock_link_recipient()).bind(t.user_id.0);
    if tx.run().fetch_optional::<(Uuid,)>(recipient).await?.is_none() {
        return Ok(false);
    }
    tx.run()
        .execute(
            Sql::new("UPDATE user_tokens SET used_at = $1 WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL")
                .bind(t.created_at)
                .bind(t.user_id.0)
                .bind(t.purpose.as_str()),
        )
        .await?;
    tx.run().execute(
        Sql::new(
            "INSERT INTO user_tokens (token_hash, user_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&t.token_hash)
        .bind(t.user_id.0)
        .bind(t.purpose.as_str())
        .bind(t.created_at)
        .bind(t.expires_at),
    )
    .await?;
    Ok(true)
}

/// Spends the live token `hash` of `purpose` within the open transaction `tx`: the user it
/// was for, or `None` when it is unknown, used or expired.
pub(crate) async fn consume_in(
    tx: &mut Tx,
    hash: &[u8],
    purpose: TokenPurpose,
    now: Micros,
) -> Result<Option<UserId>, StoreError> {
    let user: Option<Uuid> = tx
        .run()
        .fetch_scalar(
            Sql::new(
                "UPDATE user_tokens SET used_at = $1 WHERE token_hash = $2 AND purpose = $3 \
                 AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
            )
            .bind(now)
            .bind(hash)
            .bind(purpose.as_str()),
        )
        .await?;
    Ok(user.map(UserId))
}

/// Consumes a token on its own: the user it was for, or `None`.
pub async fn consume(
    db: &crate::Db,
    token_hash: &[u8],
    purpose: TokenPurpose,
    now: Micros,
) -> Result<Option<UserId>, StoreError> {
    let mut tx = db.begin_write().await?;
    let user = consume_in(&mut tx, token_hash, purpose, now).await?;
    tx.commit().await?;
    Ok(user)
}
