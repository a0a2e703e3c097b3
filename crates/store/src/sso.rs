//! Single sign-on's storage: the sign-ins sent to the OpenID provider (found again by
//! their `state`, each usable once), the user an SSO sign-in matches, and the changes it
//! makes — an invited user activated, an unknown one created, the attribute mapping applied
//! — each with its audit events in one transaction.

use crate::audit::{self, NewAuditEvent};
use crate::sql::Sql;
use crate::tokens::TokenPurpose;
use crate::users::NewUser;
use crate::{Db, Micros, StoreError};
use domain::ids::{AccountId, AdminRoleId, GroupId, UserId, WorkspaceId};
use domain::user::{BuilderAccess, UserStatus};
use sqlx::FromRow;
use uuid::Uuid;

/// A sign-in sent to the provider.
#[derive(Debug, Clone)]
pub struct NewSignIn {
    /// SHA-256 of the `state` parameter (the state itself only travels through the browser).
    pub state_hash: Vec<u8>,
    pub account_id: AccountId,
    pub nonce: String,
    pub pkce_verifier: String,
    /// Where to go once signed in (a path on this site).
    pub next_path: String,
    pub created_at: Micros,
    pub expires_at: Micros,
}

/// Stores `s`, deleting sign-ins that expired (so the table stays small).
pub async fn begin(db: &Db, s: &NewSignIn) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    tx.run().execute(Sql::new("DELETE FROM sso_sign_ins WHERE expires_at < $1").bind(s.created_at)).await?;
    let insert = Sql::new(
        "INSERT INTO sso_sign_ins (state_hash, account_id, nonce, pkce_verifier, next_path, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(s.state_hash.as_slice())
    .bind(s.account_id.0)
    .bind(s.nonce.as_str())
    .bind(s.pkce_verifier.as_str())
    .bind(s.next_path.as_str())
    .bind(s.created_at)
    .bind(s.expires_at);
    tx.run().execute(insert).await?;
    tx.commit().await
}

/// A sign-in the provider sent back.
#[derive(Debug, Clone, FromRow)]
pub struct PendingSignIn {
    pub account_id: Uuid,
    pub nonce: String,
    pub pkce_verifier: String,
    pub next_path: String,
}

/// Spends the live sign-in whose state hashes to `state_hash`, atomically (one `UPDATE …
/// RETURNING`): `None` when it is unknown, expired or already spent (a replay).
pub async fn take(db: &Db, state_hash: &[u8], now: Micros) -> Result<Option<PendingSignIn>, StoreError> {
    db.run()
        .fetch_optional(
            Sql::new(
                "UPDATE sso_sign_ins SET used_at = $1 WHERE state_hash = $2 AND used_at IS NULL AND expires_at > $1 \
                 RETURNING account_id, nonce, pkce_verifier, next_path",
            )
            .bind(now)
            .bind(state_hash),
        )
        .await
}

/// The user an SSO sign-in matched, with what the mapping governs.
#[derive(Debug, Clone, FromRow)]
pub struct SsoUser {
    pub id: Uuid,
    #[sqlx(try_from = "String")]
    pub status: UserStatus,
    pub deleted: bool,
    pub is_primary_admin: bool,
    #[sqlx(try_from = "String")]
    pub builder_access: BuilderAccess,
    pub admin_role: Option<String>,
    pub security_settings: Option<String>,
    /// When a lockout ends (microseconds), for a Locked user.
    pub lock_until: Option<i64>,
}

/// The user of `account` with this canonical email key (a live one before a deleted one).
pub async fn find_user(db: &Db, account: AccountId, email_key: &str) -> Result<Option<SsoUser>, StoreError> {
    let sql = "SELECT u.id, u.status, u.deleted_at IS NOT NULL AS deleted, u.is_primary_admin, u.builder_access, \
         r.name AS admin_role, st.value AS security_settings, u.lock_until \
         FROM users u LEFT JOIN admin_roles r ON r.id = u.admin_role_id \
         LEFT JOIN settings st ON st.account_id = u.account_id AND st.key = 'security' \
         WHERE u.account_id = $1 AND u.email_key = $2 ORDER BY u.deleted_at IS NULL DESC LIMIT 1";
    db.run().fetch_optional(Sql::new(sql).bind(account.0).bind(email_key)).await
}

/// Makes the invited `user` active without a password and spends their invitation links,
/// with `audit`, atomically. False (nothing changes) when they are no longer invited.
pub async fn activate_invited(db: &Db, user: UserId, now: Micros, audit: &NewAuditEvent) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    let activate = Sql::new(
        "UPDATE users SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND status = $4 \
         AND deleted_at IS NULL",
    )
    .bind(UserStatus::Active.as_str())
    .bind(now)
    .bind(user.0)
    .bind(UserStatus::Invited.as_str());
    let changed = audit::update_audited(&mut tx, activate, audit).await?;
    if changed {
        let spend =
            Sql::new("UPDATE user_tokens SET used_at = $1 WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL")
                .bind(now)
                .bind(user.0)
                .bind(TokenPurpose::Invitation.as_str());
        tx.run().execute(spend).await?;
    }
    tx.finish(changed).await?;
    Ok(changed)
}

/// The account's default workspace: its oldest.
pub async fn default_workspace(db: &Db, account: AccountId) -> Result<Option<WorkspaceId>, StoreError> {
    let sql = "SELECT id FROM workspaces WHERE account_id = $1 ORDER BY created_at, id LIMIT 1";
    Ok(db.run().fetch_scalar::<Uuid>(Sql::new(sql).bind(account.0)).await?.map(WorkspaceId))
}

/// Creates `user` (with memberships) and appends `audit`, atomically.
pub async fn create_user(db: &Db, user: &NewUser, audit: &NewAuditEvent) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    crate::users::insert_in(&mut tx, std::slice::from_ref(user)).await?;
    audit::insert(&mut tx, audit).await?;
    tx.commit().await
}

/// What an attribute mapping changes, resolved to ids.
#[derive(Debug, Clone, Default)]
pub struct MappingChange {
    pub join: Vec<GroupId>,
    pub leave: Vec<GroupId>,
    /// `Some(None)` takes the admin role away.
    pub role: Option<Option<AdminRoleId>>,
    pub builder_access: Option<BuilderAccess>,
}

/// Applies `change` to `user` with `audit`, atomically. The Primary Master Admin's role is
/// never changed here, whatever `change` says (the statement excludes them).
pub async fn apply_mapping(
    db: &Db,
    user: UserId,
    change: &MappingChange,
    now: Micros,
    audit: &NewAuditEvent,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    for g in &change.join {
        tx.run().execute(crate::groups::join(*g, user)).await?;
    }
    for g in &change.leave {
        tx.run().execute(crate::groups::leave(*g, user)).await?;
    }
    if let Some(role) = change.role {
        let set = Sql::new(
            "UPDATE users SET admin_role_id = $1, version = version + 1, updated_at = $2 \
             WHERE id = $3 AND NOT is_primary_admin",
        );
        tx.run().execute(set.bind(role.map(|r| r.0)).bind(now).bind(user.0)).await?;
    }
    if let Some(access) = change.builder_access {
        let set =
            Sql::new("UPDATE users SET builder_access = $1, version = version + 1, updated_at = $2 WHERE id = $3");
        tx.run().execute(set.bind(access.as_str()).bind(now).bind(user.0)).await?;
    }
    audit::insert(&mut tx, audit).await?;
    tx.commit().await
}

/// The settings document key of the provider settings.
pub const SETTINGS_KEY: &str = "sso";
/// The settings document key of the last passed connection test (`{"fingerprint": …}`).
pub const TESTED_KEY: &str = "sso_tested";

/// What a save read before deciding: the stored settings document (`None`: never saved)
/// and the switch.
#[derive(Debug, Clone, Copy)]
pub struct Seen<'a> {
    pub doc: Option<&'a str>,
    pub enabled: bool,
}

/// Saves the provider settings `doc` and the SSO switch `enabled`, with `audit`, in one
/// transaction (so SSO is never on with other settings than the ones checked) — only over
/// what the save decided on (`seen`): a compare-and-swap on the stored document and the
/// switch, so a save never undoes a change made since it read them (a concurrent trust
/// change by the Primary Master Admin). False, writing nothing, when either changed.
pub async fn save_settings(
    db: &Db,
    account: AccountId,
    seen: Seen<'_>,
    doc: &str,
    enabled: bool,
    now: Micros,
    audit: &NewAuditEvent,
) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    let write = match seen.doc {
        Some(old) => Sql::new(
            "UPDATE settings SET value = $1, updated_at = $2 WHERE account_id = $3 AND key = $4 AND value = $5",
        )
        .bind(doc)
        .bind(now)
        .bind(account.0)
        .bind(SETTINGS_KEY)
        .bind(old),
        None => Sql::new(
            "INSERT INTO settings (account_id, key, value, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (account_id, key) DO NOTHING",
        )
        .bind(account.0)
        .bind(SETTINGS_KEY)
        .bind(doc)
        .bind(now),
    };
    let written = tx.run().execute(write).await? == 1;
    let switch = Sql::new("UPDATE accounts SET sso_enabled = $1 WHERE id = $2 AND sso_enabled = $3")
        .bind(enabled)
        .bind(account.0)
        .bind(seen.enabled);
    let switched = tx.run().execute(switch).await? == 1;
    if !(written && switched) {
        tx.rollback().await?;
        return Ok(false);
    }
    audit::insert(&mut tx, audit).await?;
    tx.commit().await?;
    Ok(true)
}

/// The account of a sign-in whose state hashes to `state_hash`, spent or not (to audit a
/// replayed or expired callback in its account).
pub async fn sign_in_account(db: &Db, state_hash: &[u8]) -> Result<Option<AccountId>, StoreError> {
    let sql = Sql::new("SELECT account_id FROM sso_sign_ins WHERE state_hash = $1").bind(state_hash);
    Ok(db.run().fetch_scalar::<Uuid>(sql).await?.map(AccountId))
}

/// The slug of `account`.
pub async fn account_slug(db: &Db, account: AccountId) -> Result<Option<String>, StoreError> {
    db.run().fetch_scalar(Sql::new("SELECT slug FROM accounts WHERE id = $1").bind(account.0)).await
}
