//! `/admin/groups`: list, create, rename and delete groups (deletion only when empty, with
//! the refusal shown), and add or remove members by email. Members themselves are listed by
//! the users list filtered on the group (keyset-paged), never inline: a group may have
//! tens of thousands.

use crate::csrf::check_form_token;
use crate::extract::{PageUser, parse_query};
use crate::pages::sessions::NoticeQuery;
use crate::pages::{Nav, error_page, expired_form};
use crate::state::AppState;
use app::AppError;
use app::authz::{GroupsManage, Principal};
use app::groups::{Who, group_id};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::ids::UserId;
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/groups", get(show).post(create))
        .route("/admin/groups/{id}/rename", post(rename))
        .route("/admin/groups/{id}/delete", post(delete))
        .route("/admin/groups/{id}/members", post(add_member))
        .route("/admin/groups/{id}/members/remove", post(remove_member_by_email))
        .route("/admin/groups/{id}/members/{user}/remove", post(remove_member))
}

struct GroupView {
    id: String,
    name: String,
    workspace: String,
    member_count: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "groups.html")]
struct GroupsPage {
    nav: Option<Nav>,
    csrf: String,
    notice: Option<&'static str>,
    error: Option<String>,
    groups: Vec<GroupView>,
    workspaces: Vec<(String, String)>,
}

async fn render(state: &AppState, me: &Principal, notice: Option<&'static str>, error: Option<&AppError>) -> Response {
    let nav = Nav::load(&state.ctx, me, "groups", "/admin/groups").await;
    let loaded = async {
        let may = app::authz::in_scope::<GroupsManage>(me)?;
        let mut groups = Vec::new();
        for g in app::groups::list(&state.ctx, &may).await? {
            groups.push(GroupView {
                id: g.id.to_string(),
                name: g.name,
                workspace: g.workspace_name,
                member_count: g.member_count,
            });
        }
        let workspaces =
            app::groups::workspaces(&state.ctx, &may).await?.into_iter().map(|w| (w.id.to_string(), w.name)).collect();
        Ok::<_, AppError>((groups, workspaces))
    };
    let (groups, workspaces) = match loaded.await {
        Ok(v) => v,
        Err(e) => return error_page(&e, Some(nav)),
    };
    let status = error.map_or(StatusCode::OK, crate::error::status_of);
    let page = GroupsPage {
        nav: Some(nav),
        csrf: me.csrf_token.clone(),
        notice,
        error: error.map(ToString::to_string),
        groups,
        workspaces,
    };
    (status, page).into_response()
}

async fn show(State(state): State<AppState>, PageUser(me): PageUser, RawQuery(raw): RawQuery) -> Response {
    let notice = match NoticeQuery::from_raw(raw.as_deref()).notice.as_deref() {
        Some("created") => Some("Group created."),
        Some("renamed") => Some("Group renamed."),
        Some("deleted") => Some("Group deleted."),
        Some("added") => Some("Member added."),
        Some("removed") => Some("Member removed."),
        _ => None,
    };
    render(&state, &me, notice, None).await
}

/// Parses the form, checks its CSRF token and runs `act`; redirects with `notice` on
/// success and re-renders the list with the reason otherwise.
async fn act<F>(state: &AppState, me: &Principal, body: &str, notice: &str, act: F) -> Response
where
    F: AsyncFnOnce(&BTreeMap<String, String>) -> Result<(), AppError>,
{
    let fields: BTreeMap<String, String> = parse_query(body).unwrap_or_default();
    if !check_form_token(&me.csrf_token, fields.get("csrf").map_or("", String::as_str)) {
        return expired_form(Nav::load(&state.ctx, me, "groups", "/admin/groups").await);
    }
    match act(&fields).await {
        Ok(()) => Redirect::to(&format!("/admin/groups?notice={notice}")).into_response(),
        Err(e) => render(state, me, None, Some(&e)).await,
    }
}

fn field<'a>(fields: &'a BTreeMap<String, String>, name: &str) -> &'a str {
    fields.get(name).map_or("", String::as_str)
}

async fn create(State(state): State<AppState>, PageUser(me): PageUser, body: String) -> Response {
    act(&state, &me, &body, "created", async |f| {
        let may = app::authz::in_scope::<GroupsManage>(&me)?;
        app::groups::create(&state.ctx, &may, field(f, "workspace_id"), field(f, "name")).await.map(|_| ())
    })
    .await
}

async fn rename(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    body: String,
) -> Response {
    act(&state, &me, &body, "renamed", async |f| {
        let may = app::authz::in_scope::<GroupsManage>(&me)?;
        app::groups::rename(&state.ctx, &may, group_id(&id)?, field(f, "name")).await.map(|_| ())
    })
    .await
}

async fn delete(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    body: String,
) -> Response {
    act(&state, &me, &body, "deleted", async |_| {
        let may = app::authz::in_scope::<GroupsManage>(&me)?;
        app::groups::delete(&state.ctx, &may, group_id(&id)?).await
    })
    .await
}

async fn add_member(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    body: String,
) -> Response {
    act(&state, &me, &body, "added", async |f| {
        let may = app::authz::in_scope::<GroupsManage>(&me)?;
        app::groups::add_member(&state.ctx, &may, group_id(&id)?, &Who::Email(field(f, "email"))).await.map(|_| ())
    })
    .await
}

async fn remove_member(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path((id, user)): Path<(String, String)>,
    body: String,
) -> Response {
    act(&state, &me, &body, "removed", async |_| {
        let may = app::authz::in_scope::<GroupsManage>(&me)?;
        let user = user.parse::<UserId>().map_err(|_| AppError::NotFound)?;
        app::groups::remove_member(&state.ctx, &may, group_id(&id)?, &Who::Id(user)).await
    })
    .await
}

async fn remove_member_by_email(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    body: String,
) -> Response {
    act(&state, &me, &body, "removed", async |f| {
        let may = app::authz::in_scope::<GroupsManage>(&me)?;
        app::groups::remove_member(&state.ctx, &may, group_id(&id)?, &Who::Email(field(f, "email"))).await
    })
    .await
}
