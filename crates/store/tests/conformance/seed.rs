//! Bulk loading: a batch bigger than one INSERT statement, written atomically.

use crate::fixtures::{HOUR, T0, account, list_all, token_hash, user};
use domain::ids::{GroupId, SessionId, WorkspaceId};
use domain::user::UserStatus;
use sqlx::AssertSqlSafe;
use store::seed::Batch;
use store::sessions::NewSession;
use store::users::{UserFilter, UserSort};
use store::{Db, StoreError};

/// More users than one statement takes (1,000), and more group memberships (5,000) and
/// sessions (2,000) than theirs.
const USERS: usize = 2_500;

async fn count(db: &Db, table: &str) -> i64 {
    let sql = format!("SELECT count(*) FROM {table}");
    let n = match db {
        Db::Sqlite(pool) => sqlx::query_scalar(AssertSqlSafe(sql)).fetch_one(pool).await,
        Db::Pg(pool) => sqlx::query_scalar(AssertSqlSafe(sql)).fetch_one(pool).await,
    };
    n.expect("count rows")
}

async fn batch_larger_than_one_statement(db: Db) {
    let a = account(&db, "a").await;
    let second = WorkspaceId::new();
    store::workspaces::create(&db, a.id, second, "Second", T0).await.expect("workspace");
    let groups = [GroupId::new(), GroupId::new(), GroupId::new()];
    for (i, g) in groups.iter().enumerate() {
        store::groups::create(&db, *g, a.workspace, &format!("Group {i}"), T0).await.expect("group");
    }
    let firsts = ["Ann", "Bob", "Cat", "Dan", "Eve"];
    let mut batch = Batch::default();
    for i in 0..USERS {
        let mut u =
            user(a.id, &format!("Seed.User{i:04}@Seed.Example"), firsts[i % firsts.len()], &format!("Number{i}"));
        u.status = if i % 10 == 0 { UserStatus::Invited } else { UserStatus::Active };
        u.created_at = T0 + i as i64;
        u.workspaces = if i % 2 == 0 { vec![a.workspace, second] } else { vec![a.workspace] };
        batch.group_members.extend(groups.iter().map(|g| (*g, u.id)));
        batch.sessions.push(NewSession {
            id: SessionId::new(),
            token_hash: token_hash(),
            user_id: u.id,
            workspace_id: Some(a.workspace),
            csrf_token: format!("csrf{i}"),
            device_type: "desktop".into(),
            browser: "Firefox".into(),
            os: "Linux".into(),
            ip: "192.0.2.1".into(),
            user_agent: "Mozilla/5.0".into(),
            created_at: T0,
            expires_at: T0 + HOUR,
            profile_settings: 0,
        });
        batch.users.push(u);
    }
    store::seed::insert(&db, &batch).await.expect("seed batch");

    assert_eq!(count(&db, "users").await, USERS as i64);
    assert_eq!(count(&db, "memberships").await, (USERS + USERS / 2) as i64);
    assert_eq!(count(&db, "group_members").await, 3 * USERS as i64);
    assert_eq!(count(&db, "sessions").await, USERS as i64);

    let all = list_all(&db, a.id, &UserFilter::default(), UserSort::Created, false).await;
    let expected: Vec<_> = batch.users.iter().map(|u| u.id.0).collect();
    assert_eq!(crate::fixtures::ids(&all), expected);
    let in_second = UserFilter { workspace: Some(second), ..UserFilter::default() };
    assert_eq!(list_all(&db, a.id, &in_second, UserSort::Name, false).await.len(), USERS / 2);
    let in_group = UserFilter { group: Some(groups[2]), status: Some(UserStatus::Invited), ..UserFilter::default() };
    assert_eq!(list_all(&db, a.id, &in_group, UserSort::Email, true).await.len(), USERS / 10);
    // The search index covers users of every statement, the last one included.
    for i in [0, 999, 1000, 2499] {
        let filter = UserFilter { search: Some(format!("user{i:04}@")), ..UserFilter::default() };
        let found = list_all(&db, a.id, &filter, UserSort::Name, false).await;
        assert_eq!(crate::fixtures::ids(&found), [batch.users[i].id.0], "search for user {i}");
    }
    let last = batch.sessions.last().expect("sessions");
    let live = store::sessions::find_live(&db, &last.token_hash, T0).await.expect("find").expect("seeded session");
    assert_eq!(live.user_id, last.user_id.0);
}

async fn batch_is_all_or_nothing(db: Db) {
    let a = account(&db, "a").await;
    let mut batch = Batch::default();
    for i in 0..1_500 {
        batch.users.push(user(a.id, &format!("u{i}@x.org"), "Some", "One"));
    }
    // The last statement's duplicate email undoes the first statement too.
    batch.users.push(user(a.id, "U3@X.ORG", "Dup", "Licate"));
    let err = store::seed::insert(&db, &batch).await.expect_err("duplicate email");
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(count(&db, "users").await, 0);
    assert!(store::seed::insert(&db, &Batch::default()).await.is_ok(), "an empty batch");
}

on_both_backends!(batch_larger_than_one_statement, batch_is_all_or_nothing);
