//! Groups: `GET/POST /groups`, `GET/PATCH/DELETE /groups/{id}`, `GET /groups/{id}/members`
//! (keyset-paged like the users list), `PUT/DELETE /groups/{id}/members/{user_id}`.

use super::fields::Fields;
use super::shapes::Named;
use crate::error::ApiError;
use crate::error::ApiError as Problem;
use crate::extract::{ApiUser, AppPath, AppQuery, JsonDoc};
use crate::routes::{Routes, get, put};
use crate::state::AppState;
use app::authz::GroupsManage;
use app::groups::{GroupSummary, NewGroup as NewGroupInput, Who};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::ids::{GroupId, UserId, WorkspaceId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub fn routes() -> Routes {
    Routes::new()
        .route("/groups", get(list).post(create))
        .route("/groups/{id}", get(show).patch(rename).delete(delete_group))
        .route("/groups/{id}/members", get(members))
        .route("/groups/{id}/members/{user_id}", put(add_member).delete(remove_member))
}

/// A group of users in a workspace.
#[derive(Serialize, ToSchema)]
pub struct GroupJson {
    id: Uuid,
    name: String,
    workspace: Named,
    member_count: i64,
}

impl From<&GroupSummary> for GroupJson {
    fn from(g: &GroupSummary) -> Self {
        Self {
            id: g.id,
            name: g.name.clone(),
            workspace: Named::new(g.workspace_id, &g.workspace_name),
            member_count: g.member_count,
        }
    }
}

/// The groups in the caller's scope.
#[derive(Serialize, ToSchema)]
pub struct Groups {
    items: Vec<GroupJson>,
}

/// A new group.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Only described: the handler reads the fields (`Fields`).
pub struct NewGroup {
    #[schema(max_length = 100)]
    name: String,
    workspace_id: WorkspaceId,
}

/// A group's new name.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Only described: the handler reads the field (`Fields`).
pub struct GroupName {
    #[schema(max_length = 100)]
    name: String,
}

/// A member of a group.
#[derive(Serialize, ToSchema)]
pub struct MemberJson {
    id: Uuid,
    email: String,
    first_name: String,
    last_name: String,
}

/// A page of members, by email; `next_cursor` (when not null) fetches the next.
#[derive(Serialize, ToSchema)]
pub struct Members {
    items: Vec<MemberJson>,
    next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/groups", tag = "groups",
    responses((status = 200, description = "The groups in the caller's scope.", body = Groups)))]
pub(super) async fn list(State(state): State<AppState>, ApiUser(me): ApiUser) -> Result<Json<Groups>, ApiError> {
    let may = app::authz::in_scope::<GroupsManage>(&me)?;
    let groups = app::groups::list(&state.ctx, &may).await?;
    Ok(Json(Groups { items: groups.iter().map(Into::into).collect() }))
}

#[utoipa::path(post, path = "/groups", tag = "groups", request_body = NewGroup,
    responses((status = 201, description = "Created.", body = GroupJson),
        (status = 409, description = "The workspace has a group of that name.", body = Problem, content_type = "application/problem+json")))]
pub(super) async fn create(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    JsonDoc(body): JsonDoc,
) -> Result<(StatusCode, Json<GroupJson>), ApiError> {
    let may = app::authz::in_scope::<GroupsManage>(&me)?;
    let mut fields = Fields::of(&body);
    fields.only(&["name", "workspace_id"], "is not a field of a group");
    let (name, workspace_id) = (fields.required("name"), fields.required("workspace_id"));
    let g = app::groups::create(&state.ctx, &may, fields.input(NewGroupInput { workspace_id, name })).await?;
    Ok((StatusCode::CREATED, Json((&g).into())))
}

#[utoipa::path(get, path = "/groups/{id}", tag = "groups", params(("id" = Uuid, Path, description = "A group id.")),
    responses((status = 200, description = "The group.", body = GroupJson)))]
pub(super) async fn show(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<GroupId>,
) -> Result<Json<GroupJson>, ApiError> {
    let may = app::authz::in_scope::<GroupsManage>(&me)?;
    let g = app::groups::get(&state.ctx, &may, id).await?;
    Ok(Json((&g).into()))
}

#[utoipa::path(patch, path = "/groups/{id}", tag = "groups", params(("id" = Uuid, Path, description = "A group id.")), request_body = GroupName,
    responses((status = 200, description = "Renamed.", body = GroupJson),
        (status = 409, description = "The workspace has a group of that name.", body = Problem, content_type = "application/problem+json")))]
pub(super) async fn rename(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<GroupId>,
    JsonDoc(body): JsonDoc,
) -> Result<Json<GroupJson>, ApiError> {
    let may = app::authz::in_scope::<GroupsManage>(&me)?;
    let mut fields = Fields::of(&body);
    fields.only(&["name"], "is not a field of a group");
    let name = fields.required("name");
    let g = app::groups::rename(&state.ctx, &may, id, fields.input(name)).await?;
    Ok(Json((&g).into()))
}

#[utoipa::path(delete, path = "/groups/{id}", tag = "groups", params(("id" = Uuid, Path, description = "A group id.")),
    responses((status = 204, description = "Deleted."),
        (status = 409, description = "The group still has members (the detail says how many).", body = Problem, content_type = "application/problem+json")))]
pub(super) async fn delete_group(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<GroupId>,
) -> Result<StatusCode, ApiError> {
    let may = app::authz::in_scope::<GroupsManage>(&me)?;
    app::groups::delete(&state.ctx, &may, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `?limit=&cursor=`: a page of the members, by email.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MembersQuery {
    /// Members per page.
    #[param(minimum = 1, maximum = 100, value_type = Option<u32>)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

#[utoipa::path(get, path = "/groups/{id}/members", tag = "groups", params(("id" = Uuid, Path, description = "A group id."), MembersQuery),
    responses((status = 200, description = "A page of the members.", body = Members)))]
pub(super) async fn members(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<GroupId>,
    AppQuery(q): AppQuery<MembersQuery>,
) -> Result<Json<Members>, ApiError> {
    let may = app::authz::in_scope::<GroupsManage>(&me)?;
    let page = app::groups::members(&state.ctx, &may, id, q.limit, q.cursor).await?;
    let items = page
        .items
        .into_iter()
        .map(|u| MemberJson { id: u.id, email: u.email, first_name: u.first_name, last_name: u.last_name })
        .collect();
    Ok(Json(Members { items, next_cursor: page.next_cursor }))
}

#[utoipa::path(put, path = "/groups/{id}/members/{user_id}", tag = "groups", params(("id" = Uuid, Path, description = "A group id."), ("user_id" = Uuid, Path, description = "A user id.")),
    responses((status = 201, description = "Added."), (status = 204, description = "Was a member already."),
        (status = 409, description = "The user is not a member of the group's workspace.", body = Problem, content_type = "application/problem+json")))]
pub(super) async fn add_member(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath((id, user)): AppPath<(GroupId, UserId)>,
) -> Result<StatusCode, ApiError> {
    let may = app::authz::in_scope::<GroupsManage>(&me)?;
    let added = app::groups::add_member(&state.ctx, &may, id, &Who::Id(user)).await?;
    Ok(if added { StatusCode::CREATED } else { StatusCode::NO_CONTENT })
}

#[utoipa::path(delete, path = "/groups/{id}/members/{user_id}", tag = "groups", params(("id" = Uuid, Path, description = "A group id."), ("user_id" = Uuid, Path, description = "A user id.")),
    responses((status = 204, description = "Not a member (any more).")))]
pub(super) async fn remove_member(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath((id, user)): AppPath<(GroupId, UserId)>,
) -> Result<StatusCode, ApiError> {
    let may = app::authz::in_scope::<GroupsManage>(&me)?;
    app::groups::remove_member(&state.ctx, &may, id, &Who::Id(user)).await?;
    Ok(StatusCode::NO_CONTENT)
}
