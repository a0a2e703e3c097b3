//! The hand-written stylesheet and scripts, compiled into the binary.

use crate::routes::{Routes, get};
use axum::http::header;
use axum::response::IntoResponse;

const STYLE: &str = include_str!("../../static/style.css");
const SCRIPT: &str = include_str!("../../static/app.js");
/// Suggestions for inputs that name a person (the bot pages, the audit log; only they load it).
const SUGGEST_SCRIPT: &str = include_str!("../../static/suggest.js");

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "max-age=300")], body)
}

pub fn routes() -> Routes {
    Routes::new()
        .route("/static/style.css", get(|| async { asset("text/css; charset=utf-8", STYLE) }).public())
        .route("/static/app.js", get(|| async { asset("text/javascript; charset=utf-8", SCRIPT) }).public())
        .route("/static/suggest.js", get(|| async { asset("text/javascript; charset=utf-8", SUGGEST_SCRIPT) }).public())
}
