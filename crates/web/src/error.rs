//! Errors as HTTP: one status table for every `AppError`, rendered as RFC 9457
//! problem+json for the API ([`ApiError`]) and as the error page for pages ([`PageError`]).
//!
//! A page error travels to the pages layer in a response extension ([`PageFailure`]); the
//! layer renders it with the viewer's navigation (axum's `error-handling` example), so no
//! handler builds an error page by hand.

use app::AppError;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::sync::Arc;

/// The status for each kind of failure: the one table.
pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Invalid { .. } | AppError::InvalidFields(_) => StatusCode::BAD_REQUEST,
        AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) | AppError::FieldForbidden { .. } | AppError::ForbiddenFields(_) => {
            StatusCode::FORBIDDEN
        }
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Gone(_) => StatusCode::GONE,
        AppError::Stale(_) => StatusCode::PRECONDITION_FAILED,
        AppError::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
        AppError::Store(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A field or parameter that was refused, and why.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InvalidParam {
    pub name: String,
    pub reason: String,
}

/// An `application/problem+json` response (RFC 9457): `invalid_params` names every refused
/// field of a 400, each with its reason.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Problem)]
pub struct ApiError {
    /// Always `about:blank` (the status says what happened).
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    kind: &'static str,
    /// The status's reason phrase.
    #[schema(value_type = String)]
    title: &'static str,
    /// The HTTP status code.
    status: u16,
    /// What went wrong, for a person.
    detail: String,
    /// Every refused field or parameter (a 400, or a 403 refusing fields).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    invalid_params: Vec<InvalidParam>,
    /// Extension members (RFC 9457 §3.2) particular to one kind of problem.
    #[serde(flatten)]
    #[schema(ignore)]
    extensions: serde_json::Map<String, serde_json::Value>,
}

impl ApiError {
    fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: detail.into(),
            invalid_params: Vec::new(),
            extensions: serde_json::Map::new(),
        }
    }

    /// 409 with an extension member `name` (RFC 9457 §3.2).
    pub fn conflict_with(detail: &str, name: &str, value: serde_json::Value) -> Self {
        let mut p = Self::new(StatusCode::CONFLICT, detail);
        p.extensions.insert(name.to_owned(), value);
        p
    }

    pub fn forbidden(detail: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, detail)
    }

    pub fn too_many(detail: &str) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, detail)
    }

    /// 401 with a reason of our own (not a session).
    pub fn unauthorized(detail: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, detail)
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

    /// What went wrong, for a person.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    pub fn invalid(name: &str, reason: &str) -> Self {
        AppError::invalid(name, reason).into()
    }

    /// 400 naming every field in `missing`, each refused for `reason`.
    pub fn missing(missing: Vec<String>, reason: &str) -> Self {
        let mut p = Self::new(StatusCode::BAD_REQUEST, format!("missing {}: {reason}", missing.join(", ")));
        p.invalid_params = missing.into_iter().map(|name| InvalidParam { name, reason: reason.to_owned() }).collect();
        p
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
            AppError::InvalidFields(fields) | AppError::ForbiddenFields(fields) => {
                let names: Vec<&str> = fields.iter().map(|(f, _)| f.as_str()).collect();
                let what = if status == StatusCode::FORBIDDEN { "not yours to set:" } else { "invalid" };
                let mut p = Self::new(status, format!("{what} {}", names.join(", ")));
                p.invalid_params = fields.into_iter().map(|(name, reason)| InvalidParam { name, reason }).collect();
                p
            }
            AppError::Unauthenticated => {
                Self::new(status, "sign in first: wrong or missing credentials, or the session has ended")
            }
            AppError::NotFound(what) => Self::new(status, format!("no such {}", what.noun())),
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

/// The error of a page handler: handlers return `Result<_, PageError>` and use `?`. Its
/// response is the error page (status from [`status_of`]); the pages layer re-renders it
/// with the navigation of the signed-in viewer.
#[derive(Debug)]
pub struct PageError {
    pub error: AppError,
    /// The heading of a single-use link page's refusal (used, expired: 410).
    pub link_heading: Option<&'static str>,
}

/// What a refused page form says when its CSRF token is not the session's.
pub const EXPIRED_FORM: &str = "This form has expired. Reload the page and try again.";

impl PageError {
    /// A refusal of a single-use link page: a used or expired link (410) is shown under
    /// `heading`; other errors as usual.
    pub fn link(heading: &'static str, error: AppError) -> Self {
        Self { error, link_heading: Some(heading) }
    }

    /// A form whose CSRF token is missing or not the session's (403).
    pub fn expired_form() -> Self {
        AppError::Forbidden(EXPIRED_FORM.into()).into()
    }

    pub fn status(&self) -> StatusCode {
        status_of(&self.error)
    }
}

impl From<AppError> for PageError {
    fn from(error: AppError) -> Self {
        Self { error, link_heading: None }
    }
}

/// A page failure on its way to the pages layer (a response extension).
#[derive(Debug, Clone)]
pub struct PageFailure(pub Arc<PageError>);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if matches!(self.error, AppError::Store(_) | AppError::Internal(_)) {
            // The cause goes to the log (once); the page says only that it failed.
            tracing::error!(error = %self.error, "page failed");
        }
        let failure = PageFailure(Arc::new(self));
        // Without the pages layer (which adds the navigation) this is the page as it stays.
        let mut res = crate::pages::failure_page(&failure.0, None);
        res.extensions_mut().insert(failure);
        res
    }
}
