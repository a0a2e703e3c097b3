//! Bulk loading for generated data: users with their memberships, group memberships and
//! sessions. [`insert`] writes one batch in its own transaction (the small `serve --demo`
//! sample); [`BulkLoad`] writes any number of batches in one transaction and builds the
//! users' secondary indexes once at the end (`roster demo --users N`).

use crate::db::BeginWrite;
use crate::sessions::NewSession;
use crate::users::NewUser;
use crate::{Db, StoreError};
use domain::ids::{GroupId, UserId};
use sqlx::pool::PoolConnection;
use sqlx::{AssertSqlSafe, Connection, PgConnection, QueryBuilder, SqliteConnection};

/// One batch of generated rows, written atomically.
#[derive(Debug, Default)]
pub struct Batch {
    pub users: Vec<NewUser>,
    pub group_members: Vec<(GroupId, UserId)>,
    pub sessions: Vec<NewSession>,
}

/// Writes `$batch` with `$conn` (a `&mut` connection inside an open transaction).
macro_rules! insert_batch {
    ($conn:expr, $batch:expr) => {{
        let conn = $conn;
        let batch: &Batch = $batch;
        for chunk in batch.users.chunks(crate::users::USERS_PER_STATEMENT) {
            crate::users::insert_users!(conn, chunk);
        }
        for chunk in batch.group_members.chunks(5000) {
            let mut qb = QueryBuilder::new("INSERT INTO group_members (group_id, user_id) ");
            qb.push_values(chunk, |mut row, (g, u)| {
                row.push_bind(g.0).push_bind(u.0);
            });
            qb.build().execute(&mut *conn).await?;
        }
        for chunk in batch.sessions.chunks(2000) {
            let mut qb = QueryBuilder::new(
                "INSERT INTO sessions (id, token_hash, user_id, workspace_id, csrf_token, device_type, \
                 browser, os, ip, user_agent, created_at, last_activity_at, expires_at, profile_settings) ",
            );
            qb.push_values(chunk, |mut row, s| {
                row.push_bind(s.id.0)
                    .push_bind(s.token_hash.clone())
                    .push_bind(s.user_id.0)
                    .push_bind(s.workspace_id.map(|w| w.0))
                    .push_bind(s.csrf_token.clone())
                    .push_bind(s.device_type.clone())
                    .push_bind(s.browser.clone())
                    .push_bind(s.os.clone())
                    .push_bind(s.ip.clone())
                    .push_bind(s.user_agent.clone())
                    .push_bind(s.created_at)
                    .push_bind(s.created_at)
                    .push_bind(s.expires_at)
                    .push_bind(s.profile_settings);
            });
            qb.build().execute(&mut *conn).await?;
        }
    }};
}

/// Writes `batch` in one transaction.
pub async fn insert(db: &Db, batch: &Batch) -> Result<(), StoreError> {
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        insert_batch!(&mut *tx, batch);
        tx.commit().await?;
    });
    Ok(())
}

/// A bulk load: every batch in one transaction on a connection of its own, taken out of
/// the pool, so an interrupted load leaves nothing behind (dropping a `BulkLoad` without
/// [`BulkLoad::finish`] closes the connection, which rolls the transaction back).
///
/// Inserting rows one at a time into the users' ~9 secondary indexes and the search index
/// means random writes all over them; building each once from sorted rows is an order of
/// magnitude faster. So `begin` drops those indexes and the users' triggers (which keep
/// the SQLite FTS table in step) inside the transaction, and `finish` recreates them from
/// the SQL the database itself stored for them, rebuilds the FTS table, and commits. The
/// schema afterwards is exactly the migrated one. Meanwhile the table is locked against
/// other writers (SQLite: the write lock; PostgreSQL: `DROP INDEX` takes an exclusive
/// lock), which is what a load into an empty database wants anyway.
pub struct BulkLoad {
    conn: LoadConn,
    /// What `finish` executes, in order, before committing.
    rebuild: Vec<String>,
    /// What `finish` executes after committing.
    after_commit: Option<&'static str>,
}

enum LoadConn {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

/// Runs `$body` with `$conn` bound to the load's connection, once per backend.
macro_rules! with_conn {
    ($load:expr, $conn:pat => $body:expr) => {
        match $load {
            LoadConn::Sqlite($conn) => $body,
            LoadConn::Pg($conn) => $body,
        }
    };
}

/// SQLite settings of the loading connection only (the pool's connections keep theirs;
/// journaling and syncing are untouched): a 64 MiB page cache instead of 2 MiB, so the
/// sessions' random token index stays in memory, and two helper threads for the sorting
/// behind each index build. (A bigger cache or in-memory temporary storage only costs
/// memory: neither made 1M users faster.)
const SQLITE_LOAD_SETTINGS: &[&str] = &["PRAGMA cache_size = -65536", "PRAGMA threads = 2"];

/// The users' indexes and triggers that rows are inserted into one by one: everything
/// SQLite stored SQL for (the automatic indexes of `PRIMARY KEY`/`UNIQUE` have none).
const SQLITE_USER_OBJECTS: &str = "SELECT type, name, sql FROM sqlite_master \
     WHERE tbl_name = 'users' AND type IN ('index', 'trigger') AND sql IS NOT NULL \
     ORDER BY type = 'trigger', name";

/// Rebuilds the external-content FTS table from `users` after the load.
const SQLITE_FTS_REBUILD: &str = "INSERT INTO users_fts(users_fts) VALUES ('rebuild')";

/// PostgreSQL: a bigger sort budget for this transaction's index builds.
const PG_LOAD_SETTINGS: &[&str] = &["SET LOCAL maintenance_work_mem = '256MB'"];

/// PostgreSQL plans from statistics that autovacuum gathers only some time after a load;
/// until then it takes the million new rows for an empty table (measured: owner suggestions
/// 1.5 s instead of 1 ms). Gathering them at once costs about a second.
const PG_AFTER_COMMIT: &str = "ANALYZE";

/// SQLite chooses between the users' indexes (a role's few holders, or the sort order) from
/// the statistics ANALYZE gathers (sqlite_stat1 and sqlite_stat4); without them it guesses.
const SQLITE_AFTER_COMMIT: &str = "ANALYZE";

/// The users' indexes that back no constraint (the primary key stays).
const PG_USER_OBJECTS: &str = "SELECT 'index', indexname, indexdef FROM pg_indexes \
     WHERE schemaname = current_schema() AND tablename = 'users' \
     AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'users'::regclass) \
     ORDER BY indexname";

impl BulkLoad {
    /// Starts a bulk load on a connection of `db`'s pool.
    pub async fn begin(db: &Db) -> Result<Self, StoreError> {
        let (conn, settings, objects_sql, after) = match db {
            Db::Sqlite(pool) => {
                let mut conn = pool.acquire().await.map(PoolConnection::detach)?;
                for pragma in SQLITE_LOAD_SETTINGS {
                    sqlx::query(*pragma).execute(&mut conn).await?;
                }
                sqlx::query("BEGIN IMMEDIATE").execute(&mut conn).await?;
                (LoadConn::Sqlite(conn), &[][..], SQLITE_USER_OBJECTS, Some(SQLITE_FTS_REBUILD))
            }
            Db::Pg(pool) => {
                let mut conn = pool.acquire().await.map(PoolConnection::detach)?;
                sqlx::query("BEGIN").execute(&mut conn).await?;
                (LoadConn::Pg(conn), PG_LOAD_SETTINGS, PG_USER_OBJECTS, None)
            }
        };
        let after_commit = Some(if matches!(conn, LoadConn::Pg(_)) { PG_AFTER_COMMIT } else { SQLITE_AFTER_COMMIT });
        let mut load = Self { conn, rebuild: Vec::new(), after_commit };
        let mut triggers = Vec::new();
        with_conn!(&mut load.conn, conn => {
            for setting in settings {
                sqlx::query(*setting).execute(&mut *conn).await?;
            }
            let objects: Vec<(String, String, String)> = sqlx::query_as(objects_sql).fetch_all(&mut *conn).await?;
            for (kind, name, sql) in objects {
                let drop = format!("DROP {} \"{}\"", kind.to_uppercase(), name.replace('"', "\"\""));
                sqlx::query(AssertSqlSafe(drop)).execute(&mut *conn).await?;
                if kind == "trigger" {
                    triggers.push(sql);
                } else {
                    load.rebuild.push(sql);
                }
            }
        });
        load.rebuild.extend(after.map(str::to_owned));
        load.rebuild.extend(triggers);
        Ok(load)
    }

    /// Writes `batch` into the load's transaction.
    pub async fn insert(&mut self, batch: &Batch) -> Result<(), StoreError> {
        with_conn!(&mut self.conn, conn => {
            insert_batch!(&mut *conn, batch);
        });
        Ok(())
    }

    /// Builds the dropped indexes (and SQLite's search index) and commits everything.
    pub async fn finish(mut self) -> Result<(), StoreError> {
        let after_commit = self.after_commit;
        with_conn!(self.conn, mut conn => {
            for sql in self.rebuild.drain(..) {
                sqlx::query(AssertSqlSafe(sql)).execute(&mut conn).await?;
            }
            sqlx::query("COMMIT").execute(&mut conn).await?;
            if let Some(sql) = after_commit {
                sqlx::query(sql).execute(&mut conn).await?;
            }
            conn.close().await?;
        });
        Ok(())
    }
}
