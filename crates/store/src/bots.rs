//! Bots and who may work on them. Exactly one Owner per bot is enforced by a unique index.

use crate::audit::{self, NewAuditEvent};
use crate::sql::{Sql, Tx};
use crate::users::PersonKey;
use crate::users::people::{self, Among};
use crate::{Db, Micros, StoreError};
use domain::bot::BotRole;
use domain::ids::{AccountId, BotId, UserId, WorkspaceId};
use sqlx::FromRow;
use uuid::Uuid;

/// Creates a bot with its members (one of whom must be the Owner) in one transaction.
pub async fn create(
    db: &Db,
    id: BotId,
    workspace: WorkspaceId,
    name: &str,
    members: &[(UserId, BotRole)],
    at: Micros,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    insert_bot(&mut tx, id, workspace, name, at).await?;
    for (user, role) in members {
        tx.run()
            .execute(
                Sql::new("INSERT INTO bot_members (bot_id, user_id, role) VALUES ($1, $2, $3)")
                    .bind(id.0)
                    .bind(user.0)
                    .bind(role.as_str()),
            )
            .await?;
    }
    tx.commit().await
}

async fn insert_bot(tx: &mut Tx, id: BotId, workspace: WorkspaceId, name: &str, at: Micros) -> Result<(), StoreError> {
    tx.run()
        .execute(
            Sql::new("INSERT INTO bots (id, workspace_id, name, created_at) VALUES ($1, $2, $3, $4)")
                .bind(id.0)
                .bind(workspace.0)
                .bind(name)
                .bind(at),
        )
        .await?;
    Ok(())
}

/// Locks `user`'s row until the transaction ends (see [`crate::dialect::Dialect::lock_user`]).
pub(crate) async fn lock_user(tx: &mut Tx, user: UserId) -> Result<(), StoreError> {
    let sql = Sql::new(tx.dialect().lock_user()).bind(user.0);
    tx.run().fetch_all::<(Uuid,)>(sql).await?;
    Ok(())
}

/// Creates a bot owned by `owner` with its audit event, in one transaction. False, creating
/// nothing, unless the owner is (under a lock on their row) an active, undeleted member of
/// `workspace`.
pub async fn create_owned(
    db: &Db,
    id: BotId,
    workspace: WorkspaceId,
    name: &str,
    owner: UserId,
    audit: &NewAuditEvent,
) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    lock_user(&mut tx, owner).await?;
    insert_bot(&mut tx, id, workspace, name, audit.at).await?;
    let owner_row = Sql::new(
        "INSERT INTO bot_members (bot_id, user_id, role) SELECT $1, u.id, 'owner' FROM users u \
         JOIN memberships ms ON ms.user_id = u.id AND ms.workspace_id = $3 \
         WHERE u.id = $2 AND u.status = 'active' AND u.deleted_at IS NULL",
    )
    .bind(id.0)
    .bind(owner.0)
    .bind(workspace.0);
    // Without the owner nothing is kept, not even the bot.
    let owned = audit::update_audited(&mut tx, owner_row, audit).await?;
    tx.finish(owned).await?;
    Ok(owned)
}

/// A bot with its workspace and Owner, for lists.
#[derive(Debug, Clone, FromRow)]
pub struct BotRow {
    pub id: Uuid,
    pub name: String,
    pub workspace_id: Uuid,
    pub workspace_name: String,
    pub owner_id: Option<Uuid>,
    pub owner_name: Option<String>,
    pub owner_email: Option<String>,
    pub members: i64,
    pub created_at: i64,
}

const BOT_ROW: &str = "SELECT b.id, b.name, w.id AS workspace_id, w.name AS workspace_name, \
     o.id AS owner_id, o.first_name || ' ' || o.last_name AS owner_name, o.email AS owner_email, \
     (SELECT count(*) FROM bot_members c WHERE c.bot_id = b.id) AS members, b.created_at \
     FROM bots b JOIN workspaces w ON w.id = b.workspace_id \
     LEFT JOIN bot_members m ON m.bot_id = b.id AND m.role = 'owner' \
     LEFT JOIN users o ON o.id = m.user_id";

/// The bots of `account`, by workspace then name; `None` lists every workspace.
pub async fn list(db: &Db, account: AccountId, within: Option<&[WorkspaceId]>) -> Result<Vec<BotRow>, StoreError> {
    let rows: Vec<BotRow> = db
        .run()
        .fetch_all(
            Sql::new(format!("{BOT_ROW} WHERE w.account_id = $1 ORDER BY lower(w.name), w.id, lower(b.name), b.id"))
                .bind(account.0),
        )
        .await?;
    Ok(match within {
        None => rows,
        Some(ws) => rows.into_iter().filter(|b| ws.contains(&WorkspaceId(b.workspace_id))).collect(),
    })
}

/// One bot of `account`.
pub async fn find(db: &Db, account: AccountId, bot: BotId) -> Result<Option<BotRow>, StoreError> {
    db.run()
        .fetch_optional(
            Sql::new(format!("{BOT_ROW} WHERE w.account_id = $1 AND b.id = $2")).bind(account.0).bind(bot.0),
        )
        .await
}

/// One bot a user can access, with their role on it.
#[derive(Debug, Clone, FromRow)]
pub struct UserBot {
    pub bot_id: Uuid,
    pub name: String,
    pub workspace_id: Uuid,
    pub workspace_name: String,
    #[sqlx(try_from = "String")]
    pub role: domain::bot::BotRole,
}

/// Every bot `user` has a role on, by workspace then bot name.
pub async fn of_user(db: &Db, user: UserId) -> Result<Vec<UserBot>, StoreError> {
    db.run()
        .fetch_all(
            Sql::new(
                "SELECT b.id AS bot_id, b.name, w.id AS workspace_id, w.name AS workspace_name, m.role \
             FROM bot_members m JOIN bots b ON b.id = m.bot_id JOIN workspaces w ON w.id = b.workspace_id \
             WHERE m.user_id = $1 ORDER BY lower(w.name), w.id, lower(b.name), b.id",
            )
            .bind(user.0),
        )
        .await
}

/// `user`'s role on `bot`, if any.
/// Errors: the database's, or [`StoreError::Corrupt`] for a stored role this release does
/// not know.
pub async fn role_of(db: &Db, bot: BotId, user: UserId) -> Result<Option<BotRole>, StoreError> {
    let stored: Option<String> = db
        .run()
        .fetch_scalar(
            Sql::new("SELECT role FROM bot_members WHERE bot_id = $1 AND user_id = $2").bind(bot.0).bind(user.0),
        )
        .await?;
    stored.map(|r| r.parse().map_err(|e| StoreError::Corrupt(format!("a bot role: {e}")))).transpose()
}

/// Gives `user` the Developer or Tester `role` on `bot` (adding or changing it) with the
/// audit event, in one transaction. False, changing nothing, when the user is the bot's
/// Owner (that role moves only by transfer) or not a member of the bot's workspace.
pub async fn set_role(
    db: &Db,
    bot: BotId,
    user: UserId,
    role: BotRole,
    audit: &NewAuditEvent,
) -> Result<bool, StoreError> {
    debug_assert!(role.is_assignable());
    let upsert = Sql::new(
        "INSERT INTO bot_members (bot_id, user_id, role) \
         SELECT b.id, ms.user_id, $3 FROM bots b JOIN memberships ms ON ms.workspace_id = b.workspace_id \
         WHERE b.id = $1 AND ms.user_id = $2 \
         ON CONFLICT (bot_id, user_id) DO UPDATE SET role = excluded.role WHERE bot_members.role <> 'owner'",
    )
    .bind(bot.0)
    .bind(user.0)
    .bind(role.as_str());
    audit::commit_audited(db, upsert, audit).await
}

/// Takes `user`'s Developer or Tester role on `bot` away, with the audit event. False when
/// they had none, or are the Owner (never removed here).
pub async fn remove_role(db: &Db, bot: BotId, user: UserId, audit: &NewAuditEvent) -> Result<bool, StoreError> {
    let delete = Sql::new("DELETE FROM bot_members WHERE bot_id = $1 AND user_id = $2 AND role <> 'owner'")
        .bind(bot.0)
        .bind(user.0);
    audit::commit_audited(db, delete, audit).await
}

/// One change of Owner: `bot` goes from `from` to `to`.
#[derive(Debug, Clone, Copy)]
pub struct Transfer {
    pub bot: BotId,
    pub from: UserId,
    pub to: UserId,
}

/// Moves ownership within the open transaction `tx`; whether it happened (when not, the
/// caller must not commit: the old Owner may already be demoted). The old Owner stays as
/// Developer; the new one must still be an active, undeleted member of the bot's workspace
/// (checked here too, under a lock on their row, so a change or a deletion in between
/// cannot slip through).
pub(crate) async fn transfer_in(tx: &mut Tx, t: &Transfer) -> Result<bool, StoreError> {
    lock_user(tx, t.to).await?;
    let demoted = tx
        .run()
        .execute(
            Sql::new("UPDATE bot_members SET role = 'developer' WHERE bot_id = $1 AND user_id = $2 AND role = 'owner'")
                .bind(t.bot.0)
                .bind(t.from.0),
        )
        .await?;
    if demoted != 1 {
        return Ok(false);
    }
    let promoted = tx
        .run()
        .execute(
            Sql::new(
                "INSERT INTO bot_members (bot_id, user_id, role) \
                 SELECT b.id, u.id, 'owner' FROM bots b \
                 JOIN memberships ms ON ms.workspace_id = b.workspace_id \
                 JOIN users u ON u.id = ms.user_id \
                 WHERE b.id = $1 AND u.id = $2 AND u.status = 'active' AND u.deleted_at IS NULL \
                 ON CONFLICT (bot_id, user_id) DO UPDATE SET role = 'owner'",
            )
            .bind(t.bot.0)
            .bind(t.to.0),
        )
        .await?;
    Ok(promoted == 1)
}

/// Transfers ownership of one bot with its audit events, in one transaction. False, changing
/// nothing, when `from` no longer owns the bot or `to` may not own it.
pub async fn transfer(db: &Db, t: &Transfer, audit: &[NewAuditEvent]) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    let done = transfer_in(&mut tx, t).await?;
    if done {
        for event in audit {
            audit::insert(&mut tx, event).await?;
        }
    }
    tx.finish(done).await?;
    Ok(done)
}

/// Someone who may become a bot's Owner: an active member of its workspace.
#[derive(Debug, Clone, FromRow)]
pub struct Candidate {
    pub id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
}

/// Active, undeleted members of `workspace` whose name or email contains `q`
/// (case-insensitive), by name; at most `limit` ([`crate::users::people::matching`]: the
/// users search index, as the users list).
pub async fn owner_candidates(
    db: &Db,
    account: AccountId,
    workspace: WorkspaceId,
    q: &str,
    limit: u32,
) -> Result<Vec<Candidate>, StoreError> {
    people::matching(db, account, Among::ActiveMembersOf(workspace), q, limit).await
}

/// Active, undeleted members of `workspace` named exactly by `key`; at most 10, by email.
pub async fn active_members_keyed(
    db: &Db,
    account: AccountId,
    workspace: WorkspaceId,
    key: PersonKey<'_>,
) -> Result<Vec<Candidate>, StoreError> {
    people::keyed(db, account, Among::ActiveMembersOf(workspace), key, 10).await
}
