//! Argon2id hashing on its own threads, one per core: a burst of sign-ins queues instead of
//! running more hashes at once than the cores can (each holds ~19 MiB), and the same few
//! threads reuse the memory their allocator keeps (tokio's blocking pool would spread the
//! hashes over up to 512 threads, each keeping its own arena: 51 → 388 MiB measured after a
//! 5-second burst).

use crate::AppError;
use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher as _, PasswordVerifier as _, Version};
use domain::user::PasswordCheck;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, OnceLock};

type Job = Box<dyn FnOnce() + Send>;

/// Hashes and verifies passwords. Cheap to clone; clones share the threads.
#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    jobs: Sender<Job>,
    dummy: Arc<OnceLock<String>>,
}

impl PasswordHasher {
    pub fn new(memory_kib: u32, iterations: u32) -> Self {
        let params = Params::new(memory_kib, iterations, 1, None).expect("argon2 parameters are valid");
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let (jobs, queue) = channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..cores {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || work(&queue))
                .expect("a hashing thread starts");
        }
        Self { params, jobs, dummy: Arc::new(OnceLock::new()) }
    }

    /// Runs `f` on a hashing thread and waits (asynchronously) for its result.
    async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let _ = tx.send(f());
            }))
            .map_err(|_| AppError::Internal("the hashing threads stopped".into()))?;
        rx.await.map_err(|_| AppError::Internal("a hashing thread failed".into()))
    }

    fn argon2(params: Params) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }

    /// The PHC string of `password`, with a fresh salt.
    pub async fn hash(&self, password: &str) -> Result<String, AppError> {
        let params = self.params.clone();
        let password = password.to_owned();
        self.run(move || {
            Self::argon2(params)
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| AppError::Internal(format!("hashing failed: {e}")))
        })
        .await?
    }

    /// Whether `password` matches `phc`; see [`Self::check`].
    pub async fn verify(&self, password: &str, phc: Option<&str>) -> bool {
        self.check(password, phc).await == PasswordCheck::Matches
    }

    /// Checks `password` against `phc` (a PHC string). Exactly one Argon2 verification
    /// runs whatever the input: without a usable hash (none, or one that does not parse)
    /// it runs against a fixed dummy hash of the same parameters and answers
    /// [`PasswordCheck::Unset`], so users without a password, unknown users and known ones
    /// cost the same time.
    pub async fn check(&self, password: &str, phc: Option<&str>) -> PasswordCheck {
        let usable = phc.filter(|p| PasswordHash::new(p).is_ok()).map(str::to_owned);
        let real = usable.is_some();
        let phc = usable.unwrap_or_else(|| self.dummy_hash());
        let params = self.params.clone();
        let password = password.to_owned();
        let ok = self
            .run(move || Self::argon2(params).verify_password(password.as_bytes(), phc.as_str()).is_ok())
            .await
            .unwrap_or(false);
        match (real, ok) {
            (false, _) => PasswordCheck::Unset,
            (true, true) => PasswordCheck::Matches,
            (true, false) => PasswordCheck::Differs,
        }
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

/// A hashing thread: runs jobs until every [`PasswordHasher`] clone is gone.
fn work(queue: &Mutex<Receiver<Job>>) {
    loop {
        let job = match queue.lock() {
            Ok(q) => q.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
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
        assert_eq!(h.check("Correct-Horse-1", Some(&phc)).await, PasswordCheck::Matches);
        assert_eq!(h.check("Correct-Horse-2", Some(&phc)).await, PasswordCheck::Differs);
        assert_eq!(h.check("roster-dummy-password", Some("not a PHC string")).await, PasswordCheck::Unset);
    }
}
