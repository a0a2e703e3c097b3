//! Delivery of a built message: lettre's `AsyncFileTransport` for the outbox and a pooled
//! `AsyncSmtpTransport` for SMTP. Owns the one SMTP pool a [`super::Mailer`] and all its
//! clones share, and keeps credentials out of logs, `Debug` output and errors.

use crate::AppError;
use lettre::transport::smtp::AsyncSmtpTransportBuilder;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// How long one SMTP command may take before the send fails.
const SMTP_TIMEOUT: Duration = Duration::from_secs(15);

/// Writes `message` as `<uuid>.eml` into `dir` (created if missing); returns the file.
pub(super) async fn to_outbox(dir: &Path, message: &Message) -> Result<PathBuf, AppError> {
    let failed =
        |e: &dyn fmt::Display| AppError::Internal(format!("mail: cannot write to the outbox {}: {e}", dir.display()));
    tokio::fs::create_dir_all(dir).await.map_err(|e| failed(&e))?;
    let id = AsyncFileTransport::<Tokio1Executor>::new(dir).send(message.clone()).await.map_err(|e| failed(&e))?;
    Ok(dir.join(format!("{id}.eml")))
}

/// An SMTP relay from a `smtp://` / `smtps://` URL. The URL is parsed when this is made;
/// the connection pool starts on the first send (it needs the Tokio runtime).
pub(super) struct Smtp {
    /// The URL without its user and password, for logs and errors.
    shown: String,
    builder: Result<AsyncSmtpTransportBuilder, String>,
    pool: OnceLock<AsyncSmtpTransport<Tokio1Executor>>,
}

impl Smtp {
    pub(super) fn new(url: &str) -> Arc<Self> {
        let shown = redact(url);
        let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map(|b| b.timeout(Some(SMTP_TIMEOUT)))
            // lettre's URL errors describe the problem, never the input.
            .map_err(|e| format!("smtp_url {shown} is not usable: {e}"));
        if let Err(e) = &builder {
            tracing::warn!(error = %e, "mail cannot be delivered");
        }
        Arc::new(Self { shown, builder, pool: OnceLock::new() })
    }

    /// The URL problem, if any.
    pub(super) fn check(&self) -> Result<(), AppError> {
        self.builder.as_ref().map(|_| ()).map_err(|e| AppError::invalid("smtp_url", e.clone()))
    }

    pub(super) async fn send(&self, message: &Message) -> Result<(), AppError> {
        let builder = self.builder.as_ref().map_err(|e| AppError::Internal(format!("mail: {e}")))?;
        let pool = self.pool.get_or_init(|| builder.clone().build());
        pool.send(message.clone()).await.map(drop).map_err(|e| {
            let why = format!("SMTP delivery through {} failed: {e}", self.shown);
            // A permanent refusal (5xx, RFC 5321 §4.2.1) is final: no retry changes it.
            if e.is_permanent() { AppError::invalid("smtp", why) } else { AppError::Internal(format!("mail: {why}")) }
        })
    }

    pub(super) fn shown(&self) -> &str {
        &self.shown
    }
}

impl fmt::Debug for Smtp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Smtp")
            .field("url", &self.shown)
            .field("started", &self.pool.get().is_some())
            .finish_non_exhaustive()
    }
}

/// `scheme://user:password@host:port/…` → `scheme://***@host:port/…`.
pub(super) fn redact(url: &str) -> String {
    let Some(start) = url.find("://").map(|i| i + 3) else { return url.to_owned() };
    let end = url[start..].find(['/', '?', '#']).map_or(url.len(), |i| start + i);
    match url[start..end].rfind('@') {
        Some(at) => format!("{}***{}", &url[..start], &url[start + at..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_user_and_password_only() {
        assert_eq!(redact("smtps://me:s3cret@mail.example.com:465"), "smtps://***@mail.example.com:465");
        assert_eq!(redact("smtp://a%40b:p@ss@host/x?tls=required"), "smtp://***@host/x?tls=required");
        assert_eq!(redact("smtp://host:25?tls=required&x=a@b"), "smtp://host:25?tls=required&x=a@b");
        assert_eq!(redact("not a url"), "not a url");
    }

    #[test]
    fn bad_urls_are_reported_without_credentials() {
        let smtp = Smtp::new("ftp://me:s3cret@host");
        let err = smtp.check().unwrap_err().to_string();
        assert!(err.starts_with("smtp_url: "), "{err}");
        assert!(!err.contains("s3cret") && !format!("{smtp:?}").contains("s3cret"), "{err}");
        assert!(Smtp::new("smtps://me:s3cret@mail.example.com").check().is_ok());
        assert!(Smtp::new("smtp://127.0.0.1:2525").check().is_ok());
    }
}
