//! `POST /auth/login`, `POST /auth/logout`.
//!
//! When one email and password open users in several accounts, the sign-in answers 409
//! with `accounts` (`[{"slug","name"}]`, only the accounts the password was proven for) and
//! the client repeats it with `"account": slug`.

use crate::cookie::{cleared_cookie, session_cookie};
use crate::error::ApiError;
use crate::extract::{AppJson, ClientInfo, OwnSession};
use crate::routes::{Routes, post};
use crate::state::AppState;
use app::auth::Login;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> Routes {
    let limited = axum::middleware::from_fn(crate::rate_limit::limit_logins);
    Routes::new().route("/auth/login", post(login).layer(limited).public()).route("/auth/logout", post(logout))
}

#[derive(Deserialize)]
struct LoginBody {
    email: String,
    password: String,
    account: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    jar: CookieJar,
    client: ClientInfo,
    AppJson(body): AppJson<LoginBody>,
) -> Result<Response, ApiError> {
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
    let body = json!({
        "session_id": outcome.session_id,
        "user": super::me::user_json(&me),
    });
    Ok((jar, Json(body)).into_response())
}

async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    OwnSession(me): OwnSession,
) -> Result<Response, ApiError> {
    app::auth::logout(&state.ctx, &me).await?;
    Ok((jar.add(cleared_cookie()), StatusCode::NO_CONTENT).into_response())
}
