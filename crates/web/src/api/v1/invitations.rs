//! Invitations: `POST /invitations` (emails or rows → per-row results) and
//! `POST /users/{id}/resend-invitation`.

use crate::error::ApiError;
use crate::error::ApiError as Problem;
use crate::extract::{ApiUser, AppJson, AppPath};
use crate::routes::{Routes, post};
use crate::state::AppState;
use app::authz::UsersInvite;
use app::invitations::{InviteOptions, InviteRequest, InviteRow, Outcome};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::ids::UserId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn routes() -> Routes {
    Routes::new()
        .route("/invitations", post(create_invitations))
        .route("/users/{id}/resend-invitation", post(resend_invitation))
}

/// Whom to invite: either `emails` or `invitations` (rows with names, workspace, groups),
/// and which workspace they join.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    #[schema(max_items = 10000)]
    emails: Option<Vec<String>>,
    #[schema(max_items = 10000)]
    invitations: Option<Vec<InvitationDto>>,
    /// The workspace the invitees join (rows of `invitations` naming a `workspace` join that
    /// one): one the caller may invite into, else 400 naming `workspace_id`. Without it,
    /// the caller's current workspace when they may invite into it, else the first of
    /// theirs by name.
    #[schema(format = Uuid, value_type = Option<String>)]
    workspace_id: Option<String>,
}

/// One person to invite; `workspace` and `groups` by name.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationDto {
    email: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    workspace: String,
    #[serde(default)]
    groups: Vec<String>,
}

#[utoipa::path(post, path = "/invitations", tag = "users", request_body = InviteBody,
    responses((status = 200, description = "Each row's result, in order.", body = InviteResults),
        (status = 400, description = "Nobody to invite, too many rows, or a `workspace_id` the caller may not invite into (nothing is invited).", body = Problem, content_type = "application/problem+json")))]
pub(super) async fn create_invitations(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppJson(body): AppJson<InviteBody>,
) -> Result<Json<InviteResults>, ApiError> {
    let may = app::authz::invite_users(&me)?;
    let request = body.map(|b| InviteRequest {
        emails: b.emails,
        invitations: b.invitations.map(|rows| {
            rows.into_iter()
                .map(|r| InviteRow {
                    email: r.email,
                    first_name: r.first_name,
                    last_name: r.last_name,
                    workspace: r.workspace,
                    groups: r.groups,
                })
                .collect()
        }),
        workspace_id: b.workspace_id,
    });
    let options = InviteOptions::new(&state.public_url, state.ctx.auth.invitation_lifetime);
    let results = app::invitations::invite_request(&state.ctx, &may, request, &options).await?;
    Ok(Json(InviteResults { results: results.into_iter().map(|r| InviteResult::new(&r.email, &r.outcome)).collect() }))
}

/// Every row's result.
#[derive(Serialize, ToSchema)]
pub struct InviteResults {
    results: Vec<InviteResult>,
}

/// What happened to one row.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InviteStatus {
    Invited,
    Resent,
    Exists,
    Invalid,
}

/// One row's result (see [`InviteResult::new`]).
#[derive(Serialize, ToSchema)]
// `user_id` absent (an invalid row) and null (an address whose holder is gone) differ.
#[allow(clippy::option_option)]
pub struct InviteResult {
    email: String,
    status: InviteStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<Option<UserId>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    /// The address belongs to a deleted user (restorable until `restorable_until`).
    #[serde(skip_serializing_if = "Option::is_none")]
    deleted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    restorable_until: Option<String>,
}

/// One row's result: `invited` when the user was created (committed, its email queued
/// with it); `resent` when the address belongs to a user still invited whose email never
/// left (a new one is queued); `exists` names the user holding the address (and, for a
/// deleted one, until when they can be restored).
impl InviteResult {
    fn new(email: &str, outcome: &Outcome) -> Self {
        let row = |status, user_id, reason| Self {
            email: email.to_owned(),
            status,
            user_id,
            reason,
            deleted: None,
            restorable_until: None,
        };
        match outcome {
            Outcome::Invited(id) => row(InviteStatus::Invited, Some(Some(*id)), None),
            Outcome::Resent(id) => row(InviteStatus::Resent, Some(Some(*id)), None),
            Outcome::Exists(e) => Self {
                deleted: e.restorable_until.map(|_| true),
                restorable_until: e.restorable_until.map(app::clock::rfc3339),
                ..row(InviteStatus::Exists, Some(e.user_id), Some(e.describe()))
            },
            Outcome::Invalid(reason) => row(InviteStatus::Invalid, None, Some(reason.clone())),
        }
    }
}

/// 202 `{"status":"queued"}`: the new link's email is queued with it; `GET /users/{id}`
/// shows its delivery.
#[utoipa::path(post, path = "/users/{id}/resend-invitation", tag = "users", params(("id" = Uuid, Path, description = "A user id.")),
    responses((status = 202, description = "A new link's email is queued.", body = Queued),
        (status = 409, description = "The user is not invited (any more).", body = Problem, content_type = "application/problem+json")))]
pub(super) async fn resend_invitation(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<UserId>,
) -> Result<(StatusCode, Json<Queued>), ApiError> {
    let may = app::authz::on_user::<UsersInvite>(&state.ctx, &me, id).await?;
    app::invitations::resend(
        &state.ctx,
        &may,
        &InviteOptions::new(&state.public_url, state.ctx.auth.invitation_lifetime),
    )
    .await?;
    Ok((StatusCode::ACCEPTED, Json(Queued { status: QueuedStatus::Queued })))
}

/// `{"status": "queued"}`.
#[derive(Serialize, ToSchema)]
pub struct Queued {
    status: QueuedStatus,
}

/// Always `queued`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QueuedStatus {
    Queued,
}
