//! Soft delete, restore and purge of users. A soft-deleted user keeps their row (with
//! `deleted_at`/`deleted_by`) and vanishes from lists, lookups and sign-in; purging removes
//! the row for good.

use crate::audit::{self, NewAuditEvent};
use crate::bots::Transfer;
use crate::sessions::Ending;
use crate::sql::Sql;
use crate::{Db, Micros, StoreError};
use domain::ids::{AccountId, AdminRoleId, UserId, WorkspaceId};
use sqlx::FromRow;
use uuid::Uuid;

/// Names of the bots `user` owns, sorted.
pub async fn owned_bots(db: &Db, user: UserId) -> Result<Vec<String>, StoreError> {
    db.run()
        .fetch_column(
            Sql::new(
                "SELECT b.name FROM bots b JOIN bot_members m ON m.bot_id = b.id \
             WHERE m.user_id = $1 AND m.role = 'owner' ORDER BY b.name",
            )
            .bind(user.0),
        )
        .await
}

/// How a soft delete went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deleted {
    Done,
    /// Not deleted: the user is gone, already deleted, the Primary Master Admin, or owns a
    /// bot (the caller checks which before, this guards against races).
    Refused,
}

/// Marks `user` deleted (unless primary admin or a bot owner), ends all their sessions and
/// appends `audit`, in one transaction. `transfers` first hand the user's bots to their
/// successors (each with its audit event) in the same transaction: if any of them cannot
/// happen, nothing does.
pub async fn soft_delete(
    db: &Db,
    user: UserId,
    by: UserId,
    transfers: &[(Transfer, Vec<NewAuditEvent>)],
    ending: &Ending,
    audit: &NewAuditEvent,
) -> Result<Deleted, StoreError> {
    soft_delete_in(db, user, None, by, transfers, ending, audit).await
}

/// [`soft_delete`] only while the user is at `version` (a conditional request's `If-Match`,
/// RFC 7232 §3.1): compared in the deleting statement itself, so a change committed after
/// the caller read the version refuses the delete ([`Deleted::Refused`]) rather than
/// deleting a user the caller has not seen.
pub async fn soft_delete_at_version(
    db: &Db,
    user: UserId,
    version: i64,
    by: UserId,
    ending: &Ending,
    audit: &NewAuditEvent,
) -> Result<Deleted, StoreError> {
    soft_delete_in(db, user, Some(version), by, &[], ending, audit).await
}

async fn soft_delete_in(
    db: &Db,
    user: UserId,
    version: Option<i64>,
    by: UserId,
    transfers: &[(Transfer, Vec<NewAuditEvent>)],
    ending: &Ending,
    audit: &NewAuditEvent,
) -> Result<Deleted, StoreError> {
    let mut tx = db.begin_write().await?;
    for (t, events) in transfers {
        if !crate::bots::transfer_in(&mut tx, t).await? {
            tx.rollback().await?;
            return Ok(Deleted::Refused);
        }
        for event in events {
            audit::insert(&mut tx, event).await?;
        }
    }
    // Lock the user first, so the "owns no bot" check below reads a state no concurrent
    // transfer to this user can still change (see Dialect::lock_user).
    crate::bots::lock_user(&mut tx, user).await?;
    let delete = Sql::new(
        "UPDATE users SET deleted_at = $1, deleted_by = $2, version = version + 1, updated_at = $1 \
         WHERE id = $3 AND deleted_at IS NULL AND NOT is_primary_admin \
         AND NOT EXISTS (SELECT 1 FROM bot_members m WHERE m.user_id = $3 AND m.role = 'owner') \
         AND ($4 IS NULL OR version = $4)",
    )
    .bind(audit.at)
    .bind(by.0)
    .bind(user.0)
    .bind(version);
    let done = audit::update_audited(&mut tx, delete, audit).await?;
    if done {
        crate::sessions::end_all_in(&mut tx, user, None, ending).await?;
        crate::api_tokens::revoke_all_of_in(&mut tx, user, by, audit.at).await?;
    }
    tx.commit().await?;
    Ok(if done { Deleted::Done } else { Deleted::Refused })
}

/// Removes `user` from `workspaces` (memberships and the groups of those workspaces) and
/// appends `audit`, in one transaction — only while the user still holds `role` (the admin
/// role id the caller judged the removal by; `None`: no role), bumping their version so an
/// edit based on the earlier one (a grant of a role scoped to these workspaces, say) is
/// stale. Returns how many memberships went, or `None` when the role changed meanwhile —
/// another role, or its scope now reaching a workspace being left (checked under the
/// role's lock, which a scope change takes too) — and nothing changed.
pub async fn remove_from_workspaces(
    db: &Db,
    user: UserId,
    role: Option<AdminRoleId>,
    workspaces: &[WorkspaceId],
    audit: &NewAuditEvent,
) -> Result<Option<u64>, StoreError> {
    let mut tx = db.begin_write().await?;
    if let Some(r) = role {
        // The role's lock, as a scope change takes it: a widening of the role to one of
        // these workspaces either committed already (and is seen below) or waits.
        let lock = Sql::new(tx.dialect().lock_role()).bind(r.0);
        let _: Option<Uuid> = tx.run().fetch_scalar(lock).await?;
    }
    let same_role = tx
        .run()
        .execute(
            Sql::new(
                "UPDATE users SET version = version + 1 WHERE id = $1 \
                 AND (admin_role_id = $2 OR (admin_role_id IS NULL AND $3))",
            )
            .bind(user.0)
            .bind(role.map(|r| r.0))
            .bind(role.is_none()),
        )
        .await?;
    if same_role == 0 {
        return Ok(None);
    }
    let mut removed = 0;
    for w in workspaces {
        tx.run()
            .execute(
                Sql::new(
                    "DELETE FROM group_members WHERE user_id = $1 \
                 AND group_id IN (SELECT g.id FROM groups g WHERE g.workspace_id = $2)",
                )
                .bind(user.0)
                .bind(w.0),
            )
            .await?;
        removed += tx
            .run()
            .execute(
                Sql::new("DELETE FROM memberships WHERE user_id = $1 AND workspace_id = $2").bind(user.0).bind(w.0),
            )
            .await?;
    }
    if let Some(r) = role {
        let missing: Option<i64> =
            tx.run().fetch_scalar(Sql::new(crate::profile::ROLE_WORKSPACES_MISSING).bind(user.0).bind(r.0)).await?;
        if missing.unwrap_or(0) > 0 {
            // The role's scope now reaches a workspace being left: nothing changes.
            tx.rollback().await?;
            return Ok(None);
        }
    }
    if removed > 0 {
        audit::insert(&mut tx, audit).await?;
    }
    tx.commit().await?;
    Ok(Some(removed))
}

/// A soft-deleted user.
#[derive(Debug, Clone, FromRow)]
pub struct DeletedRow {
    pub id: Uuid,
    pub account_id: Uuid,
    pub email: String,
    pub deleted_at: i64,
}

/// The soft-deleted user `id` of `account`, or `None`.
pub async fn find_deleted(db: &Db, account: AccountId, id: UserId) -> Result<Option<DeletedRow>, StoreError> {
    db.run()
        .fetch_optional(
            Sql::new(
                "SELECT id, account_id, email, deleted_at FROM users \
             WHERE account_id = $1 AND id = $2 AND deleted_at IS NOT NULL",
            )
            .bind(account.0)
            .bind(id.0),
        )
        .await
}

/// Brings back `user` if they were deleted at or after `not_before`, appending `audit`.
/// False when there was nothing to restore.
pub async fn restore(
    db: &Db,
    account: AccountId,
    user: UserId,
    not_before: Micros,
    audit: &NewAuditEvent,
) -> Result<bool, StoreError> {
    let restore = Sql::new(
        "UPDATE users SET deleted_at = NULL, deleted_by = NULL, version = version + 1, updated_at = $1 \
         WHERE id = $2 AND deleted_at IS NOT NULL AND deleted_at >= $3 AND account_id = $4",
    )
    .bind(audit.at)
    .bind(user.0)
    .bind(not_before)
    .bind(account.0);
    audit::commit_audited(db, restore, audit).await
}

/// Users (of any account) deleted before `cutoff`, at most `limit` of them.
pub async fn expired(db: &Db, cutoff: Micros, limit: i64) -> Result<Vec<DeletedRow>, StoreError> {
    db.run()
        .fetch_all(
            Sql::new(
                "SELECT id, account_id, email, deleted_at FROM users \
             WHERE deleted_at IS NOT NULL AND deleted_at < $1 ORDER BY deleted_at LIMIT $2",
            )
            .bind(cutoff)
            .bind(limit),
        )
        .await
}

/// Removes the soft-deleted `user` (deleted before `cutoff`) for good, with what still
/// points at them, appending `audit`. False when they were not (or no longer) purgeable.
pub async fn purge(db: &Db, user: UserId, cutoff: Micros, audit: &NewAuditEvent) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    let still: Option<Uuid> = tx
        .run()
        .fetch_scalar(
            Sql::new("SELECT id FROM users WHERE id = $1 AND deleted_at IS NOT NULL AND deleted_at < $2")
                .bind(user.0)
                .bind(cutoff),
        )
        .await?;
    if still.is_some() {
        for sql in [
            "DELETE FROM bot_members WHERE user_id = $1",
            "UPDATE sessions SET ended_by_user_id = NULL WHERE ended_by_user_id = $1",
            "UPDATE users SET deleted_by = NULL WHERE deleted_by = $1",
            "DELETE FROM users WHERE id = $1",
        ] {
            tx.run().execute(Sql::new(sql).bind(user.0)).await?;
        }
        audit::insert(&mut tx, audit).await?;
    }
    tx.commit().await?;
    Ok(still.is_some())
}

/// A soft-deleted user as the list of deleted users shows them.
#[derive(Debug, Clone, FromRow)]
pub struct DeletedListRow {
    pub id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub deleted_at: i64,
    /// Who deleted them; `None` once that admin is gone for good.
    pub deleted_by_email: Option<String>,
}

/// The soft-deleted users of `account`, newest deletion first, at most `limit` of them.
pub async fn list_deleted(db: &Db, account: AccountId, limit: i64) -> Result<Vec<DeletedListRow>, StoreError> {
    db.run()
        .fetch_all(
            Sql::new(
                "SELECT u.id, u.email, u.first_name, u.last_name, u.deleted_at, d.email AS deleted_by_email \
             FROM users u LEFT JOIN users d ON d.id = u.deleted_by \
             WHERE u.account_id = $1 AND u.deleted_at IS NOT NULL \
             ORDER BY u.deleted_at DESC, u.id DESC LIMIT $2",
            )
            .bind(account.0)
            .bind(limit),
        )
        .await
}
