//! Token-bucket rate limits, refilled continuously: per client address (behind trusted
//! proxies, the forwarded one) on the sign-in endpoints, and per API token on bearer
//! requests ([`RateLimiter<Uuid>`], checked by the bearer extractor). Over the limit the
//! answer is 429 with `Retry-After`.
//!
//! The limit is per instance (kept in memory); the lockout counter, which is what protects
//! an account, lives in the database and holds across instances.

use crate::client_ip::ClientIp;
use crate::error::ApiError;
use axum::Extension;
use axum::extract::{OriginalUri, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Buckets kept before idle ones are dropped.
const MAX_TRACKED: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Allows `per_minute` requests per key (an address, a token id) in a burst, refilling at
/// the same rate.
#[derive(Debug, Clone)]
pub struct RateLimiter<K = IpAddr> {
    per_minute: u32,
    buckets: Arc<Mutex<HashMap<K, Bucket>>>,
}

impl<K: Hash + Eq + Copy> RateLimiter<K> {
    /// `per_minute = 0` turns the limit off.
    pub fn new(per_minute: u32) -> Self {
        Self { per_minute, buckets: Arc::default() }
    }

    /// `Ok` when `ip` may go ahead; otherwise the seconds until it may try again.
    pub fn check(&self, ip: K, now: Instant) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= MAX_TRACKED {
            buckets.retain(|_, b| b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * per_second < capacity);
        }
        let b = buckets.entry(ip).or_insert(Bucket { tokens: capacity, at: now });
        b.tokens = (b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * per_second).min(capacity);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - b.tokens) / per_second).ceil() as u64)
        }
    }
}

/// Middleware for the sign-in routes; the limiter arrives as a request extension.
pub async fn limit_logins(Extension(limiter): Extension<RateLimiter>, req: Request, next: Next) -> Response {
    let ip = req.extensions().get::<ClientIp>().map(|ClientIp(ip)| *ip);
    let Some(ip) = ip else { return next.run(req).await };
    match limiter.check(ip, Instant::now()) {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            app::metrics::sign_in(app::metrics::SignIn::RateLimited);
            let detail = format!("too many sign-in attempts from your address; try again in {wait} seconds");
            // Inside `nest` the path is stripped of its prefix; the original URI is not.
            let path = req.extensions().get::<OriginalUri>().map_or_else(|| req.uri().path(), |u| u.0.path());
            let mut res = if path.starts_with("/api/") {
                ApiError::too_many(&detail).into_response()
            } else {
                crate::pages::message(StatusCode::TOO_MANY_REQUESTS, None, "Too many attempts", &detail)
            };
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait.max(1)));
            res
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_burst_is_allowed_then_refused_until_tokens_refill() {
        let limiter = RateLimiter::new(3);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check(ip, t0).is_ok());
        }
        let wait = limiter.check(ip, t0).unwrap_err();
        assert_eq!(wait, 20, "3 per minute refill one every 20 s");
        assert!(limiter.check(ip, t0 + Duration::from_secs(21)).is_ok());
        assert!(limiter.check("192.0.2.2".parse().unwrap(), t0).is_ok(), "other addresses are not affected");
    }

    #[test]
    fn zero_turns_the_limit_off() {
        let limiter = RateLimiter::new(0);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert!((0..1000).all(|_| limiter.check(ip, Instant::now()).is_ok()));
    }
}
