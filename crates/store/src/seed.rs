//! Bulk loading for generated data (`roster demo`): users with their memberships, group
//! memberships and sessions, one transaction per batch.

use crate::sessions::NewSession;
use crate::users::NewUser;
use crate::{Db, StoreError};
use domain::ids::{GroupId, UserId};
use sqlx::QueryBuilder;

/// One batch of generated rows, written atomically.
#[derive(Debug, Default)]
pub struct Batch {
    pub users: Vec<NewUser>,
    pub group_members: Vec<(GroupId, UserId)>,
    pub sessions: Vec<NewSession>,
}

/// Users per INSERT statement: 17 columns × 1,000 rows stays under both backends' limit
/// on bound parameters (32,766 for SQLite, 65,535 for PostgreSQL).
const USERS_PER_STATEMENT: usize = 1000;

pub async fn insert(db: &Db, batch: &Batch) -> Result<(), StoreError> {
    with_db!(db, pool => {
        let mut tx = pool.begin().await?;
        for chunk in batch.users.chunks(USERS_PER_STATEMENT) {
            crate::users::insert_users!(tx, chunk);
        }
        for chunk in batch.group_members.chunks(5000) {
            let mut qb = QueryBuilder::new("INSERT INTO group_members (group_id, user_id) ");
            qb.push_values(chunk, |mut row, (g, u)| {
                row.push_bind(g.0).push_bind(u.0);
            });
            qb.build().execute(&mut *tx).await?;
        }
        for chunk in batch.sessions.chunks(2000) {
            let mut qb = QueryBuilder::new(
                "INSERT INTO sessions (id, token_hash, user_id, workspace_id, csrf_token, device_type, \
                 browser, os, ip, user_agent, created_at, last_activity_at, expires_at) ",
            );
            qb.push_values(chunk, |mut row, s| {
                row.push_bind(s.id.0)
                    .push_bind(s.token_hash.clone())
                    .push_bind(s.user_id.0)
                    .push_bind(s.workspace_id.map(|w| w.0))
                    .push_bind(s.csrf_token.clone())
                    .push_bind(s.device_type.clone())
                    .push_bind(s.browser.clone())
                    .push_bind(s.os.clone())
                    .push_bind(s.ip.clone())
                    .push_bind(s.user_agent.clone())
                    .push_bind(s.created_at)
                    .push_bind(s.created_at)
                    .push_bind(s.expires_at);
            });
            qb.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
    });
    Ok(())
}
