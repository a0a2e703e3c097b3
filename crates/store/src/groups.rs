//! Groups of users inside a workspace.

use crate::db::BeginWrite;
use crate::{Db, Micros, StoreError};
use domain::ids::{GroupId, UserId, WorkspaceId};
use sqlx::QueryBuilder;

pub async fn create(db: &Db, id: GroupId, workspace: WorkspaceId, name: &str, at: Micros) -> Result<(), StoreError> {
    with_db!(db, pool => {
        sqlx::query("INSERT INTO groups (id, workspace_id, name, created_at) VALUES ($1, $2, $3, $4)")
            .bind(id.0)
            .bind(workspace.0)
            .bind(name)
            .bind(at)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// Adds many (group, user) pairs in one statement per 5,000 pairs, in one transaction.
pub async fn add_members(db: &Db, pairs: &[(GroupId, UserId)]) -> Result<(), StoreError> {
    if pairs.is_empty() {
        return Ok(());
    }
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        for chunk in pairs.chunks(5000) {
            let mut qb = QueryBuilder::new("INSERT INTO group_members (group_id, user_id) ");
            qb.push_values(chunk, |mut row, (g, u)| {
                row.push_bind(g.0).push_bind(u.0);
            });
            qb.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
    });
    Ok(())
}
