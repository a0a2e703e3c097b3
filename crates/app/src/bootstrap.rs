//! First start: an empty database gets account "Default", workspace "Default" and the
//! Primary Master Admin — from configuration, or through a one-time setup link. Never a
//! default password.

use crate::clock::{self, DAY};
use crate::{AppCtx, AppError, audit, tokens};
use domain::closed::AuditAction;
use domain::ids::{AccountId, AdminRoleId, UserId, WorkspaceId};
use domain::password::PasswordPolicy;
use domain::user::{BuilderAccess, Email, PersonName, UserStatus};
use serde_json::json;
use store::accounts::{FirstAdmin, NewAccount};
use store::users::NewUser;

/// How long the setup link stays valid.
pub const SETUP_LINK_LIFETIME: clock::Micros = DAY;

/// What first start did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FirstStart {
    /// The database already had an account.
    AlreadySetUp,
    /// The Primary Master Admin was created from configuration.
    AdminCreated { email: String },
    /// Nobody is admin yet: this token completes setup (valid 24 h).
    SetupLink { token: String },
}

/// A new account with its workspace "Default" and its Master Admin role.
pub(crate) fn new_account(name: &str, slug: &str, now: clock::Micros) -> NewAccount {
    NewAccount {
        id: AccountId::new(),
        name: name.into(),
        slug: slug.into(),
        workspace_id: WorkspaceId::new(),
        workspace_name: "Default".into(),
        master_role_id: AdminRoleId::new(),
        created_at: now,
    }
}

/// Who the Primary Master Admin is.
pub(crate) struct AdminIdentity {
    pub email: Email,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub password_hash: String,
}

impl AdminIdentity {
    /// An identity named after the email's local part ("root@x.org" → "Root Admin").
    pub(crate) fn from_email(email: Email, password_hash: String) -> Result<Self, AppError> {
        let local = email.as_str().split('@').next().unwrap_or("admin");
        let mut chars = local.chars();
        let first: String = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
        Ok(Self {
            first_name: PersonName::parse("first_name", &first)?,
            last_name: PersonName::parse("last_name", "Admin")?,
            email,
            password_hash,
        })
    }
}

/// The Primary Master Admin of `account`, member of `workspaces`.
pub(crate) fn primary_admin(
    account: AccountId,
    who: AdminIdentity,
    workspaces: Vec<WorkspaceId>,
    created_at: clock::Micros,
) -> NewUser {
    NewUser {
        id: UserId::new(),
        account_id: account,
        email: who.email,
        first_name: who.first_name,
        last_name: who.last_name,
        status: UserStatus::Active,
        builder_access: BuilderAccess::BuilderAndCreate,
        is_primary_admin: true,
        admin_role_id: None,
        password_hash: Some(who.password_hash),
        invited_at: None,
        last_login_at: None,
        created_at,
        workspaces,
    }
}

/// Sets up an empty database; does nothing to one that has an account.
pub async fn first_start(ctx: &AppCtx, admin: Option<(&str, &str)>) -> Result<FirstStart, AppError> {
    if !store::accounts::none_exist(&ctx.db).await? {
        return Ok(FirstStart::AlreadySetUp);
    }
    let now = clock::now();
    let account = new_account("Default", "default", now);
    let (first_admin, outcome) = if let Some((email, password)) = admin {
        let email =
            Email::try_from(email).map_err(|e| AppError::invalid("ROSTER_BOOTSTRAP_ADMIN_EMAIL", e.to_string()))?;
        PasswordPolicy::default()
            .check(password)
            .map_err(|e| AppError::invalid("ROSTER_BOOTSTRAP_ADMIN_PASSWORD", e.to_string()))?;
        let hash = ctx.hasher.hash(password).await?;
        let outcome = FirstStart::AdminCreated { email: email.to_string() };
        let who = AdminIdentity::from_email(email, hash)?;
        let user = primary_admin(account.id, who, vec![account.workspace_id], account.created_at);
        (FirstAdmin::Create(Box::new(user)), outcome)
    } else {
        let token = tokens::generate();
        let expires_at = now + SETUP_LINK_LIFETIME;
        let link = FirstAdmin::SetupLink { token_hash: tokens::hash(&token), expires_at, email: None };
        (link, FirstStart::SetupLink { token })
    };
    let details = json!({"name": account.name, "slug": account.slug, "by": "first start"});
    let event = audit::unattended(account.id, AuditAction::AccountCreated, None, "", details);
    match store::accounts::create_recorded(&ctx.db, &account, &first_admin, &event).await {
        Ok(()) => Ok(outcome),
        // Several instances starting together on an empty database: one creates the
        // account, the others lose the race on its unique slug and find it set up.
        Err(_) if !store::accounts::none_exist(&ctx.db).await? => Ok(FirstStart::AlreadySetUp),
        Err(e) => Err(e.into()),
    }
}
