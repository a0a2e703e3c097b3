//! Signing in and out, and turning a session cookie into a [`Principal`].

pub mod password;
pub mod setup;

use crate::authz::Principal;
use crate::clock::{self, MINUTE, SECOND};
use crate::{AppCtx, AppError, tokens};
use domain::ids::{AccountId, AdminRoleId, SessionId, UserId, WorkspaceId};
use domain::permission::{Permission, PermissionSet, Scope};
use domain::role::AdminRole;
use domain::user::{Email, UserStatus};
use store::sessions::{LiveSession, NewSession};

/// What a sign-in attempt brings.
#[derive(Debug, Clone)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// The account's slug, needed only when one email exists in several accounts.
    pub account: Option<String>,
    pub ip: String,
    pub user_agent: String,
}

/// A successful sign-in: the secret goes into the cookie and nowhere else.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    pub token: String,
    pub session_id: SessionId,
    pub user_id: UserId,
}

/// Checks the password and opens a session. Unknown emails, wrong passwords and
/// malformed emails all get [`AppError::Unauthenticated`] after the same amount of hashing.
pub async fn login(ctx: &AppCtx, req: LoginRequest) -> Result<LoginOutcome, AppError> {
    let candidates = match Email::try_from(req.email.as_str()) {
        Ok(email) => store::users::find_for_login(&ctx.db, &email.key(), req.account.as_deref()).await?,
        Err(_) => Vec::new(),
    };
    let mut matched = None;
    for c in &candidates {
        if ctx.hasher.verify(&req.password, c.password_hash.as_deref()).await {
            matched = Some(c);
            break;
        }
    }
    if candidates.is_empty() {
        ctx.hasher.verify(&req.password, None).await;
    }
    let Some(user) = matched else { return Err(AppError::Unauthenticated) };
    let status: UserStatus = user.status.parse()?;
    if !status.can_sign_in() {
        return Err(AppError::Forbidden(format!(
            "this account is {}; contact your administrator",
            status.label().to_lowercase()
        )));
    }
    let user_id = UserId(user.id);
    let now = clock::now();
    let first_workspace = store::lookups::user_workspaces(&ctx.db, user_id).await?.first().map(|w| WorkspaceId(w.id));
    let token = tokens::generate();
    let session = NewSession {
        id: SessionId::new(),
        token_hash: tokens::hash(&token),
        user_id,
        workspace_id: first_workspace,
        csrf_token: tokens::generate(),
        device_type: String::new(),
        browser: String::new(),
        os: String::new(),
        ip: req.ip,
        user_agent: req.user_agent.chars().take(512).collect(),
        created_at: now,
        expires_at: now + ctx.auth.session_lifetime_secs * SECOND,
    };
    store::sessions::create(&ctx.db, &session).await?;
    store::users::record_login(&ctx.db, user_id, now).await?;
    Ok(LoginOutcome { token, session_id: session.id, user_id })
}

/// The signed-in principal behind a session token, or `Unauthenticated` when the session
/// is unknown, ended or expired, or its user may no longer sign in. Looked up on every
/// request, so a kill holds on every instance at once.
pub async fn authenticate(ctx: &AppCtx, token: &str) -> Result<Principal, AppError> {
    let now = clock::now();
    let Some(s) = store::sessions::find_live(&ctx.db, &tokens::hash(token), now).await? else {
        return Err(AppError::Unauthenticated);
    };
    let status: UserStatus = s.status.parse()?;
    if !status.can_sign_in() {
        return Err(AppError::Unauthenticated);
    }
    if now - s.last_activity_at >= MINUTE {
        store::sessions::touch(&ctx.db, SessionId(s.id), now).await?;
    }
    let role = load_role(ctx, &s).await?;
    Ok(Principal {
        user_id: UserId(s.user_id),
        account_id: AccountId(s.account_id),
        session_id: SessionId(s.id),
        csrf_token: s.csrf_token,
        email: s.email,
        display_name: format!("{} {}", s.first_name, s.last_name),
        role,
    })
}

async fn load_role(ctx: &AppCtx, s: &LiveSession) -> Result<AdminRole, AppError> {
    if s.is_primary_admin {
        return Ok(AdminRole::PrimaryMasterAdmin);
    }
    let Some(role_id) = s.admin_role_id else { return Ok(AdminRole::Member) };
    let record = store::lookups::role(&ctx.db, AccountId(s.account_id), AdminRoleId(role_id))
        .await?
        .ok_or_else(|| AppError::Internal("user's admin role is missing".into()))?;
    if record.kind == "master" {
        return Ok(AdminRole::MasterAdmin);
    }
    let permissions: PermissionSet = record.permissions.iter().filter_map(|p| p.parse::<Permission>().ok()).collect();
    let scope = if record.all_workspaces {
        Scope::AllWorkspaces
    } else {
        Scope::Workspaces(record.workspaces.into_iter().map(WorkspaceId).collect())
    };
    Ok(AdminRole::Custom { id: AdminRoleId(record.id), name: record.name, permissions, scope })
}

/// Ends the principal's own session.
pub async fn logout(ctx: &AppCtx, principal: &Principal) -> Result<(), AppError> {
    store::sessions::end(&ctx.db, principal.session_id, principal.user_id, "signed out", clock::now()).await?;
    Ok(())
}
