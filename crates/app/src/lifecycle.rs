//! Status changes an admin makes: suspend and activate. Suspending ends every session at
//! once, on every instance (and revokes an invited user's invitation: the links of a
//! suspended user are spent); activating gives back a state the user can use — Active, or
//! Invited with a fresh invitation when they have no password and the account no SSO
//! ([`UserStatus::activate`]).

use crate::audit;
use crate::authz::{OnUser, UsersManage};
use crate::invitations::InviteOptions;
use crate::{AppCtx, AppError, clock};
use domain::ids::AccountId;
use domain::role::AdminRole;
use domain::user::{Email, UserStatus};
use serde_json::json;
use store::sessions::Ending;
use store::users::Then;

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

/// Suspends an active, locked or invited user and ends all their sessions. 409 with the
/// reason for a suspended one.
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
    if !store::users::change_status(&ctx.db, may.user, from, to, &Then::EndSessions(ending), &event).await? {
        return Err(AppError::Conflict("the user's status changed meanwhile; reload and try again".into()));
    }
    Ok(())
}

/// Re-activates a suspended user: Active, or Invited with a fresh invitation (links to
/// `opts.public_url`) when they cannot sign in otherwise. 409 with the reason for any other
/// status (an invited user must accept the invitation; a locked one is unlocked instead).
/// The status they have now.
pub async fn activate(ctx: &AppCtx, may: &OnUser<UsersManage>, opts: &InviteOptions) -> Result<UserStatus, AppError> {
    let from = current_status(may)?;
    let to = from.activate(store::users::sign_in_means(&ctx.db, may.user).await?)?;
    let event = audit::by(
        &may.actor,
        domain::closed::AuditAction::UserActivated,
        Some(may.user),
        json!({"from": from, "to": to}),
    );
    let row = &may.target().row;
    let then = if to == UserStatus::Invited {
        let email = Email::from_stored(&row.email)?;
        let name = format!("{} {}", row.first_name, row.last_name);
        Then::Invite(crate::invitations::fresh(AccountId(row.account_id), may.user, &email, &name, opts))
    } else {
        Then::Nothing
    };
    if !store::users::change_status(&ctx.db, may.user, from, to, &then, &event).await? {
        return Err(AppError::Conflict("the user's status changed meanwhile; reload and try again".into()));
    }
    ctx.mailer.wake();
    Ok(to)
}
