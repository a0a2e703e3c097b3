//! Session counts for `/metrics`, kept by triggers in `session_tallies` (migration 0030), so
//! reading them never counts session rows; and the sweep that ends sessions past their
//! absolute lifetime, so the live count does not include sessions nobody will use again.

use crate::sql::Sql;
use crate::{Db, Micros, StoreError};

/// Totals since the database was created (exact across instances).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionTallies {
    pub created: u64,
    /// Ended sessions by `end_cause` (`signed_out`, `killed`, `expired`, …), by cause name.
    pub ended: Vec<(String, u64)>,
    /// Live sessions deleted with their user (purge).
    pub purged: u64,
}

impl SessionTallies {
    /// Sessions created and neither ended nor deleted.
    pub fn live(&self) -> u64 {
        let ended: u64 = self.ended.iter().map(|(_, n)| n).sum();
        self.created.saturating_sub(ended + self.purged)
    }
}

/// Reads the tallies: at most a few dozen rows.
pub async fn read(db: &Db) -> Result<SessionTallies, StoreError> {
    let rows: Vec<(String, i64)> = db
        .run()
        .fetch_all(Sql::new("SELECT event, CAST(sum(n) AS BIGINT) FROM session_tallies GROUP BY event ORDER BY event"))
        .await?;
    let mut t = SessionTallies::default();
    for (event, n) in rows {
        let n = u64::try_from(n).unwrap_or(0);
        match event.strip_prefix("ended:") {
            Some(cause) => t.ended.push((cause.to_owned(), n)),
            None if event == "created" => t.created = n,
            None if event == "purged" => t.purged = n,
            None => {}
        }
    }
    Ok(t)
}

/// Ends (cause `expired`) up to `limit` sessions whose absolute lifetime ended before `now`.
/// Returns how many; call again while it returns `limit`.
pub async fn end_expired(db: &Db, now: Micros, limit: i64) -> Result<u64, StoreError> {
    db.run().execute(
        Sql::new(
            "UPDATE sessions SET ended_at = expires_at, end_cause = 'expired', end_reason = 'absolute lifetime reached' \
             WHERE id IN (SELECT id FROM sessions WHERE ended_at IS NULL AND expires_at <= $1 LIMIT $2)",
        )
        .bind(now)
        .bind(limit),
    )
    .await
}
