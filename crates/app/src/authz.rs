//! Authorization: the one place where permission and workspace scope are checked.
//!
//! Use cases demand a capability in their signature — [`ListUsers`], [`OnUser<P>`] for one
//! user, [`InAccount<P>`] for account-wide work — and only this module can mint one. The
//! permission is part of the type (`OnUser<SessionsKill>`), so a capability granted for
//! viewing can never be used for killing. A missing permission is a 403 naming it; a user
//! outside the caller's account or scope is a 404, so not even their existence leaks; a user
//! whose admin authority does not lie within the caller's is a 403 naming the rule, for
//! every permission that changes users ([`domain::authority`]).

mod actions;
mod capability;
mod console;
mod granter;
mod sso;
mod target;

pub use actions::{Refused, Target, UserAction, UserActions, actions_on, may_act};
pub use capability::Capability;
pub use console::{Console, UserTabs, console, user_tabs};
pub use granter::{Granter, granter, granter_knowing};
pub(crate) use granter::{RoleChangeRefusal, granter_of};
pub(crate) use sso::{MappingAsk, MappingReach, RoleAsk, mapping_reach};
pub use sso::{SsoSettingsAccess, TRUST_REASON, sso_settings};
pub(crate) use target::user_in_scope;
pub use target::{OnUser, TargetUser, on_loaded_user, on_user};

use crate::error::What;
use crate::{AppCtx, AppError};
use domain::authority::Authority;
use domain::ids::{AccountId, SessionId, UserId, WorkspaceId};
use domain::permission::{Permission, Scope};
use domain::role::AdminRole;
use domain::user::BuilderAccess;
use std::marker::PhantomData;

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
    /// The user's own Bot Builder level: the most they may grant others
    /// ([`domain::authority::builder_levels`]).
    pub builder_access: BuilderAccess,
    /// The workspace the user acts for now (the workspace switcher).
    pub workspace: Option<WorkspaceId>,
    /// Where the request came from.
    pub ip: String,
    /// The User Settings this session was created with (in force until the next login).
    pub profile_settings: domain::profile::ProfileSettings,
    /// The user's own workspaces (the workspace switcher's choices), read with the session.
    pub workspaces: Vec<store::lookups::Named>,
    /// The API token the request came with (`Authorization: Bearer`), if not a session:
    /// then `user_id` is its creator, `role` the token's rights intersected with the
    /// creator's current ones, and `session_id` the token's id (no session row has it).
    pub api_token: Option<TokenRef>,
}

/// An API token as audit events and principals name it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenRef {
    pub id: domain::ids::ApiTokenId,
    pub name: String,
}

impl Principal {
    pub fn is_admin(&self) -> bool {
        self.role.is_admin()
    }
}

/// A permission as a type.
pub trait Perm {
    const PERMISSION: Permission;
}

macro_rules! perms {
    ($($name:ident => $p:ident),* $(,)?) => {$(
        #[doc = concat!("The `", stringify!($p), "` permission as a type.")]
        #[derive(Debug, Clone, Copy)]
        pub struct $name;
        impl Perm for $name {
            const PERMISSION: Permission = Permission::$p;
        }
    )*};
}

perms!(
    UsersView => UsersView,
    UsersManage => UsersManage,
    UsersInvite => UsersInvite,
    UsersDelete => UsersDelete,
    SessionsView => SessionsView,
    SessionsKill => SessionsKill,
    SettingsManage => SettingsManage,
    AuditView => AuditView,
    GroupsManage => GroupsManage,
    RolesManage => RolesManage,
    BotsView => BotsView,
    BotsAssign => BotsAssign,
    TokensManage => TokensManage,
);

fn require(p: &Principal, permission: Permission) -> Result<(), AppError> {
    if p.role.allows(permission) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!("this requires the {permission} permission")))
    }
}

/// Who acts, for the audit log: the admin, the workspace they act for, their address.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: UserId,
    pub account: AccountId,
    pub workspace: Option<WorkspaceId>,
    pub ip: String,
    /// The API token the admin acted through, named in every event's details.
    pub api_token: Option<TokenRef>,
}

impl Actor {
    pub fn of(p: &Principal) -> Self {
        Self {
            user: p.user_id,
            account: p.account_id,
            workspace: p.workspace,
            ip: p.ip.clone(),
            api_token: p.api_token.clone(),
        }
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

/// Proof that the holder has the account-wide permission `P` (settings, audit log).
#[derive(Debug, Clone)]
pub struct InAccount<P> {
    pub(crate) account: AccountId,
    pub(crate) actor: Actor,
    _p: PhantomData<P>,
}

pub fn in_account<P: Perm>(p: &Principal) -> Result<InAccount<P>, AppError> {
    require(p, P::PERMISSION)?;
    Ok(InAccount { account: p.account_id, actor: Actor::of(p), _p: PhantomData })
}

/// Proof that the holder has `P` on every workspace: for what reaches beyond any one
/// workspace (User Settings shape every profile; deleted users belong to no scope).
#[derive(Debug, Clone)]
pub struct AccountWide<P> {
    pub(crate) account: AccountId,
    pub(crate) actor: Actor,
    _p: PhantomData<P>,
}

/// Grants [`AccountWide<P>`]: 403 without `P`, and 403 for a role scoped to some workspaces.
pub fn account_wide<P: Perm>(p: &Principal) -> Result<AccountWide<P>, AppError> {
    require(p, P::PERMISSION)?;
    if p.role.scope() != Scope::AllWorkspaces {
        return Err(AppError::Forbidden(format!(
            "this reaches the whole account, so it needs the {} permission on all workspaces",
            P::PERMISSION
        )));
    }
    Ok(AccountWide { account: p.account_id, actor: Actor::of(p), _p: PhantomData })
}

/// Whether the principal may open the admin console at all.
pub fn admin_console(p: &Principal) -> Result<(), AppError> {
    if p.is_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden("the admin console is for admins; your account has no admin role".into()))
    }
}

/// Proof that the holder may delete `user` (`users.delete`): `within` is `None` for an
/// account-wide admin (who deletes) and the scoped workspaces for a workspace admin (who
/// only removes the user from those workspaces).
#[derive(Debug, Clone)]
pub struct DeleteUser {
    pub(crate) on: OnUser<UsersDelete>,
    pub(crate) within: Option<Vec<WorkspaceId>>,
}

impl DeleteUser {
    pub fn user(&self) -> UserId {
        self.on.user
    }

    /// The user the delete is about, as read when it was granted.
    pub fn target(&self) -> &TargetUser {
        self.on.target()
    }

    /// Whether the delete removes the user from the holder's workspaces only (a
    /// workspace-scoped admin), leaving the account's user — and their bots — in place.
    pub fn removes_from_workspaces_only(&self) -> bool {
        self.within.is_some()
    }
}

/// Grants [`DeleteUser`]: 403 without `users.delete`, 404 outside account or scope.
pub async fn delete_user(ctx: &AppCtx, p: &Principal, user: UserId) -> Result<DeleteUser, AppError> {
    let on = on_user::<UsersDelete>(ctx, p, user).await?;
    let within = match p.role.scope() {
        Scope::AllWorkspaces => None,
        Scope::Workspaces(ws) => Some(ws.into_iter().collect()),
    };
    Ok(DeleteUser { on, within })
}

/// Proof that the holder may restore the soft-deleted `user`: account-wide `users.delete`.
#[derive(Debug, Clone)]
pub struct OnDeletedUser {
    pub(crate) account: AccountId,
    pub(crate) user: UserId,
    pub(crate) actor: Actor,
}

/// Grants [`OnDeletedUser`] for a user who is soft-deleted (the normal [`on_user`] refuses
/// them): 403 without account-wide `users.delete`, 404 when no such deleted user.
pub async fn on_deleted_user(ctx: &AppCtx, p: &Principal, user: UserId) -> Result<OnDeletedUser, AppError> {
    account_wide::<UsersDelete>(p)?;
    if store::deletion::find_deleted(&ctx.db, p.account_id, user).await?.is_none() {
        return Err(AppError::NotFound(What::User));
    }
    Ok(OnDeletedUser { account: p.account_id, user, actor: Actor::of(p) })
}

/// Proof that the holder may invite users, and of the workspaces they may invite into.
/// `actor` is `None` for the command line (`roster user import`), which runs with the
/// server's own access to the database.
#[derive(Debug, Clone)]
pub struct InviteUsers {
    pub(crate) account: AccountId,
    pub(crate) actor: Option<Actor>,
    pub(crate) scope: Scope,
}

impl InviteUsers {
    /// Whether invitations into `w` are allowed.
    pub fn covers(&self, w: WorkspaceId) -> bool {
        self.scope.includes(w)
    }
}

/// Grants [`InviteUsers`] to holders of `users.invite`, limited to their scope.
pub fn invite_users(p: &Principal) -> Result<InviteUsers, AppError> {
    require(p, Permission::UsersInvite)?;
    Ok(InviteUsers { account: p.account_id, actor: Some(Actor::of(p)), scope: p.role.scope() })
}

/// [`InviteUsers`] for the operator at the command line: the whole account.
pub fn operator_invite(account: AccountId) -> InviteUsers {
    InviteUsers { account, actor: None, scope: Scope::AllWorkspaces }
}

/// Proof that the holder has permission `P` on the workspaces of their scope (`within`:
/// `None` = all). Things outside the scope look absent (404).
#[derive(Debug, Clone)]
pub struct InScope<P> {
    pub(crate) account: AccountId,
    pub(crate) within: Option<Vec<WorkspaceId>>,
    /// The holder's role, to judge the users they name ([`target::user_in_scope`]).
    pub(crate) role: AdminRole,
    pub(crate) actor: Actor,
    _p: PhantomData<P>,
}

impl<P> InScope<P> {
    /// Whether workspace `w` is inside the holder's scope.
    pub fn covers(&self, w: WorkspaceId) -> bool {
        self.within.as_ref().is_none_or(|ws| ws.contains(&w))
    }
}

/// Grants [`InScope<P>`] to holders of `P`, limited to their workspace scope.
pub fn in_scope<P: Perm>(p: &Principal) -> Result<InScope<P>, AppError> {
    require(p, P::PERMISSION)?;
    let within = match p.role.scope() {
        Scope::AllWorkspaces => None,
        Scope::Workspaces(ws) => Some(ws.into_iter().collect()),
    };
    Ok(InScope { account: p.account_id, within, role: p.role.clone(), actor: Actor::of(p), _p: PhantomData })
}

/// Grants the self-service area (one's own profile, password, sessions, workspace switch,
/// sign-out: PRODUCT.md §7) to a person signed in with a session. 403 for a request made
/// with an API token: a token acts with its creator's admin rights, never as the creator's
/// own session — it has no session to list, end, report or switch, and its creator's
/// password and profile are theirs to change in person.
pub fn self_service(p: &Principal) -> Result<(), AppError> {
    if p.api_token.is_some() {
        return Err(AppError::Forbidden(
            "an API token acts as an admin, not as its creator's own session; the self-service area (/me/…) needs a sign-in".into(),
        ));
    }
    Ok(())
}

/// Proof that the holder acts in person, with a session ([`self_service`]): the self-service
/// area's pages.
#[derive(Debug, Clone, Copy)]
pub struct SelfService(());

impl Capability for SelfService {
    fn grant(p: &Principal) -> Result<Self, AppError> {
        self_service(p).map(|()| Self(()))
    }
}

/// Proof that the holder may create API tokens and see and revoke those within their
/// authority. Never granted to a request made with a token: tokens do not make tokens.
#[derive(Debug, Clone)]
pub struct ManageTokens {
    pub(crate) account: AccountId,
    pub(crate) actor: Actor,
    pub(crate) role: AdminRole,
}

/// Grants [`ManageTokens`] to holders of `tokens.manage` signed in with a session; 403 for
/// a request made with an API token, and without the permission.
pub fn manage_tokens(p: &Principal) -> Result<ManageTokens, AppError> {
    if p.api_token.is_some() {
        return Err(AppError::Forbidden("an API token cannot create, list or revoke API tokens; sign in".into()));
    }
    require(p, Permission::TokensManage)?;
    Ok(ManageTokens { account: p.account_id, actor: Actor::of(p), role: p.role.clone() })
}

impl ManageTokens {
    /// Whether the holder may see and revoke a token with these rights made by `creator`:
    /// their own tokens always, others' when the token's permissions and scope lie within
    /// the holder's authority ([`domain::authority`]).
    pub fn reaches(&self, creator: UserId, permissions: domain::permission::PermissionSet, scope: &Scope) -> bool {
        creator == self.actor.user
            || Authority::of(&self.role).check_covers(&Authority::new(permissions, scope.clone())).is_ok()
    }

    /// What a new token may hold: the holder's permissions, on the holder's scope.
    pub fn role(&self) -> &AdminRole {
        &self.role
    }
}

/// Proof that the caller may transfer bot ownership: the Primary Master Admin only.
#[derive(Debug, Clone)]
pub struct TransferOwnership {
    pub(crate) account: AccountId,
    pub(crate) actor: Actor,
}

/// 403 naming the token when `p` acts through an API token, for an act (`what`, "transfer
/// bot ownership") only the Primary Master Admin does, signed in: a token acts as an admin,
/// never as its creator in person, so a leaked token cannot hand the account or its bots
/// over — and the script's author sees which token tried, not a puzzling "only the Primary
/// Master Admin".
fn in_person(p: &Principal, what: &str) -> Result<(), AppError> {
    match &p.api_token {
        Some(token) => Err(AppError::Forbidden(format!(
            "the API token {:?} cannot {what}: the Primary Master Admin does it signed in",
            token.name
        ))),
        None => Ok(()),
    }
}

/// Grants [`TransferOwnership`] to the Primary Master Admin signed in; 403 for an API token
/// (naming it) and for everyone else (Master Admins included).
pub fn transfer_ownership(p: &Principal) -> Result<TransferOwnership, AppError> {
    in_person(p, "transfer bot ownership")?;
    if p.role.may_transfer_ownership() {
        Ok(TransferOwnership { account: p.account_id, actor: Actor::of(p) })
    } else {
        Err(AppError::Forbidden("only the Primary Master Admin may transfer bot ownership".into()))
    }
}

/// Proof that the caller may hand the Primary Master Admin role over to another user
/// ([`crate::profile::make_primary`]): the Primary Master Admin in person, signed in with a
/// session.
#[derive(Debug, Clone)]
pub struct HandOverPrimary {
    pub(crate) actor: Actor,
}

/// Grants [`HandOverPrimary`] to the Primary Master Admin signed in with a session. 403 for
/// a request made with an API token, naming the token (a token acts as an admin, never as
/// its creator in person: a leaked token cannot hand the account over), and for everyone
/// who is not the Primary Master Admin (Master Admins included).
pub fn hand_over_primary(p: &Principal) -> Result<HandOverPrimary, AppError> {
    in_person(p, "hand over the primary role")?;
    if !p.role.may_transfer_ownership() {
        return Err(AppError::Forbidden("only the Primary Master Admin may hand over the primary role".into()));
    }
    Ok(HandOverPrimary { actor: Actor::of(p) })
}

/// Proof that the caller may speak SCIM (`/scim/v2`, RFC 7644): an API token holding `scim`
/// on all workspaces (an identity provider provisions the whole account). Each SCIM action
/// is then decided like the console's, by the capability it needs ([`on_user`],
/// [`invite_users`], [`delete_user`], [`in_scope`]) on the same principal.
#[derive(Debug, Clone)]
pub struct Scim {
    pub(crate) principal: Principal,
}

impl Scim {
    pub fn account(&self) -> AccountId {
        self.principal.account_id
    }
}

/// Grants [`Scim`]: 403 for a session (SCIM clients present a bearer token), without
/// `scim`, and for a token scoped to some workspaces.
pub fn scim(p: &Principal) -> Result<Scim, AppError> {
    if p.api_token.is_none() {
        return Err(AppError::Forbidden("SCIM is spoken with an API token (Authorization: Bearer)".into()));
    }
    require(p, Permission::Scim)?;
    if p.role.scope() != Scope::AllWorkspaces {
        return Err(AppError::Forbidden(
            "SCIM provisions the whole account, so the token needs the scim permission on all workspaces".into(),
        ));
    }
    Ok(Scim { principal: p.clone() })
}
