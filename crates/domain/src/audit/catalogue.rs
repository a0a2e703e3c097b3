//! The catalogue of audit actions: each [`AuditAction`]'s readable label and the
//! [`AuditKind`] the action filter groups it under.

use crate::closed::AuditAction;

/// The groups the action filter offers, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditKind {
    SignIn,
    Users,
    Passwords,
    Profiles,
    Groups,
    AdminRoles,
    Bots,
    Settings,
    Account,
}

impl AuditKind {
    /// Every kind, in the filter's order.
    pub const ALL: &'static [Self] = &[
        Self::SignIn,
        Self::Users,
        Self::Passwords,
        Self::Profiles,
        Self::Groups,
        Self::AdminRoles,
        Self::Bots,
        Self::Settings,
        Self::Account,
    ];

    /// The group's heading.
    pub fn label(self) -> &'static str {
        match self {
            Self::SignIn => "Sign-in and sessions",
            Self::Users => "Users",
            Self::Passwords => "Passwords",
            Self::Profiles => "Own profile",
            Self::Groups => "Groups",
            Self::AdminRoles => "Admin roles",
            Self::Bots => "Bots",
            Self::Settings => "Settings",
            Self::Account => "Account and API tokens",
        }
    }

    /// The actions of this kind, in [`AuditAction::ALL`]'s order.
    pub fn actions(self) -> impl Iterator<Item = AuditAction> {
        use crate::closed::ClosedSet;
        AuditAction::ALL.iter().copied().filter(move |a| a.kind() == self)
    }
}

impl AuditAction {
    /// The group the action filter lists it under.
    pub fn kind(self) -> AuditKind {
        use AuditAction as A;
        match self {
            A::LoginSucceeded
            | A::LoginFailed
            | A::UserLocked
            | A::UserUnlocked
            | A::SessionSignedOut
            | A::SessionKilled
            | A::SessionsKilledAll
            | A::SessionReported => AuditKind::SignIn,
            A::UserInvited
            | A::InvitationResent
            | A::InvitationAccepted
            | A::UserProvisioned
            | A::SsoUserCreated
            | A::UserUpdated
            | A::SsoMappingApplied
            | A::UserSuspended
            | A::UserActivated
            | A::UserRemovedFromWorkspaces
            | A::UserDeleted
            | A::UserRestored
            | A::UserPurged
            | A::PrimaryAdminHandedOver => AuditKind::Users,
            A::PasswordResetRequested | A::PasswordResetCompleted | A::PasswordChanged => AuditKind::Passwords,
            A::ProfileUpdated | A::PictureChanged | A::PictureRemoved => AuditKind::Profiles,
            A::GroupCreated | A::GroupRenamed | A::GroupDeleted | A::GroupMemberAdded | A::GroupMemberRemoved => {
                AuditKind::Groups
            }
            A::RoleCreated | A::RoleUpdated | A::RoleDeleted => AuditKind::AdminRoles,
            A::BotCreated
            | A::BotRoleSet
            | A::BotRoleRemoved
            | A::BotOwnershipTransferred
            | A::BotOwnershipReceived => AuditKind::Bots,
            A::SecuritySettingsChanged
            | A::UserSettingsChanged
            | A::SsoSettingsChanged
            | A::SsoConnectionTested
            | A::ScimSettingsChanged => AuditKind::Settings,
            A::AccountCreated | A::ApiTokenCreated | A::ApiTokenRevoked => AuditKind::Account,
        }
    }

    /// What the action is called in the filter: a short phrase, capitalised.
    pub fn label(self) -> &'static str {
        use AuditAction as A;
        match self {
            A::LoginSucceeded => "Signed in",
            A::LoginFailed => "Sign-in failed",
            A::UserLocked => "Locked after failed sign-ins",
            A::UserUnlocked => "Unlocked",
            A::UserSuspended => "Suspended",
            A::UserActivated => "Activated",
            A::UserDeleted => "Deleted",
            A::UserRestored => "Restored",
            A::UserPurged => "Purged for good",
            A::PasswordResetRequested => "Password reset requested",
            A::PasswordResetCompleted => "Password reset completed",
            A::SsoSettingsChanged => "Single sign-on settings changed",
            A::UserRemovedFromWorkspaces => "Removed from workspaces",
            A::SessionSignedOut => "Signed out",
            A::SessionKilled => "Session ended",
            A::SessionsKilledAll => "All sessions ended",
            A::SessionReported => "Session reported as suspicious",
            A::SecuritySettingsChanged => "Security settings changed",
            A::UserUpdated => "Edited by an admin",
            A::PrimaryAdminHandedOver => "Primary Master Admin handed over",
            A::GroupCreated => "Group created",
            A::GroupRenamed => "Group renamed",
            A::GroupDeleted => "Group deleted",
            A::GroupMemberAdded => "Added to a group",
            A::GroupMemberRemoved => "Removed from a group",
            A::RoleCreated => "Admin role created",
            A::RoleUpdated => "Admin role changed",
            A::RoleDeleted => "Admin role deleted",
            A::UserInvited => "Invited",
            A::InvitationResent => "Invitation resent",
            A::InvitationAccepted => "Invitation accepted",
            A::UserSettingsChanged => "User Settings changed",
            A::BotCreated => "Bot created",
            A::BotRoleSet => "Bot role given",
            A::BotRoleRemoved => "Bot role removed",
            A::BotOwnershipTransferred => "Bot ownership handed over",
            A::BotOwnershipReceived => "Bot ownership received",
            A::ProfileUpdated => "Own profile updated",
            A::PictureChanged => "Picture changed",
            A::PictureRemoved => "Picture removed",
            A::PasswordChanged => "Own password changed",
            A::AccountCreated => "Account created",
            A::ApiTokenCreated => "API token created",
            A::ApiTokenRevoked => "API token revoked",
            A::UserProvisioned => "Provisioned over SCIM",
            A::ScimSettingsChanged => "SCIM settings changed",
            A::SsoMappingApplied => "Single sign-on mapping applied",
            A::SsoConnectionTested => "Single sign-on connection tested",
            A::SsoUserCreated => "Created at first single sign-on",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::closed::ClosedSet;
    use std::collections::HashSet;

    #[test]
    fn every_action_has_its_own_label_and_one_kind() {
        let mut labels = HashSet::new();
        for a in AuditAction::ALL {
            assert!(labels.insert(a.label()), "{} shares its label", a.as_str());
            assert!(AuditKind::ALL.contains(&a.kind()), "{}", a.as_str());
        }
        let grouped: usize = AuditKind::ALL.iter().map(|k| k.actions().count()).sum();
        assert_eq!(grouped, AuditAction::ALL.len(), "every action in exactly one group");
    }
}
