//! The SCIM verbs, written once for every resource type (RFC 7644 §3.3–§3.6): list, create,
//! read, replace, patch and delete of `/<Endpoint>` and `/<Endpoint>/{id}`. A [`Resource`]
//! says how its use cases are called and how it renders; the handlers here do the rest the
//! same way for all: the `scim` door, typed ids ([`ScimPath`]), `If-Match`, the ETag and
//! `Location` of the answer, and `attributes` / `excludedAttributes`.

use super::path::ScimPath;
use super::reply::{self, ReadParams, ScimReply, body_json, if_match, resource};
use crate::extract::{ApiUser, AppQuery, PathParam};
use crate::routes::{Routes, get};
use crate::state::AppState;
use app::authz::Scim;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use domain::scim::user::etag;
use serde_json::Value;
use std::future::Future;

/// One page of a query: `totalResults`, the 1-based `startIndex` and the resources.
pub(crate) struct Page<R> {
    pub total: i64,
    pub start_index: u64,
    pub items: Vec<R>,
}

/// How a write changes a resource: PUT replaces it (RFC 7644 §3.5.1), PATCH applies
/// operations (§3.5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    Replace,
    Patch,
}

/// A [`Change`] as a type, so one generic handler serves both methods.
pub(crate) trait How: Send + 'static {
    const HOW: Change;
}

pub(crate) struct Put;
pub(crate) struct Patch;

impl How for Put {
    const HOW: Change = Change::Replace;
}

impl How for Patch {
    const HOW: Change = Change::Patch;
}

/// A SCIM resource type: its endpoint, schema, rendering and use cases.
pub(crate) trait Resource: Sized + Send + Sync + 'static {
    /// The typed id of its path.
    type Id: PathParam + Send + 'static;
    /// The endpoint under `/scim/v2`: `Users`, `Groups`.
    const ENDPOINT: &'static str;
    /// The core schema URN (for `attributes` / `excludedAttributes`).
    const SCHEMA: &'static str;

    fn id(&self) -> uuid::Uuid;
    /// The version its ETag names.
    fn version(&self) -> i64;
    /// The resource as SCIM JSON, before projection.
    fn to_json(&self, state: &AppState) -> Value;

    fn list(
        state: &AppState,
        may: &Scim,
        params: &ReadParams,
    ) -> impl Future<Output = Result<Page<Self>, ScimReply>> + Send;
    fn get(state: &AppState, may: &Scim, id: Self::Id) -> impl Future<Output = Result<Self, ScimReply>> + Send;
    fn create(state: &AppState, may: &Scim, body: &Value) -> impl Future<Output = Result<Self, ScimReply>> + Send;
    /// PUT ([`Change::Replace`]) or PATCH ([`Change::Patch`]) of `body`; `if_match` is the
    /// version `If-Match` named (412 when stale).
    fn change(
        state: &AppState,
        may: &Scim,
        id: Self::Id,
        how: Change,
        body: &Value,
        if_match: Option<i64>,
    ) -> impl Future<Output = Result<Self, ScimReply>> + Send;
    fn delete(
        state: &AppState,
        may: &Scim,
        id: Self::Id,
        if_match: Option<i64>,
    ) -> impl Future<Output = Result<(), ScimReply>> + Send;
}

/// The routes of `R`: `/<Endpoint>` and `/<Endpoint>/{id}`.
pub(crate) fn routes<R: Resource>() -> Routes {
    Routes::new().route(&format!("/{}", R::ENDPOINT), get(list::<R>).post(create::<R>)).route(
        &format!("/{}/{{id}}", R::ENDPOINT),
        get(read::<R>).put(change::<R, Put>).patch(change::<R, Patch>).delete(delete::<R>),
    )
}

/// The absolute URL of the SCIM resource `id` of `endpoint` (`Users`, `Groups`).
pub(crate) fn location(state: &AppState, endpoint: &str, id: &uuid::Uuid) -> String {
    format!("{}{}/{endpoint}/{id}", state.public_url.trim_end_matches('/'), super::PREFIX)
}

/// One resource with its `ETag` (and `Location` when created).
fn one<R: Resource>(state: &AppState, status: StatusCode, r: &R, params: &ReadParams) -> Response {
    let body = params.project(r.to_json(state), R::SCHEMA);
    let loc = (status == StatusCode::CREATED).then(|| location(state, R::ENDPOINT, &r.id()));
    resource(status, &body, Some(etag(r.version())), loc.as_deref())
}

async fn list<R: Resource>(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    AppQuery(params): AppQuery<ReadParams>,
) -> Result<Response, ScimReply> {
    let may = app::authz::scim(&p)?;
    let page = R::list(&state, &may, &params).await?;
    let items: Vec<Value> = page.items.iter().map(|r| params.project(r.to_json(&state), R::SCHEMA)).collect();
    Ok(reply::list(page.total, page.start_index, &items))
}

async fn read<R: Resource>(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ScimPath(id): ScimPath<R::Id>,
    AppQuery(params): AppQuery<ReadParams>,
) -> Result<Response, ScimReply> {
    let may = app::authz::scim(&p)?;
    let r = R::get(&state, &may, id).await?;
    Ok(one(&state, StatusCode::OK, &r, &params))
}

async fn create<R: Resource>(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    AppQuery(params): AppQuery<ReadParams>,
    body: Bytes,
) -> Result<Response, ScimReply> {
    let may = app::authz::scim(&p)?;
    let r = R::create(&state, &may, &body_json(&body)?).await?;
    Ok(one(&state, StatusCode::CREATED, &r, &params))
}

async fn change<R: Resource, H: How>(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ScimPath(id): ScimPath<R::Id>,
    AppQuery(params): AppQuery<ReadParams>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ScimReply> {
    let may = app::authz::scim(&p)?;
    let r = R::change(&state, &may, id, H::HOW, &body_json(&body)?, if_match(&headers)?).await?;
    Ok(one(&state, StatusCode::OK, &r, &params))
}

async fn delete<R: Resource>(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ScimPath(id): ScimPath<R::Id>,
    headers: HeaderMap,
) -> Result<StatusCode, ScimReply> {
    let may = app::authz::scim(&p)?;
    R::delete(&state, &may, id, if_match(&headers)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
