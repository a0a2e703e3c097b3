//! The user a capability is about. [`on_user`] loads them once — profile row, admin role,
//! workspaces, groups: one statement — decides on them, and hands them on inside the
//! [`OnUser`] it mints, so use cases and pages read the target from the capability instead
//! of the database.
//!
//! The decision, in order: the permission (403 naming it); the account and the scope (404:
//! a user the caller may not see is indistinguishable from one that does not exist); and for
//! a permission that changes the user, the target's authority within the caller's (403
//! naming the rule, [`domain::authority`]).

use super::{Actor, Perm, Principal, require};
use crate::error::What;
use crate::{AppCtx, AppError};
use domain::ids::{AccountId, UserId, WorkspaceId};
use domain::permission::Permission;
use domain::role::AdminRole;
use std::marker::PhantomData;
use store::lookups::{GroupRow, Named};
use store::users::UserDetailRow;

/// A user as loaded for a decision about them.
#[derive(Debug, Clone)]
pub struct TargetUser {
    pub id: UserId,
    /// The profile row (names, email, lockout columns, profile document, version).
    pub row: UserDetailRow,
    pub role: AdminRole,
    /// Every workspace of the user (sessions and groups are account-level facts).
    pub workspaces: Vec<Named>,
    pub groups: Vec<GroupRow>,
    /// When the picture last changed, if there is one.
    pub picture_at: Option<i64>,
    /// The account's User Settings now (which profile fields the console shows).
    pub profile_settings: domain::profile::ProfileSettings,
}

impl TargetUser {
    /// "First Last", as refusals name the user.
    pub fn name(&self) -> String {
        format!("{} {}", self.row.first_name, self.row.last_name)
    }

    pub fn workspace_ids(&self) -> Vec<WorkspaceId> {
        self.workspaces.iter().map(|w| WorkspaceId(w.id)).collect()
    }

    /// The user of `account` with id `user`, or `None`; one statement.
    pub(crate) async fn load(ctx: &AppCtx, account: AccountId, user: UserId) -> Result<Option<Self>, AppError> {
        let Some(t) = store::targets::find(&ctx.db, account, user).await? else { return Ok(None) };
        Ok(Some(Self {
            id: user,
            role: t.role.admin_role()?,
            row: t.user,
            workspaces: t.workspaces,
            groups: t.groups,
            picture_at: t.picture_at,
            profile_settings: crate::user_settings::parse_stored(t.profile_settings.as_deref()),
        }))
    }
}

/// 403 naming the rule when `target`'s authority does not lie within `actor`'s.
pub(crate) fn check_authority(actor: &AdminRole, target: &TargetUser) -> Result<(), AppError> {
    actor.check_authority_over(&target.role).map_err(|r| AppError::Forbidden(r.sentence(&target.name())))
}

/// The one decision of this module, for any capability about a user: 404 outside the
/// caller's scope, and for a permission that changes the user, 403 unless their authority
/// lies within the caller's.
pub(crate) fn decide(role: &AdminRole, permission: Permission, target: &TargetUser) -> Result<(), AppError> {
    if !role.scope().covers_any(&target.workspace_ids()) {
        return Err(AppError::NotFound(What::User));
    }
    if permission.changes_users() {
        check_authority(role, target)?;
    }
    Ok(())
}

/// Proof that the holder has permission `P` on `user`, who is in the holder's account,
/// shares a workspace with the holder's scope, and — for a permission that changes users —
/// lies within the holder's authority. Carries the loaded user ([`Self::target`]).
#[derive(Debug, Clone)]
pub struct OnUser<P> {
    pub(crate) account: AccountId,
    pub(crate) user: UserId,
    pub(crate) target: TargetUser,
    pub(crate) actor: Actor,
    _p: PhantomData<P>,
}

impl<P> OnUser<P> {
    pub fn user(&self) -> UserId {
        self.user
    }

    /// The user as loaded when the capability was granted.
    pub fn target(&self) -> &TargetUser {
        &self.target
    }

    /// The user's workspaces (all of them: sessions are account-level).
    pub fn workspaces(&self) -> &[Named] {
        &self.target.workspaces
    }

    /// 403 when the holder acts on their own account: nobody changes their own status, role
    /// or Bot Builder access (nor deletes themselves) through admin actions. `doing` words
    /// the refused act: "change your own status".
    pub(crate) fn refuse_self(&self, doing: &str) -> Result<(), AppError> {
        if self.actor.user == self.user {
            return Err(AppError::Forbidden(format!(
                "you cannot {doing} through admin actions; another admin must do it"
            )));
        }
        Ok(())
    }
}

/// Grants [`OnUser<P>`] or refuses: 403 without the permission, 404 outside account or
/// scope, 403 naming the rule for a target above the caller's authority.
pub async fn on_user<P: Perm>(ctx: &AppCtx, p: &Principal, user: UserId) -> Result<OnUser<P>, AppError> {
    require(p, P::PERMISSION)?;
    token_on_its_creator(p, P::PERMISSION, user)?;
    let target = TargetUser::load(ctx, p.account_id, user).await?.ok_or(AppError::NotFound(What::User))?;
    decide(&p.role, P::PERMISSION, &target)?;
    Ok(OnUser { account: p.account_id, user, target, actor: Actor::of(p), _p: PhantomData })
}

/// 403 for an API token ending its own creator's sessions: like the self-service area
/// ([`super::self_service`]), a token acts as an admin, never as its creator's own session,
/// so it cannot sign its creator out everywhere.
fn token_on_its_creator(p: &Principal, permission: Permission, user: UserId) -> Result<(), AppError> {
    if p.api_token.is_some() && permission == Permission::SessionsKill && user == p.user_id {
        return Err(AppError::Forbidden(
            "an API token cannot end its creator's own sessions; sign in to end them (/me/sessions)".into(),
        ));
    }
    Ok(())
}

/// [`OnUser<Q>`] for the user another capability already loaded (no second read): the same
/// decisions for permission `Q`.
pub fn on_loaded_user<Q: Perm, P>(p: &Principal, on: &OnUser<P>) -> Result<OnUser<Q>, AppError> {
    require(p, Q::PERMISSION)?;
    token_on_its_creator(p, Q::PERMISSION, on.user)?;
    decide(&p.role, Q::PERMISSION, &on.target)?;
    Ok(OnUser { account: on.account, user: on.user, target: on.target.clone(), actor: Actor::of(p), _p: PhantomData })
}

/// The user `user` as a holder of [`super::InScope<P>`] may name them (a group's member):
/// the same decisions as [`on_user`], so a user outside the holder's scope is 404 on every
/// route, like one that does not exist.
pub(crate) async fn user_in_scope<P: Perm>(
    ctx: &AppCtx,
    may: &super::InScope<P>,
    user: UserId,
) -> Result<TargetUser, AppError> {
    let target = TargetUser::load(ctx, may.account, user).await?.ok_or(AppError::NotFound(What::User))?;
    decide(&may.role, P::PERMISSION, &target)?;
    Ok(target)
}
