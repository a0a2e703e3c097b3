//! Password resets: an admin's "Reset Password", the login page's "Forgot password", and
//! completing a reset from the emailed link.
//!
//! Links are single-use, stored hashed, live `AuthSettings::reset_link_lifetime` (default [`RESET_LINK_LIFETIME`]), and a new link kills
//! the older ones. While SSO is enabled for the account the identity provider owns
//! passwords: admin resets are refused with the reason, forgot-password does nothing (and
//! still answers the same). Completing a reset checks the account's password policy and
//! history, then ends every session and clears a lockout, in one transaction.

use crate::audit;
use crate::authz::{OnUser, UsersManage};
use crate::clock::{self, MINUTE, Micros};
use crate::mail::Mail;
use crate::mail::outbox::{MailKind, queued};
use crate::{AppCtx, AppError, settings, tokens};
use domain::ids::{AccountId, UserId};
use domain::user::{Email, UserStatus};
use serde_json::json;
use store::sessions::Ending;
use store::tokens::NewToken;

/// How long a reset link works.
pub const RESET_LINK_LIFETIME: Micros = 15 * MINUTE;

pub(crate) const SSO_REFUSAL: &str = "SSO is enabled for this account: passwords are managed by the identity provider, \
     so they cannot be reset in Roster";

/// The link a reset email carries.
pub fn reset_link(public_url: &str, token: &str) -> String {
    format!("{}/password/reset?token={token}", public_url.trim_end_matches('/'))
}

struct Recipient<'a> {
    account: AccountId,
    user: UserId,
    email: &'a str,
}

/// Stores a new link and queues its email in one transaction; wakes the mail worker.
/// False, queueing nothing, when the user was deleted or suspended meanwhile.
async fn issue_and_send(
    ctx: &AppCtx,
    to: &Recipient<'_>,
    public_url: &str,
    event: &store::audit::NewAuditEvent,
) -> Result<bool, AppError> {
    let token = tokens::generate();
    let now = clock::now();
    let new = NewToken {
        token_hash: tokens::hash(&token),
        user_id: to.user,
        purpose: store::tokens::TokenPurpose::PasswordReset,
        created_at: now,
        expires_at: now + ctx.auth.reset_link_lifetime,
    };
    let body = format!(
        "Someone asked to reset the password of your Roster account.\n\n\
         To choose a new password, open this link within {} minutes (it works once):\n\n{}\n\n\
         If you did not ask for this, ignore this email: your password stays as it is.\n",
        ctx.auth.reset_link_lifetime / MINUTE,
        reset_link(public_url, &token)
    );
    let mail = Mail { to: to.email.to_owned(), subject: "Reset your Roster password".into(), body };
    let mail = queued(to.account, Some(to.user), MailKind::PasswordReset, mail);
    if !store::password_reset::issue(&ctx.db, &new, event, &mail).await? {
        return Ok(false);
    }
    ctx.mailer.wake();
    Ok(true)
}

/// An admin's "Reset Password": emails the user a single-use link. 409 with the reason when
/// SSO is on, or when the user cannot have a password reset (invited or suspended).
pub async fn reset_by_admin(ctx: &AppCtx, may: &OnUser<UsersManage>, public_url: &str) -> Result<(), AppError> {
    if store::password_reset::sso_enabled(&ctx.db, may.account).await? {
        return Err(AppError::Conflict(SSO_REFUSAL.into()));
    }
    let user = &may.target().row;
    match may.target().row.status {
        UserStatus::Active | UserStatus::Locked => {}
        UserStatus::Invited => {
            return Err(AppError::Conflict(
                "the user has not accepted their invitation yet: resend the invitation instead".into(),
            ));
        }
        UserStatus::Suspended => {
            return Err(AppError::Conflict("a suspended user's password cannot be reset; activate them first".into()));
        }
    }
    let event = audit::by(
        &may.actor,
        domain::closed::AuditAction::PasswordResetRequested,
        Some(may.user),
        json!({"by": "admin"}),
    );
    let to = Recipient { account: may.account, user: may.user, email: &user.email };
    if !issue_and_send(ctx, &to, public_url, &event).await? {
        return Err(AppError::Conflict("the user was deleted or suspended meanwhile; no link was sent".into()));
    }
    Ok(())
}

/// "Forgot password": emails a link to an active (or locked) user with this email, in
/// every account where SSO is off. Unknown emails, other statuses and SSO accounts get
/// nothing; the caller answers the same in every case.
pub async fn forgot(ctx: &AppCtx, email: &str, ip: &str, public_url: &str) -> Result<(), AppError> {
    let Ok(email) = Email::try_from(email.trim()) else { return Ok(()) };
    for row in store::users::find_for_login(&ctx.db, &email.key(), None).await? {
        if !matches!(row.status, UserStatus::Active | UserStatus::Locked) {
            continue;
        }
        let account = AccountId(row.account_id);
        if store::password_reset::sso_enabled(&ctx.db, account).await? {
            continue;
        }
        let user = UserId(row.id);
        let event = audit::unattended(
            account,
            domain::closed::AuditAction::PasswordResetRequested,
            Some(user),
            ip,
            json!({"by": "self"}),
        );
        // Mail goes to the address on record, not to the spelling that was typed.
        let Some(stored) = store::users::find(&ctx.db, account, user).await? else { continue };
        let to = Recipient { account, user, email: &stored.email };
        issue_and_send(ctx, &to, public_url, &event).await?;
    }
    Ok(())
}

/// Checks a new password against the account's policy (`about`: the user's email and names,
/// which it must not resemble) and the last N passwords (the current one included), then
/// hashes it. Errors name `field`.
pub(crate) async fn hash_new_password(
    ctx: &AppCtx,
    security: &domain::security::SecuritySettings,
    field: &'static str,
    password: &str,
    about: &[&str],
    user: UserId,
    current: Option<&str>,
) -> Result<String, AppError> {
    security.password_policy().check_for(password, about).map_err(|e| match e {
        domain::DomainError::Invalid { message, .. } => AppError::invalid(field, message),
        other @ domain::DomainError::IllegalTransition { .. } => other.into(),
    })?;
    let n = security.password.history;
    if n > 0 {
        let mut earlier = store::password_reset::history(&ctx.db, user, n).await?;
        earlier.extend(current.map(str::to_owned));
        for old in &earlier {
            if ctx.hasher.verify(password, Some(old)).await {
                return Err(AppError::invalid(field, format!("must differ from your last {n} passwords")));
            }
        }
    }
    ctx.hasher.hash(password).await
}

fn gone() -> AppError {
    AppError::Gone(
        "this password reset link no longer works: it expired, was already used, or was cancelled \
         (a newer link was sent, or the account changed); ask for a new one"
            .into(),
    )
}

/// The user of a live reset link, before its form is shown: 410 for an unknown, used,
/// expired or cancelled link (the user was deleted, suspended or changed address since),
/// 409 under SSO.
async fn live_target(ctx: &AppCtx, token_hash: &[u8]) -> Result<store::password_reset::ResetTarget, AppError> {
    let target = store::password_reset::peek(&ctx.db, token_hash, clock::now()).await?.ok_or_else(gone)?;
    if target.sso_enabled {
        return Err(AppError::Conflict(SSO_REFUSAL.into()));
    }
    Ok(target)
}

/// Whether `token` is a live reset link (see [`complete`] for the refusals).
pub async fn check(ctx: &AppCtx, token: &str) -> Result<(), AppError> {
    live_target(ctx, &tokens::hash(token)).await.map(|_| ())
}

/// Sets a new password from a reset link: 410 for an unknown, used, expired or cancelled
/// link, 409 under SSO, 400 when the password breaks the policy or repeats one of the last
/// N. Ends every session and clears a lockout.
pub async fn complete(ctx: &AppCtx, token: &str, password: &str, ip: &str) -> Result<(), AppError> {
    let token_hash = tokens::hash(token);
    let target = live_target(ctx, &token_hash).await?;
    let security = settings::parse_security(target.security_settings.as_deref());
    let user = UserId(target.user_id);
    let about = [target.email.as_str(), &target.first_name, &target.last_name];
    let new_hash =
        hash_new_password(ctx, &security, "password", password, &about, user, target.password_hash.as_deref()).await?;
    let account = AccountId(target.account_id);
    let now = clock::now();
    let ending = Ending {
        by_user: None,
        for_workspace: None,
        cause: domain::closed::EndCause::PasswordReset,
        reason: Some("the password was reset".into()),
        at: now,
    };
    let event = audit::unattended(
        account,
        domain::closed::AuditAction::PasswordResetCompleted,
        Some(user),
        ip,
        json!({"was_locked": target.status == UserStatus::Locked}),
    );
    if store::password_reset::complete(&ctx.db, &token_hash, user, &new_hash, &ending, &event).await? {
        Ok(())
    } else {
        Err(gone())
    }
}
