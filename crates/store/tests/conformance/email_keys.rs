//! Re-keying existing users to the canonical email key (migration 0010): rows keyed the old
//! way (lower case only) get the canonical key; two rows that become one mailbox are
//! reported by name and left alone, never merged; the pass is recorded once it is clean.

use crate::fixtures::{account, user};
use store::Db;

/// Makes `address`'s stored key what the seed's code wrote: the lower-cased address.
async fn key_the_old_way(db: &Db, address: &str) {
    let old = address.to_lowercase();
    with_pool(db, "UPDATE users SET email_key = $1 WHERE email = $2", &old, address).await;
}

async fn with_pool(db: &Db, sql: &'static str, a: &str, b: &str) {
    match db {
        Db::Sqlite(p) => sqlx::query(sql).bind(a).bind(b).execute(p).await.map(drop),
        Db::Pg(p) => sqlx::query(sql).bind(a).bind(b).execute(p).await.map(drop),
    }
    .expect("update");
}

async fn key_of(db: &Db, address: &str) -> String {
    let sql = "SELECT email_key FROM users WHERE email = $1";
    let row: (String,) = match db {
        Db::Sqlite(p) => sqlx::query_as(sql).bind(address).fetch_one(p).await,
        Db::Pg(p) => sqlx::query_as(sql).bind(address).fetch_one(p).await,
    }
    .expect("key");
    row.0
}

async fn forget_the_pass(db: &Db) {
    with_pool(db, "DELETE FROM data_migrations WHERE name <> $1 OR name = $2", "", "0010_canonical_email_keys").await;
}

async fn old_keys_are_rekeyed_and_collisions_reported_not_merged(db: Db) {
    let acc = account(&db, "rekey").await;
    // Three spellings of one mailbox and one ordinary address, stored before canonical keys.
    let lena_idn = "Lena@Müller.example";
    let lena_puny = "lena@xn--mller-kva.example";
    let zoe = "zoe\u{308}@example.com"; // e + combining diaeresis, as typed long ago
    let ann = "Ann@Example.org";
    // Inserted under placeholder addresses (today's keys would refuse the second Lena), then
    // given the addresses as they were stored back then.
    let users = vec![
        user(acc.id, "one@placeholder.example", "Lena", "A"),
        user(acc.id, ann, "Ann", "B"),
        user(acc.id, "two@placeholder.example", "Lena", "B"),
        user(acc.id, "three@placeholder.example", "Zoe", "C"),
    ];
    store::users::insert(&db, &users).await.expect("insert");
    for (placeholder, address) in [
        ("one@placeholder.example", lena_idn),
        ("two@placeholder.example", lena_puny),
        ("three@placeholder.example", zoe),
    ] {
        with_pool(&db, "UPDATE users SET email = $1 WHERE email = $2", address, placeholder).await;
    }
    for address in [lena_idn, lena_puny, zoe, ann] {
        key_the_old_way(&db, address).await;
    }
    // The old keys let the two Lenas live side by side.
    assert_ne!(key_of(&db, lena_idn).await, key_of(&db, lena_puny).await);
    forget_the_pass(&db).await;

    let report = store::email_keys::rekey(&db).await.expect("rekey");
    assert_eq!(report.collisions.len(), 1, "{report:?}");
    let c = &report.collisions[0];
    assert_eq!(c.key, "lena@xn--mller-kva.example");
    let emails: Vec<&str> = c.users.iter().map(|(_, e)| e.as_str()).collect();
    assert_eq!(emails.len(), 2);
    assert!(emails.contains(&lena_idn) && emails.contains(&lena_puny), "{emails:?}");
    assert!(c.to_string().contains(lena_idn) && c.to_string().contains(lena_puny), "{c}");
    assert_eq!(report.rekeyed, 1, "only the decomposed ë changed key: {report:?}");
    assert_eq!(key_of(&db, zoe).await, "zo\u{eb}@example.com");
    assert_eq!(key_of(&db, ann).await, "ann@example.org");
    // Not merged: both Lenas are still there, with their old keys.
    assert_eq!(key_of(&db, lena_idn).await, "lena@müller.example");
    assert_eq!(key_of(&db, lena_puny).await, lena_puny);

    // The pass is not recorded while a collision remains: the next start reports it again.
    assert_eq!(store::email_keys::rekey(&db).await.expect("again").collisions.len(), 1);
    // Once one of the pair is gone, the pass finishes and is recorded.
    with_pool(&db, "DELETE FROM users WHERE email = $1 OR email = $2", lena_puny, lena_puny).await;
    let report = store::email_keys::rekey(&db).await.expect("clean");
    assert!(report.collisions.is_empty());
    assert_eq!(key_of(&db, lena_idn).await, "lena@xn--mller-kva.example");
    assert_eq!(store::email_keys::rekey(&db).await.expect("done"), store::email_keys::RekeyReport::default());
}

on_both_backends!(old_keys_are_rekeyed_and_collisions_reported_not_merged);

async fn name_keys_of(db: &Db, address: &str) -> (String, String, String) {
    let sql = "SELECT name_key, first_key, last_key FROM users WHERE email = $1";
    match db {
        Db::Sqlite(p) => sqlx::query_as(sql).bind(address).fetch_one(p).await,
        Db::Pg(p) => sqlx::query_as(sql).bind(address).fetch_one(p).await,
    }
    .expect("keys")
}

/// Migration 0140: the name keys SQL's `lower()` filled (ASCII-only on SQLite) are refolded
/// by Unicode's rules, once; new rows get them from the one place names are keyed.
async fn name_keys_are_folded_by_unicode_case_rules(db: Db) {
    let acc = account(&db, "namekeys").await;
    let users = vec![user(acc.id, "ayse@example.org", "AYŞE", "Öztürk"), user(acc.id, "ann@example.org", "Ann", "Lee")];
    store::users::insert(&db, &users).await.expect("insert");
    let folded = ("ayşe öztürk".to_owned(), "ayşe".to_owned(), "öztürk".to_owned());
    assert_eq!(name_keys_of(&db, "ayse@example.org").await, folded, "written folded");
    // As SQLite's lower() left them (ASCII only), before the pass ran.
    let old = "UPDATE users SET first_key = 'AYŞE', last_key = $2, name_key = 'AYŞE Öztürk' WHERE email = $1";
    with_pool(&db, old, "ayse@example.org", "Öztürk").await;
    with_pool(&db, "DELETE FROM data_migrations WHERE name = $1 OR name = $2", "0140_name_keys", "").await;
    assert_eq!(store::name_keys::refold(&db).await.expect("refold"), 1, "only the non-ASCII name");
    assert_eq!(name_keys_of(&db, "ayse@example.org").await, folded);
    let ann = ("ann lee".to_owned(), "ann".to_owned(), "lee".to_owned());
    assert_eq!(name_keys_of(&db, "ann@example.org").await, ann);
    // Recorded: the next start does not scan again.
    with_pool(&db, old, "ayse@example.org", "Öztürk").await;
    assert_eq!(store::name_keys::refold(&db).await.expect("done"), 0);
}

on_both_backends!(name_keys_are_folded_by_unicode_case_rules);
