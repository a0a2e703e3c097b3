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
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use std::sync::{Arc, OnceLock};

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

/// The signed-in caller of an API endpoint (401 problem+json otherwise).
pub struct ApiUser(pub Principal);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Self(viewer(parts, state).await?))
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
