//! Refolds `users.first_key`, `last_key` and `name_key` with [`crate::users::NameKeys`],
//! and `groups.name_key` with [`domain::text::fold`] (migration 0140): the SQL migration filled the new keys with `lower()`, which folds only
//! ASCII on SQLite (and by the server's locale on PostgreSQL), so names such as `ÖZTÜRK`
//! get their Unicode keys here, once, when the binary starts; `data_migrations` then
//! records it and later starts skip the scan.

use crate::sql::Sql;
use crate::users::NameKeys;
use crate::{Db, StoreError};
use sqlx::FromRow;
use uuid::Uuid;

/// The `data_migrations` row written once every user has their keys.
const TASK: &str = "0140_name_keys";

#[derive(FromRow)]
struct Row {
    id: Uuid,
    first_name: String,
    last_name: String,
    name_key: String,
    first_key: String,
    last_key: String,
}

#[derive(FromRow)]
struct GroupRow {
    id: Uuid,
    name: String,
    name_key: String,
}

/// Gives every user the keys [`NameKeys::of`] makes of their names, and every group its
/// folded name; returns how many rows changed. A no-op once done.
pub async fn refold(db: &Db) -> Result<u64, StoreError> {
    let done: Option<String> =
        db.run().fetch_scalar(Sql::new("SELECT name FROM data_migrations WHERE name = $1").bind(TASK)).await?;
    if done.is_some() {
        return Ok(0);
    }
    // Only names with a character beyond ASCII (more bytes than characters) can fold
    // otherwise than `lower()` did.
    let non_ascii = |text: &str| {
        if db.dialect().is_sqlite() {
            format!("length(CAST({text} AS BLOB)) <> length({text})")
        } else {
            format!("octet_length({text}) <> char_length({text})")
        }
    };
    let mut tx = db.begin_write().await?;
    let rows: Vec<Row> = tx
        .run()
        .fetch_all(Sql::new(format!(
            "SELECT id, first_name, last_name, name_key, first_key, last_key FROM users WHERE {} ORDER BY id",
            non_ascii("first_name || last_name")
        )))
        .await?;
    let mut changed = 0;
    for row in rows {
        let keys = NameKeys::of(&row.first_name, &row.last_name);
        if (&keys.name_key, &keys.first_key, &keys.last_key) == (&row.name_key, &row.first_key, &row.last_key) {
            continue;
        }
        let sql = Sql::new("UPDATE users SET name_key = $1, first_key = $2, last_key = $3 WHERE id = $4")
            .bind(keys.name_key)
            .bind(keys.first_key)
            .bind(keys.last_key)
            .bind(row.id);
        tx.run().execute(sql).await?;
        changed += 1;
    }
    let groups: Vec<GroupRow> = tx
        .run()
        .fetch_all(Sql::new(format!("SELECT id, name, name_key FROM groups WHERE {} ORDER BY id", non_ascii("name"))))
        .await?;
    for g in groups {
        let key = domain::text::fold(&g.name);
        if key != g.name_key {
            tx.run().execute(Sql::new("UPDATE groups SET name_key = $1 WHERE id = $2").bind(key).bind(g.id)).await?;
            changed += 1;
        }
    }
    // Instances starting together may all get here: the first one records it.
    tx.run()
        .execute(
            Sql::new("INSERT INTO data_migrations (name, applied_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                .bind(TASK)
                .bind(crate::email_keys::now_us()),
        )
        .await?;
    tx.commit().await?;
    if changed > 0 {
        tracing::info!(users = changed, "name keys refolded for Unicode case");
    }
    Ok(changed)
}
