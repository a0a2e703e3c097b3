//! The login page and sign-out. When one email and password open users in several
//! accounts, the page lists those accounts and asks for a choice and the password again.
//! `/login?account=SLUG` signs in to that account only: the way in for an email in more
//! accounts than sign-in checks ([`store::users::LOGIN_CANDIDATES`]).

use crate::cookie::{cleared_cookie, session_cookie};
use crate::csrf::CsrfForm;
use crate::error::PageError;
use crate::extract::{ClientInfo, PageUser, parse_query};
use crate::redirect::same_origin_path_or_home;
use crate::routes::{Routes, get, post};
use crate::state::AppState;
use app::AppError;
use app::auth::Login;
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
    Routes::new()
        .route("/login", get(show).post(submit).layer(limited.clone()).public())
        .route("/admin/login", get(show_admin).post(submit_admin).layer(limited).public())
        .route("/logout", post(logout))
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    nav: Option<super::Nav>,
    email: String,
    next: String,
    error: Option<String>,
    /// An empty field, named beside it (nothing was checked then).
    email_error: Option<&'static str>,
    password_error: Option<&'static str>,
    notice: Option<&'static str>,
    /// The accounts this email and password open, when several do: the page asks which.
    accounts: Vec<app::auth::AccountChoice>,
    /// The account named by `?account=` (kept through a refusal); empty: any.
    account: String,
    /// The account uses SSO: the page offers "Sign in with <provider>" and no password form.
    sso: Option<SsoButton>,
    /// Bypass SSO (`/admin/login`): the password form for admins, posting here.
    admin: bool,
}

/// The single sign-on button.
struct SsoButton {
    provider: String,
    /// `/sso/start?account=…&next=…`.
    href: String,
    /// `/admin/login?account=…`.
    bypass_href: String,
}

impl SsoButton {
    fn of(e: app::sso::sign_in::SsoEntry, next: &str) -> Self {
        let q =
            |pairs: &[(&str, &str)]| url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        Self {
            href: format!("/sso/start?{}", q(&[("account", &e.slug), ("next", next)])),
            bypass_href: format!("/admin/login?{}", q(&[("account", &e.slug)])),
            provider: e.provider,
        }
    }
}

#[derive(Deserialize, Default)]
struct LoginQuery {
    next: Option<String>,
    notice: Option<String>,
    account: Option<String>,
}

async fn show(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<LoginPage, PageError> {
    let mut page = blank(raw.as_deref());
    let entry = app::sso::sign_in::entry(&state.ctx, Some(page.account.as_str())).await?;
    page.sso = entry.map(|e| SsoButton::of(e, &page.next));
    Ok(page)
}

/// Bypass SSO: the password form for admins, whatever the account's SSO.
async fn show_admin(RawQuery(raw): RawQuery) -> LoginPage {
    LoginPage { admin: true, ..blank(raw.as_deref()) }
}

/// The page for a query, before SSO is looked at.
fn blank(raw: Option<&str>) -> LoginPage {
    let q: LoginQuery = parse_query(raw.unwrap_or("")).unwrap_or_default();
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
        email_error: None,
        password_error: None,
        notice,
        accounts: Vec::new(),
        account: q.account.unwrap_or_default(),
        sso: None,
        admin: false,
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
    /// The slug picked in the account chooser.
    #[serde(default)]
    account: String,
}

async fn submit(
    State(state): State<AppState>,
    jar: CookieJar,
    client: ClientInfo,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    sign_in(&state, jar, client, form, false).await
}

/// Bypass SSO's form: the same sign-in (which opens only admins' sessions under SSO).
async fn submit_admin(
    State(state): State<AppState>,
    jar: CookieJar,
    client: ClientInfo,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    sign_in(&state, jar, client, form, true).await
}

async fn sign_in(
    state: &AppState,
    jar: CookieJar,
    client: ClientInfo,
    form: LoginForm,
    admin: bool,
) -> Result<Response, PageError> {
    // Only paths on this site are followed after sign-in (no open redirect).
    let next = same_origin_path_or_home(Some(&form.next));
    // An empty field is named beside it; only a filled form is an attempt.
    let email_error = form.email.trim().is_empty().then_some("Enter your email address.");
    let password_error = form.password.is_empty().then_some("Enter your password.");
    let req = app::auth::LoginRequest {
        email: form.email.clone(),
        password: form.password,
        account: Some(form.account.clone()).filter(|a| !a.is_empty()),
        ip: client.ip,
        user_agent: client.user_agent,
    };
    let named = form.account.clone();
    // The page answered again is the account's sign-in page: under that account's SSO it
    // offers the provider only (Bypass SSO, `admin`, keeps the password form).
    let sso = if admin { None } else { app::sso::sign_in::entry(&state.ctx, Some(named.as_str())).await? };
    let page = |error: Option<String>, accounts| LoginPage {
        nav: None,
        email: form.email.clone(),
        next: next.clone(),
        error,
        email_error,
        password_error,
        notice: None,
        accounts,
        account: named.clone(),
        sso: sso.clone().map(|e| SsoButton::of(e, &next)),
        admin,
    };
    if email_error.is_some() || password_error.is_some() {
        return Ok((StatusCode::BAD_REQUEST, page(None, Vec::new())).into_response());
    }
    match app::auth::login(&state.ctx, req).await {
        Ok(Login::Opened(outcome)) => {
            Ok((jar.add(session_cookie(outcome.token, state.secure)), Redirect::to(&next)).into_response())
        }
        // The password is asked again with the choice: it never travels back in the page.
        Ok(Login::ChooseAccount(accounts)) => Ok(page(None, accounts).into_response()),
        // Every refusal reads alike: the page must not tell a locked or suspended account
        // from a wrong password or an unknown email.
        Err(AppError::Unauthenticated) => {
            Ok((StatusCode::UNAUTHORIZED, page(Some("Wrong email or password.".into()), Vec::new())).into_response())
        }
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
