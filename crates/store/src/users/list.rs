//! The users list: filters, sorts and keyset pages in both directions, one statement per
//! page, and a count of the matches that stops at a cap (one more statement).

use super::search::Term;
use crate::sql::Sql;
use crate::{Db, StoreError};
use domain::ids::{AccountId, AdminRoleId, GroupId, WorkspaceId};
use domain::user::{BuilderAccess, UserStatus};
use sqlx::FromRow;
use uuid::Uuid;

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

    /// The same order as [`Self::expr`], written so that no index serves it: a page of search
    /// matches is sorted from the matches. Walking the sort's index instead (both planners'
    /// choice when they guess the matches are many) reads every user before the first match
    /// when the matches cluster in the order: "hiro" sits among the H's of the Name sort,
    /// 1.6–2 s at 1M users.
    fn expr_unindexed(self) -> &'static str {
        match self {
            Self::Name => "u.name_key || ''",
            Self::Email => "u.email_key || ''",
            Self::Status => "u.status || ''",
            Self::LastLogin => "coalesce(u.last_login_at, 0) + 0",
            Self::Created => "u.created_at + 0",
        }
    }
}

/// The sort value of one row: text or integer, depending on the sort.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortValue {
    Text(String),
    Int(i64),
}

/// A row's position in the sorted list: its sort value, then its id (which breaks ties).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyset {
    pub value: SortValue,
    pub id: Uuid,
}

/// Where a page starts: the rows after a position (the next page), or the rows just before
/// one (the previous page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bound {
    After(Keyset),
    Before(Keyset),
}

/// One page request.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub sort: UserSort,
    pub descending: bool,
    /// `None`: the first page.
    pub from: Option<Bound>,
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

/// One page of the list: at most `limit` rows in the list's order, plus whether more lie
/// beyond them in the page's direction (after them for a first or `After` page, before them
/// for a `Before` page). One query.
pub async fn list(
    db: &Db,
    account: AccountId,
    filter: &UserFilter,
    page: &PageRequest,
) -> Result<(Vec<UserListRow>, bool), StoreError> {
    let term = Term::parse(filter.search.as_deref().unwrap_or(""));
    let mut rows: Vec<UserListRow> =
        db.run().fetch_all(list_sql(db, account, filter, term.as_ref(), page, Select::Rows)).await?;
    let more = rows.len() > page.limit as usize;
    rows.truncate(page.limit as usize);
    if matches!(page.from, Some(Bound::Before(_))) {
        // Read backwards from the bound; shown in the list's order.
        rows.reverse();
    }
    Ok((rows, more))
}

/// How many users match `filter`, counting no further than `cap`: `(n, false)` is the exact
/// number, `(cap, true)` means "`cap` or more". One query that reads at most `cap + 1`
/// matching rows, in no order, from the index the planner finds most selective for the
/// filter (so a million matches cost no more than `cap + 1`).
pub async fn count(db: &Db, account: AccountId, filter: &UserFilter, cap: u32) -> Result<(u32, bool), StoreError> {
    let term = Term::parse(filter.search.as_deref().unwrap_or(""));
    let sql = list_sql(db, account, filter, term.as_ref(), &count_page(cap), Select::Count);
    let n: i64 = db.run().fetch_scalar(sql).await?.unwrap_or(0);
    let n = u32::try_from(n).unwrap_or(u32::MAX);
    Ok(if n > cap { (cap, true) } else { (n, false) })
}

/// The plan of [`count`], as [`explain_list`] gives [`list`]'s.
pub async fn explain_count(db: &Db, account: AccountId, filter: &UserFilter, cap: u32) -> Result<String, StoreError> {
    let term = Term::parse(filter.search.as_deref().unwrap_or(""));
    db.run().explain(list_sql(db, account, filter, term.as_ref(), &count_page(cap), Select::Count)).await
}

/// The count's "page" of `cap` rows (plus one, to know "more"); its order is not used.
fn count_page(cap: u32) -> PageRequest {
    PageRequest { sort: UserSort::default(), descending: false, from: None, limit: cap }
}

/// The plan the database chooses for [`list`] with these arguments (`EXPLAIN QUERY PLAN` on
/// SQLite, `EXPLAIN` on PostgreSQL), one node per line: for the plan tests.
pub async fn explain_list(
    db: &Db,
    account: AccountId,
    filter: &UserFilter,
    page: &PageRequest,
) -> Result<String, StoreError> {
    let term = Term::parse(filter.search.as_deref().unwrap_or(""));
    db.run().explain(list_sql(db, account, filter, term.as_ref(), page, Select::Rows)).await
}

/// What the statement selects: the page's rows, or how many rows the page would hold.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Select {
    Rows,
    Count,
}

/// The statement of one page of the list (its rows, or how many rows it holds), which
/// [`list`] and [`count`] run and [`explain_list`] and [`explain_count`] explain.
fn list_sql(
    db: &Db,
    account: AccountId,
    filter: &UserFilter,
    term: Option<&Term>,
    page: &PageRequest,
    select: Select,
) -> Sql {
    let dialect = db.dialect();
    let mut sql = match select {
        Select::Rows => Sql::new(
            "SELECT u.id, u.email, u.email_key, u.first_name, u.last_name, u.name_key, u.status, \
             u.builder_access, u.is_primary_admin, r.name AS role_name, u.last_login_at, \
             u.invited_at, u.created_at \
             FROM users u LEFT JOIN admin_roles r ON r.id = u.admin_role_id \
             WHERE u.deleted_at IS NULL AND u.account_id = $1",
        )
        .bind(account.0),
        // The matches without their columns, counted: the limit bounds the work. A workspace
        // or group is joined, so the count can be driven from its members (a big group's
        // 10,001 members counted in ~20 ms at 1M users, where checking each user's
        // membership read 180,000 users: 523 ms); the page's `EXISTS` keeps the sort order's
        // walk instead.
        Select::Count => {
            let mut sql = Sql::new("SELECT count(*) FROM (SELECT 1 AS one FROM users u");
            if let Some(w) = filter.workspace {
                sql.push(" JOIN memberships m ON m.user_id = u.id AND m.workspace_id = ").push_bind(w.0);
            }
            if let Some(g) = filter.group {
                sql.push(" JOIN group_members gm ON gm.user_id = u.id AND gm.group_id = ").push_bind(g.0);
            }
            sql.push(" WHERE u.deleted_at IS NULL AND u.account_id = ").push_bind(account.0);
            sql
        }
    };
    if let Some(term) = term {
        term.push_condition(&mut sql, dialect);
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
            // By the holder's id, as the Master Admin role below: with `u.is_primary_admin`
            // SQLite preferred `users_live` (two equality columns) to the one-row partial
            // index and walked every user (307 ms at 1M).
            sql.push(" AND u.id = (SELECT p.id FROM users p WHERE p.is_primary_admin AND p.account_id = ")
                .push_bind(account.0)
                .push(")");
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
    // Each `EXISTS` ends in `LIMIT 1` so that it stays a lookup of the row's own key (the
    // primary key `(user_id, …)`) for each user the index walk meets: SQLite 3.51 otherwise
    // turns it into a join and, misled by statistics of a smaller table, scanned the whole
    // of `memberships` for every user (23 s for a page of a 10,000-user account filtered on
    // a workspace of 3). The limit changes no answer.
    if let (Some(w), Select::Rows) = (filter.workspace, select) {
        sql.push(" AND EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.workspace_id = ")
            .push_bind(w.0)
            .push(" LIMIT 1)");
    }
    if let (Some(g), Select::Rows) = (filter.group, select) {
        sql.push(" AND EXISTS (SELECT 1 FROM group_members gm WHERE gm.user_id = u.id AND gm.group_id = ")
            .push_bind(g.0)
            .push(" LIMIT 1)");
    }
    if let Some(within) = &filter.within {
        if within.is_empty() {
            sql.push(" AND 1 = 0");
        } else {
            sql.push(" AND EXISTS (SELECT 1 FROM memberships ms WHERE ms.user_id = u.id AND ms.workspace_id IN (");
            for (i, w) in within.iter().enumerate() {
                sql.push(if i == 0 { "" } else { ", " }).push_bind(w.0);
            }
            sql.push(") LIMIT 1)");
        }
    }
    if select == Select::Count {
        // Counted in no order: the planner drives the count from the filter's most selective
        // index (the role's holders, a status, the search matches) instead of walking the
        // sort order until `cap` matches turn up (256 ms for `status=suspended` by creation
        // at 1M).
        sql.push(" LIMIT ").push_bind(i64::from(page.limit) + 1).push(") page");
        return sql;
    }
    let expr = page.sort.expr();
    // A `Before` page reads backwards from its bound (`list` turns it round).
    let (backwards, bound) = match &page.from {
        None => (false, None),
        Some(Bound::After(k)) => (false, Some(k)),
        Some(Bound::Before(k)) => (true, Some(k)),
    };
    let (cmp, dir) = if page.descending == backwards { (">", "ASC") } else { ("<", "DESC") };
    if let Some(after) = bound {
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
    let order = if term.is_some() { page.sort.expr_unindexed() } else { expr };
    sql.push(&format!(" ORDER BY {order} {dir}, u.id {dir} LIMIT ")).push_bind(i64::from(page.limit) + 1);
    sql
}
