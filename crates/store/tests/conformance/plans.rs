//! The hot statements' query plans, checked with `EXPLAIN` on a table big enough (20,000
//! users) and freshly analysed, so the planners choose as they do in production: each
//! uses its index, none reads the users table from end to end. A regression fails here,
//! without any timing.

use crate::fixtures::{T0, TestAccount, account, token_hash, user};
use domain::ids::{GroupId, SessionId, WorkspaceId};
use domain::user::{BuilderAccess, UserStatus};
use store::scim::users::{ScimPage, ScimSort, SortKey, Start};
use store::seed::{Batch, BulkLoad};
use store::sessions::NewSession;
use store::users::{PageRequest, RoleFilter, UserFilter, UserSort};
use store::{Backend, Db};

const USERS: usize = 20_000;
/// The count's cap in these plans: well below the account's size, as in production (10,000
/// of a million).
const COUNT_CAP: u32 = 1_000;

/// An account of [`USERS`] users in every status, two holding the Master Admin role, half in
/// one group, a session for every tenth; returns it with the group and a live session's token hash.
async fn big_account(db: &Db) -> (TestAccount, GroupId, Vec<u8>) {
    let a = account(db, "plans").await;
    let group = GroupId::new();
    store::groups::create(db, group, a.workspace, "Everyone", T0).await.expect("create group");
    let mut batch = Batch::default();
    let mut live_token = Vec::new();
    for i in 0..USERS {
        let mut u = user(a.id, &format!("person.{i}@example.com"), &format!("First{}", i % 977), &format!("Last{i}"));
        u.status =
            [UserStatus::Active, UserStatus::Active, UserStatus::Active, UserStatus::Invited, UserStatus::Locked]
                [i % 5];
        u.created_at = T0 + i as i64;
        u.last_login_at = Some(T0 + (i as i64 * 7919) % 1_000_000);
        u.workspaces = vec![a.workspace];
        if i < 2 {
            u.admin_role_id = Some(a.master_role);
        }
        if i % 2 == 0 {
            batch.group_members.push((group, u.id));
        }
        if i % 10 == 0 {
            let token = token_hash();
            if live_token.is_empty() {
                live_token.clone_from(&token);
            }
            batch.sessions.push(session(a.workspace, u.id, token));
        }
        batch.users.push(u);
    }
    let mut load = BulkLoad::begin(db).await.expect("begin load");
    load.insert(&batch).await.expect("load");
    load.finish().await.expect("finish load (and analyse)");
    (a, group, live_token)
}

fn session(workspace: WorkspaceId, user: domain::ids::UserId, token_hash: Vec<u8>) -> NewSession {
    NewSession {
        id: SessionId::new(),
        token_hash,
        user_id: user,
        workspace_id: Some(workspace),
        csrf_token: "csrf".into(),
        device_type: "Desktop".into(),
        browser: "Firefox".into(),
        os: "Linux".into(),
        ip: "192.0.2.1".into(),
        user_agent: "Mozilla/5.0".into(),
        created_at: T0,
        expires_at: T0 + 3_600_000_000,
        profile_settings: 0,
    }
}

/// Fails when `plan` reads the users table from end to end.
fn assert_no_users_scan(db: &Db, what: &str, plan: &str) {
    let scans = match db.backend() {
        // A bare "SCAN u" (no index) reads every row; "SCAN u USING INDEX" walks an index in
        // the order asked for and stops at the page's end.
        Backend::Sqlite => plan.lines().any(|l| {
            let l = l.trim();
            (l == "SCAN u" || l == "SCAN users") || (l.starts_with("SCAN u ") && !l.contains("USING"))
        }),
        Backend::Postgres => plan.contains("Seq Scan on users"),
    };
    assert!(!scans, "{what} scans the users table:\n{plan}");
}

/// Fails when `plan` reads a membership table (workspace or group members) from end to end
/// for each user: each user's membership is a lookup of its primary key. (SQLite turned the
/// filters' `EXISTS` into such a join; PostgreSQL's semi-joins are left to its planner.)
fn assert_no_membership_scan(db: &Db, what: &str, plan: &str) {
    if db.backend() == Backend::Sqlite {
        let scans = plan.lines().any(|l| {
            let l = l.trim();
            ["SCAN m", "SCAN gm", "SCAN ms"].iter().any(|s| l == *s || l.starts_with(&format!("{s} ")))
        });
        assert!(!scans, "{what} scans a membership table for each user:\n{plan}");
    }
}

fn assert_uses(what: &str, plan: &str, index: &str) {
    assert!(plan.contains(index), "{what} does not use {index}:\n{plan}");
}

async fn hot_statements_use_their_indexes(db: Db) {
    let (a, group, live_token) = big_account(&db).await;

    let plan = store::users::explain_find_for_login(&db, "person.77@example.com").await.expect("explain");
    assert_no_users_scan(&db, "sign-in lookup", &plan);
    // users_by_email (account_id, email_key, id) and users_by_email_key both serve it.
    assert_uses("sign-in lookup", &plan, "users_by_email");

    let plan = store::sessions::explain_find_live(&db, &live_token, T0).await.expect("explain");
    assert_no_users_scan(&db, "session check", &plan);
    assert!(!plan.contains("Seq Scan on sessions") && !plan.lines().any(|l| l.trim() == "SCAN s"), "{plan}");

    let page = |sort, descending| PageRequest { sort, descending, from: None, limit: 25 };
    for sort in UserSort::ALL {
        for descending in [false, true] {
            let plan = store::users::explain_list(&db, a.id, &UserFilter::default(), &page(sort, descending))
                .await
                .expect("explain");
            assert_no_users_scan(&db, &format!("list by {sort:?}"), &plan);
        }
    }
    let filters = [
        ("status", UserFilter { status: Some(UserStatus::Locked), ..UserFilter::default() }),
        ("member role", UserFilter { role: Some(RoleFilter::Member), ..UserFilter::default() }),
        ("workspace", UserFilter { workspace: Some(a.workspace), ..UserFilter::default() }),
        ("group", UserFilter { group: Some(group), ..UserFilter::default() }),
        ("scope", UserFilter { within: Some(vec![a.workspace]), ..UserFilter::default() }),
        ("rare infix", UserFilter { search: Some("t1234".into()), ..UserFilter::default() }),
        ("absent term", UserFilter { search: Some("qqxj".into()), ..UserFilter::default() }),
        // A short term is matched from the key indexes.
        ("short rare term", UserFilter { search: Some("zz".into()), ..UserFilter::default() }),
        (
            "term and status",
            UserFilter { search: Some("person.1".into()), status: Some(UserStatus::Invited), ..UserFilter::default() },
        ),
    ];
    for (what, filter) in &filters {
        for sort in UserSort::ALL {
            let plan = store::users::explain_list(&db, a.id, filter, &page(sort, false)).await.expect("explain");
            assert_no_users_scan(&db, &format!("{what} filter by {sort:?}"), &plan);
            assert_no_membership_scan(&db, &format!("{what} filter by {sort:?}"), &plan);
        }
    }
    // The list's count stops at its cap, in no order: a filter most users meet may be counted
    // by reading the table until cap + 1 match (bounded by the cap, and the planner's choice
    // by its statistics), but a filter few users meet reads its matches from its own index,
    // never the whole table.
    let rare = ["rare infix", "absent term", "short rare term"];
    for (what, filter) in filters.iter().filter(|(what, _)| rare.contains(what)) {
        let plan = store::users::explain_count(&db, a.id, filter, COUNT_CAP).await.expect("explain");
        assert_no_users_scan(&db, &format!("count of {what}"), &plan);
        assert_no_membership_scan(&db, &format!("count of {what}"), &plan);
    }
    for role in [RoleFilter::MasterAdmin, RoleFilter::PrimaryMasterAdmin] {
        let filter = UserFilter { role: Some(role), ..UserFilter::default() };
        let plan = store::users::explain_count(&db, a.id, &filter, COUNT_CAP).await.expect("explain");
        assert_no_users_scan(&db, &format!("count of {role:?}"), &plan);
    }
    // The filters on the user's own columns, and none, are counted from an index alone
    // (SQLite; PostgreSQL's index-only scans depend on its visibility map).
    if db.backend() == Backend::Sqlite {
        let own = [
            ("no filter", UserFilter::default()),
            ("status", UserFilter { status: Some(UserStatus::Locked), ..UserFilter::default() }),
            ("member role", UserFilter { role: Some(RoleFilter::Member), ..UserFilter::default() }),
            ("builder access", UserFilter { builder_access: Some(BuilderAccess::None), ..UserFilter::default() }),
        ];
        for (what, filter) in &own {
            let plan = store::users::explain_count(&db, a.id, filter, COUNT_CAP).await.expect("explain");
            assert!(plan.contains("COVERING INDEX"), "the count of {what} reads table rows:\n{plan}");
        }
    }
    // A page of search matches is sorted from the matches, never found by walking the sort's
    // index (matches cluster in that order: the walk read a third of a million users first).
    for term in ["t1234", "zz"] {
        let filter = UserFilter { search: Some(term.into()), ..UserFilter::default() };
        for sort in UserSort::ALL {
            let plan = store::users::explain_list(&db, a.id, &filter, &page(sort, false)).await.expect("explain");
            assert!(
                plan.contains("TEMP B-TREE FOR ORDER BY") || plan.contains("Sort"),
                "{term:?} by {sort:?}:\n{plan}"
            );
        }
    }
    // A short term few users match is collected from the key indexes (a range scan of
    // each), never from a walk over everyone checking each name.
    let short = UserFilter { search: Some("zz".into()), ..UserFilter::default() };
    let key_index = if db.backend() == Backend::Sqlite { "users_by_first_key" } else { "users_first_prefix" };
    for sort in UserSort::ALL {
        let plan = store::users::explain_list(&db, a.id, &short, &page(sort, false)).await.expect("explain");
        assert_uses(&format!("short rare term by {sort:?}"), &plan, key_index);
    }
    // Roles few or no users hold: their holders come from the role index, never from a walk
    // over everyone.
    for role in [RoleFilter::MasterAdmin, RoleFilter::Custom(domain::ids::AdminRoleId::new())] {
        for sort in UserSort::ALL {
            let filter = UserFilter { role: Some(role), ..UserFilter::default() };
            let plan = store::users::explain_list(&db, a.id, &filter, &page(sort, false)).await.expect("explain");
            assert_no_users_scan(&db, &format!("{role:?} by {sort:?}"), &plan);
            assert_uses(&format!("{role:?} by {sort:?}"), &plan, "users_by_role");
        }
    }
    // The Primary Master Admin by its one row (SQLite preferred `users_live`, walking all).
    for sort in UserSort::ALL {
        let filter = UserFilter { role: Some(RoleFilter::PrimaryMasterAdmin), ..UserFilter::default() };
        let plan = store::users::explain_list(&db, a.id, &filter, &page(sort, false)).await.expect("explain");
        assert_no_users_scan(&db, &format!("the Primary Master Admin by {sort:?}"), &plan);
        assert!(!plan.contains("users_live"), "the Primary Master Admin by {sort:?} walks every user:\n{plan}");
    }
    // SCIM's lookups (issue 16), as a page of the default order (creation) and of
    // `sortBy=userName`: userName by the canonical-email indexes, externalId by its own,
    // meta.lastModified by (account_id, updated_at, id), the names by their keys.
    for (f, indexes) in [
        ("userName eq \"Person.77@Example.com\"", &["users_account_email", "users_by_email"][..]),
        ("emails[value eq \"person.77@example.com\"]", &["users_account_email", "users_by_email"][..]),
        ("externalId eq \"00u77\"", &["users_by_external_id"][..]),
        ("meta.lastModified gt \"2100-01-01T00:00:00Z\"", &["users_by_updated"][..]),
        // Names by their folded keys: eq, and sw as a range of keys.
        // (PostgreSQL may use the code-point twins of the short-term search for these.)
        ("name.familyName eq \"LAST77\"", &["users_by_last_key", "users_last_prefix"][..]),
        ("name.familyName sw \"Last1234\"", &["users_by_last_key", "users_last_prefix"][..]),
        ("name.givenName eq \"first7\"", &["users_by_first_key", "users_first_prefix"][..]),
    ] {
        let parsed = domain::scim::filter::parse(f).expect("filter");
        for sort in [ScimSort::Created, ScimSort::UserName] {
            let page = ScimPage { sort, descending: false, start: Start::default(), count: 100 };
            let plan = store::scim::users::explain(&db, a.id, Some(&parsed), &page).await.expect("explain");
            assert_no_users_scan(&db, f, &plan);
            assert!(indexes.iter().any(|i| plan.contains(i)), "{f} by {sort:?} uses one of {indexes:?}:\n{plan}");
        }
        let plan = store::scim::users::explain_count(&db, a.id, Some(&parsed)).await.expect("explain");
        assert_no_users_scan(&db, &format!("totalResults of {f}"), &plan);
    }
    scim_pages_walk_their_index(&db, &a).await;
}

/// SCIM `startIndex`/`count` pages (issue 16) in every order, first, continuing after the
/// row a page ended on (keyset), a few rows past it, and deep with nothing remembered: each
/// walks its `(account_id, column, id)` index from the start and never sorts the users;
/// totalResults counts from the `users_live` index alone (SQLite).
async fn scim_pages_walk_their_index(db: &Db, a: &TestAccount) {
    let middle = uuid::Uuid::from_u128(u128::MAX / 2);
    for sort in [ScimSort::Created, ScimSort::UserName, ScimSort::LastModified] {
        let key = match sort {
            ScimSort::UserName => SortKey::Text("person.5000@example.com".into()),
            _ => SortKey::Int(T0 + 10_000),
        };
        let starts = [
            Start::default(),
            Start { after: Some((key.clone(), middle)), skip: 0 },
            Start { after: Some((key.clone(), middle)), skip: 400 },
            Start { after: None, skip: 10_000 },
        ];
        for descending in [false, true] {
            for start in &starts {
                let page = ScimPage { sort, descending, start: start.clone(), count: 100 };
                let what = format!("SCIM page by {sort:?} (descending: {descending}) from {start:?}");
                let plan = store::scim::users::explain(db, a.id, None, &page).await.expect("explain");
                assert_no_users_scan(db, &what, &plan);
                assert_no_sort(db, &what, &plan);
            }
        }
    }
    // PostgreSQL reads a table this account fills whole, freshly loaded (no visibility map
    // yet), from end to end rather than through an index: there the plan is its choice.
    // At 1M users, vacuumed, it is a parallel index-only scan of users_live (issue 16 note).
    if db.backend() == Backend::Sqlite {
        let plan = store::scim::users::explain_count(db, a.id, None).await.expect("explain");
        assert_no_users_scan(db, "totalResults", &plan);
        assert!(plan.contains("COVERING INDEX users_live"), "totalResults reads no table row:\n{plan}");
    }
}

/// Fails when `plan` sorts rows (the order must come from walking an index).
fn assert_no_sort(db: &Db, what: &str, plan: &str) {
    let sorts = match db.backend() {
        Backend::Sqlite => plan.contains("TEMP B-TREE"),
        Backend::Postgres => plan.lines().any(|l| {
            let node = l.trim_start().trim_start_matches("->").trim_start();
            node.starts_with("Sort ") || node.starts_with("Incremental Sort")
        }),
    };
    assert!(!sorts, "{what} sorts the users:\n{plan}");
}

on_both_backends!(hot_statements_use_their_indexes);
