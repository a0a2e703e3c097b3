//! The `?notice=…` a page shows after a POST redirected to it (POST → 303 → GET).

use crate::extract::parse_query;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
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
