//! The database handle: one pool of either backend, connected and migrated.

use crate::StoreError;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

/// Which database a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// How many connections a pool holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// Open connections (idle or in use).
    pub size: u32,
    pub idle: u32,
    /// The most it opens.
    pub max: u32,
}

/// A pool on SQLite or PostgreSQL. Cheap to clone.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Pg(PgPool),
}

/// Runs `$body` with `$pool` bound to the concrete pool, compiling the body once per
/// backend so that SQL text is written once. `$dialect` (optional) is bound to the
/// backend's [`crate::dialect::Dialect`].
macro_rules! with_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Pg($pool) => $body,
        }
    };
    ($db:expr, $pool:ident, $dialect:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => {
                let $dialect = $crate::dialect::Dialect::SQLITE;
                $body
            }
            $crate::db::Db::Pg($pool) => {
                let $dialect = $crate::dialect::Dialect::POSTGRES;
                $body
            }
        }
    };
}

/// Starts a write transaction. On SQLite, `BEGIN IMMEDIATE` takes the write lock up front
/// (waiting up to `busy_timeout`), instead of failing with "database is locked" when a
/// deferred transaction's first read must later become a write.
pub(crate) trait BeginWrite {
    type Database: sqlx::Database;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, Self::Database>, sqlx::Error>> + Send;
}

impl BeginWrite for SqlitePool {
    type Database = sqlx::Sqlite;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error>> + Send {
        self.begin_with("BEGIN IMMEDIATE")
    }
}

impl BeginWrite for PgPool {
    type Database = sqlx::Postgres;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error>> + Send {
        self.begin()
    }
}

impl Db {
    /// Connects to `url` (`sqlite://path` or `postgres://…`). SQLite files are created when
    /// missing and run in WAL mode with foreign keys on.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                // Every acquire logs its wait at TRACE (target `sqlx::pool::acquire`), which
                // the metrics layer turns into the pool wait histogram.
                .acquire_time_level(log::LevelFilter::Trace)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            Ok(Self::Pg(pool))
        } else if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .acquire_time_level(log::LevelFilter::Trace)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            // Gathers the planner's statistics for tables that have none or stale ones
            // (cheap: it samples), so plans are chosen by selectivity from the start.
            sqlx::query("PRAGMA optimize=0x10002").execute(&pool).await?;
            Ok(Self::Sqlite(pool))
        } else {
            Err(StoreError::UnsupportedUrl)
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Pg(_) => Backend::Postgres,
        }
    }

    /// Applies every pending migration of this backend, then the data migrations SQL cannot
    /// do (re-keying emails to their canonical form: [`crate::email_keys::rekey`]). The
    /// report lists email collisions left for an admin to resolve (also logged).
    pub async fn migrate(&self) -> Result<crate::email_keys::RekeyReport, StoreError> {
        match self {
            Self::Sqlite(pool) => sqlx::migrate!("./migrations/sqlite").run(pool).await?,
            Self::Pg(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        crate::email_keys::rekey(self).await
    }

    /// The pool's connections now.
    pub fn pool_stats(&self) -> PoolStats {
        with_db!(self, pool => PoolStats {
            size: pool.size(),
            idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
            max: pool.options().get_max_connections(),
        })
    }

    /// A trivial round trip, for readiness checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        with_db!(self, pool => sqlx::query("select 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    pub async fn close(&self) {
        with_db!(self, pool => pool.close().await);
    }
}
