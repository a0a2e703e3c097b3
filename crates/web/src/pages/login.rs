//! The login page and sign-out.

use crate::cookie::{cleared_cookie, session_cookie};
use crate::csrf::CsrfForm;
use crate::error::PageError;
use crate::extract::{ClientInfo, PageUser, parse_query};
use crate::redirect::same_origin_path_or_home;
use crate::routes::{Routes, get, post};
use crate::state::AppState;
use app::AppError;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

pub fn routes() -> Routes {
    let limited = axum::middleware::from_fn(crate::rate_limit::limit_logins);
    Routes::new().route("/login", get(show).post(submit).layer(limited).public()).route("/logout", post(logout))
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    nav: Option<super::Nav>,
    email: String,
    next: String,
    error: Option<String>,
    notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
struct LoginQuery {
    next: Option<String>,
    notice: Option<String>,
}

async fn show(RawQuery(raw): RawQuery) -> LoginPage {
    let q: LoginQuery = parse_query(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let notice = match q.notice.as_deref() {
        Some("setup_done") => Some("The first admin is ready. Sign in with the email and password you chose."),
        Some("signed_out") => Some("You are signed out."),
        _ => None,
    };
    LoginPage {
        nav: None,
        email: String::new(),
        next: same_origin_path_or_home(q.next.as_deref()),
        error: None,
        notice,
    }
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

async fn submit(
    State(state): State<AppState>,
    jar: CookieJar,
    client: ClientInfo,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    // Only paths on this site are followed after sign-in (no open redirect).
    let next = same_origin_path_or_home(Some(&form.next));
    let req = app::auth::LoginRequest {
        email: form.email.clone(),
        password: form.password,
        account: None,
        ip: client.ip,
        user_agent: client.user_agent,
    };
    let refused = |status: StatusCode, text: String| {
        let page =
            LoginPage { nav: None, email: form.email.clone(), next: next.clone(), error: Some(text), notice: None };
        (status, page).into_response()
    };
    match app::auth::login(&state.ctx, req).await {
        Ok(outcome) => Ok((jar.add(session_cookie(outcome.token, state.secure)), Redirect::to(&next)).into_response()),
        Err(AppError::Unauthenticated) => Ok(refused(StatusCode::UNAUTHORIZED, "Wrong email or password.".into())),
        Err(AppError::Forbidden(why)) => Ok(refused(StatusCode::FORBIDDEN, why)),
        Err(e) => Err(e.into()),
    }
}

async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    PageUser(me): PageUser,
    _: CsrfForm,
) -> Result<(CookieJar, Redirect), PageError> {
    app::auth::logout(&state.ctx, &me).await?;
    Ok((jar.add(cleared_cookie()), Redirect::to("/login?notice=signed_out")))
}
