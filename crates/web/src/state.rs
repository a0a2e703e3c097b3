//! What every handler can reach.

use crate::client_ip::TrustedProxies;
use crate::lifecycle::Lifecycle;
use crate::rate_limit::RateLimiter;
use app::AppCtx;

#[derive(Clone)]
pub struct AppState {
    pub ctx: AppCtx,
    /// Served over https: cookies get `Secure` and responses carry HSTS.
    pub secure: bool,
    /// Per-IP limit on sign-in attempts.
    pub login_limiter: RateLimiter,
    /// Per-token limit on bearer requests (`api_token_rate_per_minute`).
    pub token_limiter: RateLimiter<uuid::Uuid>,
    /// Where users reach Roster (no trailing slash), for links in emails.
    pub public_url: String,
    /// Starting, ready or draining: read by `/readyz` and the start-up gate.
    pub lifecycle: Lifecycle,
    /// Proxies whose forwarding header names the client's address.
    pub trusted_proxies: TrustedProxies,
    /// `/metrics` on this listener: `None` when metrics are off here (404).
    pub scrape: Option<crate::metrics::Scrape>,
    /// HTTP instruments, when metrics are on.
    pub http_metrics: Option<crate::metrics::HttpMetrics>,
    /// Longest a request may take, body included (then 408).
    pub request_timeout: std::time::Duration,
}
