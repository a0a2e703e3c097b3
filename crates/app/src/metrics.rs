//! Roster's Prometheus metrics: every name in one place, and the functions application code
//! calls to record them (through the `metrics` facade; without an installed recorder — metrics
//! off — each call is a no-op).
//!
//! Two kinds of series:
//! - **Per instance**, recorded as things happen (sum them across instances): HTTP latency and
//!   in-flight requests, sign-ins by outcome, lockouts, mail sent / failed by this
//!   instance's outbox worker, the pool's acquire wait.
//! - **Database-wide**, read from the database at each scrape ([`SESSIONS_LIVE`],
//!   [`SESSIONS_CREATED`], [`SESSIONS_ENDED`], [`MAIL_QUEUED`]): every instance reports the
//!   same value, so aggregate them with `max`, not `sum`. The pool gauges and
//!   [`BUILD_INFO`] are also written at scrape time, per instance.
//!
//! Names follow Prometheus conventions: `roster_` prefix, base units (seconds), `_total` on
//! counters.

use crate::{AppCtx, AppError};
use metrics::{Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use store::session_tallies::SessionTallies;
use store::{Backend, PoolStats};

/// Histogram, seconds; labels `method`, `route` (the route template, e.g.
/// `/api/v1/users/{id}`, or `unmatched`), `status` (`2xx` … `5xx`).
pub const HTTP_REQUEST_DURATION: &str = "roster_http_request_duration_seconds";
/// Gauge: requests being handled now.
pub const HTTP_REQUESTS_IN_FLIGHT: &str = "roster_http_requests_in_flight";
/// Counter; label `outcome`: `succeeded`, `failed` (wrong or unknown credentials, or a user
/// who may not sign in), `locked` (refused because the user is locked), `rate_limited` (429).
pub const SIGN_INS: &str = "roster_sign_ins_total";
/// Counter: users locked by failed sign-ins.
pub const LOCKOUTS: &str = "roster_lockouts_total";
/// Counter: messages the outbox worker handed to the SMTP server or wrote to the outbox
/// directory.
pub const MAIL_SENT: &str = "roster_mail_sent_total";
/// Counter: delivery attempts that failed (each is retried with backoff, or given up).
pub const MAIL_FAILED: &str = "roster_mail_failed_total";
/// Gauge, database-wide: messages in the outbox waiting for delivery (queued with their
/// change, not yet sent or given up).
pub const MAIL_QUEUED: &str = "roster_mail_queued";
/// Histogram, seconds: how long a query waited for a database connection from the pool.
pub const DB_POOL_ACQUIRE: &str = "roster_db_pool_acquire_seconds";
/// Gauge; label `state`: `idle` or `in_use` connections of this instance's pool.
pub const DB_POOL_CONNECTIONS: &str = "roster_db_pool_connections";
/// Gauge: the pool's size limit.
pub const DB_POOL_MAX: &str = "roster_db_pool_max_connections";
/// Gauge, database-wide: sessions created and not yet ended (signed out, killed, expired…).
/// Kept by database triggers, never by counting rows; sessions past their absolute lifetime
/// are ended by a sweep every minute, idle ones at their next request.
pub const SESSIONS_LIVE: &str = "roster_sessions_live";
/// Counter, database-wide: sessions ever created.
pub const SESSIONS_CREATED: &str = "roster_sessions_created_total";
/// Counter, database-wide; label `cause`: `signed_out`, `killed`, `expired`, `locked`,
/// `reported`, `suspended`, `deleted`, `password_reset`, `password_changed`.
pub const SESSIONS_ENDED: &str = "roster_sessions_ended_total";
/// Gauge, always 1; labels `version` and `backend` (`sqlite` or `postgres`).
pub const BUILD_INFO: &str = "roster_build_info";

/// How a sign-in attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignIn {
    Succeeded,
    Failed,
    Locked,
    RateLimited,
}

impl SignIn {
    fn label(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Locked => "locked",
            Self::RateLimited => "rate_limited",
        }
    }
}

/// Counts one sign-in attempt.
pub fn sign_in(outcome: SignIn) {
    counter!(SIGN_INS, "outcome" => outcome.label()).increment(1);
}

/// Counts one user locked by failed sign-ins.
pub fn lockout() {
    counter!(LOCKOUTS).increment(1);
}

/// Counts one message delivered (to the SMTP server or the outbox directory).
pub fn mail_sent() {
    counter!(MAIL_SENT).increment(1);
}

/// Counts one failed delivery attempt.
pub fn mail_failed() {
    counter!(MAIL_FAILED).increment(1);
}

/// Records one wait for a pool connection, in seconds.
pub fn pool_acquired(wait_seconds: f64) {
    histogram!(DB_POOL_ACQUIRE).record(wait_seconds);
}

/// Registers the help text and unit of every per-instance series with the installed
/// recorder (once, at start-up).
pub fn describe() {
    describe_histogram!(
        HTTP_REQUEST_DURATION,
        Unit::Seconds,
        "HTTP request latency by route template and status class"
    );
    describe_gauge!(HTTP_REQUESTS_IN_FLIGHT, "HTTP requests being handled now");
    describe_counter!(SIGN_INS, "Sign-in attempts by outcome");
    describe_counter!(LOCKOUTS, "Users locked by failed sign-ins");
    describe_counter!(MAIL_SENT, "Messages delivered");
    describe_counter!(MAIL_FAILED, "Message delivery attempts that failed");
    describe_histogram!(DB_POOL_ACQUIRE, Unit::Seconds, "Time a query waited for a database connection");
}

/// The values read at scrape time: database-wide session counts, this instance's pool, and
/// what is running.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub sessions: SessionTallies,
    /// Messages waiting in the outbox.
    pub mail_queued: i64,
    pub pool: PoolStats,
    pub backend: Backend,
}

/// Reads the scrape-time values (a handful of rows from `session_tallies`, and a count
/// of pending outbox rows from its partial index).
pub async fn snapshot(ctx: &AppCtx) -> Result<Snapshot, AppError> {
    let sessions = store::session_tallies::read(&ctx.db).await?;
    let mail_queued = store::outbox::pending_count(&ctx.db).await?;
    Ok(Snapshot { sessions, mail_queued, pool: ctx.db.pool_stats(), backend: ctx.db.backend() })
}

impl Snapshot {
    /// Records the snapshot into the current recorder (the scrape's own).
    pub fn record(&self) {
        describe_gauge!(SESSIONS_LIVE, "Sessions created and not yet ended, in the whole database");
        describe_counter!(SESSIONS_CREATED, "Sessions ever created, in the whole database");
        describe_counter!(SESSIONS_ENDED, "Sessions ended, by cause, in the whole database");
        describe_gauge!(MAIL_QUEUED, "Messages waiting in the outbox for delivery, in the whole database");
        describe_gauge!(DB_POOL_CONNECTIONS, "Connections of this instance's database pool, by state");
        describe_gauge!(DB_POOL_MAX, "The most connections this instance's database pool opens");
        describe_gauge!(BUILD_INFO, "Always 1; the labels say what is running");
        gauge!(SESSIONS_LIVE).set(self.sessions.live() as f64);
        counter!(SESSIONS_CREATED).absolute(self.sessions.created);
        for (cause, n) in &self.sessions.ended {
            counter!(SESSIONS_ENDED, "cause" => cause.clone()).absolute(*n);
        }
        gauge!(MAIL_QUEUED).set(self.mail_queued as f64);
        gauge!(DB_POOL_CONNECTIONS, "state" => "idle").set(f64::from(self.pool.idle));
        gauge!(DB_POOL_CONNECTIONS, "state" => "in_use").set(f64::from(self.pool.size.saturating_sub(self.pool.idle)));
        gauge!(DB_POOL_MAX).set(f64::from(self.pool.max));
        let backend = match self.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        };
        gauge!(BUILD_INFO, "version" => env!("CARGO_PKG_VERSION"), "backend" => backend).set(1.0);
    }
}
