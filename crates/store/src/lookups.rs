//! Small reads that pages and authorization need: an account's workspaces, groups and
//! roles; a user's workspaces and groups; an admin role's permissions and scope.

use crate::sql::Sql;
use crate::{Db, StoreError};
use domain::closed::ClosedSet;
use domain::ids::{AccountId, AdminRoleId, UserId};
use domain::role::DefinedRole;
use domain::user::UserStatus;
use serde::Deserialize;
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

/// What the profile editor chooses from: the account's workspaces (by name), its groups (by
/// workspace and name) and its admin roles with their permissions and scope (the built-in
/// Master Admin first, named "Master Admin", then the custom roles by name).
#[derive(Debug, Clone, Default)]
pub struct AccountChoices {
    pub workspaces: Vec<Named>,
    pub groups: Vec<GroupRow>,
    pub roles: Vec<RoleRecord>,
    /// Whether the account signs in through SSO (password steps are off then).
    pub sso_enabled: bool,
}

#[derive(Deserialize)]
struct JsonRole {
    id: String,
    name: String,
    kind: String,
    /// 1 or 0 on both backends (SQLite has no boolean).
    all_workspaces: i64,
    /// Comma-separated; null for none.
    permissions: Option<String>,
    workspaces: Option<String>,
}

/// The account's workspaces, groups and admin roles ([`AccountChoices`]) in one statement:
/// each list is a JSON array built by a subquery on the `account_id` keys, sorted here.
/// Errors: the database's, or [`StoreError::Corrupt`] for a stored id that is not a UUID.
pub async fn account_choices(db: &Db, account: AccountId) -> Result<AccountChoices, StoreError> {
    #[derive(FromRow)]
    struct Row {
        workspaces: Option<String>,
        groups: Option<String>,
        roles: Option<String>,
        sso_enabled: Option<bool>,
    }
    static SQL: crate::dialect::BuiltSql = crate::dialect::BuiltSql::new(|d| {
        format!(
            "SELECT (SELECT {ws} FROM workspaces w WHERE w.account_id = $1) AS workspaces, \
             (SELECT {gs} FROM groups g JOIN workspaces gw ON gw.id = g.workspace_id \
             WHERE gw.account_id = $1) AS groups, \
             (SELECT {rs} FROM admin_roles r WHERE r.account_id = $1) AS roles, \
             (SELECT a.sso_enabled FROM accounts a WHERE a.id = $1) AS sso_enabled",
            ws = d.json_list(&[("id", &d.id_text("w.id")), ("name", "w.name")]),
            gs = crate::targets::group_json(d),
            rs = d.json_list(&[
                ("id", &d.id_text("r.id")),
                ("name", "CASE WHEN r.kind = 'master' THEN 'Master Admin' ELSE r.name END"),
                ("kind", "r.kind"),
                ("all_workspaces", "CASE WHEN r.all_workspaces THEN 1 ELSE 0 END"),
                (
                    "permissions",
                    &format!(
                        "(SELECT {} FROM admin_role_permissions rp WHERE rp.role_id = r.id)",
                        d.text_list("rp.permission")
                    )
                ),
                (
                    "workspaces",
                    &format!(
                        "(SELECT {} FROM admin_role_workspaces rw WHERE rw.role_id = r.id)",
                        d.text_list(&d.id_text("rw.workspace_id"))
                    ),
                ),
            ]),
        )
    });
    // One row always comes back (a SELECT without FROM).
    let row: Option<Row> = db.run().fetch_optional(Sql::new(SQL.get(db.dialect())).bind(account.0)).await?;
    let Some(row) = row else { return Ok(AccountChoices::default()) };
    let mut roles = crate::targets::json_list::<JsonRole>(row.roles.as_deref())?
        .into_iter()
        .map(|r| {
            Ok(RoleRecord {
                id: crate::targets::uuid(&r.id)?,
                name: r.name,
                kind: DefinedRole::parse(&r.kind)
                    .map_err(|e| StoreError::Corrupt(format!("an admin role's kind: {e}")))?,
                all_workspaces: r.all_workspaces != 0,
                permissions: split_list(r.permissions.as_deref()).map(str::to_owned).collect(),
                workspaces: split_list(r.workspaces.as_deref()).map(crate::targets::uuid).collect::<Result<_, _>>()?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    roles.sort_by_key(|r| (r.kind != DefinedRole::Master, r.name.to_lowercase(), r.id));
    Ok(AccountChoices {
        workspaces: crate::targets::workspaces_from_json(row.workspaces.as_deref())?,
        groups: crate::targets::groups_from_json(row.groups.as_deref())?,
        roles,
        sso_enabled: row.sso_enabled.unwrap_or(false),
    })
}

/// The items of a comma-separated list (`text_list`), none for NULL.
fn split_list(text: Option<&str>) -> impl Iterator<Item = &str> {
    text.unwrap_or("").split(',').map(str::trim).filter(|p| !p.is_empty())
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
    pub kind: DefinedRole,
    pub all_workspaces: bool,
    pub permissions: Vec<String>,
    pub workspaces: Vec<Uuid>,
}

/// A stored role row with its permissions and workspaces as comma lists.
#[derive(FromRow)]
pub(crate) struct RoleRow {
    id: Uuid,
    name: String,
    #[sqlx(try_from = "String")]
    kind: DefinedRole,
    all_workspaces: bool,
    permissions: Option<String>,
    workspaces: Option<String>,
    #[sqlx(default)]
    holders: i64,
}

impl RoleRow {
    pub(crate) fn record(self) -> Result<(RoleRecord, i64), StoreError> {
        let record = RoleRecord {
            id: self.id,
            name: self.name,
            kind: self.kind,
            all_workspaces: self.all_workspaces,
            permissions: split_list(self.permissions.as_deref()).map(str::to_owned).collect(),
            workspaces: split_list(self.workspaces.as_deref()).map(crate::targets::uuid).collect::<Result<_, _>>()?,
        };
        Ok((record, self.holders))
    }
}

/// `SELECT` of admin roles with their permissions and workspaces (one row a role), with
/// `extra` columns, for the roles of `$1` matching `filter`.
pub(crate) fn role_select(d: crate::dialect::Dialect, extra: &str, filter: &str) -> String {
    format!(
        "SELECT r.id, r.name, r.kind, r.all_workspaces, \
         (SELECT {p} FROM admin_role_permissions rp WHERE rp.role_id = r.id) AS permissions, \
         (SELECT {w} FROM admin_role_workspaces rw WHERE rw.role_id = r.id) AS workspaces{extra} \
         FROM admin_roles r WHERE r.account_id = $1 {filter}",
        p = d.text_list("rp.permission"),
        w = d.text_list(&d.id_text("rw.workspace_id")),
    )
}

/// One admin role of `account` with its permissions and scoped workspaces, in one
/// statement; `None` for an unknown id or another account's role.
/// Errors: the database's, or [`StoreError::Corrupt`] for a stored id that is not a UUID.
pub async fn role(db: &Db, account: AccountId, id: AdminRoleId) -> Result<Option<RoleRecord>, StoreError> {
    static SQL: crate::dialect::BuiltSql = crate::dialect::BuiltSql::new(|d| role_select(d, "", "AND r.id = $2"));
    let row: Option<RoleRow> =
        db.run().fetch_optional(Sql::new(SQL.get(db.dialect())).bind(account.0).bind(id.0)).await?;
    row.map(|r| r.record().map(|(record, _)| record)).transpose()
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
