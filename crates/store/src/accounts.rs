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
    /// Set up later through a one-time link whose token hashes to `token_hash`; for the
    /// address `email` only, when one is named (`roster account create --admin-email`).
    SetupLink { token_hash: Vec<u8>, expires_at: Micros, email: Option<String> },
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
            FirstAdmin::SetupLink { token_hash, expires_at, email } => {
                sqlx::query(
                    "INSERT INTO setup_tokens (token_hash, account_id, created_at, expires_at, email) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(token_hash)
                .bind(account.id.0)
                .bind(account.created_at)
                .bind(*expires_at)
                .bind(email)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
    });
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
    let token = with_db!(db, pool => {
        sqlx::query_as::<_, SetupToken>(
            "SELECT account_id, email FROM setup_tokens \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(pool)
        .await?
    });
    Ok(token)
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
    let rows = with_db!(db, pool => {
        sqlx::query_as::<_, AccountSummary>(
            "SELECT a.id, a.name, a.slug, a.created_at, \
             (SELECT count(*) FROM users u WHERE u.account_id = a.id AND u.deleted_at IS NULL) AS users \
             FROM accounts a ORDER BY a.created_at, a.id",
        )
        .fetch_all(pool)
        .await?
    });
    Ok(rows)
}

/// The account with this slug.
pub async fn by_slug(db: &Db, slug: &str) -> Result<Option<AccountRow>, StoreError> {
    let row = with_db!(db, pool => {
        sqlx::query_as::<_, AccountRow>("SELECT id, name, slug FROM accounts WHERE slug = $1")
            .bind(slug)
            .fetch_optional(pool)
            .await?
    });
    Ok(row)
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
