//! API tokens: made with their permission and workspace rows and their audit event in one
//! transaction, listed per account, revoked (audited when a row changed), and looked up by
//! secret hash on every bearer request together with their creator's current standing.
//!
//! Rows are parsed here into domain types ([`PermissionSet`], [`Scope`]); a stored
//! permission name this build does not know is dropped (never granted).

use crate::audit::{self, NewAuditEvent};
use crate::lookups::Named;
use crate::sql::{Sql, Tx};
use crate::{Db, Micros, StoreError};
use domain::ids::{AccountId, ApiTokenId, UserId, WorkspaceId};
use domain::permission::{Permission, PermissionSet, Scope};
use domain::user::UserStatus;
use sqlx::FromRow;
use uuid::Uuid;

/// A token to create. The secret itself is never stored, only its hash.
#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub id: ApiTokenId,
    pub account: AccountId,
    pub creator: UserId,
    pub name: String,
    pub secret_hash: Vec<u8>,
    pub permissions: PermissionSet,
    pub scope: Scope,
    pub created_at: Micros,
    pub expires_at: Micros,
}

/// Creates `t` with its permission and workspace rows and `audit`, in one transaction.
pub async fn create(db: &Db, t: &NewApiToken, audit: &NewAuditEvent) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    tx.run()
        .execute(
            Sql::new(
                "INSERT INTO api_tokens (id, account_id, creator_user_id, name, secret_hash, all_workspaces, \
                 created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(t.id.0)
            .bind(t.account.0)
            .bind(t.creator.0)
            .bind(&t.name)
            .bind(&t.secret_hash)
            .bind(t.scope == Scope::AllWorkspaces)
            .bind(t.created_at)
            .bind(t.expires_at),
        )
        .await?;
    if !t.permissions.is_empty() {
        let mut sql = Sql::new("INSERT INTO api_token_permissions (token_id, permission) ");
        sql.push_values(t.permissions.iter(), |row, p| {
            row.bind(t.id.0).bind(p.as_str());
        });
        tx.run().execute(sql).await?;
    }
    if let Scope::Workspaces(ws) = &t.scope
        && !ws.is_empty()
    {
        let mut sql = Sql::new("INSERT INTO api_token_workspaces (token_id, workspace_id) ");
        sql.push_values(ws.iter(), |row, w| {
            row.bind(t.id.0).bind(w.0);
        });
        tx.run().execute(sql).await?;
    }
    audit::insert(&mut tx, audit).await?;
    tx.commit().await
}

#[derive(FromRow)]
struct Row {
    id: Uuid,
    creator_user_id: Uuid,
    creator_email: String,
    creator_first_name: String,
    creator_last_name: String,
    #[sqlx(try_from = "String")]
    creator_status: UserStatus,
    name: String,
    all_workspaces: bool,
    permissions: Option<String>,
    workspaces: Option<String>,
    created_at: i64,
    expires_at: i64,
    revoked_at: Option<i64>,
    last_used_at: Option<i64>,
    last_used_ip: Option<String>,
}

/// A token as the list shows it.
#[derive(Debug, Clone)]
pub struct ApiTokenRow {
    pub id: ApiTokenId,
    pub creator: UserId,
    pub creator_email: String,
    pub creator_name: String,
    /// Whether the creator lends the token their rights
    /// ([`UserStatus::may_use_api_tokens`]: active or locked): a suspended creator's token
    /// has no effect until they are active again.
    pub creator_lends: bool,
    pub name: String,
    pub permissions: PermissionSet,
    /// All workspaces, or these (by name).
    pub scope: Scope,
    pub workspaces: Vec<Named>,
    pub created_at: Micros,
    pub expires_at: Micros,
    pub revoked_at: Option<Micros>,
    pub last_used_at: Option<Micros>,
    pub last_used_ip: Option<String>,
}

fn permissions_of(list: Option<&str>) -> PermissionSet {
    list.unwrap_or("").split(',').filter_map(|p| p.parse::<Permission>().ok()).collect()
}

impl Row {
    fn parse(self) -> Result<ApiTokenRow, StoreError> {
        let workspaces = crate::targets::workspaces_from_json(self.workspaces.as_deref())?;
        let scope = if self.all_workspaces {
            Scope::AllWorkspaces
        } else {
            Scope::Workspaces(workspaces.iter().map(|w| WorkspaceId(w.id)).collect())
        };
        Ok(ApiTokenRow {
            id: ApiTokenId(self.id),
            creator: UserId(self.creator_user_id),
            creator_email: self.creator_email,
            creator_name: format!("{} {}", self.creator_first_name, self.creator_last_name),
            creator_lends: self.creator_status.may_use_api_tokens(),
            name: self.name,
            permissions: permissions_of(self.permissions.as_deref()),
            scope,
            workspaces,
            created_at: self.created_at,
            expires_at: self.expires_at,
            revoked_at: self.revoked_at,
            last_used_at: self.last_used_at,
            last_used_ip: self.last_used_ip,
        })
    }
}

fn list_sql(db: &Db) -> String {
    let d = db.dialect();
    format!(
        "SELECT t.id, t.creator_user_id, u.email AS creator_email, u.first_name AS creator_first_name, \
         u.last_name AS creator_last_name, u.status AS creator_status, t.name, t.all_workspaces, \
         (SELECT {} FROM api_token_permissions tp WHERE tp.token_id = t.id) AS permissions, \
         (SELECT {} FROM api_token_workspaces tw JOIN workspaces w ON w.id = tw.workspace_id \
          WHERE tw.token_id = t.id) AS workspaces, \
         t.created_at, t.expires_at, t.revoked_at, t.last_used_at, t.last_used_ip \
         FROM api_tokens t JOIN users u ON u.id = t.creator_user_id WHERE t.account_id = $1",
        d.text_list("tp.permission"),
        d.json_list(&[("id", &d.id_text("w.id")), ("name", "w.name")]),
    )
}

/// Every token of `account` (`creator`: only theirs), newest first, revoked ones included.
/// One statement (permissions and workspaces are subqueries by primary key).
pub async fn list(db: &Db, account: AccountId, creator: Option<UserId>) -> Result<Vec<ApiTokenRow>, StoreError> {
    let sql = format!("{} AND ($2 IS NULL OR t.creator_user_id = $2) ORDER BY t.created_at DESC, t.id", list_sql(db));
    let rows: Vec<Row> = db.run().fetch_all(Sql::new(sql).bind(account.0).bind(creator.map(|c| c.0))).await?;
    rows.into_iter().map(Row::parse).collect()
}

/// One token of `account`.
pub async fn find(db: &Db, account: AccountId, id: ApiTokenId) -> Result<Option<ApiTokenRow>, StoreError> {
    let sql = format!("{} AND t.id = $2", list_sql(db));
    let row: Option<Row> = db.run().fetch_optional(Sql::new(sql).bind(account.0).bind(id.0)).await?;
    row.map(Row::parse).transpose()
}

/// Revokes token `id` (if not revoked yet) and records `audit` when it did. Whether it did.
pub async fn revoke(
    db: &Db,
    id: ApiTokenId,
    by: UserId,
    at: Micros,
    audit: &NewAuditEvent,
) -> Result<bool, StoreError> {
    let update =
        Sql::new("UPDATE api_tokens SET revoked_at = $1, revoked_by_user_id = $2 WHERE id = $3 AND revoked_at IS NULL")
            .bind(at)
            .bind(by.0)
            .bind(id.0);
    audit::commit_audited(db, update, audit).await
}

/// Revokes every live token `creator` made, as of `at` by `by`, inside the caller's
/// transaction (a deleted creator's tokens stay dead when the user is restored). Returns how
/// many were revoked.
pub(crate) async fn revoke_all_of_in(tx: &mut Tx, creator: UserId, by: UserId, at: Micros) -> Result<u64, StoreError> {
    tx.run()
        .execute(
            Sql::new(
                "UPDATE api_tokens SET revoked_at = $1, revoked_by_user_id = $2 \
                 WHERE creator_user_id = $3 AND revoked_at IS NULL",
            )
            .bind(at)
            .bind(by.0)
            .bind(creator.0),
        )
        .await
}

/// A live token with what authorization needs about it and its creator, from one statement.
#[derive(Debug, Clone, FromRow)]
pub struct LiveTokenRow {
    pub id: Uuid,
    pub name: String,
    pub account_id: Uuid,
    pub creator_user_id: Uuid,
    pub all_workspaces: bool,
    pub token_permissions: Option<String>,
    pub token_workspaces: Option<String>,
    pub last_used_at: Option<i64>,
    /// The token's creator (whose Bot Builder access is the most a token's request may
    /// raise anyone's to).
    #[sqlx(flatten)]
    pub creator: crate::targets::HolderColumns,
}

impl LiveTokenRow {
    /// The token's own permissions.
    pub fn permissions(&self) -> PermissionSet {
        permissions_of(self.token_permissions.as_deref())
    }

    /// The token's own scope.
    pub fn scope(&self) -> Scope {
        if self.all_workspaces {
            return Scope::AllWorkspaces;
        }
        let ids = self.token_workspaces.as_deref().unwrap_or("").split(',').filter_map(|w| Uuid::parse_str(w).ok());
        Scope::Workspaces(ids.map(WorkspaceId).collect())
    }
}

fn find_live_sql(d: crate::dialect::Dialect) -> String {
    format!(
        "SELECT t.id, t.name, t.account_id, t.creator_user_id, t.all_workspaces, \
         (SELECT {} FROM api_token_permissions tp WHERE tp.token_id = t.id) AS token_permissions, \
         (SELECT {} FROM api_token_workspaces tw WHERE tw.token_id = t.id) AS token_workspaces, \
         t.last_used_at, {} \
         FROM api_tokens t JOIN users u ON u.id = t.creator_user_id \
         LEFT JOIN admin_roles r ON r.id = u.admin_role_id \
         WHERE t.secret_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND u.deleted_at IS NULL",
        d.text_list("tp.permission"),
        d.text_list(&d.id_text("tw.workspace_id")),
        crate::targets::HolderColumns::select(d),
    )
}

/// The unrevoked, unexpired token whose secret hashes to `secret_hash`, of a creator not
/// deleted, with the creator's current role — the bearer check's one statement.
pub async fn find_live(db: &Db, secret_hash: &[u8], now: Micros) -> Result<Option<LiveTokenRow>, StoreError> {
    static SQL: crate::dialect::BuiltSql = crate::dialect::BuiltSql::new(find_live_sql);
    let sql = SQL.get(db.dialect());
    db.run().fetch_optional(Sql::new(sql).bind(secret_hash).bind(now)).await
}

/// Why a presented secret found no live token, as its row tells (for the server's log):
/// the token's id, revocation, expiry and its creator's deletion.
#[derive(Debug, Clone, FromRow)]
pub struct TokenStanding {
    pub id: Uuid,
    pub revoked_at: Option<i64>,
    pub expires_at: i64,
    pub creator_deleted_at: Option<i64>,
}

/// The standing of the token whose secret hashes to `secret_hash`, live or not; `None` for
/// a secret no token has. Read only after [`find_live`] refused, to log the cause.
pub async fn standing(db: &Db, secret_hash: &[u8]) -> Result<Option<TokenStanding>, StoreError> {
    db.run()
        .fetch_optional(
            Sql::new(
                "SELECT t.id, t.revoked_at, t.expires_at, u.deleted_at AS creator_deleted_at \
                 FROM api_tokens t JOIN users u ON u.id = t.creator_user_id WHERE t.secret_hash = $1",
            )
            .bind(secret_hash),
        )
        .await
}

/// Records that token `id` was used at `at` from `ip`, unless a use at or after
/// `not_before` is already recorded (so at most one write a minute per token, on every
/// instance: the condition is in the statement).
pub async fn touch(db: &Db, id: ApiTokenId, at: Micros, ip: &str, not_before: Micros) -> Result<(), StoreError> {
    db.run()
        .execute(
            Sql::new(
                "UPDATE api_tokens SET last_used_at = $1, last_used_ip = $2 \
                 WHERE id = $3 AND (last_used_at IS NULL OR last_used_at < $4)",
            )
            .bind(at)
            .bind(ip)
            .bind(id.0)
            .bind(not_before),
        )
        .await?;
    Ok(())
}
