//! Finding people among an account's users by what an admin types: the audit log's person
//! filter ([`crate::audit_people`]) and a bot's owner candidates ([`crate::bots`]) ask the
//! same questions — whose name or email contains this, who is named exactly this — among
//! different users ([`Among`]).

use super::search::Term;
use crate::sql::{Record, Sql};
use crate::{Db, StoreError};
use domain::ids::{AccountId, WorkspaceId};

/// Which of the account's users a search looks among.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Among {
    /// Every user, deleted ones too (the audit log keeps who they were).
    Everyone,
    /// Active, undeleted members of the workspace (who may own its bots).
    ActiveMembersOf(WorkspaceId),
}

/// How a person is named exactly.
#[derive(Debug, Clone, Copy)]
pub enum PersonKey<'a> {
    /// An email's canonical key ([`domain::user::Email::canonical_key`]).
    Email(&'a str),
    /// A full name lower-cased, single-spaced ("first last", as `users.name_key`).
    Name(&'a str),
}

/// The columns every search returns; a row type reads those it has (`deleted`: soft-deleted
/// or purged).
const COLUMNS: &str = "u.id, u.email, u.first_name, u.last_name, u.deleted_at IS NOT NULL AS deleted";

/// Users of `account` among `among` meeting the condition `condition` appends (` AND …`),
/// in `order`; at most `limit`. For an active member, `LIMIT 1` keeps the EXISTS a key
/// lookup per user (see `users::list` on SQLite's EXISTS-to-join).
async fn find<T: Record>(
    db: &Db,
    account: AccountId,
    among: Among,
    condition: impl FnOnce(&mut Sql),
    order: &str,
    limit: u32,
) -> Result<Vec<T>, StoreError> {
    let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM users u WHERE u.account_id = $1")).bind(account.0);
    condition(&mut sql);
    if let Among::ActiveMembersOf(w) = among {
        sql.push(
            " AND u.status = 'active' AND u.deleted_at IS NULL \
             AND EXISTS (SELECT 1 FROM memberships ms WHERE ms.user_id = u.id AND ms.workspace_id = ",
        )
        .push_bind(w.0)
        .push(" LIMIT 1)");
    }
    sql.push(&format!(" ORDER BY {order} LIMIT ")).push_bind(i64::from(limit));
    db.run().fetch_all(sql).await
}

/// Users of `account` among `among` matching `q` as the users list's search does
/// ([`Term`]: anywhere from three characters, the start of a name or email below), by name;
/// at most `limit`; an empty `q` matches everyone. The match uses the list's indexes, so
/// suggestions stay quick in an account of a million users.
pub(crate) async fn matching<T: Record>(
    db: &Db,
    account: AccountId,
    among: Among,
    q: &str,
    limit: u32,
) -> Result<Vec<T>, StoreError> {
    let term = Term::parse(q.trim());
    let condition = |sql: &mut Sql| term.iter().for_each(|t| t.push_condition(sql, db.dialect()));
    find(db, account, among, condition, "u.name_key, u.id", limit).await
}

/// Users of `account` among `among` named exactly by `key`, by email; at most `limit`. Each
/// kind of key has its own index (users_account_email, users_by_name).
pub(crate) async fn keyed<T: Record>(
    db: &Db,
    account: AccountId,
    among: Among,
    key: PersonKey<'_>,
    limit: u32,
) -> Result<Vec<T>, StoreError> {
    let (condition, key) = match key {
        PersonKey::Email(k) => ("u.email_key = ", k),
        PersonKey::Name(k) => ("u.name_key = ", k),
    };
    find(
        db,
        account,
        among,
        |sql| _ = sql.push(" AND ").push(condition).push_bind(key.to_owned()),
        "u.email_key, u.id",
        limit,
    )
    .await
}
