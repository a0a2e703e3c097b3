//! Sessions: a user's sessions for admins (`/users/{id}/sessions`) and one's own
//! (`/me/sessions`), with kill, sign-out and "report suspicious".

use crate::error::ApiError;
use crate::extract::{ApiUser, AppJson, AppPath, OwnSession};
use crate::routes::{Routes, delete, get, post, put};
use crate::state::AppState;
use app::authz::{SessionsKill, SessionsView};
use app::clock::rfc3339;
use app::sessions::KillOptions;
use app::sessions::SessionRow;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use domain::closed::EndCause;
use domain::ids::{SessionId, UserId, WorkspaceId};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Routes {
    Routes::new()
        .route("/users/{id}/sessions", get(list_user_sessions).delete(kill_all_sessions))
        .route("/users/{id}/sessions/{session_id}", delete(kill_session))
        .route("/me/sessions", get(list_my_sessions).delete(end_my_other_sessions))
        .route("/me/sessions/{session_id}", delete(end_my_session))
        .route("/me/sessions/{session_id}/report", post(report_session))
        .route("/me/workspace", put(switch_workspace))
}

pub fn session_json(s: &SessionRow, current: Option<SessionId>) -> Value {
    let mut v = json!({
        "id": s.id,
        "device_type": s.device_type,
        "browser": s.browser,
        "os": s.os,
        "ip": s.ip,
        "workspace": s.workspace_name,
        "created_at": rfc3339(s.created_at),
        "last_activity_at": rfc3339(s.last_activity_at),
        "expires_at": rfc3339(s.expires_at),
    });
    if let Some(current) = current {
        v["current"] = json!(current.0 == s.id);
    }
    if s.ended_at.is_some() || s.end_cause.is_some() {
        v["ended_at"] = json!(rfc3339(s.ended_at.unwrap_or(s.expires_at)));
        v["end_cause"] = json!(s.end_cause.unwrap_or(EndCause::Expired).as_str());
        v["end_reason"] = json!(s.end_reason);
        v["ended_by"] = json!(s.ended_by_email);
        v["ended_for_workspace"] = json!(s.ended_by_workspace_name);
    } else if s.ended_at.is_none() && s.expires_at <= app::clock::now() {
        v["ended_at"] = json!(rfc3339(s.expires_at));
        v["end_cause"] = json!(EndCause::Expired.as_str());
    }
    v
}

async fn list_user_sessions(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<UserId>,
) -> Result<Json<Value>, ApiError> {
    let may = app::authz::on_user::<SessionsView>(&state.ctx, &me, id).await?;
    let s = app::sessions::list(&state.ctx, &may).await?;
    Ok(Json(json!({
        "items": s.live.iter().map(|x| session_json(x, None)).collect::<Vec<_>>(),
        "ended": s.ended.iter().map(|x| session_json(x, None)).collect::<Vec<_>>(),
        "workspaces": s.workspaces.iter().map(|w| json!({"id": w.id, "name": w.name})).collect::<Vec<_>>(),
    })))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct KillBody {
    #[serde(default)]
    notify: bool,
    reason: Option<String>,
}

/// The kill body is optional: no body at all means no notice and no reason.
fn kill_options(body: &Bytes) -> Result<KillOptions, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(KillOptions::default());
    }
    let b: KillBody = serde_json::from_slice(body).map_err(|e| ApiError::invalid("body", &e.to_string()))?;
    Ok(KillOptions { notify: b.notify, reason: b.reason })
}

async fn kill_session(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath((id, sid)): AppPath<(UserId, SessionId)>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let options = kill_options(&body)?;
    let may = app::authz::on_user::<SessionsKill>(&state.ctx, &me, id).await?;
    app::sessions::kill(&state.ctx, &may, Some(sid), &options).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn kill_all_sessions(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<UserId>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let options = kill_options(&body)?;
    let may = app::authz::on_user::<SessionsKill>(&state.ctx, &me, id).await?;
    let ended = app::sessions::kill(&state.ctx, &may, None, &options).await?;
    Ok(Json(json!({ "ended": ended })))
}

async fn list_my_sessions(State(state): State<AppState>, OwnSession(me): OwnSession) -> Result<Json<Value>, ApiError> {
    let (live, ended) = app::sessions::mine(&state.ctx, &me).await?;
    let current = Some(me.session_id);
    Ok(Json(json!({
        "items": live.iter().map(|s| session_json(s, current)).collect::<Vec<_>>(),
        "ended": ended.iter().map(|s| session_json(s, current)).collect::<Vec<_>>(),
    })))
}

async fn end_my_session(
    State(state): State<AppState>,
    OwnSession(me): OwnSession,
    AppPath(sid): AppPath<SessionId>,
) -> Result<StatusCode, ApiError> {
    app::sessions::end_mine(&state.ctx, &me, Some(sid)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn end_my_other_sessions(
    State(state): State<AppState>,
    OwnSession(me): OwnSession,
) -> Result<Json<Value>, ApiError> {
    let ended = app::sessions::end_mine(&state.ctx, &me, None).await?;
    Ok(Json(json!({ "ended": ended })))
}

async fn report_session(
    State(state): State<AppState>,
    OwnSession(me): OwnSession,
    AppPath(sid): AppPath<SessionId>,
) -> Result<StatusCode, ApiError> {
    app::sessions::report(&state.ctx, &me, sid).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct WorkspaceBody {
    workspace_id: String,
}

async fn switch_workspace(
    State(state): State<AppState>,
    OwnSession(me): OwnSession,
    AppJson(body): AppJson<WorkspaceBody>,
) -> Result<StatusCode, ApiError> {
    let w: WorkspaceId =
        body.workspace_id.parse().map_err(|_| ApiError::invalid("workspace_id", "must be a workspace id (UUID)"))?;
    app::sessions::switch_workspace(&state.ctx, &me, w).await?;
    Ok(StatusCode::NO_CONTENT)
}
