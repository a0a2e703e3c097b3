//! Where the process is in its life — starting (migrations running), ready, or draining
//! after SIGTERM — shared by the server loop, `/readyz` and the gate below.
//!
//! The listener opens before migrations run, so load balancers and orchestrators can see
//! the process (`/healthz` 200) and know it is not ready yet (`/readyz` 503). While it
//! starts, every other route answers 503 problem+json with `Retry-After`, because the
//! schema may be half-migrated. While it drains, requests are served as usual; only
//! `/readyz` fails, so a load balancer stops sending new ones.

use crate::error::ApiError;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

/// One of the three phases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Connected and listening; migrations and first-start setup are running.
    Starting,
    /// Serving.
    Ready,
    /// A shutdown was asked for: in-flight requests finish, readiness fails.
    Draining,
}

/// The shared phase. Cheap to clone; reading it is one atomic load.
#[derive(Debug, Clone)]
pub struct Lifecycle(Arc<AtomicU8>);

impl Default for Lifecycle {
    fn default() -> Self {
        Self(Arc::new(AtomicU8::new(Phase::Starting as u8)))
    }
}

impl Lifecycle {
    pub fn phase(&self) -> Phase {
        match self.0.load(Ordering::Acquire) {
            0 => Phase::Starting,
            1 => Phase::Ready,
            _ => Phase::Draining,
        }
    }

    /// Migrations and setup are done.
    pub fn set_ready(&self) {
        self.0.store(Phase::Ready as u8, Ordering::Release);
    }

    /// A shutdown began; this never goes back.
    pub fn set_draining(&self) {
        self.0.store(Phase::Draining as u8, Ordering::Release);
    }
}

/// Paths that answer in every phase (probes and the metrics scrape).
fn always_served(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics")
}

/// Refuses everything but the probes while the process starts: 503 problem+json with
/// `Retry-After: 1`.
pub async fn refuse_while_starting(State(lifecycle): State<Lifecycle>, req: Request, next: Next) -> Response {
    if lifecycle.phase() != Phase::Starting || always_served(req.uri().path()) {
        return next.run(req).await;
    }
    let mut res = ApiError::unavailable("Roster is starting (database migrations are running); try again shortly")
        .into_response();
    res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    debug_assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_move_forward() {
        let l = Lifecycle::default();
        assert_eq!(l.phase(), Phase::Starting);
        l.set_ready();
        assert_eq!(l.clone().phase(), Phase::Ready, "clones share the phase");
        l.set_draining();
        assert_eq!(l.phase(), Phase::Draining);
    }
}
