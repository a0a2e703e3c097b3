//! `/api/v1`: one module per resource, each with its own router.

mod auth;
mod me;
mod users;

use crate::error::ApiError;
use crate::state::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(auth::router())
        .merge(me::router())
        .merge(users::router())
        .fallback(|| async { ApiError::not_found() })
}
