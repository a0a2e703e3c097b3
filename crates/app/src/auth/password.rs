//! Argon2id hashing on its own threads, one per core: a burst of sign-ins queues instead of
//! running more hashes at once than the cores can (each needs ~19 MiB of blocks). Each thread
//! keeps its Argon2 blocks and reuses them for every hash and verify, so memory stays at
//! cores × 19 MiB whatever the burst: tokio's blocking pool spread the hashes over up to 512
//! threads (51 → 388 MiB measured after a 5-second burst), and even on fixed threads an
//! allocation per verify left ~235 MiB in glibc's arenas after a 30-second burst.

use crate::AppError;
use argon2::password_hash::phc::{Output, ParamsString, Salt};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};
use domain::user::PasswordCheck;
use std::cell::RefCell;
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

    /// The PHC string of `password`, with a fresh salt.
    pub async fn hash(&self, password: &str) -> Result<String, AppError> {
        let params = self.params.clone();
        let password = password.to_owned();
        self.run(move || {
            hash_phc(&params, password.as_bytes()).map_err(|e| AppError::Internal(format!("hashing failed: {e}")))
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
        let password = password.to_owned();
        let kept = self.params.block_count();
        let ok = self.run(move || verify_phc(password.as_bytes(), &phc, kept)).await.unwrap_or(false);
        match (real, ok) {
            (false, _) => PasswordCheck::Unset,
            (true, true) => PasswordCheck::Matches,
            (true, false) => PasswordCheck::Differs,
        }
    }

    fn dummy_hash(&self) -> String {
        self.dummy.get_or_init(|| hash_phc(&self.params, b"roster-dummy-password").unwrap_or_default()).clone()
    }
}

thread_local! {
    /// This hashing thread's Argon2 blocks for the hasher's own parameters (1 KiB each,
    /// `m_cost` of them), reused by every hash and verify of those parameters.
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs Argon2 with `params` into `out`. Hashes of the hasher's own parameters (`kept`
/// blocks) run in this thread's reused blocks; others (a hash stored under older or imported
/// parameters) in blocks allocated for the call and freed after it, so one odd hash cannot
/// pin its memory to the thread. Allocation is fallible: a cost this machine cannot afford
/// (`m=4294967295` in a tampered or imported hash) is [`argon2::Error::OutOfMemory`], never
/// an abort of the server.
fn argon2_into(
    algorithm: Algorithm,
    version: Version,
    params: Params,
    kept: usize,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> argon2::Result<()> {
    let count = params.block_count();
    let argon2 = Argon2::new(algorithm, version, params);
    if count != kept {
        return argon2.hash_password_into_with_memory(password, salt, out, blocks(count)?);
    }
    BLOCKS.with_borrow_mut(|reused| {
        if reused.len() != count {
            *reused = blocks(count)?;
        }
        argon2.hash_password_into_with_memory(password, salt, out, &mut reused[..])
    })
}

/// `count` zeroed Argon2 blocks, or `OutOfMemory` when they cannot be allocated.
fn blocks(count: usize) -> argon2::Result<Vec<Block>> {
    let mut blocks = Vec::new();
    blocks.try_reserve_exact(count).map_err(|_| argon2::Error::OutOfMemory)?;
    blocks.resize(count, Block::default());
    Ok(blocks)
}

/// The PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`) of `password` under `params`,
/// with a fresh 16-byte salt (RFC 9106, the PHC string format).
fn hash_phc(params: &Params, password: &[u8]) -> Result<String, argon2::password_hash::Error> {
    let salt = argon2::password_hash::try_generate_salt().map_err(|_| argon2::password_hash::Error::Crypto)?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    let len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN).min(out.len());
    let kept = params.block_count();
    argon2_into(Algorithm::Argon2id, Version::V0x13, params.clone(), kept, password, &salt, &mut out[..len])?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params)?,
        salt: Some(Salt::new(&salt)?),
        hash: Some(Output::new(&out[..len])?),
    };
    Ok(hash.to_string())
}

/// Whether `password` matches `phc`, computed with the parameters, salt and algorithm the
/// PHC string names; the outputs are compared in constant time (`Output`'s equality). A
/// string that does not parse, or whose cost cannot be afforded, is no match. `kept`: the
/// block count of the hasher's own parameters ([`argon2_into`]).
fn verify_phc(password: &[u8], phc: &str, kept: usize) -> bool {
    let verify = || -> Result<bool, argon2::password_hash::Error> {
        let hash = PasswordHash::new(phc)?;
        let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else { return Ok(false) };
        let algorithm = Algorithm::try_from(hash.algorithm.as_str())?;
        let version = hash.version.map(Version::try_from).transpose()?.unwrap_or_default();
        let params = Params::try_from(&hash)?;
        let mut out = vec![0u8; expected.len()];
        argon2_into(algorithm, version, params, kept, password, salt, &mut out)?;
        Ok(Output::new(&out)? == *expected)
    };
    verify().unwrap_or(false)
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

    /// Hashes made by the `argon2` crate's own hasher (every hash stored before the reused
    /// blocks, and those of other parameters) verify here, and ours verify there.
    #[tokio::test]
    async fn the_phc_strings_agree_with_the_argon2_crate() {
        use argon2::{PasswordHasher as _, PasswordVerifier as _};
        let h = PasswordHasher::new(1024, 1);
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(2048, 2, 1, None).unwrap())
            .hash_password(b"Old-Password-9")
            .unwrap()
            .to_string();
        assert!(h.verify("Old-Password-9", Some(&theirs)).await, "other parameters than ours");
        assert!(!h.verify("Old-Password-8", Some(&theirs)).await);
        let ours = h.hash("New-Password-7").await.unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert_eq!(parsed.params.to_string(), "m=1024,t=1,p=1");
        assert!(Argon2::default().verify_password(b"New-Password-7", &parsed).is_ok());
        assert!(Argon2::default().verify_password(b"New-Password-6", &parsed).is_err());
        assert_ne!(h.hash("New-Password-7").await.unwrap(), ours, "a fresh salt each time");
    }

    /// A stored hash whose memory cost cannot be allocated (4 TiB: the allocator refuses at
    /// once, nothing is touched) is no match, not an abort of the whole server.
    #[tokio::test]
    async fn an_unaffordable_memory_cost_is_no_match() {
        let h = PasswordHasher::new(1024, 1);
        let huge = "$argon2id$v=19$m=4294967295,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$\
                    AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        assert_eq!(h.check("anything", Some(huge)).await, PasswordCheck::Differs);
        let phc = h.hash("Still-Works-5").await.unwrap();
        assert!(h.verify("Still-Works-5", Some(&phc)).await, "the hashing threads live on");
    }
}
