//! Errors as HTTP: one status table for every `AppError`, rendered as RFC 9457
//! problem+json for the API. Pages render the same statuses as HTML (see `pages::error`).

use app::AppError;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The status for each kind of failure: the one table.
pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Invalid { .. } => StatusCode::BAD_REQUEST,
        AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Gone(_) => StatusCode::GONE,
        AppError::Stale(_) => StatusCode::PRECONDITION_FAILED,
        AppError::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
        AppError::Store(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A field or parameter that was refused, and why.
#[derive(Debug, Serialize)]
pub struct InvalidParam {
    pub name: String,
    pub reason: String,
}

/// An `application/problem+json` response.
#[derive(Debug, Serialize)]
pub struct ApiError {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
    status: u16,
    detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    invalid_params: Vec<InvalidParam>,
}

impl ApiError {
    fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: detail.into(),
            invalid_params: Vec::new(),
        }
    }

    pub fn forbidden(detail: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, detail)
    }

    pub fn too_many(detail: &str) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, detail)
    }

    /// 413: the request body is larger than the route accepts.
    pub fn too_large(detail: &str) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, detail)
    }

    /// 503: the process cannot serve this yet (starting) or its database is unavailable.
    pub fn unavailable(detail: &str) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, detail)
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "no such resource")
    }

    pub fn invalid(name: &str, reason: &str) -> Self {
        AppError::invalid(name, reason).into()
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let status = status_of(&e);
        match e {
            AppError::Invalid { field, message } => {
                let mut p = Self::new(status, format!("{field}: {message}"));
                p.invalid_params.push(InvalidParam { name: field, reason: message });
                p
            }
            AppError::Unauthenticated => {
                Self::new(status, "sign in first: wrong or missing credentials, or the session has ended")
            }
            AppError::NotFound => Self::not_found(),
            AppError::Store(_) | AppError::Internal(_) => {
                // The cause goes to the log; the client sees an opaque body.
                tracing::error!(error = %e, "request failed");
                Self::new(status, "internal error; see the server log")
            }
            other => Self::new(status, other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        (status, [(header::CONTENT_TYPE, "application/problem+json")], body).into_response()
    }
}
