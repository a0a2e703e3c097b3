//! Judging one invitation row on its own: its email, names, workspace and groups, within
//! the inviter's scope, into the user and link to create — or the reason it is refused.

use super::{Directory, InviteOptions, InviteRow, Prepared, invitation_mail};
use crate::audit;
use crate::authz::InviteUsers;
use crate::clock::Micros;
use crate::mail::outbox::{MailKind, queued};
use crate::tokens;
use domain::ids::{UserId, WorkspaceId};
use domain::user::{BuilderAccess, Email, PersonName, UserStatus};
use serde_json::json;
use store::invitations::NewInvitation;
use store::users::NewUser;

pub(super) fn prepare(
    may: &InviteUsers,
    dir: &mut Directory,
    row: &InviteRow,
    opts: &InviteOptions,
    now: Micros,
) -> Result<Prepared, String> {
    let email = Email::try_from(row.email.trim()).map_err(|e| e.to_string())?;
    let (first, last) = names(row, &email)?;
    let wanted = Some(row.workspace.trim()).filter(|w| !w.is_empty()).or(opts.default_workspace.as_deref());
    let (workspace, workspace_name) = match wanted {
        Some(name) => dir
            .workspaces
            .get(&name.to_lowercase())
            .cloned()
            .ok_or_else(|| format!("workspace: there is no workspace named \"{name}\""))?,
        None => default_workspace(may, dir)?,
    };
    if !may.covers(workspace) {
        return Err(format!("workspace: you may not invite users into \"{workspace_name}\" (outside your scope)"));
    }
    let mut groups = Vec::new();
    for g in row.groups.iter().map(|g| g.trim()).filter(|g| !g.is_empty()) {
        let id = dir
            .groups
            .get(&(workspace, g.to_lowercase()))
            .ok_or_else(|| format!("groups: there is no group \"{g}\" in workspace \"{workspace_name}\""))?;
        if !groups.contains(id) {
            groups.push(*id);
        }
    }
    if !dir.seen.insert(email.key()) {
        return Err("email: appears more than once in this list".into());
    }
    let token = tokens::generate();
    let id = UserId::new();
    let name = format!("{} {}", first.as_str(), last.as_str());
    let audit = match &may.actor {
        Some(actor) => {
            audit::by(actor, domain::closed::AuditAction::UserInvited, Some(id), json!({"email": email.as_str()}))
        }
        None => audit::unattended(
            may.account,
            domain::closed::AuditAction::UserInvited,
            Some(id),
            "",
            json!({"email": email.as_str(), "by": "command line"}),
        ),
    };
    let user = NewUser {
        id,
        account_id: may.account,
        email,
        first_name: first,
        last_name: last,
        status: UserStatus::Invited,
        builder_access: BuilderAccess::None,
        is_primary_admin: false,
        admin_role_id: None,
        password_hash: None,
        invited_at: Some(now),
        last_login_at: None,
        created_at: now,
        workspaces: vec![workspace],
    };
    let expires_at = now + opts.lifetime;
    let mail = opts.send_email.then(|| {
        queued(
            may.account,
            Some(id),
            MailKind::Invitation,
            invitation_mail(&user.email, &name, &token, expires_at, opts),
        )
    });
    let invitation = NewInvitation { user, groups, token_hash: tokens::hash(&token), expires_at, audit, mail };
    Ok(Prepared { invitation })
}

/// The row's names; when both are empty, guessed from the email's local part
/// (`ann.lee@…` → "Ann" "Lee"; the invitee can fix them later).
pub(crate) fn names(row: &InviteRow, email: &Email) -> Result<(PersonName, PersonName), String> {
    // A name of only invisible characters is no name (domain::text::is_blank).
    let (first, last) = (row.first_name.as_str(), row.last_name.as_str());
    let blank = domain::text::is_blank;
    if !blank(first) || !blank(last) {
        let first = PersonName::parse("first_name", first).map_err(|e| e.to_string())?;
        let last = PersonName::parse("last_name", if blank(last) { "-" } else { last }).map_err(|e| e.to_string())?;
        return Ok((first, last));
    }
    let local = email.as_str().split('@').next().unwrap_or_default();
    let mut parts = local.split(['.', '_', '-']).filter(|p| !p.is_empty()).map(capitalize);
    let first = parts.next().unwrap_or_else(|| local.to_owned());
    let last = parts.next().unwrap_or_else(|| "-".to_owned());
    let first = PersonName::parse("first_name", &first).map_err(|e| e.to_string())?;
    let last = PersonName::parse("last_name", &last).map_err(|e| e.to_string())?;
    Ok((first, last))
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// The workspace of a row naming none (and no default given): see [`super::workspaces::default_of`].
fn default_workspace(may: &InviteUsers, dir: &Directory) -> Result<(WorkspaceId, String), String> {
    let chosen = super::workspaces::default_of(may, dir.workspaces.values().map(|(id, name)| (*id, name.as_str())));
    chosen
        .and_then(|w| dir.workspaces.values().find(|(id, _)| *id == w).cloned())
        .ok_or_else(|| "workspace: is required".to_owned())
}
