//! `POST /auth/forgot-password` (always 202, same body: no enumeration) and
//! `POST /auth/reset-password` (completes a reset from the emailed link), plus
//! `GET/PUT/PATCH /settings/sso`, the switch that forbids resets (a settings document: see
//! [`super::document`]).

use super::document::Change;
use crate::error::ApiError;
use crate::extract::{ApiUser, AppJson, ClientInfo};
use crate::routes::{Routes, get, post};
use crate::state::AppState;
use app::authz::{Principal, SettingsManage};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Routes {
    let limited = axum::middleware::from_fn(crate::rate_limit::limit_logins);
    Routes::new()
        .route("/auth/forgot-password", post(forgot_password).layer(limited.clone()).public())
        .route("/auth/reset-password", post(reset_password).layer(limited).public())
        .route("/settings/sso", get(get_sso).put(put_sso).patch(patch_sso))
}

#[derive(Deserialize)]
struct ForgotBody {
    email: String,
}

/// The one answer to every forgot-password request.
pub(crate) const FORGOT_ANSWER: &str =
    "If an active account uses this email, a link to reset the password is on its way. It works once, for 15 minutes.";

async fn forgot_password(
    State(state): State<AppState>,
    client: ClientInfo,
    AppJson(body): AppJson<ForgotBody>,
) -> (StatusCode, Json<Value>) {
    // The work (and its timing) happens off the request, so the answer reveals nothing.
    tokio::spawn(async move {
        if let Err(e) = app::password_reset::forgot(&state.ctx, &body.email, &client.ip, &state.public_url).await {
            tracing::error!(error = %e, "forgot-password request failed");
        }
    });
    (StatusCode::ACCEPTED, Json(json!({"detail": FORGOT_ANSWER})))
}

#[derive(Deserialize)]
struct ResetBody {
    token: String,
    password: String,
}

async fn reset_password(
    State(state): State<AppState>,
    client: ClientInfo,
    AppJson(body): AppJson<ResetBody>,
) -> Result<StatusCode, ApiError> {
    app::password_reset::complete(&state.ctx, &body.token, &body.password, &client.ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SsoBody {
    enabled: bool,
}

/// Saves the SSO document `body` asks for (PUT: the whole document; PATCH: a merge patch).
async fn save_sso(state: &AppState, me: &Principal, body: Value, how: Change) -> Result<Json<Value>, ApiError> {
    let may = app::authz::in_account::<SettingsManage>(me)?;
    let current = json!({"enabled": app::settings::read_sso(&state.ctx, &may).await?});
    let doc = super::document::changed(&current, body, how)?;
    let new: SsoBody = super::document::typed(doc)?;
    Ok(Json(json!({"enabled": app::settings::update_sso(&state.ctx, &may, new.enabled).await?})))
}

async fn get_sso(State(state): State<AppState>, ApiUser(me): ApiUser) -> Result<Json<Value>, ApiError> {
    let may = app::authz::in_account::<SettingsManage>(&me)?;
    Ok(Json(json!({"enabled": app::settings::read_sso(&state.ctx, &may).await?})))
}

async fn put_sso(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppJson(body): AppJson<Value>,
) -> Result<Json<Value>, ApiError> {
    save_sso(&state, &me, body, Change::Replace).await
}

async fn patch_sso(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppJson(patch): AppJson<Value>,
) -> Result<Json<Value>, ApiError> {
    save_sso(&state, &me, patch, Change::Merge).await
}
