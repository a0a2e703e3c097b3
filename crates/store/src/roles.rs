//! Custom admin roles: a named permission set with a workspace scope.

use crate::db::BeginWrite;
use crate::{Db, Micros, StoreError};
use domain::ids::{AccountId, AdminRoleId, WorkspaceId};
use domain::permission::{PermissionSet, Scope};

/// A custom role to create.
#[derive(Debug, Clone)]
pub struct NewRole {
    pub id: AdminRoleId,
    pub account_id: AccountId,
    pub name: String,
    pub permissions: PermissionSet,
    pub scope: Scope,
    pub created_at: Micros,
}

/// Creates a custom role with its permissions and scope in one transaction.
pub async fn create(db: &Db, role: &NewRole) -> Result<(), StoreError> {
    let scoped: Vec<WorkspaceId> = match &role.scope {
        Scope::AllWorkspaces => Vec::new(),
        Scope::Workspaces(ws) => ws.iter().copied().collect(),
    };
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        sqlx::query(
            "INSERT INTO admin_roles (id, account_id, name, kind, all_workspaces, created_at) \
             VALUES ($1, $2, $3, 'custom', $4, $5)",
        )
        .bind(role.id.0)
        .bind(role.account_id.0)
        .bind(&role.name)
        .bind(role.scope == Scope::AllWorkspaces)
        .bind(role.created_at)
        .execute(&mut *tx)
        .await?;
        for p in role.permissions.iter() {
            sqlx::query("INSERT INTO admin_role_permissions (role_id, permission) VALUES ($1, $2)")
                .bind(role.id.0)
                .bind(p.as_str())
                .execute(&mut *tx)
                .await?;
        }
        for w in &scoped {
            sqlx::query("INSERT INTO admin_role_workspaces (role_id, workspace_id) VALUES ($1, $2)")
                .bind(role.id.0)
                .bind(w.0)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    });
    Ok(())
}

/// The id of the account's built-in Master Admin role.
pub async fn master_role(db: &Db, account: AccountId) -> Result<Option<AdminRoleId>, StoreError> {
    let id: Option<uuid::Uuid> = with_db!(db, pool => {
        sqlx::query_scalar("SELECT id FROM admin_roles WHERE account_id = $1 AND kind = 'master'")
            .bind(account.0)
            .fetch_optional(pool)
            .await?
    });
    Ok(id.map(AdminRoleId))
}
