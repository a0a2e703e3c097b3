//! Cross-site request forgery defence, in two parts:
//! 1. this middleware refuses state-changing requests that a browser marks as cross-site
//!    (`Sec-Fetch-Site`) or that come from another origin (`Origin`); scripts and curl send
//!    neither header and pass;
//! 2. every form of a signed-in page carries the session's CSRF token, checked by
//!    [`check_form_token`] (the token lives in the session row, so it holds on every instance).

use crate::error::ApiError;
use axum::extract::Request;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn reject_cross_site(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) || is_same_site(&req) {
        next.run(req).await
    } else {
        ApiError::forbidden("cross-site request refused (CSRF protection)").into_response()
    }
}

fn is_same_site(req: &Request) -> bool {
    let h = req.headers();
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = h.get(header::ORIGIN) else { return true };
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let origin = origin.to_str().unwrap_or_default();
    let origin_host = origin.split_once("://").map_or("", |(_, rest)| rest);
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

/// Whether a submitted form token matches the session's.
pub fn check_form_token(expected: &str, submitted: &str) -> bool {
    // Constant-time enough: both are fixed-length random strings compared bytewise in full.
    expected.len() == submitted.len()
        && expected.bytes().zip(submitted.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}
