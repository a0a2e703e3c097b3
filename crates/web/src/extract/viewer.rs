//! Who is calling: the session cookie resolved to a [`Principal`], once per request.
//!
//! The first extractor that needs the viewer ([`ApiUser`], [`PageUser`], the CSRF form)
//! authenticates and keeps the result in the request's extensions, so the rest reuse it;
//! it also fills the pages layer's [`ViewerSlot`], so an error page keeps the navigation.

use super::encode_component;
use crate::client_ip::ClientIp;
use crate::cookie::SESSION_COOKIE;
use crate::error::{ApiError, PageError};
use crate::state::AppState;
use app::AppError;
use app::authz::Principal;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

/// Where the pages layer finds the signed-in viewer once the handler has run.
#[derive(Debug, Clone, Default)]
pub struct ViewerSlot(Arc<OnceLock<Principal>>);

impl ViewerSlot {
    pub fn get(&self) -> Option<&Principal> {
        self.0.get()
    }
}

pub(crate) fn client_ip(parts: &Parts) -> String {
    parts.extensions.get::<ClientIp>().map_or_else(String::new, |ClientIp(ip)| ip.to_string())
}

/// The request's signed-in viewer, authenticated at most once per request.
pub(crate) async fn viewer(parts: &mut Parts, state: &AppState) -> Result<Principal, AppError> {
    if let Some(p) = parts.extensions.get::<Principal>() {
        return Ok(p.clone());
    }
    let jar = CookieJar::from_headers(&parts.headers);
    let token = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()).ok_or(AppError::Unauthenticated)?;
    let p = app::auth::authenticate(&state.ctx, &token, &client_ip(parts)).await?;
    if let Some(slot) = parts.extensions.get::<ViewerSlot>() {
        let _ = slot.0.set(p.clone());
    }
    parts.extensions.insert(p.clone());
    Ok(p)
}

/// A page's answer when the viewer cannot be resolved: the login page (coming back here
/// afterwards) for a missing or ended session, the error page otherwise.
pub(crate) fn refuse_page_viewer(parts: &Parts, e: AppError) -> Response {
    match e {
        AppError::Unauthenticated => {
            let next = parts.uri.path_and_query().map_or("/", |p| p.as_str());
            Redirect::to(&format!("/login?next={}", encode_component(next))).into_response()
        }
        other => PageError::from(other).into_response(),
    }
}

/// The secret of `Authorization: Bearer <secret>` (the scheme in any case, RFC 9110
/// §11.1), if the request presents one — also a malformed one (no secret, a tab, bytes that
/// are not text), which must get the same `invalid_token` answer as any refused token
/// rather than fall back to the cookie. Other schemes are not ours and are ignored.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.as_bytes();
    let (scheme, rest) = value.split_at_checked(6)?;
    let separated = rest.first().is_none_or(u8::is_ascii_whitespace);
    (scheme.eq_ignore_ascii_case(b"bearer") && separated).then(|| String::from_utf8_lossy(rest).trim().to_owned())
}

/// The one answer to every refused bearer token — malformed, unknown, expired, revoked,
/// its creator unable to sign in — so none tells whether the token existed (RFC 6750 §3).
fn invalid_token() -> Response {
    let mut res =
        ApiError::unauthorized("the API token is not valid: it is unknown, expired or revoked").into_response();
    res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer error=\"invalid_token\""));
    res
}

/// The caller of an API endpoint: an API token (`Authorization: Bearer`, rate-limited per
/// token) or else the session cookie. 401 problem+json otherwise; a refused token's 401
/// carries `WWW-Authenticate: Bearer error="invalid_token"`; over the token's rate 429
/// with `Retry-After`.
pub struct ApiUser(pub Principal);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(p) = parts.extensions.get::<Principal>() {
            return Ok(Self(p.clone()));
        }
        let Some(secret) = bearer(&parts.headers) else {
            return viewer(parts, state).await.map(Self).map_err(|e| ApiError::from(e).into_response());
        };
        let p = match app::api_tokens::authenticate(&state.ctx, &secret, &client_ip(parts)).await {
            Ok(p) => p,
            Err(AppError::Unauthenticated) => return Err(invalid_token()),
            Err(e) => return Err(ApiError::from(e).into_response()),
        };
        if let Some(token) = &p.api_token
            && let Err(wait) = state.token_limiter.check(token.id.0, Instant::now())
        {
            let detail = format!("too many requests with this API token; try again in {wait} seconds");
            let mut res = ApiError::too_many(&detail).into_response();
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait.max(1)));
            return Err(res);
        }
        parts.extensions.insert(p.clone());
        Ok(Self(p))
    }
}

/// The caller of a self-service endpoint (`/me/…` but `GET /me`): a person's own session.
/// As [`ApiUser`], plus 403 problem+json for an API token ([`app::authz::self_service`]).
pub struct OwnSession(pub Principal);

impl FromRequestParts<AppState> for OwnSession {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ApiUser(p) = ApiUser::from_request_parts(parts, state).await?;
        app::authz::self_service(&p).map_err(|e| ApiError::from(e).into_response())?;
        Ok(Self(p))
    }
}

/// The signed-in viewer of a page; others are sent to the login page and come back.
pub struct PageUser(pub Principal);

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        viewer(parts, state).await.map(Self).map_err(|e| refuse_page_viewer(parts, e))
    }
}
