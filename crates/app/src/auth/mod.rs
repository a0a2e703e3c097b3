//! Signing in and out, and turning a session cookie into a [`Principal`].

pub mod activity;
pub mod password;
pub mod setup;

use crate::audit;
use crate::authz::Principal;
use crate::clock;
use crate::metrics::{self, SignIn};
use crate::{AppCtx, AppError, tokens};
use domain::ids::{AccountId, SessionId, UserId, WorkspaceId};
use domain::profile::ProfileSettings;
use domain::user::{Email, PasswordWay, SignInRefusal, UserStatus};
use serde_json::json;
use store::sessions::{Ending, NewSession, Which};

/// What a sign-in attempt brings.
#[derive(Debug, Clone)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// The account's slug, needed only when one email exists in several accounts.
    pub account: Option<String>,
    pub ip: String,
    pub user_agent: String,
}

/// A successful sign-in: the secret goes into the cookie and nowhere else.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    pub token: String,
    pub session_id: SessionId,
    pub user_id: UserId,
}

/// An account the password was proven for, offered when it opens several.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AccountChoice {
    pub slug: String,
    pub name: String,
}

/// What a sign-in with a right password leads to.
#[derive(Debug, Clone)]
pub enum Login {
    /// A session is open.
    Opened(LoginOutcome),
    /// The email and password are those of users in several accounts: the caller repeats
    /// the sign-in naming one of these (and only these: each was proven by the password).
    ChooseAccount(Vec<AccountChoice>),
}

/// Checks the password and opens a session.
///
/// One email may belong to users in several accounts (each account is its own tenant). The
/// password is checked against every one of them (or only the one `req.account` names), so
/// the work does not depend on which one it opens; the answer is
/// - one user the password opens: that user's session;
/// - several: [`Login::ChooseAccount`] listing only those accounts — as Google's account
///   chooser, which comes after the password, never before, so nobody learns where an
///   address belongs without proving its password;
/// - none: [`AppError::Unauthenticated`].
///
/// Every sign-in does the same work whatever the email: exactly as many Argon2
/// verifications as the installation has accounts (at most
/// [`store::users::LOGIN_CANDIDATES`], at least one) — one per user with this email, padded with the dummy hash (for a user
/// without a usable hash, and up to the count) — and, when refused, as many failure
/// records (dummy ones for the padding). So every refusal — unknown email, malformed email,
/// deleted user, wrong password, locked, suspended, invited, no password (SSO only) —
/// answers [`AppError::Unauthenticated`] after the same work, and neither the answer nor its
/// timing tells whether the address exists, in how many accounts, or in what state
/// (PRODUCT.md §5). An email in more than [`store::users::LOGIN_CANDIDATES`] accounts is
/// checked in the oldest ones only: a user of another signs in naming the account. Every refusal of a known user is
/// recorded (a `login.failed` audit event with the reason, and the source address in the
/// lockout record); only a wrong password of an active user counts towards the lockout,
/// atomically, and the failure that reaches the limit locks them and ends all sessions.
pub async fn login(ctx: &AppCtx, req: LoginRequest) -> Result<Login, AppError> {
    let verifications = verifications(ctx).await?;
    let candidates = match Email::try_from(req.email.as_str()) {
        Ok(email) => store::users::find_for_login(&ctx.db, &email.key(), req.account.as_deref()).await?,
        Err(_) => Vec::new(),
    };
    // The padding: what the users this email does not have would have cost.
    let padding = verifications.saturating_sub(candidates.len());
    if candidates.is_empty() {
        for _ in 0..padding {
            ctx.hasher.check(&req.password, None).await;
        }
        for _ in 0..padding {
            store::lockout::record_failure_of_nobody(&ctx.db, &req.ip, ctx.clock.now()).await?;
        }
        metrics::sign_in(SignIn::Failed);
        return Err(AppError::Unauthenticated);
    }
    let now = ctx.clock.now();
    let mut opened = Vec::new();
    let mut refused = Vec::new();
    for c in &candidates {
        let user = UserId(c.id);
        let status =
            crate::lockout::status_at_sign_in(ctx, AccountId(c.account_id), user, c.status, c.lock_until, now).await?;
        // Bypass SSO: under SSO a password opens only an admin's session; a member's
        // password, right or wrong, is answered exactly as a wrong one and never counted.
        let way = PasswordWay::of(c.sso_enabled, c.has_admin_role);
        match status.sign_in(ctx.hasher.check(&req.password, c.password_hash.as_deref()).await, way) {
            Ok(()) => opened.push(c),
            Err(refusal) => refused.push((c, refusal)),
        }
    }
    for _ in 0..padding {
        ctx.hasher.check(&req.password, None).await;
    }
    let user = match opened.as_slice() {
        [] => {
            for (c, refusal) in &refused {
                let settings = crate::settings::parse_security(c.security_settings.as_deref());
                let who = (AccountId(c.account_id), UserId(c.id));
                record_failure(ctx, who, &settings, &req.ip, *refusal, now).await?;
            }
            for _ in 0..padding {
                store::lockout::record_failure_of_nobody(&ctx.db, &req.ip, ctx.clock.now()).await?;
            }
            let locked = refused.iter().any(|(_, r)| *r == SignInRefusal::Locked);
            metrics::sign_in(if locked { SignIn::Locked } else { SignIn::Failed });
            return Err(AppError::Unauthenticated);
        }
        [user] => *user,
        several => {
            let choices = several
                .iter()
                .map(|c| AccountChoice { slug: c.account_slug.clone(), name: c.account_name.clone() })
                .collect();
            return Ok(Login::ChooseAccount(choices));
        }
    };
    let settings = crate::settings::parse_security(user.security_settings.as_deref());
    let method = if user.sso_enabled { "password_bypass" } else { "password" };
    let opened =
        open_session(ctx, UserId(user.id), AccountId(user.account_id), &settings, &req.ip, &req.user_agent, method)
            .await;
    if opened.is_ok() {
        metrics::sign_in(SignIn::Succeeded);
    }
    opened.map(Login::Opened)
}

/// How many Argon2 verifications every sign-in runs: the number of accounts in the
/// installation (an email is a user in each at most once), at most
/// [`store::users::LOGIN_CANDIDATES`], at least one.
async fn verifications(ctx: &AppCtx) -> Result<usize, AppError> {
    let accounts = store::accounts::count_up_to(&ctx.db, store::users::LOGIN_CANDIDATES).await?;
    Ok(usize::try_from(accounts).unwrap_or(0).max(1))
}

/// The `method` of an SSO sign-in in audit events.
pub(crate) const SSO_METHOD: &str = "sso";

/// Opens a session for a user who just proved who they are (a password sign-in, an
/// accepted invitation, an SSO sign-in): records the sign-in and audits it as
/// `login.succeeded` with `method` (`password`, `password_bypass` — an admin's password
/// while the account uses SSO —, `invitation` or `sso`). A password proved right clears
/// the count of failed passwords; an SSO sign-in leaves it (see [`crate::lockout`]).
pub(crate) async fn open_session(
    ctx: &AppCtx,
    user_id: UserId,
    account: AccountId,
    settings: &domain::security::SecuritySettings,
    ip: &str,
    user_agent: &str,
    method: &str,
) -> Result<LoginOutcome, AppError> {
    let now = ctx.clock.now();
    let first_workspace = store::lookups::user_workspaces(&ctx.db, user_id).await?.first().map(|w| WorkspaceId(w.id));
    let token = tokens::generate();
    let device = crate::device::parse(user_agent);
    let session = NewSession {
        id: SessionId::new(),
        token_hash: tokens::hash(&token),
        user_id,
        workspace_id: first_workspace,
        csrf_token: tokens::generate(),
        device_type: device.device_type.to_owned(),
        browser: device.browser,
        os: device.os,
        ip: ip.to_owned(),
        user_agent: user_agent.chars().take(512).collect(),
        created_at: now,
        expires_at: now + settings.absolute_lifetime_us(),
        profile_settings: crate::user_settings::current(ctx, account).await?.to_bits(),
    };
    let event = audit::unattended(
        account,
        domain::closed::AuditAction::LoginSucceeded,
        Some(user_id),
        ip,
        json!({"session_id": session.id, "method": method}),
    );
    store::sessions::open(&ctx.db, &session, &event, method != SSO_METHOD).await?;
    Ok(LoginOutcome { token, session_id: session.id, user_id })
}

/// Records a refused sign-in of a known user (or a wrong current password when changing
/// it): audited as `login.failed` with the refusal's reason, and — when the refusal counts
/// ([`SignInRefusal::counts`]) — counted against an active user atomically: the failure
/// that reaches the limit locks them and ends all sessions. A refusal that does not count,
/// or of a user who is not active (locked, suspended, invited), is audited without
/// counting, so a locked user's count stays at the limit.
pub(crate) async fn record_failure(
    ctx: &AppCtx,
    (account, user): (AccountId, UserId),
    settings: &domain::security::SecuritySettings,
    ip: &str,
    refusal: SignInRefusal,
    now: i64,
) -> Result<(), AppError> {
    let details = json!({"reason": refusal.reason()});
    let failed = audit::unattended(account, domain::closed::AuditAction::LoginFailed, Some(user), ip, details);
    let lock_until = settings.auto_unlock_at(now);
    let locked = audit::unattended(
        account,
        domain::closed::AuditAction::UserLocked,
        Some(user),
        ip,
        json!({"failed_logins": settings.max_login_attempts, "unlocks_at": lock_until.map(clock::rfc3339)}),
    );
    let max = i32::try_from(settings.max_login_attempts).unwrap_or(i32::MAX);
    let counts = refusal.counts();
    let failure =
        store::lockout::record_failure(&ctx.db, user, ip, (counts, max), now, lock_until, &failed, &locked).await?;
    if failure.locked_now {
        metrics::lockout();
    }
    Ok(())
}

/// The signed-in principal behind a session token, or `Unauthenticated` when the session
/// is unknown, ended, past its absolute lifetime or idle too long, or its user's status
/// no longer keeps sessions ([`UserStatus::keeps_sessions`]: only Active users' do). Looked up on every request, so a kill holds on every instance at once.
pub async fn authenticate(ctx: &AppCtx, token: &str, ip: &str) -> Result<Principal, AppError> {
    let now = ctx.clock.now();
    let Some(s) = store::sessions::find_live(&ctx.db, &tokens::hash(token), now).await? else {
        return Err(AppError::Unauthenticated);
    };
    let id = SessionId(s.id);
    let status: UserStatus = s.user.status;
    let settings = crate::settings::parse_security(s.security_settings.as_deref());
    // Activity this instance noted but has not saved yet counts too.
    let last_activity = ctx.activity.noted(id).map_or(s.last_activity_at, |t| t.max(s.last_activity_at));
    let idle = now - last_activity >= settings.idle_timeout_us();
    let too_old = now - s.created_at >= settings.absolute_lifetime_us();
    if idle || too_old {
        let ending = Ending {
            by_user: None,
            for_workspace: None,
            cause: domain::closed::EndCause::Expired,
            reason: Some(if idle { "idle timeout" } else { "absolute lifetime reached" }.into()),
            at: now,
        };
        store::sessions::end(&ctx.db, UserId(s.user_id), Which::One(id), &ending, None).await?;
        return Err(AppError::Unauthenticated);
    }
    if !status.keeps_sessions() {
        return Err(AppError::Unauthenticated);
    }
    if now - last_activity >= settings.activity_save_interval_us() {
        ctx.activity.note(id, now);
    }
    let role = s.user.role.admin_role()?;
    let workspaces = s.user.user_workspaces()?;
    Ok(Principal {
        user_id: UserId(s.user_id),
        account_id: AccountId(s.account_id),
        session_id: id,
        csrf_token: s.csrf_token,
        email: s.user.email,
        display_name: format!("{} {}", s.user.first_name, s.user.last_name),
        role,
        builder_access: s.user.builder_access,
        workspace: if s.all_workspaces { None } else { s.current_workspace_id.or(s.workspace_id).map(WorkspaceId) },
        ip: ip.to_owned(),
        profile_settings: s.profile_settings.map(ProfileSettings::from_bits).unwrap_or_default(),
        workspaces,
        api_token: None,
    })
}

/// Ends the principal's own session.
pub async fn logout(ctx: &AppCtx, principal: &Principal) -> Result<(), AppError> {
    let ending = Ending {
        by_user: Some(principal.user_id),
        for_workspace: None,
        cause: domain::closed::EndCause::SignedOut,
        reason: None,
        at: clock::now(),
    };
    let actor = crate::authz::Actor::of(principal);
    let event = audit::by(
        &actor,
        domain::closed::AuditAction::SessionSignedOut,
        Some(principal.user_id),
        json!({"session_id": principal.session_id}),
    );
    store::sessions::end(&ctx.db, principal.user_id, Which::One(principal.session_id), &ending, Some(&event)).await?;
    Ok(())
}
