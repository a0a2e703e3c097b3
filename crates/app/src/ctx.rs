//! The context every use case runs in: the database and the settings that shape auth.

use crate::auth::activity::Activity;
use crate::auth::password::PasswordHasher;
use crate::clock::{Clock, Micros};
use crate::mail::Mailer;
use store::Db;

/// Knobs of sign-in that come from configuration (the rest are per-account security
/// settings in the database).
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// Argon2 memory cost in KiB (19,456 in production; tests lower it).
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    /// How long an invitation link works.
    pub invitation_lifetime: Micros,
    /// How long a password-reset link works.
    pub reset_link_lifetime: Micros,
    /// How long a deleted user stays restorable before the purge.
    pub deletion_retention: Micros,
    /// Which OpenID provider URLs single sign-on may use (plain http to a loopback host
    /// only when the operator sets `sso_allow_insecure_issuer`).
    pub sso_provider_urls: domain::sso::ProviderUrls,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            argon2_memory_kib: 19_456,
            argon2_iterations: 2,
            invitation_lifetime: crate::invitations::INVITATION_LIFETIME,
            reset_link_lifetime: crate::password_reset::RESET_LINK_LIFETIME,
            deletion_retention: crate::deletion::RETENTION,
            sso_provider_urls: domain::sso::ProviderUrls::HttpsOnly,
        }
    }
}

/// Shared by every request; cheap to clone.
#[derive(Clone)]
pub struct AppCtx {
    pub db: Db,
    pub auth: AuthSettings,
    pub hasher: PasswordHasher,
    pub mailer: Mailer,
    /// What the session check reads the time from (tests move a manual one).
    pub clock: Clock,
    /// Session activity noted by the session check, saved in batches.
    pub activity: Activity,
    /// The OpenID providers' discovery documents and keys (single sign-on).
    pub sso: crate::sso::Providers,
}

impl AppCtx {
    pub fn new(db: Db, auth: AuthSettings, mailer: Mailer) -> Self {
        let hasher = PasswordHasher::new(auth.argon2_memory_kib, auth.argon2_iterations);
        let sso = crate::sso::Providers::new(auth.sso_provider_urls);
        Self { db, auth, hasher, mailer, clock: Clock::system(), activity: Activity::default(), sso }
    }

    /// The same context reading the time from `clock`.
    #[must_use]
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }
}
