//! API tokens: `POST /api-tokens` (the secret in the answer, once), `GET /api-tokens`,
//! `DELETE /api-tokens/{id}` (revoke). All need `tokens.manage` and a signed-in session:
//! a request made with a token is refused (403), so tokens never make tokens.

use super::shapes::Named;
use crate::error::ApiError;
use crate::extract::{ApiUser, AppPath, JsonDoc};
use crate::routes::{Routes, delete, get};
use crate::state::AppState;
use app::Input;
use app::api_tokens::{ApiToken, NewToken};
use app::clock::rfc3339;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::ids::{ApiTokenId, UserId, WorkspaceId};
use domain::permission::{Permission, Scope};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

pub fn routes() -> Routes {
    Routes::new()
        .route("/api-tokens", get(list_tokens).post(create_token))
        .route("/api-tokens/{id}", delete(revoke_token))
}

/// `t`'s state as of now ([`app::api_tokens::TokenStatus`]), as text.
pub(crate) fn status_of(t: &ApiToken) -> &'static str {
    app::api_tokens::TokenStatus::of(t, app::clock::now()).as_str()
}

/// Whether the token can still be revoked (it is neither revoked nor expired).
pub(crate) fn revocable(t: &ApiToken) -> bool {
    app::api_tokens::TokenStatus::of(t, app::clock::now()).revocable()
}

super::shapes::described_set!(
    /// A token's state as of now.
    TokenStatus,
    "A token's state as of now: `inactive` while its creator is suspended (a lock by failed passwords leaves it active).",
    app::api_tokens::TokenStatus::ALL.iter().map(|s| s.as_str())
);

/// Who made a token.
#[derive(Serialize, ToSchema)]
pub struct Creator {
    id: UserId,
    email: String,
    name: String,
}

/// An API token (never its secret, but once: `secret` in the answer to its creation).
#[derive(Serialize, ToSchema)]
pub struct TokenJson {
    id: ApiTokenId,
    name: String,
    creator: Creator,
    permissions: Vec<Permission>,
    all_workspaces: bool,
    /// The workspaces it is limited to (when not `all_workspaces`).
    workspaces: Vec<Named>,
    #[schema(value_type = TokenStatus)]
    status: &'static str,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    expires_at: String,
    #[schema(format = DateTime)]
    revoked_at: Option<String>,
    #[schema(format = DateTime)]
    last_used_at: Option<String>,
    last_used_ip: Option<String>,
    /// The secret (`roster_pat_…`): in the answer to the creation only.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

impl From<&ApiToken> for TokenJson {
    fn from(t: &ApiToken) -> Self {
        Self {
            id: t.id,
            name: t.name.clone(),
            creator: Creator { id: t.creator, email: t.creator_email.clone(), name: t.creator_name.clone() },
            permissions: t.permissions.iter().collect(),
            all_workspaces: t.scope == Scope::AllWorkspaces,
            workspaces: t.workspaces.iter().map(|w| Named::new(w.id, &w.name)).collect(),
            status: status_of(t),
            created_at: rfc3339(t.created_at),
            expires_at: rfc3339(t.expires_at),
            revoked_at: t.revoked_at.map(rfc3339),
            last_used_at: t.last_used_at.map(rfc3339),
            last_used_ip: t.last_used_ip.clone(),
            secret: None,
        }
    }
}

/// The account's API tokens.
#[derive(Serialize, ToSchema)]
pub struct Tokens {
    items: Vec<TokenJson>,
}

/// A new token: a name, an expiry (`expires_at` or `expires_in_days`, at most a year), its
/// permissions (a subset of the creator's) and workspaces (within the creator's scope;
/// omitted: the creator's whole scope).
///
/// The limits described are those `new_token` and [`app::api_tokens::create`] enforce: an
/// unknown field, a blank name, and an empty list of permissions or workspaces are refused.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Only described: `new_token` reads the body field by field.
pub struct NewTokenBody {
    #[schema(min_length = 1, max_length = 100)]
    name: String,
    /// An RFC 3339 time or a date.
    expires_at: Option<String>,
    #[schema(minimum = 1, maximum = 365)]
    expires_in_days: Option<i64>,
    #[schema(min_items = 1)]
    permissions: Vec<Permission>,
    #[schema(min_items = 1)]
    workspaces: Option<Vec<WorkspaceId>>,
}

#[utoipa::path(get, path = "/api-tokens", tag = "api tokens", security(("session" = [])),
    responses((status = 200, description = "The account's API tokens.", body = Tokens)))]
pub(super) async fn list_tokens(State(state): State<AppState>, ApiUser(me): ApiUser) -> Result<Json<Tokens>, ApiError> {
    let may = app::authz::manage_tokens(&me)?;
    let tokens = app::api_tokens::list(&state.ctx, &may).await?;
    Ok(Json(Tokens { items: tokens.iter().map(Into::into).collect() }))
}

/// Reads the body field by field, so a field of the wrong type is listed with every other
/// refusal instead of ending the reading.
fn new_token(body: &Value) -> Input<NewToken> {
    let mut new = NewToken::default();
    let Some(fields) = body.as_object() else {
        return Input::read(new, vec![("body".into(), "must be a JSON object".into())]);
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
    Input::read(new, unreadable)
}

fn unreadable_field(field: &str, why: &str) -> (String, String) {
    (field.to_owned(), why.to_owned())
}

#[utoipa::path(post, path = "/api-tokens", tag = "api tokens", security(("session" = [])), request_body = NewTokenBody,
    responses((status = 201, description = "Created: `secret` is shown this once.", body = TokenJson)))]
pub(super) async fn create_token(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    JsonDoc(body): JsonDoc,
) -> Result<Response, ApiError> {
    let may = app::authz::manage_tokens(&me)?;
    let created = app::api_tokens::create(&state.ctx, &may, new_token(&body)).await?;
    let body = TokenJson { secret: Some(created.secret), ..TokenJson::from(&created.token) };
    // The secret is in this answer only: no cache may keep it.
    Ok((StatusCode::CREATED, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
}

#[utoipa::path(delete, path = "/api-tokens/{id}", tag = "api tokens", security(("session" = [])),
    params(("id" = Uuid, Path, description = "An API token id.")),
    responses((status = 200, description = "Revoked (or already).", body = TokenJson)))]
pub(super) async fn revoke_token(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<ApiTokenId>,
) -> Result<Json<TokenJson>, ApiError> {
    let may = app::authz::manage_tokens(&me)?;
    let token = app::api_tokens::revoke(&state.ctx, &may, id).await?;
    Ok(Json((&token).into()))
}
