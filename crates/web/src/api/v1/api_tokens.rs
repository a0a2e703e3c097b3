//! API tokens: `POST /api-tokens` (the secret in the answer, once), `GET /api-tokens`,
//! `DELETE /api-tokens/{id}` (revoke). All need `tokens.manage` and a signed-in session:
//! a request made with a token is refused (403), so tokens never make tokens.

use crate::error::ApiError;
use crate::extract::{ApiUser, AppJson, AppPath};
use crate::routes::{Routes, delete, get};
use crate::state::AppState;
use app::api_tokens::{ApiToken, NewToken};
use app::clock::rfc3339;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::ids::ApiTokenId;
use domain::permission::{Permission, Scope};
use serde_json::{Value, json};

pub fn routes() -> Routes {
    Routes::new()
        .route("/api-tokens", get(list_tokens).post(create_token))
        .route("/api-tokens/{id}", delete(revoke_token))
}

/// `active`, `expired` or `revoked`, as of now.
pub(crate) fn status_of(t: &ApiToken) -> &'static str {
    if t.revoked_at.is_some() {
        "revoked"
    } else if t.expires_at <= app::clock::now() {
        "expired"
    } else {
        "active"
    }
}

pub(crate) fn token_json(t: &ApiToken) -> Value {
    json!({
        "id": t.id,
        "name": t.name,
        "creator": {"id": t.creator, "email": t.creator_email, "name": t.creator_name},
        "permissions": t.permissions.iter().map(Permission::as_str).collect::<Vec<_>>(),
        "all_workspaces": t.scope == Scope::AllWorkspaces,
        "workspaces": t.workspaces.iter().map(|w| json!({"id": w.id, "name": w.name})).collect::<Vec<_>>(),
        "status": status_of(t),
        "created_at": rfc3339(t.created_at),
        "expires_at": rfc3339(t.expires_at),
        "revoked_at": t.revoked_at.map(rfc3339),
        "last_used_at": t.last_used_at.map(rfc3339),
        "last_used_ip": t.last_used_ip,
    })
}

async fn list_tokens(State(state): State<AppState>, ApiUser(me): ApiUser) -> Result<Json<Value>, ApiError> {
    let may = app::authz::manage_tokens(&me)?;
    let tokens = app::api_tokens::list(&state.ctx, &may).await?;
    Ok(Json(json!({ "items": tokens.iter().map(token_json).collect::<Vec<_>>() })))
}

/// Reads the body field by field, so a field of the wrong type is listed with every other
/// refusal instead of ending the reading.
fn new_token(body: &Value) -> NewToken {
    let mut new = NewToken::default();
    let Some(fields) = body.as_object() else {
        new.unreadable.push(("body".into(), "must be a JSON object".into()));
        return new;
    };
    let mut unreadable = Vec::new();
    for (key, value) in fields {
        match (key.as_str(), value) {
            ("name", Value::String(s)) => new.name.clone_from(s),
            ("expires_at", Value::String(s)) => new.expires_at = Some(s.clone()),
            ("expires_at" | "expires_in_days" | "workspaces", Value::Null) => {}
            ("expires_in_days", Value::Number(n)) if n.as_i64().is_some() => new.expires_in_days = n.as_i64(),
            ("permissions" | "workspaces", Value::Array(items)) if items.iter().all(Value::is_string) => {
                let list = items.iter().filter_map(Value::as_str).map(str::to_owned).collect();
                if key == "permissions" {
                    new.permissions = list;
                } else {
                    new.workspaces = Some(list);
                }
            }
            ("name" | "expires_at", _) => unreadable.push(unreadable_field(key, "must be a string")),
            ("expires_in_days", _) => unreadable.push(unreadable_field(key, "must be a whole number of days")),
            ("permissions" | "workspaces", _) => unreadable.push(unreadable_field(key, "must be an array of strings")),
            (other, _) => unreadable.push(unreadable_field(other, "is not a field of an API token")),
        }
    }
    new.unreadable = unreadable;
    new
}

fn unreadable_field(field: &str, why: &str) -> (String, String) {
    (field.to_owned(), why.to_owned())
}

async fn create_token(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppJson(body): AppJson<Value>,
) -> Result<Response, ApiError> {
    let may = app::authz::manage_tokens(&me)?;
    let created = app::api_tokens::create(&state.ctx, &may, &new_token(&body)).await?;
    let mut body = token_json(&created.token);
    body["secret"] = json!(created.secret);
    // The secret is in this answer only: no cache may keep it.
    Ok((StatusCode::CREATED, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
}

async fn revoke_token(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<ApiTokenId>,
) -> Result<Json<Value>, ApiError> {
    let may = app::authz::manage_tokens(&me)?;
    let token = app::api_tokens::revoke(&state.ctx, &may, id).await?;
    Ok(Json(token_json(&token)))
}
