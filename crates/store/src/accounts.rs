//! Accounts and their bootstrap: the first workspace, the built-in Master Admin role, and
//! either the Primary Master Admin or a one-time setup token.

use crate::sql::{Sql, Tx};
use crate::users::NewUser;
use crate::{Db, Micros, StoreError};
use domain::ids::{AccountId, AdminRoleId, WorkspaceId};
use sqlx::FromRow;
use uuid::Uuid;

/// A new account with its first workspace.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub id: AccountId,
    pub name: String,
    pub slug: String,
    pub workspace_id: WorkspaceId,
    pub workspace_name: String,
    pub master_role_id: AdminRoleId,
    pub created_at: Micros,
}

/// How the first admin comes to be.
#[derive(Debug, Clone)]
pub enum FirstAdmin {
    /// Created right away (from configuration or the demo).
    Create(Box<NewUser>),
    /// Set up later through a one-time link whose token hashes to `token_hash`; for the
    /// address `email` only, when one is named (`roster account create --admin-email`).
    SetupLink { token_hash: Vec<u8>, expires_at: Micros, email: Option<String> },
}

/// True when no account exists yet.
pub async fn none_exist(db: &Db) -> Result<bool, StoreError> {
    let n: Option<i64> =
        db.run().fetch_scalar(Sql::new("SELECT count(*) FROM (SELECT 1 FROM accounts LIMIT 1) t")).await?;
    Ok(n == Some(0))
}

/// How many accounts exist, counting no further than `cap` (sign-in's work is sized by it).
pub async fn count_up_to(db: &Db, cap: i64) -> Result<i64, StoreError> {
    let sql = Sql::new("SELECT count(*) FROM (SELECT 1 FROM accounts LIMIT $1) t").bind(cap);
    Ok(db.run().fetch_scalar(sql).await?.unwrap_or(0))
}

/// Creates the account, its first workspace, the Master Admin role and the first admin (or
/// setup token), all in one transaction.
pub async fn create(db: &Db, account: &NewAccount, first_admin: &FirstAdmin) -> Result<(), StoreError> {
    db.write(async |tx| insert_account(tx, account, first_admin).await).await
}

/// [`create`], with the audit event that records it (`account.created`) in the same
/// transaction: the account's log starts with its own creation.
pub async fn create_recorded(
    db: &Db,
    account: &NewAccount,
    first_admin: &FirstAdmin,
    event: &crate::audit::NewAuditEvent,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    insert_account(&mut tx, account, first_admin).await?;
    crate::audit::insert(&mut tx, event).await?;
    tx.commit().await
}

async fn insert_account(tx: &mut Tx, account: &NewAccount, first_admin: &FirstAdmin) -> Result<(), StoreError> {
    let a = account;
    for sql in [
        Sql::new("INSERT INTO accounts (id, name, slug, created_at) VALUES ($1, $2, $3, $4)")
            .bind(a.id.0)
            .bind(&a.name)
            .bind(&a.slug)
            .bind(a.created_at),
        Sql::new("INSERT INTO workspaces (id, account_id, name, created_at) VALUES ($1, $2, $3, $4)")
            .bind(a.workspace_id.0)
            .bind(a.id.0)
            .bind(&a.workspace_name)
            .bind(a.created_at),
        Sql::new(
            "INSERT INTO admin_roles (id, account_id, name, kind, all_workspaces, created_at) \
             VALUES ($1, $2, 'Master Admin', 'master', TRUE, $3)",
        )
        .bind(a.master_role_id.0)
        .bind(a.id.0)
        .bind(a.created_at),
    ] {
        tx.run().execute(sql).await?;
    }
    match first_admin {
        FirstAdmin::Create(user) => crate::users::insert_in(tx, std::slice::from_ref(&**user)).await?,
        FirstAdmin::SetupLink { token_hash, expires_at, email } => {
            let link = Sql::new(
                "INSERT INTO setup_tokens (token_hash, account_id, created_at, expires_at, email) \
                 VALUES ($1, $2, $3, $4, $5)",
            );
            tx.run()
                .execute(link.bind(token_hash).bind(a.id.0).bind(a.created_at).bind(*expires_at).bind(email))
                .await?;
        }
    }
    Ok(())
}

/// A live setup token: its account, and the only address it may create when it names one.
#[derive(Debug, Clone, FromRow)]
pub struct SetupToken {
    pub account_id: Uuid,
    pub email: Option<String>,
}

/// The live setup token hashing to `token_hash`, if it is unused and unexpired.
pub async fn setup_token(db: &Db, token_hash: &[u8], now: Micros) -> Result<Option<SetupToken>, StoreError> {
    let sql =
        "SELECT account_id, email FROM setup_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2";
    db.run().fetch_optional(Sql::new(sql).bind(token_hash).bind(now)).await
}

/// The account a live setup token belongs to (see [`setup_token`]).
pub async fn setup_token_account(db: &Db, token_hash: &[u8], now: Micros) -> Result<Option<AccountId>, StoreError> {
    Ok(setup_token(db, token_hash, now).await?.map(|t| AccountId(t.account_id)))
}

/// Spends a setup token and creates the Primary Master Admin in every workspace of its
/// account, in one transaction. `None` when the token is used, expired or unknown — so two
/// racing submissions cannot both create an admin.
pub async fn complete_setup(
    db: &Db,
    token_hash: &[u8],
    now: Micros,
    admin: &NewUser,
) -> Result<Option<AccountId>, StoreError> {
    let mut tx = db.begin_write().await?;
    let account: Option<Uuid> = tx
        .run()
        .fetch_scalar(
            Sql::new(
                "UPDATE setup_tokens SET used_at = $1 \
                 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING account_id",
            )
            .bind(now)
            .bind(token_hash),
        )
        .await?;
    if account != Some(admin.account_id.0) {
        return Ok(None);
    }
    crate::users::insert_in(&mut tx, std::slice::from_ref(admin)).await?;
    tx.commit().await?;
    Ok(Some(admin.account_id))
}

/// An account's identity.
#[derive(Debug, Clone, FromRow)]
pub struct AccountRow {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
}

/// An account as `roster account list` shows it.
#[derive(Debug, Clone, FromRow)]
pub struct AccountSummary {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub created_at: Micros,
    /// Users not deleted (any status).
    pub users: i64,
}

/// Every account, oldest first, with its number of users (one count per account: an
/// operator's listing, not a request path).
pub async fn list(db: &Db) -> Result<Vec<AccountSummary>, StoreError> {
    let sql = "SELECT a.id, a.name, a.slug, a.created_at, \
         (SELECT count(*) FROM users u WHERE u.account_id = a.id AND u.deleted_at IS NULL) AS users \
         FROM accounts a ORDER BY a.created_at, a.id";
    db.run().fetch_all(Sql::new(sql)).await
}

/// The account with this slug.
pub async fn by_slug(db: &Db, slug: &str) -> Result<Option<AccountRow>, StoreError> {
    db.run().fetch_optional(Sql::new("SELECT id, name, slug FROM accounts WHERE slug = $1").bind(slug)).await
}

/// The oldest account (the one a fresh installation creates).
pub async fn first(db: &Db) -> Result<Option<AccountRow>, StoreError> {
    db.run().fetch_optional(Sql::new("SELECT id, name, slug FROM accounts ORDER BY created_at, id LIMIT 1")).await
}
