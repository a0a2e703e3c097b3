//! `/admin/groups`: list, create, rename and delete groups (deletion only when empty, with
//! the refusal shown), and add or remove members by email. Members themselves are listed by
//! the users list filtered on the group (keyset-paged), never inline: a group may have
//! tens of thousands.

use crate::csrf::CsrfForm;
use crate::error::{PageError, status_of};
use crate::extract::{AppPath, PageUser};
use crate::pages::Nav;
use crate::pages::notice::Notice;
use crate::routes::{Routes, get, post};
use crate::state::AppState;
use app::AppError;
use app::authz::{GroupsManage, Principal};
use app::groups::Who;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::ids::{GroupId, UserId};
use serde::Deserialize;

pub fn routes() -> Routes {
    Routes::new()
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

async fn render(
    state: &AppState,
    me: &Principal,
    notice: Option<&'static str>,
    error: Option<&AppError>,
) -> Result<Response, PageError> {
    let nav = Nav::load(me, "/admin/groups");
    let may = app::authz::in_scope::<GroupsManage>(me)?;
    let groups = app::groups::list(&state.ctx, &may)
        .await?
        .into_iter()
        .map(|g| GroupView {
            id: g.id.to_string(),
            name: g.name,
            workspace: g.workspace_name,
            member_count: g.member_count,
        })
        .collect();
    let workspaces =
        app::groups::workspaces(&state.ctx, &may).await?.into_iter().map(|w| (w.id.to_string(), w.name)).collect();
    let page = GroupsPage {
        nav: Some(nav),
        csrf: me.csrf_token.clone(),
        notice,
        error: error.map(ToString::to_string),
        groups,
        workspaces,
    };
    Ok((error.map_or(StatusCode::OK, status_of), page).into_response())
}

async fn show(State(state): State<AppState>, PageUser(me): PageUser, notice: Notice) -> Result<Response, PageError> {
    let notice = notice.pick(&[
        ("created", "Group created."),
        ("renamed", "Group renamed."),
        ("deleted", "Group deleted."),
        ("added", "Member added."),
        ("removed", "Member removed."),
    ]);
    render(&state, &me, notice, None).await
}

/// Back to the list with `notice`, or the list again with the reason it was refused.
async fn answer(
    state: &AppState,
    me: &Principal,
    notice: &str,
    result: Result<(), AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin/groups?notice={notice}")).into_response()),
        Err(e) => render(state, me, None, Some(&e)).await,
    }
}

#[derive(Deserialize)]
struct GroupForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    workspace_id: String,
    #[serde(default)]
    email: String,
}

async fn create(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    CsrfForm(f): CsrfForm<GroupForm>,
) -> Result<Response, PageError> {
    let may = app::authz::in_scope::<GroupsManage>(&me)?;
    let result = app::groups::create(&state.ctx, &may, &f.workspace_id, &f.name).await.map(|_| ());
    answer(&state, &me, "created", result).await
}

async fn rename(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    AppPath(group): AppPath<GroupId>,
    CsrfForm(f): CsrfForm<GroupForm>,
) -> Result<Response, PageError> {
    let may = app::authz::in_scope::<GroupsManage>(&me)?;
    let result = app::groups::rename(&state.ctx, &may, group, &f.name).await.map(|_| ());
    answer(&state, &me, "renamed", result).await
}

async fn delete(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    AppPath(group): AppPath<GroupId>,
    _: CsrfForm,
) -> Result<Response, PageError> {
    let may = app::authz::in_scope::<GroupsManage>(&me)?;
    let result = app::groups::delete(&state.ctx, &may, group).await;
    answer(&state, &me, "deleted", result).await
}

async fn add_member(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    AppPath(group): AppPath<GroupId>,
    CsrfForm(f): CsrfForm<GroupForm>,
) -> Result<Response, PageError> {
    let may = app::authz::in_scope::<GroupsManage>(&me)?;
    let result = app::groups::add_member(&state.ctx, &may, group, &Who::Email(&f.email)).await.map(|_| ());
    answer(&state, &me, "added", result).await
}

async fn remove_member(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    AppPath((group, user)): AppPath<(GroupId, UserId)>,
    _: CsrfForm,
) -> Result<Response, PageError> {
    let may = app::authz::in_scope::<GroupsManage>(&me)?;
    let result = app::groups::remove_member(&state.ctx, &may, group, &Who::Id(user)).await;
    answer(&state, &me, "removed", result).await
}

async fn remove_member_by_email(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    AppPath(group): AppPath<GroupId>,
    CsrfForm(f): CsrfForm<GroupForm>,
) -> Result<Response, PageError> {
    let may = app::authz::in_scope::<GroupsManage>(&me)?;
    let result = app::groups::remove_member(&state.ctx, &may, group, &Who::Email(&f.email)).await;
    answer(&state, &me, "removed", result).await
}
