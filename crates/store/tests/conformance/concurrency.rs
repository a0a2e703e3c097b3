//! Writers queue behind each other instead of failing.

use crate::fixtures::{account, user};
use std::time::{Duration, Instant};
use store::Db;

/// How long the competing writer keeps its lock.
const HOLD: Duration = Duration::from_millis(200);

/// A users insert that meets another writer's lock waits for it (up to the busy timeout on
/// SQLite) and then succeeds. On SQLite the insert runs on a fresh pool connection, as after
/// a burst of traffic or right after a refused insert: its first use of the FTS table reads
/// inside a deferred transaction, which SQLite then refuses to upgrade to a write without
/// waiting, unless the transaction started with `BEGIN IMMEDIATE`.
async fn a_users_insert_waits_for_another_writer(db: Db) {
    let a = account(&db, "a").await;
    let ann = user(a.id, "ann@x.org", "Ann", "Lee");
    // Let the connections used so far go back to the pool.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let release = match &db {
        Db::Sqlite(pool) => {
            let mut held = Vec::new();
            while pool.num_idle() > 0 {
                held.push(pool.acquire().await.expect("acquire"));
            }
            let mut blocker = pool.acquire().await.expect("acquire");
            sqlx::query("BEGIN IMMEDIATE").execute(&mut *blocker).await.expect("take the write lock");
            tokio::spawn(async move {
                tokio::time::sleep(HOLD).await;
                sqlx::query("ROLLBACK").execute(&mut *blocker).await.expect("release the write lock");
                drop(held);
            })
        }
        Db::Pg(pool) => {
            let mut blocker = pool.acquire().await.expect("acquire");
            sqlx::query("BEGIN").execute(&mut *blocker).await.expect("begin");
            sqlx::query("LOCK TABLE users IN EXCLUSIVE MODE").execute(&mut *blocker).await.expect("lock users");
            tokio::spawn(async move {
                tokio::time::sleep(HOLD).await;
                sqlx::query("ROLLBACK").execute(&mut *blocker).await.expect("release the lock");
            })
        }
    };
    let start = Instant::now();
    let inserted = store::users::insert(&db, std::slice::from_ref(&ann)).await;
    let waited = start.elapsed();
    release.await.expect("release task");
    inserted.unwrap_or_else(|e| panic!("the insert failed after {waited:?} instead of waiting for the lock: {e:?}"));
    assert!(waited >= HOLD / 2, "the insert did not wait for the lock ({waited:?})");
    assert!(store::users::find(&db, a.id, ann.id).await.expect("find").is_some());
}

on_both_backends!(a_users_insert_waits_for_another_writer);
