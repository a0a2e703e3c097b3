//! Accounts, for the installation's operator (the CLI; no admin of one account may see
//! another): create one with its first workspace and a one-time setup link for its Primary
//! Master Admin, list them, and pick the one a command acts on.

use crate::bootstrap::new_account;
use crate::clock::{self, DAY};
use crate::{AppCtx, AppError, audit, tokens};
use domain::account::{AccountName, AccountSlug};
use domain::closed::AuditAction;
use domain::ids::AccountId;
use domain::user::Email;
use serde_json::json;
use store::StoreError;
use store::accounts::{AccountRow, AccountSummary, FirstAdmin};

/// How long the setup link of a created account stays valid: long enough to reach the
/// customer's admin by mail (Okta's activation links last 7 days too).
pub const SETUP_LINK_LIFETIME: clock::Micros = 7 * DAY;

/// What `roster account create` asks for.
#[derive(Debug, Clone)]
pub struct NewAccountRequest {
    pub name: String,
    /// Derived from the name when not given (see [`AccountSlug::from_name`]).
    pub slug: Option<String>,
    /// The Primary Master Admin's address: the setup link creates this address only.
    pub admin_email: String,
}

/// A created account and the one-time secret of its setup link (shown once, stored hashed).
#[derive(Debug, Clone)]
pub struct CreatedAccount {
    pub id: AccountId,
    pub name: String,
    pub slug: String,
    pub admin_email: String,
    pub setup_token: String,
    pub expires_at: clock::Micros,
}

/// Creates an account with its workspace "Default", its Master Admin role and default
/// settings, plus a setup link for its Primary Master Admin, and its `account.created`
/// audit event (no actor: the operator ran the CLI), in one transaction. Errors:
/// `Invalid` naming `name`, `slug` or `admin_email`; `Conflict` when the slug is taken.
pub async fn create(ctx: &AppCtx, req: NewAccountRequest) -> Result<CreatedAccount, AppError> {
    let name = AccountName::parse(&req.name);
    let slug = match (&name, &req.slug) {
        (_, Some(s)) => AccountSlug::parse(s),
        (Ok(name), None) => AccountSlug::from_name(name),
        (Err(_), None) => Err(domain::DomainError::invalid("slug", "cannot be made from an invalid name")),
    };
    let email = Email::try_from(req.admin_email.as_str()).map_err(|e| AppError::invalid("admin_email", e.to_string()));
    let (name, slug, email) = match (name, slug, email) {
        (Ok(n), Ok(s), Ok(e)) => (n, s, e),
        (n, s, e) => {
            // Every bad field at once, as the API does.
            let problems: Vec<String> = [n.err().map(AppError::from), s.err().map(AppError::from), e.err()]
                .into_iter()
                .flatten()
                .map(|e| e.to_string())
                .collect();
            return Err(AppError::invalid("account", problems.join("; ")));
        }
    };
    let now = clock::now();
    let account = new_account(name.as_str(), slug.as_str(), now);
    let token = tokens::generate();
    let expires_at = now + SETUP_LINK_LIFETIME;
    let link = FirstAdmin::SetupLink { token_hash: tokens::hash(&token), expires_at, email: Some(email.to_string()) };
    let details = json!({"name": account.name, "slug": account.slug, "admin_email": email.as_str(), "by": "roster account create"});
    let event = audit::unattended(account.id, AuditAction::AccountCreated, None, "", details);
    match store::accounts::create_recorded(&ctx.db, &account, &link, &event).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(AppError::Conflict(format!(
                "an account with the slug \"{slug}\" exists already; choose another with --slug"
            )));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(CreatedAccount {
        id: account.id,
        name: account.name,
        slug: account.slug,
        admin_email: email.to_string(),
        setup_token: token,
        expires_at,
    })
}

/// Every account, oldest first, with its number of users.
pub async fn list(ctx: &AppCtx) -> Result<Vec<AccountSummary>, AppError> {
    Ok(store::accounts::list(&ctx.db).await?)
}

/// The account a command acts on: the one named by `slug`, or, when none is named, the only
/// one. Refuses with a message listing the slugs when there are several and none is named.
pub async fn pick(ctx: &AppCtx, slug: Option<&str>) -> Result<AccountRow, AppError> {
    if let Some(slug) = slug {
        return store::accounts::by_slug(&ctx.db, slug).await?.ok_or_else(|| {
            AppError::invalid("account", format!("no account has the slug {slug:?} (`roster account list` shows them)"))
        });
    }
    let all = store::accounts::list(&ctx.db).await?;
    match all.as_slice() {
        [] => {
            Err(AppError::Conflict("this database has no account yet: start `roster serve` once to set it up".into()))
        }
        [only] => Ok(AccountRow { id: only.id, name: only.name.clone(), slug: only.slug.clone() }),
        several => {
            let slugs: Vec<&str> = several.iter().map(|a| a.slug.as_str()).collect();
            Err(AppError::invalid(
                "account",
                format!("this database has {} accounts; name one with --account ({})", several.len(), slugs.join(", ")),
            ))
        }
    }
}
