//! The SCIM settings (one JSON document per account, key `scim`): which workspace's groups
//! SCIM Groups are, and how a provisioned user starts.

use crate::authz::{InAccount, SettingsManage};
use crate::{AppCtx, AppError, audit, clock};
use domain::ids::{AccountId, WorkspaceId};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// How a user created over SCIM starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NewUsers {
    /// Active without a password when SSO is on (they sign in through it), else invited.
    #[default]
    Auto,
    /// Invited: an invitation email asks them to choose a password.
    Invited,
    /// Active without a password (they sign in through SSO or reset a password).
    Active,
}

/// The SCIM settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScimSettings {
    /// The workspace whose groups SCIM Groups are, and which provisioned users join;
    /// `None`: the account's first workspace by name.
    #[serde(default)]
    pub workspace: Option<WorkspaceId>,
    #[serde(default)]
    pub new_users: NewUsers,
}

/// The settings in force for `account` (defaults when never saved or unreadable).
pub async fn read(ctx: &AppCtx, account: AccountId) -> Result<ScimSettings, AppError> {
    let raw = store::settings::get(&ctx.db, account, store::scim::SETTINGS_KEY).await?;
    Ok(raw.and_then(|r| serde_json::from_str(&r).ok()).unwrap_or_default())
}

/// The workspace SCIM works in: the chosen one, or the account's first by name.
pub async fn workspace(ctx: &AppCtx, account: AccountId, s: &ScimSettings) -> Result<WorkspaceId, AppError> {
    if let Some(w) = s.workspace {
        return Ok(w);
    }
    let all = store::lookups::workspaces(&ctx.db, account).await?;
    all.first().map(|w| WorkspaceId(w.id)).ok_or_else(|| AppError::Conflict("the account has no workspace".into()))
}

/// The settings for the settings API (`settings.manage`).
pub async fn get(ctx: &AppCtx, may: &InAccount<SettingsManage>) -> Result<ScimSettings, AppError> {
    read(ctx, may.account).await
}

/// What the settings page shows: the settings, the workspaces to choose from (by name) and
/// the one SCIM works in now (`None`: the account has no workspace).
#[derive(Debug, Clone)]
pub struct ScimView {
    pub settings: ScimSettings,
    pub workspaces: Vec<(WorkspaceId, String)>,
    pub in_force: Option<WorkspaceId>,
}

/// The settings with their choices (`settings.manage`, as [`get`]).
pub async fn view(ctx: &AppCtx, may: &InAccount<SettingsManage>) -> Result<ScimView, AppError> {
    let settings = read(ctx, may.account).await?;
    let all = store::lookups::workspaces(&ctx.db, may.account).await?;
    let in_force = settings.workspace.or_else(|| all.first().map(|w| WorkspaceId(w.id)));
    Ok(ScimView { settings, workspaces: all.into_iter().map(|w| (WorkspaceId(w.id), w.name)).collect(), in_force })
}

/// Saves new settings, audited with the old and new values. 400 naming `workspace` when it
/// is not a workspace of the account.
pub async fn update(
    ctx: &AppCtx,
    may: &InAccount<SettingsManage>,
    new: ScimSettings,
) -> Result<ScimSettings, AppError> {
    if let Some(w) = new.workspace {
        let all = store::lookups::workspaces(&ctx.db, may.account).await?;
        if !all.iter().any(|x| x.id == w.0) {
            return Err(AppError::invalid("workspace", "is not a workspace of this account"));
        }
    }
    let old = read(ctx, may.account).await?;
    if old == new {
        return Ok(new);
    }
    let event =
        audit::by(&may.actor, domain::closed::AuditAction::ScimSettingsChanged, None, json!({"old": old, "new": new}));
    let value = serde_json::to_string(&new).map_err(|e| AppError::Internal(e.to_string()))?;
    store::settings::put(&ctx.db, may.account, store::scim::SETTINGS_KEY, &value, clock::now(), &event).await?;
    Ok(new)
}
