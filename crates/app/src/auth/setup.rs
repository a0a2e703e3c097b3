//! First-admin setup through the one-time link printed at first start or by
//! `roster account create` (whose link creates the address it names, and no other).

use crate::bootstrap::{AdminIdentity, primary_admin};
use crate::clock;
use crate::{AppCtx, AppError, Problems, tokens};
use domain::ids::{AccountId, UserId, WorkspaceId};
use domain::password::PasswordPolicy;
use domain::user::{Email, PersonName};

/// What the setup form submits.
#[derive(Debug, Clone)]
pub struct SetupRequest {
    pub token: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub password: String,
}

/// A live setup link.
#[derive(Debug, Clone)]
pub struct SetupLink {
    pub account: AccountId,
    /// The only address this link may create, when it names one.
    pub email: Option<String>,
}

/// The live setup link of `token`; `Gone` when it is used, expired or unknown.
pub async fn check_token(ctx: &AppCtx, token: &str) -> Result<SetupLink, AppError> {
    let found = store::accounts::setup_token(&ctx.db, &tokens::hash(token), clock::now()).await?.ok_or_else(expired)?;
    Ok(SetupLink { account: AccountId(found.account_id), email: found.email })
}

fn expired() -> AppError {
    AppError::Gone("this setup link has expired or was already used".into())
}

/// Creates the Primary Master Admin and spends the token, atomically.
pub async fn complete(ctx: &AppCtx, req: SetupRequest) -> Result<UserId, AppError> {
    let link = check_token(ctx, &req.token).await?;
    let account = link.account;
    // Every field is judged before any is refused: one answer names them all.
    let mut problems = Problems::new();
    let email = problems.check(Email::try_from(req.email.as_str()))?;
    if let (Some(named), Some(email)) = (link.email.as_deref().and_then(|e| Email::try_from(e).ok()), &email)
        && named.key() != email.key()
    {
        problems.refuse("email", format!("this setup link is for {named} only"));
    }
    let first_name = problems.check(PersonName::parse("first_name", &req.first_name))?;
    let last_name = problems.check(PersonName::parse("last_name", &req.last_name))?;
    let policy = PasswordPolicy::default().check_for(&req.password, &[&req.email, &req.first_name, &req.last_name]);
    problems.check(policy)?;
    problems.finish()?;
    let (Some(email), Some(first_name), Some(last_name)) = (email, first_name, last_name) else {
        return Err(AppError::Internal("a refused field was not reported".into()));
    };
    let hash = ctx.hasher.hash(&req.password).await?;
    let workspaces = store::lookups::workspaces(&ctx.db, account).await?;
    let now = clock::now();
    let who = AdminIdentity { email, first_name, last_name, password_hash: hash };
    let workspaces = workspaces.into_iter().map(|w| WorkspaceId(w.id)).collect();
    let admin = primary_admin(account, who, workspaces, now);
    store::accounts::complete_setup(&ctx.db, &tokens::hash(&req.token), now, &admin).await?.ok_or_else(expired)?;
    Ok(admin.id)
}
