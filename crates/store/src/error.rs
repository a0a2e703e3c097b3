//! Storage errors. Constraint violations are told apart by constraint name, so callers can
//! answer "already exists" without a check-then-insert race.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database URL must start with sqlite: or postgres://")]
    UnsupportedUrl,
    /// A unique index refused the row; the field names the index.
    #[error("unique constraint {0} violated")]
    Conflict(String),
    #[error("the database is not empty")]
    NotEmpty,
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Database(sqlx::Error),
    /// The database has a migration this binary does not know: a newer Roster wrote it.
    #[error(
        "this database was written by a newer Roster (it has migration {0}, unknown to this version); \
         use that version or restore a backup"
    )]
    NewerDatabase(i64),
    #[error(transparent)]
    Migrate(sqlx::migrate::MigrateError),
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        match e {
            sqlx::migrate::MigrateError::VersionMissing(v) => Self::NewerDatabase(v),
            other => Self::Migrate(other),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e
            && db.is_unique_violation()
        {
            let name = db.constraint().map_or_else(|| db.message().to_owned(), str::to_owned);
            return Self::Conflict(name);
        }
        Self::Database(e)
    }
}
