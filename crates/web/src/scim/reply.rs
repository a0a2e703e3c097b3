//! SCIM answers: resources and lists as `application/scim+json` with their `ETag`, and
//! refusals as SCIM errors (RFC 7644 §3.12: `schemas`, `status` as a string, `scimType`
//! where the RFC defines one, `detail`).

use super::MEDIA_TYPE;
use crate::error::ApiError;
use app::scim::ScimFail;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::scim::{ERROR_SCHEMA, ScimError};
use serde_json::{Value, json};

/// The JSON of a SCIM error.
pub(crate) fn error_body(status: u16, scim_type: Option<&str>, detail: &str) -> Vec<u8> {
    let mut body = json!({"schemas": [ERROR_SCHEMA], "status": status.to_string(), "detail": detail});
    if let Some(t) = scim_type {
        body["scimType"] = json!(t);
    }
    serde_json::to_vec(&body).unwrap_or_default()
}

/// A SCIM error response.
pub(crate) fn scim_error(status: u16, scim_type: Option<&str>, detail: &str) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (code, [(header::CONTENT_TYPE, MEDIA_TYPE)], error_body(status, scim_type, detail)).into_response()
}

/// A handler's refusal.
pub(crate) struct ScimReply(pub ScimFail);

impl<E: Into<ScimFail>> From<E> for ScimReply {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for ScimReply {
    fn into_response(self) -> Response {
        match self.0 {
            ScimFail::Scim(ScimError { status, scim_type, detail }) => scim_error(status, scim_type, &detail),
            // The API's problem (its status and wording, internal errors logged and hidden),
            // rewritten as a SCIM error by `scim_errors`.
            ScimFail::App(e) => ApiError::from(e).into_response(),
        }
    }
}

/// `status` with `body` as SCIM JSON, and `ETag` when given (RFC 7644 §3.14).
pub(crate) fn resource(status: StatusCode, body: &Value, etag: Option<String>, location: Option<&str>) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE));
    if let Some(tag) = etag.and_then(|t| HeaderValue::from_str(&t).ok()) {
        headers.insert(header::ETAG, tag);
    }
    if let Some(loc) = location.and_then(|l| HeaderValue::from_str(l).ok()) {
        headers.insert(header::LOCATION, loc);
    }
    (status, headers, serde_json::to_vec(body).unwrap_or_default()).into_response()
}

/// The version an `If-Match` header names: `None` without the header or for `*`.
pub(crate) fn if_match(headers: &HeaderMap) -> Result<Option<i64>, ScimReply> {
    match headers.get(header::IF_MATCH) {
        None => Ok(None),
        Some(v) => Ok(app::scim::if_match_version(v.to_str().unwrap_or(""))?),
    }
}

/// A request body as JSON (`application/scim+json` or `application/json`). 400
/// `invalidSyntax` for anything else.
pub(crate) fn body_json(bytes: &[u8]) -> Result<Value, ScimReply> {
    serde_json::from_slice(bytes).map_err(|e| {
        ScimReply(ScimFail::Scim(ScimError::bad_request("invalidSyntax", format!("the body is not JSON: {e}"))))
    })
}

/// The query parameters of a SCIM read (RFC 7644 §3.4.2, §3.9), as given.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ReadParams {
    pub filter: Option<String>,
    #[serde(rename = "sortBy")]
    pub sort_by: Option<String>,
    #[serde(rename = "sortOrder")]
    pub sort_order: Option<String>,
    #[serde(rename = "startIndex")]
    pub start_index: Option<String>,
    pub count: Option<String>,
    pub attributes: Option<String>,
    #[serde(rename = "excludedAttributes")]
    pub excluded_attributes: Option<String>,
}

fn number(name: &str, raw: Option<&str>) -> Result<Option<i64>, ScimReply> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .map(Some)
            .map_err(|_| ScimReply(ScimFail::Scim(ScimError::invalid_value(format!("{name} must be an integer"))))),
    }
}

impl ReadParams {
    /// The query part for the use cases. 400 `invalidValue` for a non-integer
    /// `startIndex` or `count`.
    pub(crate) fn query(&self) -> Result<app::scim::users::Query, ScimReply> {
        Ok(app::scim::users::Query {
            filter: self.filter.clone(),
            sort_by: self.sort_by.clone(),
            sort_order: self.sort_order.clone(),
            start_index: number("startIndex", self.start_index.as_deref())?,
            count: number("count", self.count.as_deref())?,
        })
    }

    /// Applies `attributes` / `excludedAttributes` to a resource.
    pub(crate) fn project(&self, mut doc: Value, core_schema: &str) -> Value {
        use domain::scim::projection::{paths, project};
        if let Some(obj) = doc.as_object_mut() {
            project(obj, &paths(self.attributes.as_deref()), &paths(self.excluded_attributes.as_deref()), core_schema);
        }
        doc
    }
}

/// A list response (RFC 7644 §3.4.2).
pub(crate) fn list(total: i64, start_index: u64, resources: &[Value]) -> Response {
    let body = json!({
        "schemas": [domain::scim::LIST_SCHEMA],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    });
    resource(StatusCode::OK, &body, None, None)
}
