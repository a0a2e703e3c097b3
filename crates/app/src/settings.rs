//! Account settings: the security settings (lockout, session lifetimes, password policy).

use crate::audit;
use crate::authz::{InAccount, SettingsManage};
use crate::clock;
use crate::{AppCtx, AppError, Input};
use domain::ids::AccountId;
use domain::security::SecuritySettings;
use serde_json::json;

const SECURITY: &str = "security";

/// Reads stored settings JSON; anything unreadable falls back to the defaults (and is logged),
/// so a bad row can never lock everyone out.
pub fn parse_security(stored: Option<&str>) -> SecuritySettings {
    match stored.map(serde_json::from_str::<SecuritySettings>) {
        None => SecuritySettings::default(),
        Some(Ok(s)) => s,
        Some(Err(e)) => {
            tracing::error!(error = %e, "stored security settings are unreadable; using defaults");
            SecuritySettings::default()
        }
    }
}

pub async fn security(ctx: &AppCtx, account: AccountId) -> Result<SecuritySettings, AppError> {
    Ok(parse_security(store::settings::get(&ctx.db, account, SECURITY).await?.as_deref()))
}

/// The security settings, for the admins who manage them.
pub async fn read_security(ctx: &AppCtx, may: &InAccount<SettingsManage>) -> Result<SecuritySettings, AppError> {
    security(ctx, may.account).await
}

/// Validates and saves new security settings, recording old and new values in the audit log;
/// settings equal to the stored ones write nothing. Every bad field is refused at once,
/// with those that went unread, and nothing is written.
pub async fn update_security(
    ctx: &AppCtx,
    may: &InAccount<SettingsManage>,
    new: Input<SecuritySettings>,
) -> Result<SecuritySettings, AppError> {
    let (new, mut problems) = new.open();
    for (field, why) in new.problems() {
        problems.refuse(field, why);
    }
    problems.finish()?;
    let old = security(ctx, may.account).await?;
    if old == new {
        // Nothing changes, so nothing is written or audited.
        return Ok(old);
    }
    let value = serde_json::to_string(&new).map_err(|e| AppError::Internal(e.to_string()))?;
    let event = audit::by(
        &may.actor,
        domain::closed::AuditAction::SecuritySettingsChanged,
        None,
        json!({"old": old, "new": &new}),
    );
    store::settings::put(&ctx.db, may.account, SECURITY, &value, clock::now(), &event).await?;
    Ok(new)
}
