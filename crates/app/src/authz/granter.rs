//! What an admin may hand on to others (roles, Bot Builder access): the [`Granter`].

use super::{Principal, TargetUser};
use crate::{AppCtx, AppError};
use domain::authority::{Authority, Refusal};
use domain::ids::{AccountId, WorkspaceId};
use domain::permission::{PermissionSet, Scope};
use domain::role::AdminRole;
use domain::user::BuilderAccess;
use std::collections::BTreeSet;

/// Why a role change breaks [`Granter::check_role_change`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RoleChangeRefusal {
    /// The user is the Primary Master Admin.
    Primary,
    /// The role held now, which the change revokes, lies outside the caller's authority.
    Revoked(Refusal),
    /// The role granted lies outside the caller's authority.
    Granted(Refusal),
    /// The role granted is scoped to these workspaces, of which the user is not a member.
    NotMember(BTreeSet<WorkspaceId>),
}

impl RoleChangeRefusal {
    /// The names of the workspaces of [`Self::NotMember`] (empty for the others), read only
    /// on that refusal, for its message (one statement).
    pub(crate) async fn workspace_names(&self, ctx: &AppCtx, account: AccountId) -> Result<Vec<String>, AppError> {
        let Self::NotMember(missing) = self else { return Ok(Vec::new()) };
        Ok(store::lookups::workspaces(&ctx.db, account)
            .await?
            .into_iter()
            .filter(|w| missing.contains(&WorkspaceId(w.id)))
            .map(|w| w.name)
            .collect())
    }

    /// The refusal as a sentence, for a change of `target` from `old` to `new` (role labels);
    /// `workspaces` names the workspaces of [`Self::NotMember`].
    pub(crate) fn sentence(&self, target: &str, old: &str, new: &str, workspaces: &[String]) -> String {
        match self {
            Self::Primary => {
                "the Primary Master Admin's role cannot be changed here; hand over the primary role first".into()
            }
            Self::Revoked(r) => r.sentence(&format!("the role {old:?}")),
            Self::Granted(r) => r.sentence(&format!("the role {new:?}")),
            Self::NotMember(_) => format!(
                "{new:?} is scoped to {}, which {target} is not a member of; a workspace-scoped role goes only to \
                 members of each of its workspaces",
                workspaces.join(", ")
            ),
        }
    }
}

/// What the caller may hand on to others: roles within their own authority (a role equal to
/// Master Admin — under any name, [`Authority::equals_master_admin`] — only as the Primary
/// Master Admin, who also alone hands on the primary role), and Bot Builder access up to
/// their own level unless they hold `bots.assign` on all workspaces.
#[derive(Debug, Clone)]
pub struct Granter {
    pub(crate) role: AdminRole,
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
    needs_workspaces(&p.role)
}

fn needs_workspaces(role: &AdminRole) -> bool {
    !role.may_transfer_ownership() && role.permissions() == PermissionSet::all()
}

/// The [`Granter`] of an admin as they are now, loaded as a [`TargetUser`] (whoever saved
/// the SSO attribute mapping, at each sign-in it acts at): the rule a [`Principal`] of
/// theirs would get. The account's workspaces are read only when [`granter`] would read
/// them (one statement).
pub(crate) async fn granter_of(ctx: &AppCtx, account: AccountId, admin: &TargetUser) -> Result<Granter, AppError> {
    let account_workspaces = if needs_workspaces(&admin.role) {
        store::lookups::workspaces(&ctx.db, account).await?.into_iter().map(|w| WorkspaceId(w.id)).collect()
    } else {
        Vec::new()
    };
    Ok(Granter { role: admin.role.clone(), builder_access: admin.row.builder_access, account_workspaces })
}

/// The [`Granter`] of `p` from the account's workspaces `account_workspaces`, read by the
/// caller with what else it needed (the profile editor's one statement).
pub fn granter_knowing(p: &Principal, account_workspaces: &[store::lookups::Named]) -> Granter {
    let account_workspaces = if granter_needs_workspaces(p) {
        account_workspaces.iter().map(|w| WorkspaceId(w.id)).collect()
    } else {
        Vec::new()
    };
    Granter { role: p.role.clone(), builder_access: p.builder_access, account_workspaces }
}

impl Granter {
    /// A granter for unit tests, in an account with no workspaces.
    #[cfg(test)]
    pub(crate) fn for_tests(p: &Principal) -> Self {
        Self { role: p.role.clone(), builder_access: p.builder_access, account_workspaces: Vec::new() }
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

    /// The console's one rule for moving `target` from the admin role they hold to `new`
    /// (`None`: no admin role), whoever asks — an admin on the console, or the SSO
    /// attribute mapping with its saver's authority: never the Primary Master Admin's role
    /// (it changes only by handing it over); the role revoked and the role granted each
    /// within the caller's authority ([`Self::check_role`]); and a workspace-scoped role only
    /// to a member of each of its workspaces. (Whether the caller reaches `target` at all,
    /// and not their own account, is [`super::target`]'s to decide.)
    pub(crate) fn check_role_change(
        &self,
        target: &TargetUser,
        new: Option<&AdminRole>,
    ) -> Result<(), RoleChangeRefusal> {
        if target.role == AdminRole::PrimaryMasterAdmin {
            return Err(RoleChangeRefusal::Primary);
        }
        self.check_role(&target.role).map_err(RoleChangeRefusal::Revoked)?;
        let Some(new) = new else { return Ok(()) };
        self.check_role(new).map_err(RoleChangeRefusal::Granted)?;
        let missing = new.scope().workspaces_not_in(&target.workspace_ids());
        if missing.is_empty() { Ok(()) } else { Err(RoleChangeRefusal::NotMember(missing)) }
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
