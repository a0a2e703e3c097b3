//! Profile pictures: the re-encoded image bytes, one per user.

use crate::audit::{self, NewAuditEvent};
use crate::sql::Sql;
use crate::{Db, StoreError};
use domain::ids::UserId;
use sqlx::FromRow;

/// A stored picture.
#[derive(Debug, Clone, FromRow)]
pub struct Picture {
    pub content_type: String,
    pub data: Vec<u8>,
    pub updated_at: i64,
}

pub async fn get(db: &Db, user: UserId) -> Result<Option<Picture>, StoreError> {
    db.run()
        .fetch_optional(
            Sql::new("SELECT content_type, data, updated_at FROM user_pictures WHERE user_id = $1").bind(user.0),
        )
        .await
}

/// Stores (or replaces) `user`'s picture with its audit event, in one transaction.
pub async fn put(db: &Db, user: UserId, picture: &Picture, audit: &NewAuditEvent) -> Result<(), StoreError> {
    let upsert = Sql::new(
        "INSERT INTO user_pictures (user_id, content_type, data, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id) DO UPDATE SET content_type = excluded.content_type, data = excluded.data, \
         updated_at = excluded.updated_at",
    )
    .bind(user.0)
    .bind(&picture.content_type)
    .bind(&picture.data)
    .bind(picture.updated_at);
    audit::commit_audited(db, upsert, audit).await?;
    Ok(())
}

/// Removes `user`'s picture with its audit event; false when there was none.
pub async fn remove(db: &Db, user: UserId, audit: &NewAuditEvent) -> Result<bool, StoreError> {
    audit::commit_audited(db, Sql::new("DELETE FROM user_pictures WHERE user_id = $1").bind(user.0), audit).await
}
