//! Single sign-on with OpenID Connect (issue 15): the provider settings and their
//! connection test ([`settings`]), the sign-in through the provider ([`sign_in`]), the
//! match of its verified email to a user with the attribute mapping ([`users`]), and the
//! provider's published metadata and keys ([`provider`]). Bypass SSO (admins' passwords)
//! is in [`crate::auth::login`].

mod http;
pub mod provider;
pub mod settings;
pub mod sign_in;
mod users;

pub use http::install_tls;
pub use provider::Providers;

use crate::AppError;
use domain::sso::ClaimProblem;

/// Why an SSO sign-in was refused: each a page saying what happened and what to do, and a
/// `login.failed` audit event (`method: sso`, `reason`: [`SsoFailure::reason`]). Never a
/// session.
#[derive(Debug)]
pub enum SsoFailure {
    /// SSO is not switched on for the account.
    NotEnabled,
    /// The provider did not answer (discovery, keys or token endpoint): what failed.
    Unreachable(String),
    /// The person cancelled at the provider (`error=access_denied`).
    Cancelled,
    /// The provider answered with an error (other `error` codes, a refused code exchange).
    ProviderError(String),
    /// The callback's `state` is missing, not this browser's, unknown, expired or already
    /// used (a replay): which check failed.
    BadState(StateProblem),
    /// The token names a key id the provider does not publish (internal: leads to a key
    /// refetch, then [`SsoFailure::BadSignature`]).
    UnknownKey,
    /// The signature does not verify with the provider's keys.
    BadSignature,
    /// The token is for another client (`aud`).
    WrongAudience,
    /// The token expired (beyond the allowed skew) or was issued in the future.
    Expired(String),
    /// The token's nonce is not this sign-in's.
    NonceMismatch,
    /// The token's `iss` is not the configured issuer.
    WrongIssuer,
    /// The token or token response cannot be read.
    TokenUnreadable(String),
    /// The email claim is missing, not an address, or not verified.
    Claim(ClaimProblem),
    /// Suspended by an admin.
    Suspended,
    /// Locked by failed password sign-ins (issue 15: a lock refuses SSO too): until when
    /// (µs, UTC; `None`: until an admin unlocks).
    Locked {
        unlocks_at: Option<crate::clock::Micros>,
    },
    Deleted,
    /// No user has this email and the account does not create users: whom to ask.
    Unknown {
        email: String,
        ask: Vec<String>,
    },
    /// A failure of ours (the database): a 500, audited nowhere.
    Internal(AppError),
}

/// Which check of the callback's `state` (OpenID Connect Core §3.1.2.7, RFC 6749 §10.12)
/// failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateProblem {
    /// The callback carries no `state`.
    Missing,
    /// This browser holds no state cookie, or another one: the sign-in was started
    /// elsewhere (a forged or leaked callback; login CSRF).
    NotThisBrowser,
    /// No live sign-in has this state: never issued, expired, or already used (a replay).
    UnknownExpiredOrUsed,
}

impl StateProblem {
    /// The audit event's `detail`.
    pub fn detail(self) -> &'static str {
        match self {
            Self::Missing => "the callback carries no state",
            Self::NotThisBrowser => "the state is not the one this browser's sign-in cookie holds",
            Self::UnknownExpiredOrUsed => "no live sign-in has this state (unknown, expired or already used)",
        }
    }
}

impl From<AppError> for SsoFailure {
    fn from(e: AppError) -> Self {
        Self::Internal(e)
    }
}

impl SsoFailure {
    /// The audit event's `reason`.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::NotEnabled => "sso_not_enabled",
            Self::Unreachable(_) => "provider_unreachable",
            Self::Cancelled => "cancelled",
            Self::ProviderError(_) => "provider_error",
            Self::BadState(_) => "bad_state",
            Self::UnknownKey | Self::BadSignature => "bad_signature",
            Self::WrongAudience => "wrong_audience",
            Self::Expired(_) => "expired",
            Self::NonceMismatch => "nonce_mismatch",
            Self::WrongIssuer => "wrong_issuer",
            Self::TokenUnreadable(_) => "token_unreadable",
            Self::Claim(ClaimProblem::MissingEmail { .. }) => "missing_email_claim",
            Self::Claim(ClaimProblem::BadEmail { .. }) => "bad_email_claim",
            Self::Claim(ClaimProblem::Unverified) => "email_unverified",
            Self::Suspended => "suspended",
            Self::Locked { .. } => "locked",
            Self::Deleted => "deleted",
            Self::Unknown { .. } => "unknown_user",
            Self::Internal(_) => "internal",
        }
    }

    /// What exactly went wrong, for the audit event and the page (empty when the heading
    /// says it all).
    pub fn detail(&self) -> String {
        match self {
            Self::Unreachable(d) | Self::ProviderError(d) | Self::Expired(d) | Self::TokenUnreadable(d) => d.clone(),
            Self::Claim(ClaimProblem::MissingEmail { claim } | ClaimProblem::BadEmail { claim }) => claim.clone(),
            Self::Unknown { email, .. } => email.clone(),
            Self::BadState(p) => p.detail().to_owned(),
            _ => String::new(),
        }
    }

    /// The page's heading.
    pub fn heading(&self) -> &'static str {
        match self {
            Self::NotEnabled => "Single sign-on is not on",
            Self::Unreachable(_) => "Your identity provider could not be reached",
            Self::Cancelled => "Sign-in cancelled",
            Self::ProviderError(_) => "Your identity provider refused the sign-in",
            Self::BadState(_) => "This sign-in has expired or was already used",
            Self::UnknownKey | Self::BadSignature => "The sign-in could not be verified",
            Self::WrongAudience => "The sign-in was meant for another application",
            Self::Expired(_) => "The sign-in expired",
            Self::NonceMismatch => "The sign-in does not match this attempt",
            Self::WrongIssuer => "The sign-in came from another issuer",
            Self::TokenUnreadable(_) => "The identity provider's answer could not be read",
            Self::Claim(ClaimProblem::MissingEmail { .. }) => "Your identity provider sent no email address",
            Self::Claim(ClaimProblem::BadEmail { .. }) => "Your identity provider sent no valid email address",
            Self::Claim(ClaimProblem::Unverified) => "Your email address is not verified",
            Self::Suspended => "Your user is suspended",
            Self::Locked { .. } => "Your user is locked",
            Self::Deleted => "Your user was deleted",
            Self::Unknown { .. } => "You do not have a user here yet",
            Self::Internal(_) => "Something went wrong",
        }
    }

    /// What happened and what to do, in a sentence or two.
    pub fn message(&self) -> String {
        const ADMINS: &str = "Admins can still sign in with their password at /admin/login.";
        match self {
            Self::NotEnabled => "This account does not use single sign-on. Sign in with your email and password.".into(),
            Self::Unreachable(d) => format!("{d}. Try again in a few minutes; if it keeps failing, tell your admin. {ADMINS}"),
            Self::Cancelled => "You cancelled the sign-in at your identity provider; nothing changed. Sign in again when you are ready.".into(),
            Self::ProviderError(d) => format!("It said: {d}. Try again; if it keeps failing, tell your admin."),
            Self::BadState(_) => "Each sign-in works once, for 10 minutes, in the browser that started it. Start again from the sign-in page.".into(),
            Self::UnknownKey | Self::BadSignature => "Its signature does not match the keys your identity provider publishes, so it was not trusted. Start again; if it keeps failing, tell your admin.".into(),
            Self::WrongAudience => "The identity provider issued it for a different client id than the one this account is set up with. Tell your admin.".into(),
            Self::Expired(_) => "It was too old when it arrived (or the clocks disagree by more than a minute). Start again from the sign-in page.".into(),
            Self::NonceMismatch => "It was issued for another sign-in attempt, so it was not trusted. Start again from the sign-in page.".into(),
            Self::WrongIssuer => "Its issuer is not exactly the one this account is set up with (a trailing slash counts). Tell your admin.".into(),
            Self::TokenUnreadable(d) => format!("{d}. Tell your admin."),
            Self::Claim(ClaimProblem::MissingEmail { claim }) => format!(
                "The ID token has no \"{claim}\" claim, which this account matches users by. Your admin must have the identity provider include it (Microsoft Entra ID: add the optional claim email)."
            ),
            Self::Claim(ClaimProblem::BadEmail { claim }) => {
                format!("The ID token's \"{claim}\" claim is not an email address. Tell your admin.")
            }
            Self::Claim(ClaimProblem::Unverified) => "Your identity provider says your email address is not verified (email_verified is not true). Verify it there, then sign in again.".into(),
            Self::Suspended => "An admin suspended your user. Ask your admin to reactivate it.".into(),
            Self::Locked { unlocks_at: Some(at) } => format!(
                "Too many wrong passwords were typed for your user, so it is locked until {}. Sign in again after that, or ask your admin to unlock it now.",
                crate::clock::minute_utc(*at)
            ),
            Self::Locked { unlocks_at: None } => "Too many wrong passwords were typed for your user, so it is locked. Ask your admin to unlock it.".into(),
            Self::Deleted => "Your user was deleted from this account. Ask your admin to restore it.".into(),
            Self::Unknown { email, ask } if ask.is_empty() => {
                format!("Nobody with the email {email} is a user of this account. Ask your admin to invite you.")
            }
            Self::Unknown { email, ask } => format!(
                "Nobody with the email {email} is a user of this account. Ask an admin to invite you: {}.",
                ask.join(", ")
            ),
            Self::Internal(_) => "Please try again.".into(),
        }
    }
}
