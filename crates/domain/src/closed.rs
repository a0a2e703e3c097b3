//! Closed sets stored as text. Each enum writes its stored text once, in `as_str`; parsing
//! is the inverse of that one table ([`ClosedSet::parse`]), so the two cannot drift apart.

use crate::DomainError;
use std::fmt;

/// An enum stored and exchanged as text.
pub trait ClosedSet: Copy + PartialEq + 'static {
    /// Every member, in a stable order.
    const ALL: &'static [Self];
    /// What the set is called in an error about a bad value.
    const FIELD: &'static str;

    /// The stored (and API) text.
    fn as_str(self) -> &'static str;

    /// The member whose text is `s`.
    fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL.iter().copied().find(|m| m.as_str() == s).ok_or_else(|| {
            let known: Vec<&str> = Self::ALL.iter().map(|m| m.as_str()).collect();
            DomainError::invalid(Self::FIELD, format!("must be one of {}", known.join(", ")))
        })
    }
}

/// Closed sets are exchanged as their text (`as_str`).
macro_rules! serialize_as_text {
    ($($ty:ty),*) => {$(
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    )*};
}

serialize_as_text!(EndCause, AuditAction);

/// Why a session ended (stored in `sessions.end_cause`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndCause {
    /// The user signed out.
    SignedOut,
    /// An admin (or the user, from another session) ended it.
    Killed,
    /// Too many failed sign-ins locked the user.
    Locked,
    /// The user reported it as suspicious.
    Reported,
    /// Its idle or absolute lifetime ran out.
    Expired,
    /// A password reset ended every session.
    PasswordReset,
    /// The user changed their password (their other sessions end).
    PasswordChanged,
    /// The user was deleted.
    Deleted,
    /// The user was suspended.
    Suspended,
}

impl ClosedSet for EndCause {
    const ALL: &'static [Self] = &[
        Self::SignedOut,
        Self::Killed,
        Self::Locked,
        Self::Reported,
        Self::Expired,
        Self::PasswordReset,
        Self::PasswordChanged,
        Self::Deleted,
        Self::Suspended,
    ];
    const FIELD: &'static str = "end_cause";

    fn as_str(self) -> &'static str {
        Self::as_str(self)
    }
}

impl EndCause {
    /// The stored (and API) text: the one place it is written.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignedOut => "signed_out",
            Self::Killed => "killed",
            Self::Locked => "locked",
            Self::Reported => "reported",
            Self::Expired => "expired",
            Self::PasswordReset => "password_reset",
            Self::PasswordChanged => "password_changed",
            Self::Deleted => "deleted",
            Self::Suspended => "suspended",
        }
    }
}

/// What an audit event records (stored in `audit_events.action`; the API's `action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    LoginSucceeded,
    LoginFailed,
    UserLocked,
    UserUnlocked,
    UserSuspended,
    UserActivated,
    UserDeleted,
    UserRestored,
    UserPurged,
    PasswordResetRequested,
    PasswordResetCompleted,
    SsoSettingsChanged,
    UserRemovedFromWorkspaces,
    SessionSignedOut,
    SessionKilled,
    SessionsKilledAll,
    SessionReported,
    SecuritySettingsChanged,
    UserUpdated,
    PrimaryAdminHandedOver,
    GroupCreated,
    GroupRenamed,
    GroupDeleted,
    GroupMemberAdded,
    GroupMemberRemoved,
    RoleCreated,
    RoleUpdated,
    RoleDeleted,
    UserInvited,
    InvitationResent,
    InvitationAccepted,
    UserSettingsChanged,
    BotCreated,
    BotRoleSet,
    BotRoleRemoved,
    BotOwnershipTransferred,
    BotOwnershipReceived,
    ProfileUpdated,
    PictureChanged,
    PictureRemoved,
    PasswordChanged,
    AccountCreated,
    ApiTokenCreated,
    ApiTokenRevoked,
    /// A user created by an identity provider over SCIM, Active without a password (SSO).
    UserProvisioned,
    /// The SCIM settings (group workspace, how new users start) changed.
    ScimSettingsChanged,
    /// An SSO sign-in's attribute mapping changed the user's groups, role or builder access.
    SsoMappingApplied,
    /// An admin tested the OpenID provider connection (discovery and keys).
    SsoConnectionTested,
    /// An unknown email signed in through SSO and was created (create users on first sign-in).
    SsoUserCreated,
}

impl ClosedSet for AuditAction {
    const ALL: &'static [Self] = &[
        Self::LoginSucceeded,
        Self::LoginFailed,
        Self::UserLocked,
        Self::UserUnlocked,
        Self::UserSuspended,
        Self::UserActivated,
        Self::UserDeleted,
        Self::UserRestored,
        Self::UserPurged,
        Self::PasswordResetRequested,
        Self::PasswordResetCompleted,
        Self::SsoSettingsChanged,
        Self::UserRemovedFromWorkspaces,
        Self::SessionSignedOut,
        Self::SessionKilled,
        Self::SessionsKilledAll,
        Self::SessionReported,
        Self::SecuritySettingsChanged,
        Self::UserUpdated,
        Self::PrimaryAdminHandedOver,
        Self::GroupCreated,
        Self::GroupRenamed,
        Self::GroupDeleted,
        Self::GroupMemberAdded,
        Self::GroupMemberRemoved,
        Self::RoleCreated,
        Self::RoleUpdated,
        Self::RoleDeleted,
        Self::UserInvited,
        Self::InvitationResent,
        Self::InvitationAccepted,
        Self::UserSettingsChanged,
        Self::BotCreated,
        Self::BotRoleSet,
        Self::BotRoleRemoved,
        Self::BotOwnershipTransferred,
        Self::BotOwnershipReceived,
        Self::ProfileUpdated,
        Self::PictureChanged,
        Self::PictureRemoved,
        Self::PasswordChanged,
        Self::AccountCreated,
        Self::ApiTokenCreated,
        Self::ApiTokenRevoked,
        Self::UserProvisioned,
        Self::ScimSettingsChanged,
        Self::SsoMappingApplied,
        Self::SsoConnectionTested,
        Self::SsoUserCreated,
    ];
    const FIELD: &'static str = "action";

    fn as_str(self) -> &'static str {
        Self::as_str(self)
    }
}

impl AuditAction {
    /// The stored (and API) text: the one place it is written.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LoginSucceeded => "login.succeeded",
            Self::LoginFailed => "login.failed",
            Self::UserLocked => "user.locked",
            Self::UserUnlocked => "user.unlocked",
            Self::UserSuspended => "user.suspended",
            Self::UserActivated => "user.activated",
            Self::UserDeleted => "user.deleted",
            Self::UserRestored => "user.restored",
            Self::UserPurged => "user.purged",
            Self::PasswordResetRequested => "password.reset_requested",
            Self::PasswordResetCompleted => "password.reset_completed",
            Self::SsoSettingsChanged => "settings.sso.changed",
            Self::UserRemovedFromWorkspaces => "user.removed_from_workspaces",
            Self::SessionSignedOut => "session.signed_out",
            Self::SessionKilled => "session.killed",
            Self::SessionsKilledAll => "session.killed_all",
            Self::SessionReported => "session.reported",
            Self::SecuritySettingsChanged => "settings.security.changed",
            Self::UserUpdated => "user.updated",
            Self::PrimaryAdminHandedOver => "user.primary_admin_handed_over",
            Self::GroupCreated => "group.created",
            Self::GroupRenamed => "group.renamed",
            Self::GroupDeleted => "group.deleted",
            Self::GroupMemberAdded => "group.member_added",
            Self::GroupMemberRemoved => "group.member_removed",
            Self::RoleCreated => "admin_role.created",
            Self::RoleUpdated => "admin_role.updated",
            Self::RoleDeleted => "admin_role.deleted",
            Self::UserInvited => "user.invited",
            Self::InvitationResent => "user.invitation_resent",
            Self::InvitationAccepted => "user.invitation_accepted",
            Self::UserSettingsChanged => "settings.user_profile.changed",
            Self::BotCreated => "bot.created",
            Self::BotRoleSet => "bot.role_set",
            Self::BotRoleRemoved => "bot.role_removed",
            Self::BotOwnershipTransferred => "bot.ownership_transferred",
            Self::BotOwnershipReceived => "bot.ownership_received",
            Self::ProfileUpdated => "user.profile_updated",
            Self::PictureChanged => "user.picture_changed",
            Self::PictureRemoved => "user.picture_removed",
            Self::PasswordChanged => "password.changed",
            Self::AccountCreated => "account.created",
            Self::ApiTokenCreated => "api_token.created",
            Self::ApiTokenRevoked => "api_token.revoked",
            Self::UserProvisioned => "user.provisioned",
            Self::ScimSettingsChanged => "scim_settings.changed",
            Self::SsoMappingApplied => "user.sso_mapping_applied",
            Self::SsoConnectionTested => "settings.sso.tested",
            Self::SsoUserCreated => "user.sso_created",
        }
    }
}

impl fmt::Display for EndCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for EndCause {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        Self::parse(s)
    }
}

/// For sqlx's `try_from = "String"` decoding of stored rows.
impl TryFrom<String> for EndCause {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, DomainError> {
        Self::parse(&s)
    }
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for AuditAction {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        Self::parse(s)
    }
}

/// For sqlx's `try_from = "String"` decoding of stored rows.
impl TryFrom<String> for AuditAction {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, DomainError> {
        Self::parse(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<T: ClosedSet + fmt::Debug>() {
        let mut seen = std::collections::HashSet::new();
        for m in T::ALL {
            assert!(seen.insert(m.as_str()), "{} is written twice", m.as_str());
            assert_eq!(T::parse(m.as_str()), Ok(*m));
        }
        assert!(T::parse("nonsense").is_err());
    }

    #[test]
    fn every_closed_set_parses_its_own_text_and_nothing_else() {
        round_trips::<EndCause>();
        round_trips::<AuditAction>();
    }

    #[test]
    fn audit_action_lists_every_variant() {
        assert_eq!(AuditAction::ALL.len(), 49);
    }
}
