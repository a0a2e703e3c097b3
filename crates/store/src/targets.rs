//! The user an admin acts on, read once per request: the profile row, the admin role with
//! its permissions and scope, the user's workspaces and groups, when their picture changed,
//! and the account's User Settings that shape the profile shown — one statement, so
//! authorization decides on it and the use cases and pages reuse it instead of re-reading.

use crate::sql::Sql;
use crate::users::UserDetailRow;
use crate::{Db, StoreError};
use domain::closed::ClosedSet;
use domain::ids::{AccountId, AdminRoleId, UserId, WorkspaceId};
use domain::permission::{Permission, PermissionSet, Scope};
use domain::role::{AdminRole, DefinedRole};
use serde::Deserialize;
use sqlx::FromRow;
use uuid::Uuid;

/// A user's admin role as the columns of one row (the session check reads the same ones):
/// `None` throughout for a member.
#[derive(Debug, Clone, FromRow)]
pub struct RoleColumns {
    pub is_primary_admin: bool,
    pub admin_role_id: Option<Uuid>,
    /// The role's name and kind (`master` or `custom`), when the user holds one.
    pub role_name: Option<String>,
    pub role_kind: Option<String>,
    pub role_all_workspaces: Option<bool>,
    /// The role's permissions, comma-separated.
    pub role_permissions: Option<String>,
    /// The role's workspace ids, comma-separated (hex or hyphenated UUIDs).
    pub role_workspaces: Option<String>,
}

impl RoleColumns {
    /// The role's workspaces, parsed from [`Self::role_workspaces`].
    pub fn role_workspace_ids(&self) -> Vec<Uuid> {
        self.role_workspaces
            .as_deref()
            .unwrap_or("")
            .split(',')
            .filter_map(|w| Uuid::parse_str(w.trim()).ok())
            .collect()
    }

    /// The admin role these columns describe: the Primary Master Admin, a member (no role),
    /// the built-in Master Admin or a custom role with its permissions and scope (a stored
    /// permission this release does not know grants nothing). Errors: [`StoreError::Corrupt`]
    /// when the role a user holds has no row or an unknown kind.
    pub fn admin_role(&self) -> Result<AdminRole, StoreError> {
        if self.is_primary_admin {
            return Ok(AdminRole::PrimaryMasterAdmin);
        }
        let Some(role_id) = self.admin_role_id else { return Ok(AdminRole::Member) };
        let (Some(name), Some(kind)) = (&self.role_name, &self.role_kind) else {
            return Err(StoreError::Corrupt("a user's admin role is missing".into()));
        };
        let kind = DefinedRole::parse(kind).map_err(|e| StoreError::Corrupt(format!("an admin role's kind: {e}")))?;
        if kind == DefinedRole::Master {
            return Ok(AdminRole::MasterAdmin);
        }
        let permissions: PermissionSet = self
            .role_permissions
            .as_deref()
            .unwrap_or("")
            .split(',')
            .filter_map(|p| p.parse::<Permission>().ok())
            .collect();
        let scope = if self.role_all_workspaces.unwrap_or(false) {
            Scope::AllWorkspaces
        } else {
            Scope::Workspaces(self.role_workspace_ids().into_iter().map(WorkspaceId).collect())
        };
        Ok(AdminRole::Custom { id: AdminRoleId(role_id), name: name.clone(), permissions, scope })
    }

    /// The select list of these columns, for a statement joining `users u` with
    /// `LEFT JOIN admin_roles r ON r.id = u.admin_role_id`.
    pub(crate) fn select(dialect: crate::dialect::Dialect) -> String {
        format!(
            "u.is_primary_admin, u.admin_role_id, r.name AS role_name, r.kind AS role_kind, \
             r.all_workspaces AS role_all_workspaces, \
             (SELECT {} FROM admin_role_permissions rp WHERE rp.role_id = r.id) AS role_permissions, \
             (SELECT {} FROM admin_role_workspaces rw WHERE rw.role_id = r.id) AS role_workspaces",
            dialect.text_list("rp.permission"),
            dialect.text_list(&dialect.id_text("rw.workspace_id")),
        )
    }
}

/// The user whose authority a request carries (a session's user, an API token's creator), as
/// the columns of one row: what a principal is built from.
#[derive(Debug, Clone, FromRow)]
pub struct HolderColumns {
    #[sqlx(try_from = "String")]
    pub status: domain::user::UserStatus,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// Their own Bot Builder level (the ceiling of what they may grant others).
    #[sqlx(try_from = "String")]
    pub builder_access: domain::user::BuilderAccess,
    #[sqlx(flatten)]
    pub role: RoleColumns,
    /// Their workspaces as a JSON array (read them with [`Self::user_workspaces`]).
    pub workspaces: Option<String>,
}

impl HolderColumns {
    /// The holder's workspaces (the workspace switcher's choices), by name.
    /// Errors: [`StoreError::Corrupt`] for a stored id that is not a UUID.
    pub fn user_workspaces(&self) -> Result<Vec<crate::lookups::Named>, StoreError> {
        workspaces_from_json(self.workspaces.as_deref())
    }

    /// The select list of these columns, for a statement joining `users u` with
    /// `LEFT JOIN admin_roles r ON r.id = u.admin_role_id`.
    pub(crate) fn select(dialect: crate::dialect::Dialect) -> String {
        format!(
            "u.status, u.email, u.first_name, u.last_name, u.builder_access, {}, {} AS workspaces",
            RoleColumns::select(dialect),
            user_workspaces_json(dialect)
        )
    }
}

/// One user with their role, workspaces and groups.
#[derive(Debug, Clone)]
pub struct TargetRow {
    pub user: UserDetailRow,
    pub role: RoleColumns,
    /// The user's workspaces, by name.
    pub workspaces: Vec<crate::lookups::Named>,
    /// The user's groups, by workspace name and group name.
    pub groups: Vec<crate::lookups::GroupRow>,
    /// When the user's picture last changed, if they have one.
    pub picture_at: Option<i64>,
    /// The account's User Settings (stored JSON; `None`: never saved), which shape every
    /// profile the console shows.
    pub profile_settings: Option<String>,
}

#[derive(FromRow)]
struct Row {
    #[sqlx(flatten)]
    user: UserDetailRow,
    #[sqlx(flatten)]
    role: RoleColumns,
    workspaces: Option<String>,
    groups: Option<String>,
    picture_at: Option<i64>,
    profile_settings: Option<String>,
}

#[derive(Deserialize)]
struct JsonNamed {
    id: String,
    name: String,
}

#[derive(Deserialize)]
struct JsonGroup {
    id: String,
    name: String,
    workspace_id: String,
    workspace_name: String,
}

pub(crate) fn uuid(raw: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(raw).map_err(|e| StoreError::Corrupt(format!("an id in a user's lists: {e}")))
}

pub(crate) fn json_list<T: for<'de> Deserialize<'de>>(raw: Option<&str>) -> Result<Vec<T>, StoreError> {
    match raw {
        None | Some("") => Ok(Vec::new()),
        Some(text) => serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("a user's lists: {e}"))),
    }
}

/// The workspaces [`user_workspaces_json`] listed, in the order of `lower(name), id` (as the
/// other lists of workspaces).
pub(crate) fn workspaces_from_json(raw: Option<&str>) -> Result<Vec<crate::lookups::Named>, StoreError> {
    let mut workspaces = json_list::<JsonNamed>(raw)?
        .into_iter()
        .map(|w| Ok(crate::lookups::Named { id: uuid(&w.id)?, name: w.name }))
        .collect::<Result<Vec<_>, StoreError>>()?;
    workspaces.sort_by_key(|w| (w.name.to_lowercase(), w.id));
    Ok(workspaces)
}

/// The groups [`group_json`] listed, in the order of workspace name, group name and id (as the
/// other lists of groups).
pub(crate) fn groups_from_json(raw: Option<&str>) -> Result<Vec<crate::lookups::GroupRow>, StoreError> {
    let mut groups = json_list::<JsonGroup>(raw)?
        .into_iter()
        .map(|g| {
            Ok(crate::lookups::GroupRow {
                id: uuid(&g.id)?,
                name: g.name,
                workspace_id: uuid(&g.workspace_id)?,
                workspace_name: g.workspace_name,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    groups.sort_by_key(|g| (g.workspace_name.to_lowercase(), g.name.to_lowercase(), g.id));
    Ok(groups)
}

/// An aggregate making a JSON array of the groups `groups g` with their workspace `workspaces gw`.
pub(crate) fn group_json(dialect: crate::dialect::Dialect) -> String {
    dialect.json_list(&[
        ("id", &dialect.id_text("g.id")),
        ("name", "g.name"),
        ("workspace_id", &dialect.id_text("gw.id")),
        ("workspace_name", "gw.name"),
    ])
}

/// A scalar subquery listing the workspaces of the user `users u` as a JSON array.
pub(crate) fn user_workspaces_json(dialect: crate::dialect::Dialect) -> String {
    format!(
        "(SELECT {} FROM memberships m JOIN workspaces w ON w.id = m.workspace_id WHERE m.user_id = u.id)",
        dialect.json_list(&[("id", &dialect.id_text("w.id")), ("name", "w.name")])
    )
}

impl Row {
    fn parse(self) -> Result<TargetRow, StoreError> {
        Ok(TargetRow {
            user: self.user,
            role: self.role,
            workspaces: workspaces_from_json(self.workspaces.as_deref())?,
            groups: groups_from_json(self.groups.as_deref())?,
            picture_at: self.picture_at,
            profile_settings: self.profile_settings,
        })
    }
}

/// The statement: user by primary key, role by primary key, permissions, role workspaces,
/// memberships, group memberships and the picture's time by their `user_id`/`role_id` keys,
/// the account's User Settings by their primary key.
fn find_sql(dialect: crate::dialect::Dialect) -> String {
    format!(
        "SELECT u.id, u.account_id, u.email, u.first_name, u.last_name, u.status, u.builder_access, \
         u.failed_logins, u.locked_at, u.lock_until, u.invited_at, u.last_login_at, u.profile, u.version, \
         u.created_at, {role}, {ws} AS workspaces, \
         (SELECT {gs} FROM group_members gm JOIN groups g ON g.id = gm.group_id \
         JOIN workspaces gw ON gw.id = g.workspace_id WHERE gm.user_id = u.id) AS groups, \
         (SELECT p.updated_at FROM user_pictures p WHERE p.user_id = u.id) AS picture_at, \
         st.value AS profile_settings \
         FROM users u LEFT JOIN admin_roles r ON r.id = u.admin_role_id \
         LEFT JOIN settings st ON st.account_id = u.account_id AND st.key = '{settings_key}' \
         WHERE u.account_id = $1 AND u.id = $2 AND u.deleted_at IS NULL",
        role = RoleColumns::select(dialect),
        ws = user_workspaces_json(dialect),
        gs = group_json(dialect),
        settings_key = crate::settings::USER_PROFILE,
    )
}

/// One user of `account` (not deleted) with their role, workspaces and groups, in one
/// statement; `None` for no such user (also one of another account).
pub async fn find(db: &Db, account: AccountId, id: UserId) -> Result<Option<TargetRow>, StoreError> {
    static SQL: crate::dialect::BuiltSql = crate::dialect::BuiltSql::new(find_sql);
    let sql = SQL.get(db.dialect());
    let row: Option<Row> = db.run().fetch_optional(Sql::new(sql).bind(account.0).bind(id.0)).await?;
    row.map(Row::parse).transpose()
}
