//! Lifecycle actions on users beyond the status buttons: `DELETE /users/{id}` (its handler
//! is routed from `users.rs`), `POST /users/{id}/restore`, `POST /users/{id}/reset-password`,
//! `POST /users/bulk` (per-user results) and `GET /users/export` (CSV, streamed).

use super::password::Detail;
use crate::error::ApiError;
use crate::error::ApiError as Problem;
use crate::extract::{ApiUser, AppJson, AppPath, AppQuery};
use crate::routes::{Routes, get, post};
use crate::state::AppState;
use app::authz::UsersManage;
use app::deletion::Outcome;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::ids::{UserId, WorkspaceId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn routes() -> Routes {
    Routes::new()
        .route("/users/{id}/restore", post(restore_user))
        .route("/users/{id}/reset-password", post(reset_password))
        .route("/users/bulk", post(bulk_users))
        .route("/users/export", get(export_users))
}

/// What a workspace admin's delete did: the user stays, removed from these workspaces.
#[derive(Serialize, ToSchema)]
pub struct RemovedFrom {
    /// Always false.
    deleted: bool,
    removed_from_workspaces: Vec<WorkspaceId>,
}

/// Account-wide admins soft-delete (204); workspace admins remove the user from the
/// workspaces in their scope (200 with the list).
#[utoipa::path(delete, path = "/users/{id}", tag = "users", params(("id" = Uuid, Path, description = "A user id.")),
    responses(
        (status = 204, description = "Deleted (restorable for the retention period)."),
        (status = 200, description = "A workspace admin removed the user from the workspaces in their scope.", body = RemovedFrom),
        (status = 409, description = "Not possible (the Primary admin, a bot owner: transfer first).", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn delete_user(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<UserId>,
) -> Result<Response, ApiError> {
    let may = app::authz::delete_user(&state.ctx, &me, id).await?;
    Ok(match app::deletion::delete(&state.ctx, &may).await? {
        Outcome::Deleted => StatusCode::NO_CONTENT.into_response(),
        Outcome::RemovedFrom(ws) => Json(RemovedFrom { deleted: false, removed_from_workspaces: ws }).into_response(),
    })
}

#[utoipa::path(post, path = "/users/{id}/restore", tag = "users", params(("id" = Uuid, Path, description = "A user id.")),
    responses((status = 204, description = "Restored."), (status = 409, description = "The address is taken again, or the retention ran out.", body = Problem, content_type = "application/problem+json")))]
pub(super) async fn restore_user(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<UserId>,
) -> Result<StatusCode, ApiError> {
    let may = app::authz::on_deleted_user(&state.ctx, &me, id).await?;
    app::deletion::restore(&state.ctx, &may).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Emails the user a single-use reset link; 409 with the reason under SSO.
#[utoipa::path(post, path = "/users/{id}/reset-password", tag = "users", params(("id" = Uuid, Path, description = "A user id.")),
    responses((status = 202, description = "The email is queued.", body = Detail), (status = 409, description = "Not possible (SSO, the user's status).", body = Problem, content_type = "application/problem+json")))]
pub(super) async fn reset_password(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<UserId>,
) -> Result<(StatusCode, Json<Detail>), ApiError> {
    let may = app::authz::on_user::<UsersManage>(&state.ctx, &me, id).await?;
    app::password_reset::reset_by_admin(&state.ctx, &may, &state.public_url).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Detail::new("a password reset email is queued for the user; GET /users/{id} shows its delivery")),
    ))
}

/// One action on many users.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkBody {
    #[schema(value_type = domain::bulk::BulkAction)]
    action: String,
    /// User ids (1 to 1000).
    #[schema(min_items = 1, max_items = 1000, value_type = Vec<Uuid>)]
    ids: Vec<String>,
    /// The group of `add_to_group`.
    #[schema(value_type = Option<Uuid>)]
    group_id: Option<String>,
}

/// One user's result: `ok`, or the status and reason it was refused with.
#[derive(Serialize, ToSchema)]
pub struct BulkResult {
    id: UserId,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

/// Every user's result, in the order given.
#[derive(Serialize, ToSchema)]
pub struct BulkResults {
    results: Vec<BulkResult>,
}

/// Runs one action on up to 1,000 users; each gets `ok` or the status and reason.
/// `add_to_group` takes `group_id`.
#[utoipa::path(post, path = "/users/bulk", tag = "users", request_body = BulkBody,
    responses((status = 200, description = "Each user's result.", body = BulkResults)))]
pub(super) async fn bulk_users(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppJson(body): AppJson<BulkBody>,
) -> Result<Json<BulkResults>, ApiError> {
    let request = body.map(|b| app::bulk::BulkRequest { action: b.action, ids: b.ids, group_id: b.group_id });
    let (action, ids, group_id) = app::bulk::parse_request(request)?;
    let opts = app::bulk::BulkOptions { public_url: state.public_url.clone(), group_id };
    let results = app::bulk::run(&state.ctx, &me, action, &ids, &opts)
        .await?
        .into_iter()
        .map(|(id, outcome)| match outcome {
            Ok(()) => BulkResult { id, ok: true, status: None, reason: None },
            Err(e) => {
                let status = crate::error::status_of(&e);
                let reason = ApiError::from(e).detail().to_owned();
                BulkResult { id, ok: false, status: Some(status.as_u16()), reason: Some(reason) }
            }
        })
        .collect();
    Ok(Json(BulkResults { results }))
}

/// Streams the filtered list (same filters and scope as `GET /users`) as CSV, a page at a
/// time, in constant memory.
#[utoipa::path(get, path = "/users/export", tag = "users", params(super::users::ListQuery),
    responses((status = 200, description = "The users as CSV (a header line, then one line per user).", content_type = "text/csv", body = String)))]
pub(super) async fn export_users(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppQuery(params): AppQuery<app::users::ListParams>,
) -> Result<Response, ApiError> {
    let may = app::authz::list_users(&me)?;
    let mut export = app::export::start(&may, &params)?;
    // The first page is read before the 200 goes out, so a failing database is a 500.
    let first = export.next_chunk(&state.ctx).await?;
    let ctx = state.ctx.clone();
    let rest = futures_util::stream::unfold(Some(export), move |step| {
        let ctx = ctx.clone();
        async move {
            let mut export = step?;
            match export.next_chunk(&ctx).await {
                Ok(Some(chunk)) => Some((Ok::<_, std::convert::Infallible>(chunk), Some(export))),
                Ok(None) => None,
                Err(e) => {
                    tracing::error!(error = %e, "users export stopped");
                    None
                }
            }
        }
    });
    let head = format!("{}{}", app::export::CSV_HEADER, first.unwrap_or_default());
    let body = axum::body::Body::from_stream(futures_util::StreamExt::chain(
        futures_util::stream::once(async move { Ok(head) }),
        rest,
    ));
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (axum::http::header::CONTENT_DISPOSITION, "attachment; filename=\"users.csv\""),
        ],
        body,
    )
        .into_response())
}
