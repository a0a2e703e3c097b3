//! Groups of users inside a workspace.

use crate::audit::NewAuditEvent;
use crate::db::BeginWrite;
use crate::{Db, Micros, StoreError};
use domain::ids::{AccountId, GroupId, UserId, WorkspaceId};
use sqlx::QueryBuilder;

pub async fn create(db: &Db, id: GroupId, workspace: WorkspaceId, name: &str, at: Micros) -> Result<(), StoreError> {
    with_db!(db, pool => {
        sqlx::query("INSERT INTO groups (id, workspace_id, name, created_at) VALUES ($1, $2, $3, $4)")
            .bind(id.0)
            .bind(workspace.0)
            .bind(name)
            .bind(at)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// Adds many (group, user) pairs in one statement per 5,000 pairs, in one transaction.
pub async fn add_members(db: &Db, pairs: &[(GroupId, UserId)]) -> Result<(), StoreError> {
    if pairs.is_empty() {
        return Ok(());
    }
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        for chunk in pairs.chunks(5000) {
            let mut qb = QueryBuilder::new("INSERT INTO group_members (group_id, user_id) ");
            qb.push_values(chunk, |mut row, (g, u)| {
                row.push_bind(g.0).push_bind(u.0);
            });
            qb.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
    });
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

macro_rules! summary {
    () => {
        "SELECT g.id, g.name, w.id AS workspace_id, w.name AS workspace_name, g.member_count \
         FROM groups g JOIN workspaces w ON w.id = g.workspace_id WHERE w.account_id = $1"
    };
}

/// Every group of `account`, by workspace and name.
pub async fn list(db: &Db, account: AccountId) -> Result<Vec<GroupSummary>, StoreError> {
    let rows = with_db!(db, pool => {
        sqlx::query_as::<_, GroupSummary>(concat!(summary!(), " ORDER BY lower(w.name), lower(g.name), g.id"))
            .bind(account.0)
            .fetch_all(pool).await?
    });
    Ok(rows)
}

/// One group of `account`.
pub async fn find(db: &Db, account: AccountId, id: GroupId) -> Result<Option<GroupSummary>, StoreError> {
    let row = with_db!(db, pool => {
        sqlx::query_as::<_, GroupSummary>(concat!(summary!(), " AND g.id = $2"))
            .bind(account.0)
            .bind(id.0).fetch_optional(pool).await?
    });
    Ok(row)
}

/// Creates a group with its audit event (409-able `Conflict` on a duplicate name).
pub async fn create_audited(
    db: &Db,
    id: GroupId,
    workspace: WorkspaceId,
    name: &str,
    audit: &NewAuditEvent,
) -> Result<(), StoreError> {
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        sqlx::query("INSERT INTO groups (id, workspace_id, name, created_at) VALUES ($1, $2, $3, $4)")
            .bind(id.0)
            .bind(workspace.0)
            .bind(name)
            .bind(audit.at)
            .execute(&mut *tx)
            .await?;
        crate::audit::insert_audit!(tx, audit);
        tx.commit().await?;
    });
    Ok(())
}

/// Renames a group with its audit event.
pub async fn rename(db: &Db, id: GroupId, name: &str, audit: &NewAuditEvent) -> Result<(), StoreError> {
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        sqlx::query("UPDATE groups SET name = $1 WHERE id = $2").bind(name).bind(id.0).execute(&mut *tx).await?;
        crate::audit::insert_audit!(tx, audit);
        tx.commit().await?;
    });
    Ok(())
}

/// Deletes a group only while it has no members. `Err(n)`-like: returns the member count
/// that refused the deletion (0 means deleted).
pub async fn delete_if_empty(db: &Db, id: GroupId, audit: &NewAuditEvent) -> Result<i64, StoreError> {
    let members = with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let n = sqlx::query(
            "DELETE FROM groups WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM group_members WHERE group_id = $1)",
        )
        .bind(id.0)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 1 {
            crate::audit::insert_audit!(tx, audit);
            tx.commit().await?;
            0
        } else {
            let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM group_members WHERE group_id = $1")
                .bind(id.0)
                .fetch_one(&mut *tx)
                .await?;
            tx.rollback().await?;
            count
        }
    });
    Ok(members)
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
    let changed = with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let n = if add {
            sqlx::query(
                "INSERT INTO group_members (group_id, user_id) SELECT $1, $2 WHERE NOT EXISTS \
                 (SELECT 1 FROM group_members WHERE group_id = $1 AND user_id = $2)",
            )
            .bind(group.0)
            .bind(user.0)
            .execute(&mut *tx)
            .await?
            .rows_affected()
        } else {
            sqlx::query("DELETE FROM group_members WHERE group_id = $1 AND user_id = $2")
                .bind(group.0)
                .bind(user.0)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        };
        if n == 1 {
            crate::audit::insert_audit!(tx, audit);
        }
        tx.commit().await?;
        n == 1
    });
    Ok(changed)
}
