//! `GET /api/docs`: Swagger UI on the OpenAPI document (`/api/v1/openapi.json`), to read the
//! API and try it with the session or an API token. Its files are embedded in the binary
//! by `utoipa-swagger-ui` (feature `vendored`: no download at build time). The page needs
//! inline styles, so [`crate::headers`] relaxes the CSP for these paths only.

use crate::error::ApiError;
use crate::routes::{Routes, get};
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use std::sync::{Arc, LazyLock};
use utoipa_swagger_ui::Config;

/// Where Swagger UI is served.
pub const DOCS_PATH: &str = "/api/docs";

pub fn routes() -> Routes {
    Routes::new()
        // Relative asset URLs need the trailing slash.
        .route(DOCS_PATH, get(|| async { Redirect::permanent("/api/docs/") }).public())
        .route("/api/docs/", get(|| async { serve("") }).public())
        .route("/api/docs/{*file}", get(|Path(file): Path<String>| async move { serve(&file) }).public())
}

fn serve(file: &str) -> Response {
    static CONFIG: LazyLock<Arc<Config<'static>>> =
        LazyLock::new(|| Arc::new(Config::new(["/api/v1/openapi.json"]).try_it_out_enabled(true)));
    match utoipa_swagger_ui::serve(file, CONFIG.clone()) {
        Ok(Some(f)) => ([(header::CONTENT_TYPE, f.content_type)], f.bytes.into_owned()).into_response(),
        Ok(None) => ApiError::not_found().into_response(),
        Err(e) => ApiError::from(app::AppError::Internal(format!("Swagger UI: {e}"))).into_response(),
    }
}
