//! Workspaces of an account.

use crate::db::BeginWrite;
use crate::{Db, Micros, StoreError};
use domain::ids::{AccountId, WorkspaceId};

pub async fn create(db: &Db, account: AccountId, id: WorkspaceId, name: &str, at: Micros) -> Result<(), StoreError> {
    with_db!(db, pool => {
        sqlx::query("INSERT INTO workspaces (id, account_id, name, created_at) VALUES ($1, $2, $3, $4)")
            .bind(id.0)
            .bind(account.0)
            .bind(name)
            .bind(at)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// Adds (workspace, user) memberships in one transaction.
pub async fn add_members(db: &Db, pairs: &[(WorkspaceId, domain::ids::UserId)], at: Micros) -> Result<(), StoreError> {
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        for (w, u) in pairs {
            sqlx::query("INSERT INTO memberships (user_id, workspace_id, joined_at) VALUES ($1, $2, $3)")
                .bind(u.0)
                .bind(w.0)
                .bind(at)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    });
    Ok(())
}
