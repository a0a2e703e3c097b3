//! The audit log: append-only. Nothing here updates or deletes a row.

use crate::db::BeginWrite;
use crate::{Db, Micros, StoreError};
use domain::ids::AccountId;
use sqlx::{FromRow, QueryBuilder};
use uuid::Uuid;

/// One event to append.
#[derive(Debug, Clone)]
pub struct NewAuditEvent {
    pub id: Uuid,
    pub account_id: AccountId,
    pub at: Micros,
    pub actor_user_id: Option<Uuid>,
    pub action: String,
    pub target_user_id: Option<Uuid>,
    pub workspace_id: Option<Uuid>,
    pub ip: Option<String>,
    /// A JSON object.
    pub details: String,
}

/// Appends `$event` with the open transaction `$tx`, so the change and its record commit
/// together.
macro_rules! insert_audit {
    ($tx:expr, $event:expr) => {{
        let e: &$crate::audit::NewAuditEvent = $event;
        sqlx::query(
            "INSERT INTO audit_events (id, account_id, at, actor_user_id, action, target_user_id, workspace_id, ip, details) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(e.id)
        .bind(e.account_id.0)
        .bind(e.at)
        .bind(e.actor_user_id)
        .bind(&e.action)
        .bind(e.target_user_id)
        .bind(e.workspace_id)
        .bind(&e.ip)
        .bind(&e.details)
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(crate) use insert_audit;

/// Appends one event on its own.
pub async fn record(db: &Db, event: &NewAuditEvent) -> Result<(), StoreError> {
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        insert_audit!(tx, event);
        tx.commit().await?;
    });
    Ok(())
}

/// An event as stored, with the names of the people and workspace it mentions.
#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    pub id: Uuid,
    pub at: i64,
    pub actor_user_id: Option<Uuid>,
    pub actor_email: Option<String>,
    pub action: String,
    pub target_user_id: Option<Uuid>,
    pub target_email: Option<String>,
    pub workspace_id: Option<Uuid>,
    pub workspace_name: Option<String>,
    pub ip: Option<String>,
    pub details: String,
}

/// Which events to list. `before` is the keyset position (newest first).
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<Uuid>,
    pub target: Option<Uuid>,
    pub action: Option<String>,
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
    let mut rows = with_db!(db, pool => {
        let mut qb = QueryBuilder::new(
            "SELECT e.id, e.at, e.actor_user_id, a.email AS actor_email, e.action, e.target_user_id, \
             t.email AS target_email, e.workspace_id, w.name AS workspace_name, e.ip, e.details \
             FROM audit_events e LEFT JOIN users a ON a.id = e.actor_user_id \
             LEFT JOIN users t ON t.id = e.target_user_id LEFT JOIN workspaces w ON w.id = e.workspace_id \
             WHERE e.account_id = ",
        );
        qb.push_bind(account.0);
        if let Some(actor) = f.actor {
            qb.push(" AND e.actor_user_id = ").push_bind(actor);
        }
        if let Some(target) = f.target {
            qb.push(" AND e.target_user_id = ").push_bind(target);
        }
        if let Some(action) = &f.action {
            qb.push(" AND e.action = ").push_bind(action.clone());
        }
        if let Some(from) = f.from {
            qb.push(" AND e.at >= ").push_bind(from);
        }
        if let Some(to) = f.to {
            qb.push(" AND e.at < ").push_bind(to);
        }
        if let Some((at, id)) = f.before {
            qb.push(" AND (e.at, e.id) < (").push_bind(at).push(", ").push_bind(id).push(")");
        }
        qb.push(" ORDER BY e.at DESC, e.id DESC LIMIT ").push_bind(i64::from(limit) + 1);
        qb.build_query_as::<AuditRow>().fetch_all(pool).await?
    });
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    Ok((rows, more))
}
