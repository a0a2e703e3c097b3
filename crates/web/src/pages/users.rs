//! `/admin/users` (the list with search, filters, sort and pager) and
//! `/admin/users/{id}` (the profile tab, with why a user is locked and Unlock).

use crate::csrf::check_form_token;
use crate::extract::{PageUser, encode_component};
use crate::pages::sessions::{NoticeQuery, UserHead};
use crate::pages::{Nav, error_page, expired_form};
use crate::state::AppState;
use app::AppError;
use app::clock::from_micros;
use app::users::{DEFAULT_LIMIT, ListParams, UserDetails, UserSummary};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::ids::UserId;
use domain::permission::Permission;
use domain::role::RoleKind;
use domain::user::{BuilderAccess, UserStatus};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list))
        .route("/admin/users/{id}", get(show))
        .route("/admin/users/{id}/unlock", post(unlock))
        .route("/admin/users/{id}/edit", post(edit))
}

/// "2026-11-27 14:05 UTC".
pub fn when(us: i64) -> String {
    let t = from_micros(us);
    format!("{:04}-{:02}-{:02} {:02}:{:02} UTC", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
}

fn day(us: i64) -> String {
    let t = from_micros(us);
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
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
    error: Option<String>,
    first_href: Option<String>,
    next_href: Option<String>,
    /// The bulk-actions form: token, where it returns to, and its group choices.
    csrf: String,
    back: String,
    may_bulk: bool,
    may_delete: bool,
    bulk_groups: Vec<Choice>,
    export_href: String,
    notice: Option<&'static str>,
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
    let mut pairs: Vec<(&str, &str)> = [
        ("q", &params.q),
        ("status", &params.status),
        ("role", &params.role),
        ("workspace", &params.workspace),
        ("group", &params.group),
        ("builder_access", &params.builder_access),
        ("limit", &params.limit),
        ("sort", &params.sort),
        ("order", &params.order),
    ]
    .into_iter()
    .filter(|(k, _)| !extra.iter().any(|(ek, _)| ek == k))
    .filter_map(|(k, v)| v.as_deref().filter(|v| !v.is_empty()).map(|v| (k, v)))
    .collect();
    pairs.extend_from_slice(extra);
    let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={}", encode_component(v))).collect();
    format!("/admin/users?{}", query.join("&"))
}

async fn list(State(state): State<AppState>, PageUser(me): PageUser, RawQuery(raw): RawQuery) -> Response {
    let here = raw.as_deref().map_or_else(|| "/admin/users".to_owned(), |q| format!("/admin/users?{q}"));
    let nav = Nav::load(&state.ctx, &me, "users", &here).await;
    let may = match app::authz::list_users(&me) {
        Ok(m) => m,
        Err(e) => return error_page(&e, Some(nav)),
    };
    let (params, mut error) = match crate::extract::parse_query::<ListParams>(raw.as_deref().unwrap_or("")) {
        Ok(p) => (p, None),
        Err(_) => (ListParams::default(), Some("The address has an invalid query; showing all users.".to_owned())),
    };
    let choices_data = match app::users::filter_choices(&state.ctx, &may).await {
        Ok(c) => c,
        Err(e) => return error_page(&e, Some(nav)),
    };
    let (page, status) = match app::users::list_users(&state.ctx, &may, &params).await {
        Ok(p) => (Some(p), StatusCode::OK),
        Err(AppError::Invalid { field, message }) => {
            error = Some(format!("{field} {message}."));
            (None, StatusCode::BAD_REQUEST)
        }
        Err(e) => return error_page(&e, Some(nav)),
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
    let (rows, next_href) = match &page {
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
        ),
        None => (Vec::new(), None),
    };
    let count_label = match rows.len() {
        0 => "No users".to_owned(),
        1 => "1 user on this page".to_owned(),
        n => format!("{n} users on this page"),
    };
    let limit_current = params.limit.clone().unwrap_or_else(|| DEFAULT_LIMIT.to_string());
    let notice = match NoticeQuery::from_raw(raw.as_deref()).notice.as_deref() {
        Some("none_selected") => Some("Select at least one user, then choose an action."),
        Some("deleted") => Some("User deleted. They can be restored for 30 days."),
        _ => None,
    };
    let export_href = format!("/api/v1/users/export{}", &list_href(&params, &[])["/admin/users".len()..]);
    let bulk_groups = choices(
        choices_data.groups.iter().map(|g| (g.id.to_string(), format!("{} · {}", g.workspace_name, g.name))),
        None,
    );
    let may_bulk =
        [Permission::UsersManage, Permission::UsersInvite, Permission::UsersDelete, Permission::GroupsManage]
            .into_iter()
            .any(|p| me.role.allows(p));
    let view = UsersPage {
        nav: Some(nav),
        f: Echo {
            q: params.q.clone().unwrap_or_default(),
            sort,
            order: if desc { "desc".into() } else { "asc".into() },
        },
        status_options: choices(UserStatus::ALL.map(|s| (s.as_str().into(), s.label().into())), params.status.as_ref()),
        role_options: choices(
            [("member", "Member"), ("primary_master_admin", "Primary Master Admin"), ("master_admin", "Master Admin")]
                .map(|(v, l)| (v.to_owned(), l.to_owned()))
                .into_iter()
                .chain(choices_data.roles.iter().map(|r| (r.id.to_string(), r.name.clone()))),
            params.role.as_ref(),
        ),
        workspace_options: choices(
            choices_data.workspaces.iter().map(|w| (w.id.to_string(), w.name.clone())),
            params.workspace.as_ref(),
        ),
        group_options: choices(
            choices_data.groups.iter().map(|g| (g.id.to_string(), format!("{} · {}", g.workspace_name, g.name))),
            params.group.as_ref(),
        ),
        builder_options: choices(
            BuilderAccess::ALL.map(|b| (b.as_str().into(), b.label().into())),
            params.builder_access.as_ref(),
        ),
        limit_options: choices(["25", "50", "100"].map(|n| (n.to_owned(), n.to_owned())), Some(&limit_current)),
        columns,
        rows,
        count_label,
        error,
        first_href: params.cursor.as_ref().map(|_| list_href(&params, &[])),
        next_href,
        csrf: me.csrf_token.clone(),
        back: params.cursor.as_ref().map_or_else(|| list_href(&params, &[]), |c| list_href(&params, &[("cursor", c)])),
        may_bulk,
        may_delete: me.role.allows(Permission::UsersDelete),
        bulk_groups,
        export_href,
        notice,
    };
    (status, view).into_response()
}

/// Why a user is locked (or how often their sign-in failed lately).
struct LockoutView {
    failed_logins: i32,
    recent: Vec<(String, String)>,
    unlocks: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "user.html")]
struct UserPage {
    nav: Option<Nav>,
    head: UserHead,
    csrf: String,
    notice: Option<&'static str>,
    first_name: String,
    last_name: String,
    email: String,
    status: &'static str,
    status_detail: String,
    locked: bool,
    may_unlock: bool,
    lockout: Option<LockoutView>,
    groups: Vec<String>,
    role: String,
    builder_access: &'static str,
    workspaces: Vec<String>,
    created: String,
    edit: Option<EditForm>,
    stale: bool,
    more: crate::pages::user_actions::MoreMenu,
}

/// One option of a select or checkbox list: value, label, selected.
struct Opt {
    value: String,
    label: String,
    selected: bool,
}

/// The profile edit form: the version it is based on travels in a hidden field.
struct EditForm {
    version: i64,
    builder: Vec<Opt>,
    groups: Vec<Opt>,
    /// `None` for the Primary Master Admin, whose role changes only by hand-over.
    roles: Option<Vec<Opt>>,
    no_role: bool,
}

async fn edit_form(state: &AppState, me: &app::authz::Principal, d: &UserDetails) -> Option<EditForm> {
    if !me.role.allows(Permission::UsersManage) {
        return None;
    }
    let may = app::authz::on_user::<app::authz::UsersManage>(&state.ctx, me, UserId(d.user.id)).await.ok()?;
    let choices = app::profile::edit_choices(&state.ctx, &may).await.ok()?;
    let builder = BuilderAccess::ALL
        .iter()
        .map(|a| Opt { value: a.as_str().into(), label: a.label().into(), selected: *a == d.builder_access })
        .collect();
    let groups = choices
        .groups
        .iter()
        .map(|(g, member)| Opt {
            value: g.id.to_string(),
            label: format!("{} · {}", g.workspace_name, g.name),
            selected: *member,
        })
        .collect();
    let roles = (d.role_kind != RoleKind::PrimaryMasterAdmin).then(|| {
        choices
            .roles
            .iter()
            .map(|r| Opt {
                value: r.id.to_string(),
                label: r.name.clone(),
                selected: d.user.admin_role_id == Some(r.id),
            })
            .collect()
    });
    Some(EditForm { version: d.user.version, builder, groups, roles, no_role: d.user.admin_role_id.is_none() })
}

fn status_detail(d: &UserDetails) -> String {
    let u = &d.user;
    let last_login =
        || u.last_login_at.map_or_else(|| "never signed in".to_owned(), |t| format!("last login {}", when(t)));
    match d.status {
        UserStatus::Active => last_login(),
        UserStatus::Invited => {
            u.invited_at.map_or_else(|| "not active".to_owned(), |t| format!("Not Active: invitation sent {}", when(t)))
        }
        UserStatus::Suspended => format!("suspended; {}", last_login()),
        UserStatus::Locked => u.locked_at.map_or_else(|| "locked".to_owned(), |t| format!("locked since {}", when(t))),
    }
}

async fn show(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let notice = match NoticeQuery::from_raw(raw.as_deref()).notice.as_deref() {
        Some("unlocked") => Some("User unlocked. They can sign in again."),
        Some("saved") => Some("Profile saved."),
        Some("suspended") => Some("User suspended. Their sessions have ended and they cannot sign in."),
        Some("activated") => Some("User activated. They can sign in again."),
        Some("invitation_resent") => Some("Invitation sent again."),
        Some("reset_sent") => Some("A password reset link was emailed to the user."),
        _ => None,
    };
    render(&state, &me, &id, notice, false).await
}

/// The profile tab; `stale` re-renders the current version after a refused stale edit.
async fn render(
    state: &AppState,
    me: &app::authz::Principal,
    id: &str,
    notice: Option<&'static str>,
    stale: bool,
) -> Response {
    let nav = Nav::load(&state.ctx, me, "users", &format!("/admin/users/{id}")).await;
    let Ok(id) = id.parse::<UserId>() else { return error_page(&AppError::NotFound, Some(nav)) };
    let details = match app::authz::on_user::<app::authz::UsersView>(&state.ctx, me, id).await {
        Ok(may) => match app::users::get_user(&state.ctx, &may).await {
            Ok(d) => app::lockout::info(&state.ctx, &may).await.map(|l| (d, l)),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    let (d, lock) = match details {
        Ok(d) => d,
        Err(e) => return error_page(&e, Some(nav)),
    };
    let role = match d.role_kind {
        RoleKind::Member => "None".to_owned(),
        _ => d.account_role.clone(),
    };
    let locked = d.status == UserStatus::Locked;
    let lockout = (locked || lock.failed_logins > 0).then(|| LockoutView {
        failed_logins: lock.failed_logins,
        recent: lock
            .recent
            .iter()
            .map(|f| (when(f.at), if f.ip.is_empty() { "unknown".into() } else { f.ip.clone() }))
            .collect(),
        unlocks: lock.unlocks_at.map_or_else(
            || "Only an admin can unlock this user.".to_owned(),
            |t| format!("Unlocks by itself at {}.", when(t)),
        ),
    });
    let edit = edit_form(state, me, &d).await;
    let mut head = UserHead::new(me, id, format!("{} {}", d.user.first_name, d.user.last_name), "profile");
    head.badge = Some((d.status.label(), d.status.as_str()));
    let page = UserPage {
        nav: Some(nav),
        head,
        csrf: me.csrf_token.clone(),
        notice,
        first_name: d.user.first_name.clone(),
        last_name: d.user.last_name.clone(),
        email: d.user.email.clone(),
        status: d.status.label(),
        status_detail: status_detail(&d),
        locked,
        may_unlock: me.role.allows(Permission::UsersManage),
        lockout,
        groups: d.groups.iter().map(|g| format!("{} · {}", g.workspace_name, g.name)).collect(),
        role,
        builder_access: d.builder_access.label(),
        workspaces: d.workspaces.iter().map(|w| w.name.clone()).collect(),
        created: when(d.user.created_at),
        edit,
        stale,
        more: crate::pages::user_actions::MoreMenu::of(me, d.status),
    };
    if stale { (StatusCode::PRECONDITION_FAILED, page).into_response() } else { page.into_response() }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn unlock(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let nav = async || Nav::load(&state.ctx, &me, "users", &format!("/admin/users/{id}")).await;
    if !check_form_token(&me.csrf_token, &form.csrf) {
        return expired_form(nav().await);
    }
    let Ok(user) = id.parse::<UserId>() else { return error_page(&AppError::NotFound, Some(nav().await)) };
    let result = match app::authz::on_user::<app::authz::UsersManage>(&state.ctx, &me, user).await {
        Ok(may) => app::lockout::unlock(&state.ctx, &may).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/admin/users/{user}?notice=unlocked")).into_response(),
        Err(e) => error_page(&e, Some(nav().await)),
    }
}

/// The profile edit form: names, Bot Builder access, `group_<id>` checkboxes, admin role
/// and the `version` it was based on. A stale version re-renders the current one.
async fn edit(State(state): State<AppState>, PageUser(me): PageUser, Path(id): Path<String>, body: String) -> Response {
    let nav = async || Nav::load(&state.ctx, &me, "users", &format!("/admin/users/{id}")).await;
    let Ok(fields) = crate::extract::parse_query::<std::collections::BTreeMap<String, String>>(&body) else {
        return error_page(&AppError::invalid("body", "is not a form"), Some(nav().await));
    };
    let field = |k: &str| fields.get(k).cloned();
    if !check_form_token(&me.csrf_token, &field("csrf").unwrap_or_default()) {
        return expired_form(nav().await);
    }
    let Ok(user) = id.parse::<UserId>() else { return error_page(&AppError::NotFound, Some(nav().await)) };
    let Some(version) = field("version").and_then(|v| v.parse::<i64>().ok()) else {
        return error_page(&AppError::invalid("version", "is missing; reload the page"), Some(nav().await));
    };
    let groups = fields.keys().filter_map(|k| k.strip_prefix("group_")).map(str::to_owned).collect();
    let form = app::profile::ProfileEdit {
        version,
        first_name: field("first_name"),
        last_name: field("last_name"),
        builder_access: field("builder_access"),
        groups: Some(groups),
        admin_role_id: field("admin_role_id").map(|r| Some(r).filter(|r| !r.is_empty())),
    };
    let result = match app::authz::on_user::<app::authz::UsersManage>(&state.ctx, &me, user).await {
        Ok(may) => app::profile::update(&state.ctx, &may, &app::authz::granter(&me), &form).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/admin/users/{user}?notice=saved")).into_response(),
        Err(AppError::Stale(_)) => render(&state, &me, &id, None, true).await,
        Err(e) => error_page(&e, Some(nav().await)),
    }
}
