//! Backups of the embedded SQLite database, online: `VACUUM INTO` writes one read
//! transaction's snapshot into a new file while writers carry on (WAL mode), so the copy is
//! consistent without stopping Roster. PostgreSQL is backed up with its own tools
//! (`pg_dump`), run by the binary.

use crate::sql::Sql;
use crate::{Db, StoreError};
use std::path::Path;

/// Writes a consistent copy of the SQLite database to `path` (which must not exist).
/// `StoreError::UnsupportedUrl` on PostgreSQL.
pub async fn sqlite_copy(db: &Db, path: &Path) -> Result<(), StoreError> {
    let Db::Sqlite(pool) = db else { return Err(StoreError::UnsupportedUrl) };
    let target = path.to_string_lossy().into_owned();
    sqlx::query("VACUUM INTO $1").bind(target).execute(pool).await?;
    Ok(())
}

/// Rows per table, for comparing a backup with what it was made from (user tables only,
/// by name).
pub async fn row_counts(db: &Db) -> Result<Vec<(String, i64)>, StoreError> {
    let catalog = if db.dialect().is_sqlite() {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT LIKE '%_fts%' ORDER BY name"
    } else {
        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    };
    let tables: Vec<String> = db.run().fetch_column(Sql::new(catalog)).await?;
    let mut counts = Vec::with_capacity(tables.len());
    for t in tables {
        // Table names come from the catalog, quoted.
        let sql = format!("SELECT count(*) FROM \"{}\"", t.replace('"', "\"\""));
        let n: Option<i64> = db.run().fetch_scalar(Sql::new(sql)).await?;
        counts.push((t, n.unwrap_or(0)));
    }
    Ok(counts)
}

/// The file a `sqlite://…` URL names.
pub fn sqlite_file(url: &str) -> Result<std::path::PathBuf, StoreError> {
    use std::str::FromStr;
    Ok(sqlx::sqlite::SqliteConnectOptions::from_str(url)?.get_filename().to_path_buf())
}

/// Why a file is not a usable SQLite backup: `None` when it is one (a Roster database that
/// passes `PRAGMA integrity_check`).
pub async fn sqlite_backup_problem(path: &Path) -> Option<String> {
    use sqlx::Connection;
    let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(path).read_only(true);
    let Ok(mut conn) = sqlx::SqliteConnection::connect_with(&opts).await else {
        return Some("it is not a SQLite database".into());
    };
    let problem = match sqlx::query_scalar::<_, String>("PRAGMA integrity_check").fetch_one(&mut conn).await {
        Ok(ok) if ok == "ok" => {
            match sqlx::query_scalar::<_, i64>("SELECT count(*) FROM _sqlx_migrations").fetch_one(&mut conn).await {
                Ok(n) if n > 0 => None,
                _ => Some("it is not a Roster database".into()),
            }
        }
        Ok(damage) => Some(format!("it is damaged: {damage}")),
        Err(_) => Some("it is not a SQLite database".into()),
    };
    let _ = conn.close().await;
    problem
}
