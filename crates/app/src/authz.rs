//! Authorization: the one place where permission and workspace scope are checked.
//!
//! Use cases that touch users demand a capability ([`ListUsers`], [`OnUser`]) in their
//! signature; only this module can mint one, so no handler can forget a check. A missing
//! permission is a 403 naming it; a user outside the caller's account or scope is a 404,
//! so not even their existence leaks.

use crate::{AppCtx, AppError};
use domain::ids::{AccountId, SessionId, UserId, WorkspaceId};
use domain::permission::{Permission, Scope};
use domain::role::AdminRole;
use store::lookups::Named;

/// The signed-in user behind a request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: UserId,
    pub account_id: AccountId,
    pub session_id: SessionId,
    /// Must accompany every state-changing form of this session.
    pub csrf_token: String,
    pub email: String,
    pub display_name: String,
    pub role: AdminRole,
}

impl Principal {
    pub fn is_admin(&self) -> bool {
        self.role.is_admin()
    }
}

fn require(p: &Principal, permission: Permission) -> Result<(), AppError> {
    if p.role.allows(permission) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!("this requires the {permission} permission")))
    }
}

/// Proof that the holder may list users, and of the workspaces the list is limited to.
#[derive(Debug, Clone)]
pub struct ListUsers {
    pub(crate) account: AccountId,
    pub(crate) within: Option<Vec<WorkspaceId>>,
}

/// Grants [`ListUsers`] to holders of `users.view`, limited to their scope.
pub fn list_users(p: &Principal) -> Result<ListUsers, AppError> {
    require(p, Permission::UsersView)?;
    let within = match p.role.scope() {
        Scope::AllWorkspaces => None,
        Scope::Workspaces(ws) => Some(ws.into_iter().collect()),
    };
    Ok(ListUsers { account: p.account_id, within })
}

/// Proof that the holder has `permission` on `user`, who is in the holder's account and
/// shares a workspace with the holder's scope. Carries the user's workspaces.
#[derive(Debug, Clone)]
pub struct OnUser {
    pub(crate) account: AccountId,
    pub(crate) user: UserId,
    pub(crate) workspaces: Vec<Named>,
}

impl OnUser {
    pub fn user(&self) -> UserId {
        self.user
    }
}

/// Grants [`OnUser`] or refuses: 403 without the permission, 404 outside account or scope.
pub async fn on_user(ctx: &AppCtx, p: &Principal, permission: Permission, user: UserId) -> Result<OnUser, AppError> {
    require(p, permission)?;
    if store::users::find(&ctx.db, p.account_id, user).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let workspaces = store::lookups::user_workspaces(&ctx.db, user).await?;
    let ids: Vec<WorkspaceId> = workspaces.iter().map(|w| WorkspaceId(w.id)).collect();
    if !p.role.scope().covers_any(&ids) {
        return Err(AppError::NotFound);
    }
    Ok(OnUser { account: p.account_id, user, workspaces })
}

/// Whether the principal may open the admin console at all.
pub fn admin_console(p: &Principal) -> Result<(), AppError> {
    if p.is_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden("the admin console is for admins; your account has no admin role".into()))
    }
}
