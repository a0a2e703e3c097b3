//! Groups of users inside a workspace: create, rename, delete (only when empty) and
//! membership. Needs `groups.manage` on the group's workspace; groups outside the caller's
//! scope look absent.

use crate::audit;
use crate::authz::{self, GroupsManage, InScope, TargetUser};
use crate::error::What;
use crate::{AppCtx, AppError, Input};
use domain::group::NotInWorkspace;
use domain::ids::{AccountId, GroupId, UserId, WorkspaceId};
use serde_json::json;
use store::StoreError;
pub use store::groups::GroupSummary;
use uuid::Uuid;

const MAX_NAME: usize = 100;

pub(crate) fn group_name(raw: &str) -> Result<String, AppError> {
    Ok(domain::text::required_line("name", raw, MAX_NAME)?)
}

fn duplicate(e: StoreError, name: &str) -> AppError {
    match e {
        StoreError::Conflict(_) => {
            AppError::Conflict(format!("a group named {name:?} already exists in this workspace"))
        }
        other => other.into(),
    }
}

/// Parses a group id from the path or a form.
pub fn group_id(raw: &str) -> Result<GroupId, AppError> {
    Uuid::parse_str(raw.trim()).map(GroupId).map_err(|_| AppError::invalid("id", "must be a group id (UUID)"))
}

/// The groups in the caller's scope, with member counts.
pub async fn list(ctx: &AppCtx, may: &InScope<GroupsManage>) -> Result<Vec<GroupSummary>, AppError> {
    let all = store::groups::list(&ctx.db, may.account).await?;
    Ok(all.into_iter().filter(|g| may.covers(WorkspaceId(g.workspace_id))).collect())
}

/// One group in the caller's scope (404 otherwise).
pub async fn get(ctx: &AppCtx, may: &InScope<GroupsManage>, id: GroupId) -> Result<GroupSummary, AppError> {
    let g = store::groups::find(&ctx.db, may.account, id).await?.ok_or(AppError::NotFound(What::Group))?;
    if !may.covers(WorkspaceId(g.workspace_id)) {
        return Err(AppError::NotFound(What::Group));
    }
    Ok(g)
}

/// What creating a group takes, as it arrives (JSON body or form).
#[derive(Debug, Clone, Default)]
pub struct NewGroup {
    /// A workspace id (UUID) of the account, in the caller's scope.
    pub workspace_id: String,
    /// 1 to 100 characters, one line.
    pub name: String,
}

/// Creates a group named `name` in `workspace_id` (a workspace of the account in scope).
/// Every bad field is refused at once, with those that went unread, and nothing is written.
pub async fn create(ctx: &AppCtx, may: &InScope<GroupsManage>, new: Input<NewGroup>) -> Result<GroupSummary, AppError> {
    let (new, mut problems) = new.open();
    let name = problems.check(group_name(&new.name))?;
    let ws = match Uuid::parse_str(new.workspace_id.trim()) {
        Err(_) => {
            problems.refuse("workspace_id", "must be a workspace id (UUID)");
            None
        }
        Ok(ws) => {
            let known = store::lookups::workspaces(&ctx.db, may.account).await?;
            if known.iter().any(|w| w.id == ws) && may.covers(WorkspaceId(ws)) {
                Some(ws)
            } else {
                problems.refuse("workspace_id", "is not a workspace you manage");
                None
            }
        }
    };
    problems.finish()?;
    let (Some(name), Some(ws)) = (name, ws) else {
        return Err(AppError::Internal("a refused field was not reported".into()));
    };
    let id = GroupId::new();
    let event = audit::by(
        &may.actor,
        domain::closed::AuditAction::GroupCreated,
        None,
        json!({"group_id": id, "workspace_id": ws, "name": name}),
    );
    store::groups::create_audited(&ctx.db, id, WorkspaceId(ws), &name, &event)
        .await
        .map_err(|e| duplicate(e, &name))?;
    get(ctx, may, id).await
}

/// Renames a group to `name` (1 to 100 characters, one line); refused naming every bad
/// field, with those that went unread.
pub async fn rename(
    ctx: &AppCtx,
    may: &InScope<GroupsManage>,
    id: GroupId,
    name: Input<String>,
) -> Result<GroupSummary, AppError> {
    let g = get(ctx, may, id).await?;
    let (name, mut problems) = name.open();
    let name = problems.check(group_name(&name))?;
    problems.finish()?;
    let Some(name) = name else { return Err(AppError::Internal("a refused field was not reported".into())) };
    if name == g.name {
        // The name it has: nothing is written or audited.
        return Ok(g);
    }
    let event = audit::by(
        &may.actor,
        domain::closed::AuditAction::GroupRenamed,
        None,
        json!({"group_id": id, "old": g.name, "new": name}),
    );
    store::groups::rename(&ctx.db, id, &name, &event).await.map_err(|e| duplicate(e, &name))?;
    get(ctx, may, id).await
}

/// Deletes a group; 409 while it still has members.
pub async fn delete(ctx: &AppCtx, may: &InScope<GroupsManage>, id: GroupId) -> Result<(), AppError> {
    let g = get(ctx, may, id).await?;
    let event =
        audit::by(&may.actor, domain::closed::AuditAction::GroupDeleted, None, json!({"group_id": id, "name": g.name}));
    let members = store::groups::delete_if_empty(&ctx.db, id, &event).await?;
    if members > 0 {
        let s = if members == 1 { "" } else { "s" };
        return Err(AppError::Conflict(format!("group {:?} still has {members} member{s}; remove them first", g.name)));
    }
    Ok(())
}

/// One page of a group's members, by email: `limit` (1–100, default 25) and `cursor` (the
/// previous page's `next_cursor`) as in the users list, whose keyset paging this is.
pub async fn members(
    ctx: &AppCtx,
    may: &InScope<GroupsManage>,
    id: GroupId,
    limit: Option<String>,
    cursor: Option<String>,
) -> Result<crate::users::UserPage, AppError> {
    get(ctx, may, id).await?;
    let params = crate::users::ListParams { sort: Some("email".into()), limit, cursor, ..Default::default() };
    let (mut filter, page, offset) = crate::users::parse_list(&params)?;
    filter.group = Some(id);
    crate::users::list_page(ctx, may.account, &filter, &page, offset).await
}

/// Whom to add or remove: a user id or an email address.
#[derive(Debug, Clone)]
pub enum Who<'a> {
    Id(UserId),
    Email(&'a str),
}

/// The user `who` names, as the caller may see them: one outside the caller's scope is
/// exactly like one that does not exist (404 for an id, 400 "there is no user" for an
/// email), and one above the caller's authority is a 403 naming the rule.
async fn user_of(ctx: &AppCtx, may: &InScope<GroupsManage>, who: &Who<'_>) -> Result<TargetUser, AppError> {
    match who {
        Who::Id(id) => authz::user_in_scope(ctx, may, *id).await,
        Who::Email(email) => {
            let no_such = || AppError::invalid("email", format!("there is no user {:?}", email.trim()));
            let key = domain::user::Email::try_from(email.trim())
                .map_err(|_| AppError::invalid("email", "is not an email address"))?
                .key();
            let found = store::users::find_for_login(&ctx.db, &key, None).await?;
            let row = found.into_iter().find(|u| u.account_id == may.account.0).ok_or_else(no_such)?;
            match authz::user_in_scope(ctx, may, UserId(row.id)).await {
                Err(AppError::NotFound(_)) => Err(no_such()),
                other => other,
            }
        }
    }
}

/// The user `who` names, who must be a member of the group's workspace to join it
/// ([`domain::group::may_join`]; 409 otherwise).
async fn resolve(
    ctx: &AppCtx,
    may: &InScope<GroupsManage>,
    g: &GroupSummary,
    who: &Who<'_>,
) -> Result<UserId, AppError> {
    let user = user_of(ctx, may, who).await?;
    domain::group::may_join(&user.workspace_ids(), WorkspaceId(g.workspace_id))
        .map_err(|r| AppError::Conflict(r.sentence(&user.name(), &g.workspace_name)))?;
    Ok(user.id)
}

/// `refused` ([`domain::group::may_join`]'s refusal) as its sentence about `who`, naming the
/// group's workspace as `account` calls it: for the callers that hold only its id (SCIM's
/// workspace, the SSO mapping's default one). Errors: the database's.
pub(crate) async fn not_in_workspace(
    ctx: &AppCtx,
    account: AccountId,
    refused: NotInWorkspace,
    who: &str,
) -> Result<String, AppError> {
    let workspaces = store::lookups::workspaces(&ctx.db, account).await?;
    let name = workspaces.into_iter().find(|w| w.id == refused.workspace.0).map(|w| w.name);
    Ok(refused.sentence(who, name.as_deref().unwrap_or("(deleted)")))
}

/// Adds a user (of the group's workspace) to the group. True when they were not a member.
pub async fn add_member(
    ctx: &AppCtx,
    may: &InScope<GroupsManage>,
    id: GroupId,
    who: &Who<'_>,
) -> Result<bool, AppError> {
    let g = get(ctx, may, id).await?;
    let user = resolve(ctx, may, &g, who).await?;
    let event = audit::by(
        &may.actor,
        domain::closed::AuditAction::GroupMemberAdded,
        Some(user),
        json!({"group_id": id, "group": g.name}),
    );
    Ok(store::groups::set_member(&ctx.db, id, user, true, &event).await?)
}

/// Removes a user from the group. 404 when they were not a member.
pub async fn remove_member(
    ctx: &AppCtx,
    may: &InScope<GroupsManage>,
    id: GroupId,
    who: &Who<'_>,
) -> Result<(), AppError> {
    let g = get(ctx, may, id).await?;
    let user = user_of(ctx, may, who).await?.id;
    let event = audit::by(
        &may.actor,
        domain::closed::AuditAction::GroupMemberRemoved,
        Some(user),
        json!({"group_id": id, "group": g.name}),
    );
    if !store::groups::set_member(&ctx.db, id, user, false, &event).await? {
        return Err(AppError::NotFound(What::User));
    }
    Ok(())
}

/// The workspaces of the account inside the caller's scope (where they may create groups).
pub async fn workspaces(ctx: &AppCtx, may: &InScope<GroupsManage>) -> Result<Vec<store::lookups::Named>, AppError> {
    let all = store::lookups::workspaces(&ctx.db, may.account).await?;
    Ok(all.into_iter().filter(|w| may.covers(WorkspaceId(w.id))).collect())
}
