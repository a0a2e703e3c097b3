//! "Forgot password" (`/password/forgot`) and choosing a new password from an emailed
//! reset link (`/password/reset?token=…`). Neither needs a session.

use crate::error::PageError;
use crate::extract::ClientInfo;
use crate::pages::{TokenQuery, message};
use crate::routes::{Routes, get};
use crate::state::AppState;
use app::AppError;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

pub fn routes() -> Routes {
    Routes::new()
        .route("/password/forgot", get(show_forgot).post(submit_forgot).public())
        .route("/password/reset", get(show_reset).post(submit_reset).public())
}

#[derive(Template, WebTemplate)]
#[template(path = "password_forgot.html")]
struct ForgotPage {
    nav: Option<super::Nav>,
    /// The installation's only account uses SSO: the form is shown disabled, saying why.
    sso: Option<String>,
}

async fn show_forgot(State(state): State<AppState>) -> Result<Response, PageError> {
    let sso = app::sso::sign_in::entry(&state.ctx, None).await?.map(|e| e.provider);
    Ok(ForgotPage { nav: None, sso }.into_response())
}

#[derive(Deserialize)]
struct ForgotForm {
    #[serde(default)]
    email: String,
}

async fn submit_forgot(State(state): State<AppState>, client: ClientInfo, Form(f): Form<ForgotForm>) -> Response {
    tokio::spawn(async move {
        if let Err(e) = app::password_reset::forgot(&state.ctx, &f.email, &client.ip, &state.public_url).await {
            tracing::error!(error = %e, "forgot-password request failed");
        }
    });
    message(StatusCode::OK, None, "Check your email", crate::api::v1::FORGOT_ANSWER)
}

#[derive(Template, WebTemplate)]
#[template(path = "password_reset.html")]
struct ResetPage {
    nav: Option<super::Nav>,
    token: String,
    error: Option<String>,
}

/// The heading of a dead reset link's page.
const NOT_VALID: &str = "Reset link not valid";

/// The form for a live link; a used, expired or cancelled one gets a page saying so (410).
async fn show_reset(State(state): State<AppState>, q: TokenQuery) -> Result<Response, PageError> {
    app::password_reset::check(&state.ctx, &q.token).await.map_err(|e| PageError::link(NOT_VALID, e))?;
    Ok(ResetPage { nav: None, token: q.token, error: None }.into_response())
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

async fn submit_reset(
    State(state): State<AppState>,
    client: ClientInfo,
    Form(f): Form<ResetForm>,
) -> Result<Response, PageError> {
    match app::password_reset::complete(&state.ctx, &f.token, &f.password, &client.ip).await {
        Ok(()) => Ok(message(
            StatusCode::OK,
            None,
            "Password changed",
            "Your new password is set and every session was signed out. Sign in with it now.",
        )),
        Err(AppError::Invalid { message: why, .. }) => {
            Ok((StatusCode::BAD_REQUEST, ResetPage { nav: None, token: f.token, error: Some(why) }).into_response())
        }
        Err(e) => Err(PageError::link(NOT_VALID, e)),
    }
}
