//! `POST /auth/forgot-password` (always 202, same body: no enumeration) and
//! `POST /auth/reset-password` (completes a reset from the emailed link). The SSO settings,
//! which forbid resets while on, are in [`super::sso`].

use crate::error::ApiError;
use crate::error::ApiError as Problem;
use crate::extract::{AppJson, ClientInfo};
use crate::routes::{Routes, post};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn routes() -> Routes {
    let limited = axum::middleware::from_fn(crate::rate_limit::limit_logins);
    Routes::new()
        .route("/auth/forgot-password", post(forgot_password).layer(limited.clone()).public())
        .route("/auth/reset-password", post(reset_password).layer(limited).public())
}

/// Who forgot their password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotBody {
    email: String,
}

/// A message for the person (`detail`).
#[derive(Serialize, ToSchema)]
pub struct Detail {
    detail: String,
}

impl Detail {
    pub fn new(detail: &str) -> Self {
        Self { detail: detail.to_owned() }
    }
}

/// The one answer to every forgot-password request.
pub(crate) const FORGOT_ANSWER: &str =
    "If an active account uses this email, a link to reset the password is on its way. It works once, for 15 minutes.";

#[utoipa::path(post, path = "/auth/forgot-password", tag = "auth", security(()), request_body = ForgotBody,
    responses((status = 202, description = "Always the same answer, whether or not the address is known.", body = Detail)))]
pub(super) async fn forgot_password(
    State(state): State<AppState>,
    client: ClientInfo,
    AppJson(body): AppJson<ForgotBody>,
) -> Result<(StatusCode, Json<Detail>), ApiError> {
    let body = body.complete()?;
    // The work (and its timing) happens off the request, so the answer reveals nothing.
    tokio::spawn(async move {
        if let Err(e) = app::password_reset::forgot(&state.ctx, &body.email, &client.ip, &state.public_url).await {
            tracing::error!(error = %e, "forgot-password request failed");
        }
    });
    Ok((StatusCode::ACCEPTED, Json(Detail::new(FORGOT_ANSWER))))
}

/// The emailed link's token and the new password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetBody {
    token: String,
    #[schema(format = Password)]
    password: String,
}

#[utoipa::path(post, path = "/auth/reset-password", tag = "auth", security(()), request_body = ResetBody,
    responses(
        (status = 204, description = "The password is changed; every session of the user ended."),
        (status = 410, description = "The link was used or has expired.", body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn reset_password(
    State(state): State<AppState>,
    client: ClientInfo,
    AppJson(body): AppJson<ResetBody>,
) -> Result<StatusCode, ApiError> {
    let body = body.complete()?;
    app::password_reset::complete(&state.ctx, &body.token, &body.password, &client.ip).await?;
    Ok(StatusCode::NO_CONTENT)
}
