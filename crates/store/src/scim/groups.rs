//! SCIM Groups: the groups of the one workspace SCIM manages (the SCIM settings), their
//! members, and changes made with their audit events in one transaction.

use crate::audit::{self, NewAuditEvent};
use crate::sql::Sql;
use crate::{Db, Micros, StoreError};
use domain::ids::{GroupId, UserId, WorkspaceId};
use domain::scim::ScimError;
use domain::scim::filter::{CompareOp, Filter};
use sqlx::FromRow;
use uuid::Uuid;

/// A group as SCIM shows it.
#[derive(Debug, Clone, FromRow)]
pub struct ScimGroupRow {
    pub id: Uuid,
    pub name: String,
    pub external_id: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: Option<i64>,
}

const COLUMNS: &str = "SELECT g.id, g.name, g.external_id, g.version, g.created_at, g.updated_at FROM groups g";

/// One group of `workspace`.
pub async fn find(db: &Db, workspace: WorkspaceId, id: GroupId) -> Result<Option<ScimGroupRow>, StoreError> {
    let sql = Sql::new(format!("{COLUMNS} WHERE g.workspace_id = $1 AND g.id = $2")).bind(workspace.0).bind(id.0);
    db.run().fetch_optional(sql).await
}

/// The groups of `workspace` matching `f` (`displayName`, `externalId`, `id` with `eq`,
/// joined by `and`/`or`: what clients ask of groups), by name; `Err` (400
/// `invalidFilter`) for other filters. A workspace holds few groups, so these are
/// conditions on the workspace's rows (`groups_workspace_name` index).
pub async fn list(
    db: &Db,
    workspace: WorkspaceId,
    f: Option<&Filter>,
) -> Result<Result<Vec<ScimGroupRow>, ScimError>, StoreError> {
    let mut sql = Sql::new(format!("{COLUMNS} WHERE g.workspace_id = $1")).bind(workspace.0);
    if let Some(f) = f {
        sql.push(" AND ");
        if let Err(e) = push(&mut sql, f) {
            return Ok(Err(e));
        }
    }
    sql.push(" ORDER BY g.name_key, g.id");
    Ok(Ok(db.run().fetch_all(sql).await?))
}

fn push(sql: &mut Sql, f: &Filter) -> Result<(), ScimError> {
    super::filter::push_logical(sql, f, &|sql: &mut Sql, term: &Filter| {
        let Filter::Compare(p, CompareOp::Eq, serde_json::Value::String(v)) = term else {
            return Err(ScimError::bad_request(
                "invalidFilter",
                "groups are filtered by displayName, externalId or id with eq, and, or",
            ));
        };
        match p.key().as_str() {
            // Case-insensitive in every script (`groups.name_key`, folded in Rust).
            "displayname" => sql.push("g.name_key = ").push_bind(domain::text::fold(v)),
            "externalid" => sql.push("g.external_id = ").push_bind(v.clone()),
            "id" => match v.parse::<Uuid>() {
                Ok(id) => sql.push("g.id = ").push_bind(id),
                Err(_) => sql.push("FALSE"),
            },
            _ => {
                return Err(ScimError::bad_request("invalidFilter", format!("groups are not filtered by {}", p.key())));
            }
        };
        Ok(())
    })
}

/// The members of `groups`: `(group, user id, email)`, by email; deleted users are not
/// members any more.
pub async fn members(db: &Db, groups: &[Uuid]) -> Result<Vec<(Uuid, Uuid, String)>, StoreError> {
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(
        "SELECT gm.group_id, u.id, u.email FROM group_members gm JOIN users u ON u.id = gm.user_id \
         WHERE u.deleted_at IS NULL AND gm.group_id IN (",
    );
    for (i, g) in groups.iter().enumerate() {
        sql.push(if i == 0 { "" } else { ", " }).push_bind(*g);
    }
    sql.push(") ORDER BY u.email_key");
    db.run().fetch_all(sql).await
}

/// A change to a group, made only if it is still at `version` (creation: `None`).
#[derive(Debug, Clone)]
pub struct GroupChange {
    pub group: GroupId,
    pub workspace: WorkspaceId,
    pub version: Option<i64>,
    pub name: String,
    pub external_id: Option<String>,
    /// Members to add and to remove (users of the account, checked by the caller).
    pub add: Vec<UserId>,
    pub remove: Vec<UserId>,
    pub at: Micros,
    pub audit: Vec<NewAuditEvent>,
}

/// What a group change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupChanged {
    Changed,
    /// The group moved on from `version`, or is gone.
    Stale,
    /// Another group of the workspace has the name.
    NameTaken,
}

/// Creates (`version: None`) or changes the group, its members and audit events in one
/// transaction.
pub async fn save(db: &Db, c: &GroupChange) -> Result<GroupChanged, StoreError> {
    let mut tx = db.begin_write().await?;
    let write = match c.version {
        None => Sql::new(
            "INSERT INTO groups (id, workspace_id, name, created_at, external_id, version, updated_at, name_key) \
             VALUES ($1, $2, $3, $4, $5, 1, $4, $6)",
        )
        .bind(c.group.0)
        .bind(c.workspace.0)
        .bind(&c.name)
        .bind(c.at)
        .bind(c.external_id.as_deref())
        .bind(domain::text::fold(&c.name)),
        Some(v) => Sql::new(
            "UPDATE groups SET name = $3, external_id = $4, version = version + 1, updated_at = $5, name_key = $6 \
             WHERE id = $1 AND version = $2",
        )
        .bind(c.group.0)
        .bind(v)
        .bind(&c.name)
        .bind(c.external_id.as_deref())
        .bind(c.at)
        .bind(domain::text::fold(&c.name)),
    };
    match tx.run().execute(write).await {
        Ok(0) => {
            tx.rollback().await?;
            return Ok(GroupChanged::Stale);
        }
        Ok(_) => {}
        Err(StoreError::Conflict(_)) => return Ok(GroupChanged::NameTaken),
        Err(e) => return Err(e),
    }
    for u in &c.remove {
        tx.run().execute(crate::groups::leave(c.group, *u)).await?;
    }
    for u in &c.add {
        tx.run().execute(crate::groups::join(c.group, *u)).await?;
    }
    for e in &c.audit {
        audit::insert(&mut tx, e).await?;
    }
    tx.commit().await?;
    Ok(GroupChanged::Changed)
}
