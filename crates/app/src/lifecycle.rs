//! Status changes an admin makes: suspend and activate. Suspending ends every session at
//! once, on every instance.

use crate::audit::{self, action};
use crate::authz::{OnUser, UsersManage};
use crate::{AppCtx, AppError, clock};
use domain::user::UserStatus;
use serde_json::json;
use store::sessions::Ending;

async fn current_status(ctx: &AppCtx, may: &OnUser<UsersManage>) -> Result<UserStatus, AppError> {
    let user = store::users::find(&ctx.db, may.account, may.user).await?.ok_or(AppError::NotFound)?;
    if user.is_primary_admin {
        return Err(AppError::Conflict("the Primary Master Admin cannot be suspended".into()));
    }
    Ok(user.status.parse()?)
}

/// Suspends an active or locked user and ends all their sessions. 409 with the reason for
/// any other status.
pub async fn suspend(ctx: &AppCtx, may: &OnUser<UsersManage>) -> Result<(), AppError> {
    let from = current_status(ctx, may).await?;
    let to = from.suspend()?;
    let ending = Ending {
        by_user: Some(may.actor.user),
        for_workspace: may.actor.workspace,
        cause: "suspended",
        reason: Some("the user was suspended".into()),
        at: clock::now(),
    };
    let event = audit::by(&may.actor, action::USER_SUSPENDED, Some(may.user), json!({"from": from, "to": to}));
    if !store::users::change_status(&ctx.db, may.user, from, to, Some(&ending), &event).await? {
        return Err(AppError::Conflict("the user's status changed meanwhile; reload and try again".into()));
    }
    Ok(())
}

/// Re-activates a suspended user. 409 with the reason for any other status (an invited user
/// must accept the invitation; a locked one is unlocked instead).
pub async fn activate(ctx: &AppCtx, may: &OnUser<UsersManage>) -> Result<(), AppError> {
    let from = current_status(ctx, may).await?;
    let to = from.activate()?;
    let event = audit::by(&may.actor, action::USER_ACTIVATED, Some(may.user), json!({"from": from, "to": to}));
    if !store::users::change_status(&ctx.db, may.user, from, to, None, &event).await? {
        return Err(AppError::Conflict("the user's status changed meanwhile; reload and try again".into()));
    }
    Ok(())
}
