//! Users: creation, the filtered/sorted/keyset-paged list, and one user's details.

use crate::sql::{Sql, Tx, Values};
use crate::{Db, Micros, StoreError};
use domain::ids::{AccountId, AdminRoleId, GroupId, UserId, WorkspaceId};
use domain::user::{BuilderAccess, Email, PersonName, UserStatus};
use sqlx::FromRow;
use uuid::Uuid;

/// A user to insert, with the workspaces they join.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: UserId,
    pub account_id: AccountId,
    pub email: Email,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub status: UserStatus,
    pub builder_access: BuilderAccess,
    pub is_primary_admin: bool,
    pub admin_role_id: Option<AdminRoleId>,
    pub password_hash: Option<String>,
    pub invited_at: Option<Micros>,
    pub last_login_at: Option<Micros>,
    pub created_at: Micros,
    pub workspaces: Vec<WorkspaceId>,
}

impl NewUser {
    /// Sort key for the Name column.
    pub fn name_key(&self) -> String {
        format!("{} {}", self.first_name, self.last_name).to_lowercase()
    }

    /// What substring search looks in: see [`search_text`].
    pub fn search_text(&self) -> String {
        search_text(self.first_name.as_str(), self.last_name.as_str(), self.email.as_str())
    }
}

/// What substring search looks in: name and email lower-cased, plus the email's canonical
/// key when it differs (so `xn--mller` finds `lena@müller.example`).
pub fn search_text(first_name: &str, last_name: &str, email: &str) -> String {
    let text = format!("{first_name} {last_name} {email}").to_lowercase();
    match Email::canonical_key(email) {
        Ok(key) if !text.ends_with(&key) => format!("{text} {key}"),
        _ => text,
    }
}

/// The columns [`push_user_values`] binds, in its order.
pub(crate) const INSERT_USERS: &str = "INSERT INTO users (id, account_id, email, email_key, first_name, last_name, \
     name_key, search_text, status, builder_access, is_primary_admin, admin_role_id, password_hash, invited_at, \
     last_login_at, created_at, updated_at) ";

/// Binds one `NewUser` as a row of values, in the columns of [`INSERT_USERS`].
pub(crate) fn push_user_values(row: &mut Values<'_>, u: &NewUser) {
    row.bind(u.id.0)
        .bind(u.account_id.0)
        .bind(u.email.as_str())
        .bind(u.email.key())
        .bind(u.first_name.as_str())
        .bind(u.last_name.as_str())
        .bind(u.name_key())
        .bind(u.search_text())
        .bind(u.status.as_str())
        .bind(u.builder_access.as_str())
        .bind(u.is_primary_admin)
        .bind(u.admin_role_id.map(|r| r.0))
        .bind(u.password_hash.as_deref())
        .bind(u.invited_at)
        .bind(u.last_login_at)
        .bind(u.created_at)
        .bind(u.created_at);
}

/// Users per INSERT statement: 17 columns × 1,000 rows stays under both backends' limit
/// on bound parameters (32,766 for SQLite, 65,535 for PostgreSQL).
pub(crate) const USERS_PER_STATEMENT: usize = 1000;

/// Inserts `users` and their memberships within the open transaction `tx`.
pub(crate) async fn insert_in(tx: &mut Tx, users: &[NewUser]) -> Result<(), StoreError> {
    for chunk in users.chunks(USERS_PER_STATEMENT) {
        let mut sql = Sql::new(INSERT_USERS);
        sql.push_values(chunk, push_user_values);
        tx.run().execute(sql).await?;
    }
    let memberships: Vec<(Uuid, Uuid, i64)> =
        users.iter().flat_map(|u| u.workspaces.iter().map(move |w| (u.id.0, w.0, u.created_at))).collect();
    add_memberships_in(tx, &memberships).await
}

/// Inserts (user, workspace, joined at) memberships, 5,000 a statement.
pub(crate) async fn add_memberships_in(tx: &mut Tx, memberships: &[(Uuid, Uuid, Micros)]) -> Result<(), StoreError> {
    for chunk in memberships.chunks(5000) {
        let mut sql = Sql::new("INSERT INTO memberships (user_id, workspace_id, joined_at) ");
        sql.push_values(chunk, |row, (u, w, at)| {
            row.bind(*u).bind(*w).bind(*at);
        });
        tx.run().execute(sql).await?;
    }
    Ok(())
}

/// Inserts users (with their memberships) in one transaction.
pub async fn insert(db: &Db, users: &[NewUser]) -> Result<(), StoreError> {
    if users.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin_write().await?;
    insert_in(&mut tx, users).await?;
    tx.commit().await
}

/// Which admin role the list is filtered on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleFilter {
    Member,
    PrimaryMasterAdmin,
    MasterAdmin,
    Custom(AdminRoleId),
}

/// The list's filters. `within` is the caller's workspace scope (`None` = all workspaces).
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub search: Option<String>,
    pub status: Option<UserStatus>,
    pub role: Option<RoleFilter>,
    pub builder_access: Option<BuilderAccess>,
    pub workspace: Option<WorkspaceId>,
    pub group: Option<GroupId>,
    pub within: Option<Vec<WorkspaceId>>,
}

/// Columns the list sorts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UserSort {
    #[default]
    Name,
    Email,
    Status,
    LastLogin,
    Created,
}

impl UserSort {
    pub const ALL: [UserSort; 5] = [Self::Name, Self::Email, Self::Status, Self::LastLogin, Self::Created];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Email => "email",
            Self::Status => "status",
            Self::LastLogin => "last_login",
            Self::Created => "created",
        }
    }

    /// The SQL expression sorted on; each has a matching `(account_id, expr, id)` index.
    fn expr(self) -> &'static str {
        match self {
            Self::Name => "u.name_key",
            Self::Email => "u.email_key",
            Self::Status => "u.status",
            Self::LastLogin => "coalesce(u.last_login_at, 0)",
            Self::Created => "u.created_at",
        }
    }
}

/// The sort value of one row: text or integer, depending on the sort.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortValue {
    Text(String),
    Int(i64),
}

/// The position after which the next page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyset {
    pub value: SortValue,
    pub id: Uuid,
}

/// One page request.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub sort: UserSort,
    pub descending: bool,
    pub after: Option<Keyset>,
    pub limit: u32,
}

/// One row of the users list.
#[derive(Debug, Clone, FromRow)]
pub struct UserListRow {
    pub id: Uuid,
    pub email: String,
    pub email_key: String,
    pub first_name: String,
    pub last_name: String,
    pub name_key: String,
    #[sqlx(try_from = "String")]
    pub status: UserStatus,
    #[sqlx(try_from = "String")]
    pub builder_access: BuilderAccess,
    pub is_primary_admin: bool,
    pub role_name: Option<String>,
    pub last_login_at: Option<i64>,
    pub invited_at: Option<i64>,
    pub created_at: i64,
}

impl UserListRow {
    /// This row's position for `sort`, to resume after it.
    pub fn keyset(&self, sort: UserSort) -> Keyset {
        let value = match sort {
            UserSort::Name => SortValue::Text(self.name_key.clone()),
            UserSort::Email => SortValue::Text(self.email_key.clone()),
            UserSort::Status => SortValue::Text(self.status.as_str().to_owned()),
            UserSort::LastLogin => SortValue::Int(self.last_login_at.unwrap_or(0)),
            UserSort::Created => SortValue::Int(self.created_at),
        };
        Keyset { value, id: self.id }
    }
}

/// One page of the list: at most `limit` rows, plus whether more follow. One query.
pub async fn list(
    db: &Db,
    account: AccountId,
    filter: &UserFilter,
    page: &PageRequest,
) -> Result<(Vec<UserListRow>, bool), StoreError> {
    let Listed::Rows(mut rows) = run_list(db, account, filter, page, false).await? else {
        unreachable!("asked for rows")
    };
    let more = rows.len() > page.limit as usize;
    rows.truncate(page.limit as usize);
    Ok((rows, more))
}

/// The plan the database chooses for [`list`] with these arguments (`EXPLAIN QUERY PLAN` on
/// SQLite, `EXPLAIN` on PostgreSQL), one node per line: for the plan tests.
pub async fn explain_list(
    db: &Db,
    account: AccountId,
    filter: &UserFilter,
    page: &PageRequest,
) -> Result<String, StoreError> {
    let Listed::Plan(plan) = run_list(db, account, filter, page, true).await? else { unreachable!("asked for a plan") };
    Ok(plan)
}

enum Listed {
    Rows(Vec<UserListRow>),
    Plan(String),
}

async fn run_list(
    db: &Db,
    account: AccountId,
    filter: &UserFilter,
    page: &PageRequest,
    explain: bool,
) -> Result<Listed, StoreError> {
    let dialect = db.dialect();
    let mut sql = Sql::new(
        "SELECT u.id, u.email, u.email_key, u.first_name, u.last_name, u.name_key, u.status, \
         u.builder_access, u.is_primary_admin, r.name AS role_name, u.last_login_at, \
         u.invited_at, u.created_at \
         FROM users u LEFT JOIN admin_roles r ON r.id = u.admin_role_id WHERE u.deleted_at IS NULL AND u.account_id = $1",
    )
    .bind(account.0);
    if let Some(needle) = filter.search.as_deref().filter(|s| !s.is_empty()) {
        let (head, param) = dialect.search_condition(needle);
        sql.push(" AND ").push(head).push_bind(param).push(dialect.search_condition_end(needle));
    }
    if let Some(status) = filter.status {
        sql.push(" AND u.status = ").push_bind(status.as_str());
    }
    match filter.role {
        None => {}
        Some(RoleFilter::Member) => {
            sql.push(" AND u.admin_role_id IS NULL AND NOT u.is_primary_admin");
        }
        Some(RoleFilter::PrimaryMasterAdmin) => {
            sql.push(" AND u.is_primary_admin");
        }
        Some(RoleFilter::MasterAdmin) => {
            // By the role's id, so the role index finds its few holders (a condition on
            // the joined role would be checked against every user).
            sql.push(" AND u.admin_role_id = (SELECT mr.id FROM admin_roles mr WHERE mr.kind = 'master' AND mr.account_id = ")
                .push_bind(account.0)
                .push(") AND NOT u.is_primary_admin");
        }
        Some(RoleFilter::Custom(id)) => {
            sql.push(" AND u.admin_role_id = ").push_bind(id.0);
        }
    }
    if let Some(access) = filter.builder_access {
        sql.push(" AND u.builder_access = ").push_bind(access.as_str());
    }
    if let Some(w) = filter.workspace {
        sql.push(" AND EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.workspace_id = ")
            .push_bind(w.0)
            .push(")");
    }
    if let Some(g) = filter.group {
        sql.push(" AND EXISTS (SELECT 1 FROM group_members gm WHERE gm.user_id = u.id AND gm.group_id = ")
            .push_bind(g.0)
            .push(")");
    }
    if let Some(within) = &filter.within {
        if within.is_empty() {
            sql.push(" AND 1 = 0");
        } else {
            sql.push(" AND EXISTS (SELECT 1 FROM memberships ms WHERE ms.user_id = u.id AND ms.workspace_id IN (");
            for (i, w) in within.iter().enumerate() {
                sql.push(if i == 0 { "" } else { ", " }).push_bind(w.0);
            }
            sql.push("))");
        }
    }
    let expr = page.sort.expr();
    let (cmp, dir) = if page.descending { ("<", "DESC") } else { (">", "ASC") };
    if let Some(after) = &page.after {
        // `key <= v AND (key < v OR id < last)` is the row comparison `(key, id) < (v, last)`
        // spelled so that SQLite can range-scan an expression index (the last_login sort)
        // instead of walking it from the start on every page.
        for close in [format!(" AND {expr} {cmp}= "), format!(" AND ({expr} {cmp} ")] {
            sql.push(&close);
            match &after.value {
                SortValue::Text(t) => sql.push_bind(t),
                SortValue::Int(i) => sql.push_bind(*i),
            };
        }
        sql.push(&format!(" OR u.id {cmp} ")).push_bind(after.id).push(")");
    }
    sql.push(&format!(" ORDER BY {expr} {dir}, u.id {dir} LIMIT ")).push_bind(i64::from(page.limit) + 1);
    Ok(if explain { Listed::Plan(db.run().explain(sql).await?) } else { Listed::Rows(db.run().fetch_all(sql).await?) })
}

/// Everything the profile tab shows about one user.
#[derive(Debug, Clone, FromRow)]
pub struct UserDetailRow {
    pub id: Uuid,
    pub account_id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    #[sqlx(try_from = "String")]
    pub status: UserStatus,
    #[sqlx(try_from = "String")]
    pub builder_access: BuilderAccess,
    pub is_primary_admin: bool,
    pub admin_role_id: Option<Uuid>,
    pub role_name: Option<String>,
    pub failed_logins: i32,
    pub locked_at: Option<i64>,
    pub lock_until: Option<i64>,
    pub invited_at: Option<i64>,
    pub last_login_at: Option<i64>,
    pub profile: String,
    pub version: i64,
    pub created_at: i64,
}

/// One user of `account`, or `None` (also for users of other accounts).
pub async fn find(db: &Db, account: AccountId, id: UserId) -> Result<Option<UserDetailRow>, StoreError> {
    db.run()
        .fetch_optional(
            Sql::new(
                "SELECT u.id, u.account_id, u.email, u.first_name, u.last_name, u.status, u.builder_access, \
             u.is_primary_admin, u.admin_role_id, r.name AS role_name, u.failed_logins, u.locked_at, u.lock_until, \
             u.invited_at, u.last_login_at, u.profile, u.version, u.created_at \
             FROM users u LEFT JOIN admin_roles r ON r.id = u.admin_role_id \
             WHERE u.account_id = $1 AND u.id = $2 AND u.deleted_at IS NULL",
            )
            .bind(account.0)
            .bind(id.0),
        )
        .await
}

/// What sign-in needs to know about a user with this email.
#[derive(Debug, Clone, FromRow)]
pub struct LoginRow {
    pub id: Uuid,
    pub account_id: Uuid,
    pub account_slug: String,
    pub account_name: String,
    #[sqlx(try_from = "String")]
    pub status: UserStatus,
    pub password_hash: Option<String>,
    pub lock_until: Option<i64>,
    pub security_settings: Option<String>,
}

/// Sign-in's lookup: by the `users_by_email_key` index, in every account.
const FIND_FOR_LOGIN: &str = "SELECT u.id, u.account_id, a.slug AS account_slug, a.name AS account_name, u.status, u.password_hash, u.lock_until, \
     st.value AS security_settings \
     FROM users u JOIN accounts a ON a.id = u.account_id \
     LEFT JOIN settings st ON st.account_id = u.account_id AND st.key = 'security' \
     WHERE u.email_key = $1 AND ($2 IS NULL OR a.slug = $2) AND u.deleted_at IS NULL ORDER BY a.created_at LIMIT 5";

/// Users with this email (case-insensitive) in any account, or only in `account_slug`.
pub async fn find_for_login(db: &Db, email_key: &str, account_slug: Option<&str>) -> Result<Vec<LoginRow>, StoreError> {
    db.run().fetch_all(Sql::new(FIND_FOR_LOGIN).bind(email_key).bind(account_slug)).await
}

/// The plan of [`find_for_login`] (see [`explain_list`]).
pub async fn explain_find_for_login(db: &Db, email_key: &str) -> Result<String, StoreError> {
    db.run().explain(Sql::new(FIND_FOR_LOGIN).bind(email_key).bind(None::<String>)).await
}

/// Records a successful sign-in (and clears the failure count).
pub async fn record_login(db: &Db, id: UserId, at: Micros) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    record_login_in(&mut tx, id, at).await?;
    tx.commit().await
}

/// [`record_login`] within the open transaction `tx`.
pub(crate) async fn record_login_in(tx: &mut Tx, id: UserId, at: Micros) -> Result<(), StoreError> {
    tx.run()
        .execute(Sql::new("UPDATE users SET last_login_at = $1, failed_logins = 0 WHERE id = $2").bind(at).bind(id.0))
        .await?;
    Ok(())
}

/// Moves `user` from status `from` to `to` (only if it is still `from`), ending all their
/// sessions with `ending` when given and appending `audit`, in one transaction. False when
/// the status had changed meanwhile.
pub async fn change_status(
    db: &Db,
    user: UserId,
    from: UserStatus,
    to: UserStatus,
    ending: Option<&crate::sessions::Ending>,
    audit: &crate::audit::NewAuditEvent,
) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    let update =
        Sql::new("UPDATE users SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND status = $4")
            .bind(to.as_str())
            .bind(audit.at)
            .bind(user.0)
            .bind(from.as_str());
    let changed = crate::audit::update_audited(&mut tx, update, audit).await?;
    if let Some(e) = ending.filter(|_| changed) {
        crate::sessions::end_all_in(&mut tx, user, None, e).await?;
    }
    tx.commit().await?;
    Ok(changed)
}
