//! Single sign-on with OpenID Connect (OpenID Connect Core 1.0): the account's provider
//! settings and the rules applied to a verified ID token — which claim carries the email,
//! when it counts as verified, how much clock skew is tolerated, and what the attribute
//! mapping changes. Plain values: the HTTP exchanges live in `app::sso`.

mod mapping;
mod settings;

pub use mapping::{AttributeMapping, MappingMode, MappingPlan, RoleChange, UserAttributes, entry, name_key, same_name};
pub use settings::{ProviderUrls, SsoSettings, TRUST_FIELDS, VERIFIED_CLAIM, claim_values, provider_url_allowed};

/// How far, in seconds, the provider's clock may be off ours, both ways: an ID token is
/// accepted up to this long after its `exp` and when its `iat` is at most this far in the
/// future (OpenID Connect Core §3.1.3.7 steps 9 and 10 leave the range to the client).
pub const CLOCK_SKEW_SECS: i64 = 60;

/// Whether an ID token's `iat` (seconds since the epoch) is acceptable at `now`: not more
/// than [`CLOCK_SKEW_SECS`] in the future. (How old it may be is bounded by `exp`.)
pub fn issued_at_acceptable(iat: i64, now: i64) -> bool {
    iat <= now + CLOCK_SKEW_SECS
}

/// Why a verified ID token does not identify a user, as a page tells the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimProblem {
    /// The configured email claim is absent (or not a string): names the claim.
    MissingEmail { claim: String },
    /// The claim holds something that is not an email address.
    BadEmail { claim: String },
    /// `email_verified` is false or absent while the account requires it.
    Unverified,
}

/// The one rule for `email_verified` (OpenID Connect Core §5.1): the value the token
/// carries — a JSON boolean, or the strings `"true"`/`"false"` some providers send (read as
/// the boolean they spell; any other value makes the token unreadable) — must be `true`
/// when the account requires verified addresses. Absent counts as not verified.
/// `email_verified` vouches only for the `email` claim ([`VERIFIED_CLAIM`]): a match by any
/// other claim (`upn`, `preferred_username`) is never verified, so it needs the admin's
/// explicit opt-out (`required` false), which [`SsoSettings::problems`] demands.
pub fn check_verified(required: bool, email_claim: &str, email_verified: Option<bool>) -> Result<(), ClaimProblem> {
    let vouched = email_claim == VERIFIED_CLAIM && email_verified == Some(true);
    if required && !vouched { Err(ClaimProblem::Unverified) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iat_may_be_a_minute_ahead_but_not_more() {
        assert!(issued_at_acceptable(1_000, 1_000));
        assert!(issued_at_acceptable(1_060, 1_000));
        assert!(!issued_at_acceptable(1_061, 1_000));
        assert!(issued_at_acceptable(0, 1_000));
    }

    #[test]
    fn verified_is_required_unless_turned_off() {
        assert_eq!(check_verified(true, "email", Some(true)), Ok(()));
        assert_eq!(check_verified(true, "email", Some(false)), Err(ClaimProblem::Unverified));
        assert_eq!(check_verified(true, "email", None), Err(ClaimProblem::Unverified));
        assert_eq!(check_verified(false, "email", None), Ok(()));
        assert_eq!(check_verified(false, "email", Some(false)), Ok(()));
        // email_verified says nothing of another claim.
        assert_eq!(check_verified(true, "upn", Some(true)), Err(ClaimProblem::Unverified));
        assert_eq!(check_verified(false, "upn", Some(true)), Ok(()));
    }
}
