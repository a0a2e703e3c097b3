//! The database handle: one pool of either backend, connected and migrated.

use crate::StoreError;
use crate::sql::Sql;
use sqlx::pool::PoolOptions;
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

/// A pool of at most `max` connections that waits up to 10 s for one. Every acquire logs its
/// wait at TRACE (target `sqlx::pool::acquire`), which the metrics layer turns into the pool
/// wait histogram.
fn pool_options<DB: sqlx::Database>(max: u32) -> PoolOptions<DB> {
    PoolOptions::new()
        .max_connections(max)
        .acquire_time_level(log::LevelFilter::Trace)
        .acquire_timeout(Duration::from_secs(10))
}

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

impl Db {
    /// Connects to `url` (`sqlite://path` or `postgres://…`). SQLite files are created when
    /// missing and run in WAL mode with foreign keys on.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::open(url, true).await
    }

    /// Connects to a database that must already exist: a missing SQLite file is an error
    /// (never created). Commands that work on what is there (backup, import) use this so a
    /// wrong data directory or URL fails instead of making an empty database; pair it with
    /// [`Db::is_roster`] to refuse a database without Roster's schema (an empty PostgreSQL one).
    pub async fn connect_existing(url: &str) -> Result<Self, StoreError> {
        Self::open(url, false).await
    }

    async fn open(url: &str, create: bool) -> Result<Self, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)?;
            Ok(Self::Pg(pool_options(16).connect_with(opts).await?))
        } else if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(create)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let pool = pool_options(8).connect_with(opts).await?;
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
    /// do (re-keying emails to their canonical form: [`crate::email_keys::rekey`]; folding
    /// name keys by Unicode's case rules: [`crate::name_keys::refold`]). The report lists
    /// email collisions left for an admin to resolve (also logged).
    pub async fn migrate(&self) -> Result<crate::email_keys::RekeyReport, StoreError> {
        match self {
            Self::Sqlite(pool) => sqlx::migrate!("./migrations/sqlite").run(pool).await?,
            Self::Pg(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        crate::name_keys::refold(self).await?;
        crate::email_keys::rekey(self).await
    }

    /// Whether this database holds Roster's schema (at least one applied migration).
    pub async fn is_roster(&self) -> Result<bool, StoreError> {
        let sql = if self.dialect().is_sqlite() {
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
        } else {
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = '_sqlx_migrations'"
        };
        let tables: Option<i64> = self.run().fetch_scalar(Sql::new(sql)).await?;
        if tables.unwrap_or(0) == 0 {
            return Ok(false);
        }
        let applied: Option<i64> =
            self.run().fetch_scalar(Sql::new("SELECT count(*) FROM _sqlx_migrations WHERE success")).await?;
        Ok(applied.unwrap_or(0) > 0)
    }

    /// The pool's connections now.
    pub fn pool_stats(&self) -> PoolStats {
        let (size, idle, max) = match self {
            Self::Sqlite(p) => (p.size(), p.num_idle(), p.options().get_max_connections()),
            Self::Pg(p) => (p.size(), p.num_idle(), p.options().get_max_connections()),
        };
        PoolStats { size, idle: u32::try_from(idle).unwrap_or(u32::MAX), max }
    }

    /// A trivial round trip, for readiness checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.run().execute(Sql::new("select 1")).await?;
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Self::Sqlite(p) => p.close().await,
            Self::Pg(p) => p.close().await,
        }
    }
}
