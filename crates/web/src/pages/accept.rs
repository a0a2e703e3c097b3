//! `/invitations/accept?token=…`: an invited user chooses a password, becomes Active and is
//! signed in. Expired or used links get a page saying so (410).

use crate::cookie::session_cookie;
use crate::error::PageError;
use crate::extract::ClientInfo;
use crate::pages::TokenQuery;
use crate::routes::{Routes, get};
use crate::state::AppState;
use app::AppError;
use app::invitations::{AcceptRequest, accept, check};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

/// The heading of a used or expired invitation link's page.
const NOT_VALID: &str = "Invitation link not valid";

pub fn routes() -> Routes {
    Routes::new().route("/invitations/accept", get(show).post(submit).public())
}

#[derive(Template, WebTemplate)]
#[template(path = "accept.html")]
struct AcceptPage {
    nav: Option<super::Nav>,
    token: String,
    email: String,
    name: String,
    password_error: Option<String>,
    confirm_error: Option<String>,
    /// The account's password rules, shown under the field before anything is typed.
    password_rules: String,
    /// Under SSO: the provider and the sign-in page (the password step is shown disabled).
    sso: Option<app::sso::settings::SsoInvitation>,
}

async fn show(State(state): State<AppState>, q: TokenQuery) -> Result<AcceptPage, PageError> {
    let i = check(&state.ctx, &q.token).await.map_err(|e| PageError::link(NOT_VALID, e))?;
    Ok(AcceptPage {
        nav: None,
        token: q.token,
        email: i.email,
        name: i.name,
        password_error: None,
        confirm_error: None,
        password_rules: i.password_rules,
        sso: i.sso,
    })
}

#[derive(Deserialize)]
struct AcceptForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

async fn submit(
    State(state): State<AppState>,
    jar: CookieJar,
    client: ClientInfo,
    Form(f): Form<AcceptForm>,
) -> Result<Response, PageError> {
    let invitee = check(&state.ctx, &f.token).await.map_err(|e| PageError::link(NOT_VALID, e))?;
    let refuse = |password_error: Option<String>, confirm_error: Option<String>| {
        let page = AcceptPage {
            nav: None,
            token: f.token.clone(),
            email: invitee.email.clone(),
            name: invitee.name.clone(),
            password_error,
            confirm_error,
            password_rules: invitee.password_rules.clone(),
            sso: invitee.sso.clone(),
        };
        (StatusCode::BAD_REQUEST, page).into_response()
    };
    if f.password != f.confirm {
        return Ok(refuse(None, Some("The two passwords differ.".into())));
    }
    let req = AcceptRequest {
        token: f.token.clone(),
        password: f.password.clone(),
        ip: client.ip,
        user_agent: client.user_agent,
    };
    match accept(&state.ctx, req).await {
        Ok(outcome) => Ok((jar.add(session_cookie(outcome.token, state.secure)), Redirect::to("/")).into_response()),
        Err(e @ AppError::Invalid { .. }) => Ok(refuse(Some(crate::pages::refusal_sentence(&e)), None)),
        Err(e) => Err(PageError::link(NOT_VALID, e)),
    }
}
