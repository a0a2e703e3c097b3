//! API tokens (PRODUCT.md §6, §10): the rules that need no I/O — what a secret looks like,
//! how long a token may live, and what a token may do at a given moment.
//!
//! A token holds a set of permissions and a workspace scope, both within its creator's when
//! it is made. Its rights at any later moment are the intersection of its own and its
//! creator's *current* role ([`effective_role`]), so demoting the creator narrows every
//! token they made, at the next request.

use crate::ids::{AdminRoleId, ApiTokenId};
use crate::permission::{PermissionSet, Scope};
use crate::role::AdminRole;

/// What every secret starts with, so a leaked one is recognizable (secret scanners, logs).
pub const SECRET_PREFIX: &str = "roster_pat_";

/// The longest a token may live: one year (365 days), in microseconds.
pub const MAX_LIFETIME_US: i64 = 365 * 24 * 3600 * 1_000_000;

/// The longest `expires_in_days` accepted.
pub const MAX_LIFETIME_DAYS: i64 = 365;

/// Longest token name, in characters.
pub const NAME_MAX_CHARS: usize = 100;

/// Why an expiry is refused (`None`: it is fine). `now` and `expires_at` in µs.
pub fn expiry_problem(now: i64, expires_at: i64) -> Option<&'static str> {
    if expires_at <= now {
        Some("must be in the future")
    } else if expires_at - now > MAX_LIFETIME_US {
        Some("must be at most one year (365 days) from now")
    } else {
        None
    }
}

/// The part of a presented secret after [`SECRET_PREFIX`], when it has the shape of one
/// (prefix, then 43 or more URL-safe base64 characters). Anything else is not a token; the
/// caller answers it exactly as an unknown token.
pub fn secret_body(presented: &str) -> Option<&str> {
    let body = presented.strip_prefix(SECRET_PREFIX)?;
    let url_safe = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    (body.len() >= 43 && body.len() <= 128 && body.chars().all(url_safe)).then_some(body)
}

/// What a token may do now: its `permissions` and `scope` intersected with its creator's
/// current role. When the token holds everything its creator holds, everywhere the creator
/// acts, it acts as the creator's role itself (so a Master Admin's full token keeps Master
/// Admin's authority over others) — but never as the Primary Master Admin: a Primary's full
/// token acts as a Master Admin; otherwise as a custom role named after the token.
pub fn effective_role(
    creator: &AdminRole,
    token: ApiTokenId,
    name: &str,
    permissions: PermissionSet,
    scope: &Scope,
) -> AdminRole {
    let held = creator.permissions();
    let reach = creator.scope();
    if permissions.is_superset_of(held) && scope.contains(&reach) {
        // The Primary Master Admin's acts of their own (handing over the primary role,
        // transferring bot ownership, granting Master Admin) are never a token's: a leaked
        // token must not give the account away. Their full token is a Master Admin's.
        return match creator {
            AdminRole::PrimaryMasterAdmin => AdminRole::MasterAdmin,
            other => other.clone(),
        };
    }
    AdminRole::Custom {
        id: AdminRoleId(token.0),
        name: format!("API token \"{name}\""),
        permissions: permissions.intersection(held),
        scope: scope.intersection(&reach),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::WorkspaceId;
    use crate::permission::Permission;

    #[test]
    fn a_primary_master_admins_full_token_is_a_master_admin() {
        let every = PermissionSet::all();
        let role = effective_role(&AdminRole::PrimaryMasterAdmin, ApiTokenId::new(), "t", every, &Scope::AllWorkspaces);
        assert_eq!(role, AdminRole::MasterAdmin);
        assert!(!role.may_transfer_ownership());
        let role = effective_role(&AdminRole::MasterAdmin, ApiTokenId::new(), "t", every, &Scope::AllWorkspaces);
        assert_eq!(role, AdminRole::MasterAdmin);
    }

    #[test]
    fn expiry_is_in_the_future_and_within_a_year() {
        let now = 1_000_000;
        assert_eq!(expiry_problem(now, now), Some("must be in the future"));
        assert!(expiry_problem(now, now + MAX_LIFETIME_US + 1).is_some());
        assert_eq!(expiry_problem(now, now + MAX_LIFETIME_US), None);
        assert_eq!(expiry_problem(now, now + 1), None);
    }

    #[test]
    fn only_prefixed_url_safe_secrets_have_a_body() {
        let good = format!("{SECRET_PREFIX}{}", "a".repeat(43));
        assert_eq!(secret_body(&good), Some("a".repeat(43).as_str()));
        for bad in ["", "roster_pat_", "roster_pat_short", "Bearer x", &format!("roster_pat_{}", "é".repeat(43))] {
            assert_eq!(secret_body(bad), None, "{bad:?}");
        }
        assert_eq!(secret_body(&format!("xroster_pat_{}", "a".repeat(43))), None);
    }

    #[test]
    fn rights_are_the_intersection_with_the_creators_current_role() {
        let (a, b) = (WorkspaceId::new(), WorkspaceId::new());
        let id = ApiTokenId::new();
        let view_kill: PermissionSet = [Permission::UsersView, Permission::SessionsKill].into_iter().collect();
        let creator = AdminRole::Custom {
            id: AdminRoleId::new(),
            name: "Ops".into(),
            permissions: [Permission::UsersView].into_iter().collect(),
            scope: Scope::Workspaces([a].into_iter().collect()),
        };
        let role = effective_role(&creator, id, "ci", view_kill, &Scope::Workspaces([a, b].into_iter().collect()));
        assert!(role.allows(Permission::UsersView));
        assert!(!role.allows(Permission::SessionsKill), "the creator no longer holds it");
        assert_eq!(role.scope(), Scope::Workspaces([a].into_iter().collect()));
        let none = effective_role(&AdminRole::Member, id, "ci", view_kill, &Scope::AllWorkspaces);
        assert!(!none.is_admin(), "a demoted creator takes every right with them");
        let full = effective_role(&AdminRole::MasterAdmin, id, "ci", PermissionSet::all(), &Scope::AllWorkspaces);
        assert_eq!(full, AdminRole::MasterAdmin);
    }
}
