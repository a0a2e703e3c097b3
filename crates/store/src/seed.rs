//! Bulk loading for generated data: users with their memberships, group memberships and
//! sessions. [`insert`] writes one batch in its own transaction (the small `serve --demo`
//! sample); [`BulkLoad`] writes any number of batches in one transaction and builds the
//! users' secondary indexes once at the end (`roster demo --users N`).

use crate::sessions::NewSession;
use crate::sql::{Sql, Tx};
use crate::users::NewUser;
use crate::{Db, Micros, StoreError};
use domain::ids::{GroupId, UserId};

/// One batch of generated rows, written atomically.
#[derive(Debug, Default)]
pub struct Batch {
    pub users: Vec<NewUser>,
    pub group_members: Vec<(GroupId, UserId)>,
    pub sessions: Vec<NewSession>,
    /// The lockouts of the batch's Locked users, as real sign-in failures would have left them.
    pub locks: Vec<GeneratedLock>,
}

/// A generated user's lockout: the failed sign-ins that locked them (the last one locks)
/// and when the lock lifts by itself (`None`: only an admin unlocks).
#[derive(Debug, Clone)]
pub struct GeneratedLock {
    pub user: UserId,
    /// When (UTC µs) and from which address each failed sign-in came, oldest first.
    pub failures: Vec<(Micros, String)>,
    pub lock_until: Option<Micros>,
}

/// Rows of failed sign-ins one statement inserts (4 parameters each, under SQLite's 32,766).
const FAILURES_PER_STATEMENT: usize = 1_000;

/// Writes the lockouts: the failures, then each user's counter, lock time and lift time.
async fn lock_in(tx: &mut Tx, locks: &[GeneratedLock]) -> Result<(), StoreError> {
    let failures: Vec<(UserId, Micros, &str)> =
        locks.iter().flat_map(|l| l.failures.iter().map(|(at, ip)| (l.user, *at, ip.as_str()))).collect();
    for chunk in failures.chunks(FAILURES_PER_STATEMENT) {
        let mut sql = Sql::new("INSERT INTO login_failures (id, user_id, at, ip) ");
        sql.push_values(chunk, |row, (user, at, ip)| {
            row.bind(uuid::Uuid::now_v7()).bind(user.0).bind(*at).bind(*ip);
        });
        tx.run().execute(sql).await?;
    }
    for l in locks {
        let locked_at = l.failures.iter().map(|(at, _)| *at).max();
        let failed = i32::try_from(l.failures.len()).unwrap_or(i32::MAX);
        let sql = Sql::new("UPDATE users SET failed_logins = $1, locked_at = $2, lock_until = $3 WHERE id = $4")
            .bind(failed)
            .bind(locked_at)
            .bind(l.lock_until)
            .bind(l.user.0);
        tx.run().execute(sql).await?;
    }
    Ok(())
}

/// Writes `batch` within the open transaction `tx`.
async fn insert_in(tx: &mut Tx, batch: &Batch) -> Result<(), StoreError> {
    crate::users::insert_in(tx, &batch.users).await?;
    crate::groups::add_members_in(tx, &batch.group_members).await?;
    for chunk in batch.sessions.chunks(crate::sessions::SESSIONS_PER_STATEMENT) {
        tx.run().execute(crate::sessions::insert_sql(chunk)).await?;
    }
    lock_in(tx, &batch.locks).await
}

/// Writes `batch` in one transaction.
pub async fn insert(db: &Db, batch: &Batch) -> Result<(), StoreError> {
    db.write(async |tx| insert_in(tx, batch).await).await
}

/// A bulk load: every batch in one write transaction, so an interrupted load leaves nothing
/// behind (dropping a `BulkLoad` without [`BulkLoad::finish`] rolls the transaction back).
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
    db: Db,
    tx: Tx,
    /// What `finish` executes, in order, before committing.
    rebuild: Vec<String>,
}

/// SQLite settings of the loading connection while it loads (`finish` puts back what the
/// connection had; journaling and syncing are untouched): a 64 MiB page cache instead of
/// 2 MiB, so the sessions' random token index stays in memory, and two helper threads for
/// the sorting behind each index build. (A bigger cache or in-memory temporary storage only
/// costs memory: neither made 1M users faster.)
const SQLITE_LOAD_SETTINGS: &[(&str, i64)] = &[("cache_size", -65536), ("threads", 2)];

/// The users' indexes and triggers that rows are inserted into one by one: everything
/// SQLite stored SQL for (the automatic indexes of `PRIMARY KEY`/`UNIQUE` have none).
const SQLITE_USER_OBJECTS: &str = "SELECT type, name, sql FROM sqlite_master \
     WHERE tbl_name = 'users' AND type IN ('index', 'trigger') AND sql IS NOT NULL \
     ORDER BY type = 'trigger', name";

/// Rebuilds the external-content FTS table from `users` after the load.
const SQLITE_FTS_REBUILD: &str = "INSERT INTO users_fts(users_fts) VALUES ('rebuild')";

/// PostgreSQL: a bigger sort budget for this transaction's index builds.
const PG_LOAD_SETTING: &str = "SET LOCAL maintenance_work_mem = '256MB'";

/// Gathers the planner's statistics after the load. PostgreSQL plans from statistics that
/// autovacuum gathers only some time after a load; until then it takes the million new rows
/// for an empty table (measured: owner suggestions 1.5 s instead of 1 ms), and gathering them
/// at once costs about a second. SQLite chooses between the users' indexes (a role's few
/// holders, or the sort order) from the statistics ANALYZE gathers (sqlite_stat1 and
/// sqlite_stat4); without them it guesses.
const AFTER_COMMIT: &str = "ANALYZE";

/// The users' indexes that back no constraint (the primary key stays).
const PG_USER_OBJECTS: &str = "SELECT 'index', indexname, indexdef FROM pg_indexes \
     WHERE schemaname = current_schema() AND tablename = 'users' \
     AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'users'::regclass) \
     ORDER BY indexname";

impl BulkLoad {
    /// Starts a bulk load in a write transaction of `db`.
    pub async fn begin(db: &Db) -> Result<Self, StoreError> {
        let mut tx = db.begin_write().await?;
        let mut rebuild = Vec::new();
        let objects_sql = if tx.dialect().is_sqlite() {
            for (pragma, value) in SQLITE_LOAD_SETTINGS {
                let had: Option<i64> = tx.run().fetch_scalar(Sql::new(format!("PRAGMA {pragma}"))).await?;
                tx.run().execute(Sql::new(format!("PRAGMA {pragma} = {value}"))).await?;
                // Put back last, after the indexes are built.
                rebuild.push(format!("PRAGMA {pragma} = {}", had.unwrap_or(0)));
            }
            SQLITE_USER_OBJECTS
        } else {
            tx.run().execute(Sql::new(PG_LOAD_SETTING)).await?;
            PG_USER_OBJECTS
        };
        let restore = std::mem::take(&mut rebuild);
        let objects: Vec<(String, String, String)> = tx.run().fetch_all(Sql::new(objects_sql)).await?;
        let mut triggers = Vec::new();
        for (kind, name, sql) in objects {
            let drop = format!("DROP {} \"{}\"", kind.to_uppercase(), name.replace('"', "\"\""));
            tx.run().execute(Sql::new(drop)).await?;
            if kind == "trigger" { triggers.push(sql) } else { rebuild.push(sql) }
        }
        if tx.dialect().is_sqlite() {
            rebuild.push(SQLITE_FTS_REBUILD.to_owned());
        }
        rebuild.extend(triggers);
        rebuild.extend(restore);
        Ok(Self { db: db.clone(), tx, rebuild })
    }

    /// Writes `batch` into the load's transaction.
    pub async fn insert(&mut self, batch: &Batch) -> Result<(), StoreError> {
        insert_in(&mut self.tx, batch).await
    }

    /// Builds the dropped indexes (and SQLite's search index) and commits everything.
    pub async fn finish(mut self) -> Result<(), StoreError> {
        for sql in self.rebuild.drain(..) {
            self.tx.run().execute(Sql::new(sql)).await?;
        }
        // Analysed on the load's own connection, so the statistics commit with the rows (a
        // pool connection's planner did not pick them up from an ANALYZE run elsewhere after
        // the commit: plans::hot_statements_use_their_indexes), and once more on the pool.
        self.tx.run().execute(Sql::new(AFTER_COMMIT)).await?;
        self.tx.commit().await?;
        self.db.run().execute(Sql::new(AFTER_COMMIT)).await?;
        Ok(())
    }
}
