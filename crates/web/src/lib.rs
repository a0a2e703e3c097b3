//! Roster's HTTP layer (axum): routing, extractors, DTOs and server-rendered pages.
//! Handlers translate HTTP to use cases in `app` and back; no SQL and no business rule
//! lives here.

mod api;
mod body_limit;
mod client_ip;
mod cookie;
mod csrf;
mod error;
mod extract;
mod headers;
mod input;
mod lifecycle;
mod metrics;
mod ops;
mod pages;
mod rate_limit;
pub mod redirect;
mod routes;
mod scim;
mod state;

pub use client_ip::{BadProxy, ClientIp, ForwardedHeader, TrustedProxies};
pub use lifecycle::{Lifecycle, Phase};
pub use metrics::{HttpMetrics, Scrape, install as install_metrics};
pub use rate_limit::RateLimiter;
pub use routes::{Access, Route};
pub use state::AppState;

use axum::Router;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Everything but the pages: health probes and the JSON API.
fn service_routes() -> routes::Routes {
    routes::Routes::new()
        .merge(ops::routes())
        .merge(api::docs::routes())
        .nest("/api/v1", api::v1::routes())
        .nest(scim::PREFIX, scim::routes())
}

/// The OpenAPI 3.1 document of `/api/v1` (served at `/api/v1/openapi.json`), generated from
/// the handlers.
pub fn openapi() -> &'static utoipa::openapi::OpenApi {
    api::v1::openapi::document()
}

/// Every `(method, path)` the application serves, as registered (API paths with their
/// `/api/v1` prefix), in registration order. Tests walk it so that none is forgotten.
pub fn routes() -> Vec<Route> {
    let mut all = service_routes().table().to_vec();
    all.extend_from_slice(pages::routes().table());
    all
}

/// `/metrics` alone, for the separate metrics address (no token: whoever reaches that
/// address may scrape).
pub fn metrics_router(state: AppState) -> Router {
    Router::new().route("/metrics", axum::routing::get(metrics::scrape)).with_state(state)
}

/// Logs a failed request: at ERROR, except 503, which is the expected answer while the
/// instance starts or drains (`/readyz`, polled by every load balancer, and every route
/// then) — an ERROR per probe would bury real ones. A database that stops answering
/// `/readyz` is logged at WARN by the probe itself.
fn log_failure(
    failure: tower_http::classify::ServerErrorsFailureClass,
    latency: std::time::Duration,
    _span: &tracing::Span,
) {
    use tower_http::classify::ServerErrorsFailureClass::StatusCode as Status;
    let ms = latency.as_millis();
    match failure {
        Status(code) if code == axum::http::StatusCode::SERVICE_UNAVAILABLE => {
            tracing::info!(status = code.as_u16(), latency_ms = ms, "unavailable (starting, draining or no database)");
        }
        other => tracing::error!(classification = %other, latency_ms = ms, "response failed"),
    }
}

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let secure = state.secure;
    let login_limiter = axum::Extension(state.login_limiter.clone());
    let lifecycle = state.lifecycle.clone();
    let request_timeout = state.request_timeout;
    let trusted_proxies = state.trusted_proxies.clone();
    // Page errors travel to this layer, which renders them with the viewer's navigation.
    let pages = pages::routes().into_router().layer(axum::middleware::from_fn(pages::render_failures));
    let http_metrics = state.http_metrics.clone();
    let routes = Router::new()
        .merge(service_routes().into_router())
        .merge(pages)
        .layer(axum::middleware::from_fn(input::reject_unsafe_text))
        .layer(axum::middleware::from_fn(csrf::reject_cross_site))
        .layer(axum::middleware::from_fn(body_limit::refuse_oversized))
        .layer(axum::middleware::from_fn_with_state(lifecycle, lifecycle::refuse_while_starting))
        .layer(login_limiter)
        .layer(axum::middleware::from_fn_with_state(trusted_proxies, client_ip::resolve))
        .layer(axum::middleware::from_fn_with_state(secure, headers::add_security_headers))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<_>| {
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
                })
                .on_failure(log_failure),
        )
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, request_timeout))
        // SCIM clients get SCIM error bodies for every refusal, the layers' above included
        // (the timeout's 408 too).
        .layer(axum::middleware::from_fn(scim::scim_errors))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid));
    // Outermost, so every answer is counted — the timeout's 408, the body limit's 413, the
    // CSRF 403, the 503 while starting or draining — not only the handlers'. Router layers
    // run after routing, so the matched route is known here too (`unmatched`: the fallback).
    let routes = match http_metrics {
        Some(http) => routes.layer(axum::middleware::from_fn_with_state(http, metrics::track)),
        None => routes,
    };
    routes.with_state(state)
}
