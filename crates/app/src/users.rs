//! Reading users: the filtered, sorted, keyset-paged list (next and previous pages, and a
//! count of the matches up to [`COUNT_CAP`]) and one user's details.

use crate::authz::{ListUsers, OnUser, TargetUser, UsersView};
use crate::params::filled;
use crate::{AppCtx, AppError, Problems};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::ids::{AdminRoleId, GroupId, WorkspaceId};
use domain::role::{AdminRole, RoleKind};
use domain::user::{BuilderAccess, UserStatus};
use serde::{Deserialize, Serialize};
use store::users::{Bound, Keyset, PageRequest, RoleFilter, SortValue, UserFilter, UserListRow};
use uuid::Uuid;

pub use store::lookups::{GroupRow, Named};
pub use store::users::{UserDetailRow, UserSort};

/// Largest page.
pub const MAX_LIMIT: u32 = 100;
/// Page size when none is asked for.
pub const DEFAULT_LIMIT: u32 = 25;
/// Longest search text accepted.
pub const MAX_QUERY_CHARS: usize = 200;
/// The list counts its matches up to this many; beyond it the total is a lower bound
/// ("10,000+"), so a list of a million users never costs a million-row count.
pub const COUNT_CAP: u32 = 10_000;

/// The list's query parameters as they arrive (all text, all optional).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ListParams {
    pub q: Option<String>,
    pub status: Option<String>,
    pub role: Option<String>,
    pub workspace: Option<String>,
    pub group: Option<String>,
    pub builder_access: Option<String>,
    pub sort: Option<String>,
    pub order: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// One page of users.
#[derive(Debug, Clone)]
pub struct UserPage {
    pub items: Vec<UserSummary>,
    /// Fetches the page after this one (`None` on the last page).
    pub next_cursor: Option<String>,
    /// Fetches the page before this one (`None` on the first page).
    pub prev_cursor: Option<String>,
    /// The position of the first item in the whole list, 0-based (carried by the cursor:
    /// exact unless users were added or removed before it while paging).
    pub offset: u64,
    /// How many users match in all; `None` where the list is not counted (group members).
    pub total: Option<Total>,
}

/// How many users match the filters, counted up to [`COUNT_CAP`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Total {
    pub count: u32,
    /// True when there are more than `count` (= [`COUNT_CAP`]) and counting stopped.
    pub is_lower_bound: bool,
}

/// A row of the users list.
#[derive(Debug, Clone, Serialize)]
pub struct UserSummary {
    pub id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub status: UserStatus,
    pub account_role: String,
    pub builder_access: BuilderAccess,
    pub last_login_at: Option<i64>,
    pub invited_at: Option<i64>,
    pub created_at: i64,
}

fn parse_id<T>(field: &str, raw: &str, wrap: fn(Uuid) -> T) -> Result<T, AppError> {
    Uuid::parse_str(raw).map(wrap).map_err(|_| AppError::invalid(field, "must be an id (UUID)"))
}

/// Parses and checks every parameter, naming every bad one at once.
///
/// # Errors
/// [`AppError::Invalid`] or [`AppError::InvalidFields`] naming each refused parameter.
pub fn parse_list_params(p: &ListParams) -> Result<(UserFilter, PageRequest), AppError> {
    parse_list(p).map(|(filter, page, _)| (filter, page))
}

/// [`parse_list_params`], plus the position of the page the cursor starts or ends (0 without).
pub(crate) fn parse_list(p: &ListParams) -> Result<(UserFilter, PageRequest, u64), AppError> {
    let mut problems = Problems::new();
    let mut filter = UserFilter::default();
    if let Some(q) = p.q.as_deref() {
        filter.search = problems.check(domain::text::search_term("q", q, MAX_QUERY_CHARS))?.flatten();
    }
    if let Some(s) = filled(p.status.as_ref()) {
        filter.status = problems.check(
            s.parse().map_err(|_| AppError::invalid("status", "must be one of invited, active, locked, suspended")),
        )?;
    }
    if let Some(r) = filled(p.role.as_ref()) {
        filter.role = problems.check(match r {
            "member" => Ok(RoleFilter::Member),
            "primary_master_admin" => Ok(RoleFilter::PrimaryMasterAdmin),
            "master_admin" => Ok(RoleFilter::MasterAdmin),
            id => parse_id("role", id, AdminRoleId).map(RoleFilter::Custom).map_err(|_| {
                AppError::invalid("role", "must be member, primary_master_admin, master_admin or a role id")
            }),
        })?;
    }
    if let Some(w) = filled(p.workspace.as_ref()) {
        filter.workspace = problems.check(parse_id("workspace", w, WorkspaceId))?;
    }
    if let Some(g) = filled(p.group.as_ref()) {
        filter.group = problems.check(parse_id("group", g, GroupId))?;
    }
    if let Some(b) = filled(p.builder_access.as_ref()) {
        filter.builder_access = problems.check(b.parse::<BuilderAccess>())?;
    }
    let sort = match filled(p.sort.as_ref()) {
        None => Some(UserSort::default()),
        Some(s) => problems.check(
            UserSort::ALL
                .into_iter()
                .find(|k| k.as_str() == s)
                .ok_or_else(|| AppError::invalid("sort", "must be one of name, email, status, last_login, created")),
        )?,
    };
    let descending = match filled(p.order.as_ref()) {
        None | Some("asc") => Some(false),
        Some("desc") => Some(true),
        Some(_) => problems.check(Err::<bool, _>(AppError::invalid("order", "must be asc or desc")))?,
    };
    let limit = match filled(p.limit.as_ref()) {
        None => Some(DEFAULT_LIMIT),
        Some(l) => problems.check(
            l.parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| AppError::invalid("limit", format!("must be a whole number from 1 to {MAX_LIMIT}"))),
        )?,
    };
    let cursor = match filled(p.cursor.as_ref()) {
        None => None,
        Some(c) => problems.check(Cursor::parse(c))?,
    };
    let offset = cursor.as_ref().map_or(0, |c| c.o);
    // Whether the cursor fits the sort is judged once the sort itself is readable.
    let from = match (cursor, sort, descending) {
        (Some(c), Some(sort), Some(descending)) => problems.check(c.bound(sort, descending))?,
        _ => None,
    };
    problems.finish()?;
    let (Some(sort), Some(descending), Some(limit)) = (sort, descending, limit) else {
        return Err(AppError::Internal("a refused parameter was not reported".into()));
    };
    Ok((filter, PageRequest { sort, descending, from, limit }, offset))
}

/// The opaque cursor: a row's sort value and id, bound to the sort it came from; the page
/// it fetches is the rows after that row, or (`b`) the rows just before it. `o` is where the
/// page it fetches (`b`: the page that row starts) begins in the whole list.
#[derive(Debug, Serialize, Deserialize)]
struct Cursor {
    s: String,
    d: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    t: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    i: Option<i64>,
    id: Uuid,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    b: bool,
    #[serde(default)]
    o: u64,
}

impl Cursor {
    /// The cursor of the page after `k` (`before`: just before `k`), positioned at `offset`.
    fn encode(k: &Keyset, sort: UserSort, descending: bool, before: bool, offset: u64) -> String {
        let (t, i) = match &k.value {
            SortValue::Text(t) => (Some(t.clone()), None),
            SortValue::Int(i) => (None, Some(*i)),
        };
        let c = Cursor { s: sort.as_str().into(), d: descending, t, i, id: k.id, b: before, o: offset };
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&c).unwrap_or_default())
    }

    fn parse(raw: &str) -> Result<Self, AppError> {
        let bad = || AppError::invalid("cursor", NOT_A_CURSOR);
        let bytes = URL_SAFE_NO_PAD.decode(raw.as_bytes()).map_err(|_| bad())?;
        serde_json::from_slice(&bytes).map_err(|_| bad())
    }

    /// Where the page of this cursor lies, when it was made for `sort` and `descending`.
    fn bound(self, sort: UserSort, descending: bool) -> Result<Bound, AppError> {
        if self.s != sort.as_str() || self.d != descending {
            return Err(AppError::invalid("cursor", "belongs to a different sort or order"));
        }
        let value = match (sort, self.t, self.i) {
            (UserSort::LastLogin | UserSort::Created, None, Some(i)) => SortValue::Int(i),
            (UserSort::Name | UserSort::Email | UserSort::Status, Some(t), None) => SortValue::Text(t),
            _ => return Err(AppError::invalid("cursor", NOT_A_CURSOR)),
        };
        let k = Keyset { value, id: self.id };
        Ok(if self.b { Bound::Before(k) } else { Bound::After(k) })
    }
}

const NOT_A_CURSOR: &str = "is not a cursor this list returned";

fn summary(r: UserListRow) -> UserSummary {
    let account_role = if r.is_primary_admin {
        "Primary Master Admin".to_owned()
    } else {
        r.role_name.unwrap_or_else(|| "Member".to_owned())
    };
    UserSummary {
        id: r.id,
        status: r.status,
        builder_access: r.builder_access,
        email: r.email,
        first_name: r.first_name,
        last_name: r.last_name,
        account_role,
        last_login_at: r.last_login_at,
        invited_at: r.invited_at,
        created_at: r.created_at,
    }
}

/// One page of the users the capability's holder may see, with how many match in all:
/// a first page holding every match is its own count (one query, whatever the filter: the rare
/// role, the absent term); otherwise they are counted up to [`COUNT_CAP`] (a second query).
pub async fn list_users(ctx: &AppCtx, may: &ListUsers, params: &ListParams) -> Result<UserPage, AppError> {
    let (mut filter, page, offset) = parse_list(params)?;
    filter.within.clone_from(&may.within);
    let mut listed = list_page(ctx, may.account, &filter, &page, offset).await?;
    // The first page (asked for as such) with no page after it holds every match. A page
    // after a cursor may be empty although users match (the rows it followed went away).
    let (count, is_lower_bound) = if page.from.is_none() && listed.next_cursor.is_none() {
        (u32::try_from(listed.items.len()).unwrap_or(u32::MAX), false)
    } else {
        store::users::count(&ctx.db, may.account, &filter, COUNT_CAP).await?
    };
    listed.total = Some(Total { count, is_lower_bound });
    Ok(listed)
}

/// One page of `account`'s users matching `filter` (which the caller has scoped), with the
/// cursors of the pages before and after it: the users list and a group's members share it.
/// A previous page that reaches the start of the list is the first page, full.
pub(crate) async fn list_page(
    ctx: &AppCtx,
    account: domain::ids::AccountId,
    filter: &UserFilter,
    page: &PageRequest,
    offset: u64,
) -> Result<UserPage, AppError> {
    let (mut rows, mut more) = store::users::list(&ctx.db, account, filter, page).await?;
    let mut from = page.from.clone();
    if matches!(from, Some(Bound::Before(_))) && !more {
        from = None;
        (rows, more) =
            store::users::list(&ctx.db, account, filter, &PageRequest { from: None, ..page.clone() }).await?;
    }
    let len = rows.len() as u64;
    let (offset, more_after, more_before) = match from {
        None => (0, more, false),
        Some(Bound::After(_)) => (offset, more, true),
        // Reading back from a page known to exist: one follows this page.
        Some(Bound::Before(_)) => (offset.saturating_sub(len), true, more),
    };
    let cursor = |r: Option<&UserListRow>, before: bool, at: u64| {
        r.map(|r| Cursor::encode(&r.keyset(page.sort), page.sort, page.descending, before, at))
    };
    let next_cursor = if more_after { cursor(rows.last(), false, offset + len) } else { None };
    let prev_cursor = if more_before { cursor(rows.first(), true, offset) } else { None };
    let items = rows.into_iter().map(summary).collect();
    Ok(UserPage { items, next_cursor, prev_cursor, offset, total: None })
}

/// Everything the profile tab shows.
#[derive(Debug, Clone)]
pub struct UserDetails {
    pub user: UserDetailRow,
    pub role: AdminRole,
    pub role_kind: RoleKind,
    pub account_role: String,
    pub workspaces: Vec<Named>,
    pub groups: Vec<GroupRow>,
}

impl From<&TargetUser> for UserDetails {
    fn from(t: &TargetUser) -> Self {
        Self {
            user: t.row.clone(),
            role_kind: t.role.kind(),
            account_role: t.role.label().to_owned(),
            role: t.role.clone(),
            workspaces: t.workspaces.clone(),
            groups: t.groups.clone(),
        }
    }
}

/// The user of `may`, as the capability loaded them (no further reads).
pub fn get_user(may: &OnUser<UsersView>) -> UserDetails {
    UserDetails::from(may.target())
}

/// The filter choices the list page offers: workspaces, groups and custom roles.
pub struct FilterChoices {
    pub workspaces: Vec<Named>,
    pub groups: Vec<GroupRow>,
    pub roles: Vec<Named>,
}

pub async fn filter_choices(ctx: &AppCtx, may: &ListUsers) -> Result<FilterChoices, AppError> {
    let in_scope = |w: &Uuid| may.within.as_ref().is_none_or(|ws| ws.contains(&WorkspaceId(*w)));
    let workspaces =
        store::lookups::workspaces(&ctx.db, may.account).await?.into_iter().filter(|w| in_scope(&w.id)).collect();
    let groups =
        store::lookups::groups(&ctx.db, may.account).await?.into_iter().filter(|g| in_scope(&g.workspace_id)).collect();
    let roles = store::lookups::custom_roles(&ctx.db, may.account).await?;
    Ok(FilterChoices { workspaces, groups, roles })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> ListParams {
        let v: serde_json::Value = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
            .collect::<serde_json::Map<_, _>>()
            .into();
        serde_json::from_value(v).unwrap()
    }

    fn field_of(e: AppError) -> String {
        match e {
            AppError::Invalid { field, .. } => field,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn bad_parameters_are_named() {
        for (k, v) in [
            ("sort", "password"),
            ("order", "up"),
            ("limit", "0"),
            ("limit", "101"),
            ("limit", "ten"),
            ("status", "deleted"),
            ("cursor", "%%%"),
            ("cursor", "eyJ4IjoxfQ"),
            ("workspace", "w1"),
            ("role", "owner"),
            ("builder_access", "all"),
        ] {
            assert_eq!(field_of(parse_list_params(&params(&[(k, v)])).unwrap_err()), k, "{k}={v}");
        }
        let long = "x".repeat(MAX_QUERY_CHARS + 1);
        assert_eq!(field_of(parse_list_params(&params(&[("q", &long)])).unwrap_err()), "q");
    }

    #[test]
    fn every_bad_parameter_is_named_at_once() {
        let all = [
            ("q", "a\u{0}b"),
            ("status", "deleted"),
            ("role", "owner"),
            ("workspace", "w1"),
            ("group", "g1"),
            ("builder_access", "all"),
            ("sort", "password"),
            ("order", "up"),
            ("limit", "0"),
            ("cursor", "%%%"),
        ];
        match parse_list_params(&params(&all)).unwrap_err() {
            AppError::InvalidFields(fields) => {
                let names: Vec<&str> = fields.iter().map(|(f, _)| f.as_str()).collect();
                assert_eq!(names, all.map(|(k, _)| k));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn cursors_round_trip_and_are_bound_to_their_sort() {
        let k = Keyset { value: SortValue::Text("ann lee".into()), id: Uuid::now_v7() };
        let c = Cursor::encode(&k, UserSort::Name, false, false, 50);
        let decode = |sort, descending| Cursor::parse(&c).and_then(|c| c.bound(sort, descending));
        assert_eq!(decode(UserSort::Name, false).unwrap(), Bound::After(k.clone()));
        let back = Cursor::encode(&k, UserSort::Name, false, true, 50);
        assert_eq!(Cursor::parse(&back).and_then(|c| c.bound(UserSort::Name, false)).unwrap(), Bound::Before(k));
        assert!(decode(UserSort::Email, false).is_err());
        assert!(decode(UserSort::Name, true).is_err());
    }

    #[test]
    fn defaults_are_name_ascending_25() {
        let (f, p) = parse_list_params(&ListParams::default()).unwrap();
        assert_eq!((p.sort, p.descending, p.limit), (UserSort::Name, false, DEFAULT_LIMIT));
        assert!(f.search.is_none());
    }
}
