//! Outgoing email: invitations, password resets, session-ended notices and
//! suspicious-session alerts. SMTP when configured; otherwise every message is written as
//! an `.eml` file into `<data>/outbox`, so every flow completes on a laptop.
//!
//! Use cases never send: they queue a [`Mail`] in the transaction of their change
//! ([`outbox::queued`]) and the [`outbox`] worker delivers it with [`Mailer::send`].
//! This module owns the public API ([`Mail`], [`MailTransport`], [`Mailer`]);
//! [`message`] builds the RFC 5322 message and [`transport`] delivers it (lettre).

mod message;
pub mod outbox;
mod transport;

use crate::AppError;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// One message to send. Plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Where mail goes.
#[derive(Clone)]
pub enum MailTransport {
    /// Write `.eml` files into this directory.
    Outbox(PathBuf),
    /// Deliver through an SMTP server: `smtp://host:port` (plain), `smtp://host:587?tls=required`
    /// (STARTTLS), `smtps://host:465` (implicit TLS); `user:password@` in the URL signs in.
    Smtp { url: String },
}

impl fmt::Debug for MailTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Outbox(dir) => f.debug_tuple("Outbox").field(dir).finish(),
            Self::Smtp { url } => f.debug_struct("Smtp").field("url", &transport::redact(url)).finish(),
        }
    }
}

/// Sends mail. Cheap to clone: clones share one SMTP connection pool and one worker wake-up.
#[derive(Debug, Clone)]
pub struct Mailer {
    transport: MailTransport,
    from: String,
    route: Route,
    retry: outbox::Retry,
    wake: Arc<tokio::sync::Notify>,
}

/// The live side of [`MailTransport`].
#[derive(Debug, Clone)]
enum Route {
    Outbox(PathBuf),
    Smtp(Arc<transport::Smtp>),
}

impl Mailer {
    /// A mailer sending as `from` (e.g. `Roster <roster@example.com>`). Never fails: a bad
    /// `from` or SMTP URL is logged here, reported by [`Mailer::check`] and by every send.
    pub fn new(transport: MailTransport, from: impl Into<String>) -> Self {
        let from = from.into();
        let route = match &transport {
            MailTransport::Outbox(dir) => Route::Outbox(dir.clone()),
            MailTransport::Smtp { url } => Route::Smtp(transport::Smtp::new(url)),
        };
        if let Err(e) = message::mailbox("mail_from", &from) {
            tracing::warn!(error = %e, "mail cannot be sent");
        }
        Self { transport, from, route, retry: outbox::Retry::default(), wake: Arc::default() }
    }

    /// The same mailer retrying failed deliveries by `retry`.
    #[must_use]
    pub fn with_retry(mut self, retry: outbox::Retry) -> Self {
        self.retry = retry;
        self
    }

    /// When the outbox worker retries failed deliveries.
    pub fn retry(&self) -> outbox::Retry {
        self.retry
    }

    pub fn transport(&self) -> &MailTransport {
        &self.transport
    }

    /// The sender address of every message.
    pub fn sender(&self) -> &str {
        &self.from
    }

    /// Whether the configuration can work at all (sender address and SMTP URL); for startup.
    pub fn check(&self) -> Result<(), AppError> {
        message::mailbox("mail_from", &self.from)?;
        match &self.route {
            Route::Outbox(_) => Ok(()),
            Route::Smtp(smtp) => smtp.check(),
        }
    }

    /// Sends `mail` now (the outbox worker's one way out; use cases queue instead). The
    /// error says why it could not be sent and never contains credentials: `Invalid` when no
    /// retry can help (a bad `to` or `mail_from`, or field `smtp` for a permanent 5xx
    /// refusal), `Internal` for a failure worth retrying (unreachable server, 4xx).
    pub async fn send(&self, mail: &Mail) -> Result<(), AppError> {
        let message = message::build(&self.from, mail)?;
        match &self.route {
            Route::Smtp(smtp) => smtp.send(&message).await.map(|()| {
                tracing::info!(to = %mail.to, smtp = %smtp.shown(), "mail sent");
            }),
            Route::Outbox(dir) => transport::to_outbox(dir, &message).await.map(|file| {
                tracing::info!(to = %mail.to, file = %file.display(), "mail written to the outbox");
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail() -> Mail {
        Mail { to: "Zoë Quinn <zoe@example.com>".into(), subject: "Grüße".into(), body: "Hallo Zoë!\n".into() }
    }

    #[tokio::test]
    async fn the_outbox_gets_one_eml_file_per_message() {
        let dir = std::env::temp_dir().join(format!("roster-outbox-{}", uuid::Uuid::now_v7().simple()));
        let mailer = Mailer::new(MailTransport::Outbox(dir.join("outbox")), "Roster <roster@example.com>");
        mailer.check().unwrap();
        mailer.send(&mail()).await.unwrap();
        let files: Vec<_> = std::fs::read_dir(dir.join("outbox")).unwrap().map(|e| e.unwrap().path()).collect();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].extension().and_then(|e| e.to_str()), Some("eml"));
        let text = std::fs::read_to_string(&files[0]).unwrap();
        assert!(text.contains("From: Roster <roster@example.com>\r\n"), "{text}");
        assert!(text.contains("zoe@example.com>\r\n"), "{text}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn bad_addresses_are_invalid_not_internal() {
        let mailer = Mailer::new(MailTransport::Outbox(std::env::temp_dir().join("never-written")), "nobody");
        assert!(matches!(mailer.check(), Err(AppError::Invalid { ref field, .. }) if field == "mail_from"));
        let err = mailer.send(&mail()).await.unwrap_err();
        assert!(matches!(err, AppError::Invalid { ref field, .. } if field == "mail_from"), "{err:?}");
    }

    #[test]
    fn debug_output_hides_smtp_credentials() {
        let mailer =
            Mailer::new(MailTransport::Smtp { url: "smtps://me:s3cret@mail.example.com".into() }, "r@example.com");
        let shown = format!("{mailer:?}");
        assert!(!shown.contains("s3cret") && shown.contains("mail.example.com"), "{shown}");
    }

    #[tokio::test]
    async fn an_unreachable_smtp_server_is_an_internal_error_without_credentials() {
        // Port 9 (discard) on localhost: nothing listens there in a test environment.
        let mailer = Mailer::new(MailTransport::Smtp { url: "smtp://me:s3cret@127.0.0.1:9".into() }, "r@example.com");
        match mailer.send(&mail()).await {
            Err(AppError::Internal(m)) => assert!(!m.contains("s3cret") && m.contains("127.0.0.1:9"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
}
