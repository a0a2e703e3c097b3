//! Users: creation, one user's details, sign-in's lookup and status changes; the filtered,
//! sorted, keyset-paged list is in the `list` module.

use crate::sql::{Sql, Tx, Values};
use crate::{Db, Micros, StoreError};
use domain::ids::{AccountId, AdminRoleId, UserId, WorkspaceId};
use domain::user::{BuilderAccess, Email, PersonName, SignInMeans, UserStatus};
use sqlx::FromRow;
use uuid::Uuid;

mod list;
pub(crate) mod people;
mod search;
pub use list::{
    Bound, Keyset, PageRequest, RoleFilter, SortValue, UserFilter, UserListRow, UserSort, count, explain_count,
    explain_list, list,
};
pub use people::PersonKey;

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

/// The keys stored beside a user's names, written by every statement that writes the
/// names (insert, profile edit, SCIM) so they cannot drift: `name_key` ("first last", the
/// Name column's order and the full-name lookups), `first_key` and `last_key` (SCIM's
/// `name.givenName` / `name.familyName` filters), each [`domain::text::fold`]ed — lower-cased
/// by Unicode's rules in Rust, since SQLite's `lower()` folds ASCII only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameKeys {
    pub name_key: String,
    pub first_key: String,
    pub last_key: String,
}

impl NameKeys {
    /// The keys of a user named `first` `last`.
    pub fn of(first: &str, last: &str) -> Self {
        Self {
            name_key: domain::text::fold(&format!("{first} {last}")),
            first_key: domain::text::fold(first),
            last_key: domain::text::fold(last),
        }
    }
}

impl NewUser {
    /// Sort key for the Name column ([`NameKeys`]).
    pub fn name_key(&self) -> String {
        NameKeys::of(self.first_name.as_str(), self.last_name.as_str()).name_key
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
     name_key, first_key, last_key, search_text, status, builder_access, is_primary_admin, admin_role_id, password_hash, invited_at, \
     last_login_at, created_at, updated_at) ";

/// Binds one `NewUser` as a row of values, in the columns of [`INSERT_USERS`].
pub(crate) fn push_user_values(row: &mut Values<'_>, u: &NewUser) {
    let keys = NameKeys::of(u.first_name.as_str(), u.last_name.as_str());
    row.bind(u.id.0)
        .bind(u.account_id.0)
        .bind(u.email.as_str())
        .bind(u.email.key())
        .bind(u.first_name.as_str())
        .bind(u.last_name.as_str())
        .bind(keys.name_key)
        .bind(keys.first_key)
        .bind(keys.last_key)
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

/// Users per INSERT statement: 19 columns × 1,000 rows stays under both backends' limit
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
    db.write(async |tx| insert_in(tx, users).await).await
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
    /// Whether the user's account uses SSO (then only admins sign in with a password).
    pub sso_enabled: bool,
    /// Whether the user holds an admin role (the Primary Master Admin does).
    pub has_admin_role: bool,
}

/// The most users (one per account) a sign-in checks the password against: an email in
/// more accounts than this signs in naming its account.
pub const LOGIN_CANDIDATES: i64 = 5;

/// Sign-in's lookup: by the `users_by_email_key` index, in every account (the oldest
/// [`LOGIN_CANDIDATES`] accounts).
const FIND_FOR_LOGIN: &str = "SELECT u.id, u.account_id, a.slug AS account_slug, a.name AS account_name, u.status, u.password_hash, u.lock_until, \
     st.value AS security_settings, a.sso_enabled, (u.is_primary_admin OR u.admin_role_id IS NOT NULL) AS has_admin_role \
     FROM users u JOIN accounts a ON a.id = u.account_id \
     LEFT JOIN settings st ON st.account_id = u.account_id AND st.key = 'security' \
     WHERE u.email_key = $1 AND ($2 IS NULL OR a.slug = $2) AND u.deleted_at IS NULL ORDER BY a.created_at LIMIT $3";

/// Users with this email (case-insensitive) in any account (at most [`LOGIN_CANDIDATES`],
/// the oldest accounts first), or only in `account_slug`.
pub async fn find_for_login(db: &Db, email_key: &str, account_slug: Option<&str>) -> Result<Vec<LoginRow>, StoreError> {
    db.run().fetch_all(Sql::new(FIND_FOR_LOGIN).bind(email_key).bind(account_slug).bind(LOGIN_CANDIDATES)).await
}

/// The plan of [`find_for_login`] (see [`explain_list`]).
pub async fn explain_find_for_login(db: &Db, email_key: &str) -> Result<String, StoreError> {
    db.run().explain(Sql::new(FIND_FOR_LOGIN).bind(email_key).bind(None::<String>).bind(LOGIN_CANDIDATES)).await
}

/// Records a successful password sign-in (and clears the failure count).
pub async fn record_login(db: &Db, id: UserId, at: Micros) -> Result<(), StoreError> {
    db.write(async |tx| record_login_in(tx, id, at, true).await).await
}

/// Records a sign-in within the open transaction `tx`; `clear_failures` also clears the
/// count of failed passwords (only a right password does: an SSO sign-in leaves it).
pub(crate) async fn record_login_in(
    tx: &mut Tx,
    id: UserId,
    at: Micros,
    clear_failures: bool,
) -> Result<(), StoreError> {
    let sql = if clear_failures {
        "UPDATE users SET last_login_at = $1, failed_logins = 0 WHERE id = $2"
    } else {
        "UPDATE users SET last_login_at = $1 WHERE id = $2"
    };
    tx.run().execute(Sql::new(sql).bind(at).bind(id.0)).await?;
    Ok(())
}

/// How `user` would sign in once active: with a password of their own or the account's
/// SSO ([`SignInMeans::Ready`]), or neither. `Nothing` for an unknown user.
pub async fn sign_in_means(db: &Db, user: UserId) -> Result<SignInMeans, StoreError> {
    let sql = Sql::new(
        "SELECT u.password_hash IS NOT NULL, a.sso_enabled FROM users u JOIN accounts a ON a.id = u.account_id \
         WHERE u.id = $1",
    )
    .bind(user.0);
    let row: Option<(bool, bool)> = db.run().fetch_optional(sql).await?;
    Ok(row.map_or(SignInMeans::Nothing, |(password, sso)| SignInMeans::of(password, sso)))
}

/// What else a status change does, in its transaction.
#[derive(Debug, Clone)]
pub enum Then {
    Nothing,
    /// End every session of the user (a suspension).
    EndSessions(crate::sessions::Ending),
    /// Give the user a fresh invitation (an activation back to Invited).
    Invite(crate::invitations::FreshInvitation),
}

/// Moves `user` from status `from` to `to` (only if it is still `from`), doing `then` and
/// appending `audit`, in one transaction. False (nothing changes) when the status had
/// changed meanwhile.
pub async fn change_status(
    db: &Db,
    user: UserId,
    from: UserStatus,
    to: UserStatus,
    then: &Then,
    audit: &crate::audit::NewAuditEvent,
) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    let update =
        Sql::new("UPDATE users SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND status = $4")
            .bind(to.as_str())
            .bind(audit.at)
            .bind(user.0)
            .bind(from.as_str());
    let mut changed = crate::audit::update_audited(&mut tx, update, audit).await?;
    if changed {
        changed = then_in(&mut tx, user, then).await?;
    }
    tx.finish(changed).await?;
    Ok(changed)
}

/// Does `then` for `user` within `tx`: false when it could not be done (no link for a user
/// who can receive none), and the change must roll back.
pub(crate) async fn then_in(tx: &mut Tx, user: UserId, then: &Then) -> Result<bool, StoreError> {
    match then {
        Then::Nothing => Ok(true),
        Then::EndSessions(e) => crate::sessions::end_all_in(tx, user, None, e).await.map(|()| true),
        Then::Invite(fresh) => crate::invitations::invite_again_in(tx, fresh).await,
    }
}

/// How many users are not deleted, in every account (the benchmark's check of a full export).
pub async fn count_live(db: &Db) -> Result<i64, StoreError> {
    Ok(db.run().fetch_scalar(Sql::new("SELECT count(*) FROM users WHERE deleted_at IS NULL")).await?.unwrap_or(0))
}

/// How many users' canonical email starts with `prefix` (taken literally: LIKE's wildcards
/// are escaped), in every account — the benchmark's check of an import.
pub async fn count_with_email_prefix(db: &Db, prefix: &str) -> Result<i64, StoreError> {
    let pattern = format!("{}%", crate::dialect::like_escaped(prefix));
    let sql = Sql::new("SELECT count(*) FROM users WHERE email_key LIKE $1 ESCAPE '\\'").bind(pattern);
    Ok(db.run().fetch_scalar(sql).await?.unwrap_or(0))
}
