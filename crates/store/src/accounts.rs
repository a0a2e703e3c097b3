//! Accounts and their bootstrap: the first workspace, the built-in Master Admin role, and
//! either the Primary Master Admin or a one-time setup token.

use crate::db::BeginWrite;
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
    /// Set up later through a one-time link whose token hashes to `token_hash`.
    SetupLink { token_hash: Vec<u8>, expires_at: Micros },
}

/// True when no account exists yet.
pub async fn none_exist(db: &Db) -> Result<bool, StoreError> {
    let n: i64 = with_db!(db, pool => {
        sqlx::query_scalar("SELECT count(*) FROM (SELECT 1 FROM accounts LIMIT 1) t").fetch_one(pool).await?
    });
    Ok(n == 0)
}

/// Creates the account, its first workspace, the Master Admin role and the first admin (or
/// setup token), all in one transaction.
pub async fn create(db: &Db, account: &NewAccount, first_admin: &FirstAdmin) -> Result<(), StoreError> {
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        sqlx::query("INSERT INTO accounts (id, name, slug, created_at) VALUES ($1, $2, $3, $4)")
            .bind(account.id.0)
            .bind(&account.name)
            .bind(&account.slug)
            .bind(account.created_at)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO workspaces (id, account_id, name, created_at) VALUES ($1, $2, $3, $4)")
            .bind(account.workspace_id.0)
            .bind(account.id.0)
            .bind(&account.workspace_name)
            .bind(account.created_at)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO admin_roles (id, account_id, name, kind, all_workspaces, created_at) \
             VALUES ($1, $2, 'Master Admin', 'master', TRUE, $3)",
        )
        .bind(account.master_role_id.0)
        .bind(account.id.0)
        .bind(account.created_at)
        .execute(&mut *tx)
        .await?;
        match first_admin {
            FirstAdmin::Create(user) => {
                crate::users::insert_users!(tx, std::slice::from_ref(&**user));
            }
            FirstAdmin::SetupLink { token_hash, expires_at } => {
                sqlx::query(
                    "INSERT INTO setup_tokens (token_hash, account_id, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(token_hash)
                .bind(account.id.0)
                .bind(account.created_at)
                .bind(*expires_at)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
    });
    Ok(())
}

/// The account a live setup token belongs to, if the token is unused and unexpired.
pub async fn setup_token_account(db: &Db, token_hash: &[u8], now: Micros) -> Result<Option<AccountId>, StoreError> {
    let id: Option<Uuid> = with_db!(db, pool => {
        sqlx::query_scalar(
            "SELECT account_id FROM setup_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(pool)
        .await?
    });
    Ok(id.map(AccountId))
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
    let done = with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let account: Option<Uuid> = sqlx::query_scalar(
            "UPDATE setup_tokens SET used_at = $1 \
             WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING account_id",
        )
        .bind(now)
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?;
        match account {
            Some(account) if account == admin.account_id.0 => {
                crate::users::insert_users!(tx, std::slice::from_ref(admin));
                tx.commit().await?;
                Some(AccountId(account))
            }
            _ => None,
        }
    });
    Ok(done)
}

/// An account's identity.
#[derive(Debug, Clone, FromRow)]
pub struct AccountRow {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
}

/// The oldest account (the one a fresh installation creates).
pub async fn first(db: &Db) -> Result<Option<AccountRow>, StoreError> {
    let row = with_db!(db, pool => {
        sqlx::query_as::<_, AccountRow>("SELECT id, name, slug FROM accounts ORDER BY created_at, id LIMIT 1")
            .fetch_optional(pool)
            .await?
    });
    Ok(row)
}
