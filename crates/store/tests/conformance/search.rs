//! Search over name and email, case-insensitive, with `%`, `_`, `"` and `\` taken literally:
//! terms of three characters or more match anywhere (the trigram indexes); shorter ones match
//! the start of the first name, last name or email (their key indexes).

use crate::fixtures::{account, ids, insert, list_all, search_matches, user};
use domain::ids::AccountId;
use store::Db;
use store::dialect::TRIGRAM_MIN_CHARS;
use store::users::{NewUser, UserFilter, UserSort};
use uuid::Uuid;

fn people(account: AccountId) -> Vec<NewUser> {
    [
        ("Ann.Archer@Example.org", "Ann", "Archer"),
        ("annabel@x.org", "ANNABEL", "Smith"),
        ("bob@stone.io", "Bob", "Stone"),
        ("j.ng@x.org", "Joanna", "Ng"),
        ("100%pure@x.org", "Per", "Cent"),
        ("r101@pop.org", "Room", "Hundred"),
        ("snake_case@x.org", "Snake", "Case"),
        ("kc@x.org", "Kate", "Cole"),
        ("oneil@x.org", "Quinn", "O\"Neil"),
        ("quote\"d@x.org", "Quo", "Ted"),
        ("back\\slash@x.org", "Back", "Slash"),
        ("zoe@x.org", "ZOË", "Kraus"),
        ("plain@x.org", "Plain", "Person"),
    ]
    .into_iter()
    .map(|(address, first, last)| user(account, address, first, last))
    .collect()
}

/// Needles (already lower-cased, as the app passes them) with how many users each must find,
/// so that a needle matching everything or nothing cannot pass unnoticed.
const NEEDLES: [(&str, usize); 27] = [
    ("ann", 3),
    ("nab", 1),
    ("example", 1),
    ("r ann", 1),
    ("ann archer", 1),
    ("x.o", 10),
    ("an", 2),
    ("k", 2),
    ("ca", 1),
    ("o\"", 1),
    ("10", 1),
    ("r1", 1),
    ("ng", 1),
    ("z", 1),
    ("zoë", 1),
    ("ë", 0),
    ("oë", 0),
    ("%", 0),
    ("0%p", 1),
    ("_", 0),
    ("e_c", 1),
    ("\"", 0),
    ("o\"n", 1),
    ("\\", 0),
    ("k\\s", 1),
    ("stone.io", 1),
    ("nobody-has-this", 0),
];

async fn search_is_a_case_insensitive_substring_match(db: Db) {
    let a = account(&db, "a").await;
    let b = account(&db, "b").await;
    let users = people(a.id);
    insert(&db, &users).await;
    insert(&db, &people(b.id)).await;
    let short = NEEDLES.iter().filter(|(n, _)| n.chars().count() < TRIGRAM_MIN_CHARS).count();
    assert!(short >= 8 && NEEDLES.len() - short >= 8, "both search paths are exercised");
    for (needle, count) in NEEDLES {
        let mut expected: Vec<Uuid> = users.iter().filter(|u| search_matches(u, needle)).map(|u| u.id.0).collect();
        expected.sort();
        assert_eq!(expected.len(), count, "the fixture for {needle:?}");
        let filter = UserFilter { search: Some(needle.to_owned()), ..UserFilter::default() };
        let mut found = ids(&list_all(&db, a.id, &filter, UserSort::Name, false).await);
        found.sort();
        assert_eq!(found, expected, "search {needle:?}");
    }
    // An empty needle does not filter.
    let filter = UserFilter { search: Some(String::new()), ..UserFilter::default() };
    assert_eq!(list_all(&db, a.id, &filter, UserSort::Name, false).await.len(), users.len());
}

/// Rows inserted after others are indexed too, whatever their casing.
async fn search_finds_rows_added_later(db: Db) {
    let a = account(&db, "a").await;
    insert(&db, &people(a.id)).await;
    let late = user(a.id, "LATE.Comer@Example.ORG", "Latecomer", "MacKenzie");
    insert(&db, std::slice::from_ref(&late)).await;
    for needle in ["mack", "kenzie", "late.comer@", "ma", "e.o"] {
        let filter = UserFilter { search: Some(needle.to_owned()), ..UserFilter::default() };
        let found = ids(&list_all(&db, a.id, &filter, UserSort::Email, false).await);
        assert!(found.contains(&late.id.0), "search {needle:?}");
    }
}

/// Terms thousands of users match, and rare ones beside them, page through exactly what the
/// model finds, in the list's order.
async fn dense_terms_find_what_the_model_finds(db: Db) {
    let a = account(&db, "a").await;
    let users: Vec<NewUser> = (0..6_000)
        .map(|i| user(a.id, &format!("dense.{i}@x.org"), &format!("Dense{}", i % 50), &format!("Row{i}")))
        .collect();
    insert(&db, &users).await;
    for needle in ["row", "de", "dense.59", "ro", "row59"] {
        let filter = UserFilter { search: Some(needle.to_owned()), ..UserFilter::default() };
        for sort in [UserSort::Name, UserSort::Email] {
            let mut expected: Vec<&NewUser> = users.iter().filter(|u| search_matches(u, needle)).collect();
            expected.sort_by_key(|u| match sort {
                UserSort::Name => {
                    (store::users::NameKeys::of(u.first_name.as_str(), u.last_name.as_str()).name_key, u.id.0)
                }
                _ => (u.email.key(), u.id.0),
            });
            let mut seen = Vec::new();
            let mut from = None;
            loop {
                let page = store::users::PageRequest { sort, descending: false, from: from.clone(), limit: 1_000 };
                let (rows, more) = store::users::list(&db, a.id, &filter, &page).await.expect("list");
                seen.extend(ids(&rows));
                if !more {
                    break;
                }
                from = rows.last().map(|r| store::users::Bound::After(r.keyset(sort)));
            }
            let expected: Vec<Uuid> = expected.iter().map(|u| u.id.0).collect();
            assert!(!expected.is_empty(), "{needle:?} matches somebody");
            assert_eq!(seen, expected, "{needle:?} by {sort:?}");
        }
    }
}

on_both_backends!(
    search_is_a_case_insensitive_substring_match,
    search_finds_rows_added_later,
    dense_terms_find_what_the_model_finds
);
