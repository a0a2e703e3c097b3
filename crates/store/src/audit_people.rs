//! The people an audit filter names: the account's users, deleted ones included (the log
//! keeps who they were), and purged ones by the email their purge event recorded.

use crate::sql::Sql;
use crate::users::people::{self, Among};
use crate::{Db, StoreError};
use domain::closed::AuditAction;
use domain::ids::AccountId;
use sqlx::FromRow;
use uuid::Uuid;

pub use crate::users::PersonKey;

/// A user the log may name. A purged user has no name left (empty strings).
#[derive(Debug, Clone, FromRow)]
pub struct Person {
    pub id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// Soft-deleted (still restorable) or purged.
    pub deleted: bool,
}

/// Users of `account` named exactly by `key`, deleted ones too; at most `limit`, by email.
pub async fn keyed(db: &Db, account: AccountId, key: PersonKey<'_>, limit: u32) -> Result<Vec<Person>, StoreError> {
    people::keyed(db, account, Among::Everyone, key, limit).await
}

/// Purged users of `account` whose purge recorded `email` (ASCII case ignored); at most
/// `limit`.
pub async fn purged(db: &Db, account: AccountId, email: &str, limit: u32) -> Result<Vec<Person>, StoreError> {
    let recorded = db.dialect().json_text("e.details", "email");
    db.run()
        .fetch_all(
            Sql::new(format!(
                "SELECT e.target_user_id AS id, {recorded} AS email, '' AS first_name, '' AS last_name, \
                 1 = 1 AS deleted FROM audit_events e \
                 WHERE e.account_id = $1 AND e.action = '{}' AND e.target_user_id IS NOT NULL \
                 AND lower({recorded}) = $2 ORDER BY e.at LIMIT $3",
                AuditAction::UserPurged.as_str()
            ))
            .bind(account.0)
            .bind(email.to_lowercase())
            .bind(i64::from(limit)),
        )
        .await
}

/// Users of `account` (deleted ones too) whose name or email contains `q` (case ignored),
/// by name; at most `limit`: the filter's suggestions.
pub async fn matching(db: &Db, account: AccountId, q: &str, limit: u32) -> Result<Vec<Person>, StoreError> {
    people::matching(db, account, Among::Everyone, q, limit).await
}
