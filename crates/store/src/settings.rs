//! Per-account settings, one JSON document per key. Changes are written with their audit
//! event in one transaction.

use crate::audit::{self, NewAuditEvent};
use crate::sql::Sql;
use crate::{Db, Micros, StoreError};
use domain::ids::AccountId;

/// The key of the User Settings document (which profile fields users see and edit).
pub const USER_PROFILE: &str = "user_profile";

/// The stored JSON of `key`, if it was ever saved.
pub async fn get(db: &Db, account: AccountId, key: &str) -> Result<Option<String>, StoreError> {
    db.run()
        .fetch_scalar(
            Sql::new("SELECT value FROM settings WHERE account_id = $1 AND key = $2").bind(account.0).bind(key),
        )
        .await
}

/// Saves `value` under `key` and appends `audit`, atomically.
pub async fn put(
    db: &Db,
    account: AccountId,
    key: &str,
    value: &str,
    now: Micros,
    audit: &NewAuditEvent,
) -> Result<(), StoreError> {
    audit::commit_audited(db, upsert(account, key, value, now), audit).await?;
    Ok(())
}

/// The statement that saves `value` under `key` (insert or replace).
pub(crate) fn upsert(account: AccountId, key: &str, value: &str, now: Micros) -> Sql {
    Sql::new(
        "INSERT INTO settings (account_id, key, value, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (account_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(account.0)
    .bind(key)
    .bind(value)
    .bind(now)
}
