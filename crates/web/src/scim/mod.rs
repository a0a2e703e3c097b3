//! `/scim/v2` (RFC 7644): SCIM 2.0 for identity providers (Okta, Microsoft Entra ID).
//!
//! Callers present an API token holding `scim` (`Authorization: Bearer`, the API's
//! extractor: same rate limit, same audit naming of the token). Every answer is
//! `application/scim+json`; every refusal a SCIM error (§3.12) — also those of the layers
//! before the handlers (401, 403, 404, 413, 429, 503), whose problem+json bodies
//! [`scim_errors`] rewrites.

mod discovery;
mod groups;
mod path;
mod reply;
mod resource;
mod users;

use crate::routes::Routes;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
pub(crate) use reply::scim_error;

/// The prefix SCIM is served under.
pub const PREFIX: &str = "/scim/v2";

/// The media type of every SCIM body (RFC 7644 §3.1).
pub const MEDIA_TYPE: &str = "application/scim+json";

pub fn routes() -> Routes {
    Routes::new()
        .merge(discovery::routes())
        .merge(resource::routes::<app::scim::users::ScimUser>())
        .merge(resource::routes::<app::scim::groups::ScimGroup>())
        .fallback(|| async { scim_error(404, None, "no such SCIM endpoint") })
}

/// Rewrites a problem+json refusal of a `/scim/…` request into a SCIM error body with the
/// same status and headers (`WWW-Authenticate`, `Retry-After` stay).
pub async fn scim_errors(req: Request, next: Next) -> Response {
    let scim = req.uri().path().starts_with("/scim/");
    let res = next.run(req).await;
    let problem =
        res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    // An error answered with no body of its own (the router's 405, the timeout's 408).
    let bare = (res.status().is_client_error() || res.status().is_server_error())
        && !res.headers().contains_key(header::CONTENT_TYPE);
    if !scim || !(problem || bare) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    let problem = serde_json::from_slice::<serde_json::Value>(&bytes).unwrap_or_default();
    // Every refused field, `name: reason` each (SCIM's error has one `detail` string).
    let fields: Vec<String> = problem["invalid_params"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some(format!("{}: {}", p["name"].as_str()?, p["reason"].as_str()?)))
        .collect();
    let detail = match (fields.is_empty(), problem["detail"].as_str()) {
        (false, _) => fields.join("; "),
        (true, Some(detail)) => detail.to_owned(),
        (true, None) => parts.status.canonical_reason().unwrap_or("Error").to_owned(),
    };
    let scim_type = (parts.status.as_u16() == 400).then_some("invalidValue");
    let body = reply::error_body(parts.status.as_u16(), scim_type, &detail);
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}
