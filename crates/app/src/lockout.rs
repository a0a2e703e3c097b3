//! Lifting a lockout by hand (an admin, or the operator at the command line) or by its
//! timer at the next sign-in ([`status_at_sign_in`]), and what the profile shows about one.
//!
//! What a lockout shuts: every way in — the password sign-in, Bypass SSO, a password
//! change's current password, and SSO (issue 15: "Suspended, Locked, deleted → refused";
//! Okta and Keycloak refuse a locked user's brokered sign-in too). It exists to stop
//! password guessing, and must not become a way to shut people out of SSO by typing wrong
//! passwords for them: under SSO only admins have a password way in (Bypass SSO), so only
//! their wrong passwords count ([`domain::user::PasswordWay`]); a member's never do.
//! (keycloak/keycloak#38874 discusses the same denial of service.) A Locked creator's API
//! tokens keep working ([`domain::user::UserStatus::may_use_api_tokens`]).
//!
//! An SSO sign-in neither lifts a running lock nor clears the count of failed passwords: the
//! count is of consecutive wrong passwords, and only a right password (or an unlock)
//! resets it, as in Okta ("any successful password login resets the counter"). Were an
//! SSO sign-in to reset it, each of the user's daily SSO sign-ins would hand someone
//! guessing their password (an admin's, at Bypass SSO) a fresh budget of attempts. The
//! lock still ends by its timer (lifted at the next sign-in of any kind, SSO included:
//! [`status_at_sign_in`]), an admin or the operator, or a password reset.

use crate::audit;
use crate::authz::{OnUser, UsersManage};
use crate::clock::Micros;
use crate::{AppCtx, AppError};
use domain::ids::{AccountId, UserId};
use domain::user::UserStatus;
use serde_json::json;

/// How many recent failures the profile lists.
pub const SHOWN_FAILURES: u32 = 5;

/// The status every sign-in (password, Bypass SSO, SSO) starts from: a Locked user whose
/// lock has run out (`lock_until`, microseconds, at or before `now`) is unlocked now —
/// audited as `user.unlocked` with `{"by": "timer"}` when this call lifted it — and judged
/// Active; any other status is as stored. The one timer rule, so no way in refuses a lock
/// another would lift. (A running lock refuses SSO too:
/// [`domain::user::UserStatus::sso_sign_in`].)
pub(crate) async fn status_at_sign_in(
    ctx: &AppCtx,
    account: AccountId,
    user: UserId,
    status: UserStatus,
    lock_until: Option<Micros>,
    now: Micros,
) -> Result<UserStatus, AppError> {
    if status != UserStatus::Locked || lock_until.is_none_or(|t| t > now) {
        return Ok(status);
    }
    if store::lockout::unlock_if_due(&ctx.db, user, now).await? {
        let unlocked = domain::closed::AuditAction::UserUnlocked;
        let event = audit::unattended(account, unlocked, Some(user), "", json!({"by": "timer"}));
        audit::record(ctx, &event).await?;
    }
    Ok(UserStatus::Active)
}

/// Unlocks a locked user. 409 (with the reason) when the user is not locked.
pub async fn unlock(ctx: &AppCtx, may: &OnUser<UsersManage>) -> Result<(), AppError> {
    may.refuse_self("change your own status")?;
    may.target().row.status.unlock()?;
    let event =
        audit::by(&may.actor, domain::closed::AuditAction::UserUnlocked, Some(may.user), json!({"by": "admin"}));
    if !store::lockout::unlock(&ctx.db, may.user, &event).await? {
        return Err(AppError::Conflict("the user is no longer locked".into()));
    }
    Ok(())
}

/// The operator's unlock (`roster user unlock EMAIL [--account SLUG]`): unlocks the locked
/// user with `email` in the account `account` (by slug; `None`: the only account), audited
/// as `user.unlocked` with no actor and details `{"by": "operator"}`. 400 naming `account`
/// for an unknown slug (or several accounts and none named), 400 naming `email` for an
/// email that is no user there, 409 when the user is not locked. Returns the user's id.
pub async fn operator_unlock(ctx: &AppCtx, account: Option<&str>, email: &str) -> Result<UserId, AppError> {
    let account = crate::accounts::pick(ctx, account).await?;
    let key =
        domain::user::Email::try_from(email).map_err(|_| AppError::invalid("email", "is not an email address"))?.key();
    let user = store::users::find_for_login(&ctx.db, &key, Some(&account.slug)).await?.into_iter().next().ok_or_else(
        || AppError::invalid("email", format!("no user of account {:?} has the email {email:?}", account.slug)),
    )?;
    let id = UserId(user.id);
    if user.status != domain::user::UserStatus::Locked {
        return Err(AppError::Conflict(format!(
            "{email} is not locked (their status is {}); there is nothing to unlock",
            user.status.as_str()
        )));
    }
    let event = audit::unattended(
        AccountId(account.id),
        domain::closed::AuditAction::UserUnlocked,
        Some(id),
        "",
        json!({"by": "operator"}),
    );
    if !store::lockout::unlock(&ctx.db, id, &event).await? {
        return Err(AppError::Conflict("the user is no longer locked".into()));
    }
    Ok(id)
}

/// Why a user is locked: recent failures (time, source IP) and when it lifts by itself.
#[derive(Debug, Clone)]
pub struct LockoutInfo {
    pub failed_logins: i32,
    pub locked_at: Option<Micros>,
    /// `None`: only an admin can unlock.
    pub unlocks_at: Option<Micros>,
    pub recent: Vec<store::lockout::FailureRow>,
}

pub async fn info<P>(ctx: &AppCtx, may: &OnUser<P>) -> Result<LockoutInfo, AppError> {
    let user = &may.target().row;
    let recent = store::lockout::recent_failures(&ctx.db, may.user, SHOWN_FAILURES).await?;
    Ok(LockoutInfo {
        failed_logins: user.failed_logins,
        locked_at: user.locked_at,
        unlocks_at: user.lock_until,
        recent,
    })
}
