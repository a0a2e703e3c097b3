//! Oversized request bodies get one answer on every route: 413 Payload Too Large as
//! problem+json (an HTML page for browsers that ask for one), never a 400 or a plain-text
//! 413.
//!
//! Two places refuse a body: this middleware, when `Content-Length` alone says the body is
//! larger than any route accepts (nothing is read), and each route's extractor, which stops
//! reading at the route's limit (axum's `DefaultBodyLimit`: 2 MB unless a route sets more).
//! The extractors' own 413s are plain text; this middleware rewrites them, so a new route or
//! extractor cannot bring the plain answer back.

use crate::error::ApiError;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Largest CSV file the invite page accepts.
pub const CSV_FILE: usize = 5 * 1024 * 1024;
/// Request body limit of the invite page: the file plus the other fields.
pub const CSV_UPLOAD: usize = CSV_FILE + 256 * 1024;
/// The largest body any route accepts; a declared length above it is refused unread.
pub const LARGEST_BODY: usize = CSV_UPLOAD;

/// Refuses bodies declared larger than [`LARGEST_BODY`], and turns every other 413 into
/// problem+json (or HTML for browsers).
pub async fn refuse_oversized(req: Request, next: Next) -> Response {
    let wants_html = wants_html(req.headers());
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > LARGEST_BODY as u64) {
        return too_large(wants_html);
    }
    let res = next.run(req).await;
    if res.status() != StatusCode::PAYLOAD_TOO_LARGE || is_ours(res.headers()) {
        return res;
    }
    too_large(wants_html)
}

fn too_large(html: bool) -> Response {
    const TEXT: &str = "The request body is larger than this address accepts (at most 2 MB for forms, JSON and \
                        pictures, 5 MB for CSV files).";
    if html {
        crate::pages::message(StatusCode::PAYLOAD_TOO_LARGE, None, "Too large", TEXT)
    } else {
        ApiError::too_large(TEXT).into_response()
    }
}

/// A response already in our format (problem+json or a rendered page).
fn is_ours(h: &HeaderMap) -> bool {
    h.get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/problem+json") || ct.starts_with("text/html"))
}

/// Browsers navigating or submitting a form ask for HTML first.
fn wants_html(h: &HeaderMap) -> bool {
    h.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"))
}
