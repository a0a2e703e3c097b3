//! Groups of users inside a workspace.

use crate::audit::{self, NewAuditEvent};
use crate::sql::{Sql, Tx};
use crate::{Db, Micros, StoreError};
use domain::ids::{AccountId, GroupId, UserId, WorkspaceId};

fn insert(id: GroupId, workspace: WorkspaceId, name: &str, at: Micros) -> Sql {
    Sql::new("INSERT INTO groups (id, workspace_id, name, created_at, name_key) VALUES ($1, $2, $3, $4, $5)")
        .bind(id.0)
        .bind(workspace.0)
        .bind(name)
        .bind(at)
        .bind(domain::text::fold(name))
}

pub async fn create(db: &Db, id: GroupId, workspace: WorkspaceId, name: &str, at: Micros) -> Result<(), StoreError> {
    db.run().execute(insert(id, workspace, name, at)).await?;
    Ok(())
}

/// Adds many (group, user) pairs in one statement per 5,000 pairs, in one transaction.
pub async fn add_members(db: &Db, pairs: &[(GroupId, UserId)]) -> Result<(), StoreError> {
    if pairs.is_empty() {
        return Ok(());
    }
    db.write(async |tx| add_members_in(tx, pairs).await).await
}

/// [`add_members`] within the open transaction `tx`.
pub(crate) async fn add_members_in(tx: &mut Tx, pairs: &[(GroupId, UserId)]) -> Result<(), StoreError> {
    for chunk in pairs.chunks(5000) {
        let mut sql = Sql::new("INSERT INTO group_members (group_id, user_id) ");
        sql.push_values(chunk, |row, (g, u)| {
            row.bind(g.0).bind(u.0);
        });
        tx.run().execute(sql).await?;
    }
    Ok(())
}

/// A group with its workspace and how many members it has (a count the database keeps
/// with triggers, so reading it costs nothing however big the group).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GroupSummary {
    pub id: uuid::Uuid,
    pub name: String,
    pub workspace_id: uuid::Uuid,
    pub workspace_name: String,
    pub member_count: i64,
}

const SUMMARY: &str = "SELECT g.id, g.name, w.id AS workspace_id, w.name AS workspace_name, g.member_count \
     FROM groups g JOIN workspaces w ON w.id = g.workspace_id WHERE w.account_id = $1";

/// Every group of `account`, by workspace and name.
pub async fn list(db: &Db, account: AccountId) -> Result<Vec<GroupSummary>, StoreError> {
    db.run().fetch_all(Sql::new(format!("{SUMMARY} ORDER BY lower(w.name), lower(g.name), g.id")).bind(account.0)).await
}

/// One group of `account`.
pub async fn find(db: &Db, account: AccountId, id: GroupId) -> Result<Option<GroupSummary>, StoreError> {
    db.run().fetch_optional(Sql::new(format!("{SUMMARY} AND g.id = $2")).bind(account.0).bind(id.0)).await
}

/// Creates a group with its audit event (409-able `Conflict` on a duplicate name).
pub async fn create_audited(
    db: &Db,
    id: GroupId,
    workspace: WorkspaceId,
    name: &str,
    audit: &NewAuditEvent,
) -> Result<(), StoreError> {
    audit::commit_audited(db, insert(id, workspace, name, audit.at), audit).await?;
    Ok(())
}

/// Renames a group with its audit event.
pub async fn rename(db: &Db, id: GroupId, name: &str, audit: &NewAuditEvent) -> Result<(), StoreError> {
    let rename = Sql::new("UPDATE groups SET name = $1, name_key = $3 WHERE id = $2")
        .bind(name)
        .bind(id.0)
        .bind(domain::text::fold(name));
    audit::commit_audited(db, rename, audit).await?;
    Ok(())
}

/// Deletes a group only while it has no members. `Err(n)`-like: returns the member count
/// that refused the deletion (0 means deleted).
pub async fn delete_if_empty(db: &Db, id: GroupId, audit: &NewAuditEvent) -> Result<i64, StoreError> {
    let mut tx = db.begin_write().await?;
    let delete =
        Sql::new("DELETE FROM groups WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM group_members WHERE group_id = $1)")
            .bind(id.0);
    if audit::update_audited(&mut tx, delete, audit).await? {
        tx.commit().await?;
        return Ok(0);
    }
    let count: Option<i64> =
        tx.run().fetch_scalar(Sql::new("SELECT COUNT(*) FROM group_members WHERE group_id = $1").bind(id.0)).await?;
    tx.rollback().await?;
    Ok(count.unwrap_or(0))
}

/// Adds (`add`) or removes one member with its audit event. False when nothing changed
/// (already a member / not a member); no event is recorded then.
pub async fn set_member(
    db: &Db,
    group: GroupId,
    user: UserId,
    add: bool,
    audit: &NewAuditEvent,
) -> Result<bool, StoreError> {
    let change = if add { join(group, user) } else { leave(group, user) };
    audit::commit_audited(db, change, audit).await
}

/// The statement making `user` a member of `group`, changing nothing (0 rows) when they
/// already are. The primary key decides (`ON CONFLICT DO NOTHING`), never a prior check: two
/// transactions that both saw no membership would both insert, and the loser would hit
/// `group_members_pkey` (PostgreSQL reads committed rows only at statement start).
pub(crate) fn join(group: GroupId, user: UserId) -> Sql {
    Sql::new("INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT (group_id, user_id) DO NOTHING")
        .bind(group.0)
        .bind(user.0)
}

/// The statement ending `user`'s membership of `group` (0 rows when they were none).
pub(crate) fn leave(group: GroupId, user: UserId) -> Sql {
    Sql::new("DELETE FROM group_members WHERE group_id = $1 AND user_id = $2").bind(group.0).bind(user.0)
}
