//! Custom admin roles: a named permission set with a workspace scope.

use crate::audit::{self, NewAuditEvent};
use crate::dialect::BuiltSql;
use crate::lookups::{RoleRecord, RoleRow, role_select};
use crate::sql::{Sql, Tx};
use crate::{Db, Micros, StoreError};
use domain::ids::{AccountId, AdminRoleId};
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

/// Creates a custom role with its permissions and scope in one transaction (seeding and
/// tests; changes made by an admin go through [`create_audited`]).
pub async fn create(db: &Db, role: &NewRole) -> Result<(), StoreError> {
    insert(db, role, None).await
}

/// The id of the account's built-in Master Admin role.
pub async fn master_role(db: &Db, account: AccountId) -> Result<Option<AdminRoleId>, StoreError> {
    let id: Option<uuid::Uuid> = db
        .run()
        .fetch_scalar(Sql::new("SELECT id FROM admin_roles WHERE account_id = $1 AND kind = 'master'").bind(account.0))
        .await?;
    Ok(id.map(AdminRoleId))
}

/// Replaces the permission and workspace rows of role `id` within the open transaction `tx`.
async fn set_details(
    tx: &mut Tx,
    id: AdminRoleId,
    permissions: PermissionSet,
    scope: &Scope,
) -> Result<(), StoreError> {
    clear_details(tx, id).await?;
    for p in permissions.iter() {
        tx.run()
            .execute(
                Sql::new("INSERT INTO admin_role_permissions (role_id, permission) VALUES ($1, $2)")
                    .bind(id.0)
                    .bind(p.as_str()),
            )
            .await?;
    }
    if let Scope::Workspaces(ws) = scope {
        for w in ws {
            tx.run()
                .execute(
                    Sql::new("INSERT INTO admin_role_workspaces (role_id, workspace_id) VALUES ($1, $2)")
                        .bind(id.0)
                        .bind(w.0),
                )
                .await?;
        }
    }
    Ok(())
}

async fn clear_details(tx: &mut Tx, id: AdminRoleId) -> Result<(), StoreError> {
    for sql in [
        "DELETE FROM admin_role_permissions WHERE role_id = $1",
        "DELETE FROM admin_role_workspaces WHERE role_id = $1",
    ] {
        tx.run().execute(Sql::new(sql).bind(id.0)).await?;
    }
    Ok(())
}

/// Creates a custom role with its audit event in one transaction.
pub async fn create_audited(db: &Db, role: &NewRole, audit: &NewAuditEvent) -> Result<(), StoreError> {
    insert(db, role, Some(audit)).await
}

async fn insert(db: &Db, role: &NewRole, audit: Option<&NewAuditEvent>) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    tx.run()
        .execute(
            Sql::new(
                "INSERT INTO admin_roles (id, account_id, name, kind, all_workspaces, created_at) \
             VALUES ($1, $2, $3, 'custom', $4, $5)",
            )
            .bind(role.id.0)
            .bind(role.account_id.0)
            .bind(&role.name)
            .bind(role.scope == Scope::AllWorkspaces)
            .bind(role.created_at),
        )
        .await?;
    set_details(&mut tx, role.id, role.permissions, &role.scope).await?;
    if let Some(event) = audit {
        audit::insert(&mut tx, event).await?;
    }
    tx.commit().await
}

/// Replaces a custom role's name, permissions and scope with its audit event. Returns how
/// many holders of the role (deleted users too: a restore brings their role back) are not
/// members of each workspace of the new scope; when not 0 nothing changed. The count is
/// taken inside the transaction after the role row is locked (the rename), and a grant of
/// the role takes the same lock (`profile::update`), so a grant committed meanwhile is
/// counted and a grant waiting behind this sees the new scope.
pub async fn update(
    db: &Db,
    id: AdminRoleId,
    name: &str,
    permissions: PermissionSet,
    scope: &Scope,
    audit: &NewAuditEvent,
) -> Result<i64, StoreError> {
    let mut tx = db.begin_write().await?;
    let rename = Sql::new("UPDATE admin_roles SET name = $1, all_workspaces = $2 WHERE id = $3 AND kind = 'custom'")
        .bind(name)
        .bind(*scope == Scope::AllWorkspaces)
        .bind(id.0);
    let mut stranded = 0;
    if audit::update_audited(&mut tx, rename, audit).await? {
        set_details(&mut tx, id, permissions, scope).await?;
        stranded = tx
            .run()
            .fetch_scalar(
                Sql::new(
                    "SELECT count(*) FROM users u WHERE u.admin_role_id = $1 AND EXISTS \
                     (SELECT 1 FROM admin_role_workspaces rw WHERE rw.role_id = $1 AND NOT EXISTS \
                     (SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.workspace_id = rw.workspace_id))",
                )
                .bind(id.0),
            )
            .await?
            .unwrap_or(0);
    }
    tx.finish(stranded == 0).await?;
    Ok(stranded)
}

/// An admin role with its permissions and scope, and how many users hold it.
#[derive(Debug, Clone)]
pub struct RoleSummary {
    pub record: RoleRecord,
    pub holders: i64,
}

/// Every admin role of `account` (the Master Admin role first, then by name) with its
/// permissions, scope and holder count, in one statement.
/// Errors: the database's, or [`StoreError::Corrupt`] for a stored id that is not a UUID.
pub async fn list(db: &Db, account: AccountId) -> Result<Vec<RoleSummary>, StoreError> {
    static SQL: BuiltSql = BuiltSql::new(|d| {
        role_select(
            d,
            ", (SELECT COUNT(*) FROM users u WHERE u.admin_role_id = r.id) AS holders",
            "ORDER BY r.kind DESC, lower(r.name), r.id",
        )
    });
    let rows: Vec<RoleRow> = db.run().fetch_all(Sql::new(SQL.get(db.dialect())).bind(account.0)).await?;
    rows.into_iter().map(|r| r.record().map(|(record, holders)| RoleSummary { record, holders })).collect()
}

/// Deletes a custom role only while nobody holds it. Returns the number of holders that
/// refused the deletion (0 means deleted).
pub async fn delete_if_unused(db: &Db, id: AdminRoleId, audit: &NewAuditEvent) -> Result<i64, StoreError> {
    let mut tx = db.begin_write().await?;
    let holders: i64 = tx
        .run()
        .fetch_scalar(Sql::new("SELECT COUNT(*) FROM users WHERE admin_role_id = $1").bind(id.0))
        .await?
        .unwrap_or(0);
    if holders == 0 {
        clear_details(&mut tx, id).await?;
        let delete = Sql::new("DELETE FROM admin_roles WHERE id = $1 AND kind = 'custom'").bind(id.0);
        audit::update_audited(&mut tx, delete, audit).await?;
    }
    tx.finish(holders == 0).await?;
    Ok(holders)
}

/// One membership of a holder of a role: the holder and one of their workspaces (`None`
/// for a holder in no workspace).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HolderMembership {
    pub user_id: uuid::Uuid,
    pub workspace_id: Option<uuid::Uuid>,
}

/// Every holder of role `id` (deleted users too: a restore brings their role back) with
/// each of their workspaces, one row per membership.
pub async fn holder_memberships(db: &Db, id: AdminRoleId) -> Result<Vec<HolderMembership>, StoreError> {
    db.run()
        .fetch_all(
            Sql::new(
                "SELECT u.id AS user_id, m.workspace_id FROM users u \
                 LEFT JOIN memberships m ON m.user_id = u.id WHERE u.admin_role_id = $1",
            )
            .bind(id.0),
        )
        .await
}
