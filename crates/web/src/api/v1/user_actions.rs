//! Lifecycle actions on users beyond the status buttons: `DELETE /users/{id}` (its handler
//! is routed from `users.rs`), `POST /users/{id}/restore`, `POST /users/{id}/reset-password`,
//! `POST /users/bulk` (per-user results) and `GET /users/export` (CSV, streamed).

use crate::error::ApiError;
use crate::extract::{ApiUser, AppJson, AppPath, AppQuery};
use crate::routes::{Routes, get, post};
use crate::state::AppState;
use app::authz::UsersManage;
use app::deletion::Outcome;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::ids::UserId;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Routes {
    Routes::new()
        .route("/users/{id}/restore", post(restore_user))
        .route("/users/{id}/reset-password", post(reset_password))
        .route("/users/bulk", post(bulk_users))
        .route("/users/export", get(export_users))
}

/// Account-wide admins soft-delete (204); workspace admins remove the user from the
/// workspaces in their scope (200 with the list).
pub(crate) async fn delete_user(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<UserId>,
) -> Result<Response, ApiError> {
    let may = app::authz::delete_user(&state.ctx, &me, id).await?;
    Ok(match app::deletion::delete(&state.ctx, &may).await? {
        Outcome::Deleted => StatusCode::NO_CONTENT.into_response(),
        Outcome::RemovedFrom(ws) => Json(json!({"deleted": false, "removed_from_workspaces": ws})).into_response(),
    })
}

async fn restore_user(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<UserId>,
) -> Result<StatusCode, ApiError> {
    let may = app::authz::on_deleted_user(&state.ctx, &me, id).await?;
    app::deletion::restore(&state.ctx, &may).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Emails the user a single-use reset link; 409 with the reason under SSO.
async fn reset_password(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<UserId>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let may = app::authz::on_user::<UsersManage>(&state.ctx, &me, id).await?;
    app::password_reset::reset_by_admin(&state.ctx, &may, &state.public_url).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"detail": "a password reset email is queued for the user; GET /users/{id} shows its delivery"})),
    ))
}

#[derive(Deserialize)]
struct BulkBody {
    action: String,
    ids: Vec<String>,
    group_id: Option<String>,
}

/// Runs one action on up to 1,000 users; each gets `ok` or the status and reason.
/// `add_to_group` takes `group_id`.
async fn bulk_users(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppJson(body): AppJson<BulkBody>,
) -> Result<Response, ApiError> {
    let action = app::bulk::BulkAction::parse(&body.action)?;
    let ids = app::bulk::parse_ids(&body.ids)?;
    let opts = app::bulk::BulkOptions { public_url: state.public_url.clone(), group_id: body.group_id };
    let results: Vec<Value> = app::bulk::run(&state.ctx, &me, action, &ids, &opts)
        .await?
        .into_iter()
        .map(|(id, outcome)| match outcome {
            Ok(()) => json!({"id": id, "ok": true}),
            Err(e) => {
                let status = crate::error::status_of(&e);
                let problem = serde_json::to_value(ApiError::from(e)).unwrap_or_default();
                let reason = problem["detail"].as_str().unwrap_or_default().to_owned();
                json!({"id": id, "ok": false, "status": status.as_u16(), "reason": reason})
            }
        })
        .collect();
    Ok(Json(json!({ "results": results })).into_response())
}

/// Streams the filtered list (same filters and scope as `GET /users`) as CSV, a page at a
/// time, in constant memory.
async fn export_users(
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
