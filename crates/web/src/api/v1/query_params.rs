//! Query parameters an operation does not declare in the OpenAPI document are refused, as
//! an unknown JSON field is: 400 problem+json naming every one ("is not a parameter of this
//! operation"), before the operation runs. A misspelt filter (`?stauts=active`) is thereby
//! an error, not a silently unfiltered answer. The values of declared parameters are judged
//! by the operation once the names are right.
//!
//! The declared names come from the document itself ([`super::openapi::document`]), so the
//! rule and the description cannot drift apart, and no handler can forget it.

use super::openapi::document;
use crate::error::ApiError;
use app::AppError;
use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

/// The reason an undeclared parameter is refused with.
pub const UNDECLARED: &str = "is not a parameter of this operation";

/// `(method, path)` → the query parameters the operation declares (paths as the document
/// writes them, without the `/api/v1` server prefix).
fn declared() -> &'static HashMap<(String, String), BTreeSet<String>> {
    static TABLE: LazyLock<HashMap<(String, String), BTreeSet<String>>> = LazyLock::new(|| {
        let doc = serde_json::to_value(document()).unwrap_or_default();
        let mut table = HashMap::new();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            let shared = query_names(&item["parameters"]);
            for (method, op) in item.as_object().into_iter().flatten() {
                if op.is_object() && method != "parameters" {
                    let mut names = shared.clone();
                    names.extend(query_names(&op["parameters"]));
                    table.insert((method.to_uppercase(), path.clone()), names);
                }
            }
        }
        table
    });
    &TABLE
}

fn query_names(parameters: &serde_json::Value) -> BTreeSet<String> {
    let all = parameters.as_array().into_iter().flatten();
    all.filter(|p| p["in"] == "query").filter_map(|p| p["name"].as_str().map(str::to_owned)).collect()
}

/// The middleware of `/api/v1` routes (it needs the matched route).
pub async fn refuse_undeclared(req: Request, next: Next) -> Response {
    let query = req.uri().query().unwrap_or("");
    let Some(route) = req.extensions().get::<MatchedPath>() else { return next.run(req).await };
    let path = route.as_str().strip_prefix("/api/v1").unwrap_or(route.as_str());
    let Some(known) = declared().get(&(req.method().to_string(), path.to_owned())) else {
        return next.run(req).await;
    };
    let mut undeclared: Vec<(String, String)> = Vec::new();
    for (key, _) in url::form_urlencoded::parse(query.as_bytes()) {
        if !known.contains(key.as_ref()) && undeclared.iter().all(|(k, _)| *k != key) {
            undeclared.push((key.into_owned(), UNDECLARED.to_owned()));
        }
    }
    if undeclared.is_empty() {
        return next.run(req).await;
    }
    let e = AppError::all_of(undeclared).err().unwrap_or_else(|| AppError::invalid("query", UNDECLARED));
    ApiError::from(e).into_response()
}
