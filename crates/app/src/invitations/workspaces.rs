//! Which workspace invitees join: the choices an inviter has (exactly the workspaces
//! `authz` lets them invite into), the one preselected, and checking the one chosen.

use super::InviteOptions;
use crate::authz::InviteUsers;
use crate::{AppCtx, AppError};
use domain::ids::WorkspaceId;
use store::lookups::Named;
use uuid::Uuid;

/// The workspaces the inviter may invite into, by name, and the one invitees join unless
/// another is chosen.
#[derive(Debug, Clone)]
pub struct WorkspaceChoices {
    pub choices: Vec<Named>,
    /// The inviter's current workspace when they may invite into it, else the first choice;
    /// `None` only when there is no choice at all.
    pub default: Option<Uuid>,
}

/// The choices of `may`'s holder (one query).
pub async fn choices(ctx: &AppCtx, may: &InviteUsers) -> Result<WorkspaceChoices, AppError> {
    let choices: Vec<Named> = store::lookups::workspaces(&ctx.db, may.account)
        .await?
        .into_iter()
        .filter(|w| may.covers(WorkspaceId(w.id)))
        .collect();
    let default = default_of(may, choices.iter().map(|w| (WorkspaceId(w.id), w.name.as_str()))).map(|w| w.0);
    Ok(WorkspaceChoices { choices, default })
}

/// Of `covered` (workspaces `may` covers, with their names), the one invitees join when no
/// workspace is named: the inviter's current one if listed, else the first by name.
pub(super) fn default_of<'a>(
    may: &InviteUsers,
    covered: impl Iterator<Item = (WorkspaceId, &'a str)>,
) -> Option<WorkspaceId> {
    let mut covered: Vec<(WorkspaceId, &str)> = covered.filter(|(id, _)| may.covers(*id)).collect();
    if let Some(current) = may.actor.as_ref().and_then(|a| a.workspace)
        && covered.iter().any(|(id, _)| *id == current)
    {
        return Some(current);
    }
    covered.sort_by_key(|(_, name)| name.to_lowercase());
    covered.first().map(|(id, _)| *id)
}

/// Makes `raw` (a workspace id as given in the `workspace_id` field; blank for the default)
/// the workspace of the rows in `opts` that name none.
///
/// # Errors
/// [`AppError::Invalid`] naming `workspace_id` when it is not an id, or not one of the
/// workspaces the inviter may invite into (one answer for both, so a scoped admin learns
/// nothing of workspaces outside their scope). Nothing is invited then.
pub async fn choose(ctx: &AppCtx, may: &InviteUsers, raw: &str, opts: &mut InviteOptions) -> Result<(), AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(());
    }
    let refused = || AppError::invalid("workspace_id", "is not one of the workspaces you may invite users into");
    let id = Uuid::parse_str(raw).map_err(|_| refused())?;
    let chosen = choices(ctx, may).await?.choices.into_iter().find(|w| w.id == id).ok_or_else(refused)?;
    // Names are unique in an account (ignoring case): rows are resolved by name.
    opts.default_workspace = Some(chosen.name);
    Ok(())
}
