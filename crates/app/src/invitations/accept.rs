//! The link holder's side of an invitation: who a live link is for, and accepting it
//! (password set, user Active, link spent, signed in). Dead links are 410.

use crate::audit;
use crate::auth::{LoginOutcome, open_session};
use crate::{AppCtx, AppError, clock, tokens};
use domain::ids::{AccountId, UserId};
use domain::user::UserStatus;
use serde_json::json;
use store::audit::NewAuditEvent;

fn gone() -> AppError {
    AppError::Gone(
        "this invitation link no longer works: it expired, was already used, or was cancelled \
         (a newer link was sent, or the account changed); ask your administrator for a new one"
            .into(),
    )
}

/// Who a live invitation link is for (for the accept page).
#[derive(Debug, Clone)]
pub struct Invitee {
    pub email: String,
    pub name: String,
    /// Set while the account uses SSO: there is no password to choose, the invitee signs
    /// in with the provider (which activates them).
    pub sso: Option<crate::sso::settings::SsoInvitation>,
    /// The account's password rules as a sentence ([`domain::password::PasswordPolicy::describe`]).
    pub password_rules: String,
}

/// The invitee of a live link, or 410.
pub async fn check(ctx: &AppCtx, token: &str) -> Result<Invitee, AppError> {
    let i = store::invitations::find_live(&ctx.db, &tokens::hash(token), clock::now()).await?.ok_or_else(gone)?;
    if i.status != UserStatus::Invited {
        return Err(gone());
    }
    let account = AccountId(i.account_id);
    let public = crate::invitations::InviteOptions::new("", 0);
    let sso = crate::sso::settings::for_invitations(ctx, account, &public).await?.sso;
    let password_rules = crate::settings::parse_security(i.security_settings.as_deref()).password_policy().describe();
    Ok(Invitee { email: i.email, name: format!("{} {}", i.first_name, i.last_name), sso, password_rules })
}

/// What the accept form submits.
#[derive(Debug, Clone)]
pub struct AcceptRequest {
    pub token: String,
    pub password: String,
    pub ip: String,
    pub user_agent: String,
}

/// Sets the invited user's password (it must meet the account's policy; 400 naming
/// `password` otherwise, and nothing changes), makes them Active, spends the link and
/// signs them in. Expired or used links: 410. Under SSO: 409 with the reason (the invitee
/// signs in with the provider instead).
pub async fn accept(ctx: &AppCtx, req: AcceptRequest) -> Result<LoginOutcome, AppError> {
    let hash = tokens::hash(&req.token);
    let i = store::invitations::find_live(&ctx.db, &hash, clock::now()).await?.ok_or_else(gone)?;
    if store::password_reset::sso_enabled(&ctx.db, AccountId(i.account_id)).await? {
        return Err(AppError::Conflict(crate::password_reset::SSO_REFUSAL.into()));
    }
    let status: UserStatus = i.status;
    status.accept_invitation().map_err(|_| gone())?;
    let settings = crate::settings::parse_security(i.security_settings.as_deref());
    settings.password_policy().check_for(&req.password, &[&i.email, &i.first_name, &i.last_name])?;
    let password_hash = ctx.hasher.hash(&req.password).await?;
    let event: NewAuditEvent = audit::unattended(
        AccountId(i.account_id),
        domain::closed::AuditAction::InvitationAccepted,
        Some(UserId(i.user_id)),
        &req.ip,
        json!({"email": i.email}),
    );
    let (user, account) =
        store::invitations::accept(&ctx.db, &hash, clock::now(), &password_hash, &event).await?.ok_or_else(gone)?;
    open_session(ctx, user, account, &settings, &req.ip, &req.user_agent, "invitation").await
}
