//! The users list: every sort in both directions, keyset paging forwards and backwards that
//! visits every row exactly once, including across ties on the sort key, and the capped count.

use crate::fixtures::{T0, account, ids, insert, list_all, search_matches, user};
use domain::ids::AccountId;
use domain::user::UserStatus;
use std::cmp::Ordering;
use store::Db;
use store::users::{Bound, Keyset, NewUser, PageRequest, SortValue, UserFilter, UserSort};
use uuid::Uuid;

/// Users with ties on every sort key: four "Ann Lee"s in different cases, shared statuses,
/// many never-signed-in users (NULL last login), shared creation times, non-ASCII names, and
/// names whose order depends on the space between first and last name.
fn people(account: AccountId) -> Vec<NewUser> {
    let statuses = [UserStatus::Active, UserStatus::Invited, UserStatus::Locked, UserStatus::Suspended];
    let mut users = Vec::new();
    let mut add = |address: &str, first: &str, last: &str, status: UserStatus, login: Option<i64>, created: i64| {
        let mut u = user(account, address, first, last);
        u.status = status;
        u.last_login_at = login.map(|l| T0 + l);
        u.created_at = T0 + created;
        users.push(u);
    };
    add("ann.lee@x.org", "Ann", "Lee", UserStatus::Active, Some(500), 100);
    add("ann.lee2@x.org", "ann", "lee", UserStatus::Invited, None, 100);
    add("ANN.LEE3@X.ORG", "ANN", "LEE", UserStatus::Active, None, 100);
    add("a.lee@y.org", "Ann", "Lee", UserStatus::Locked, Some(500), 200);
    add("anna@x.org", "Anna", "Bell", UserStatus::Active, Some(20), 200);
    add("annlee@x.org", "Annlee", "Zed", UserStatus::Suspended, None, 250);
    add("zed@x.org", "Zed", "Zulu", UserStatus::Suspended, Some(100), 300);
    add("abe@x.org", "abe", "Zulu", UserStatus::Active, None, 50);
    add("emile@x.org", "Émile", "Ørsted", UserStatus::Active, Some(900), 300);
    add("eve@x.org", "Eve", "Ørsted", UserStatus::Invited, None, 300);
    add("Bob@x.org", "Bob", "Baker", UserStatus::Invited, None, 400);
    add("bob@y.org", "bob", "baker", UserStatus::Active, Some(100), 400);
    add("cat@x.org", "Cat", "Cooper", UserStatus::Active, Some(1000), 500);
    for i in 0..15_i64 {
        let first = ["Dan", "Eve", "Fay"][(i % 3) as usize];
        let login = (i % 2 == 1).then_some(i / 4 * 10);
        add(&format!("u{i}@x.org"), first, "Doe", statuses[(i % 4) as usize], login, 600 + i / 3);
    }
    users
}

fn sort_value(u: &NewUser, sort: UserSort) -> SortValue {
    match sort {
        UserSort::Name => SortValue::Text(u.name_key()),
        UserSort::Email => SortValue::Text(u.email.key()),
        UserSort::Status => SortValue::Text(u.status.as_str().to_owned()),
        UserSort::LastLogin => SortValue::Int(u.last_login_at.unwrap_or(0)),
        UserSort::Created => SortValue::Int(u.created_at),
    }
}

fn compare(a: &SortValue, b: &SortValue) -> Ordering {
    match (a, b) {
        (SortValue::Text(x), SortValue::Text(y)) => x.cmp(y),
        (SortValue::Int(x), SortValue::Int(y)) => x.cmp(y),
        _ => unreachable!("one sort has one kind of value"),
    }
}

/// The list order computed in Rust: by sort value (text by code point), then id.
fn expected_order(users: &[NewUser], sort: UserSort, descending: bool) -> Vec<Uuid> {
    let mut keyed: Vec<(SortValue, Uuid)> = users.iter().map(|u| (sort_value(u, sort), u.id.0)).collect();
    keyed.sort_by(|a, b| compare(&a.0, &b.0).then(a.1.cmp(&b.1)));
    if descending {
        keyed.reverse();
    }
    keyed.into_iter().map(|(_, id)| id).collect()
}

/// Walks the whole list `limit` rows at a time, resuming after each page's last row; then
/// back from the last page to the first, each page ending just before the one after it, and
/// checks that the way back visits the same rows in the same order.
async fn walk(
    db: &Db,
    account: AccountId,
    filter: &UserFilter,
    sort: UserSort,
    descending: bool,
    limit: u32,
) -> Vec<Uuid> {
    let mut seen = Vec::new();
    let mut after: Option<Keyset> = None;
    for _ in 0..1000 {
        let page = PageRequest { sort, descending, from: after.clone().map(Bound::After), limit };
        let (rows, more) = store::users::list(db, account, filter, &page).await.expect("list page");
        assert!(rows.len() <= limit as usize, "page longer than its limit");
        seen.extend(ids(&rows));
        if !more {
            let back = walk_back(db, account, filter, sort, descending, limit, &rows).await;
            assert_eq!(back, seen, "backwards ({sort:?}, descending: {descending}, limit {limit})");
            return seen;
        }
        assert_eq!(rows.len(), limit as usize, "a page with more after it is full");
        after = Some(rows.last().expect("a full page").keyset(sort));
    }
    panic!("paging did not end ({sort:?}, descending: {descending}, limit {limit})");
}

/// The rows from the start of the list to the end of `last` (the last page), read page by
/// page backwards: each page is the `limit` rows before the first row of the one after it.
async fn walk_back(
    db: &Db,
    account: AccountId,
    filter: &UserFilter,
    sort: UserSort,
    descending: bool,
    limit: u32,
    last: &[store::users::UserListRow],
) -> Vec<Uuid> {
    let mut pages = vec![ids(last)];
    let mut first = last.first().map(|r| r.keyset(sort));
    for _ in 0..1000 {
        let Some(before) = first else { break };
        let page = PageRequest { sort, descending, from: Some(Bound::Before(before)), limit };
        let (rows, more) = store::users::list(db, account, filter, &page).await.expect("list page");
        assert!(rows.len() <= limit as usize, "page longer than its limit");
        if more {
            assert_eq!(rows.len(), limit as usize, "a page with more before it is full");
        }
        first = if more { rows.first().map(|r| r.keyset(sort)) } else { None };
        pages.push(ids(&rows));
    }
    pages.into_iter().rev().flatten().collect()
}

async fn the_count_stops_at_its_cap(db: Db) {
    let a = account(&db, "a").await;
    let b = account(&db, "b").await;
    let users = people(a.id);
    insert(&db, &users).await;
    insert(&db, &[user(b.id, "ann.lee@x.org", "Ann", "Lee")]).await;
    let n = u32::try_from(users.len()).expect("few");
    let none = UserFilter::default();
    let count = |filter: UserFilter, cap: u32| {
        let db = db.clone();
        async move { store::users::count(&db, a.id, &filter, cap).await.expect("count") }
    };
    assert_eq!(count(none.clone(), 10_000).await, (n, false), "every user of the account, none of another");
    assert_eq!(count(none.clone(), n).await, (n, false), "exactly the cap is exact");
    assert_eq!(count(none.clone(), n - 1).await, (n - 1, true), "one past the cap is a lower bound");
    assert_eq!(count(none, 3).await, (3, true));
    let suspended = users.iter().filter(|u| u.status == UserStatus::Suspended).count();
    let filter = UserFilter { status: Some(UserStatus::Suspended), ..UserFilter::default() };
    assert_eq!(count(filter, 10_000).await, (u32::try_from(suspended).expect("few"), false));
    let filter = UserFilter { search: Some("qqxj".into()), ..UserFilter::default() };
    assert_eq!(count(filter, 10_000).await, (0, false));
}

async fn every_sort_in_both_directions(db: Db) {
    let a = account(&db, "a").await;
    let b = account(&db, "b").await;
    let users = people(a.id);
    insert(&db, &users).await;
    insert(&db, &[user(b.id, "ann.lee@x.org", "Ann", "Lee"), user(b.id, "aaa@x.org", "Aaa", "Aaa")]).await;
    let none = UserFilter::default();
    for sort in UserSort::ALL {
        for descending in [false, true] {
            let rows = list_all(&db, a.id, &none, sort, descending).await;
            assert_eq!(ids(&rows), expected_order(&users, sort, descending), "{sort:?} descending: {descending}");
            // Each row's keyset carries the value it was sorted on.
            for row in &rows {
                let u = users.iter().find(|u| u.id.0 == row.id).expect("a user of the account");
                assert_eq!(row.keyset(sort), Keyset { value: sort_value(u, sort), id: u.id.0 }, "{sort:?}");
            }
        }
    }
    // The list's columns.
    let rows = list_all(&db, a.id, &none, UserSort::Email, false).await;
    let ann = rows.iter().find(|r| r.email == "ANN.LEE3@X.ORG").expect("ann 3");
    assert_eq!((ann.email_key.as_str(), ann.name_key.as_str()), ("ann.lee3@x.org", "ann lee"));
    assert_eq!((ann.first_name.as_str(), ann.last_name.as_str(), ann.status.as_str()), ("ANN", "LEE", "active"));
    assert_eq!((ann.builder_access.as_str(), ann.is_primary_admin, ann.role_name.as_deref()), ("none", false, None));
    assert_eq!((ann.last_login_at, ann.invited_at, ann.created_at), (None, None, T0 + 100));
}

async fn keyset_paging_visits_every_row_once(db: Db) {
    let a = account(&db, "a").await;
    let b = account(&db, "b").await;
    let users = people(a.id);
    insert(&db, &users).await;
    insert(&db, &[user(b.id, "ann.lee@x.org", "Ann", "Lee")]).await;
    let none = UserFilter::default();
    for sort in UserSort::ALL {
        for descending in [false, true] {
            let expected = expected_order(&users, sort, descending);
            for limit in [1, 2, 3, 7, users.len() as u32, 100] {
                let seen = walk(&db, a.id, &none, sort, descending, limit).await;
                assert_eq!(seen, expected, "{sort:?} descending: {descending} limit {limit}");
            }
        }
    }
}

async fn keyset_paging_with_filters(db: Db) {
    let a = account(&db, "a").await;
    let users = people(a.id);
    insert(&db, &users).await;
    let filters = [
        (UserFilter { status: Some(UserStatus::Active), ..UserFilter::default() }, "active"),
        (UserFilter { search: Some("lee".into()), ..UserFilter::default() }, "lee"),
        (UserFilter { search: Some("e".into()), ..UserFilter::default() }, "e"),
    ];
    for (filter, what) in &filters {
        let kept: Vec<NewUser> = users
            .iter()
            .filter(|u| filter.status.is_none_or(|s| s == u.status))
            .filter(|u| filter.search.as_deref().is_none_or(|n| search_matches(u, n)))
            .cloned()
            .collect();
        assert!(kept.len() > 3, "{what}: the filter keeps several pages");
        for sort in UserSort::ALL {
            for descending in [false, true] {
                let seen = walk(&db, a.id, filter, sort, descending, 3).await;
                assert_eq!(seen, expected_order(&kept, sort, descending), "{what}: {sort:?} descending: {descending}");
            }
        }
    }
}

on_both_backends!(
    every_sort_in_both_directions,
    keyset_paging_visits_every_row_once,
    keyset_paging_with_filters,
    the_count_stops_at_its_cap
);
