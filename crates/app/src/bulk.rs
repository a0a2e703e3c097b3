//! Bulk actions on the users list: each id is authorized and carried out on its own, so one
//! refusal never aborts the rest; the result lists every id with success or the reason.

use crate::authz::{self, GroupsManage, InScope, Principal, UsersInvite, UsersManage};
use crate::groups::Who;
use crate::invitations::InviteOptions;
use crate::{AppCtx, AppError, Input, Problems};
use domain::closed::ClosedSet;
use domain::ids::{GroupId, UserId};

/// Most ids one request may name.
pub const MAX_IDS: usize = 1000;

pub use domain::bulk::BulkAction;

/// A bulk request as it arrives.
#[derive(Debug, Clone, Default)]
pub struct BulkRequest {
    /// One of [`BulkAction`]'s names.
    pub action: String,
    /// User ids, 1 to [`MAX_IDS`].
    pub ids: Vec<String>,
    /// The group of `add_to_group`.
    pub group_id: Option<String>,
}

/// A bulk request's `action`, `ids` and (for `add_to_group`) `group_id` read together:
/// every bad one is named at once, with every field that went unread. Whether the group
/// exists is judged later, by [`run`]. Returns the action, the ids and the group id.
///
/// # Errors
/// [`AppError::Invalid`] or [`AppError::InvalidFields`] naming each refused field.
pub fn parse_request(request: Input<BulkRequest>) -> Result<(BulkAction, Vec<UserId>, Option<String>), AppError> {
    let (request, mut problems) = request.open();
    let action = problems.check(BulkAction::parse(&request.action))?;
    let ids = problems.check(parse_ids(&request.ids))?;
    if action == Some(BulkAction::AddToGroup) {
        problems.check(group_of(request.group_id.as_deref()))?;
    }
    problems.finish()?;
    match (action, ids) {
        (Some(action), Some(ids)) => Ok((action, ids, request.group_id)),
        _ => Err(AppError::Internal("a refused field was not reported".into())),
    }
}

/// Parses and checks the id list: 1 to [`MAX_IDS`] UUIDs, duplicates dropped; every
/// malformed one is named (`ids[3]`).
///
/// # Errors
/// [`AppError::Invalid`] or [`AppError::InvalidFields`].
pub fn parse_ids(raw: &[String]) -> Result<Vec<UserId>, AppError> {
    if raw.is_empty() || raw.len() > MAX_IDS {
        return Err(AppError::invalid("ids", format!("must list 1 to {MAX_IDS} user ids")));
    }
    let mut problems = Problems::new();
    let mut ids = Vec::with_capacity(raw.len());
    for (i, s) in raw.iter().enumerate() {
        match s.parse::<UserId>() {
            Ok(id) if !ids.contains(&id) => ids.push(id),
            Ok(_) => {}
            Err(_) => problems.refuse(format!("ids[{i}]"), "must be a user id (UUID)"),
        }
    }
    problems.finish()?;
    Ok(ids)
}

/// The group of `add_to_group`: required, and a group id.
fn group_of(raw: Option<&str>) -> Result<GroupId, AppError> {
    let raw = raw.ok_or_else(|| AppError::invalid("group_id", "is required for add_to_group"))?;
    crate::groups::group_id(raw).map_err(|_| AppError::invalid("group_id", "must be a group id (UUID)"))
}

/// What some actions need besides the ids.
#[derive(Debug, Clone)]
pub struct BulkOptions {
    /// Where invitation links point (`resend_invitation`; `activate` of a user who gets
    /// a fresh invitation).
    pub public_url: String,
    /// The group to add to (`add_to_group`; required there).
    pub group_id: Option<String>,
}

/// A checked bulk request: the action with what it needs.
enum Plan {
    Suspend,
    /// Activation may send invitations (a suspended user who cannot sign in otherwise).
    Activate(InviteOptions),
    Unlock,
    Delete,
    Resend(InviteOptions),
    AddToGroup(InScope<GroupsManage>, GroupId),
}

/// Checks what the action needs before anything changes: `add_to_group` needs a
/// `group_id` the caller may manage (400/403/404 for the whole request otherwise).
async fn plan(ctx: &AppCtx, p: &Principal, action: BulkAction, opts: &BulkOptions) -> Result<Plan, AppError> {
    Ok(match action {
        BulkAction::Suspend => Plan::Suspend,
        BulkAction::Activate => Plan::Activate(InviteOptions::new(&opts.public_url, ctx.auth.invitation_lifetime)),
        BulkAction::Unlock => Plan::Unlock,
        BulkAction::Delete => Plan::Delete,
        BulkAction::ResendInvitation => {
            Plan::Resend(InviteOptions::new(&opts.public_url, ctx.auth.invitation_lifetime))
        }
        BulkAction::AddToGroup => {
            let id = group_of(opts.group_id.as_deref())?;
            let may = authz::in_scope::<GroupsManage>(p)?;
            crate::groups::get(ctx, &may, id).await?;
            Plan::AddToGroup(may, id)
        }
    })
}

async fn one(ctx: &AppCtx, p: &Principal, plan: &Plan, user: UserId) -> Result<(), AppError> {
    match plan {
        Plan::Suspend => crate::lifecycle::suspend(ctx, &authz::on_user::<UsersManage>(ctx, p, user).await?).await,
        Plan::Activate(opts) => {
            crate::lifecycle::activate(ctx, &authz::on_user::<UsersManage>(ctx, p, user).await?, opts).await.map(|_| ())
        }
        Plan::Unlock => crate::lockout::unlock(ctx, &authz::on_user::<UsersManage>(ctx, p, user).await?).await,
        Plan::Delete => crate::deletion::delete(ctx, &authz::delete_user(ctx, p, user).await?).await.map(|_| ()),
        Plan::Resend(opts) => {
            crate::invitations::resend(ctx, &authz::on_user::<UsersInvite>(ctx, p, user).await?, opts).await
        }
        Plan::AddToGroup(may, group) => {
            // Users outside the caller's own user scope look absent, as everywhere.
            authz::on_user::<GroupsManage>(ctx, p, user).await?;
            crate::groups::add_member(ctx, may, *group, &Who::Id(user)).await.map(|_| ())
        }
    }
}

/// Runs `action` for each of `ids` in order; every id gets its own outcome. Errors before
/// any id is touched (a bad or foreign `group_id`) fail the whole request.
pub async fn run(
    ctx: &AppCtx,
    p: &Principal,
    action: BulkAction,
    ids: &[UserId],
    opts: &BulkOptions,
) -> Result<Vec<(UserId, Result<(), AppError>)>, AppError> {
    let plan = plan(ctx, p, action, opts).await?;
    let mut results = Vec::with_capacity(ids.len());
    for &id in ids {
        results.push((id, one(ctx, p, &plan, id).await));
    }
    Ok(results)
}
