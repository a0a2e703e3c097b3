//! `/metrics` in the Prometheus text format, and the HTTP middleware feeding it.
//!
//! Off unless configured. On the main listener the scrape needs `Authorization: Bearer
//! <ROSTER_METRICS_TOKEN>`; on a separate address (`ROSTER_METRICS_BIND`) it is open to
//! whoever can reach that address. Names and meanings: `app::metrics`.
//!
//! The middleware is cheap on the hot path: the route template comes from `MatchedPath`, and
//! histogram handles are cached per (route, method, status class), so a request costs two
//! read-locked map lookups and no allocation once its combination has been seen.

use crate::error::ApiError;
use crate::state::AppState;
use app::metrics as names;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics::{Gauge, Histogram};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, Instant};

/// Latency buckets in seconds: 1 ms to 10 s.
const BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Installs the process-wide Prometheus recorder (once; later calls return the same handle)
/// and a thread that drains histogram samples every 5 s.
pub fn install() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder =
                PrometheusBuilder::new().set_buckets(BUCKETS).expect("the bucket list is not empty").build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).expect("no other metrics recorder is installed");
            names::describe();
            let upkeep = handle.clone();
            std::thread::Builder::new()
                .name("metrics-upkeep".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(Duration::from_secs(5));
                        upkeep.run_upkeep();
                    }
                })
                .expect("spawn the metrics upkeep thread");
            handle
        })
        .clone()
}

/// Where `/metrics` answers on a listener.
#[derive(Clone)]
pub struct Scrape {
    handle: PrometheusHandle,
    /// Required bearer token; `None` on the separate metrics address.
    token: Option<Arc<str>>,
}

impl Scrape {
    pub fn new(handle: PrometheusHandle, token: Option<&str>) -> Self {
        Self { handle, token: token.map(Arc::from) }
    }

    fn authorized(&self, headers: &HeaderMap) -> bool {
        let Some(expected) = &self.token else { return true };
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            // The scheme name is case-insensitive (RFC 9110 §11.1).
            .and_then(|(scheme, token)| scheme.eq_ignore_ascii_case("bearer").then_some(token.trim()))
            .unwrap_or_default();
        // Compare digests: equal length, and no early exit on the secret's bytes.
        app::tokens::hash(given) == app::tokens::hash(expected)
    }
}

/// `GET /metrics`: 404 when metrics are off here, 401 without the token.
pub async fn scrape(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(scrape) = &state.scrape else { return ApiError::not_found().into_response() };
    if !scrape.authorized(&headers) {
        let mut res =
            ApiError::unauthorized("metrics need Authorization: Bearer <ROSTER_METRICS_TOKEN>").into_response();
        res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return res;
    }
    let mut body = scrape.handle.render();
    match app::metrics::snapshot(&state.ctx).await {
        Ok(snapshot) => body.push_str(&render_snapshot(&snapshot)),
        Err(e) => tracing::warn!(error = %e, "metrics: reading database-wide values failed"),
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response()
}

/// The values read at scrape time, rendered by a recorder of their own (so several apps in
/// one process — tests — each report their own database and pool).
fn render_snapshot(s: &app::metrics::Snapshot) -> String {
    let local = PrometheusBuilder::new().build_recorder();
    let handle = local.handle();
    metrics::with_local_recorder(&local, || s.record());
    handle.render()
}

/// Latency histograms by route template, then by (method, status class).
type ByRoute = HashMap<String, HashMap<(&'static str, &'static str), Histogram>>;

/// Per-app HTTP instruments: the in-flight gauge and cached latency histograms.
#[derive(Clone)]
pub struct HttpMetrics {
    in_flight: Gauge,
    histograms: Arc<RwLock<ByRoute>>,
}

impl HttpMetrics {
    /// Instruments bound to the installed recorder (call after [`install`]).
    #[allow(clippy::new_without_default)] // not a default: it binds to the recorder installed now
    pub fn new() -> Self {
        Self { in_flight: metrics::gauge!(names::HTTP_REQUESTS_IN_FLIGHT), histograms: Arc::default() }
    }

    fn histogram(&self, route: &str, method: &'static str, status: &'static str) -> Histogram {
        let cached =
            self.histograms.read().ok().and_then(|m| m.get(route).and_then(|r| r.get(&(method, status))).cloned());
        if let Some(h) = cached {
            return h;
        }
        let h = metrics::histogram!(names::HTTP_REQUEST_DURATION, "method" => method, "route" => route.to_owned(), "status" => status);
        if let Ok(mut m) = self.histograms.write() {
            m.entry(route.to_owned()).or_default().insert((method, status), h.clone());
        }
        h
    }
}

/// Middleware, the outermost of the router's layers (so refusals by the timeout, body-limit,
/// CSRF and lifecycle layers are counted too); router layers run after routing, so
/// `MatchedPath` is known (`unmatched` for the fallback): times each request.
pub async fn track(State(m): State<HttpMetrics>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(req.method());
    let route = req.extensions().get::<MatchedPath>().cloned();
    let res = {
        let _in_flight = InFlight::enter(&m.in_flight);
        next.run(req).await
    };
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    m.histogram(route, method, status_class(res.status())).record(started.elapsed().as_secs_f64());
    res
}

/// Counts a request in flight until dropped (also when the client goes away mid-request).
struct InFlight<'a>(&'a Gauge);

impl<'a> InFlight<'a> {
    fn enter(g: &'a Gauge) -> Self {
        g.increment(1.0);
        Self(g)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.decrement(1.0);
    }
}

fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

fn status_class(s: StatusCode) -> &'static str {
    match s.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}
