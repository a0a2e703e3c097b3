//! `POST /auth/forgot-password` (always 202, same body: no enumeration) and
//! `POST /auth/reset-password` (completes a reset from the emailed link). The SSO settings,
//! which forbid resets while on, are in [`super::sso`].

use crate::error::ApiError;
use crate::extract::{AppJson, ClientInfo};
use crate::routes::{Routes, post};
use crate::state::AppState;
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
