//! One typed `Config`, merged from defaults < `--config` file < `ROSTER_…` environment <
//! command-line flags, and passed down explicitly (never a global).

use crate::cli::Common;
use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::value::Value;
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

/// The header trusted proxies write the client's address into. Read in any case (header
/// names are case-insensitive: `X-Forwarded-For` and `x-forwarded-for` are one header).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ForwardedHeader {
    /// `X-Forwarded-For` (nginx, HAProxy, most cloud load balancers).
    #[default]
    XForwardedFor,
    /// `Forwarded` (RFC 7239).
    Forwarded,
}

impl<'de> Deserialize<'de> for ForwardedHeader {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        match name.trim().to_ascii_lowercase().as_str() {
            "x-forwarded-for" => Ok(Self::XForwardedFor),
            "forwarded" => Ok(Self::Forwarded),
            _ => Err(serde::de::Error::invalid_value(
                serde::de::Unexpected::Str(&name),
                &"x-forwarded-for or forwarded (in any case)",
            )),
        }
    }
}

/// Unknown keys are refused (a misspelled key in the `--config` file would otherwise be
/// ignored without a word, its default silently in force).
#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
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
    /// Which header the trusted proxies write: `x-forwarded-for` or `forwarded` (RFC 7239),
    /// in any case. Only that one is read: the other may come unchanged from the client.
    pub forwarded_header: ForwardedHeader,
    /// How long invitation links work, in hours.
    pub invitation_lifetime_hours: u32,
    /// How long password-reset links work, in minutes.
    pub password_reset_minutes: u32,
    /// How long deleted users stay restorable before they are purged, in days.
    pub deletion_retention_days: u32,
    /// Allow single sign-on with an OpenID provider over plain `http://` on a loopback host
    /// (`localhost`, 127.0.0.0/8, `::1`): for a test provider on this machine, never in
    /// production. Off: issuers, key sets and token endpoints must be `https://`.
    pub sso_allow_insecure_issuer: bool,
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
            sso_allow_insecure_issuer: false,
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
        // Only the variables that name a setting: other `ROSTER_…` variables (a script's own)
        // are none of the configuration's business, unlike the file's keys.
        let known: Vec<String> = match Value::serialize(Config::default()) {
            Ok(Value::Dict(_, dict)) => dict.into_keys().collect(),
            _ => Vec::new(),
        };
        let env = Env::prefixed("ROSTER_").filter(move |key| {
            known.iter().any(|k| key.as_str().split("__").next().is_some_and(|top| top.eq_ignore_ascii_case(k)))
        });
        fig = fig.merge(env.split("__"));
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

    /// A warning when links would point at an address nobody can open: no `public_url`, and
    /// a bind address of every interface (`0.0.0.0`, `::`), which `link_base` would print.
    pub fn unreachable_links(&self) -> Option<String> {
        let host = self.bind.rsplit_once(':').map_or(self.bind.as_str(), |(h, _)| h);
        let every = matches!(host.trim_start_matches('[').trim_end_matches(']'), "0.0.0.0" | "::" | "");
        (self.public_url.is_empty() && every).then(|| {
            format!(
                "links (setup, invitations, password resets) would point at http://{}, which no browser can open; \
                 set ROSTER_PUBLIC_URL to the address people use (e.g. https://roster.example.com)",
                self.bind
            )
        })
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
            sso_provider_urls: domain::sso::ProviderUrls::of(self.sso_allow_insecure_issuer),
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
        assert_eq!(from_file.sso_allow_insecure_issuer, Config::default().sso_allow_insecure_issuer);
    }

    fn load_file(toml: &str) -> anyhow::Result<Config> {
        // One file per call: tests run in parallel threads of one process.
        static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let file = std::env::temp_dir().join(format!("roster-config-{}-{n}.toml", std::process::id()));
        std::fs::write(&file, toml).unwrap();
        let common = Common { config: Some(file.clone()), ..Common::default() };
        let loaded = Config::load(&common, Overrides::default());
        std::fs::remove_file(&file).ok();
        loaded
    }

    #[test]
    fn a_misspelled_key_in_the_config_file_is_refused_by_name() {
        let err = load_file("bind = \"127.0.0.1:9000\"\nmetrics_tokn = \"x\"\n").expect_err("refused");
        assert!(format!("{err:#}").contains("metrics_tokn"), "{err:#}");
        assert_eq!(load_file("bind = \"127.0.0.1:9000\"\n").unwrap().bind, "127.0.0.1:9000");
    }

    #[test]
    fn the_forwarded_header_is_read_in_any_case() {
        for (name, want) in [
            ("X-Forwarded-For", ForwardedHeader::XForwardedFor),
            ("x-forwarded-for", ForwardedHeader::XForwardedFor),
            ("Forwarded", ForwardedHeader::Forwarded),
            ("FORWARDED", ForwardedHeader::Forwarded),
        ] {
            let c = load_file(&format!("forwarded_header = \"{name}\"\n")).unwrap();
            assert_eq!(c.forwarded_header, want, "{name}");
        }
        assert!(load_file("forwarded_header = \"X-Real-IP\"\n").is_err());
    }

    #[test]
    fn links_to_every_interface_are_warned_about() {
        let on = |bind: &str, public_url: &str| {
            Config { bind: bind.into(), public_url: public_url.into(), ..Config::default() }.unreachable_links()
        };
        for bind in ["0.0.0.0:8080", "[::]:8080", ":8080"] {
            let warning = on(bind, "").unwrap_or_else(|| panic!("{bind}"));
            assert!(warning.contains("set ROSTER_PUBLIC_URL"), "{warning}");
        }
        assert_eq!(on("0.0.0.0:8080", "https://roster.example.com"), None);
        assert_eq!(on("127.0.0.1:8080", ""), None);
        assert_eq!(on("roster.internal:8080", ""), None);
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
