//! `/admin/users`: the list with search, filters (and Clear filters), sort, the total count,
//! Previous/Next pages, bulk actions and export. The results (count, table, pager) sit in one
//! region that the page's script swaps in place while the admin types a search.

use super::refusals::Refusals;
use crate::error::PageError;
use crate::extract::PageUser;
use crate::pages::Nav;
use crate::pages::format::{day, when};
use crate::pages::notice::Notice;
use crate::pages::query_of;
use crate::routes::{Routes, get};
use crate::state::AppState;
use app::users::{DEFAULT_LIMIT, ListParams, Total, UserSummary};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::user::{BuilderAccess, UserStatus};

pub fn routes() -> Routes {
    Routes::new().route("/admin/users", get(list))
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

fn choices<I: IntoIterator<Item = (String, String)>>(items: I, current: Option<&String>) -> Vec<Choice> {
    items
        .into_iter()
        .map(|(value, label)| Choice { selected: current.is_some_and(|c| *c == value), value, label })
        .collect()
}

struct Column {
    label: &'static str,
    /// Where clicking the header sorts to; `None` for columns that do not sort.
    href: Option<String>,
    arrow: &'static str,
    aria_sort: Option<&'static str>,
}

struct Row {
    id: String,
    name: String,
    email: String,
    role: String,
    status: &'static str,
    status_class: &'static str,
    last_seen: String,
}

/// The current filters, echoed back into the form.
#[derive(Default)]
struct Echo {
    q: String,
    sort: String,
    order: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
struct UsersPage {
    nav: Option<Nav>,
    f: Echo,
    status_options: Vec<Choice>,
    role_options: Vec<Choice>,
    workspace_options: Vec<Choice>,
    group_options: Vec<Choice>,
    builder_options: Vec<Choice>,
    limit_options: Vec<Choice>,
    columns: Vec<Column>,
    rows: Vec<Row>,
    count_label: String,
    /// Every invalid filter, each shown beside its control (sort, order and cursor below).
    errors: Refusals,
    /// The filters in force, as the admin reads them ("Status: Locked"), for the empty result.
    active_filters: Vec<String>,
    /// The list without any filter or search (same sort and page size), when one is set.
    clear_href: Option<String>,
    /// Back to the first page: only when a cursor led past the end of the list.
    first_href: Option<String>,
    prev_href: Option<String>,
    next_href: Option<String>,
    /// The bulk-actions form: token, where it returns to, and its group choices.
    csrf: String,
    back: String,
    may_bulk: bool,
    may_delete: bool,
    /// Account-wide `users.delete`: the link to the deleted users.
    may_see_deleted: bool,
    bulk_groups: Vec<Choice>,
    export_href: String,
    notice: Option<&'static str>,
}

impl UsersPage {
    /// Refusals of fields the page has no place for: shown above the table.
    fn other_errors(&self) -> Vec<&(String, String)> {
        self.errors.others(&["q", "status", "role", "workspace", "group", "builder_access", "limit"])
    }
}

fn last_seen(u: &UserSummary) -> String {
    match (u.status, u.last_login_at, u.invited_at) {
        (UserStatus::Invited, _, Some(at)) => format!("Invited {}", day(at)),
        (_, Some(at), _) => when(at),
        _ => "Never signed in".to_owned(),
    }
}

/// `/admin/users?…` with `params`, minus the cursor, plus `extra`.
fn list_href(params: &ListParams, extra: &[(&str, &str)]) -> String {
    format!("/admin/users?{}", query_of(params, extra))
}

/// `n` with a comma between thousands: 1234567 → "1,234,567".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// "1–25 of 1,234 users", "26 of 26 users", "1–25 of 10,000+ users", "No users".
fn count_label(offset: u64, shown: usize, total: Option<Total>) -> String {
    let Some(total) = total else { return String::new() };
    if shown == 0 {
        return if offset == 0 && total.count == 0 {
            "No users".to_owned()
        } else {
            "No users on this page".to_owned()
        };
    }
    let (first, last) = (offset + 1, offset + shown as u64);
    let range = if first == last { thousands(first) } else { format!("{}–{}", thousands(first), thousands(last)) };
    let plus = if total.is_lower_bound { "+" } else { "" };
    let noun = if total.count == 1 && !total.is_lower_bound { "user" } else { "users" };
    format!("{range} of {}{plus} {noun}", thousands(u64::from(total.count)))
}

/// The filters the admin set, named as the form labels them, with the chosen option's label.
fn active_filters(params: &ListParams, selects: &[(&str, &[Choice])]) -> Vec<String> {
    let mut named = Vec::new();
    if let Some(q) = params.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        named.push(format!("Search \u{201c}{q}\u{201d}"));
    }
    for (label, options) in selects {
        if let Some(o) = options.iter().find(|o| o.selected) {
            named.push(format!("{label}: {}", o.label));
        }
    }
    named
}

async fn list(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    RawQuery(raw): RawQuery,
    notice: Notice,
) -> Result<Response, PageError> {
    let here = raw.as_deref().map_or_else(|| "/admin/users".to_owned(), |q| format!("/admin/users?{q}"));
    let nav = Nav::load(&me, &here);
    let may = app::authz::list_users(&me)?;
    let (params, mut errors) = match crate::extract::parse_query::<ListParams>(raw.as_deref().unwrap_or("")) {
        Ok(p) => (p, Refusals::default()),
        Err(_) => {
            (ListParams::default(), vec![("query".to_owned(), "is invalid; showing all users".to_owned())].into())
        }
    };
    let choices_data = app::users::filter_choices(&state.ctx, &may).await?;
    let (page, status) = match app::users::list_users(&state.ctx, &may, &params).await {
        Ok(p) => (Some(p), StatusCode::OK),
        Err(e) => {
            errors = Refusals::of_error(e)?;
            (None, StatusCode::BAD_REQUEST)
        }
    };
    let sort = params.sort.clone().unwrap_or_else(|| "name".into());
    let desc = params.order.as_deref() == Some("desc");
    let columns = [
        ("Name", "name"),
        ("Email Id", "email"),
        ("Account Role", ""),
        ("Status", "status"),
        ("Last login", "last_login"),
    ]
    .into_iter()
    .map(|(label, key)| {
        let active = !key.is_empty() && sort == key;
        let order = if active && !desc { "desc" } else { "asc" };
        Column {
            label,
            href: (!key.is_empty()).then(|| list_href(&params, &[("sort", key), ("order", order)])),
            arrow: match (active, desc) {
                (true, false) => " ▲",
                (true, true) => " ▼",
                _ => "",
            },
            aria_sort: active.then_some(if desc { "descending" } else { "ascending" }),
        }
    })
    .collect();
    let (rows, next_href, prev_href) = match &page {
        Some(p) => (
            p.items
                .iter()
                .map(|u| Row {
                    id: u.id.to_string(),
                    name: format!("{} {}", u.first_name, u.last_name),
                    email: u.email.clone(),
                    role: u.account_role.clone(),
                    status: u.status.label(),
                    status_class: u.status.as_str(),
                    last_seen: last_seen(u),
                })
                .collect::<Vec<_>>(),
            p.next_cursor.as_ref().map(|c| list_href(&params, &[("cursor", c)])),
            p.prev_cursor.as_ref().map(|c| list_href(&params, &[("cursor", c)])),
        ),
        None => (Vec::new(), None, None),
    };
    let count_label = page.as_ref().map(|p| count_label(p.offset, rows.len(), p.total)).unwrap_or_default();
    // A cursor past the end (its users deleted meanwhile) leaves no Previous: offer the start.
    let first_href =
        (params.cursor.is_some() && prev_href.is_none() && rows.is_empty()).then(|| list_href(&params, &[]));
    let limit_current = params.limit.clone().unwrap_or_else(|| DEFAULT_LIMIT.to_string());
    let notice = notice.pick(&[
        ("none_selected", "Select at least one user, then choose an action."),
        ("deleted", "User deleted. They can be restored for 30 days."),
    ]);
    let export_href = format!("/api/v1/users/export{}", &list_href(&params, &[])["/admin/users".len()..]);
    let bulk_groups = choices(
        choices_data.groups.iter().map(|g| (g.id.to_string(), format!("{} · {}", g.workspace_name, g.name))),
        None,
    );
    let tabs = app::authz::user_tabs(&me);
    let status_options =
        choices(UserStatus::ALL.map(|s| (s.as_str().into(), s.label().into())), params.status.as_ref());
    let role_options = choices(
        [("member", "Member"), ("primary_master_admin", "Primary Master Admin"), ("master_admin", "Master Admin")]
            .map(|(v, l)| (v.to_owned(), l.to_owned()))
            .into_iter()
            .chain(choices_data.roles.iter().map(|r| (r.id.to_string(), r.name.clone()))),
        params.role.as_ref(),
    );
    let workspace_options =
        choices(choices_data.workspaces.iter().map(|w| (w.id.to_string(), w.name.clone())), params.workspace.as_ref());
    let group_options = choices(
        choices_data.groups.iter().map(|g| (g.id.to_string(), format!("{} · {}", g.workspace_name, g.name))),
        params.group.as_ref(),
    );
    let builder_options =
        choices(BuilderAccess::ALL.map(|b| (b.as_str().into(), b.label().into())), params.builder_access.as_ref());
    let active_filters = active_filters(
        &params,
        &[
            ("Status", status_options.as_slice()),
            ("Account role", role_options.as_slice()),
            ("Workspace", workspace_options.as_slice()),
            ("Group", group_options.as_slice()),
            ("Bot Builder", builder_options.as_slice()),
        ],
    );
    // Any filter set, even one no option shows (an id out of scope), can be cleared.
    let filtered = [&params.q, &params.status, &params.role, &params.workspace, &params.group, &params.builder_access]
        .iter()
        .any(|v| v.as_deref().is_some_and(|v| !v.trim().is_empty()));
    let kept = ListParams {
        sort: params.sort.clone(),
        order: params.order.clone(),
        limit: params.limit.clone(),
        ..ListParams::default()
    };
    let clear_href = filtered.then(|| list_href(&kept, &[]));
    let view = UsersPage {
        nav: Some(nav),
        f: Echo {
            q: params.q.clone().unwrap_or_default(),
            sort,
            order: if desc { "desc".into() } else { "asc".into() },
        },
        status_options,
        role_options,
        workspace_options,
        group_options,
        builder_options,
        limit_options: choices(["25", "50", "100"].map(|n| (n.to_owned(), n.to_owned())), Some(&limit_current)),
        columns,
        rows,
        count_label,
        errors,
        active_filters,
        clear_href,
        first_href,
        prev_href,
        next_href,
        csrf: me.csrf_token.clone(),
        back: params.cursor.as_ref().map_or_else(|| list_href(&params, &[]), |c| list_href(&params, &[("cursor", c)])),
        may_bulk: tabs.bulk,
        may_delete: tabs.delete,
        may_see_deleted: app::authz::console(&me).deleted_users,
        bulk_groups,
        export_href,
        notice,
    };
    Ok((status, view).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_a_range_of_a_total() {
        let exact = |count| Some(Total { count, is_lower_bound: false });
        assert_eq!(count_label(0, 25, exact(1234)), "1–25 of 1,234 users");
        assert_eq!(count_label(1225, 9, exact(1234)), "1,226–1,234 of 1,234 users");
        assert_eq!(count_label(0, 1, exact(1)), "1 of 1 user");
        assert_eq!(count_label(0, 0, exact(0)), "No users");
        assert_eq!(count_label(25, 25, Some(Total { count: 10_000, is_lower_bound: true })), "26–50 of 10,000+ users");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(999), "999");
    }
}
