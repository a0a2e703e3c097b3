//! Single-use user tokens (invitation and password-reset links). Only the SHA-256 of a
//! token is stored. Issuing a token for a user and purpose spends every older live one, so
//! at most one link works at a time; consuming is one atomic `UPDATE … RETURNING`, so a link
//! works exactly once even under concurrent clicks. A trigger spends every live token of a
//! user who is deleted, suspended or moves to another address (migration 0045), and no
//! token is issued to such a user, so no link outlives the standing it was sent for.

use crate::sql::{Sql, Tx};
use crate::{Db, Micros, StoreError};
use domain::ids::UserId;
use domain::user::UserStatus;
use sqlx::FromRow;
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

/// The user behind a live (unused, unexpired) single-use link, with what the link's page
/// and its use case need: who they are, their standing, whether they have a password, and
/// their account's SSO switch and security settings (JSON, if ever saved).
#[derive(Debug, Clone, FromRow)]
pub struct LinkUser {
    pub user_id: Uuid,
    pub account_id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    #[sqlx(try_from = "String")]
    pub status: UserStatus,
    pub password_hash: Option<String>,
    pub sso_enabled: bool,
    pub security_settings: Option<String>,
}

/// The user of the live link of `purpose` whose token hashes to `token_hash`, without
/// spending it; `None` for an unknown, used or expired link, or a deleted user.
pub async fn link_user(
    db: &Db,
    token_hash: &[u8],
    purpose: TokenPurpose,
    now: Micros,
) -> Result<Option<LinkUser>, StoreError> {
    db.run()
        .fetch_optional(
            Sql::new(
                "SELECT u.id AS user_id, u.account_id, u.email, u.first_name, u.last_name, u.status, u.password_hash, \
                 a.sso_enabled, st.value AS security_settings \
                 FROM user_tokens t JOIN users u ON u.id = t.user_id JOIN accounts a ON a.id = u.account_id \
                 LEFT JOIN settings st ON st.account_id = u.account_id AND st.key = 'security' \
                 WHERE t.token_hash = $1 AND t.purpose = $3 AND t.used_at IS NULL AND t.expires_at > $2 \
                 AND u.deleted_at IS NULL",
            )
            .bind(token_hash)
            .bind(now)
            .bind(purpose.as_str()),
        )
        .await
}

/// Within `tx`: issues `token` (spending the user's older live links of its purpose, see
/// [`issue_in`]) and queues `mail`, the message that carries it. False, queuing nothing,
/// when the user can receive no link (deleted, suspended).
pub(crate) async fn send_link_in(
    tx: &mut Tx,
    token: &NewToken,
    mail: &crate::outbox::NewMail,
) -> Result<bool, StoreError> {
    if !issue_in(tx, token).await? {
        return Ok(false);
    }
    crate::outbox::enqueue_in(tx, std::slice::from_ref(mail)).await?;
    Ok(true)
}
