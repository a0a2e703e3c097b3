//! Single sign-on's pages: `/sso/start` sends the browser to the account's OpenID provider,
//! `/sso/callback` (the redirect URI registered there) completes the sign-in — a session
//! cookie and the page the sign-in started from, or a page saying what went wrong and what
//! to do (never a session, never a 500 for the provider's faults).

use crate::cookie::{SSO_STATE_COOKIE, session_cookie, sso_state_cookie};
use crate::error::PageError;
use crate::extract::{ClientInfo, parse_query};
use crate::pages::message;
use crate::redirect::same_origin_path_or_home;
use crate::routes::{Routes, get};
use crate::state::AppState;
use app::sso::SsoFailure;
use app::sso::sign_in::Callback;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

pub fn routes() -> Routes {
    let limited = axum::middleware::from_fn(crate::rate_limit::limit_logins);
    Routes::new()
        .route("/sso/start", get(start).layer(limited.clone()).public())
        .route(app::sso::settings::CALLBACK_PATH, get(callback).layer(limited).public())
}

#[derive(Deserialize, Default)]
struct StartQuery {
    account: Option<String>,
    next: Option<String>,
}

async fn start(State(state): State<AppState>, jar: CookieJar, RawQuery(raw): RawQuery) -> Result<Response, PageError> {
    let q: StartQuery = parse_query(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let next = same_origin_path_or_home(q.next.as_deref());
    let Some(entry) = app::sso::sign_in::entry(&state.ctx, q.account.as_deref()).await? else {
        return Ok(failure(&SsoFailure::NotEnabled));
    };
    match app::sso::sign_in::begin(&state.ctx, entry.account, &next, &state.public_url).await {
        Ok(url) => {
            // The state travels in the provider's URL; the browser keeps a copy to prove at the
            // callback that it started this sign-in.
            let sign_in_state = url::Url::parse(&url)
                .ok()
                .and_then(|u| u.query_pairs().find(|(k, _)| k == "state").map(|(_, v)| v.into_owned()))
                .unwrap_or_default();
            let cookie = sso_state_cookie(sign_in_state, state.secure, app::sso::settings::CALLBACK_PATH);
            Ok((jar.add(cookie), Redirect::to(&url)).into_response())
        }
        Err(SsoFailure::Internal(e)) => Err(e.into()),
        Err(f) => Ok(failure(&f)),
    }
}

#[derive(Deserialize, Default)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

async fn callback(
    State(state): State<AppState>,
    jar: CookieJar,
    client: ClientInfo,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q: CallbackQuery = parse_query(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let cb = Callback {
        code: q.code,
        state: q.state,
        // Only the browser that started the sign-in may finish it (its cookie holds the state).
        state_cookie: jar.get(SSO_STATE_COOKIE).map(|c| c.value().to_owned()),
        error: q.error,
        error_description: q.error_description,
        ip: client.ip,
        user_agent: client.user_agent,
        public_url: state.public_url.clone(),
    };
    match app::sso::sign_in::complete(&state.ctx, &cb).await {
        Ok(done) => {
            let next = same_origin_path_or_home(Some(&done.next));
            Ok((jar.add(session_cookie(done.outcome.token, state.secure)), Redirect::to(&next)).into_response())
        }
        Err(SsoFailure::Internal(e)) => Err(e.into()),
        Err(f) => Ok(failure(&f)),
    }
}

/// The page of a refused sign-in: its status says whose fault it is (502 the provider's,
/// 403 the user's standing, 409 an account without SSO, 400 the sign-in itself).
fn failure(f: &SsoFailure) -> Response {
    let status = match f {
        SsoFailure::Unreachable(_) | SsoFailure::ProviderError(_) => StatusCode::BAD_GATEWAY,
        SsoFailure::Suspended | SsoFailure::Locked { .. } | SsoFailure::Deleted | SsoFailure::Unknown { .. } => {
            StatusCode::FORBIDDEN
        }
        SsoFailure::NotEnabled => StatusCode::CONFLICT,
        _ => StatusCode::BAD_REQUEST,
    };
    message(status, None, f.heading(), &f.message())
}
