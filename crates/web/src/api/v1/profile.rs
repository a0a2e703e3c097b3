//! `PATCH /users/{id}` (profile edit under `If-Match`; controlled profile fields by key,
//! those the User Settings enable) and `POST /users/{id}/make-primary`.

use super::fields::Fields;
use crate::error::ApiError;
use crate::error::ApiError as Problem;
use crate::extract::{ApiUser, AppPath, JsonDoc};
use crate::routes::{Routes, patch, post};
use crate::state::AppState;
use app::authz::UsersManage;
use app::profile::ProfileEdit;
use app::{AppError, Input};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use domain::ids::{AdminRoleId, GroupId, UserId};
use domain::profile::ProfileField;
use domain::user::BuilderAccess;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;

pub fn routes() -> Routes {
    Routes::new().route("/users/{id}", patch(patch_user)).route("/users/{id}/make-primary", post(make_primary))
}

/// The entity tag of a user version.
pub fn etag(version: i64) -> String {
    format!("\"v{version}\"")
}

/// The version an `If-Match` names: 428 without one, 400 when it is not one of ours.
fn if_match(headers: &HeaderMap) -> Result<i64, AppError> {
    let raw = headers.get(header::IF_MATCH).ok_or_else(|| {
        AppError::PreconditionRequired(
            "send If-Match with the ETag of GET /api/v1/users/{id}, so edits never overwrite each other".into(),
        )
    })?;
    let text = raw.to_str().unwrap_or("").trim();
    let text = text.strip_prefix("W/").unwrap_or(text);
    text.strip_prefix("\"v")
        .and_then(|t| t.strip_suffix('"'))
        .and_then(|v| v.parse::<i64>().ok())
        .ok_or_else(|| AppError::invalid("If-Match", "must be the ETag GET /api/v1/users/{id} returned, like \"v3\""))
}

/// The edit a PATCH body asks for, each unreadable field left out (so unchanged) and
/// named for the use case to refuse with the rest.
fn parse_edit(body: &Value, version: i64) -> Input<ProfileEdit> {
    const KNOWN: [&str; 5] = ["first_name", "last_name", "builder_access", "groups", "admin_role_id"];
    let mut f = Fields::of(body);
    let mut fields = std::collections::BTreeMap::new();
    for (k, v) in body.as_object().into_iter().flatten() {
        if KNOWN.contains(&k.as_str()) {
            continue;
        }
        if k == "email" {
            f.refuse(k, "is read-only; it cannot be changed here");
        } else if !k.parse::<ProfileField>().is_ok_and(|f| !f.is_default()) {
            f.refuse(k, "is not a field that can be edited");
        } else {
            match v {
                Value::Null => drop(fields.insert(k.clone(), String::new())),
                Value::String(s) => drop(fields.insert(k.clone(), s.clone())),
                _ => f.refuse(k, "must be a string or null"),
            }
        }
    }
    let groups = match f.get("groups") {
        None => None,
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
            Some(items.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        }
        Some(_) => {
            f.refuse("groups", "must be a list of group ids");
            None
        }
    };
    let admin_role_id = match f.get("admin_role_id") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(Value::String(s)) => Some(Some(s.clone())),
        Some(_) => {
            f.refuse("admin_role_id", "must be null or an admin role id");
            None
        }
    };
    let edit = ProfileEdit {
        version,
        first_name: f.text("first_name"),
        last_name: f.text("last_name"),
        builder_access: f.text("builder_access"),
        groups,
        admin_role_id,
        fields,
    };
    f.input(edit)
}

/// The fields to change; others stay. Controlled profile fields go by key (`company`), null
/// or "" clears one. `email` is read-only.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)] // Only described: `parse_edit` reads the body field by field.
pub struct UserEdit {
    #[schema(max_length = 100)]
    first_name: Option<String>,
    #[schema(max_length = 100)]
    last_name: Option<String>,
    builder_access: Option<BuilderAccess>,
    /// Every group the user should be in (ids).
    groups: Option<Vec<GroupId>>,
    /// The admin role to hold; null: a member.
    #[schema(nullable)]
    admin_role_id: Option<AdminRoleId>,
    /// Controlled profile fields, by key.
    #[serde(flatten)]
    fields: BTreeMap<String, Option<String>>,
}

/// The result of an edit: `changed` false when it changed nothing (the version stays).
#[derive(Serialize, ToSchema)]
pub struct EditResult {
    id: UserId,
    version: i64,
    changed: bool,
}

#[utoipa::path(patch, path = "/users/{id}", tag = "users", request_body = UserEdit,
    params(("id" = Uuid, Path, description = "A user id."),
        ("If-Match" = String, Header, description = "The `ETag` of `GET /users/{id}`, like \"v3\".")),
    responses(
        (status = 200, description = "Saved; `ETag` is the new version.", body = EditResult,
            headers(("ETag" = String, description = "The user's new version."))),
        (status = 409, description = "A rule refused the change.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The user changed since that `ETag`: fetch it again.", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing.", body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn patch_user(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<UserId>,
    headers: HeaderMap,
    JsonDoc(body): JsonDoc,
) -> Result<impl IntoResponse, ApiError> {
    let may = app::authz::on_user::<UsersManage>(&state.ctx, &me, id).await?;
    let version = if_match(&headers)?;
    let edit = parse_edit(&body, version);
    let granter = app::authz::granter(&state.ctx, &me).await?;
    let new_version = app::profile::update(&state.ctx, &may, &granter, edit).await?;
    // An edit that changes nothing writes nothing and keeps the version: `changed` says so.
    let changed = new_version != version;
    Ok(([(header::ETAG, etag(new_version))], Json(EditResult { id: may.user(), version: new_version, changed })))
}

#[utoipa::path(post, path = "/users/{id}/make-primary", tag = "users", security(("session" = [])), params(("id" = Uuid, Path, description = "A user id.")),
    responses((status = 204, description = "The user is the account's Primary admin now."),
        (status = 403, description = "Not the Primary Master Admin, or through an API token (the refusal names it): the primary role is handed over in person.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not possible for this user.", body = Problem, content_type = "application/problem+json")))]
pub(super) async fn make_primary(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<UserId>,
) -> Result<StatusCode, ApiError> {
    // The user first: one outside the caller's reach is hidden (404) whatever else is refused.
    let on = app::authz::on_user::<UsersManage>(&state.ctx, &me, id).await?;
    let may = app::authz::hand_over_primary(&me)?;
    app::profile::make_primary(&state.ctx, &may, &on).await?;
    Ok(StatusCode::NO_CONTENT)
}
