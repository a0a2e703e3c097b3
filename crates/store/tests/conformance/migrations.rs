//! Both backends' migrations: the same files, applied idempotently.

use store::{Backend, Db};

/// File names of one backend's migration folder, sorted.
fn migration_files(backend: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(backend);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").file_name().into_string().expect("UTF-8 file name"))
        .collect();
    names.sort();
    names
}

#[test]
fn both_backends_have_the_same_migration_files() {
    let sqlite = migration_files("sqlite");
    let postgres = migration_files("postgres");
    assert!(!sqlite.is_empty(), "no migrations");
    assert_eq!(sqlite, postgres, "migrations/sqlite and migrations/postgres must hold the same file names");
    let mut numbers = Vec::new();
    for name in &sqlite {
        let stem = name.strip_suffix(".sql").unwrap_or_else(|| panic!("{name}: not a .sql file"));
        let (number, title) = stem.split_once('_').unwrap_or_else(|| panic!("{name}: not NNNN_name.sql"));
        assert!(number.len() == 4 && number.bytes().all(|b| b.is_ascii_digit()), "{name}: not NNNN_name.sql");
        assert!(
            !title.is_empty() && title.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "{name}: the name part must be lower-case snake_case"
        );
        numbers.push(number.parse::<u32>().expect("number"));
    }
    let mut unique = numbers.clone();
    unique.dedup();
    assert_eq!(numbers, unique, "two migrations share a number");
}

/// Migrating an up-to-date database is a no-op, and the handle knows its backend.
async fn migrate_twice_and_ping(db: Db) {
    db.migrate().await.expect("second migrate");
    db.ping().await.expect("ping");
    assert!(matches!((&db, db.backend()), (Db::Sqlite(_), Backend::Sqlite) | (Db::Pg(_), Backend::Postgres)));
    assert!(store::accounts::none_exist(&db).await.expect("none_exist"), "a fresh database has no account");
}

on_both_backends!(migrate_twice_and_ping);
