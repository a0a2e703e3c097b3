//! What an admin may do to one user, asked in one call: [`actions_on`] answers the whole set
//! of [`UserAction`]s, each allowed or refused with the reason, so a page shows exactly the
//! buttons the use cases would accept (and can say why one is missing). The console's
//! sections and a user's tabs are asked here too ([`console`], [`user_tabs`]): no page
//! decides from the role itself.
//!
//! The rules, in order: the permission; the target's authority within the actor's (the
//! same rule [`super::on_user`] applies, [`domain::authority`]); nobody changes their own
//! status, role or Bot Builder access; then the action's own rule (the status transition
//! table, the Primary Master Admin's protections). To add an action: a variant of
//! [`UserAction`] (with its permission) and its rule in `decide`.

use super::{Granter, Principal, TargetUser, require};
use crate::users::UserDetails;
use domain::ids::{UserId, WorkspaceId};
use domain::permission::{Permission, Scope};
use domain::role::AdminRole;
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
    /// Give, change or remove the user's Developer and Tester roles on bots (Manage Bots tab).
    AssignBots,
    /// Grant, change or remove the user's admin role (in the Edit form).
    ChangeRole,
    /// Change the user's Bot Builder access (in the Edit form).
    ChangeBuilderAccess,
}

impl UserAction {
    pub const ALL: [Self; 12] = [
        Self::Edit,
        Self::Unlock,
        Self::Suspend,
        Self::Activate,
        Self::ResendInvitation,
        Self::ResetPassword,
        Self::KillSessions,
        Self::Delete,
        Self::TransferOwnership,
        Self::AssignBots,
        Self::ChangeRole,
        Self::ChangeBuilderAccess,
    ];

    /// The permission the action needs, if one does (Transfer Ownership needs the primary
    /// role instead).
    pub fn permission(self) -> Option<Permission> {
        Some(match self {
            Self::Edit
            | Self::Unlock
            | Self::Suspend
            | Self::Activate
            | Self::ResetPassword
            | Self::ChangeRole
            | Self::ChangeBuilderAccess => Permission::UsersManage,
            Self::ResendInvitation => Permission::UsersInvite,
            Self::KillSessions => Permission::SessionsKill,
            Self::Delete => Permission::UsersDelete,
            Self::AssignBots => Permission::BotsAssign,
            Self::TransferOwnership => return None,
        })
    }

    /// Whether the action changes the user's own standing (status, existence, role, Bot
    /// Builder access), which nobody does to themselves through admin actions.
    fn changes_own_standing(self) -> bool {
        matches!(
            self,
            Self::Suspend | Self::Activate | Self::Unlock | Self::Delete | Self::ChangeRole | Self::ChangeBuilderAccess
        )
    }
}

/// The target user as far as the decisions need: who they are, their status and role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub id: UserId,
    /// "First Last", as refusals name them.
    pub name: String,
    pub status: UserStatus,
    pub role: AdminRole,
    /// The user's workspaces (what a workspace admin's delete removes them from).
    pub workspaces: Vec<WorkspaceId>,
}

impl From<&UserDetails> for Target {
    fn from(d: &UserDetails) -> Self {
        Self {
            id: UserId(d.user.id),
            name: format!("{} {}", d.user.first_name, d.user.last_name),
            status: d.user.status,
            role: d.role.clone(),
            workspaces: d.workspaces.iter().map(|w| WorkspaceId(w.id)).collect(),
        }
    }
}

impl From<&TargetUser> for Target {
    fn from(t: &TargetUser) -> Self {
        Self { id: t.id, name: t.name(), status: t.row.status, role: t.role.clone(), workspaces: t.workspace_ids() }
    }
}

/// An action that is not offered, and why (a sentence for a tooltip or the API).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub action: UserAction,
    pub reason: String,
    /// Refused only by how the account works (Reset password under SSO): the admin could
    /// take it otherwise, so pages show it disabled with the reason instead of hiding it.
    pub by_account: bool,
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

    /// Why `action`, which the admin could otherwise take, is refused by how the account
    /// works ([`Refused::by_account`]): pages show it disabled with this reason.
    pub fn disabled(&self, action: UserAction) -> Option<&str> {
        self.refused.iter().find(|r| r.action == action && r.by_account).map(|r| r.reason.as_str())
    }
}

/// What `p` may do to the user `target` (whom they can see: the caller holds an
/// `OnUser<UsersView>` for them); `granter` is `p`'s ([`super::granter`]), which judges the
/// role they would revoke; `sso`: whether the account signs in through SSO (then no
/// password is reset in Roster). The use cases check the same rules again when run.
pub fn actions_on(p: &Principal, granter: &Granter, target: &Target, sso: bool) -> UserActions {
    let mut actions = UserActions::default();
    for action in UserAction::ALL {
        let refused = match decide(p, Some(granter), action, target) {
            Ok(()) => account_rule(action, sso).map(|reason| (reason, true)),
            Err(reason) => Some((reason, false)),
        };
        match refused {
            None => actions.allowed.push(action),
            Some((reason, by_account)) => actions.refused.push(Refused { action, reason, by_account }),
        }
    }
    actions
}

/// Whether `p` may take `action` on `target`, or why not: the rule of [`actions_on`] for a
/// tab that offers one kind of action (Kill sessions, Assign bots, Transfer ownership) and
/// has neither the granter nor the account's sign-in at hand. Actions that need them
/// (Change role, Reset password) are refused here; ask [`actions_on`].
pub fn may_act(p: &Principal, action: UserAction, target: &Target) -> Result<(), String> {
    match action {
        UserAction::ChangeRole | UserAction::ResetPassword => Err("asked of actions_on".into()),
        _ => decide(p, None, action, target),
    }
}

/// What the account's way of signing in refuses of an action the admin could otherwise take.
fn account_rule(action: UserAction, sso: bool) -> Option<String> {
    (sso && action == UserAction::ResetPassword).then(|| crate::password_reset::SSO_REFUSAL.to_owned())
}

fn decide(p: &Principal, granter: Option<&Granter>, action: UserAction, t: &Target) -> Result<(), String> {
    if let Some(permission) = action.permission() {
        require(p, permission).map_err(|e| e.to_string())?;
        if permission.changes_users() {
            p.role.check_authority_over(&t.role).map_err(|r| r.sentence(&t.name))?;
        }
    }
    let primary = t.role == AdminRole::PrimaryMasterAdmin;
    if primary && matches!(action, UserAction::Suspend) {
        return Err("the Primary Master Admin cannot be suspended".into());
    }
    if primary && matches!(action, UserAction::Delete) {
        return Err("the Primary Master Admin can never be deleted".into());
    }
    if primary && matches!(action, UserAction::ChangeRole) {
        return Err("the Primary Master Admin's role changes only by handing the primary role over".into());
    }
    if action.changes_own_standing() && t.id == p.user_id {
        return Err("nobody changes their own status, role or Bot Builder access through admin actions".into());
    }
    if action == UserAction::ChangeRole {
        // Changing the role revokes the one held: that too must be the actor's to grant.
        let granter = granter.ok_or("the admin role is judged with the granter")?;
        granter.check_role(&t.role).map_err(|r| r.sentence(&format!("the role {:?}", t.role.label())))?;
    }
    let transition = |r: Result<UserStatus, domain::DomainError>| r.map(|_| ()).map_err(|e| e.to_string());
    match action {
        UserAction::Suspend => transition(t.status.suspend()),
        // Whether the move is allowed; the state it reaches (Active or Invited) does not matter here.
        UserAction::Activate => transition(t.status.activate(domain::user::SignInMeans::Ready)),
        UserAction::Unlock => transition(t.status.unlock()),
        UserAction::ResendInvitation if t.status != UserStatus::Invited => {
            Err("only an invited user has an invitation to resend".into())
        }
        UserAction::ResetPassword if t.status == UserStatus::Invited => {
            Err("an invited user has no password yet; resend the invitation instead".into())
        }
        UserAction::KillSessions if t.status == UserStatus::Invited => {
            Err("an invited user has never signed in, so has no sessions".into())
        }
        UserAction::TransferOwnership => super::transfer_ownership(p).map(|_| ()).map_err(|e| e.to_string()),
        UserAction::Delete => removal_keeps_role(p, t),
        _ => Ok(()),
    }
}

/// A workspace admin's delete removes the user from the admin's workspaces: refused while
/// the user's role is scoped to one of them (the same rule as [`crate::deletion::delete`]).
fn removal_keeps_role(p: &Principal, t: &Target) -> Result<(), String> {
    let Scope::Workspaces(mine) = p.role.scope() else { return Ok(()) };
    let remove: Vec<WorkspaceId> = t.workspaces.iter().filter(|w| mine.contains(w)).copied().collect();
    if t.role.keeps_holder_in(&remove).is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} holds the admin role {:?}, scoped to workspaces you would remove them from; give them another role first",
            t.name,
            t.role.label()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::ids::{AccountId, SessionId};
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
            builder_access: domain::user::BuilderAccess::None,
            workspace: None,
            ip: String::new(),
            profile_settings: domain::profile::ProfileSettings::default(),
            workspaces: Vec::new(),
            api_token: None,
        }
    }

    fn actions_on(p: &Principal, t: &Target) -> UserActions {
        let granter = Granter::for_tests(p);
        super::actions_on(p, &granter, t, false)
    }

    fn target(status: UserStatus, role: AdminRole) -> Target {
        Target { id: UserId::new(), name: "Casey Cole".into(), status, role, workspaces: Vec::new() }
    }

    #[test]
    fn under_sso_reset_password_is_refused_by_the_account_and_shown_disabled() {
        let me = admin(AdminRole::PrimaryMasterAdmin);
        let t = target(UserStatus::Active, AdminRole::Member);
        let acts = super::actions_on(&me, &Granter::for_tests(&me), &t, true);
        assert!(!acts.allows(UserAction::ResetPassword));
        assert!(acts.disabled(UserAction::ResetPassword).is_some_and(|r| r.contains("SSO")));
        assert!(acts.allows(UserAction::Suspend), "only the password step is off");
        // Refused for the admin's own reasons, it is hidden, not disabled.
        let viewer = admin(AdminRole::Custom {
            id: domain::ids::AdminRoleId::new(),
            name: "Viewer".into(),
            permissions: [Permission::UsersView].into_iter().collect(),
            scope: Scope::AllWorkspaces,
        });
        let acts = super::actions_on(&viewer, &Granter::for_tests(&viewer), &t, true);
        assert_eq!(acts.disabled(UserAction::ResetPassword), None);
    }

    #[test]
    fn the_status_decides_which_lifecycle_actions_are_offered() {
        let me = admin(AdminRole::PrimaryMasterAdmin);
        let active = actions_on(&me, &target(UserStatus::Active, AdminRole::Member));
        assert!(active.allows(UserAction::Suspend) && active.allows(UserAction::ResetPassword));
        assert!(!active.allows(UserAction::Activate) && !active.allows(UserAction::Unlock));
        assert!(active.reason(UserAction::Activate).is_some_and(|r| r.contains("activate")));
        let invited = actions_on(&me, &target(UserStatus::Invited, AdminRole::Member));
        assert!(invited.allows(UserAction::ResendInvitation) && !invited.allows(UserAction::ResetPassword));
        let primary = actions_on(&me, &target(UserStatus::Active, AdminRole::PrimaryMasterAdmin));
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
        let acts = actions_on(&viewer, &target(UserStatus::Active, AdminRole::Member));
        assert!(acts.allowed().is_empty(), "{acts:?}");
        assert!(acts.reason(UserAction::Suspend).is_some_and(|r| r.contains("users.manage")));
        assert!(acts.reason(UserAction::TransferOwnership).is_some_and(|r| r.contains("Primary Master Admin")));
    }

    #[test]
    fn a_target_above_the_actors_authority_is_refused_naming_the_rule() {
        let w = domain::ids::WorkspaceId::new();
        let scoped = admin(AdminRole::Custom {
            id: domain::ids::AdminRoleId::new(),
            name: "Alpha Ops".into(),
            permissions: PermissionSet::all(),
            scope: Scope::Workspaces([w].into_iter().collect()),
        });
        let acts = actions_on(&scoped, &target(UserStatus::Active, AdminRole::MasterAdmin));
        assert!(acts.allowed().is_empty(), "{acts:?}");
        assert!(acts.reason(UserAction::Suspend).is_some_and(|r| r.starts_with("Casey Cole acts on workspaces")));
        let member = actions_on(&scoped, &target(UserStatus::Active, AdminRole::Member));
        assert!(member.allows(UserAction::Suspend) && member.allows(UserAction::ChangeRole));
        let master = admin(AdminRole::MasterAdmin);
        let primary = actions_on(&master, &target(UserStatus::Active, AdminRole::PrimaryMasterAdmin));
        assert!(primary.allowed().is_empty(), "{primary:?}");
        assert!(primary.reason(UserAction::Edit).is_some_and(|r| r.contains("Primary Master Admin")));
    }

    #[test]
    fn nobody_changes_their_own_standing_and_the_primary_is_offered_nothing_refused() {
        let me = admin(AdminRole::PrimaryMasterAdmin);
        let myself = Target { id: me.user_id, ..target(UserStatus::Active, AdminRole::PrimaryMasterAdmin) };
        let acts = actions_on(&me, &myself);
        for action in [
            UserAction::Suspend,
            UserAction::Activate,
            UserAction::Unlock,
            UserAction::Delete,
            UserAction::ChangeRole,
            UserAction::ChangeBuilderAccess,
        ] {
            assert!(!acts.allows(action), "{action:?}");
        }
        assert!(acts.allows(UserAction::Edit) && acts.allows(UserAction::KillSessions));
    }
}
