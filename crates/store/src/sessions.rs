//! Login sessions: created at sign-in, looked up by token hash on every request.

use crate::{Db, Micros, StoreError};
use domain::ids::{SessionId, UserId, WorkspaceId};
use sqlx::FromRow;
use uuid::Uuid;

/// A session to create. The secret token itself is never stored, only its hash.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: SessionId,
    pub token_hash: Vec<u8>,
    pub user_id: UserId,
    pub workspace_id: Option<WorkspaceId>,
    pub csrf_token: String,
    pub device_type: String,
    pub browser: String,
    pub os: String,
    pub ip: String,
    pub user_agent: String,
    pub created_at: Micros,
    pub expires_at: Micros,
}

pub async fn create(db: &Db, s: &NewSession) -> Result<(), StoreError> {
    with_db!(db, pool => {
        sqlx::query(
            "INSERT INTO sessions (id, token_hash, user_id, workspace_id, csrf_token, device_type, browser, \
             os, ip, user_agent, created_at, last_activity_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)",
        )
        .bind(s.id.0)
        .bind(&s.token_hash)
        .bind(s.user_id.0)
        .bind(s.workspace_id.map(|w| w.0))
        .bind(&s.csrf_token)
        .bind(&s.device_type)
        .bind(&s.browser)
        .bind(&s.os)
        .bind(&s.ip)
        .bind(&s.user_agent)
        .bind(s.created_at)
        .bind(s.expires_at)
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// A live session with what authorization needs about its user.
#[derive(Debug, Clone, FromRow)]
pub struct LiveSession {
    pub id: Uuid,
    pub user_id: Uuid,
    pub account_id: Uuid,
    pub workspace_id: Option<Uuid>,
    pub csrf_token: String,
    pub last_activity_at: i64,
    pub expires_at: i64,
    pub status: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub is_primary_admin: bool,
    pub admin_role_id: Option<Uuid>,
}

/// The live (not ended, not expired) session whose token hashes to `token_hash`.
pub async fn find_live(db: &Db, token_hash: &[u8], now: Micros) -> Result<Option<LiveSession>, StoreError> {
    let row = with_db!(db, pool => {
        sqlx::query_as::<_, LiveSession>(
            "SELECT s.id, s.user_id, u.account_id, s.workspace_id, s.csrf_token, s.last_activity_at, \
             s.expires_at, u.status, u.email, u.first_name, u.last_name, u.is_primary_admin, u.admin_role_id \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(pool)
        .await?
    });
    Ok(row)
}

/// Moves `last_activity_at` forward. Callers do this at most once a minute per session.
pub async fn touch(db: &Db, id: SessionId, now: Micros) -> Result<(), StoreError> {
    with_db!(db, pool => {
        sqlx::query("UPDATE sessions SET last_activity_at = $1 WHERE id = $2 AND last_activity_at < $1")
            .bind(now)
            .bind(id.0)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// Ends a session (sign-out by its own user).
pub async fn end(db: &Db, id: SessionId, by: UserId, reason: &str, now: Micros) -> Result<(), StoreError> {
    with_db!(db, pool => {
        sqlx::query(
            "UPDATE sessions SET ended_at = $1, ended_by_user_id = $2, end_reason = $3 \
             WHERE id = $4 AND ended_at IS NULL",
        )
        .bind(now)
        .bind(by.0)
        .bind(reason)
        .bind(id.0)
        .execute(pool)
        .await?;
    });
    Ok(())
}
