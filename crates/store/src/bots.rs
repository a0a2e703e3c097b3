//! Bots and who may work on them. Exactly one Owner per bot is enforced by a unique index.

use crate::db::BeginWrite;
use crate::{Db, Micros, StoreError};
use domain::bot::BotRole;
use domain::ids::{BotId, UserId, WorkspaceId};

/// Creates a bot with its members (one of whom must be the Owner) in one transaction.
pub async fn create(
    db: &Db,
    id: BotId,
    workspace: WorkspaceId,
    name: &str,
    members: &[(UserId, BotRole)],
    at: Micros,
) -> Result<(), StoreError> {
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        sqlx::query("INSERT INTO bots (id, workspace_id, name, created_at) VALUES ($1, $2, $3, $4)")
            .bind(id.0)
            .bind(workspace.0)
            .bind(name)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        for (user, role) in members {
            sqlx::query("INSERT INTO bot_members (bot_id, user_id, role) VALUES ($1, $2, $3)")
                .bind(id.0)
                .bind(user.0)
                .bind(role.as_str())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    });
    Ok(())
}
