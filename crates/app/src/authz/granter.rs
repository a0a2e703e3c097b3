//! What an admin may hand on to others (roles, Bot Builder access): the [`Granter`].

use super::Principal;
use crate::{AppCtx, AppError};
use domain::authority::{Authority, Refusal};
use domain::ids::{UserId, WorkspaceId};
use domain::permission::{PermissionSet, Scope};
use domain::role::AdminRole;
use domain::user::BuilderAccess;

/// What the caller may hand on to others: roles within their own authority (a role equal to
/// Master Admin — under any name, [`Authority::equals_master_admin`] — only as the Primary
/// Master Admin, who also alone hands on the primary role), and Bot Builder access up to
/// their own level unless they hold `bots.assign` on all workspaces.
#[derive(Debug, Clone)]
pub struct Granter {
    pub(crate) role: AdminRole,
    pub(crate) user: UserId,
    builder_access: BuilderAccess,
    /// The account's workspaces now; read only when the answer can depend on them.
    account_workspaces: Vec<WorkspaceId>,
}

/// The [`Granter`] of `p`. Whether a role listing workspaces equals Master Admin depends on
/// the account's current workspaces, and matters only to a caller who is not the Primary
/// Master Admin yet holds every permission (anyone else is refused such a role by the
/// authority rule already): only then are the workspaces read (one statement).
pub async fn granter(ctx: &AppCtx, p: &Principal) -> Result<Granter, AppError> {
    let workspaces =
        if granter_needs_workspaces(p) { store::lookups::workspaces(&ctx.db, p.account_id).await? } else { Vec::new() };
    Ok(granter_knowing(p, &workspaces))
}

fn granter_needs_workspaces(p: &Principal) -> bool {
    !p.role.may_transfer_ownership() && p.role.permissions() == PermissionSet::all()
}

/// The [`Granter`] of `p` from the account's workspaces `account_workspaces`, read by the
/// caller with what else it needed (the profile editor's one statement).
pub fn granter_knowing(p: &Principal, account_workspaces: &[store::lookups::Named]) -> Granter {
    let account_workspaces = if granter_needs_workspaces(p) {
        account_workspaces.iter().map(|w| WorkspaceId(w.id)).collect()
    } else {
        Vec::new()
    };
    Granter { role: p.role.clone(), user: p.user_id, builder_access: p.builder_access, account_workspaces }
}

impl Granter {
    /// A granter for unit tests, in an account with no workspaces.
    #[cfg(test)]
    pub(crate) fn for_tests(p: &Principal) -> Self {
        Self { role: p.role.clone(), user: p.user_id, builder_access: p.builder_access, account_workspaces: Vec::new() }
    }

    pub(crate) fn is_primary(&self) -> bool {
        self.role.may_transfer_ownership()
    }

    pub(crate) fn scope(&self) -> Scope {
        self.role.scope()
    }

    /// Whether the caller may grant `role` (the rule of [`Self::may_grant`]), to offer it.
    pub fn can_grant(&self, role: &AdminRole) -> bool {
        self.check_role(role).is_ok()
    }

    /// Why the caller may not grant (or revoke) `role`, if they may not.
    pub fn check_role(&self, role: &AdminRole) -> Result<(), Refusal> {
        self.role.check_may_grant(role, &self.account_workspaces)
    }

    /// Refuses (403 naming the rule, with `whose` as the subject: `the role "Ops"`) a role
    /// whose authority does not lie within the caller's, or one equal to Master Admin for
    /// anyone but the Primary Master Admin ([`domain::authority`]).
    pub(crate) fn may_grant(&self, whose: &str, role: &Authority) -> Result<(), AppError> {
        Authority::of(&self.role)
            .check_may_grant(role, &self.account_workspaces)
            .map_err(|r| AppError::Forbidden(r.sentence(whose)))
    }

    /// The Bot Builder levels the caller may set for a user whose level is `current`, least
    /// first ([`domain::authority::builder_levels`]): the page offers exactly these.
    pub fn builder_levels(&self, current: BuilderAccess) -> Vec<BuilderAccess> {
        domain::authority::builder_levels(self.builder_access, current, self.role.assigns_bots_everywhere())
    }

    /// 403 naming the rule when the caller may not move a user's Bot Builder access from
    /// `current` to `new`.
    pub(crate) fn may_set_builder(&self, current: BuilderAccess, new: BuilderAccess) -> Result<(), AppError> {
        if self.builder_levels(current).contains(&new) {
            return Ok(());
        }
        Err(AppError::Forbidden(format!(
            "you may raise Bot Builder access only up to your own level ({}) unless you hold the bots.assign permission on all workspaces",
            self.builder_access.label()
        )))
    }
}
