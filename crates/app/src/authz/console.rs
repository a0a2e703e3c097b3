//! What of the console a principal may open: the sidebar's sections and the User Details
//! tabs, each the very grant its page asks for.

use super::{
    AccountWide, AuditView, BotsView, Capability, GroupsManage, InAccount, InScope, Principal, RolesManage,
    SettingsManage, UsersDelete,
};
use domain::permission::Permission;

/// The console's sections the principal may open (the links of the navigation bar): each
/// is the very grant its page asks for, so no link leads to a refusal.
#[allow(clippy::struct_excessive_bools)] // one flag per section
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Console {
    pub users: bool,
    pub groups: bool,
    pub bots: bool,
    pub roles: bool,
    pub audit: bool,
    /// Security settings and Single sign-on (`settings.manage`).
    pub settings: bool,
    /// User Settings shape every profile: `settings.manage` on all workspaces.
    pub user_settings: bool,
    /// Deleted users belong to no workspace: `users.delete` on all workspaces.
    pub deleted_users: bool,
    /// Security → API access (`tokens.manage`, in person).
    pub tokens: bool,
    /// "All workspaces" in the workspace switcher: an admin whose scope is every workspace
    /// may act for none in particular (kills then end sessions everywhere, invitations ask
    /// which workspace).
    pub all_workspaces: bool,
}

impl Console {
    /// Whether any section is open to the principal (else they have only their own pages).
    pub fn any(&self) -> bool {
        let Self { users, groups, bots, roles, audit, settings, user_settings, deleted_users, tokens, .. } = *self;
        users || groups || bots || roles || audit || settings || user_settings || deleted_users || tokens
    }
}

/// The sections of [`Console`] `p` may open.
pub fn console(p: &Principal) -> Console {
    fn grants<C: Capability>(p: &Principal) -> bool {
        C::grant(p).is_ok()
    }
    Console {
        users: crate::authz::list_users(p).is_ok(),
        groups: grants::<InScope<GroupsManage>>(p),
        bots: grants::<InScope<BotsView>>(p),
        roles: grants::<InAccount<RolesManage>>(p),
        audit: grants::<InAccount<AuditView>>(p),
        settings: grants::<InAccount<SettingsManage>>(p),
        user_settings: grants::<AccountWide<SettingsManage>>(p),
        deleted_users: grants::<AccountWide<UsersDelete>>(p),
        tokens: crate::authz::manage_tokens(p).is_ok(),
        all_workspaces: p.api_token.is_none()
            && p.role.is_admin()
            && p.role.scope() == domain::permission::Scope::AllWorkspaces,
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
