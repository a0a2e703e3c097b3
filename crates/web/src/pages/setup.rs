//! The one-time setup page where the first admin chooses email and password.

use crate::error::PageError;
use crate::pages::TokenQuery;
use crate::routes::{Routes, get};
use crate::state::AppState;
use app::AppError;
use app::auth::setup::{SetupRequest, check_token, complete};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

/// The heading of a used or expired setup link's page.
const NOT_VALID: &str = "Setup link not valid";

pub fn routes() -> Routes {
    Routes::new().route("/setup", get(show).post(submit).public())
}

#[derive(Default)]
struct FieldErrors {
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    password: Option<String>,
    other: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "setup.html")]
struct SetupPage {
    nav: Option<super::Nav>,
    token: String,
    email: String,
    /// The link names its address (`roster account create --admin-email`): shown read-only.
    fixed_email: bool,
    first_name: String,
    last_name: String,
    errors: FieldErrors,
}

async fn show(State(state): State<AppState>, q: TokenQuery) -> Result<SetupPage, PageError> {
    let link = check_token(&state.ctx, &q.token).await.map_err(|e| PageError::link(NOT_VALID, e))?;
    Ok(SetupPage {
        nav: None,
        token: q.token,
        fixed_email: link.email.is_some(),
        email: link.email.unwrap_or_default(),
        first_name: String::new(),
        last_name: String::new(),
        errors: FieldErrors::default(),
    })
}

#[derive(Deserialize)]
struct SetupForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    password: String,
}

async fn submit(State(state): State<AppState>, Form(f): Form<SetupForm>) -> Result<Response, PageError> {
    let req = SetupRequest {
        token: f.token.clone(),
        email: f.email.clone(),
        first_name: f.first_name.clone(),
        last_name: f.last_name.clone(),
        password: f.password,
    };
    match complete(&state.ctx, req).await {
        Ok(_) => Ok(Redirect::to("/login?notice=setup_done").into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::InvalidFields(_))) => {
            let mut errors = FieldErrors::default();
            for (field, message) in e.into_fields().unwrap_or_default() {
                let slot = match field.as_str() {
                    "email" => &mut errors.email,
                    "first_name" => &mut errors.first_name,
                    "last_name" => &mut errors.last_name,
                    "password" => &mut errors.password,
                    _ => &mut errors.other,
                };
                *slot = Some(message);
            }
            // A link that names its address shows that address again, read-only — not what
            // was posted, which the person cannot correct in a read-only field.
            let named = check_token(&state.ctx, &f.token).await.ok().and_then(|l| l.email);
            let page = SetupPage {
                nav: None,
                token: f.token,
                fixed_email: named.is_some(),
                email: named.unwrap_or(f.email),
                first_name: f.first_name,
                last_name: f.last_name,
                errors,
            };
            Ok((StatusCode::BAD_REQUEST, page).into_response())
        }
        Err(e) => Err(PageError::link(NOT_VALID, e)),
    }
}
