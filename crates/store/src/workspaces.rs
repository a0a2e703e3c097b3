//! Workspaces of an account.

use crate::sql::Sql;
use crate::{Db, Micros, StoreError};
use domain::ids::{AccountId, UserId, WorkspaceId};

pub async fn create(db: &Db, account: AccountId, id: WorkspaceId, name: &str, at: Micros) -> Result<(), StoreError> {
    db.run()
        .execute(
            Sql::new("INSERT INTO workspaces (id, account_id, name, created_at) VALUES ($1, $2, $3, $4)")
                .bind(id.0)
                .bind(account.0)
                .bind(name)
                .bind(at),
        )
        .await?;
    Ok(())
}

/// Adds (workspace, user) memberships in one transaction.
pub async fn add_members(db: &Db, pairs: &[(WorkspaceId, UserId)], at: Micros) -> Result<(), StoreError> {
    let memberships: Vec<_> = pairs.iter().map(|(w, u)| (u.0, w.0, at)).collect();
    db.write(async |tx| crate::users::add_memberships_in(tx, &memberships).await).await
}
