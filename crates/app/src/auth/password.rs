//! Argon2id hashing on a bounded pool: one hash per core at a time (each holds ~19 MiB),
//! off the async runtime.

use crate::AppError;
use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier as _, Version};
use std::sync::{Arc, OnceLock};
use tokio::sync::Semaphore;

/// Hashes and verifies passwords. Cheap to clone.
#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    permits: Arc<Semaphore>,
    dummy: Arc<OnceLock<String>>,
}

impl PasswordHasher {
    pub fn new(memory_kib: u32, iterations: u32) -> Self {
        let params = Params::new(memory_kib, iterations, 1, None).expect("argon2 parameters are valid");
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        Self { params, permits: Arc::new(Semaphore::new(cores)), dummy: Arc::new(OnceLock::new()) }
    }

    fn argon2(params: Params) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }

    /// The PHC string of `password`, with a fresh salt.
    pub async fn hash(&self, password: &str) -> Result<String, AppError> {
        let _permit = self.permits.acquire().await.map_err(|e| AppError::Internal(e.to_string()))?;
        let params = self.params.clone();
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || {
            Self::argon2(params)
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| AppError::Internal(format!("hashing failed: {e}")))
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
    }

    /// Whether `password` matches `phc`. With `None` it verifies against a dummy hash, so
    /// unknown users cost the same time as known ones.
    pub async fn verify(&self, password: &str, phc: Option<&str>) -> bool {
        let (phc, real) = match phc {
            Some(p) => (p.to_owned(), true),
            None => (self.dummy_hash(), false),
        };
        let Ok(_permit) = self.permits.acquire().await else { return false };
        let params = self.params.clone();
        let password = password.to_owned();
        let ok = tokio::task::spawn_blocking(move || {
            Self::argon2(params).verify_password(password.as_bytes(), phc.as_str()).is_ok()
        })
        .await
        .unwrap_or(false);
        ok && real
    }

    fn dummy_hash(&self) -> String {
        self.dummy
            .get_or_init(|| {
                Self::argon2(self.params.clone())
                    .hash_password(b"roster-dummy-password")
                    .map(|h| h.to_string())
                    .unwrap_or_default()
            })
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_own_password() {
        let h = PasswordHasher::new(1024, 1);
        let phc = h.hash("Correct-Horse-1").await.unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(h.verify("Correct-Horse-1", Some(&phc)).await);
        assert!(!h.verify("correct-horse-1", Some(&phc)).await);
        assert!(!h.verify("roster-dummy-password", None).await, "the dummy never matches");
    }
}
