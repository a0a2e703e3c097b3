//! `PATCH /users/{id}` (profile edit under `If-Match`; controlled profile fields by key,
//! those the User Settings enable) and `POST /users/{id}/make-primary`.

use crate::error::ApiError;
use crate::extract::{ApiUser, AppJson, AppPath};
use crate::routes::{Routes, patch, post};
use crate::state::AppState;
use app::AppError;
use app::authz::UsersManage;
use app::profile::ProfileEdit;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use domain::ids::UserId;
use domain::profile::ProfileField;
use serde_json::{Value, json};

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

fn text_field(body: &serde_json::Map<String, Value>, name: &str) -> Result<Option<String>, AppError> {
    match body.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(AppError::invalid(name, "must be a string")),
    }
}

fn parse_edit(body: &Value, version: i64) -> Result<ProfileEdit, AppError> {
    let Value::Object(map) = body else { return Err(AppError::invalid("body", "must be a JSON object")) };
    const KNOWN: [&str; 5] = ["first_name", "last_name", "builder_access", "groups", "admin_role_id"];
    if map.contains_key("email") {
        return Err(AppError::invalid("email", "is read-only; it cannot be changed here"));
    }
    let mut fields = std::collections::BTreeMap::new();
    for (k, v) in map {
        if KNOWN.contains(&k.as_str()) {
            continue;
        }
        if !k.parse::<ProfileField>().is_ok_and(|f| !f.is_default()) {
            return Err(AppError::invalid(k.clone(), "is not a field that can be edited"));
        }
        let text = match v {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            _ => return Err(AppError::invalid(k.clone(), "must be a string or null")),
        };
        fields.insert(k.clone(), text);
    }
    let groups = match map.get("groups") {
        None => None,
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .map(|g| {
                    g.as_str().map(str::to_owned).ok_or_else(|| AppError::invalid("groups", "must list group ids"))
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Some(_) => return Err(AppError::invalid("groups", "must be a list of group ids")),
    };
    let admin_role_id = match map.get("admin_role_id") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(Value::String(s)) => Some(Some(s.clone())),
        Some(_) => return Err(AppError::invalid("admin_role_id", "must be null or an admin role id")),
    };
    Ok(ProfileEdit {
        version,
        first_name: text_field(map, "first_name")?,
        last_name: text_field(map, "last_name")?,
        builder_access: text_field(map, "builder_access")?,
        groups,
        admin_role_id,
        fields,
    })
}

async fn patch_user(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<UserId>,
    headers: HeaderMap,
    AppJson(body): AppJson<Value>,
) -> Result<impl IntoResponse, ApiError> {
    let may = app::authz::on_user::<UsersManage>(&state.ctx, &me, id).await?;
    let version = if_match(&headers)?;
    let edit = parse_edit(&body, version)?;
    let granter = app::authz::granter(&state.ctx, &me).await?;
    let new_version = app::profile::update(&state.ctx, &may, &granter, &edit).await?;
    // An edit that changes nothing writes nothing and keeps the version: `changed` says so.
    let changed = new_version != edit.version;
    Ok((
        [(header::ETAG, etag(new_version))],
        Json(json!({"id": may.user(), "version": new_version, "changed": changed})),
    ))
}

async fn make_primary(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<UserId>,
) -> Result<StatusCode, ApiError> {
    let may = app::authz::on_user::<UsersManage>(&state.ctx, &me, id).await?;
    app::profile::make_primary(&state.ctx, &may, &app::authz::granter(&state.ctx, &me).await?).await?;
    Ok(StatusCode::NO_CONTENT)
}
