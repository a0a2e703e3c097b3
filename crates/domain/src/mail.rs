//! The outbox's closed sets: what a message is, and where it stands (stored in
//! `outbox.kind` and `outbox.status`; `GET /users/{id}` shows both).

use crate::DomainError;
use crate::closed::ClosedSet;

/// What a queued message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MailKind {
    /// An invitation link (invite, import, "Resend invitation").
    Invitation,
    /// A password-reset link (admin reset, "Forgot password").
    PasswordReset,
    /// An admin ended the user's sessions with a notice.
    SessionEnded,
    /// The user reported a session as suspicious: the alert to an admin.
    SessionReported,
}

impl ClosedSet for MailKind {
    const ALL: &'static [Self] = &[Self::Invitation, Self::PasswordReset, Self::SessionEnded, Self::SessionReported];
    const FIELD: &'static str = "kind";

    fn as_str(self) -> &'static str {
        Self::as_str(self)
    }
}

impl MailKind {
    /// The stored (and API) text: the one place it is written.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invitation => "invitation",
            Self::PasswordReset => "password_reset",
            Self::SessionEnded => "session_ended",
            Self::SessionReported => "session_reported",
        }
    }

    /// What the console calls it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Invitation => "Invitation email",
            Self::PasswordReset => "Password reset email",
            Self::SessionEnded => "Session-ended notice",
            Self::SessionReported => "Suspicious-session alert",
        }
    }
}

/// Where a queued message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MailStatus {
    /// Waiting for (another) attempt.
    Pending,
    /// The mail server (or the outbox directory) accepted it.
    Sent,
    /// Given up on.
    Failed,
}

impl ClosedSet for MailStatus {
    const ALL: &'static [Self] = &[Self::Pending, Self::Sent, Self::Failed];
    const FIELD: &'static str = "status";

    fn as_str(self) -> &'static str {
        Self::as_str(self)
    }
}

impl MailStatus {
    /// The stored (and API) text: the one place it is written.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }
}

/// For sqlx's `try_from = "String"` decoding of stored rows.
impl TryFrom<String> for MailKind {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, DomainError> {
        Self::parse(&s)
    }
}

/// For sqlx's `try_from = "String"` decoding of stored rows.
impl TryFrom<String> for MailStatus {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, DomainError> {
        Self::parse(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_text_parses_back() {
        for k in MailKind::ALL {
            assert_eq!(MailKind::parse(k.as_str()).ok(), Some(*k));
        }
        for s in MailStatus::ALL {
            assert_eq!(MailStatus::try_from(s.as_str().to_owned()).ok(), Some(*s));
        }
        assert!(MailKind::parse("newsletter").is_err());
    }
}
