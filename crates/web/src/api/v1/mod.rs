//! `/api/v1`: one module per resource, each with its own router.

mod audit;
mod auth;
mod me;
mod sessions;
mod settings;
pub(crate) mod users;

use crate::error::ApiError;
use crate::state::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(auth::router())
        .merge(me::router())
        .merge(users::router())
        .merge(sessions::router())
        .merge(settings::router())
        .merge(audit::router())
        .fallback(|| async { ApiError::not_found() })
}
