//! Small reads that pages and authorization need: an account's workspaces, groups and
//! roles; a user's workspaces and groups; an admin role's permissions and scope.

use crate::sql::Sql;
use crate::{Db, StoreError};
use domain::ids::{AccountId, AdminRoleId, UserId};
use domain::user::UserStatus;
use sqlx::FromRow;
use uuid::Uuid;

/// An id with a display name.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Named {
    pub id: Uuid,
    pub name: String,
}

/// A group with its workspace's name.
#[derive(Debug, Clone, FromRow)]
pub struct GroupRow {
    pub id: Uuid,
    pub name: String,
    pub workspace_id: Uuid,
    pub workspace_name: String,
}

pub async fn workspaces(db: &Db, account: AccountId) -> Result<Vec<Named>, StoreError> {
    db.run()
        .fetch_all(
            Sql::new("SELECT id, name FROM workspaces WHERE account_id = $1 ORDER BY lower(name), id").bind(account.0),
        )
        .await
}

pub async fn groups(db: &Db, account: AccountId) -> Result<Vec<GroupRow>, StoreError> {
    let sql = "SELECT g.id, g.name, w.id AS workspace_id, w.name AS workspace_name FROM groups g \
         JOIN workspaces w ON w.id = g.workspace_id WHERE w.account_id = $1 \
         ORDER BY lower(w.name), lower(g.name), g.id";
    db.run().fetch_all(Sql::new(sql).bind(account.0)).await
}

/// Custom roles of the account (the built-in ones have fixed names).
pub async fn custom_roles(db: &Db, account: AccountId) -> Result<Vec<Named>, StoreError> {
    let sql = "SELECT id, name FROM admin_roles WHERE account_id = $1 AND kind = 'custom' ORDER BY lower(name), id";
    db.run().fetch_all(Sql::new(sql).bind(account.0)).await
}

/// Every admin role of `account` with its permissions and scope — the built-in Master Admin
/// first (named "Master Admin"), then the custom roles by name — in one statement (the
/// profile editor offers those the editor may grant).
pub async fn roles_with_scope(db: &Db, account: AccountId) -> Result<Vec<RoleRecord>, StoreError> {
    #[derive(FromRow)]
    struct Row {
        id: Uuid,
        name: String,
        kind: String,
        all_workspaces: bool,
        permissions: Option<String>,
        workspaces: Option<String>,
    }
    let dialect = db.dialect();
    let sql = format!(
        "SELECT r.id, CASE WHEN r.kind = 'master' THEN 'Master Admin' ELSE r.name END AS name, r.kind, \
             r.all_workspaces, \
             (SELECT {} FROM admin_role_permissions rp WHERE rp.role_id = r.id) AS permissions, \
             (SELECT {} FROM admin_role_workspaces rw WHERE rw.role_id = r.id) AS workspaces \
             FROM admin_roles r WHERE r.account_id = $1 \
             ORDER BY CASE WHEN r.kind = 'master' THEN 0 ELSE 1 END, lower(r.name), r.id",
        dialect.text_list("rp.permission"),
        dialect.text_list(&dialect.id_text("rw.workspace_id")),
    );
    let rows: Vec<Row> = db.run().fetch_all(Sql::new(sql).bind(account.0)).await?;
    let list = |text: &Option<String>| -> Vec<String> {
        text.as_deref().unwrap_or("").split(',').filter(|p| !p.is_empty()).map(str::to_owned).collect()
    };
    Ok(rows
        .into_iter()
        .map(|r| RoleRecord {
            permissions: list(&r.permissions),
            workspaces: list(&r.workspaces).iter().filter_map(|w| Uuid::parse_str(w.trim()).ok()).collect(),
            id: r.id,
            name: r.name,
            kind: r.kind,
            all_workspaces: r.all_workspaces,
        })
        .collect())
}

pub async fn user_workspaces(db: &Db, user: UserId) -> Result<Vec<Named>, StoreError> {
    let sql = "SELECT w.id, w.name FROM memberships m JOIN workspaces w ON w.id = m.workspace_id \
         WHERE m.user_id = $1 ORDER BY lower(w.name), w.id";
    db.run().fetch_all(Sql::new(sql).bind(user.0)).await
}

pub async fn user_groups(db: &Db, user: UserId) -> Result<Vec<GroupRow>, StoreError> {
    let sql = "SELECT g.id, g.name, w.id AS workspace_id, w.name AS workspace_name FROM group_members gm \
         JOIN groups g ON g.id = gm.group_id JOIN workspaces w ON w.id = g.workspace_id \
         WHERE gm.user_id = $1 ORDER BY lower(w.name), lower(g.name), g.id";
    db.run().fetch_all(Sql::new(sql).bind(user.0)).await
}

/// An admin role as stored: its kind, name, permissions and scope.
#[derive(Debug, Clone)]
pub struct RoleRecord {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub all_workspaces: bool,
    pub permissions: Vec<String>,
    pub workspaces: Vec<Uuid>,
}

#[derive(FromRow)]
struct RoleHead {
    id: Uuid,
    name: String,
    kind: String,
    all_workspaces: bool,
}

/// One admin role of `account` with its permissions and scoped workspaces.
pub async fn role(db: &Db, account: AccountId, id: AdminRoleId) -> Result<Option<RoleRecord>, StoreError> {
    let head: Option<RoleHead> = db
        .run()
        .fetch_optional(
            Sql::new("SELECT id, name, kind, all_workspaces FROM admin_roles WHERE id = $1 AND account_id = $2")
                .bind(id.0)
                .bind(account.0),
        )
        .await?;
    let Some(h) = head else { return Ok(None) };
    let permissions = db
        .run()
        .fetch_column(Sql::new("SELECT permission FROM admin_role_permissions WHERE role_id = $1").bind(id.0))
        .await?;
    let workspaces = db
        .run()
        .fetch_column(Sql::new("SELECT workspace_id FROM admin_role_workspaces WHERE role_id = $1").bind(id.0))
        .await?;
    Ok(Some(RoleRecord {
        id: h.id,
        name: h.name,
        kind: h.kind,
        all_workspaces: h.all_workspaces,
        permissions,
        workspaces,
    }))
}

/// An active admin of an account: who to alert about a user.
#[derive(Debug, Clone, FromRow)]
pub struct AdminContact {
    pub email: String,
    pub is_primary_admin: bool,
    pub admin_role_id: Option<Uuid>,
}

/// Every active user of `account` holding an admin role.
pub async fn admin_contacts(db: &Db, account: AccountId) -> Result<Vec<AdminContact>, StoreError> {
    let sql = "SELECT email, is_primary_admin, admin_role_id FROM users WHERE account_id = $1 AND status = $2 \
         AND (is_primary_admin OR admin_role_id IS NOT NULL) ORDER BY email_key";
    db.run().fetch_all(Sql::new(sql).bind(account.0).bind(UserStatus::Active.as_str())).await
}
