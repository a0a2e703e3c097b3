//! Invitations: `POST /invitations` (emails or rows → per-row results) and
//! `POST /users/{id}/resend-invitation`.

use crate::error::ApiError;
use crate::extract::{ApiUser, AppJson, AppPath};
use crate::routes::{Routes, post};
use crate::state::AppState;
use app::authz::UsersInvite;
use app::invitations::{InviteOptions, InviteRow, Outcome};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::ids::UserId;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Routes {
    Routes::new()
        .route("/invitations", post(create_invitations))
        .route("/users/{id}/resend-invitation", post(resend_invitation))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InviteBody {
    emails: Option<Vec<String>>,
    invitations: Option<Vec<InvitationDto>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InvitationDto {
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

/// Largest request the endpoint takes; bigger imports use `roster user import`.
const MAX_ROWS: usize = 10_000;

async fn create_invitations(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppJson(body): AppJson<InviteBody>,
) -> Result<Json<Value>, ApiError> {
    let may = app::authz::invite_users(&me)?;
    let rows: Vec<InviteRow> = match (body.emails, body.invitations) {
        (Some(emails), None) => emails.into_iter().map(|email| InviteRow { email, ..InviteRow::default() }).collect(),
        (None, Some(rows)) => rows
            .into_iter()
            .map(|r| InviteRow {
                email: r.email,
                first_name: r.first_name,
                last_name: r.last_name,
                workspace: r.workspace,
                groups: r.groups,
            })
            .collect(),
        _ => return Err(ApiError::invalid("body", "give either \"emails\" or \"invitations\"")),
    };
    if rows.is_empty() {
        return Err(ApiError::invalid("body", "there is nobody to invite"));
    }
    if rows.len() > MAX_ROWS {
        return Err(ApiError::invalid("body", "at most 10000 invitations per request"));
    }
    let results = app::invitations::invite(
        &state.ctx,
        &may,
        rows,
        &InviteOptions::new(&state.public_url, state.ctx.auth.invitation_lifetime),
    )
    .await?;
    let results: Vec<Value> = results.into_iter().map(|r| result_json(&r.email, &r.outcome)).collect();
    Ok(Json(json!({ "results": results })))
}

/// One row's result: `invited` when the user was created (committed, its email queued
/// with it); `resent` when the address belongs to a user still invited whose email never
/// left (a new one is queued); `exists` names the user holding the address (and, for a
/// deleted one, until when they can be restored).
fn result_json(email: &str, outcome: &Outcome) -> Value {
    match outcome {
        Outcome::Invited(id) => json!({"email": email, "status": "invited", "user_id": id.0}),
        Outcome::Resent(id) => json!({"email": email, "status": "resent", "user_id": id.0}),
        Outcome::Exists(e) => {
            let mut v =
                json!({"email": email, "status": "exists", "user_id": e.user_id.map(|u| u.0), "reason": e.describe()});
            if let Some(until) = e.restorable_until {
                v["deleted"] = json!(true);
                v["restorable_until"] = json!(app::clock::rfc3339(until));
            }
            v
        }
        Outcome::Invalid(reason) => json!({"email": email, "status": "invalid", "reason": reason}),
    }
}

/// 202 `{"status":"queued"}`: the new link's email is queued with it; `GET /users/{id}`
/// shows its delivery.
async fn resend_invitation(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppPath(id): AppPath<UserId>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let may = app::authz::on_user::<UsersInvite>(&state.ctx, &me, id).await?;
    app::invitations::resend(
        &state.ctx,
        &may,
        &InviteOptions::new(&state.public_url, state.ctx.auth.invitation_lifetime),
    )
    .await?;
    Ok((StatusCode::ACCEPTED, Json(json!({"status": "queued"}))))
}
