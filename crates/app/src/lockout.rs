//! Lifting a lockout by hand, and what the profile shows about one.

use crate::audit;
use crate::authz::{OnUser, UsersManage};
use crate::clock::Micros;
use crate::{AppCtx, AppError};
use serde_json::json;

/// How many recent failures the profile lists.
pub const SHOWN_FAILURES: u32 = 5;

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
