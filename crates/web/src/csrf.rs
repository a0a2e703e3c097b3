//! Cross-site request forgery defence, in two parts:
//! 1. [`reject_cross_site`] refuses state-changing requests that a browser marks as
//!    cross-site (`Sec-Fetch-Site`) or that come from another origin (`Origin`); scripts and
//!    curl send neither header and pass, and so does any request with an API token
//!    (`Authorization: Bearer`), which a browser never attaches by itself;
//! 2. every form of a signed-in page carries the session's CSRF token, and the only way a
//!    page handler reads a form is [`CsrfForm`] or [`CsrfUpload`], which compare the token
//!    before the handler runs (the token lives in the session row, so it holds on every
//!    instance). The comparison is private to this module: no handler can skip or redo it.

use crate::error::{ApiError, PageError};
use crate::extract::{pairs, refuse_page_viewer, viewer};
use crate::state::AppState;
use app::AppError;
use axum::body::Bytes;
use axum::extract::multipart::MultipartError;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

pub async fn reject_cross_site(req: Request, next: Next) -> Response {
    // A bearer token is never sent by a browser on its own (unlike a cookie), so a request
    // carrying one cannot be forged cross-site: API clients need no CSRF check.
    let bearer = crate::extract::bearer(req.headers()).is_some();
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) || bearer || is_same_site(&req) {
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
fn token_matches(expected: &str, submitted: &str) -> bool {
    // Constant-time enough: both are fixed-length random strings compared bytewise in full.
    expected.len() == submitted.len()
        && expected.bytes().zip(submitted.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// A form with no fields but its token (a bare button).
#[derive(Debug, Default, Deserialize)]
pub struct NoFields {}

/// A file of a multipart form.
#[derive(Debug, Default)]
pub struct FilePart {
    /// The form field's name.
    pub name: String,
    pub content_type: String,
    pub bytes: Bytes,
}

/// A submitted form whose token was the session's: its text fields in order and, for
/// `multipart/form-data`, its files.
#[derive(Debug, Default)]
pub struct Upload {
    pub fields: Vec<(String, String)>,
    pub files: Vec<FilePart>,
    /// Why the body could not be read to its end, if so; what was read before is kept.
    /// Nothing should be stored then.
    pub unread: Option<Unread>,
}

/// A form body that could not be read to its end.
#[derive(Debug, Clone)]
pub struct Unread {
    /// The field being read (`form` when none was).
    pub field: String,
    /// Over the route's body limit; otherwise broken (cut short, not valid UTF-8).
    pub too_large: bool,
}

impl Unread {
    fn new(field: &str, too_large: bool) -> Self {
        Self { field: if field.is_empty() { "form" } else { field }.to_owned(), too_large }
    }

    /// The refusal, naming the field.
    pub fn error(&self) -> AppError {
        let why = if self.too_large { "is larger than this form accepts" } else { "could not be read; try again" };
        AppError::invalid(self.field.clone(), why)
    }
}

impl Upload {
    /// The file sent as `name`, if any (an empty file input sends one with no bytes).
    pub fn file(&self, name: &str) -> Option<&FilePart> {
        self.files.iter().find(|f| f.name == name)
    }

    /// The text fields but the token as `T`; a key sent more than once becomes a list (see
    /// [`one_or_many`]).
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, AppError> {
        let mut map = serde_json::Map::new();
        for (k, v) in self.fields.iter().filter(|(k, _)| k != "csrf") {
            let v = serde_json::Value::String(v.clone());
            match map.get_mut(k) {
                Some(serde_json::Value::Array(list)) => list.push(v),
                Some(first) => *first = serde_json::Value::Array(vec![first.take(), v]),
                None => {
                    map.insert(k.clone(), v);
                }
            }
        }
        serde_json::from_value(serde_json::Value::Object(map))
            .map_err(|e| AppError::invalid("form", format!("does not have the fields this page sends ({e})")))
    }
}

/// For `Vec<String>` fields of a [`CsrfForm`]: one value or several (a repeated key).
pub fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

/// Reads the body (urlencoded or multipart) and checks its `csrf` field against the viewer's
/// session. Refuses with the login redirect (no session) or the expired-form page (403).
async fn read_checked(req: Request, state: &AppState) -> Result<Upload, Response> {
    let (mut parts, body) = req.into_parts();
    let me = viewer(&mut parts, state).await.map_err(|e| refuse_page_viewer(&parts, e))?;
    let multipart = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    let req = Request::from_parts(parts, body);
    let upload = if multipart {
        match Multipart::from_request(req, state).await {
            Ok(m) => read_multipart(m).await,
            Err(_) => Upload::default(),
        }
    } else {
        match Bytes::from_request(req, state).await {
            Ok(bytes) => read_urlencoded(&bytes),
            Err(e) => Upload {
                unread: Some(Unread::new("", e.status() == StatusCode::PAYLOAD_TOO_LARGE)),
                ..Upload::default()
            },
        }
    };
    let token = upload.fields.iter().find(|(k, _)| k == "csrf").map_or("", |(_, v)| v.as_str());
    if token_matches(&me.csrf_token, token) {
        Ok(upload)
    } else if upload.unread.as_ref().is_some_and(|u| u.too_large) {
        // The body stopped at the route's limit before its token was read (a urlencoded
        // body is read whole, so its token never is): the answer is the 413 the body earned
        // (made problem+json or a page by body_limit), not "this form has expired".
        Err(StatusCode::PAYLOAD_TOO_LARGE.into_response())
    } else {
        Err(PageError::expired_form().into_response())
    }
}

fn read_urlencoded(bytes: &[u8]) -> Upload {
    let mut upload = Upload::default();
    let Ok(raw) = std::str::from_utf8(bytes) else {
        upload.unread = Some(Unread::new("", false));
        return upload;
    };
    for pair in pairs(raw, "form") {
        match pair {
            Ok(p) => upload.fields.push(p),
            Err(AppError::Invalid { field, .. }) => {
                upload.unread.get_or_insert(Unread::new(&field, false));
            }
            Err(_) => {
                upload.unread.get_or_insert(Unread::new("", false));
            }
        }
    }
    upload
}

async fn read_multipart(mut m: Multipart) -> Upload {
    let failed = |e: MultipartError, name: &str| Unread::new(name, e.status() == StatusCode::PAYLOAD_TOO_LARGE);
    let mut upload = Upload::default();
    loop {
        let field = match m.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return upload,
            Err(e) => {
                upload.unread = Some(failed(e, ""));
                return upload;
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        if field.file_name().is_some() {
            let content_type = field.content_type().unwrap_or_default().to_owned();
            match field.bytes().await {
                Ok(bytes) => upload.files.push(FilePart { name, content_type, bytes }),
                Err(e) => {
                    upload.unread = Some(failed(e, &name));
                    return upload;
                }
            }
        } else {
            match field.text().await {
                Ok(text) => upload.fields.push((name, text)),
                Err(e) => {
                    upload.unread = Some(failed(e, &name));
                    return upload;
                }
            }
        }
    }
}

/// A page form as `T`, read only after its `csrf` field matched the session's token.
/// Urlencoded or multipart (text fields); a body that cannot be read or does not fit `T`
/// is the error page (400).
pub struct CsrfForm<T = NoFields>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let upload = read_checked(req, state).await?;
        if let Some(unread) = upload.unread {
            if unread.too_large {
                // 413 on every route (body_limit renders it).
                return Err(StatusCode::PAYLOAD_TOO_LARGE.into_response());
            }
            return Err(PageError::from(unread.error()).into_response());
        }
        upload.parse().map(Self).map_err(|e| PageError::from(e).into_response())
    }
}

/// A page form with files (`multipart/form-data`), read only after its `csrf` field matched
/// the session's token. A body cut short (too large) arrives with [`Upload::unread`] set,
/// so the page can say so beside the file field.
pub struct CsrfUpload(pub Upload);

impl FromRequest<AppState> for CsrfUpload {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        read_checked(req, state).await.map(Self)
    }
}
