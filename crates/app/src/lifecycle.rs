//! Status changes an admin makes: suspend and activate. Suspending ends every session at
//! once, on every instance.

use crate::audit;
use crate::authz::{OnUser, UsersManage};
use crate::{AppCtx, AppError, clock};
use domain::role::AdminRole;
use domain::user::UserStatus;
use serde_json::json;
use store::sessions::Ending;

/// The status the change starts from, as the capability loaded it. Nobody changes their own
/// status here (403); the Primary Master Admin's never changes (409).
fn current_status(may: &OnUser<UsersManage>) -> Result<UserStatus, AppError> {
    let target = may.target();
    if target.role == AdminRole::PrimaryMasterAdmin {
        return Err(AppError::Conflict("the Primary Master Admin cannot be suspended".into()));
    }
    may.refuse_self("change your own status")?;
    Ok(target.row.status)
}

/// Suspends an active or locked user and ends all their sessions. 409 with the reason for
/// any other status.
pub async fn suspend(ctx: &AppCtx, may: &OnUser<UsersManage>) -> Result<(), AppError> {
    let from = current_status(may)?;
    let to = from.suspend()?;
    let ending = Ending {
        by_user: Some(may.actor.user),
        for_workspace: may.actor.workspace,
        cause: domain::closed::EndCause::Suspended,
        reason: Some("the user was suspended".into()),
        at: clock::now(),
    };
    let event = audit::by(
        &may.actor,
        domain::closed::AuditAction::UserSuspended,
        Some(may.user),
        json!({"from": from, "to": to}),
    );
    if !store::users::change_status(&ctx.db, may.user, from, to, Some(&ending), &event).await? {
        return Err(AppError::Conflict("the user's status changed meanwhile; reload and try again".into()));
    }
    Ok(())
}

/// Re-activates a suspended user. 409 with the reason for any other status (an invited user
/// must accept the invitation; a locked one is unlocked instead).
pub async fn activate(ctx: &AppCtx, may: &OnUser<UsersManage>) -> Result<(), AppError> {
    let from = current_status(may)?;
    let to = from.activate()?;
    let event = audit::by(
        &may.actor,
        domain::closed::AuditAction::UserActivated,
        Some(may.user),
        json!({"from": from, "to": to}),
    );
    if !store::users::change_status(&ctx.db, may.user, from, to, None, &event).await? {
        return Err(AppError::Conflict("the user's status changed meanwhile; reload and try again".into()));
    }
    Ok(())
}
