//! What an admin may do to one user, asked in one call: [`actions_on`] answers the whole set
//! of [`UserAction`]s, each allowed or refused with the reason, so a page shows exactly the
//! buttons the use cases would accept (and can say why one is missing). The console's
//! sections and a user's tabs are asked here too ([`console`], [`user_tabs`]): no page
//! decides from the role itself.
//!
//! To add an action: a variant of [`UserAction`] (with its permission) and its rule in
//! `decide`. To add a rule for every action (say, the target's authority within the
//! actor's), add it at the top of `decide`: each refusal carries its reason.

use super::{Principal, require};
use crate::users::UserDetails;
use domain::permission::Permission;
use domain::role::RoleKind;
use domain::user::UserStatus;

/// Something an admin may do to one user: a button of the User Details page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UserAction {
    Edit,
    Unlock,
    Suspend,
    Activate,
    ResendInvitation,
    ResetPassword,
    KillSessions,
    Delete,
    /// Transfer Ownership of the user's bots (on the Manage Bots tab).
    TransferOwnership,
}

impl UserAction {
    pub const ALL: [Self; 9] = [
        Self::Edit,
        Self::Unlock,
        Self::Suspend,
        Self::Activate,
        Self::ResendInvitation,
        Self::ResetPassword,
        Self::KillSessions,
        Self::Delete,
        Self::TransferOwnership,
    ];

    /// The permission the action needs, if one does (Transfer Ownership needs the primary
    /// role instead).
    pub fn permission(self) -> Option<Permission> {
        Some(match self {
            Self::Edit | Self::Unlock | Self::Suspend | Self::Activate | Self::ResetPassword => Permission::UsersManage,
            Self::ResendInvitation => Permission::UsersInvite,
            Self::KillSessions => Permission::SessionsKill,
            Self::Delete => Permission::UsersDelete,
            Self::TransferOwnership => return None,
        })
    }
}

/// The target user as far as the decisions need: their status and whether they hold the
/// primary role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub status: UserStatus,
    pub is_primary_admin: bool,
}

impl From<&UserDetails> for Target {
    fn from(d: &UserDetails) -> Self {
        Self { status: d.status, is_primary_admin: d.role_kind == RoleKind::PrimaryMasterAdmin }
    }
}

/// An action that is not offered, and why (a sentence for a tooltip or the API).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub action: UserAction,
    pub reason: String,
}

/// Every [`UserAction`], each allowed or refused with its reason.
#[derive(Debug, Clone, Default)]
pub struct UserActions {
    allowed: Vec<UserAction>,
    refused: Vec<Refused>,
}

impl UserActions {
    pub fn allows(&self, action: UserAction) -> bool {
        self.allowed.contains(&action)
    }

    pub fn allowed(&self) -> &[UserAction] {
        &self.allowed
    }

    pub fn refused(&self) -> &[Refused] {
        &self.refused
    }

    /// Why `action` is refused (`None` when it is allowed).
    pub fn reason(&self, action: UserAction) -> Option<&str> {
        self.refused.iter().find(|r| r.action == action).map(|r| r.reason.as_str())
    }
}

/// What `p` may do to the user `target` (whom they can see: the caller holds an
/// `OnUser<UsersView>` for them). The use cases check the same rules again when run.
pub fn actions_on(p: &Principal, target: &Target) -> UserActions {
    let mut actions = UserActions::default();
    for action in UserAction::ALL {
        match decide(p, action, *target) {
            Ok(()) => actions.allowed.push(action),
            Err(reason) => actions.refused.push(Refused { action, reason }),
        }
    }
    actions
}

fn decide(p: &Principal, action: UserAction, t: Target) -> Result<(), String> {
    if let Some(permission) = action.permission() {
        require(p, permission).map_err(|e| e.to_string())?;
    }
    let transition = |r: Result<UserStatus, domain::DomainError>| r.map(|_| ()).map_err(|e| e.to_string());
    match action {
        UserAction::Suspend if t.is_primary_admin => Err("the Primary Master Admin cannot be suspended".into()),
        UserAction::Suspend => transition(t.status.suspend()),
        UserAction::Activate => transition(t.status.activate()),
        UserAction::Unlock => transition(t.status.unlock()),
        UserAction::ResendInvitation if t.status != UserStatus::Invited => {
            Err("only an invited user has an invitation to resend".into())
        }
        UserAction::ResetPassword if t.status == UserStatus::Invited => {
            Err("an invited user has no password yet; resend the invitation instead".into())
        }
        UserAction::Delete if t.is_primary_admin => Err("the Primary Master Admin can never be deleted".into()),
        UserAction::TransferOwnership => super::transfer_ownership(p).map(|_| ()).map_err(|e| e.to_string()),
        _ => Ok(()),
    }
}

/// The console's sections the principal may open (the links of the navigation bar).
#[allow(clippy::struct_excessive_bools)] // one flag per section
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Console {
    pub users: bool,
    pub groups: bool,
    pub bots: bool,
    pub roles: bool,
    pub audit: bool,
    pub settings: bool,
}

pub fn console(p: &Principal) -> Console {
    let may = |permission| p.role.allows(permission);
    Console {
        users: may(Permission::UsersView),
        groups: may(Permission::GroupsManage),
        bots: may(Permission::BotsView),
        roles: may(Permission::RolesManage),
        audit: may(Permission::AuditView),
        settings: may(Permission::SettingsManage),
    }
}

/// The User Details tabs the principal may open, and what they may do on the list.
#[allow(clippy::struct_excessive_bools)] // one flag per tab or control
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserTabs {
    pub profile: bool,
    pub sessions: bool,
    pub bots: bool,
    /// Assign bot roles on the Manage Bots tab (and create bots).
    pub assign_bots: bool,
    /// Some bulk action of the users list (suspend, activate, unlock, invite, groups, delete).
    pub bulk: bool,
    pub delete: bool,
    pub kill_sessions: bool,
}

pub fn user_tabs(p: &Principal) -> UserTabs {
    let may = |permission| p.role.allows(permission);
    UserTabs {
        profile: may(Permission::UsersView),
        sessions: may(Permission::SessionsView),
        bots: may(Permission::BotsView),
        assign_bots: may(Permission::BotsAssign),
        bulk: [Permission::UsersManage, Permission::UsersInvite, Permission::UsersDelete, Permission::GroupsManage]
            .into_iter()
            .any(may),
        delete: may(Permission::UsersDelete),
        kill_sessions: may(Permission::SessionsKill),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::ids::{AccountId, SessionId, UserId};
    use domain::permission::{PermissionSet, Scope};
    use domain::role::AdminRole;

    fn admin(role: AdminRole) -> Principal {
        Principal {
            user_id: UserId::new(),
            account_id: AccountId::new(),
            session_id: SessionId::new(),
            csrf_token: String::new(),
            email: "a@example.com".into(),
            display_name: "A".into(),
            role,
            workspace: None,
            ip: String::new(),
            profile_settings: domain::profile::ProfileSettings::default(),
        }
    }

    #[test]
    fn the_status_decides_which_lifecycle_actions_are_offered() {
        let me = admin(AdminRole::PrimaryMasterAdmin);
        let active = actions_on(&me, &Target { status: UserStatus::Active, is_primary_admin: false });
        assert!(active.allows(UserAction::Suspend) && active.allows(UserAction::ResetPassword));
        assert!(!active.allows(UserAction::Activate) && !active.allows(UserAction::Unlock));
        assert!(active.reason(UserAction::Activate).is_some_and(|r| r.contains("activate")));
        let invited = actions_on(&me, &Target { status: UserStatus::Invited, is_primary_admin: false });
        assert!(invited.allows(UserAction::ResendInvitation) && !invited.allows(UserAction::ResetPassword));
        let primary = actions_on(&me, &Target { status: UserStatus::Active, is_primary_admin: true });
        assert!(!primary.allows(UserAction::Suspend) && !primary.allows(UserAction::Delete));
        assert_eq!(primary.allowed().len() + primary.refused().len(), UserAction::ALL.len());
    }

    #[test]
    fn a_missing_permission_is_the_reason() {
        let viewer = admin(AdminRole::Custom {
            id: domain::ids::AdminRoleId::new(),
            name: "Viewer".into(),
            permissions: PermissionSet::from_iter([Permission::UsersView]),
            scope: Scope::AllWorkspaces,
        });
        let acts = actions_on(&viewer, &Target { status: UserStatus::Active, is_primary_admin: false });
        assert!(acts.allowed().is_empty(), "{acts:?}");
        assert!(acts.reason(UserAction::Suspend).is_some_and(|r| r.contains("users.manage")));
        assert!(acts.reason(UserAction::TransferOwnership).is_some_and(|r| r.contains("Primary Master Admin")));
    }
}
