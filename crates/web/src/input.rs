//! The one gate every text input passes before any handler runs, whatever route it is
//! for: path segments, query parameters, JSON bodies (every string and key, at any depth)
//! and URL-encoded forms. Each value is checked by [`domain::text::problem`] (no NUL, no
//! control characters, no invisible formatting characters) and for length; the bad values
//! are answered with one 400 naming every one (`q`, `emails[2]`, `invitations[0].first_name`)
//! — problem+json under `/api`, an error page elsewhere. Text that is not valid UTF-8 after
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

/// A refused value: its name and why.
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
    let answer = |refused: Vec<Refusal>| -> Response {
        // Each field once, as it was first refused.
        let mut fields: Vec<(String, String)> = Vec::new();
        for r in refused {
            if !fields.iter().any(|(f, _)| *f == r.field) {
                fields.push((r.field, r.reason));
            }
        }
        let e = AppError::all_of(fields).err().unwrap_or_else(|| AppError::invalid("request", "is invalid"));
        if api { ApiError::from(e).into_response() } else { crate::pages::failure_page(&e.into(), None) }
    };
    let mut refused = check_path(req.uri().path());
    refused.extend(check_query(req.uri().query().unwrap_or("")));
    if !refused.is_empty() {
        return answer(refused);
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
    let refused = match kind {
        BodyKind::Json => check_json(&bytes),
        _ => check_form(&bytes),
    };
    if !refused.is_empty() {
        return answer(refused);
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

fn check_path(path: &str) -> Vec<Refusal> {
    let mut refused = Vec::new();
    for segment in path.split('/') {
        match decode(segment) {
            Ok(text) => refused.extend(check_value("path", &text, Lines::One, MAX_VALUE_CHARS).err()),
            Err(()) => refused.push(refuse("path", "is not valid UTF-8")),
        }
    }
    refused
}

/// Every refused pair of `key=value` text (a query or a form body): a bad name is named by
/// `whole`, a bad value by its key. `lines` and `max` judge a decoded value.
fn check_pairs(text: &str, whole: &str, lines: Lines, max: impl Fn(&str) -> usize) -> Vec<Refusal> {
    let mut refused = Vec::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let Ok(key) = decode(k) else {
            refused.push(refuse(
                whole,
                format!("has a {} name that is not valid UTF-8", if whole == "query" { "parameter" } else { "field" }),
            ));
            continue;
        };
        if let Err(r) = check_value(whole, &key, Lines::One, MAX_VALUE_CHARS) {
            refused.push(r);
            continue;
        }
        match decode(v) {
            Ok(value) => refused.extend(check_value(&key, &value, lines, max(&value)).err()),
            Err(()) => refused.push(refuse(key.as_str(), "is not valid UTF-8")),
        }
    }
    refused
}

fn check_query(query: &str) -> Vec<Refusal> {
    if query.len() > crate::extract::MAX_QUERY_BYTES {
        return vec![refuse("query", "is longer than 32 KiB")];
    }
    check_pairs(query, "query", Lines::One, |_| MAX_VALUE_CHARS)
}

/// Form fields may hold pasted lists (one address per line), so line breaks are allowed and
/// only single-line values have the length cap.
fn check_form(body: &Bytes) -> Vec<Refusal> {
    let Ok(text) = std::str::from_utf8(body) else { return vec![refuse("body", "is not valid UTF-8")] };
    check_pairs(text, "body", Lines::Many, |value| if value.contains('\n') { usize::MAX } else { MAX_VALUE_CHARS })
}

/// A body that is not JSON at all is left to the handler's own error; JSON with a lone
/// surrogate escape (`"\ud800"`) is refused here, naming the body.
fn check_json(body: &Bytes) -> Vec<Refusal> {
    match serde_json::from_slice::<Value>(body) {
        Ok(value) => {
            let mut refused = Vec::new();
            walk(&value, "", &mut refused);
            refused
        }
        // serde_json: "lone leading surrogate in hex escape", "unexpected end of hex escape".
        Err(e) if e.to_string().contains("surrogate") || e.to_string().contains("hex escape") => {
            vec![refuse("body", format!("holds an invalid string: {e} (a lone UTF-16 surrogate)"))]
        }
        Err(_) => Vec::new(),
    }
}

/// Every refused string and key of `value` (at path `at`) into `refused`.
fn walk(value: &Value, at: &str, refused: &mut Vec<Refusal>) {
    let name = |at: &str| if at.is_empty() { "body".to_owned() } else { at.to_owned() };
    match value {
        Value::String(s) => refused.extend(check_value(&name(at), s, Lines::Many, MAX_VALUE_CHARS).err()),
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk(v, &format!("{}[{i}]", name(at)), refused);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                let field = if at.is_empty() { k.clone() } else { format!("{at}.{k}") };
                match check_value(&name(at), k, Lines::One, MAX_VALUE_CHARS) {
                    Ok(()) => walk(v, &field, refused),
                    Err(r) => refused.push(r),
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_field(body: &str) -> Option<String> {
        check_json(&Bytes::from(body.to_owned())).into_iter().next().map(|r| r.field)
    }

    fn fields(refused: Vec<Refusal>) -> Vec<String> {
        refused.into_iter().map(|r| r.field).collect()
    }

    #[test]
    fn every_refused_value_is_named() {
        assert_eq!(fields(check_query("q=%FF&sort=ok&cursor=a%0Ab&x=%FE")), ["q", "cursor", "x"]);
        let body = r#"{"emails":["a\u0000","ok","b\u200b"],"name":"\u202e"}"#;
        assert_eq!(fields(check_json(&Bytes::from(body))), ["emails[0]", "emails[2]", "name"]);
        assert_eq!(fields(check_form(&Bytes::from("a=%00&b=ok&c=%FF"))), ["a", "c"]);
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
        assert_eq!(fields(check_query("q=ab%00cd")), ["q"]);
        assert_eq!(fields(check_query("cursor=a%0Ab")), ["cursor"]);
        assert_eq!(fields(check_query("q=%FF")), ["q"]);
        assert!(check_query("q=ann+lee%40x.org&sort=name").is_empty());
    }

    #[test]
    fn forms_allow_pasted_lists_but_not_hidden_characters() {
        assert!(check_form(&Bytes::from("emails=a%40x.org%0D%0Ab%40x.org&csrf=t")).is_empty());
        assert_eq!(fields(check_form(&Bytes::from("name=a%E2%80%8Bb"))), ["name"]);
        assert_eq!(fields(check_path("/admin/users/a%00b")), ["path"]);
    }
}
