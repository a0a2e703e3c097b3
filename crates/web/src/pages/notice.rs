//! The `?notice=…` a page shows after a POST redirected to it (POST → 303 → GET).

use crate::error::PageError;
use crate::extract::parse_query;
use app::AppError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::convert::Infallible;

/// The notice (and count) of the redirect, read leniently: an unknown or malformed one
/// shows nothing.
#[derive(Debug, Deserialize, Default)]
pub struct Notice {
    pub notice: Option<String>,
    /// How many (parsed as a number; anything else counts as one).
    pub n: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Notice {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parse_query(parts.uri.query().unwrap_or("")).unwrap_or_default())
    }
}

impl Notice {
    /// The fixed text `texts` gives this notice, if it is one of them.
    pub fn pick(&self, texts: &[(&str, &'static str)]) -> Option<&'static str> {
        let notice = self.notice.as_deref()?;
        texts.iter().find(|(key, _)| *key == notice).map(|(_, text)| *text)
    }

    /// "Session ended." / "3 sessions ended." for `notice=ended`; `None` for other notices.
    pub fn ended_text(&self) -> Option<String> {
        (self.notice.as_deref() == Some("ended")).then(|| {
            match self.n.as_deref().and_then(|n| n.parse::<u32>().ok()).unwrap_or(1) {
                0 => "There were no live sessions to end.".to_owned(),
                1 => "Session ended.".to_owned(),
                n => format!("{n} sessions ended."),
            }
        })
    }
}

/// A form's answer on a page that lists things (POST → 303 → GET): back to `here` with
/// `?notice=<notice>` when the change was made; otherwise `again` renders the page with the
/// refusal beside its forms (and the refusal's status).
pub async fn back_with_notice(
    here: &str,
    notice: &str,
    result: Result<(), AppError>,
    again: impl AsyncFnOnce(AppError) -> Result<Response, PageError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("{here}?notice={notice}")).into_response()),
        Err(e) => again(e).await,
    }
}
