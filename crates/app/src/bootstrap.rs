//! First start: an empty database gets account "Default", workspace "Default" and the
//! Primary Master Admin — from configuration, or through a one-time setup link. Never a
//! default password.

use crate::clock::{self, DAY};
use crate::{AppCtx, AppError, tokens};
use domain::ids::{AccountId, AdminRoleId, UserId, WorkspaceId};
use domain::password::PasswordPolicy;
use domain::user::{BuilderAccess, Email, PersonName, UserStatus};
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

/// The account every first start creates.
pub(crate) fn default_account(now: clock::Micros) -> NewAccount {
    NewAccount {
        id: AccountId::new(),
        name: "Default".into(),
        slug: "default".into(),
        workspace_id: WorkspaceId::new(),
        workspace_name: "Default".into(),
        master_role_id: AdminRoleId::new(),
        created_at: now,
    }
}

/// A Primary Master Admin for `account`, member of `workspaces`.
pub(crate) fn primary_admin(
    account: &NewAccount,
    email: Email,
    password_hash: String,
    workspaces: Vec<WorkspaceId>,
) -> Result<NewUser, AppError> {
    let local = email.as_str().split('@').next().unwrap_or("admin");
    let mut chars = local.chars();
    let first: String = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
    Ok(NewUser {
        id: UserId::new(),
        account_id: account.id,
        email,
        first_name: PersonName::parse("first_name", &first)?,
        last_name: PersonName::parse("last_name", "Admin")?,
        status: UserStatus::Active,
        builder_access: BuilderAccess::BuilderAndCreate,
        is_primary_admin: true,
        admin_role_id: None,
        password_hash: Some(password_hash),
        invited_at: None,
        last_login_at: None,
        created_at: account.created_at,
        workspaces,
    })
}

/// Sets up an empty database; does nothing to one that has an account.
pub async fn first_start(ctx: &AppCtx, admin: Option<(&str, &str)>) -> Result<FirstStart, AppError> {
    if !store::accounts::none_exist(&ctx.db).await? {
        return Ok(FirstStart::AlreadySetUp);
    }
    let now = clock::now();
    let account = default_account(now);
    let (first_admin, outcome) = if let Some((email, password)) = admin {
        let email =
            Email::try_from(email).map_err(|e| AppError::invalid("ROSTER_BOOTSTRAP_ADMIN_EMAIL", e.to_string()))?;
        PasswordPolicy::default()
            .check(password)
            .map_err(|e| AppError::invalid("ROSTER_BOOTSTRAP_ADMIN_PASSWORD", e.to_string()))?;
        let hash = ctx.hasher.hash(password).await?;
        let outcome = FirstStart::AdminCreated { email: email.to_string() };
        let user = primary_admin(&account, email, hash, vec![account.workspace_id])?;
        (FirstAdmin::Create(Box::new(user)), outcome)
    } else {
        let token = tokens::generate();
        let link = FirstAdmin::SetupLink { token_hash: tokens::hash(&token), expires_at: now + SETUP_LINK_LIFETIME };
        (link, FirstStart::SetupLink { token })
    };
    store::accounts::create(&ctx.db, &account, &first_admin).await?;
    Ok(outcome)
}
