//! `GET /audit` (filtered, keyset-paged JSON) and `GET /audit/export` (CSV, streamed).

use crate::error::ApiError;
use crate::extract::{ApiUser, AppQuery};
use crate::routes::{Routes, get};
use crate::state::AppState;
use app::audit::{AuditParams, CSV_HEADER, csv_line};
use app::authz::AuditView;
use app::clock::rfc3339;
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde_json::{Value, json};

pub fn routes() -> Routes {
    Routes::new().route("/audit", get(list_events)).route("/audit/export", get(export_events))
}

pub fn event_json(e: &app::audit::AuditRow) -> Value {
    json!({
        "id": e.id,
        "at": rfc3339(e.at),
        "action": e.action.as_str(),
        "actor": e.actor_user_id.map(|id| json!({"id": id, "email": e.actor_email})),
        "target": e.target_user_id.map(|id| json!({"id": id, "email": e.target_email})),
        "workspace": e.workspace_id.map(|id| json!({"id": id, "name": e.workspace_name})),
        "ip": e.ip,
        "details": serde_json::from_str::<Value>(&e.details).unwrap_or(Value::Null),
    })
}

async fn list_events(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppQuery(params): AppQuery<AuditParams>,
) -> Result<Json<Value>, ApiError> {
    let may = app::authz::in_account::<AuditView>(&me)?;
    let page = app::audit::list(&state.ctx, &may, &params).await?;
    Ok(Json(json!({
        "items": page.items.iter().map(event_json).collect::<Vec<_>>(),
        "next_cursor": page.next_cursor,
    })))
}

/// Streams every matching event as CSV, a page at a time, in constant memory.
async fn export_events(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppQuery(mut params): AppQuery<AuditParams>,
) -> Result<Response, ApiError> {
    let may = app::authz::in_account::<AuditView>(&me)?;
    params.limit = Some("1000".into());
    params.cursor = None;
    // Check the parameters before the 200 goes out.
    let first = app::audit::list(&state.ctx, &may, &params).await?;
    let stream = futures_util::stream::unfold(Some((first, params)), move |step| {
        let (ctx, may) = (state.ctx.clone(), may.clone());
        async move {
            let (page, mut params) = step?;
            let chunk: String = page.items.iter().map(csv_line).collect();
            let next = match page.next_cursor {
                None => None,
                Some(cursor) => {
                    params.cursor = Some(cursor);
                    match app::audit::list(&ctx, &may, &params).await {
                        Ok(p) => Some((p, params)),
                        Err(e) => {
                            tracing::error!(error = %e, "audit export stopped");
                            None
                        }
                    }
                }
            };
            Some((Ok::<_, std::convert::Infallible>(chunk), next))
        }
    });
    let body = Body::from_stream(futures_util::stream::once(async { Ok(CSV_HEADER.to_owned()) }).chain(stream));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"audit.csv\""),
        ],
        body,
    )
        .into_response())
}
