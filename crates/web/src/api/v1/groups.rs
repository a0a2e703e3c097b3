//! Groups: `GET/POST /groups`, `GET/PATCH/DELETE /groups/{id}`, `GET /groups/{id}/members`
//! (keyset-paged like the users list), `PUT/DELETE /groups/{id}/members/{user_id}`.

use crate::error::ApiError;
use crate::extract::{ApiUser, AppJson, AppPath, AppQuery};
use crate::routes::{Routes, get, put};
use crate::state::AppState;
use app::AppError;
use app::authz::GroupsManage;
use app::groups::{GroupSummary, Who};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::ids::{GroupId, UserId};
use serde_json::{Value, json};

pub fn routes() -> Routes {
    Routes::new()
        .route("/groups", get(list).post(create))
        .route("/groups/{id}", get(show).patch(rename).delete(delete_group))
        .route("/groups/{id}/members", get(members))
        .route("/groups/{id}/members/{user_id}", put(add_member).delete(remove_member))
}

fn group_json(g: &GroupSummary) -> Value {
    json!({
        "id": g.id,
        "name": g.name,
        "workspace": {"id": g.workspace_id, "name": g.workspace_name},
        "member_count": g.member_count,
    })
}

fn text(body: &Value, name: &str) -> Result<String, AppError> {
    body.get(name)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| AppError::invalid(name, "is required (a string)"))
}

async fn list(State(state): State<AppState>, ApiUser(me): ApiUser) -> Result<Json<Value>, ApiError> {
    let may = app::authz::in_scope::<GroupsManage>(&me)?;
    let groups = app::groups::list(&state.ctx, &may).await?;
    Ok(Json(json!({"items": groups.iter().map(group_json).collect::<Vec<_>>()})))
}

async fn create(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppJson(body): AppJson<Value>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let may = app::authz::in_scope::<GroupsManage>(&me)?;
    let name = text(&body, "name")?;
    let workspace = text(&body, "workspace_id")?;
    let g = app::groups::create(&state.ctx, &may, &workspace, &name).await?;
    Ok((StatusCode::CREATED, Json(group_json(&g))))
}

async fn show(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<GroupId>,
) -> Result<Json<Value>, ApiError> {
    let may = app::authz::in_scope::<GroupsManage>(&me)?;
    let g = app::groups::get(&state.ctx, &may, id).await?;
    Ok(Json(group_json(&g)))
}

async fn rename(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<GroupId>,
    AppJson(body): AppJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let may = app::authz::in_scope::<GroupsManage>(&me)?;
    let name = text(&body, "name")?;
    let g = app::groups::rename(&state.ctx, &may, id, &name).await?;
    Ok(Json(group_json(&g)))
}

async fn delete_group(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<GroupId>,
) -> Result<StatusCode, ApiError> {
    let may = app::authz::in_scope::<GroupsManage>(&me)?;
    app::groups::delete(&state.ctx, &may, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `?limit=&cursor=`: a page of the members, by email.
#[derive(serde::Deserialize)]
struct MembersQuery {
    limit: Option<String>,
    cursor: Option<String>,
}

async fn members(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<GroupId>,
    AppQuery(q): AppQuery<MembersQuery>,
) -> Result<Json<Value>, ApiError> {
    let may = app::authz::in_scope::<GroupsManage>(&me)?;
    let page = app::groups::members(&state.ctx, &may, id, q.limit, q.cursor).await?;
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|u| json!({"id": u.id, "email": u.email, "first_name": u.first_name, "last_name": u.last_name}))
        .collect();
    Ok(Json(json!({"items": items, "next_cursor": page.next_cursor})))
}

async fn add_member(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath((id, user)): AppPath<(GroupId, UserId)>,
) -> Result<StatusCode, ApiError> {
    let may = app::authz::in_scope::<GroupsManage>(&me)?;
    let added = app::groups::add_member(&state.ctx, &may, id, &Who::Id(user)).await?;
    Ok(if added { StatusCode::CREATED } else { StatusCode::NO_CONTENT })
}

async fn remove_member(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath((id, user)): AppPath<(GroupId, UserId)>,
) -> Result<StatusCode, ApiError> {
    let may = app::authz::in_scope::<GroupsManage>(&me)?;
    app::groups::remove_member(&state.ctx, &may, id, &Who::Id(user)).await?;
    Ok(StatusCode::NO_CONTENT)
}
