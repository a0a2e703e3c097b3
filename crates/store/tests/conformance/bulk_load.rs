//! `seed::BulkLoad`: many batches in one transaction with the users' indexes and triggers
//! dropped meanwhile and rebuilt at the end, leaving exactly the migrated schema.

use crate::fixtures::{T0, account, ids, list_all, user};
use domain::user::UserStatus;
use store::seed::{Batch, BulkLoad};
use store::users::{UserFilter, UserSort};
use store::{Db, StoreError};

/// The users table's indexes and triggers, with their SQL, in a stable order.
async fn user_schema(db: &Db) -> Vec<(String, String)> {
    let rows = match db {
        Db::Sqlite(pool) => {
            sqlx::query_as(
                "SELECT name, sql FROM sqlite_master WHERE tbl_name IN ('users', 'users_fts') \
                 AND sql IS NOT NULL ORDER BY name",
            )
            .fetch_all(pool)
            .await
        }
        Db::Pg(pool) => {
            sqlx::query_as(
                "SELECT indexname::text, indexdef FROM pg_indexes \
                 WHERE schemaname = current_schema() AND tablename = 'users' ORDER BY indexname",
            )
            .fetch_all(pool)
            .await
        }
    };
    rows.expect("read the schema")
}

fn batch(account: domain::ids::AccountId, from: usize, to: usize) -> Batch {
    let mut batch = Batch::default();
    for i in from..to {
        let mut u = user(account, &format!("Bulk{i:05}@Load.Example"), "Bulk", &format!("Loaded{i}"));
        u.status = if i % 4 == 0 { UserStatus::Suspended } else { UserStatus::Active };
        u.created_at = T0 + i as i64;
        batch.users.push(u);
    }
    batch
}

async fn bulk_load_rebuilds_the_schema_it_dropped(db: Db) {
    let a = account(&db, "a").await;
    let schema = user_schema(&db).await;
    assert!(schema.len() >= 9, "the users' indexes: {schema:?}");

    let mut load = BulkLoad::begin(&db).await.expect("begin");
    let batches = [batch(a.id, 0, 1_200), batch(a.id, 1_200, 2_500)];
    for b in &batches {
        load.insert(b).await.expect("insert batch");
    }
    load.finish().await.expect("finish");

    assert_eq!(user_schema(&db).await, schema, "the same indexes and triggers as migrated");
    let all = list_all(&db, a.id, &UserFilter::default(), UserSort::Created, false).await;
    let expected: Vec<_> = batches.iter().flat_map(|b| b.users.iter().map(|u| u.id.0)).collect();
    assert_eq!(ids(&all), expected);
    let suspended = UserFilter { status: Some(UserStatus::Suspended), ..UserFilter::default() };
    assert_eq!(list_all(&db, a.id, &suspended, UserSort::Name, true).await.len(), 2_500 / 4);
    for i in [0, 1_199, 1_200, 2_499] {
        let filter = UserFilter { search: Some(format!("bulk{i:05}@")), ..UserFilter::default() };
        let found = list_all(&db, a.id, &filter, UserSort::Email, false).await;
        assert_eq!(found.len(), 1, "search for user {i} after the rebuild");
    }
    // The rebuilt unique index refuses duplicates again, and later inserts are searchable.
    let err = store::users::insert(&db, &[user(a.id, "BULK00007@load.example", "Dup", "Licate")])
        .await
        .expect_err("duplicate");
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    let late = user(a.id, "late@x.org", "Late", "Comer");
    store::users::insert(&db, std::slice::from_ref(&late)).await.expect("insert after the load");
    let filter = UserFilter { search: Some("comer".into()), ..UserFilter::default() };
    assert_eq!(ids(&list_all(&db, a.id, &filter, UserSort::Name, false).await), [late.id.0]);
}

async fn an_unfinished_bulk_load_leaves_nothing(db: Db) {
    let a = account(&db, "a").await;
    let schema = user_schema(&db).await;
    let mut load = BulkLoad::begin(&db).await.expect("begin");
    load.insert(&batch(a.id, 0, 1_500)).await.expect("insert batch");
    drop(load);
    // The dropped connection's rollback may take a moment to reach the server.
    let mut users = Vec::new();
    for _ in 0..50 {
        users = list_all(&db, a.id, &UserFilter::default(), UserSort::Name, false).await;
        if users.is_empty() && user_schema(&db).await == schema {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(users.is_empty(), "{} users left behind", users.len());
    assert_eq!(user_schema(&db).await, schema, "the indexes and triggers are back");
    store::users::insert(&db, &[user(a.id, "after@x.org", "After", "Wards")]).await.expect("insert afterwards");
}

on_both_backends!(bulk_load_rebuilds_the_schema_it_dropped, an_unfinished_bulk_load_leaves_nothing);
