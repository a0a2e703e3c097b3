//! The hand-written stylesheet and scripts, compiled into the binary.

use crate::routes::{Routes, get};
use axum::http::header;
use axum::response::IntoResponse;

const STYLE: &str = include_str!("../../static/style.css");
const SCRIPT: &str = include_str!("../../static/app.js");
/// Owner suggestions on the bot pages (only they load it).
const BOTS_SCRIPT: &str = include_str!("../../static/bots.js");

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "max-age=300")], body)
}

pub fn routes() -> Routes {
    Routes::new()
        .route("/static/style.css", get(|| async { asset("text/css; charset=utf-8", STYLE) }).public())
        .route("/static/app.js", get(|| async { asset("text/javascript; charset=utf-8", SCRIPT) }).public())
        .route("/static/bots.js", get(|| async { asset("text/javascript; charset=utf-8", BOTS_SCRIPT) }).public())
}
