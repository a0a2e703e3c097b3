//! Custom admin roles: `GET/POST /admin-roles`, `GET/PATCH/DELETE /admin-roles/{id}`.
//! Body: `{"name", "permissions": [..], "scope": "all" | [workspace ids]}`.

use super::fields::Fields;
use super::me::{All, ScopeJson};
use crate::error::ApiError;
use crate::error::ApiError as Problem;
use crate::extract::{ApiUser, AppPath, JsonDoc};
use crate::routes::{Routes, get};
use crate::state::AppState;
use app::Input;
use app::authz::RolesManage;
use app::roles::{RoleInput, RoleView};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::ids::{AdminRoleId, WorkspaceId};
use domain::permission::Permission;
use domain::role::DefinedRole;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

pub fn routes() -> Routes {
    Routes::new()
        .route("/admin-roles", get(list).post(create))
        .route("/admin-roles/{id}", get(show).patch(update).delete(delete_role))
}

/// `"all"` (a master role) or the permissions a role grants.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum RolePermissions {
    All(All),
    Some(Vec<Permission>),
}

/// An admin role; only `custom` ones are `editable`.
#[derive(Serialize, ToSchema)]
pub struct RoleJson {
    id: Uuid,
    name: String,
    #[schema(value_type = domain::role::DefinedRole)]
    kind: String,
    permissions: RolePermissions,
    scope: ScopeJson,
    /// How many users hold it.
    holders: i64,
    editable: bool,
}

impl From<&RoleView> for RoleJson {
    fn from(r: &RoleView) -> Self {
        let rec = &r.record;
        Self {
            id: rec.id,
            name: rec.name.clone(),
            kind: rec.kind.as_str().to_owned(),
            permissions: if rec.kind == DefinedRole::Master {
                RolePermissions::All(All::All)
            } else {
                RolePermissions::Some(rec.permissions.iter().filter_map(|p| p.parse().ok()).collect())
            },
            scope: if rec.all_workspaces {
                ScopeJson::All(All::All)
            } else {
                ScopeJson::Workspaces(rec.workspaces.iter().copied().map(WorkspaceId).collect())
            },
            holders: r.holders,
            editable: rec.kind == DefinedRole::Custom,
        }
    }
}

/// The account's admin roles.
#[derive(Serialize, ToSchema)]
pub struct Roles {
    items: Vec<RoleJson>,
}

/// A custom role's fields: all for a POST, those to change for a PATCH.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Only described: `parse_input` reads the body field by field.
pub struct RoleBody {
    #[schema(max_length = 100)]
    name: Option<String>,
    permissions: Option<Vec<Permission>>,
    /// `"all"` or workspace ids.
    #[schema(value_type = Option<ScopeJson>)]
    scope: Option<Value>,
}

/// A list of strings, or `None` with the refusal noted.
fn strings(f: &mut Fields, v: &Value, name: &str) -> Option<Vec<String>> {
    let list = v.as_array().and_then(|items| items.iter().map(|i| i.as_str().map(str::to_owned)).collect());
    if list.is_none() {
        f.refuse(name, "must be a list of strings");
    }
    list
}

/// The role a body describes, each unreadable field left out and named for the use case
/// to refuse with the rest.
fn parse_input(body: &Value) -> Input<RoleInput> {
    let mut f = Fields::of(body);
    f.only(&["name", "permissions", "scope"], "is not a field of an admin role");
    let name = f.text("name");
    let permissions = f.get("permissions").and_then(|p| strings(&mut f, p, "permissions"));
    let scope = match f.get("scope") {
        None => None,
        Some(Value::String(s)) if s == "all" => Some(None),
        Some(v @ Value::Array(_)) => strings(&mut f, v, "scope").map(Some),
        Some(_) => {
            f.refuse("scope", "must be \"all\" or a list of workspace ids");
            None
        }
    };
    f.input(RoleInput { name, permissions, scope })
}

#[utoipa::path(get, path = "/admin-roles", tag = "admin roles",
    responses((status = 200, description = "The account's admin roles.", body = Roles)))]
pub(super) async fn list(State(state): State<AppState>, ApiUser(me): ApiUser) -> Result<Json<Roles>, ApiError> {
    let may = app::authz::in_account::<RolesManage>(&me)?;
    let roles = app::roles::list(&state.ctx, &may).await?;
    Ok(Json(Roles { items: roles.iter().map(Into::into).collect() }))
}

#[utoipa::path(post, path = "/admin-roles", tag = "admin roles", request_body = RoleBody,
    responses((status = 201, description = "Created.", body = RoleJson),
        (status = 409, description = "A role of that name exists.", body = Problem, content_type = "application/problem+json")))]
pub(super) async fn create(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    JsonDoc(body): JsonDoc,
) -> Result<(StatusCode, Json<RoleJson>), ApiError> {
    let may = app::authz::in_account::<RolesManage>(&me)?;
    let input = parse_input(&body);
    let role = app::roles::create(&state.ctx, &may, &app::authz::granter(&state.ctx, &me).await?, input).await?;
    Ok((StatusCode::CREATED, Json((&role).into())))
}

#[utoipa::path(get, path = "/admin-roles/{id}", tag = "admin roles", params(("id" = Uuid, Path, description = "An admin role id.")),
    responses((status = 200, description = "The role.", body = RoleJson)))]
pub(super) async fn show(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<AdminRoleId>,
) -> Result<Json<RoleJson>, ApiError> {
    let may = app::authz::in_account::<RolesManage>(&me)?;
    let role = app::roles::get(&state.ctx, &may, id).await?;
    Ok(Json((&role).into()))
}

#[utoipa::path(patch, path = "/admin-roles/{id}", tag = "admin roles", params(("id" = Uuid, Path, description = "An admin role id.")), request_body = RoleBody,
    responses((status = 200, description = "Saved.", body = RoleJson),
        (status = 409, description = "Not editable (a built-in role), or the name is taken.", body = Problem, content_type = "application/problem+json")))]
pub(super) async fn update(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<AdminRoleId>,
    JsonDoc(body): JsonDoc,
) -> Result<Json<RoleJson>, ApiError> {
    let may = app::authz::in_account::<RolesManage>(&me)?;
    let input = parse_input(&body);
    let role = app::roles::update(&state.ctx, &may, &app::authz::granter(&state.ctx, &me).await?, id, input).await?;
    Ok(Json((&role).into()))
}

#[utoipa::path(delete, path = "/admin-roles/{id}", tag = "admin roles", params(("id" = Uuid, Path, description = "An admin role id.")),
    responses((status = 204, description = "Deleted."),
        (status = 409, description = "Built in, or still held by someone.", body = Problem, content_type = "application/problem+json")))]
pub(super) async fn delete_role(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<AdminRoleId>,
) -> Result<StatusCode, ApiError> {
    let may = app::authz::in_account::<RolesManage>(&me)?;
    app::roles::delete(&state.ctx, &may, &app::authz::granter(&state.ctx, &me).await?, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
