//! Login sessions: created at sign-in, looked up by token hash on every request, ended by
//! their user, an admin, a lockout or a timeout. Ended sessions stay as history.

use crate::audit::NewAuditEvent;
use crate::outbox::NewMail;
use crate::sql::{Sql, Tx};
use crate::{Db, Micros, StoreError};
use domain::closed::EndCause;
use domain::ids::{SessionId, UserId, WorkspaceId};
use sqlx::FromRow;
use uuid::Uuid;

/// A session to create. The secret token itself is never stored, only its hash.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: SessionId,
    pub token_hash: Vec<u8>,
    pub user_id: UserId,
    pub workspace_id: Option<WorkspaceId>,
    pub csrf_token: String,
    pub device_type: String,
    pub browser: String,
    pub os: String,
    pub ip: String,
    pub user_agent: String,
    pub created_at: Micros,
    pub expires_at: Micros,
    /// The User Settings in force now, packed; the session keeps them until it ends.
    pub profile_settings: i64,
}

/// Sessions per INSERT: 15 columns × 2,000 rows stays under both backends' limit on bound
/// parameters.
pub(crate) const SESSIONS_PER_STATEMENT: usize = 2000;

/// The INSERT of `sessions` (at most [`SESSIONS_PER_STATEMENT`]). A session starts acting for
/// the workspace it signed in to, and its last activity is its creation.
pub(crate) fn insert_sql(sessions: &[NewSession]) -> Sql {
    let mut sql = Sql::new(
        "INSERT INTO sessions (id, token_hash, user_id, workspace_id, current_workspace_id, csrf_token, \
         device_type, browser, os, ip, user_agent, created_at, last_activity_at, expires_at, profile_settings) ",
    );
    sql.push_values(sessions, |row, s| {
        let workspace = s.workspace_id.map(|w| w.0);
        row.bind(s.id.0)
            .bind(&s.token_hash)
            .bind(s.user_id.0)
            .bind(workspace)
            .bind(workspace)
            .bind(&s.csrf_token)
            .bind(&s.device_type)
            .bind(&s.browser)
            .bind(&s.os)
            .bind(&s.ip)
            .bind(&s.user_agent)
            .bind(s.created_at)
            .bind(s.created_at)
            .bind(s.expires_at)
            .bind(s.profile_settings);
    });
    sql
}

pub async fn create(db: &Db, s: &NewSession) -> Result<(), StoreError> {
    db.run().execute(insert_sql(std::slice::from_ref(s))).await?;
    Ok(())
}

/// Opens `s` for a user who just signed in: the session, the user's last sign-in (and,
/// when `clear_failures` — a password proved right —, a cleared failure count) and the
/// audit event, in one transaction (one commit, so one flush to disk, per sign-in).
pub async fn open(db: &Db, s: &NewSession, audit: &NewAuditEvent, clear_failures: bool) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    tx.run().execute(insert_sql(std::slice::from_ref(s))).await?;
    crate::users::record_login_in(&mut tx, s.user_id, s.created_at, clear_failures).await?;
    crate::audit::insert(&mut tx, audit).await?;
    tx.commit().await
}

/// A session that has not been ended, with what authorization needs about its user and
/// their admin role, and the account's security settings (JSON, if ever saved) to judge
/// idle and absolute timeouts — all from one statement.
#[derive(Debug, Clone, FromRow)]
pub struct LiveSession {
    pub id: Uuid,
    pub user_id: Uuid,
    pub account_id: Uuid,
    pub workspace_id: Option<Uuid>,
    pub current_workspace_id: Option<Uuid>,
    /// The session acts for all workspaces (an account-wide admin's choice): no current one.
    pub all_workspaces: bool,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_activity_at: i64,
    pub expires_at: i64,
    /// The session's user.
    #[sqlx(flatten)]
    pub user: crate::targets::HolderColumns,
    pub security_settings: Option<String>,
    /// The session's copy of the User Settings (packed); `None` for older sessions.
    pub profile_settings: Option<i64>,
}

/// The session check's one statement: session by its unique token hash, joined with its
/// user (primary key), the user's role (primary key; permissions and workspaces by their
/// primary keys), the user's workspaces (memberships by user) and the account's security
/// settings (primary key).
fn find_live_sql(dialect: crate::dialect::Dialect) -> String {
    format!(
        "SELECT s.id, s.user_id, u.account_id, s.workspace_id, s.current_workspace_id, s.all_workspaces, s.csrf_token, \
         s.created_at, s.last_activity_at, s.expires_at, {}, \
         st.value AS security_settings, s.profile_settings \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         LEFT JOIN admin_roles r ON r.id = u.admin_role_id \
         LEFT JOIN settings st ON st.account_id = u.account_id AND st.key = 'security' \
         WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.expires_at > $2 AND u.deleted_at IS NULL",
        crate::targets::HolderColumns::select(dialect),
    )
}

/// The unended, unexpired session whose token hashes to `token_hash`, in one statement.
pub async fn find_live(db: &Db, token_hash: &[u8], now: Micros) -> Result<Option<LiveSession>, StoreError> {
    static SQL: crate::dialect::BuiltSql = crate::dialect::BuiltSql::new(find_live_sql);
    let sql = SQL.get(db.dialect());
    db.run().fetch_optional(Sql::new(sql).bind(token_hash).bind(now)).await
}

/// The plan of [`find_live`] (see [`crate::users::explain_list`]).
pub async fn explain_find_live(db: &Db, token_hash: &[u8], now: Micros) -> Result<String, StoreError> {
    db.run().explain(Sql::new(find_live_sql(db.dialect())).bind(token_hash).bind(now)).await
}

/// Saves the last activity of many sessions in one statement per 1,000 (never moving one
/// backwards): the session check batches these writes instead of one per request.
pub async fn touch_many(db: &Db, touches: &[(SessionId, Micros)]) -> Result<(), StoreError> {
    for chunk in touches.chunks(1000) {
        let mut sql = Sql::new("UPDATE sessions SET last_activity_at = v.column2 FROM (");
        sql.push_values(chunk, |row, (id, at)| {
            row.bind(id.0).bind(*at);
        });
        sql.push(") AS v WHERE sessions.id = v.column1 AND sessions.last_activity_at < v.column2");
        db.run().execute(sql).await?;
    }
    Ok(())
}

/// Records the workspace the session's user now acts for (`None`: all workspaces).
pub async fn set_current_workspace(db: &Db, id: SessionId, workspace: Option<WorkspaceId>) -> Result<(), StoreError> {
    let sql = Sql::new("UPDATE sessions SET current_workspace_id = $1, all_workspaces = $2 WHERE id = $3")
        .bind(workspace.map(|w| w.0))
        .bind(workspace.is_none())
        .bind(id.0);
    db.run().execute(sql).await?;
    Ok(())
}

/// Who ended sessions, and why.
#[derive(Debug, Clone)]
pub struct Ending {
    pub by_user: Option<UserId>,
    pub for_workspace: Option<WorkspaceId>,
    pub cause: EndCause,
    pub reason: Option<String>,
    pub at: Micros,
}

/// Ends every unended session of `user` (but `except`) with `ending` inside the open
/// transaction `tx` — for changes that end sessions as part of something larger (suspend,
/// delete, lockout, password reset or change).
pub(crate) async fn end_all_in(
    tx: &mut Tx,
    user: UserId,
    except: Option<SessionId>,
    ending: &Ending,
) -> Result<(), StoreError> {
    let mut sql = ending_update(user, ending);
    sql.push(" AND ($7 IS NULL OR id <> $7)");
    tx.run().execute(sql.bind(except.map(|s| s.0))).await?;
    Ok(())
}

/// Ends the unended sessions of `user` with `ending` ($1…$6); callers add conditions.
fn ending_update(user: UserId, ending: &Ending) -> Sql {
    Sql::new(
        "UPDATE sessions SET ended_at = $1, ended_by_user_id = $2, ended_by_workspace_id = $3, \
         end_cause = $4, end_reason = $5 WHERE user_id = $6 AND ended_at IS NULL",
    )
    .bind(ending.at)
    .bind(ending.by_user.map(|u| u.0))
    .bind(ending.for_workspace.map(|w| w.0))
    .bind(ending.cause.as_str())
    .bind(&ending.reason)
    .bind(user.0)
}

/// Which of a user's sessions to end.
#[derive(Debug, Clone, Copy)]
pub enum Which {
    One(SessionId),
    All,
    AllBut(SessionId),
}

/// Ends live sessions of `user` and appends `audit` (when given), in one transaction.
/// Returns the ids that were live and are now ended (none when they were already over).
pub async fn end(
    db: &Db,
    user: UserId,
    which: Which,
    ending: &Ending,
    audit: Option<&NewAuditEvent>,
) -> Result<Vec<Uuid>, StoreError> {
    end_and_mail(db, user, which, ending, audit, |_| Vec::new()).await
}

/// [`end`], queueing the messages `mail` makes from the number of sessions ended (when any
/// were) in the same transaction: a notice leaves only for a change that committed.
pub async fn end_and_mail(
    db: &Db,
    user: UserId,
    which: Which,
    ending: &Ending,
    audit: Option<&NewAuditEvent>,
    mail: impl FnOnce(usize) -> Vec<NewMail>,
) -> Result<Vec<Uuid>, StoreError> {
    let (one, except) = match which {
        Which::One(id) => (Some(id.0), None),
        Which::All => (None, None),
        Which::AllBut(id) => (None, Some(id.0)),
    };
    let mut tx = db.begin_write().await?;
    let mut sql = ending_update(user, ending);
    sql.push(" AND expires_at > $1 AND ($7 IS NULL OR id = $7) AND ($8 IS NULL OR id <> $8) RETURNING id");
    let ended: Vec<Uuid> = tx.run().fetch_column(sql.bind(one).bind(except)).await?;
    if let Some(event) = audit.filter(|_| !ended.is_empty()) {
        crate::audit::insert(&mut tx, event).await?;
    }
    if !ended.is_empty() {
        crate::outbox::enqueue_in(&mut tx, &mail(ended.len())).await?;
    }
    tx.commit().await?;
    Ok(ended)
}

/// A session as the Sessions tab shows it.
#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub id: Uuid,
    pub device_type: String,
    pub browser: String,
    pub os: String,
    pub ip: String,
    pub workspace_name: Option<String>,
    pub created_at: i64,
    pub last_activity_at: i64,
    pub expires_at: i64,
    pub ended_at: Option<i64>,
    #[sqlx(try_from = "crate::sql::NullableText")]
    pub end_cause: Option<EndCause>,
    pub end_reason: Option<String>,
    pub ended_by_email: Option<String>,
    pub ended_by_workspace_name: Option<String>,
}

const SESSION_COLUMNS: &str = "SELECT s.id, s.device_type, s.browser, s.os, s.ip, w.name AS workspace_name, \
     s.created_at, s.last_activity_at, s.expires_at, s.ended_at, s.end_cause, s.end_reason, \
     b.email AS ended_by_email, bw.name AS ended_by_workspace_name \
     FROM sessions s LEFT JOIN workspaces w ON w.id = s.workspace_id \
     LEFT JOIN users b ON b.id = s.ended_by_user_id LEFT JOIN workspaces bw ON bw.id = s.ended_by_workspace_id ";

/// The user's live sessions (newest first) and their most recent ended ones (at most
/// `history` of them, newest first). Expired sessions count as ended.
pub async fn for_user(
    db: &Db,
    user: UserId,
    now: Micros,
    history: u32,
) -> Result<(Vec<SessionRow>, Vec<SessionRow>), StoreError> {
    let live = db
        .run()
        .fetch_all(
            Sql::new(format!(
                "{SESSION_COLUMNS} WHERE s.user_id = $1 AND s.ended_at IS NULL AND s.expires_at > $2 \
                 ORDER BY s.created_at DESC, s.id DESC"
            ))
            .bind(user.0)
            .bind(now),
        )
        .await?;
    let ended = db
        .run()
        .fetch_all(
            Sql::new(format!(
                "{SESSION_COLUMNS} WHERE s.user_id = $1 AND (s.ended_at IS NOT NULL OR s.expires_at <= $2) \
                 ORDER BY coalesce(s.ended_at, s.expires_at) DESC, s.id DESC LIMIT $3"
            ))
            .bind(user.0)
            .bind(now)
            .bind(i64::from(history)),
        )
        .await?;
    Ok((live, ended))
}
