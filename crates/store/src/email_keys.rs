//! Re-keys existing users to the canonical email key of [`domain::user::Email::key`]
//! (migration 0010): `users.email_key` used to be the lower-cased address, so
//! `lena@müller.example` and `lena@xn--mller-kva.example` could be two users.
//!
//! Runs after the SQL migrations, in one transaction. Users whose new keys would collide
//! within an account are **not** merged or changed: they keep their old keys, and the
//! collision is reported (logged at every start, printed by `roster migrate`) until an
//! admin deletes or purges one of each pair; then the next start finishes the job and
//! records it in `data_migrations`, after which starts skip the scan.

use crate::sql::Sql;
use crate::{Db, StoreError};
use domain::user::Email;
use sqlx::FromRow;
use std::collections::HashMap;
use uuid::Uuid;

/// The `data_migrations` row written once every user has their canonical key.
const TASK: &str = "0010_canonical_email_keys";

/// Users of one account whose addresses are one mailbox under the canonical key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collision {
    pub account_id: Uuid,
    /// The canonical key they share.
    pub key: String,
    /// `(user id, email as stored)` of each, oldest first.
    pub users: Vec<(Uuid, String)>,
}

impl std::fmt::Display for Collision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let users: Vec<String> = self.users.iter().map(|(id, email)| format!("{email} (user {id})")).collect();
        write!(f, "{} are one mailbox ({}); delete one of them", users.join(" and "), self.key)
    }
}

/// What a re-keying pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RekeyReport {
    /// Users whose key changed.
    pub rekeyed: u64,
    /// Groups of users left unchanged because they would share a key.
    pub collisions: Vec<Collision>,
}

#[derive(FromRow)]
struct Row {
    id: Uuid,
    account_id: Uuid,
    email: String,
    email_key: String,
    first_name: String,
    last_name: String,
}

/// Gives every user the canonical email key (and matching search text), except users whose
/// keys would collide, who are reported. A no-op once done.
pub async fn rekey(db: &Db) -> Result<RekeyReport, StoreError> {
    let done: Option<String> =
        db.run().fetch_scalar(Sql::new("SELECT name FROM data_migrations WHERE name = $1").bind(TASK)).await?;
    if done.is_some() {
        return Ok(RekeyReport::default());
    }
    let mut tx = db.begin_write().await?;
    let rows: Vec<Row> = tx
        .run()
        .fetch_all(Sql::new(
            "SELECT id, account_id, email, email_key, first_name, last_name FROM users ORDER BY created_at, id",
        ))
        .await?;
    let (changes, collisions) = plan(&rows);
    // Two steps, so that a key moving from one row to another never meets itself in the
    // unique index half-way.
    for (row, _) in &changes {
        let parked = format!("\u{1}rekey:{}", row.id);
        tx.run().execute(Sql::new("UPDATE users SET email_key = $1 WHERE id = $2").bind(parked).bind(row.id)).await?;
    }
    for (row, key) in &changes {
        let search = crate::users::search_text(&row.first_name, &row.last_name, &row.email);
        tx.run()
            .execute(
                Sql::new("UPDATE users SET email_key = $1, search_text = $2 WHERE id = $3")
                    .bind(key)
                    .bind(search)
                    .bind(row.id),
            )
            .await?;
    }
    if collisions.is_empty() {
        // Instances starting together may all get here: the first one records it.
        tx.run()
            .execute(
                Sql::new(
                    "INSERT INTO data_migrations (name, applied_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                )
                .bind(TASK)
                .bind(now_us()),
            )
            .await?;
    }
    tx.commit().await?;
    let report = RekeyReport { rekeyed: changes.len() as u64, collisions };
    for c in &report.collisions {
        tracing::warn!(account = %c.account_id, "email addresses collide under the canonical key: {c}");
    }
    if report.rekeyed > 0 {
        tracing::info!(users = report.rekeyed, "email keys re-keyed to the canonical form");
    }
    Ok(report)
}

/// The rows to re-key with their new keys, and the collisions (whose rows stay unchanged).
fn plan(rows: &[Row]) -> (Vec<(&Row, String)>, Vec<Collision>) {
    let mut groups: HashMap<(Uuid, String), Vec<&Row>> = HashMap::new();
    for row in rows {
        // An address that no longer parses keeps its key: it cannot collide with a valid one.
        let key = Email::canonical_key(&row.email).unwrap_or_else(|_| row.email_key.clone());
        groups.entry((row.account_id, key)).or_default().push(row);
    }
    let mut changes = Vec::new();
    let mut collisions = Vec::new();
    for ((account_id, key), members) in groups {
        match members.as_slice() {
            [one] if one.email_key != key => changes.push((*one, key)),
            [_] => {}
            many => collisions.push(Collision {
                account_id,
                key,
                users: many.iter().map(|r| (r.id, r.email.clone())).collect(),
            }),
        }
    }
    collisions.sort_by(|a, b| (a.account_id, &a.key).cmp(&(b.account_id, &b.key)));
    // One order for every instance running this at once, so their row locks cannot deadlock.
    changes.sort_by_key(|(row, _)| row.id);
    (changes, collisions)
}

pub(crate) fn now_us() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    (now.unix_timestamp_nanos() / 1000) as i64
}
