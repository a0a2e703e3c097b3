//! Outgoing email: session-ended notices and suspicious-session alerts (later also
//! invitations and password resets). SMTP when configured; otherwise every message is
//! written as an `.eml` file into `<data>/outbox`, so every flow completes on a laptop.

use crate::AppError;
use std::path::PathBuf;

/// One message to send. Plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Where mail goes.
#[derive(Debug, Clone)]
pub enum MailTransport {
    /// Write `.eml` files into this directory.
    Outbox(PathBuf),
    /// Deliver through an SMTP server, e.g. `smtp://mail.example.com:587`.
    Smtp { url: String },
}

/// Sends mail. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Mailer {
    pub transport: MailTransport,
    pub from: String,
}

impl Mailer {
    pub fn new(transport: MailTransport, from: impl Into<String>) -> Self {
        Self { transport, from: from.into() }
    }

    /// Sends `mail`; the error says why it could not be sent.
    pub async fn send(&self, mail: &Mail) -> Result<(), AppError> {
        match &self.transport {
            MailTransport::Outbox(dir) => {
                tokio::fs::create_dir_all(dir).await.map_err(|e| AppError::Internal(format!("outbox: {e}")))?;
                let name = format!("{}.eml", uuid::Uuid::now_v7());
                let text = format!(
                    "From: {}\r\nTo: {}\r\nSubject: {}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n",
                    self.from, mail.to, mail.subject, mail.body
                );
                tokio::fs::write(dir.join(&name), text).await.map_err(|e| AppError::Internal(format!("outbox: {e}")))?;
                tracing::info!(to = %mail.to, file = %dir.join(&name).display(), "mail written to the outbox");
                Ok(())
            }
            MailTransport::Smtp { .. } => Err(AppError::Internal("SMTP delivery is not configured in this build".into())),
        }
    }
}
