//! The HTTP client `openidconnect` calls the provider through (discovery, keys, token
//! endpoint): reqwest over rustls with the ring provider, no redirects followed (OpenID
//! endpoints answer directly; following them would let a provider point us elsewhere), and
//! bounded time.

use openidconnect::{HttpRequest, HttpResponse};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// How long one request to the provider may take in all.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Installs ring as the process's rustls crypto provider (idempotent). reqwest is built
/// with `rustls-no-provider` (no aws-lc-sys), so every reqwest client of the process — ours,
/// the benchmark's, the tests' — needs this before it is built, or reqwest panics.
pub fn install_tls() {
    // A second install finds one in place and changes nothing.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A cheap-to-clone client for the provider.
#[derive(Clone)]
pub struct ProviderHttp(reqwest::Client);

impl ProviderHttp {
    pub fn new() -> Self {
        install_tls();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("Roster/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the provider HTTP client builds (static settings)");
        Self(client)
    }

    /// Sends `request` (what `openidconnect` asks for), reading the whole answer.
    pub async fn send(&self, request: HttpRequest) -> Result<HttpResponse, reqwest::Error> {
        let (parts, body) = request.into_parts();
        let response =
            self.0.request(parts.method, parts.uri.to_string()).headers(parts.headers).body(body).send().await?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await?.to_vec();
        let mut out = HttpResponse::new(body);
        *out.status_mut() = status;
        *out.headers_mut() = headers;
        Ok(out)
    }
}

impl Default for ProviderHttp {
    fn default() -> Self {
        Self::new()
    }
}

impl<'c> openidconnect::AsyncHttpClient<'c> for ProviderHttp {
    type Error = reqwest::Error;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, reqwest::Error>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.send(request))
    }
}
