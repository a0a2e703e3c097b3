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
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
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
