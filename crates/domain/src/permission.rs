//! Admin permissions, sets of them, and the workspace scope they apply to.

use crate::DomainError;
use crate::ids::WorkspaceId;
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// One thing an admin may do (PRODUCT.md §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Permission {
    UsersView,
    UsersManage,
    UsersInvite,
    UsersDelete,
    SessionsView,
    SessionsKill,
    BotsView,
    BotsAssign,
    GroupsManage,
    SettingsManage,
    RolesManage,
    AuditView,
    TokensManage,
    /// Speak SCIM 2.0 at `/scim/v2` (RFC 7644): the gate for identity providers' tokens;
    /// each SCIM action still needs the user or group permission it exercises.
    Scim,
}

/// As its text (`users.view`), the one form the API shows.
impl serde::Serialize for Permission {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// From its text, as [`FromStr`] reads it.
impl<'de> serde::Deserialize<'de> for Permission {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl Permission {
    pub const ALL: [Permission; 14] = [
        Self::UsersView,
        Self::UsersManage,
        Self::UsersInvite,
        Self::UsersDelete,
        Self::SessionsView,
        Self::SessionsKill,
        Self::BotsView,
        Self::BotsAssign,
        Self::GroupsManage,
        Self::SettingsManage,
        Self::RolesManage,
        Self::AuditView,
        Self::TokensManage,
        Self::Scim,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::UsersView => "users.view",
            Self::UsersManage => "users.manage",
            Self::UsersInvite => "users.invite",
            Self::UsersDelete => "users.delete",
            Self::SessionsView => "sessions.view",
            Self::SessionsKill => "sessions.kill",
            Self::BotsView => "bots.view",
            Self::BotsAssign => "bots.assign",
            Self::GroupsManage => "groups.manage",
            Self::SettingsManage => "settings.manage",
            Self::RolesManage => "roles.manage",
            Self::AuditView => "audit.view",
            Self::TokensManage => "tokens.manage",
            Self::Scim => "scim",
        }
    }

    /// Whether holding it lets one change a user (rather than only see them): acting on a
    /// user this way needs the user's authority within one's own ([`crate::authority`]).
    pub fn changes_users(self) -> bool {
        // `tokens.manage` acts on API tokens, never on a user; `scim` only opens the SCIM
        // endpoints, whose changes each need a permission of their own.
        !matches!(
            self,
            Self::UsersView | Self::SessionsView | Self::BotsView | Self::AuditView | Self::TokensManage | Self::Scim
        )
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl FromStr for Permission {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| DomainError::invalid("permissions", format!("unknown permission {s:?}")))
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of permissions. Membership is exact: no substring or prefix matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PermissionSet(u16);

impl PermissionSet {
    pub fn all() -> Self {
        Self::ALL_BITS
    }

    const ALL_BITS: Self = Self((1 << Permission::ALL.len()) - 1);

    pub fn contains(self, p: Permission) -> bool {
        self.0 & p.bit() != 0
    }

    pub fn insert(&mut self, p: Permission) {
        self.0 |= p.bit();
    }

    /// True when every permission of `other` is also in `self`.
    pub fn is_superset_of(self, other: Self) -> bool {
        other.0 & !self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL.into_iter().filter(move |p| self.contains(*p))
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The permissions in both sets.
    #[must_use]
    pub fn intersection(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }
}

impl FromIterator<Permission> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        let mut set = Self::default();
        for p in iter {
            set.insert(p);
        }
        set
    }
}

/// Which workspaces an admin role acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every workspace of the account, present and future.
    AllWorkspaces,
    /// Only these workspaces (never empty for a role that should see anyone).
    Workspaces(BTreeSet<WorkspaceId>),
}

impl Scope {
    /// A scoped admin acts on a user only when they share at least one workspace.
    pub fn covers_any(&self, user_workspaces: &[WorkspaceId]) -> bool {
        match self {
            Self::AllWorkspaces => true,
            Self::Workspaces(ws) => user_workspaces.iter().any(|w| ws.contains(w)),
        }
    }

    /// Whether every workspace `other` reaches, this scope reaches too.
    pub fn contains(&self, other: &Scope) -> bool {
        match (self, other) {
            (Self::AllWorkspaces, _) => true,
            (Self::Workspaces(_), Self::AllWorkspaces) => false,
            (Self::Workspaces(mine), Self::Workspaces(theirs)) => theirs.is_subset(mine),
        }
    }

    /// The workspaces of this scope that `member_of` lacks (none for all workspaces): a
    /// workspace-scoped role is held only by members of each of its workspaces
    /// ([`crate::authority`]).
    pub fn workspaces_not_in(&self, member_of: &[WorkspaceId]) -> BTreeSet<WorkspaceId> {
        match self {
            Self::AllWorkspaces => BTreeSet::new(),
            Self::Workspaces(ws) => ws.iter().filter(|w| !member_of.contains(w)).copied().collect(),
        }
    }

    /// The workspaces both scopes reach (an API token's scope within its creator's).
    #[must_use]
    pub fn intersection(&self, other: &Scope) -> Scope {
        match (self, other) {
            (Self::AllWorkspaces, x) | (x, Self::AllWorkspaces) => x.clone(),
            (Self::Workspaces(a), Self::Workspaces(b)) => Self::Workspaces(a.intersection(b).copied().collect()),
        }
    }

    /// Whether this scope includes the workspace `w`.
    pub fn includes(&self, w: WorkspaceId) -> bool {
        match self {
            Self::AllWorkspaces => true,
            Self::Workspaces(ws) => ws.contains(&w),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_names_round_trip_exactly() {
        for p in Permission::ALL {
            assert_eq!(p.as_str().parse::<Permission>().unwrap(), p);
        }
        assert!("users".parse::<Permission>().is_err());
        assert!("users.view ".parse::<Permission>().is_err());
    }

    #[test]
    fn sets_hold_exactly_what_was_put_in() {
        let set: PermissionSet = [Permission::UsersView, Permission::AuditView].into_iter().collect();
        assert!(set.contains(Permission::UsersView));
        assert!(!set.contains(Permission::UsersManage));
        assert_eq!(set.iter().count(), 2);
        assert!(PermissionSet::all().is_superset_of(set));
        assert!(!set.is_superset_of(PermissionSet::all()));
        assert_eq!(PermissionSet::all().iter().count(), Permission::ALL.len());
    }

    #[test]
    fn a_scope_covers_a_user_only_through_a_shared_workspace() {
        let (a, b, c) = (WorkspaceId::new(), WorkspaceId::new(), WorkspaceId::new());
        let scope = Scope::Workspaces([a].into_iter().collect());
        assert!(scope.covers_any(&[b, a]));
        assert!(!scope.covers_any(&[b, c]));
        assert!(!scope.covers_any(&[]));
        assert!(Scope::AllWorkspaces.covers_any(&[c]));
        assert!(scope.includes(a) && !scope.includes(b));
    }

    #[test]
    fn a_scoped_role_names_the_workspaces_its_holder_lacks() {
        let (a, b) = (WorkspaceId::new(), WorkspaceId::new());
        let scope = Scope::Workspaces([a, b].into_iter().collect());
        assert_eq!(scope.workspaces_not_in(&[a]), [b].into_iter().collect());
        assert!(scope.workspaces_not_in(&[b, a]).is_empty());
        assert!(Scope::AllWorkspaces.workspaces_not_in(&[]).is_empty());
    }

    #[test]
    fn intersections_keep_only_what_both_hold() {
        let (a, b, c) = (WorkspaceId::new(), WorkspaceId::new(), WorkspaceId::new());
        let ab = Scope::Workspaces([a, b].into_iter().collect());
        let bc = Scope::Workspaces([b, c].into_iter().collect());
        assert_eq!(ab.intersection(&bc), Scope::Workspaces([b].into_iter().collect()));
        assert_eq!(Scope::AllWorkspaces.intersection(&ab), ab);
        assert_eq!(bc.intersection(&Scope::AllWorkspaces), bc);
        assert_eq!(Scope::AllWorkspaces.intersection(&Scope::AllWorkspaces), Scope::AllWorkspaces);
        let view: PermissionSet = [Permission::UsersView, Permission::TokensManage].into_iter().collect();
        let audit: PermissionSet = [Permission::AuditView, Permission::TokensManage].into_iter().collect();
        assert_eq!(view.intersection(audit).iter().collect::<Vec<_>>(), vec![Permission::TokensManage]);
    }
}
