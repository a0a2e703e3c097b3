//! "Forgot password" (`/password/forgot`) and choosing a new password from an emailed
//! reset link (`/password/reset?token=…`). Neither needs a session.

use crate::extract::{ClientInfo, parse_query};
use crate::pages::TokenQuery;
use crate::pages::{error_page, message};
use crate::state::AppState;
use app::AppError;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/password/forgot", get(show_forgot).post(submit_forgot))
        .route("/password/reset", get(show_reset).post(submit_reset))
}

#[derive(Template, WebTemplate)]
#[template(path = "password_forgot.html")]
struct ForgotPage {
    nav: Option<super::Nav>,
}

async fn show_forgot() -> Response {
    ForgotPage { nav: None }.into_response()
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

async fn show_reset(RawQuery(raw): RawQuery) -> Response {
    let q: TokenQuery = parse_query(raw.as_deref().unwrap_or("")).unwrap_or_default();
    ResetPage { nav: None, token: q.token, error: None }.into_response()
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

async fn submit_reset(State(state): State<AppState>, client: ClientInfo, Form(f): Form<ResetForm>) -> Response {
    match app::password_reset::complete(&state.ctx, &f.token, &f.password, &client.ip).await {
        Ok(()) => message(
            StatusCode::OK,
            None,
            "Password changed",
            "Your new password is set and every session was signed out. Sign in with it now.",
        ),
        Err(AppError::Invalid { message: why, .. }) => {
            (StatusCode::BAD_REQUEST, ResetPage { nav: None, token: f.token, error: Some(why) }).into_response()
        }
        Err(AppError::Gone(why)) => message(StatusCode::GONE, None, "Reset link not valid", &why),
        Err(e) => error_page(&e, None),
    }
}
