//! Deleting users: soft delete (account-wide admins), removal from workspaces (workspace
//! admins), restore within the retention window, and the purge after it.
//!
//! A user who owns a bot is never deleted (ownership must be transferred first) and the
//! Primary Master Admin never is. Soft-deleted users vanish from lists, lookups and sign-in
//! at once; their sessions end in the same transaction.

use crate::audit;
use crate::authz::TransferOwnership;
use crate::authz::{DeleteUser, OnDeletedUser, OnUser, UsersDelete};
use crate::clock::{self, DAY, Micros};
use crate::{AppCtx, AppError};
use domain::bot::BotRole;
use domain::ids::BotId;
use domain::ids::{AccountId, UserId, WorkspaceId};
use domain::role::AdminRole;
use serde_json::json;
use std::collections::BTreeMap;
use store::deletion::Deleted;
use store::sessions::Ending;

/// How long a deleted user stays restorable before the purge removes them.
pub const RETENTION: Micros = 30 * DAY;

/// What a delete request did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The user is soft-deleted (restorable for [`RETENTION`]).
    Deleted,
    /// A workspace-scoped admin removed the user from these workspaces; the user remains.
    RemovedFrom(Vec<WorkspaceId>),
}

/// The user to delete, as the capability loaded them: never the Primary Master Admin (409),
/// nor the caller's own account (403: another admin deletes it).
fn deletable(on: &OnUser<UsersDelete>) -> Result<&store::users::UserDetailRow, AppError> {
    if on.target().role == AdminRole::PrimaryMasterAdmin {
        return Err(AppError::Conflict("the Primary Master Admin can never be deleted".into()));
    }
    on.refuse_self("delete your own account")?;
    Ok(&on.target().row)
}

/// Deletes the user (account-wide admins) or removes them from the caller's workspaces
/// (workspace admins). 409 for the Primary Master Admin and for bot owners (naming the bots).
pub async fn delete(ctx: &AppCtx, may: &DeleteUser) -> Result<Outcome, AppError> {
    delete_at_version(ctx, may, None).await
}

/// [`delete`], only while the user is at `version` when given (SCIM's `If-Match`): the
/// version is compared in the deleting statement ([`store::deletion::soft_delete_at_version`]),
/// so a change committed meanwhile is [`AppError::Stale`] and nothing is deleted.
pub async fn delete_at_version(ctx: &AppCtx, may: &DeleteUser, version: Option<i64>) -> Result<Outcome, AppError> {
    let on = &may.on;
    let user = deletable(on)?;
    if let Some(within) = &may.within {
        let remove: Vec<WorkspaceId> =
            on.workspaces().iter().map(|w| WorkspaceId(w.id)).filter(|w| within.contains(w)).collect();
        let names: Vec<&str> =
            on.workspaces().iter().filter(|w| within.contains(&WorkspaceId(w.id))).map(|w| w.name.as_str()).collect();
        refuse_leaving_role_scope(on, &remove)?;
        let event = audit::by(
            &on.actor,
            domain::closed::AuditAction::UserRemovedFromWorkspaces,
            Some(on.user),
            json!({"workspaces": names}),
        );
        let role = on.target().row.admin_role_id.map(domain::ids::AdminRoleId);
        if store::deletion::remove_from_workspaces(&ctx.db, on.user, role, &remove, &event).await?.is_none() {
            return Err(AppError::Conflict("the user's admin role changed meanwhile; reload and try again".into()));
        }
        return Ok(Outcome::RemovedFrom(remove));
    }
    let bots = store::deletion::owned_bots(&ctx.db, on.user).await?;
    if !bots.is_empty() {
        return Err(owns_bots(&bots));
    }
    let ending = Ending {
        by_user: Some(on.actor.user),
        for_workspace: on.actor.workspace,
        cause: domain::closed::EndCause::Deleted,
        reason: Some("the user was deleted".into()),
        at: clock::now(),
    };
    let event =
        audit::by(&on.actor, domain::closed::AuditAction::UserDeleted, Some(on.user), json!({"email": user.email}));
    let deleted = match version {
        Some(v) => store::deletion::soft_delete_at_version(&ctx.db, on.user, v, on.actor.user, &ending, &event).await?,
        None => store::deletion::soft_delete(&ctx.db, on.user, on.actor.user, &[], &ending, &event).await?,
    };
    match deleted {
        Deleted::Done => Ok(Outcome::Deleted),
        Deleted::Refused => {
            let bots = store::deletion::owned_bots(&ctx.db, on.user).await?;
            if bots.is_empty() && version.is_some() {
                Err(AppError::Stale("the user changed since the version If-Match names; read it again".into()))
            } else if bots.is_empty() {
                Err(AppError::Conflict("the user changed meanwhile; reload and try again".into()))
            } else {
                Err(owns_bots(&bots))
            }
        }
    }
}

/// The guided delete of a bot owner: hands each owned bot to its successor (`successors`
/// by bot id, else `for_all`), then deletes the user — all in one transaction, so either
/// everything happens or nothing does. Only the Primary Master Admin may (transfers).
pub async fn transfer_and_delete(
    ctx: &AppCtx,
    may: &DeleteUser,
    transfer: &TransferOwnership,
    successors: &BTreeMap<String, String>,
    for_all: Option<&str>,
) -> Result<Vec<String>, AppError> {
    let on = &may.on;
    let user = deletable(on)?;
    let owned: Vec<_> =
        store::bots::of_user(&ctx.db, on.user).await?.into_iter().filter(|b| b.role == BotRole::Owner).collect();
    // Every bot's problem is named, in one refusal of `successors`.
    let mut whys: Vec<String> = successors
        .keys()
        .filter(|id| !owned.iter().any(|b| b.bot_id.to_string() == **id))
        .map(|stray| format!("the user does not own a bot with id {stray}"))
        .collect();
    let mut transfers = Vec::with_capacity(owned.len());
    for b in &owned {
        let Some(who) =
            successors.get(&b.bot_id.to_string()).map(String::as_str).or(for_all).filter(|w| !w.trim().is_empty())
        else {
            whys.push(format!("choose a new Owner for bot {:?}", b.name));
            continue;
        };
        match crate::bots::plan_transfer(ctx, transfer, on.user, BotId(b.bot_id), who).await {
            Ok(planned) => transfers.push(planned),
            Err(AppError::Invalid { message, .. }) => whys.push(format!("bot {:?}: {message}", b.name)),
            Err(other) => return Err(other),
        }
    }
    if !whys.is_empty() {
        return Err(AppError::invalid("successors", whys.join("; ")));
    }
    let ending = Ending {
        by_user: Some(on.actor.user),
        for_workspace: on.actor.workspace,
        cause: domain::closed::EndCause::Deleted,
        reason: Some("the user was deleted".into()),
        at: clock::now(),
    };
    let names: Vec<String> = owned.iter().map(|b| b.name.clone()).collect();
    let event = audit::by(
        &transfer.actor,
        domain::closed::AuditAction::UserDeleted,
        Some(on.user),
        json!({"email": user.email, "bots_transferred": names}),
    );
    match store::deletion::soft_delete(&ctx.db, on.user, on.actor.user, &transfers, &ending, &event).await? {
        Deleted::Done => Ok(names),
        Deleted::Refused => Err(AppError::Conflict(
            "the user's bots or a successor changed meanwhile; nothing was transferred or deleted; reload and try again"
                .into(),
        )),
    }
}

/// 409 when the user's admin role is scoped to a workspace in `remove`: a workspace-scoped
/// role is held only by members of each of its workspaces, and the role is never narrowed
/// silently — someone changes the role first.
fn refuse_leaving_role_scope(on: &OnUser<UsersDelete>, remove: &[WorkspaceId]) -> Result<(), AppError> {
    let role = &on.target().role;
    let kept = role.keeps_holder_in(remove);
    if kept.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> =
        on.workspaces().iter().filter(|w| kept.contains(&WorkspaceId(w.id))).map(|w| w.name.as_str()).collect();
    Err(AppError::Conflict(format!(
        "{} holds the admin role {:?}, scoped to {}; a workspace-scoped role is held only by members of each of its workspaces, so give them another role (or change the role's scope) before removing them from {}",
        on.target().name(),
        role.label(),
        names.join(", "),
        if names.len() == 1 { "it" } else { "them" }
    )))
}

fn owns_bots(bots: &[String]) -> AppError {
    AppError::Conflict(format!(
        "the user owns {} bot(s): {}; use Transfer Ownership on each bot first, then delete the user",
        bots.len(),
        bots.join(", ")
    ))
}

/// Brings a soft-deleted user back, within [`RETENTION`] of the deletion; 409 after it.
pub async fn restore(ctx: &AppCtx, may: &OnDeletedUser) -> Result<(), AppError> {
    let now = clock::now();
    let event = audit::by(&may.actor, domain::closed::AuditAction::UserRestored, Some(may.user), json!({}));
    if store::deletion::restore(&ctx.db, may.account, may.user, now - ctx.auth.deletion_retention, &event).await? {
        Ok(())
    } else {
        Err(AppError::Conflict(
            "the retention window of this deleted user has passed; it can no longer be restored".into(),
        ))
    }
}

/// Hard-deletes every user deleted more than [`RETENTION`] before `now`, in batches, each
/// audited with the email kept in the details. Returns how many were purged.
pub async fn purge_expired(ctx: &AppCtx, now: Micros) -> Result<usize, AppError> {
    let cutoff = now - ctx.auth.deletion_retention;
    let mut purged = 0;
    loop {
        let batch = store::deletion::expired(&ctx.db, cutoff, 100).await?;
        if batch.is_empty() {
            return Ok(purged);
        }
        let mut progressed = false;
        for row in batch {
            if purge_row(ctx, &row, cutoff).await? {
                purged += 1;
                progressed = true;
            }
        }
        if !progressed {
            return Ok(purged);
        }
    }
}

/// Purges one soft-deleted user of `account` deleted before `cutoff` (audited); false when
/// there is no such user (restored or purged meanwhile).
pub(crate) async fn purge_one(
    ctx: &AppCtx,
    account: AccountId,
    user: UserId,
    cutoff: Micros,
) -> Result<bool, AppError> {
    match store::deletion::find_deleted(&ctx.db, account, user).await? {
        Some(row) if row.deleted_at < cutoff => purge_row(ctx, &row, cutoff).await,
        _ => Ok(false),
    }
}

async fn purge_row(ctx: &AppCtx, row: &store::deletion::DeletedRow, cutoff: Micros) -> Result<bool, AppError> {
    let event = audit::unattended(
        AccountId(row.account_id),
        domain::closed::AuditAction::UserPurged,
        Some(UserId(row.id)),
        "",
        json!({"email": row.email, "deleted_at": clock::rfc3339(row.deleted_at)}),
    );
    Ok(store::deletion::purge(&ctx.db, UserId(row.id), cutoff, &event).await?)
}

/// How many deleted users the list shows at most (newest deletions first).
pub const DELETED_LIST_LIMIT: i64 = 500;

/// A soft-deleted user, with who deleted them and until when they can be restored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedUser {
    pub id: UserId,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub deleted_at: Micros,
    /// `None` when the admin who deleted them is gone for good.
    pub deleted_by_email: Option<String>,
    /// `deleted_at` plus the retention; the purge removes the user after it.
    pub restorable_until: Micros,
}

/// The account's soft-deleted users, newest deletion first (at most [`DELETED_LIST_LIMIT`]).
pub async fn list_deleted(
    ctx: &AppCtx,
    may: &crate::authz::AccountWide<crate::authz::UsersDelete>,
) -> Result<Vec<DeletedUser>, AppError> {
    let rows = store::deletion::list_deleted(&ctx.db, may.account, DELETED_LIST_LIMIT).await?;
    Ok(rows
        .into_iter()
        .map(|r| DeletedUser {
            id: UserId(r.id),
            email: r.email,
            first_name: r.first_name,
            last_name: r.last_name,
            deleted_at: r.deleted_at,
            deleted_by_email: r.deleted_by_email,
            restorable_until: r.deleted_at + ctx.auth.deletion_retention,
        })
        .collect())
}
