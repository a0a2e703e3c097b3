//! `UserStatus`: the lifecycle state of a user, changed only by its transition methods.

use crate::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where a user is in their lifecycle. Stored as its own column; never inferred.
///
/// ```text
///  Invited --accept--> Active --lock--> Locked
///   |   ^                |  ^--unlock----'  |
///   |   |         suspend|  |activate       |suspend
///   |   |                v  |               v
///   |   '--activate-- Suspended <-----------'
///   '-----suspend-------^
/// ```
///
/// An invited user can be suspended (an identity provider deactivates people who never
/// accepted): their invitation links stop working (stored tokens of a suspended user are
/// spent). Activating a suspended user gives them back a state they can use: Active when
/// they can sign in ([`SignInMeans::Ready`]), else Invited with a fresh invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum UserStatus {
    /// Invited, has not set a password yet ("Inactive" / "Not Active" in the console).
    Invited,
    /// Can use the platform.
    Active,
    /// Exceeded the maximum number of failed logins.
    Locked,
    /// Suspended by an admin.
    Suspended,
}

impl UserStatus {
    pub const ALL: [UserStatus; 4] = [Self::Invited, Self::Active, Self::Locked, Self::Suspended];

    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invited => "invited",
            Self::Active => "active",
            Self::Locked => "locked",
            Self::Suspended => "suspended",
        }
    }

    /// The word the console shows (PRODUCT.md §2).
    pub fn label(self) -> &'static str {
        match self {
            Self::Invited => "Inactive",
            Self::Active => "Active",
            Self::Locked => "Locked",
            Self::Suspended => "Suspended",
        }
    }

    /// Only active users may sign in (a password, Bypass SSO, an invitation's acceptance
    /// aside; SSO: [`Self::sso_sign_in`]).
    pub fn can_sign_in(self) -> bool {
        self == Self::Active
    }

    /// Whether the API tokens a user with this status created keep their rights (issue 14:
    /// "a creator demoted, suspended or deleted takes the token's rights with them"): Active,
    /// and Locked — a lockout is what failed passwords typed by anyone do, and stops
    /// password guessing; were it to stop the creator's tokens too, anyone who knows an
    /// integration owner's email could cut off the organization's provisioning (SCIM) by
    /// typing wrong passwords. Invited users create nothing; Suspended is an admin's decision.
    pub fn may_use_api_tokens(self) -> bool {
        matches!(self, Self::Active | Self::Locked)
    }

    /// The verdict on a sign-in through the account's identity provider, which has just
    /// authenticated the person (OpenID Connect). Active users enter; an invited user
    /// enters by accepting the invitation; Suspended and Locked users are refused (issue 15:
    /// "Suspended, Locked, deleted → refused with a clear page"), as Okta and Keycloak refuse
    /// a locked user's brokered sign-in. The lock is kept from being a way to shut members
    /// out of SSO by [`PasswordWay::Closed`]: a member's password attempts under SSO never
    /// count towards it, so only an admin's own password way (Bypass SSO) can lock them.
    pub fn sso_sign_in(self) -> Result<SsoSignIn, SignInRefusal> {
        match self {
            Self::Active => Ok(SsoSignIn::Enter),
            Self::Invited => Ok(SsoSignIn::AcceptInvitation),
            Self::Locked => Err(SignInRefusal::Locked),
            Self::Suspended => Err(SignInRefusal::Suspended),
        }
    }

    /// Whether a live session of a user with this status is honoured: only Active (a lock
    /// and a suspension end every session when they are set, and refuse every way in).
    pub fn keeps_sessions(self) -> bool {
        self == Self::Active
    }

    /// The verdict on a sign-in by a user with this status whose password was checked as
    /// `password`, by the password way `way` open to them. Every refusal gets the same
    /// answer (PRODUCT.md §5: sign-in leaks nothing); the reason is for the audit log, and
    /// only a wrong password on an open way counts towards a lockout
    /// ([`SignInRefusal::counts`]).
    pub fn sign_in(self, password: PasswordCheck, way: PasswordWay) -> Result<(), SignInRefusal> {
        match (self, password, way) {
            (Self::Active, _, PasswordWay::Closed) => Err(SignInRefusal::SsoRequired),
            (Self::Active, PasswordCheck::Matches, PasswordWay::Open) => Ok(()),
            (Self::Active, PasswordCheck::Differs, PasswordWay::Open) => Err(SignInRefusal::WrongPassword),
            (Self::Active, PasswordCheck::Unset, PasswordWay::Open) => Err(SignInRefusal::NoPassword),
            (Self::Invited, ..) => Err(SignInRefusal::Invited),
            (Self::Locked, ..) => Err(SignInRefusal::Locked),
            (Self::Suspended, ..) => Err(SignInRefusal::Suspended),
        }
    }

    /// An invited user accepts the invitation by setting a password.
    pub fn accept_invitation(self) -> Result<Self, DomainError> {
        self.to(Self::Active, "accept an invitation for", &[Self::Invited])
    }

    /// Too many failed logins.
    pub fn lock(self) -> Result<Self, DomainError> {
        self.to(Self::Locked, "lock", &[Self::Active])
    }

    /// An admin (or the lockout timer) lifts a lockout.
    pub fn unlock(self) -> Result<Self, DomainError> {
        self.to(Self::Active, "unlock", &[Self::Locked])
    }

    /// An admin (or an identity provider) suspends an active, locked or invited user; an
    /// invited one's invitation is revoked with it.
    pub fn suspend(self) -> Result<Self, DomainError> {
        self.to(Self::Suspended, "suspend", &[Self::Active, Self::Locked, Self::Invited])
    }

    /// An admin (or an identity provider) re-activates a suspended user: Active when they
    /// have a way to sign in, else Invited — they get a fresh invitation to choose a
    /// password (a user suspended before accepting, or created active without a password
    /// while the account has no SSO). Only a suspended user is activated: an invited one
    /// accepts, a locked one is unlocked.
    pub fn activate(self, means: SignInMeans) -> Result<Self, DomainError> {
        let next = match means {
            SignInMeans::Ready => Self::Active,
            SignInMeans::Nothing => Self::Invited,
        };
        self.to(next, "activate", &[Self::Suspended])
    }

    fn to(self, next: Self, action: &'static str, from: &[Self]) -> Result<Self, DomainError> {
        if from.contains(&self) {
            Ok(next)
        } else {
            Err(DomainError::IllegalTransition { from: self.as_str(), action })
        }
    }
}

/// What an SSO sign-in does for a user who may sign in ([`UserStatus::sso_sign_in`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoSignIn {
    /// Opens a session.
    Enter,
    /// Makes the invited user Active (the invitation spent, no password set), then opens a
    /// session.
    AcceptInvitation,
}

/// Whether a password may open a session for a user (PRODUCT.md §5, Bypass SSO).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordWay {
    /// The account does not use SSO, or the user holds an admin role (Bypass SSO).
    Open,
    /// The account uses SSO and the user holds no admin role: no password of theirs opens
    /// a session, and none of their attempts counts towards a lockout — a lock refuses SSO
    /// ([`UserStatus::sso_sign_in`]), so counting them would let anyone shut a member out
    /// of SSO by typing wrong passwords for them.
    Closed,
}

impl PasswordWay {
    /// The way of a user who `has_admin_role`, in an account that uses SSO (`sso`) or not.
    pub fn of(sso: bool, has_admin_role: bool) -> Self {
        if sso && !has_admin_role { Self::Closed } else { Self::Open }
    }
}

/// Whether a user would have a way to sign in once active.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInMeans {
    /// A password of their own, or the account's SSO.
    Ready,
    /// Neither: no password and no SSO (they need an invitation to choose one).
    Nothing,
}

impl SignInMeans {
    /// The means of a user who `has_password`, in an account that `sso` or not.
    pub fn of(has_password: bool, sso: bool) -> Self {
        if has_password || sso { Self::Ready } else { Self::Nothing }
    }
}

/// What checking a sign-in's password against the user's hash found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCheck {
    Matches,
    Differs,
    /// The user has no password (invited, or signing in only through SSO); the check ran
    /// against a dummy hash all the same.
    Unset,
}

/// Why a sign-in by a known user was refused (all refusals answer alike; see
/// [`UserStatus::sign_in`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInRefusal {
    WrongPassword,
    /// A wrong current password when changing one's password (a stolen session must not
    /// become a way to guess it): counted as a wrong password.
    WrongCurrentPassword,
    /// An active user without a password: they sign in through SSO only.
    NoPassword,
    Invited,
    Locked,
    Suspended,
    /// A password (right or wrong) of an active user without an admin role while the
    /// account uses SSO: only admins may sign in with a password then (Bypass SSO).
    /// Answered as a wrong password; never counted ([`PasswordWay::Closed`]).
    SsoRequired,
}

impl SignInRefusal {
    /// The audit log's `reason` of a `login.failed` event.
    pub fn reason(self) -> &'static str {
        match self {
            Self::WrongPassword => "wrong password",
            Self::WrongCurrentPassword => "wrong current password",
            Self::NoPassword => "no password (SSO only)",
            Self::Invited => "invitation not accepted",
            Self::Locked => "locked",
            Self::Suspended => "suspended",
            Self::SsoRequired => "password sign-in is for admins only under SSO",
        }
    }

    /// Whether the refusal counts towards a lockout: only a wrong password on an open way
    /// does ([`PasswordWay`]). A locked user's count stays at the limit however many more
    /// attempts come.
    pub fn counts(self) -> bool {
        matches!(self, Self::WrongPassword | Self::WrongCurrentPassword)
    }
}

impl FromStr for UserStatus {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| DomainError::invalid("status", "must be one of invited, active, locked, suspended"))
    }
}

/// For sqlx's `try_from = "String"` decoding of stored rows.
impl TryFrom<String> for UserStatus {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, DomainError> {
        s.parse()
    }
}

impl fmt::Display for UserStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::UserStatus::{Active, Invited, Locked, Suspended};
    use super::*;

    #[test]
    fn invited_users_become_active_only_by_accepting() {
        assert_eq!(Invited.accept_invitation(), Ok(Active));
        assert!(Invited.activate(SignInMeans::Ready).is_err());
        assert!(Active.accept_invitation().is_err());
    }

    #[test]
    fn an_invited_user_can_be_suspended_and_comes_back_invited_without_a_way_to_sign_in() {
        assert_eq!(Invited.suspend(), Ok(Suspended));
        assert_eq!(Suspended.activate(SignInMeans::Nothing), Ok(Invited));
        assert_eq!(Suspended.activate(SignInMeans::Ready), Ok(Active));
        assert_eq!(SignInMeans::of(false, false), SignInMeans::Nothing);
        assert_eq!(SignInMeans::of(true, false), SignInMeans::Ready);
        assert_eq!(SignInMeans::of(false, true), SignInMeans::Ready);
    }

    #[test]
    fn only_active_users_lock_and_only_locked_users_unlock() {
        assert_eq!(Active.lock(), Ok(Locked));
        assert_eq!(Locked.unlock(), Ok(Active));
        for s in [Invited, Locked, Suspended] {
            assert!(s.lock().is_err(), "{s}");
        }
        for s in [Invited, Active, Suspended] {
            assert!(s.unlock().is_err(), "{s}");
        }
    }

    #[test]
    fn active_and_locked_users_can_be_suspended_and_reactivated() {
        assert_eq!(Active.suspend(), Ok(Suspended));
        assert_eq!(Locked.suspend(), Ok(Suspended));
        assert_eq!(Suspended.activate(SignInMeans::Ready), Ok(Active));
        assert!(Suspended.suspend().is_err());
        assert!(Active.activate(SignInMeans::Ready).is_err());
    }

    #[test]
    fn refusals_say_what_and_from_where() {
        assert_eq!(
            Invited.activate(SignInMeans::Ready).unwrap_err().to_string(),
            "cannot activate a user who is invited"
        );
    }

    #[test]
    fn only_active_users_sign_in() {
        assert!(Active.can_sign_in());
        assert!(!Invited.can_sign_in() && !Locked.can_sign_in() && !Suspended.can_sign_in());
        assert_eq!(Active.sso_sign_in(), Ok(SsoSignIn::Enter));
        assert_eq!(Invited.sso_sign_in(), Ok(SsoSignIn::AcceptInvitation));
        assert_eq!(Locked.sso_sign_in(), Err(SignInRefusal::Locked));
        assert_eq!(Suspended.sso_sign_in(), Err(SignInRefusal::Suspended));
        assert!(Active.keeps_sessions());
        assert!(!Invited.keeps_sessions() && !Locked.keeps_sessions() && !Suspended.keeps_sessions());
        // A lock is about passwords: the creator's API tokens outlive it, not a suspension.
        assert!(Active.may_use_api_tokens() && Locked.may_use_api_tokens());
        assert!(!Invited.may_use_api_tokens() && !Suspended.may_use_api_tokens());
    }

    #[test]
    fn only_an_active_user_with_the_right_password_signs_in_and_only_a_wrong_one_counts() {
        use PasswordCheck::{Differs, Matches, Unset};
        use PasswordWay::{Closed, Open};
        assert_eq!(Active.sign_in(Matches, Open), Ok(()));
        assert_eq!(Active.sign_in(Differs, Open), Err(SignInRefusal::WrongPassword));
        assert_eq!(Active.sign_in(Unset, Open), Err(SignInRefusal::NoPassword));
        for check in [Matches, Differs, Unset] {
            assert_eq!(Active.sign_in(check, Closed), Err(SignInRefusal::SsoRequired), "a member under SSO");
            for way in [Open, Closed] {
                assert_eq!(Locked.sign_in(check, way), Err(SignInRefusal::Locked), "even the right password");
                assert_eq!(Suspended.sign_in(check, way), Err(SignInRefusal::Suspended));
                assert_eq!(Invited.sign_in(check, way), Err(SignInRefusal::Invited));
            }
        }
        let counted: Vec<_> = [Active, Invited, Locked, Suspended]
            .into_iter()
            .flat_map(|s| [s.sign_in(Differs, Open), s.sign_in(Differs, Closed)])
            .filter_map(Result::err)
            .filter(|r| r.counts())
            .collect();
        assert_eq!(counted, [SignInRefusal::WrongPassword], "a member's guesses under SSO never count");
        assert_eq!(PasswordWay::of(true, false), Closed);
        assert_eq!(PasswordWay::of(true, true), Open);
        assert_eq!(PasswordWay::of(false, false), Open);
    }

    #[test]
    fn text_form_round_trips_and_unknown_values_are_refused() {
        for s in UserStatus::ALL {
            assert_eq!(s.as_str().parse::<UserStatus>().unwrap(), s);
        }
        assert!("deleted".parse::<UserStatus>().is_err());
    }
}
