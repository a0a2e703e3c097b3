//! The one gate every text input passes before any handler runs, whatever route it is
//! for: path segments, query parameters, JSON bodies (every string and key, at any depth)
//! and URL-encoded forms. Each value is checked by [`domain::text::problem`] (no NUL, no
//! control characters, no invisible formatting characters) and for length; the first bad
//! value is answered with 400 naming it (`q`, `emails[2]`, `invitations[0].first_name`) —
//! problem+json under `/api`, an error page elsewhere. Text that is not valid UTF-8 after
//! percent-decoding, and JSON with a lone surrogate escape, are refused the same way.
//!
//! Handlers and domain types then apply each field's own rules (one line, 100 characters
//! for a name, …); this gate guarantees that no raw control or invisible character, and no
//! unbounded string, reaches a use case or the database from any route.

use crate::error::ApiError;
use crate::extract::decode;
use app::AppError;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::text::{Lines, problem};
use serde_json::Value;

/// Longest single value (query parameter, path segment, JSON string) in characters. Fields
/// have smaller limits of their own; pasted lists in forms may be longer (see [`check_form`]).
pub const MAX_VALUE_CHARS: usize = 4096;

/// Largest JSON or form body read for checking: the largest any route accepts (larger
/// ones are refused with 413, like everywhere else).
const MAX_CHECKED_BODY: usize = crate::body_limit::LARGEST_BODY;

/// axum's `DefaultBodyLimit`: what every route but the CSV upload accepts.
const DEFAULT_ROUTE_LIMIT: usize = 2 * 1024 * 1024;

/// The first refused value: its name and why.
struct Refusal {
    field: String,
    reason: String,
}

fn refuse(field: impl Into<String>, reason: impl Into<String>) -> Refusal {
    Refusal { field: field.into(), reason: reason.into() }
}

/// The middleware: checks the request's text and passes it on unchanged, or answers 400.
pub async fn reject_unsafe_text(req: Request, next: Next) -> Response {
    let api = crate::routes::is_api_path(req.uri().path());
    let answer = |r: Refusal| -> Response {
        let e = AppError::invalid(r.field, r.reason);
        if api { ApiError::from(e).into_response() } else { crate::pages::failure_page(&e.into(), None) }
    };
    if let Err(r) = check_path(req.uri().path()) {
        return answer(r);
    }
    if let Err(r) = check_query(req.uri().query().unwrap_or("")) {
        return answer(r);
    }
    let kind = body_kind(&req);
    if kind == BodyKind::Other {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_CHECKED_BODY).await else {
        // `body_limit` turns this into its one 413 answer.
        return axum::http::StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    // Over the default route limit: the route's own limit refuses it (413), or, for the one
    // route that takes more (the invite page's CSV), its rows are parsed into domain types.
    if bytes.len() > DEFAULT_ROUTE_LIMIT {
        return next.run(Request::from_parts(parts, Body::from(bytes))).await;
    }
    let checked = match kind {
        BodyKind::Json => check_json(&bytes),
        _ => check_form(&bytes),
    };
    if let Err(r) = checked {
        return answer(r);
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

#[derive(PartialEq, Eq)]
enum BodyKind {
    Json,
    Form,
    Other,
}

fn body_kind(req: &Request) -> BodyKind {
    let kind = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let essence = kind.split(';').next().unwrap_or("").trim();
    if essence == "application/json" || essence.ends_with("+json") {
        BodyKind::Json
    } else if essence == "application/x-www-form-urlencoded" {
        BodyKind::Form
    } else {
        BodyKind::Other
    }
}

/// One value: the shared text rule and the length cap.
fn check_value(field: &str, value: &str, lines: Lines, max_chars: usize) -> Result<(), Refusal> {
    if let Some(why) = problem(value, lines) {
        return Err(refuse(field, why));
    }
    if value.chars().count() > max_chars {
        return Err(refuse(field, format!("is longer than {max_chars} characters")));
    }
    Ok(())
}

fn check_path(path: &str) -> Result<(), Refusal> {
    for segment in path.split('/') {
        let text = decode(segment).map_err(|()| refuse("path", "is not valid UTF-8"))?;
        check_value("path", &text, Lines::One, MAX_VALUE_CHARS)?;
    }
    Ok(())
}

fn check_query(query: &str) -> Result<(), Refusal> {
    if query.len() > crate::extract::MAX_QUERY_BYTES {
        return Err(refuse("query", "is longer than 32 KiB"));
    }
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let key = decode(k).map_err(|()| refuse("query", "has a parameter name that is not valid UTF-8"))?;
        check_value("query", &key, Lines::One, MAX_VALUE_CHARS)?;
        let value = decode(v).map_err(|()| refuse(key.as_str(), "is not valid UTF-8"))?;
        check_value(&key, &value, Lines::One, MAX_VALUE_CHARS)?;
    }
    Ok(())
}

/// Form fields may hold pasted lists (one address per line), so line breaks are allowed and
/// only single-line values have the length cap.
fn check_form(body: &Bytes) -> Result<(), Refusal> {
    let text = std::str::from_utf8(body).map_err(|_| refuse("body", "is not valid UTF-8"))?;
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let key = decode(k).map_err(|()| refuse("body", "has a field name that is not valid UTF-8"))?;
        check_value("body", &key, Lines::One, MAX_VALUE_CHARS)?;
        let value = decode(v).map_err(|()| refuse(key.as_str(), "is not valid UTF-8"))?;
        let max = if value.contains('\n') { usize::MAX } else { MAX_VALUE_CHARS };
        check_value(&key, &value, Lines::Many, max)?;
    }
    Ok(())
}

/// A body that is not JSON at all is left to the handler's own error; JSON with a lone
/// surrogate escape (`"\ud800"`) is refused here, naming the body.
fn check_json(body: &Bytes) -> Result<(), Refusal> {
    match serde_json::from_slice::<Value>(body) {
        Ok(value) => walk(&value, ""),
        // serde_json: "lone leading surrogate in hex escape", "unexpected end of hex escape".
        Err(e) if e.to_string().contains("surrogate") || e.to_string().contains("hex escape") => {
            Err(refuse("body", format!("holds an invalid string: {e} (a lone UTF-16 surrogate)")))
        }
        Err(_) => Ok(()),
    }
}

fn walk(value: &Value, at: &str) -> Result<(), Refusal> {
    let name = |at: &str| if at.is_empty() { "body".to_owned() } else { at.to_owned() };
    match value {
        Value::String(s) => check_value(&name(at), s, Lines::Many, MAX_VALUE_CHARS),
        Value::Array(items) => items.iter().enumerate().try_for_each(|(i, v)| walk(v, &format!("{}[{i}]", name(at)))),
        Value::Object(map) => map.iter().try_for_each(|(k, v)| {
            let field = if at.is_empty() { k.clone() } else { format!("{at}.{k}") };
            check_value(&name(at), k, Lines::One, MAX_VALUE_CHARS)?;
            walk(v, &field)
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_field(body: &str) -> Option<String> {
        check_json(&Bytes::from(body.to_owned())).err().map(|r| r.field)
    }

    #[test]
    fn json_strings_are_named_by_their_path() {
        assert_eq!(json_field(r#"{"emails":["a@x.org","b\u0000@x.org"]}"#).as_deref(), Some("emails[1]"));
        assert_eq!(
            json_field(r#"{"invitations":[{"first_name":"\u200bAnn"}]}"#).as_deref(),
            Some("invitations[0].first_name")
        );
        assert_eq!(json_field(r#""\u202e""#).as_deref(), Some("body"));
        assert_eq!(json_field(r#"{"name":"\ud800"}"#).as_deref(), Some("body"));
        assert_eq!(json_field(r#"{"reason":"two\nlines","n":1}"#), None);
        assert_eq!(json_field("not json"), None, "left to the handler");
        let long = format!(r#"{{"q":"{}"}}"#, "x".repeat(MAX_VALUE_CHARS + 1));
        assert_eq!(json_field(&long).as_deref(), Some("q"));
    }

    #[test]
    fn query_values_are_one_line_and_named() {
        assert_eq!(check_query("q=ab%00cd").err().map(|r| r.field).as_deref(), Some("q"));
        assert_eq!(check_query("cursor=a%0Ab").err().map(|r| r.field).as_deref(), Some("cursor"));
        assert_eq!(check_query("q=%FF").err().map(|r| r.field).as_deref(), Some("q"));
        assert!(check_query("q=ann+lee%40x.org&sort=name").is_ok());
    }

    #[test]
    fn forms_allow_pasted_lists_but_not_hidden_characters() {
        assert!(check_form(&Bytes::from("emails=a%40x.org%0D%0Ab%40x.org&csrf=t")).is_ok());
        assert_eq!(check_form(&Bytes::from("name=a%E2%80%8Bb")).err().map(|r| r.field).as_deref(), Some("name"));
        assert_eq!(check_path("/admin/users/a%00b").err().map(|r| r.field).as_deref(), Some("path"));
    }
}
