//! The context every use case runs in: the database and the settings that shape auth.

use crate::auth::password::PasswordHasher;
use store::Db;

/// Knobs of sign-in that come from configuration.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// Absolute lifetime of a session, in seconds.
    pub session_lifetime_secs: i64,
    /// Argon2 memory cost in KiB (19,456 in production; tests lower it).
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self { session_lifetime_secs: 12 * 3600, argon2_memory_kib: 19_456, argon2_iterations: 2 }
    }
}

/// Shared by every request; cheap to clone.
#[derive(Clone)]
pub struct AppCtx {
    pub db: Db,
    pub auth: AuthSettings,
    pub hasher: PasswordHasher,
}

impl AppCtx {
    pub fn new(db: Db, auth: AuthSettings) -> Self {
        let hasher = PasswordHasher::new(auth.argon2_memory_kib, auth.argon2_iterations);
        Self { db, auth, hasher }
    }
}
