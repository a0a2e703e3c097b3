//! One typed `Config`, merged from defaults < `--config` file < `ROSTER_…` environment <
//! command-line flags, and passed down explicitly (never a global).

use crate::cli::Common;
use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// The header trusted proxies write the client's address into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ForwardedHeader {
    /// `X-Forwarded-For` (nginx, HAProxy, most cloud load balancers).
    #[default]
    XForwardedFor,
    /// `Forwarded` (RFC 7239).
    Forwarded,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Address to listen on.
    pub bind: String,
    /// Home of the SQLite database and the mail outbox.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; empty means `sqlite://<data_dir>/roster.db`.
    pub database_url: String,
    /// The address people reach Roster at (for links); empty means `http://<bind>`.
    /// An `https://` address turns on `Secure` cookies and HSTS.
    pub public_url: String,
    /// Log format: `text` or `json` (one object per line on stderr). `RUST_LOG` sets levels.
    pub log_format: LogFormat,
    /// First start on an empty database only: the Primary Master Admin's email (with the
    /// password below). Both empty: a one-time setup link is printed instead.
    pub bootstrap_admin_email: String,
    /// First start only: the Primary Master Admin's password (prefer the environment).
    pub bootstrap_admin_password: String,
    /// `smtp://host:port` (or `smtps://…`) to deliver mail; empty writes `.eml` files into
    /// `<data_dir>/outbox`. Either way mail is first queued in the database with the change
    /// that causes it, and delivered by the worker of `roster serve`.
    pub smtp_url: String,
    /// Sender of Roster's mail.
    pub mail_from: String,
    /// Seconds before a failed delivery is tried again; each further failure doubles it.
    pub mail_retry_seconds: u32,
    /// The longest wait between two delivery attempts, in seconds.
    pub mail_retry_max_seconds: u32,
    /// Delivery attempts per message before it is given up (shown as failed to admins).
    pub mail_attempts: u32,
    /// Sign-in attempts allowed per client address and minute (per instance); 0 = no limit.
    pub login_rate_per_minute: u32,
    /// Requests allowed per API token and minute (per instance; 429 with `Retry-After`
    /// beyond); 0 = no limit.
    pub api_token_rate_per_minute: u32,
    /// Proxies (CIDR networks or addresses, comma-separated) whose forwarding header names
    /// the client's address. Empty: the socket peer is always the client.
    pub trusted_proxies: String,
    /// Which header the trusted proxies write: `x-forwarded-for` or `forwarded` (RFC 7239).
    /// Only that one is read: the other may come unchanged from the client.
    pub forwarded_header: ForwardedHeader,
    /// How long invitation links work, in hours.
    pub invitation_lifetime_hours: u32,
    /// How long password-reset links work, in minutes.
    pub password_reset_minutes: u32,
    /// How long deleted users stay restorable before they are purged, in days.
    pub deletion_retention_days: u32,
    /// Argon2id memory cost in KiB (OWASP: 19456). Lower only for tests.
    pub argon2_memory_kib: u32,
    /// Argon2id iterations (OWASP: 2). Lower only for tests.
    pub argon2_iterations: u32,
    /// `/metrics` on the main listener, for scrapers that send `Authorization: Bearer <token>`.
    /// Empty: not served there.
    pub metrics_token: String,
    /// A separate address serving only `/metrics`, without a token (e.g. `127.0.0.1:9090`,
    /// reachable by the Prometheus server alone). Empty: none. Metrics are off when this and
    /// `metrics_token` are both empty.
    pub metrics_bind: String,
    /// Connections served at once; more wait in the listen backlog until one closes.
    /// Keep it below the process's open-file limit (`ulimit -n`).
    pub max_connections: u32,
    /// Seconds a client has to send a complete request head (and an idle keep-alive
    /// connection to start its next request) before its connection is closed.
    pub header_read_timeout_seconds: u32,
    /// Seconds a request may take, body included, before it is answered 408.
    pub request_timeout_seconds: u32,
    /// After SIGTERM: seconds to keep serving while `/readyz` fails, so load balancers stop
    /// sending new requests first (5–10 behind a load balancer; 0 stops at once).
    pub shutdown_delay_seconds: u32,
    /// After SIGTERM (and the delay): seconds in-flight requests have to finish before
    /// they are cut.
    pub shutdown_timeout_seconds: u32,
}

impl Default for Config {
    fn default() -> Self {
        let auth = app::AuthSettings::default();
        let retry = app::mail::outbox::Retry::default();
        Self {
            bind: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            database_url: String::new(),
            public_url: String::new(),
            log_format: LogFormat::Text,
            bootstrap_admin_email: String::new(),
            bootstrap_admin_password: String::new(),
            smtp_url: String::new(),
            mail_from: "Roster <roster@localhost>".into(),
            mail_retry_seconds: (retry.first / app::clock::SECOND) as u32,
            mail_retry_max_seconds: (retry.max / app::clock::SECOND) as u32,
            mail_attempts: retry.attempts,
            login_rate_per_minute: 20,
            api_token_rate_per_minute: 600,
            trusted_proxies: String::new(),
            forwarded_header: ForwardedHeader::XForwardedFor,
            invitation_lifetime_hours: (auth.invitation_lifetime / app::clock::HOUR) as u32,
            password_reset_minutes: (auth.reset_link_lifetime / app::clock::MINUTE) as u32,
            deletion_retention_days: (auth.deletion_retention / app::clock::DAY) as u32,
            argon2_memory_kib: auth.argon2_memory_kib,
            argon2_iterations: auth.argon2_iterations,
            metrics_token: String::new(),
            metrics_bind: String::new(),
            max_connections: 1024,
            header_read_timeout_seconds: 10,
            request_timeout_seconds: 30,
            shutdown_delay_seconds: 0,
            shutdown_timeout_seconds: 30,
        }
    }
}

/// The password never reaches a log through `Debug`.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("data_dir", &self.data_dir)
            .field("database_url", &self.database_url_redacted())
            .field("public_url", &self.public_url)
            .field("smtp_url", &redact_url(&self.smtp_url))
            .field("bootstrap_admin_email", &self.bootstrap_admin_email)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("bootstrap_admin_password", &"[redacted]")
            .field("metrics_token", &if self.metrics_token.is_empty() { "" } else { "[redacted]" })
            .field("metrics_bind", &self.metrics_bind)
            .finish_non_exhaustive()
    }
}

/// A URL without its user and password.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***{}", &url[..s], &url[at..]),
        _ => url.to_owned(),
    }
}

/// Flags that only some commands have.
#[derive(Debug, Default)]
pub struct Overrides {
    pub bind: Option<String>,
}

impl Config {
    pub fn load(common: &Common, overrides: Overrides) -> anyhow::Result<Self> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = &common.config {
            anyhow::ensure!(file.exists(), "config file {} does not exist", file.display());
            fig = fig.merge(Toml::file(file));
        }
        fig = fig.merge(Env::prefixed("ROSTER_").split("__"));
        let mut config: Config = fig.extract().context("invalid configuration")?;
        config.trusted_proxies().context("invalid ROSTER_TRUSTED_PROXIES")?;
        if let Some(d) = &common.data_dir {
            config.data_dir.clone_from(d);
        }
        if let Some(u) = &common.database_url {
            config.database_url.clone_from(u);
        }
        if let Some(f) = common.log_format {
            config.log_format = f;
        }
        if let Some(b) = overrides.bind {
            config.bind = b;
        }
        Ok(config)
    }

    /// The database URL in force (the SQLite default filled in).
    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite://{}", self.data_dir.join("roster.db").display())
        } else {
            self.database_url.clone()
        }
    }

    /// Where people reach Roster, for links printed by commands: `public_url`, or
    /// `http://` + the bind address when it is not set (without a trailing slash).
    pub fn link_base(&self) -> String {
        if self.public_url.is_empty() {
            format!("http://{}", self.bind)
        } else {
            self.public_url.trim_end_matches('/').to_owned()
        }
    }

    /// The database URL without any password, for messages.
    pub fn database_url_redacted(&self) -> String {
        redact_url(&self.database_url())
    }

    pub fn bootstrap_admin(&self) -> Option<(&str, &str)> {
        (!self.bootstrap_admin_email.is_empty() && !self.bootstrap_admin_password.is_empty())
            .then_some((self.bootstrap_admin_email.as_str(), self.bootstrap_admin_password.as_str()))
    }

    pub fn mailer(&self) -> app::mail::Mailer {
        let transport = if self.smtp_url.is_empty() {
            app::mail::MailTransport::Outbox(self.data_dir.join("outbox"))
        } else {
            app::mail::MailTransport::Smtp { url: self.smtp_url.clone() }
        };
        let retry = app::mail::outbox::Retry {
            first: i64::from(self.mail_retry_seconds.max(1)) * app::clock::SECOND,
            max: i64::from(self.mail_retry_max_seconds) * app::clock::SECOND,
            attempts: self.mail_attempts.max(1),
        };
        app::mail::Mailer::new(transport, self.mail_from.clone()).with_retry(retry)
    }

    /// The parsed trusted-proxy list.
    pub fn trusted_proxies(&self) -> Result<web::TrustedProxies, web::BadProxy> {
        let header = match self.forwarded_header {
            ForwardedHeader::XForwardedFor => web::ForwardedHeader::XForwardedFor,
            ForwardedHeader::Forwarded => web::ForwardedHeader::Forwarded,
        };
        web::TrustedProxies::parse(&self.trusted_proxies, header)
    }

    /// Whether metrics are recorded and served somewhere.
    pub fn metrics_on(&self) -> bool {
        !self.metrics_token.is_empty() || !self.metrics_bind.is_empty()
    }

    /// Connection cap, header read timeout and drain deadline for the server loop.
    pub fn server_limits(&self) -> crate::serve::Limits {
        crate::serve::Limits {
            max_connections: self.max_connections as usize,
            header_read_timeout: std::time::Duration::from_secs(self.header_read_timeout_seconds.into()),
            drain_deadline: std::time::Duration::from_secs(self.shutdown_timeout_seconds.into()),
        }
    }

    pub fn auth_settings(&self) -> app::AuthSettings {
        use app::clock::{DAY, HOUR, MINUTE};
        app::AuthSettings {
            argon2_memory_kib: self.argon2_memory_kib,
            argon2_iterations: self.argon2_iterations,
            invitation_lifetime: i64::from(self.invitation_lifetime_hours) * HOUR,
            reset_link_lifetime: i64::from(self.password_reset_minutes) * MINUTE,
            deletion_retention: i64::from(self.deletion_retention_days) * DAY,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_database_lives_in_the_data_dir() {
        let c = Config::default();
        assert_eq!(c.database_url(), "sqlite://./data/roster.db");
    }

    #[test]
    fn the_shipped_default_toml_matches_the_built_in_defaults() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/default.toml");
        let from_file: Config = Figment::from(Toml::file(path)).extract().expect("config/default.toml parses");
        assert_eq!(format!("{from_file:?}"), format!("{:?}", Config::default()));
        assert_eq!(from_file.mail_from, Config::default().mail_from);
        assert_eq!(from_file.argon2_memory_kib, Config::default().argon2_memory_kib);
    }

    #[test]
    fn passwords_never_show() {
        let c = Config {
            database_url: "postgres://u:secret@db/roster".into(),
            bootstrap_admin_password: "Hunter2-secret".into(),
            ..Config::default()
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert_eq!(c.database_url_redacted(), "postgres://***@db/roster");
    }
}
