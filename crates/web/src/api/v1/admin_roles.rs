//! Custom admin roles: `GET/POST /admin-roles`, `GET/PATCH/DELETE /admin-roles/{id}`.
//! Body: `{"name", "permissions": [..], "scope": "all" | [workspace ids]}`.

use crate::error::ApiError;
use crate::extract::{ApiUser, AppJson, AppPath};
use crate::routes::{Routes, get};
use crate::state::AppState;
use app::AppError;
use app::authz::RolesManage;
use app::roles::{RoleInput, RoleView};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::ids::AdminRoleId;
use domain::role::DefinedRole;
use serde_json::{Value, json};

pub fn routes() -> Routes {
    Routes::new()
        .route("/admin-roles", get(list).post(create))
        .route("/admin-roles/{id}", get(show).patch(update).delete(delete_role))
}

fn role_json(r: &RoleView) -> Value {
    let rec = &r.record;
    json!({
        "id": rec.id,
        "name": rec.name,
        "kind": rec.kind.as_str(),
        "permissions": if rec.kind == DefinedRole::Master { json!("all") } else { json!(rec.permissions) },
        "scope": if rec.all_workspaces { json!("all") } else { json!(rec.workspaces) },
        "holders": r.holders,
        "editable": rec.kind == DefinedRole::Custom,
    })
}

fn strings(v: &Value, name: &str) -> Result<Vec<String>, AppError> {
    v.as_array()
        .and_then(|items| items.iter().map(|i| i.as_str().map(str::to_owned)).collect::<Option<Vec<_>>>())
        .ok_or_else(|| AppError::invalid(name, "must be a list of strings"))
}

fn parse_input(body: &Value) -> Result<RoleInput, AppError> {
    let Value::Object(map) = body else { return Err(AppError::invalid("body", "must be a JSON object")) };
    if let Some(unknown) = map.keys().find(|k| !["name", "permissions", "scope"].contains(&k.as_str())) {
        return Err(AppError::invalid(unknown.clone(), "is not a field of an admin role"));
    }
    let name = match map.get("name") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(AppError::invalid("name", "must be a string")),
    };
    let permissions = map.get("permissions").map(|p| strings(p, "permissions")).transpose()?;
    let scope = match map.get("scope") {
        None => None,
        Some(Value::String(s)) if s == "all" => Some(None),
        Some(v @ Value::Array(_)) => Some(Some(strings(v, "scope")?)),
        Some(_) => return Err(AppError::invalid("scope", "must be \"all\" or a list of workspace ids")),
    };
    Ok(RoleInput { name, permissions, scope })
}

async fn list(State(state): State<AppState>, ApiUser(me): ApiUser) -> Result<Json<Value>, ApiError> {
    let may = app::authz::in_account::<RolesManage>(&me)?;
    let roles = app::roles::list(&state.ctx, &may).await?;
    Ok(Json(json!({"items": roles.iter().map(role_json).collect::<Vec<_>>()})))
}

async fn create(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppJson(body): AppJson<Value>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let may = app::authz::in_account::<RolesManage>(&me)?;
    let input = parse_input(&body)?;
    let role = app::roles::create(&state.ctx, &may, &app::authz::granter(&state.ctx, &me).await?, &input).await?;
    Ok((StatusCode::CREATED, Json(role_json(&role))))
}

async fn show(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<AdminRoleId>,
) -> Result<Json<Value>, ApiError> {
    let may = app::authz::in_account::<RolesManage>(&me)?;
    let role = app::roles::get(&state.ctx, &may, id).await?;
    Ok(Json(role_json(&role)))
}

async fn update(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<AdminRoleId>,
    AppJson(body): AppJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let may = app::authz::in_account::<RolesManage>(&me)?;
    let input = parse_input(&body)?;
    let role = app::roles::update(&state.ctx, &may, &app::authz::granter(&state.ctx, &me).await?, id, &input).await?;
    Ok(Json(role_json(&role)))
}

async fn delete_role(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<AdminRoleId>,
) -> Result<StatusCode, ApiError> {
    let may = app::authz::in_account::<RolesManage>(&me)?;
    app::roles::delete(&state.ctx, &may, &app::authz::granter(&state.ctx, &me).await?, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
