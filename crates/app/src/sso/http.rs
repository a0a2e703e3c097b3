//! The HTTP client `openidconnect` calls the provider through (discovery, keys, token
//! endpoint): reqwest over rustls with the ring provider, no redirects followed (OpenID
//! endpoints answer directly; following them would let a provider point us elsewhere),
//! bounded time and a bounded answer ([`MAX_BODY`]), and only to URLs a provider may have
//! ([`domain::sso::provider_url_allowed`]: https; plain http only to loopback hosts, and
//! only where the operator allows it) — whatever a discovery document names as its key set
//! or token endpoint.

use domain::sso::ProviderUrls;
use openidconnect::{HttpRequest, HttpResponse};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// How long one request to the provider may take in all.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The most bytes of one answer read (discovery documents and key sets are a few KiB).
pub const MAX_BODY: usize = 512 * 1024;

/// Why a request to the provider was not made or not read: the kind of failure only. Its
/// text never carries what the provider sent, nor the URL (a discovery document may have
/// named it, and reqwest's own error text repeats it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProviderHttpError {
    #[error(
        "the provider named a URL that is not https:// (plain http:// is allowed only to localhost, 127.0.0.0/8 and \
         ::1, and only where the operator sets sso_allow_insecure_issuer)"
    )]
    NotAllowed,
    #[error("the answer is larger than {MAX_BODY} bytes")]
    TooLarge,
    #[error("no answer within {} seconds", TIMEOUT.as_secs())]
    Timeout,
    #[error("the host name does not resolve (DNS)")]
    Dns,
    #[error("the connection was refused")]
    Refused,
    #[error("the TLS handshake failed (an untrusted or mismatched certificate, or no TLS spoken there)")]
    Tls,
    #[error("cannot connect to the host")]
    Connect,
    #[error("the exchange broke off while sending the request or reading the answer")]
    Broken,
}

impl From<reqwest::Error> for ProviderHttpError {
    /// The kind of `e`, read from its chain of causes (hyper-util names a failed lookup
    /// `"dns error"`; rustls and the OS errors are typed).
    fn from(e: reqwest::Error) -> Self {
        let causes = || causes_of(&e);
        if e.is_timeout() {
            Self::Timeout
        } else if causes().any(|c| c.downcast_ref::<rustls::Error>().is_some()) {
            Self::Tls
        } else if !e.is_connect() {
            Self::Broken
        } else if causes().any(|c| c.to_string() == "dns error") {
            Self::Dns
        } else if causes().any(|c| {
            c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
        }) {
            Self::Refused
        } else {
            Self::Connect
        }
    }
}

/// The causes of `e`, outermost first.
fn causes_of<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(e.source(), |c| c.source())
}

/// Installs ring as the process's rustls crypto provider (idempotent). reqwest is built
/// with `rustls-no-provider` (no aws-lc-sys), so every reqwest client of the process — ours,
/// the benchmark's, the tests' — needs this before it is built, or reqwest panics.
pub fn install_tls() {
    // A second install finds one in place and changes nothing.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A cheap-to-clone client for the provider, sending only to the URLs the operator allows.
#[derive(Clone)]
pub struct ProviderHttp {
    client: reqwest::Client,
    urls: ProviderUrls,
}

impl ProviderHttp {
    pub fn new(urls: ProviderUrls) -> Self {
        install_tls();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("Roster/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the provider HTTP client builds (static settings)");
        Self { client, urls }
    }

    /// Which provider URLs this client sends to.
    pub fn urls(&self) -> ProviderUrls {
        self.urls
    }

    /// Sends `request` (what `openidconnect` asks for) to an allowed URL, reading at most
    /// [`MAX_BODY`] bytes of the answer.
    pub async fn send(&self, request: HttpRequest) -> Result<HttpResponse, ProviderHttpError> {
        let (parts, body) = request.into_parts();
        let uri = parts.uri.to_string();
        if !url::Url::parse(&uri).is_ok_and(|u| domain::sso::provider_url_allowed(&u, self.urls)) {
            return Err(ProviderHttpError::NotAllowed);
        }
        let mut response = self.client.request(parts.method, uri).headers(parts.headers).body(body).send().await?;
        let status = response.status();
        let headers = response.headers().clone();
        if response.content_length().is_some_and(|n| n > MAX_BODY as u64) {
            return Err(ProviderHttpError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(ProviderHttpError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        let mut out = HttpResponse::new(body);
        *out.status_mut() = status;
        *out.headers_mut() = headers;
        Ok(out)
    }
}

impl Default for ProviderHttp {
    fn default() -> Self {
        Self::new(ProviderUrls::default())
    }
}

impl<'c> openidconnect::AsyncHttpClient<'c> for ProviderHttp {
    type Error = ProviderHttpError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, ProviderHttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.send(request))
    }
}
