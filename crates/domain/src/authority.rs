//! Authority over a target (PRODUCT.md §6): an admin acts on a user, and creates, changes,
//! grants, revokes or deletes a role, only when the target's admin authority lies **within**
//! their own — every permission the target holds, the actor holds, and the target's scope
//! lies inside the actor's. The Primary Master Admin is above everyone; members hold nothing
//! and so lie within every admin's authority (whether the actor may reach them at all is the
//! scope question of [`Scope::covers_any`]). A role equal to Master Admin (every permission
//! on all workspaces — named as "all", or listing every current workspace of the account)
//! is granted only by the Primary Master Admin. A workspace-scoped role is held only by
//! members of each of its workspaces ([`Scope::workspaces_not_in`]). Bot Builder access is
//! raised only up to the actor's own level, unless they hold `bots.assign` on all
//! workspaces ([`builder_levels`]).
//!
//! The account's workspaces come in from the caller: this module does no I/O.

use crate::ids::WorkspaceId;
use crate::permission::{Permission, PermissionSet, Scope};
use crate::role::AdminRole;
use crate::user::BuilderAccess;
use std::fmt;

/// What an admin role may do and where: its permissions, its scope, and whether it is the
/// Primary Master Admin's (who is above everyone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority {
    permissions: PermissionSet,
    scope: Scope,
    primary: bool,
}

/// Why one authority does not lie within another. [`Refusal::sentence`] words it for people,
/// naming whose authority it is ("Casey holds permissions you do not hold: users.delete").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The target is the Primary Master Admin, above every other admin.
    PrimaryMasterAdmin,
    /// The target holds these permissions, which the actor does not.
    PermissionsNotHeld(PermissionSet),
    /// The target's scope reaches workspaces outside the actor's.
    WiderScope,
    /// The role equals Master Admin (every permission on all workspaces): only the Primary
    /// Master Admin grants it, under any name.
    MasterAdminOnlyByPrimary,
}

impl Refusal {
    /// The refusal as a sentence about `whose` authority it is ("Casey", "the role \"Ops\"").
    pub fn sentence(&self, whose: &str) -> String {
        match self {
            Self::PrimaryMasterAdmin => {
                format!("{whose} is the Primary Master Admin, whose authority is above every other admin's")
            }
            Self::PermissionsNotHeld(missing) => {
                let names: Vec<&str> = missing.iter().map(Permission::as_str).collect();
                format!("{whose} holds permissions you do not hold: {}", names.join(", "))
            }
            Self::WiderScope => format!("{whose} acts on workspaces outside your scope"),
            Self::MasterAdminOnlyByPrimary => format!(
                "{whose} equals Master Admin (every permission on all workspaces), which only the Primary Master Admin grants"
            ),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sentence("the target"))
    }
}

impl Authority {
    /// The authority of a custom role (or of any permission set on a scope).
    pub fn new(permissions: PermissionSet, scope: Scope) -> Self {
        Self { permissions, scope, primary: false }
    }

    /// The authority `role` carries. A member's is empty: no permission, no workspace.
    pub fn of(role: &AdminRole) -> Self {
        Self { permissions: role.permissions(), scope: role.scope(), primary: role.may_transfer_ownership() }
    }

    /// Whether this is Master Admin's authority under any name: every permission on all
    /// workspaces, or on a list naming every workspace the account has now
    /// (`account_workspaces`, which the caller reads).
    pub fn equals_master_admin(&self, account_workspaces: &[WorkspaceId]) -> bool {
        if self.permissions != PermissionSet::all() {
            return false;
        }
        match &self.scope {
            Scope::AllWorkspaces => true,
            Scope::Workspaces(ws) => {
                !account_workspaces.is_empty() && account_workspaces.iter().all(|w| ws.contains(w))
            }
        }
    }

    /// `Ok` when `other` lies within this authority; otherwise the first rule it breaks.
    pub fn check_covers(&self, other: &Authority) -> Result<(), Refusal> {
        if self.primary {
            return Ok(());
        }
        if other.primary {
            return Err(Refusal::PrimaryMasterAdmin);
        }
        let missing: PermissionSet = other.permissions.iter().filter(|p| !self.permissions.contains(*p)).collect();
        if !missing.is_empty() {
            return Err(Refusal::PermissionsNotHeld(missing));
        }
        // A target without permissions acts nowhere, whatever scope its role names.
        if !other.permissions.is_empty() && !self.scope.contains(&other.scope) {
            return Err(Refusal::WiderScope);
        }
        Ok(())
    }

    pub fn covers(&self, other: &Authority) -> bool {
        self.check_covers(other).is_ok()
    }

    /// `Ok` when the holder may create, change, grant, revoke or delete a role with
    /// authority `role`: it lies within theirs, and one equal to Master Admin (judged
    /// against the account's current `account_workspaces`) only for the Primary Master Admin.
    pub fn check_may_grant(&self, role: &Authority, account_workspaces: &[WorkspaceId]) -> Result<(), Refusal> {
        if role.equals_master_admin(account_workspaces) && !self.primary {
            return Err(Refusal::MasterAdminOnlyByPrimary);
        }
        self.check_covers(role)
    }
}

impl AdminRole {
    /// `Ok` when a holder of this role may act on a holder of `target` (scope permitting):
    /// the target's authority lies within this one's.
    pub fn check_authority_over(&self, target: &AdminRole) -> Result<(), Refusal> {
        Authority::of(self).check_covers(&Authority::of(target))
    }

    /// `Ok` when a holder of this role may grant (or create, change, revoke, delete) `role`,
    /// in an account whose workspaces are now `account_workspaces`.
    pub fn check_may_grant(&self, role: &AdminRole, account_workspaces: &[WorkspaceId]) -> Result<(), Refusal> {
        Authority::of(self).check_may_grant(&Authority::of(role), account_workspaces)
    }

    /// The workspaces among `remove` this role is scoped to: its holder must stay a member
    /// of each of them, so removing them from these is refused (never a silent narrowing of
    /// the role). Empty for a role on all workspaces or without permissions.
    pub fn keeps_holder_in(&self, remove: &[WorkspaceId]) -> Vec<WorkspaceId> {
        match self.scope() {
            Scope::Workspaces(ws) if !self.permissions().is_empty() => {
                remove.iter().filter(|w| ws.contains(w)).copied().collect()
            }
            _ => Vec::new(),
        }
    }

    /// Whether this role holds `bots.assign` on every workspace (present and future), which
    /// lifts the ceiling of [`builder_levels`].
    pub fn assigns_bots_everywhere(&self) -> bool {
        self.allows(Permission::BotsAssign) && self.scope() == Scope::AllWorkspaces
    }
}

/// The Bot Builder levels an admin whose own level is `own` may set for a user whose level
/// is `current`, least first: any level up to the higher of the two (lowering is never
/// capped), or every level when `unlimited` (`bots.assign` on all workspaces,
/// [`AdminRole::assigns_bots_everywhere`]).
pub fn builder_levels(own: BuilderAccess, current: BuilderAccess, unlimited: bool) -> Vec<BuilderAccess> {
    let ceiling = own.max(current);
    BuilderAccess::ALL.into_iter().filter(|l| unlimited || *l <= ceiling).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{AdminRoleId, WorkspaceId};

    fn custom(perms: &[Permission], scope: Scope) -> AdminRole {
        AdminRole::Custom {
            id: AdminRoleId::new(),
            name: "Custom".into(),
            permissions: perms.iter().copied().collect(),
            scope,
        }
    }

    fn only(ws: &[WorkspaceId]) -> Scope {
        Scope::Workspaces(ws.iter().copied().collect())
    }

    #[test]
    fn the_primary_master_admin_is_above_everyone_and_below_no_one() {
        let (a, b) = (WorkspaceId::new(), WorkspaceId::new());
        let primary = AdminRole::PrimaryMasterAdmin;
        for target in [
            AdminRole::PrimaryMasterAdmin,
            AdminRole::MasterAdmin,
            AdminRole::Member,
            custom(&Permission::ALL, only(&[a, b])),
        ] {
            assert_eq!(primary.check_authority_over(&target), Ok(()), "{target:?}");
        }
        for actor in [AdminRole::MasterAdmin, custom(&Permission::ALL, Scope::AllWorkspaces)] {
            assert_eq!(actor.check_authority_over(&primary), Err(Refusal::PrimaryMasterAdmin));
        }
    }

    #[test]
    fn members_lie_within_every_admins_authority() {
        let w = WorkspaceId::new();
        for actor in
            [AdminRole::MasterAdmin, custom(&[Permission::UsersManage], only(&[w])), custom(&[], Scope::AllWorkspaces)]
        {
            assert_eq!(actor.check_authority_over(&AdminRole::Member), Ok(()), "{actor:?}");
        }
    }

    #[test]
    fn a_target_holding_a_permission_the_actor_lacks_is_refused_naming_it() {
        let actor = custom(&[Permission::UsersManage, Permission::UsersView], Scope::AllWorkspaces);
        let target = custom(&[Permission::UsersView, Permission::UsersDelete], Scope::AllWorkspaces);
        let refusal = actor.check_authority_over(&target).unwrap_err();
        assert_eq!(refusal, Refusal::PermissionsNotHeld([Permission::UsersDelete].into_iter().collect()));
        assert_eq!(refusal.sentence("Casey"), "Casey holds permissions you do not hold: users.delete");
        assert!(actor.check_authority_over(&AdminRole::MasterAdmin).is_err());
    }

    #[test]
    fn a_target_scope_must_lie_inside_the_actors() {
        let (a, b) = (WorkspaceId::new(), WorkspaceId::new());
        let scoped = custom(&Permission::ALL, only(&[a]));
        assert_eq!(scoped.check_authority_over(&custom(&[Permission::UsersView], only(&[a]))), Ok(()));
        assert_eq!(
            scoped.check_authority_over(&custom(&[Permission::UsersView], only(&[a, b]))),
            Err(Refusal::WiderScope)
        );
        assert_eq!(
            scoped.check_authority_over(&custom(&[Permission::UsersView], Scope::AllWorkspaces)),
            Err(Refusal::WiderScope)
        );
        // A workspace admin holding every permission still does not cover a Master Admin.
        assert_eq!(scoped.check_authority_over(&AdminRole::MasterAdmin), Err(Refusal::WiderScope));
        assert_eq!(AdminRole::MasterAdmin.check_authority_over(&custom(&[Permission::UsersView], only(&[b]))), Ok(()));
    }

    #[test]
    fn equal_authority_lies_within() {
        assert_eq!(AdminRole::MasterAdmin.check_authority_over(&AdminRole::MasterAdmin), Ok(()));
        let w = WorkspaceId::new();
        let r = custom(&[Permission::UsersManage], only(&[w]));
        assert_eq!(r.check_authority_over(&r.clone()), Ok(()));
    }

    #[test]
    fn master_admin_under_any_name_is_granted_only_by_the_primary() {
        let renamed = custom(&Permission::ALL, Scope::AllWorkspaces);
        for role in [&AdminRole::MasterAdmin, &renamed] {
            assert_eq!(AdminRole::MasterAdmin.check_may_grant(role, &[]), Err(Refusal::MasterAdminOnlyByPrimary));
            assert_eq!(AdminRole::PrimaryMasterAdmin.check_may_grant(role, &[]), Ok(()));
        }
        let almost: Vec<Permission> = Permission::ALL.into_iter().filter(|p| *p != Permission::AuditView).collect();
        assert_eq!(AdminRole::MasterAdmin.check_may_grant(&custom(&almost, Scope::AllWorkspaces), &[]), Ok(()));
        assert!(
            Refusal::MasterAdminOnlyByPrimary.sentence("the role \"Boss\"").contains("only the Primary Master Admin")
        );
    }

    #[test]
    fn grants_follow_the_authority_rule() {
        let (a, b) = (WorkspaceId::new(), WorkspaceId::new());
        let actor = custom(&[Permission::RolesManage, Permission::UsersView], only(&[a]));
        let ws = [a, b];
        assert_eq!(actor.check_may_grant(&custom(&[Permission::UsersView], only(&[a])), &ws), Ok(()));
        assert_eq!(actor.check_may_grant(&custom(&[Permission::UsersView], only(&[b])), &ws), Err(Refusal::WiderScope));
        assert!(matches!(
            actor.check_may_grant(&custom(&[Permission::AuditView], only(&[a])), &ws),
            Err(Refusal::PermissionsNotHeld(_))
        ));
        assert_eq!(actor.check_may_grant(&AdminRole::Member, &ws), Ok(()));
    }

    #[test]
    fn every_permission_on_every_current_workspace_is_master_admin_under_another_name() {
        let (a, b, c) = (WorkspaceId::new(), WorkspaceId::new(), WorkspaceId::new());
        let account = [a, b];
        let listed = custom(&Permission::ALL, only(&[a, b]));
        assert!(Authority::of(&listed).equals_master_admin(&account));
        assert_eq!(AdminRole::MasterAdmin.check_may_grant(&listed, &account), Err(Refusal::MasterAdminOnlyByPrimary));
        assert_eq!(AdminRole::PrimaryMasterAdmin.check_may_grant(&listed, &account), Ok(()));
        // Once the account has a workspace the list leaves out, the role is smaller.
        assert!(!Authority::of(&listed).equals_master_admin(&[a, b, c]));
        assert_eq!(AdminRole::MasterAdmin.check_may_grant(&listed, &[a, b, c]), Ok(()));
        // One permission short is not Master Admin, however many workspaces it lists.
        let almost: Vec<Permission> = Permission::ALL.into_iter().filter(|p| *p != Permission::AuditView).collect();
        assert!(!Authority::of(&custom(&almost, only(&[a, b]))).equals_master_admin(&account));
    }

    #[test]
    fn a_scoped_role_keeps_its_holder_in_its_workspaces() {
        let (a, b) = (WorkspaceId::new(), WorkspaceId::new());
        let ops = custom(&[Permission::UsersView], only(&[a]));
        assert_eq!(ops.keeps_holder_in(&[a, b]), [a]);
        assert!(ops.keeps_holder_in(&[b]).is_empty());
        assert!(AdminRole::MasterAdmin.keeps_holder_in(&[a]).is_empty());
        assert!(AdminRole::Member.keeps_holder_in(&[a]).is_empty());
    }

    #[test]
    fn bot_builder_access_rises_only_to_the_actors_own_level() {
        use BuilderAccess::{Builder, BuilderAndCreate, None as NoAccess};
        assert_eq!(builder_levels(Builder, NoAccess, false), [NoAccess, Builder]);
        assert_eq!(builder_levels(NoAccess, NoAccess, false), [NoAccess]);
        // Lowering is never capped: the user's own level stays on offer.
        assert_eq!(builder_levels(NoAccess, BuilderAndCreate, false), BuilderAccess::ALL);
        assert_eq!(builder_levels(NoAccess, NoAccess, true), BuilderAccess::ALL);
        let w = WorkspaceId::new();
        assert!(AdminRole::MasterAdmin.assigns_bots_everywhere());
        assert!(!custom(&[Permission::BotsAssign], only(&[w])).assigns_bots_everywhere());
        assert!(!custom(&[Permission::BotsView], Scope::AllWorkspaces).assigns_bots_everywhere());
    }
}
