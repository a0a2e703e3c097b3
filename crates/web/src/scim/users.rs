//! `/scim/v2/Users` (RFC 7644 §3.3–§3.6): query, create, read, replace, patch, delete.

use super::reply::{self, ReadParams, ScimReply, body_json, if_match, path_id, resource};
use crate::extract::{ApiUser, AppQuery};
use crate::routes::{Routes, get};
use crate::state::AppState;
use app::clock::rfc3339;
use app::scim::users::ScimUser;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use domain::ids::UserId;
use domain::scim::USER_SCHEMA;
use domain::scim::user::{UserView, etag};
use serde_json::Value;

pub fn routes() -> Routes {
    Routes::new()
        .route("/Users", get(list_users).post(create_user))
        .route("/Users/{id}", get(get_user).put(replace_user).patch(patch_user).delete(delete_user))
}

/// The absolute URL of SCIM resources of kind `kind` (`Users`, `Groups`).
pub(crate) fn location(state: &AppState, kind: &str, id: &uuid::Uuid) -> String {
    format!("{}{}/{kind}/{id}", state.public_url.trim_end_matches('/'), super::PREFIX)
}

/// The User resource of `u`.
pub(crate) fn user_json(state: &AppState, u: &ScimUser) -> Value {
    UserView {
        id: u.row.id.to_string(),
        email: &u.row.email,
        given_name: &u.row.first_name,
        family_name: &u.row.last_name,
        external_id: u.row.external_id.as_deref(),
        active: u.active(),
        profile: u.profile(),
        groups: u.groups.iter().map(|(id, name)| (id.to_string(), name.clone())).collect(),
        created: rfc3339(u.row.created_at),
        last_modified: rfc3339(u.row.updated_at),
        version: u.row.version,
        location: location(state, "Users", &u.row.id),
    }
    .to_json()
}

fn one(state: &AppState, status: StatusCode, u: &ScimUser, params: &ReadParams) -> Response {
    let body = params.project(user_json(state, u), USER_SCHEMA);
    let loc = (status == StatusCode::CREATED).then(|| location(state, "Users", &u.row.id));
    resource(status, &body, Some(etag(u.row.version)), loc.as_deref())
}

async fn list_users(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    AppQuery(params): AppQuery<ReadParams>,
) -> Result<Response, ScimReply> {
    let may = app::authz::scim(&p)?;
    let listed = app::scim::users::list(&state.ctx, &may, &params.query()?).await?;
    let items: Vec<Value> = listed.users.iter().map(|u| params.project(user_json(&state, u), USER_SCHEMA)).collect();
    Ok(reply::list(listed.total, listed.start_index, &items))
}

async fn get_user(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
    AppQuery(params): AppQuery<ReadParams>,
) -> Result<Response, ScimReply> {
    let may = app::authz::scim(&p)?;
    let id = UserId(path_id(&id, "user")?);
    let u = app::scim::users::get(&state.ctx, &may, id).await?;
    Ok(one(&state, StatusCode::OK, &u, &params))
}

async fn create_user(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    AppQuery(params): AppQuery<ReadParams>,
    body: Bytes,
) -> Result<Response, ScimReply> {
    let may = app::authz::scim(&p)?;
    let u = app::scim::users::create(&state.ctx, &may, &body_json(&body)?, &state.public_url).await?;
    Ok(one(&state, StatusCode::CREATED, &u, &params))
}

async fn replace_user(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
    AppQuery(params): AppQuery<ReadParams>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ScimReply> {
    let may = app::authz::scim(&p)?;
    let id = UserId(path_id(&id, "user")?);
    let u = app::scim::users::replace(&state.ctx, &may, id, &body_json(&body)?, if_match(&headers)?).await?;
    Ok(one(&state, StatusCode::OK, &u, &params))
}

async fn patch_user(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
    AppQuery(params): AppQuery<ReadParams>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ScimReply> {
    let may = app::authz::scim(&p)?;
    let id = UserId(path_id(&id, "user")?);
    let render = |u: &ScimUser| user_json(&state, u);
    let u = app::scim::users::patch(&state.ctx, &may, id, &body_json(&body)?, if_match(&headers)?, render).await?;
    Ok(one(&state, StatusCode::OK, &u, &params))
}

async fn delete_user(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ScimReply> {
    let may = app::authz::scim(&p)?;
    let id = UserId(path_id(&id, "user")?);
    app::scim::users::delete(&state.ctx, &may, id, if_match(&headers)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
