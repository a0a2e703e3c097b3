//! The audit log: append-only. Nothing here updates or deletes a row.

use crate::sql::{Sql, Tx};
use crate::{Db, Micros, StoreError};
use domain::closed::AuditAction;
use domain::ids::AccountId;
use sqlx::FromRow;
use uuid::Uuid;

/// One event to append.
#[derive(Debug, Clone)]
pub struct NewAuditEvent {
    pub id: Uuid,
    pub account_id: AccountId,
    pub at: Micros,
    pub actor_user_id: Option<Uuid>,
    pub action: AuditAction,
    pub target_user_id: Option<Uuid>,
    pub workspace_id: Option<Uuid>,
    pub ip: Option<String>,
    /// A JSON object.
    pub details: String,
}

/// Appends `event` within the open transaction `tx`, so the change and its record commit
/// together.
pub(crate) async fn insert(tx: &mut Tx, event: &NewAuditEvent) -> Result<(), StoreError> {
    insert_many(tx, &[event]).await
}

/// Appends `events` within the open transaction `tx`, 3,000 a statement.
pub(crate) async fn insert_many(tx: &mut Tx, events: &[&NewAuditEvent]) -> Result<(), StoreError> {
    for chunk in events.chunks(3000) {
        let mut sql = Sql::new(
            "INSERT INTO audit_events (id, account_id, at, actor_user_id, action, target_user_id, workspace_id, ip, \
             details) ",
        );
        sql.push_values(chunk, |row, e| {
            row.bind(e.id)
                .bind(e.account_id.0)
                .bind(e.at)
                .bind(e.actor_user_id)
                .bind(e.action.as_str())
                .bind(e.target_user_id)
                .bind(e.workspace_id)
                .bind(&e.ip)
                .bind(&e.details);
        });
        tx.run().execute(sql).await?;
    }
    Ok(())
}

/// Runs `update` and, when it changed a row, appends `event`: the one shape of an audited
/// change ("update; if a row changed, record it"). Whether a row changed.
pub(crate) async fn update_audited(tx: &mut Tx, update: Sql, event: &NewAuditEvent) -> Result<bool, StoreError> {
    let changed = tx.run().execute(update).await? > 0;
    if changed {
        insert(tx, event).await?;
    }
    Ok(changed)
}

/// [`update_audited`] in a transaction of its own.
pub(crate) async fn commit_audited(db: &Db, update: Sql, event: &NewAuditEvent) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    let changed = update_audited(&mut tx, update, event).await?;
    tx.commit().await?;
    Ok(changed)
}

/// Appends one event on its own.
pub async fn record(db: &Db, event: &NewAuditEvent) -> Result<(), StoreError> {
    db.write(async |tx| insert(tx, event).await).await
}

/// An event as stored, with the names of the people and workspace it mentions. A purged
/// user's email comes from the event that purged them.
#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    pub id: Uuid,
    pub at: i64,
    pub actor_user_id: Option<Uuid>,
    pub actor_email: Option<String>,
    /// "First Last" while the actor's row exists (soft-deleted users keep theirs).
    pub actor_name: Option<String>,
    #[sqlx(try_from = "String")]
    pub action: AuditAction,
    pub target_user_id: Option<Uuid>,
    pub target_email: Option<String>,
    pub target_name: Option<String>,
    pub workspace_id: Option<Uuid>,
    pub workspace_name: Option<String>,
    pub ip: Option<String>,
    pub details: String,
}

/// Which events to list. `before` is the keyset position (newest first).
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Events done by any of these users (one person's ids: a purged user's email may have
    /// been used again).
    pub actor: Option<Vec<Uuid>>,
    /// Events done to any of these users.
    pub target: Option<Vec<Uuid>>,
    pub action: Option<AuditAction>,
    pub from: Option<Micros>,
    pub to: Option<Micros>,
    pub before: Option<(Micros, Uuid)>,
}

/// Newest first; `limit + 1` rows are read to tell whether more follow.
pub async fn list(
    db: &Db,
    account: AccountId,
    f: &AuditFilter,
    limit: u32,
) -> Result<(Vec<AuditRow>, bool), StoreError> {
    // A purged user's row is gone; the email their purge recorded still names them.
    let remembered = |who: &str| {
        format!(
            "(SELECT {} FROM audit_events p WHERE p.account_id = e.account_id AND p.target_user_id = e.{who} \
             AND p.action = '{}' LIMIT 1)",
            db.dialect().json_text("p.details", "email"),
            AuditAction::UserPurged.as_str()
        )
    };
    let mut sql = Sql::new(format!(
        "SELECT e.id, e.at, e.actor_user_id, COALESCE(a.email, {}) AS actor_email, \
         a.first_name || ' ' || a.last_name AS actor_name, e.action, e.target_user_id, \
         COALESCE(t.email, {}) AS target_email, t.first_name || ' ' || t.last_name AS target_name, \
         e.workspace_id, w.name AS workspace_name, e.ip, e.details \
         FROM audit_events e LEFT JOIN users a ON a.id = e.actor_user_id \
         LEFT JOIN users t ON t.id = e.target_user_id LEFT JOIN workspaces w ON w.id = e.workspace_id \
         WHERE e.account_id = $1",
        remembered("actor_user_id"),
        remembered("target_user_id"),
    ))
    .bind(account.0);
    for (column, ids) in [("e.actor_user_id", &f.actor), ("e.target_user_id", &f.target)] {
        let Some(ids) = ids else { continue };
        sql.push(" AND ").push(column).push(" IN (");
        if ids.is_empty() {
            sql.push("NULL");
        }
        for (i, id) in ids.iter().enumerate() {
            sql.push(if i == 0 { "" } else { ", " }).push_bind(*id);
        }
        sql.push(")");
    }
    if let Some(action) = &f.action {
        sql.push(" AND e.action = ").push_bind(action.as_str());
    }
    if let Some(from) = f.from {
        sql.push(" AND e.at >= ").push_bind(from);
    }
    if let Some(to) = f.to {
        sql.push(" AND e.at < ").push_bind(to);
    }
    if let Some((at, id)) = f.before {
        sql.push(" AND (e.at, e.id) < (").push_bind(at).push(", ").push_bind(id).push(")");
    }
    sql.push(" ORDER BY e.at DESC, e.id DESC LIMIT ").push_bind(i64::from(limit) + 1);
    let mut rows: Vec<AuditRow> = db.run().fetch_all(sql).await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    Ok((rows, more))
}
