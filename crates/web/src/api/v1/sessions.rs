//! Sessions: a user's sessions for admins (`/users/{id}/sessions`) and one's own
//! (`/me/sessions`), with kill, sign-out and "report suspicious".

use super::shapes::Named;
use crate::error::ApiError;
use crate::error::ApiError as Problem;
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
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub fn routes() -> Routes {
    Routes::new()
        .route("/users/{id}/sessions", get(list_user_sessions).delete(kill_all_sessions))
        .route("/users/{id}/sessions/{session_id}", delete(kill_session))
        .route("/me/sessions", get(list_my_sessions).delete(end_my_other_sessions))
        .route("/me/sessions/{session_id}", delete(end_my_session))
        .route("/me/sessions/{session_id}/report", post(report_session))
        .route("/me/workspace", put(switch_workspace))
}

/// A session; the `end*` fields only once it ended; `current` (own sessions only) marks
/// the one making the request.
#[derive(Serialize, ToSchema)]
// An ended session's `end_reason` etc. are there and maybe null; a live one's are absent.
#[allow(clippy::option_option)]
pub struct SessionJson {
    id: Uuid,
    /// `desktop`, `mobile`, `tablet`, …, from the user agent.
    device_type: String,
    browser: String,
    os: String,
    ip: String,
    /// The workspace it acts for.
    workspace: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    last_activity_at: String,
    #[schema(format = DateTime)]
    expires_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    current: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    ended_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_cause: Option<EndCause>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_reason: Option<Option<String>>,
    /// Who ended it (an admin's email).
    #[serde(skip_serializing_if = "Option::is_none")]
    ended_by: Option<Option<String>>,
    /// The workspace the admin who ended it acted for.
    #[serde(skip_serializing_if = "Option::is_none")]
    ended_for_workspace: Option<Option<String>>,
}

impl SessionJson {
    pub fn new(s: &SessionRow, current: Option<SessionId>) -> Self {
        let mut v = Self {
            id: s.id,
            device_type: s.device_type.clone(),
            browser: s.browser.clone(),
            os: s.os.clone(),
            ip: s.ip.clone(),
            workspace: s.workspace_name.clone(),
            created_at: rfc3339(s.created_at),
            last_activity_at: rfc3339(s.last_activity_at),
            expires_at: rfc3339(s.expires_at),
            current: current.map(|c| c.0 == s.id),
            ended_at: None,
            end_cause: None,
            end_reason: None,
            ended_by: None,
            ended_for_workspace: None,
        };
        if s.ended_at.is_some() || s.end_cause.is_some() {
            v.ended_at = Some(rfc3339(s.ended_at.unwrap_or(s.expires_at)));
            v.end_cause = Some(s.end_cause.unwrap_or(EndCause::Expired));
            v.end_reason = Some(s.end_reason.clone());
            v.ended_by = Some(s.ended_by_email.clone());
            v.ended_for_workspace = Some(s.ended_by_workspace_name.clone());
        } else if s.expires_at <= app::clock::now() {
            v.ended_at = Some(rfc3339(s.expires_at));
            v.end_cause = Some(EndCause::Expired);
        }
        v
    }
}

/// A user's live sessions (`items`), recently ended ones, and the workspaces an admin can end
/// sessions for.
#[derive(Serialize, ToSchema)]
pub struct UserSessions {
    items: Vec<SessionJson>,
    ended: Vec<SessionJson>,
    workspaces: Vec<Named>,
}

/// One's own live sessions (`items`) and recently ended ones.
#[derive(Serialize, ToSchema)]
pub struct MySessions {
    items: Vec<SessionJson>,
    ended: Vec<SessionJson>,
}

/// How many sessions ended.
#[derive(Serialize, ToSchema)]
pub struct Ended {
    ended: usize,
}

#[utoipa::path(get, path = "/users/{id}/sessions", tag = "sessions", params(("id" = Uuid, Path, description = "A user id.")),
    responses((status = 200, description = "The user's sessions.", body = UserSessions)))]
pub(super) async fn list_user_sessions(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<UserId>,
) -> Result<Json<UserSessions>, ApiError> {
    let may = app::authz::on_user::<SessionsView>(&state.ctx, &me, id).await?;
    let s = app::sessions::list(&state.ctx, &may).await?;
    Ok(Json(UserSessions {
        items: s.live.iter().map(|x| SessionJson::new(x, None)).collect(),
        ended: s.ended.iter().map(|x| SessionJson::new(x, None)).collect(),
        workspaces: s.workspaces.iter().map(|w| Named::new(w.id, &w.name)).collect(),
    }))
}

/// Optional (no body: no notice, no reason): whether to email the user, and why.
#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KillBody {
    #[serde(default)]
    notify: bool,
    #[schema(max_length = 500)]
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

#[utoipa::path(delete, path = "/users/{id}/sessions/{session_id}", tag = "sessions", params(("id" = Uuid, Path, description = "A user id."), ("session_id" = Uuid, Path, description = "A session id.")),
    request_body(content = Option<KillBody>, description = "Optional."),
    responses((status = 204, description = "Ended.")))]
pub(super) async fn kill_session(
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

#[utoipa::path(delete, path = "/users/{id}/sessions", tag = "sessions", params(("id" = Uuid, Path, description = "A user id.")),
    request_body(content = Option<KillBody>, description = "Optional."),
    responses((status = 200, description = "Every live session of the user ended.", body = Ended)))]
pub(super) async fn kill_all_sessions(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<UserId>,
    body: Bytes,
) -> Result<Json<Ended>, ApiError> {
    let options = kill_options(&body)?;
    let may = app::authz::on_user::<SessionsKill>(&state.ctx, &me, id).await?;
    let ended = app::sessions::kill(&state.ctx, &may, None, &options).await?;
    Ok(Json(Ended { ended }))
}

#[utoipa::path(get, path = "/me/sessions", tag = "me", security(("session" = [])),
    responses((status = 200, description = "One's own sessions.", body = MySessions)))]
pub(super) async fn list_my_sessions(
    State(state): State<AppState>,
    OwnSession(me): OwnSession,
) -> Result<Json<MySessions>, ApiError> {
    let (live, ended) = app::sessions::mine(&state.ctx, &me).await?;
    let current = Some(me.session_id);
    Ok(Json(MySessions {
        items: live.iter().map(|s| SessionJson::new(s, current)).collect(),
        ended: ended.iter().map(|s| SessionJson::new(s, current)).collect(),
    }))
}

#[utoipa::path(delete, path = "/me/sessions/{session_id}", tag = "me", security(("session" = [])), params(("session_id" = Uuid, Path, description = "A session id.")),
    responses((status = 204, description = "Signed out of that session.")))]
pub(super) async fn end_my_session(
    State(state): State<AppState>,
    OwnSession(me): OwnSession,
    AppPath(sid): AppPath<SessionId>,
) -> Result<StatusCode, ApiError> {
    app::sessions::end_mine(&state.ctx, &me, Some(sid)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/me/sessions", tag = "me", security(("session" = [])),
    responses((status = 200, description = "Every other session of one's own ended.", body = Ended)))]
pub(super) async fn end_my_other_sessions(
    State(state): State<AppState>,
    OwnSession(me): OwnSession,
) -> Result<Json<Ended>, ApiError> {
    let ended = app::sessions::end_mine(&state.ctx, &me, None).await?;
    Ok(Json(Ended { ended }))
}

#[utoipa::path(post, path = "/me/sessions/{session_id}/report", tag = "me", security(("session" = [])), params(("session_id" = Uuid, Path, description = "A session id.")),
    responses((status = 204, description = "Reported as suspicious: it ended and the admins are told."),
        (status = 404, description = "No such session of one's own.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The session making the request (report another one).", body = Problem, content_type = "application/problem+json")))]
pub(super) async fn report_session(
    State(state): State<AppState>,
    OwnSession(me): OwnSession,
    AppPath(sid): AppPath<SessionId>,
) -> Result<StatusCode, ApiError> {
    app::sessions::report(&state.ctx, &me, sid).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The workspace to act for.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceBody {
    #[schema(value_type = Uuid)]
    workspace_id: String,
}

#[utoipa::path(put, path = "/me/workspace", tag = "me", security(("session" = [])), request_body = WorkspaceBody,
    responses((status = 204, description = "The session acts for that workspace now.")))]
pub(super) async fn switch_workspace(
    State(state): State<AppState>,
    OwnSession(me): OwnSession,
    AppJson(body): AppJson<WorkspaceBody>,
) -> Result<StatusCode, ApiError> {
    let body = body.complete()?;
    let w: WorkspaceId =
        body.workspace_id.parse().map_err(|_| ApiError::invalid("workspace_id", "must be a workspace id (UUID)"))?;
    app::sessions::switch_workspace(&state.ctx, &me, Some(w)).await?;
    Ok(StatusCode::NO_CONTENT)
}
