//! SCIM Users: one user read, filtered pages, creation and change — each change in one
//! transaction with its audit events (and, for a suspension, the end of every session).

use super::filter;
use crate::audit::{self, NewAuditEvent};
use crate::outbox::NewMail;
use crate::sql::{Sql, Tx};
use crate::tokens::NewToken;
use crate::users::{INSERT_USERS, NewUser, Then, push_user_values};
use crate::{Db, Micros, StoreError};
use domain::ids::{AccountId, UserId, WorkspaceId};
use domain::scim::ScimError;
use domain::scim::filter::Filter;
use domain::user::{Email, PersonName, UserStatus};
use sqlx::FromRow;
use uuid::Uuid;

/// A user as SCIM shows them.
#[derive(Debug, Clone, FromRow)]
pub struct ScimUserRow {
    pub id: Uuid,
    pub email: String,
    pub email_key: String,
    pub first_name: String,
    pub last_name: String,
    #[sqlx(try_from = "String")]
    pub status: UserStatus,
    pub is_primary_admin: bool,
    pub external_id: Option<String>,
    /// The profile JSON document.
    pub profile: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "SELECT u.id, u.email, u.email_key, u.first_name, u.last_name, u.status, u.is_primary_admin, \
     u.external_id, u.profile, u.version, u.created_at, u.updated_at FROM users u";

/// One live user of `account`.
pub async fn find(db: &Db, account: AccountId, id: UserId) -> Result<Option<ScimUserRow>, StoreError> {
    let sql = Sql::new(format!("{COLUMNS} WHERE u.account_id = $1 AND u.id = $2 AND u.deleted_at IS NULL"))
        .bind(account.0)
        .bind(id.0);
    db.run().fetch_optional(sql).await
}

/// The orders SCIM lists users in, each served by an `(account_id, column, id)` index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ScimSort {
    /// Creation order (no `sortBy`): stable while users are added, so pages do not shift.
    #[default]
    Created,
    UserName,
    LastModified,
}

impl ScimSort {
    fn column(self) -> &'static str {
        match self {
            Self::Created => "u.created_at",
            Self::UserName => "u.email_key",
            Self::LastModified => "u.updated_at",
        }
    }

    /// This row's value in this order (text for `userName`, microseconds otherwise).
    pub fn key_of(self, row: &ScimUserRow) -> SortKey {
        match self {
            Self::Created => SortKey::Int(row.created_at),
            Self::UserName => SortKey::Text(row.email_key.clone()),
            Self::LastModified => SortKey::Int(row.updated_at),
        }
    }
}

/// A row's position in a [`ScimSort`] order, with its id to break ties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortKey {
    Text(String),
    Int(i64),
}

/// Where a page starts: after a known row (keyset: an index seek) when one is known, then
/// past `skip` more rows of the order (read and dropped: OFFSET). `app::scim::paging`
/// knows the rows pages ended on, so `skip` is the distance from the nearest one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Start {
    pub after: Option<(SortKey, Uuid)>,
    pub skip: u64,
}

/// A page request.
#[derive(Debug, Clone)]
pub struct ScimPage {
    pub sort: ScimSort,
    pub descending: bool,
    pub start: Start,
    pub count: u32,
}

fn base(account: AccountId, f: Option<&Filter>) -> Result<Sql, ScimError> {
    let mut sql = Sql::new(format!("{COLUMNS} WHERE u.account_id = $1 AND u.deleted_at IS NULL")).bind(account.0);
    if let Some(f) = f {
        sql.push(" AND ");
        filter::push(&mut sql, f)?;
    }
    Ok(sql)
}

/// Users of `account` matching `f`, one page. `Err` (400 `invalidFilter`) for a filter that
/// cannot be answered.
pub async fn list(
    db: &Db,
    account: AccountId,
    f: Option<&Filter>,
    page: &ScimPage,
) -> Result<Result<Vec<ScimUserRow>, ScimError>, StoreError> {
    match page_sql(account, f, page) {
        Ok(sql) => Ok(Ok(db.run().fetch_all(sql).await?)),
        Err(e) => Ok(Err(e)),
    }
}

/// The plan of [`list`] (`EXPLAIN`), for the plan tests.
pub async fn explain(db: &Db, account: AccountId, f: Option<&Filter>, page: &ScimPage) -> Result<String, StoreError> {
    let sql = page_sql(account, f, page).map_err(|e| StoreError::Corrupt(e.detail))?;
    db.run().explain(sql).await
}

fn page_sql(account: AccountId, f: Option<&Filter>, page: &ScimPage) -> Result<Sql, ScimError> {
    let mut sql = base(account, f)?;
    let col = page.sort.column();
    let (cmp, dir) = if page.descending { ("<", "DESC") } else { (">", "ASC") };
    if let Some((key, id)) = &page.start.after {
        sql.push(&format!(" AND ({col} {cmp} "));
        push_key(&mut sql, key);
        sql.push(&format!(" OR ({col} = "));
        push_key(&mut sql, key);
        sql.push(&format!(" AND u.id {cmp} ")).push_bind(*id).push("))");
    }
    sql.push(&format!(" ORDER BY {col} {dir}, u.id {dir} LIMIT ")).push_bind(i64::from(page.count));
    if page.start.skip > 0 {
        sql.push(" OFFSET ").push_bind(i64::try_from(page.start.skip).unwrap_or(i64::MAX));
    }
    Ok(sql)
}

fn push_key(sql: &mut Sql, key: &SortKey) {
    match key {
        SortKey::Text(t) => sql.push_bind(t.clone()),
        SortKey::Int(n) => sql.push_bind(*n),
    };
}

/// How many users of `account` match `f` (`totalResults`): without a filter, from the
/// `users_live` index alone; with one, from the rows the filter's index selects.
pub async fn count(db: &Db, account: AccountId, f: Option<&Filter>) -> Result<Result<i64, ScimError>, StoreError> {
    match count_sql(account, f) {
        Ok(sql) => Ok(Ok(db.run().fetch_scalar(sql).await?.unwrap_or(0))),
        Err(e) => Ok(Err(e)),
    }
}

/// The plan of [`count`] (`EXPLAIN`), for the plan tests.
pub async fn explain_count(db: &Db, account: AccountId, f: Option<&Filter>) -> Result<String, StoreError> {
    let sql = count_sql(account, f).map_err(|e| StoreError::Corrupt(e.detail))?;
    db.run().explain(sql).await
}

fn count_sql(account: AccountId, f: Option<&Filter>) -> Result<Sql, ScimError> {
    let mut sql =
        Sql::new("SELECT count(*) FROM users u WHERE u.account_id = $1 AND u.deleted_at IS NULL").bind(account.0);
    if let Some(f) = f {
        sql.push(" AND ");
        filter::push(&mut sql, f)?;
    }
    Ok(sql)
}

/// A user to create over SCIM: the row, its attributes beyond the row, and — for an
/// invited user — the invitation link and email.
#[derive(Debug, Clone)]
pub struct NewScimUser {
    pub user: NewUser,
    pub external_id: Option<String>,
    /// The profile JSON document.
    pub profile: String,
    pub invitation: Option<(NewToken, Option<NewMail>)>,
    pub audit: NewAuditEvent,
}

/// What creating did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    Created,
    /// The account already has a user with this email (the unique index decided).
    EmailTaken,
}

/// Creates the user with their membership, SCIM attributes, invitation and audit event, in
/// one transaction.
pub async fn create(db: &Db, new: &NewScimUser) -> Result<Created, StoreError> {
    let mut tx = db.begin_write().await?;
    let mut insert = Sql::new(INSERT_USERS);
    insert.push_values([&new.user], push_user_values);
    insert.push(" ON CONFLICT (account_id, email_key) DO NOTHING RETURNING id");
    if tx.run().fetch_column::<Uuid>(insert).await?.is_empty() {
        tx.rollback().await?;
        return Ok(Created::EmailTaken);
    }
    let u = &new.user;
    tx.run()
        .execute(
            Sql::new("UPDATE users SET external_id = $1, profile = $2 WHERE id = $3")
                .bind(new.external_id.as_deref())
                .bind(&new.profile)
                .bind(u.id.0),
        )
        .await?;
    let memberships: Vec<(Uuid, Uuid, Micros)> = u.workspaces.iter().map(|w| (u.id.0, w.0, u.created_at)).collect();
    crate::users::add_memberships_in(&mut tx, &memberships).await?;
    if let Some((token, mail)) = &new.invitation {
        crate::tokens::issue_in(&mut tx, token).await?;
        if let Some(mail) = mail {
            crate::outbox::enqueue_in(&mut tx, std::slice::from_ref(mail)).await?;
        }
    }
    audit::insert(&mut tx, &new.audit).await?;
    tx.commit().await?;
    Ok(Created::Created)
}

/// A change to a user's SCIM attributes, made only if the user is still at `version`.
#[derive(Debug, Clone)]
pub struct ScimChange {
    pub user: UserId,
    pub version: i64,
    pub email: Email,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub external_id: Option<String>,
    pub profile: String,
    /// `(from, to)` when the status changes, and what else that does (a suspension ends
    /// every session; an activation back to Invited sends a fresh invitation).
    pub status: Option<(UserStatus, UserStatus)>,
    pub then: Then,
    pub at: Micros,
    pub audit: Vec<NewAuditEvent>,
}

/// What a change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changed {
    Changed,
    /// The user moved on from `version` (or was deleted) meanwhile.
    Stale,
    /// Another user of the account has the new email.
    EmailTaken,
}

/// Applies `c` with its audit events (and the end of the user's sessions) in one
/// transaction.
pub async fn change(db: &Db, c: &ScimChange) -> Result<Changed, StoreError> {
    let mut tx = db.begin_write().await?;
    match change_in(&mut tx, c).await {
        Ok(true) => {}
        Ok(false) => {
            tx.rollback().await?;
            return Ok(Changed::Stale);
        }
        Err(StoreError::Conflict(_)) => return Ok(Changed::EmailTaken),
        Err(e) => return Err(e),
    }
    for e in &c.audit {
        audit::insert(&mut tx, e).await?;
    }
    // A user who can receive no link was deleted meanwhile: as a lost race.
    if !crate::users::then_in(&mut tx, c.user, &c.then).await? {
        tx.rollback().await?;
        return Ok(Changed::Stale);
    }
    tx.commit().await?;
    Ok(Changed::Changed)
}

async fn change_in(tx: &mut Tx, c: &ScimChange) -> Result<bool, StoreError> {
    let keys = crate::users::NameKeys::of(c.first_name.as_str(), c.last_name.as_str());
    let search_text = crate::users::search_text(c.first_name.as_str(), c.last_name.as_str(), c.email.as_str());
    let (from, to) = match c.status {
        Some((from, to)) => (Some(from.as_str()), Some(to.as_str())),
        None => (None, None),
    };
    let update = Sql::new(
        "UPDATE users SET email = $3, email_key = $4, first_name = $5, last_name = $6, name_key = $7, \
         search_text = $8, external_id = $9, profile = $10, status = coalesce($11, status), \
         version = version + 1, updated_at = $12, first_key = $14, last_key = $15 \
         WHERE id = $1 AND version = $2 AND deleted_at IS NULL AND ($13 IS NULL OR status = $13)",
    )
    .bind(c.user.0)
    .bind(c.version)
    .bind(c.email.as_str())
    .bind(c.email.key())
    .bind(c.first_name.as_str())
    .bind(c.last_name.as_str())
    .bind(keys.name_key)
    .bind(search_text)
    .bind(c.external_id.as_deref())
    .bind(&c.profile)
    .bind(to)
    .bind(c.at)
    .bind(from)
    .bind(keys.first_key)
    .bind(keys.last_key);
    Ok(tx.run().execute(update).await? > 0)
}

/// The SCIM groups (of `workspace`) each of `users` is in: `(user, group id, group name)`.
pub async fn groups_of(
    db: &Db,
    workspace: WorkspaceId,
    users: &[Uuid],
) -> Result<Vec<(Uuid, Uuid, String)>, StoreError> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(
        "SELECT gm.user_id, g.id, g.name FROM group_members gm JOIN groups g ON g.id = gm.group_id \
         WHERE g.workspace_id = $1 AND gm.user_id IN (",
    )
    .bind(workspace.0);
    for (i, u) in users.iter().enumerate() {
        sql.push(if i == 0 { "" } else { ", " }).push_bind(*u);
    }
    sql.push(") ORDER BY g.name_key, g.id");
    db.run().fetch_all(sql).await
}
