//! Admin roles: who may do what, and on which workspaces.

use crate::ids::AdminRoleId;
use crate::permission::{Permission, PermissionSet, Scope};
use serde::{Deserialize, Serialize};

/// A user's standing as an admin of their account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminRole {
    /// Not an admin: self-service only.
    Member,
    /// Exactly one per account: everything, plus transfer of bot ownership and of this role.
    PrimaryMasterAdmin,
    /// Every admin permission on every workspace of the account.
    MasterAdmin,
    /// A named set of permissions on a scope.
    Custom { id: AdminRoleId, name: String, permissions: PermissionSet, scope: Scope },
}

/// What a stored admin role is (`admin_roles.kind`): the account's built-in Master Admin
/// role, or a custom one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DefinedRole {
    Master,
    Custom,
}

impl crate::closed::ClosedSet for DefinedRole {
    const ALL: &'static [Self] = &[Self::Master, Self::Custom];
    const FIELD: &'static str = "kind";

    fn as_str(self) -> &'static str {
        Self::as_str(self)
    }
}

impl DefinedRole {
    /// The stored (and API) text: the one place it is written.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Master => "master",
            Self::Custom => "custom",
        }
    }
}

/// For sqlx's `try_from = "String"` decoding of stored rows.
impl TryFrom<String> for DefinedRole {
    type Error = crate::DomainError;
    fn try_from(s: String) -> Result<Self, crate::DomainError> {
        <Self as crate::closed::ClosedSet>::parse(&s)
    }
}

/// The kind of an admin role, as stored and as used by the list filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RoleKind {
    Member,
    PrimaryMasterAdmin,
    MasterAdmin,
    Custom,
}

impl AdminRole {
    pub fn kind(&self) -> RoleKind {
        match self {
            Self::Member => RoleKind::Member,
            Self::PrimaryMasterAdmin => RoleKind::PrimaryMasterAdmin,
            Self::MasterAdmin => RoleKind::MasterAdmin,
            Self::Custom { .. } => RoleKind::Custom,
        }
    }

    /// The name the console shows in the Account Role column.
    pub fn label(&self) -> &str {
        match self {
            Self::Member => "Member",
            Self::PrimaryMasterAdmin => "Primary Master Admin",
            Self::MasterAdmin => "Master Admin",
            Self::Custom { name, .. } => name,
        }
    }

    pub fn permissions(&self) -> PermissionSet {
        match self {
            Self::Member => PermissionSet::default(),
            Self::PrimaryMasterAdmin | Self::MasterAdmin => PermissionSet::all(),
            Self::Custom { permissions, .. } => *permissions,
        }
    }

    pub fn allows(&self, p: Permission) -> bool {
        self.permissions().contains(p)
    }

    /// Which workspaces this role acts on. Members act on none.
    pub fn scope(&self) -> Scope {
        match self {
            Self::Member => Scope::Workspaces(std::collections::BTreeSet::new()),
            Self::PrimaryMasterAdmin | Self::MasterAdmin => Scope::AllWorkspaces,
            Self::Custom { scope, .. } => scope.clone(),
        }
    }

    /// Any admin role at all opens the admin console.
    pub fn is_admin(&self) -> bool {
        !self.permissions().is_empty()
    }

    /// Only the Primary Master Admin transfers bot ownership or hands on the primary role.
    pub fn may_transfer_ownership(&self) -> bool {
        matches!(self, Self::PrimaryMasterAdmin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::WorkspaceId;

    fn custom(perms: &[Permission], scope: Scope) -> AdminRole {
        AdminRole::Custom {
            id: AdminRoleId::new(),
            name: "Helpdesk".into(),
            permissions: perms.iter().copied().collect(),
            scope,
        }
    }

    #[test]
    fn master_admins_hold_every_permission_everywhere() {
        for role in [AdminRole::PrimaryMasterAdmin, AdminRole::MasterAdmin] {
            assert!(Permission::ALL.iter().all(|p| role.allows(*p)));
            assert_eq!(role.scope(), Scope::AllWorkspaces);
            assert!(role.is_admin());
        }
    }

    #[test]
    fn members_hold_nothing_and_see_no_workspace() {
        let m = AdminRole::Member;
        assert!(!m.is_admin());
        assert!(Permission::ALL.iter().all(|p| !m.allows(*p)));
        assert!(!m.scope().covers_any(&[WorkspaceId::new()]));
        assert_eq!(m.label(), "Member");
    }

    #[test]
    fn custom_roles_hold_only_their_permissions_on_their_scope() {
        let w = WorkspaceId::new();
        let role = custom(&[Permission::UsersView], Scope::Workspaces([w].into_iter().collect()));
        assert!(role.allows(Permission::UsersView));
        assert!(!role.allows(Permission::UsersDelete));
        assert!(role.scope().covers_any(&[w]));
        assert!(!role.scope().covers_any(&[WorkspaceId::new()]));
        assert_eq!(role.label(), "Helpdesk");
        assert_eq!(role.kind(), RoleKind::Custom);
    }

    #[test]
    fn only_the_primary_master_admin_transfers_ownership() {
        assert!(AdminRole::PrimaryMasterAdmin.may_transfer_ownership());
        assert!(!AdminRole::MasterAdmin.may_transfer_ownership());
        assert!(!custom(&Permission::ALL, Scope::AllWorkspaces).may_transfer_ownership());
    }
}
