//! Liveness and readiness for load balancers and orchestrators, and the metrics scrape.

use crate::lifecycle::Phase;
use crate::routes::{Routes, get};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;

pub fn routes() -> Routes {
    Routes::new()
        .route("/healthz", get(healthz).public())
        .route("/readyz", get(readyz).public())
        // Public as a route: it checks its own bearer token (see `crate::metrics`).
        .route("/metrics", get(crate::metrics::scrape).public())
}

/// The process is up (also while it starts and drains).
async fn healthz() -> &'static str {
    "ok"
}

/// The process can take new requests: migrations are done, no shutdown has begun, and the
/// database answers. 503 otherwise, with the reason as the body (`starting`, `draining`,
/// `database unavailable`).
async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.lifecycle.phase() {
        Phase::Starting => return (StatusCode::SERVICE_UNAVAILABLE, "starting"),
        Phase::Draining => return (StatusCode::SERVICE_UNAVAILABLE, "draining"),
        Phase::Ready => {}
    }
    match state.ctx.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
