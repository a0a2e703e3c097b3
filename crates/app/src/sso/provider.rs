//! What the OpenID provider publishes — discovery (OpenID Connect Discovery 1.0 §4) and its
//! signing keys — cached per issuer. `openidconnect` reads the keys once at discovery; a
//! provider that rotates keys signs new tokens with a key id (`kid`) we have not seen, so
//! [`Providers::refetch_keys`] fetches the key set again — at most once per
//! [`KEY_REFETCH_INTERVAL`] per issuer, so forged tokens naming random key ids cannot make
//! us hammer the provider.
//!
//! Callbacks arriving together after a rotation all miss the new key. They queue on the
//! issuer's refetch lock: the first fetches, the others find a refetch within the interval
//! and take the key set it cached — so every one of them verifies against the new keys,
//! and the provider sees one fetch.

use super::http::{ProviderHttp, ProviderHttpError};
use openidconnect::core::{CoreJsonWebKeySet, CoreProviderMetadata};
use openidconnect::{DiscoveryError, IssuerUrl};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a discovery document is reused before it is fetched again.
pub const DISCOVERY_TTL: Duration = Duration::from_hours(1);
/// The least time between two key-set refetches for unknown key ids, per issuer.
pub const KEY_REFETCH_INTERVAL: Duration = Duration::from_secs(30);

struct Entry {
    metadata: CoreProviderMetadata,
    fetched: Instant,
}

/// When an issuer's key set was last refetched; held across the fetch, so refetches of one
/// issuer run one at a time.
type RefetchLock = Arc<tokio::sync::Mutex<Option<Instant>>>;

/// The providers' published metadata, shared by every request.
#[derive(Clone, Default)]
pub struct Providers {
    pub(crate) http: ProviderHttp,
    cache: Arc<Mutex<HashMap<String, Entry>>>,
    refetches: Arc<Mutex<HashMap<String, RefetchLock>>>,
}

/// Why the provider's metadata could not be had, in words for an admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderProblem(pub String);

impl Providers {
    /// An empty cache whose requests go only to the provider URLs `urls` allows.
    pub fn new(urls: domain::sso::ProviderUrls) -> Self {
        Self { http: ProviderHttp::new(urls), cache: Arc::default(), refetches: Arc::default() }
    }

    /// Which provider URLs the operator allows (`sso_allow_insecure_issuer`).
    pub fn urls(&self) -> domain::sso::ProviderUrls {
        self.http.urls()
    }

    /// The issuer's metadata and keys, from the cache when fresh.
    pub async fn metadata(&self, issuer: &str) -> Result<CoreProviderMetadata, ProviderProblem> {
        if let Some(e) = self.cache.lock().expect("provider cache").get(issuer)
            && e.fetched.elapsed() < DISCOVERY_TTL
        {
            return Ok(e.metadata.clone());
        }
        self.discover(issuer).await
    }

    /// Fetches discovery and keys now (the connection test; a stale cache), caching them.
    pub async fn discover(&self, issuer: &str) -> Result<CoreProviderMetadata, ProviderProblem> {
        let url = IssuerUrl::new(issuer.to_owned())
            .map_err(|e| ProviderProblem(format!("the issuer {issuer:?} is not a URL: {e}")))?;
        let metadata = CoreProviderMetadata::discover_async(url, &self.http).await.map_err(|e| explain(issuer, &e))?;
        if metadata.jwks().keys().is_empty() {
            return Err(ProviderProblem("the provider's key set (its jwks_uri) holds no signing keys".into()));
        }
        let entry = Entry { metadata: metadata.clone(), fetched: Instant::now() };
        self.cache.lock().expect("provider cache").insert(issuer.to_owned(), entry);
        Ok(metadata)
    }

    /// The metadata with a key set at least as new as the one a token's unknown key id was
    /// looked up in: fetched again now, or — when a refetch for this issuer ran less than
    /// [`KEY_REFETCH_INTERVAL`] ago (another callback's, perhaps while this one waited for
    /// it) — the set that refetch cached. A failed fetch leaves the cached set (the token
    /// is refused then). `None` only when the issuer is not cached at all.
    pub async fn refetch_keys(&self, issuer: &str) -> Option<CoreProviderMetadata> {
        let lock = self.refetches.lock().expect("refetch locks").entry(issuer.to_owned()).or_default().clone();
        let mut last = lock.lock().await;
        let cached = self.cache.lock().expect("provider cache").get(issuer).map(|e| e.metadata.clone())?;
        if last.is_some_and(|t| t.elapsed() < KEY_REFETCH_INTERVAL) {
            return Some(cached);
        }
        *last = Some(Instant::now());
        let keys = match CoreJsonWebKeySet::fetch_async(cached.jwks_uri(), &self.http).await {
            Ok(k) => k,
            Err(e) => {
                tracing::warn!(issuer, error = %e, "refetching the provider's keys failed");
                return Some(cached);
            }
        };
        let metadata = cached.set_jwks(keys);
        if let Some(e) = self.cache.lock().expect("provider cache").get_mut(issuer) {
            e.metadata = metadata.clone();
        }
        Some(metadata)
    }
}

/// What went wrong with discovery, naming the URL and the kind of failure — never what
/// the provider sent (its body, or values from it: the URL fetched may be anyone's).
fn explain(issuer: &str, e: &DiscoveryError<ProviderHttpError>) -> ProviderProblem {
    let discovery = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
    ProviderProblem(match e {
        DiscoveryError::Request(r) => format!("cannot reach the provider ({discovery}, or its key set): {r}"),
        DiscoveryError::Response(status, _, _) if *status == reqwest::StatusCode::OK => {
            format!("the provider's discovery document or key set is not JSON (its Content-Type) ({discovery})")
        }
        DiscoveryError::Response(status, _, _) => {
            format!("the provider answered HTTP {} for discovery or its keys ({discovery})", status.as_u16())
        }
        DiscoveryError::Parse(p) => format!(
            "the discovery document or key set is not valid OpenID JSON (at {}, line {} column {})",
            p.path(),
            p.inner().line(),
            p.inner().column()
        ),
        DiscoveryError::Validation(_) => format!(
            "the discovery document names another issuer than {issuer:?}: the issuer must be exactly as the \
             provider publishes it (a trailing slash counts)"
        ),
        _ => format!("discovery failed ({discovery})"),
    })
}
