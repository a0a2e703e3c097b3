//! Our own extractors, so every rejection speaks our error format:
//! - [`AppQuery`] parses the query string strictly (invalid UTF-8 names its parameter);
//! - [`AppJson`] reads a JSON body as a use case's [`Input`] (every unreadable field named
//!   with the use case's own refusals), [`JsonDoc`] as any JSON document;
//! - [`AppPath`] parses typed ids from the path (a malformed one never reaches a handler);
//! - [`ApiUser`] resolves an API token or the session cookie, [`PageUser`] the session
//!   cookie, to a [`app::authz::Principal`]; [`OwnSession`] is an [`ApiUser`] that is not
//!   an API token (the self-service area);
//! - [`Page`] and [`PageOn`] are a signed-in page viewer with the capability `authz`
//!   granted (on the account or scope; on the user the path names);
//! - [`ClientInfo`] is the caller's IP (behind trusted proxies, the forwarded one) and user
//!   agent.
//!
//! Page forms are read by `crate::csrf::CsrfForm`, which checks the CSRF token first.

mod json;
mod on_user;
mod page;
mod path;
mod viewer;

pub use on_user::PageOn;
pub use page::{Mine, Page};
pub use path::{AppPath, PathParam, PathParams, PathRejection};
pub use viewer::{ApiUser, OwnSession, PageUser, ViewerSlot};
pub(crate) use viewer::{bearer, client_ip, refuse_page_viewer, viewer};

use crate::error::ApiError;
use app::{AppError, Input};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// Longest query string accepted (longer ones are refused before parsing; single
/// parameters have their own, smaller limits).
pub(crate) const MAX_QUERY_BYTES: usize = 32 * 1024;

/// Query parameters, decoded strictly.
pub struct AppQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for AppQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or("");
        parse_query(raw).map(AppQuery)
    }
}

/// Query parameters read leniently, for a page's optional suggestions and filters that fall
/// back to their defaults: a query that cannot be read as `T` counts as none (`T::default()`).
pub struct LenientQuery<T>(pub T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequestParts<S> for LenientQuery<T> {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(parse_query(parts.uri.query().unwrap_or("")).unwrap_or_default()))
    }
}

/// Parses `a=1&b=2` into `T`: each value must be valid UTF-8 once percent-decoded, and the
/// whole query at most 32 KiB. The last of repeated keys wins.
pub fn parse_query<T: DeserializeOwned>(raw: &str) -> Result<T, ApiError> {
    if raw.len() > MAX_QUERY_BYTES {
        return Err(ApiError::invalid("query", "is longer than 32 KiB"));
    }
    let mut map = serde_json::Map::new();
    // Every unreadable parameter is named, with every other refused one (not the first only).
    let mut unreadable: Vec<(String, String)> = Vec::new();
    for pair in pairs(raw, "query") {
        match pair.map_err(AppError::into_fields) {
            Ok((key, value)) => {
                map.insert(key, serde_json::Value::String(value));
            }
            Err(Ok(fields)) => unreadable.extend(fields),
            Err(Err(other)) => return Err(other.into()),
        }
    }
    let read = json::every_problem(serde_json::Value::Object(map));
    match read.value {
        Some(value) if unreadable.is_empty() && read.problems.is_empty() => Ok(value),
        _ => {
            let mut problems = unreadable;
            let named: Vec<String> = problems.iter().map(|(f, _)| f.clone()).collect();
            problems.extend(read.problems.into_iter().filter(|(f, _)| !named.contains(f)));
            Err(AppError::all_of(problems)
                .err()
                .map_or_else(|| ApiError::invalid("query", "could not be read"), Into::into))
        }
    }
}

/// `value` as a `T` with stand-ins for its unreadable fields ([`json::every_problem`]), or
/// 400 naming every refused field when no `T` can be made of it.
pub(crate) fn lenient<T: DeserializeOwned>(value: serde_json::Value) -> Result<Input<T>, ApiError> {
    let read = json::every_problem(value);
    match read.value {
        Some(v) => Ok(Input::read(v, read.problems)),
        None => Err(AppError::all_of(read.problems)
            .err()
            .map_or_else(|| ApiError::invalid("body", "could not be read"), Into::into)),
    }
}

/// The decoded `key=value` pairs of a query string or urlencoded form, in order. A pair
/// that is not valid UTF-8 once decoded is an error naming its key (`whole` when the key
/// itself is the bad part).
pub(crate) fn pairs<'a>(raw: &'a str, whole: &'a str) -> impl Iterator<Item = Result<(String, String), AppError>> + 'a {
    raw.split('&').filter(|p| !p.is_empty()).map(move |pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let key = decode(k).map_err(|()| AppError::invalid(whole, "has a parameter name that is not valid UTF-8"))?;
        let value = decode(v).map_err(|()| AppError::invalid(&key, "is not valid UTF-8"))?;
        Ok((key, value))
    })
}

/// Percent-decodes one query or form component (`+` is a space); `Err` when the result
/// is not UTF-8 or an escape is malformed.
pub(crate) fn decode(s: &str) -> Result<String, ()> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).map_err(|_| ())?;
                out.push(u8::from_str_radix(hex, 16).map_err(|_| ())?);
                i += 2;
            }
            b'%' => return Err(()),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| ())
}

/// A JSON body read for a use case, as an [`Input`]: the value with a stand-in for each
/// field of the wrong type, unknown or missing, and those fields, which the use case refuses
/// together with every field it judges bad itself (PRODUCT.md §10: every bad field at once),
/// acting on nothing. Answered here with problem+json: 413 when the body is larger than the
/// route's limit; 400 naming `body` when it is not JSON, or every refused field when no `T`
/// can be made of it at all (not an object; a field no stand-in of any JSON kind satisfies).
pub struct AppJson<T>(pub Input<T>);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for AppJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let JsonDoc(v) = JsonDoc::from_request(req, state).await?;
        lenient(v).map(Self)
    }
}

/// A JSON body as a document, any JSON value, for the handlers that read it field by field
/// (`api::v1::fields::Fields`, the settings documents): 413 when larger than the route's
/// limit, 400 naming `body` when it is not JSON.
pub struct JsonDoc(pub serde_json::Value);

impl<S: Send + Sync> FromRequest<S> for JsonDoc {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<serde_json::Value>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Self(v)),
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::too_large("the JSON body is larger than 2 MB"))
            }
            Err(e) => Err(ApiError::invalid("body", &e.body_text())),
        }
    }
}

/// One query value, form-encoded (`application/x-www-form-urlencoded`: a space is `+`,
/// everything but `*-._` and alphanumerics is percent-encoded), as [`parse_query`] reads it.
/// No whitespace survives, so the result also passes as part of a redirect target
/// ([`crate::redirect`]).
pub fn encode_component(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The caller's address and user agent.
pub struct ClientInfo {
    pub ip: String,
    pub user_agent: String,
}

impl<S: Send + Sync> FromRequestParts<S> for ClientInfo {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = client_ip(parts);
        let user_agent = parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        Ok(Self { ip, user_agent })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn decodes_percent_and_plus() {
        let m: BTreeMap<String, String> = parse_query("q=ann+lee%40x&sort=name").unwrap();
        assert_eq!(m["q"], "ann lee@x");
        assert_eq!(m["sort"], "name");
    }

    #[test]
    fn every_unreadable_parameter_is_named_with_the_other_refusals() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Q {
            q: Option<String>,
            sort: Option<String>,
            limit: Option<u32>,
        }
        let e = parse_query::<Q>("q=%FF&sort=%FE&limit=many").unwrap_err();
        let text = serde_json::to_string(&e).unwrap();
        for field in ["\"name\":\"q\"", "\"name\":\"sort\"", "\"name\":\"limit\""] {
            assert!(text.contains(field), "{field} in {text}");
        }
    }

    #[test]
    fn invalid_utf8_names_the_parameter() {
        let e = parse_query::<BTreeMap<String, String>>("sort=name&q=%FF%FE").unwrap_err();
        assert!(serde_json::to_string(&e).unwrap().contains("\"name\":\"q\""));
        assert!(parse_query::<BTreeMap<String, String>>("q=%G1").is_err());
        assert!(parse_query::<BTreeMap<String, String>>("q=%4").is_err());
    }

    #[test]
    fn encodes_components() {
        assert_eq!(encode_component("/admin/users?q=a b~"), "%2Fadmin%2Fusers%3Fq%3Da+b%7E");
    }
}
