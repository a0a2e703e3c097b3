//! `POST /auth/login`, `POST /auth/logout`.
//!
//! When one email and password open users in several accounts, the sign-in answers 409
//! with `accounts` (`[{"slug","name"}]`, only the accounts the password was proven for) and
//! the client repeats it with `"account": slug`.

use super::me::MeUser;
use crate::cookie::{cleared_cookie, session_cookie};
use crate::error::ApiError;
use crate::error::ApiError as Problem;
use crate::extract::{AppJson, ClientInfo, OwnSession};
use crate::routes::{Routes, post};
use crate::state::AppState;
use app::auth::Login;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use domain::ids::SessionId;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

pub fn routes() -> Routes {
    let limited = axum::middleware::from_fn(crate::rate_limit::limit_logins);
    Routes::new().route("/auth/login", post(login).layer(limited).public()).route("/auth/logout", post(logout))
}

/// A sign-in: `account` (a slug) chooses among the accounts one email and password open.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    email: String,
    #[schema(format = Password)]
    password: String,
    account: Option<String>,
}

/// The new session (its cookie is set) and who it belongs to.
#[derive(Serialize, ToSchema)]
pub struct LoginAnswer {
    session_id: SessionId,
    user: MeUser,
}

/// A 409 of the sign-in: the accounts the password was proven for.
#[derive(Serialize, ToSchema)]
pub struct ChooseAccount {
    #[serde(flatten)]
    problem: crate::error::ApiError,
    accounts: Vec<AccountChoiceJson>,
}

/// An account to choose at sign-in.
#[derive(Serialize, ToSchema)]
pub struct AccountChoiceJson {
    slug: String,
    name: String,
}

#[utoipa::path(post, path = "/auth/login", tag = "auth", security(()), request_body = LoginBody,
    responses(
        (status = 200, description = "Signed in: the session cookie is set.", body = LoginAnswer,
            headers(("Set-Cookie" = String, description = "The session cookie."))),
        (status = 401, description = "Wrong email or password (or the user cannot sign in).", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The email and password open users in several accounts: repeat with `account`.", body = ChooseAccount, content_type = "application/problem+json"),
    ))]
pub(super) async fn login(
    State(state): State<AppState>,
    jar: CookieJar,
    client: ClientInfo,
    AppJson(body): AppJson<LoginBody>,
) -> Result<Response, ApiError> {
    let body = body.complete()?;
    let req = app::auth::LoginRequest {
        email: body.email,
        password: body.password,
        account: body.account,
        ip: client.ip,
        user_agent: client.user_agent,
    };
    let outcome = match app::auth::login(&state.ctx, req).await? {
        Login::Opened(outcome) => outcome,
        Login::ChooseAccount(accounts) => {
            let detail = "this email and password open users in several accounts: repeat the sign-in with \
                          \"account\" set to the slug of one of them";
            return Err(ApiError::conflict_with(detail, "accounts", json!(accounts)));
        }
    };
    let me = app::auth::authenticate(&state.ctx, &outcome.token, "").await?;
    let jar = jar.add(session_cookie(outcome.token, state.secure));
    let body = LoginAnswer { session_id: outcome.session_id, user: (&me).into() };
    Ok((jar, Json(body)).into_response())
}

#[utoipa::path(post, path = "/auth/logout", tag = "auth", security(("session" = [])),
    responses((status = 204, description = "Signed out: the session ended and its cookie is cleared.")))]
pub(super) async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    OwnSession(me): OwnSession,
) -> Result<Response, ApiError> {
    app::auth::logout(&state.ctx, &me).await?;
    Ok((jar.add(cleared_cookie()), StatusCode::NO_CONTENT).into_response())
}
