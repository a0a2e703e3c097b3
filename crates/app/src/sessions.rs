//! Sessions across workspaces: what admins see and kill on a user's Sessions tab, and what
//! every user sees and ends on their own page.
//!
//! Sessions are account-level, so an admin whose scope shares any workspace with the user
//! sees and may kill **all** of the user's sessions (the capability proves the scope).

use crate::audit;
use crate::authz::{Actor, OnUser, Principal, SessionsKill, SessionsView};
use crate::clock;
use crate::error::What;
use crate::mail::Mail;
use crate::mail::outbox::{MailKind, queued};
use crate::{AppCtx, AppError};
use domain::ids::{AccountId, AdminRoleId, SessionId, UserId, WorkspaceId};
use domain::permission::Permission;
use serde_json::json;
use store::sessions::{Ending, Which};

pub use store::lookups::Named;
pub use store::sessions::SessionRow;

/// How many ended sessions the history shows.
pub const HISTORY: u32 = 20;

/// A user's sessions: live ones first, then recent history.
#[derive(Debug, Clone)]
pub struct UserSessions {
    pub live: Vec<SessionRow>,
    pub ended: Vec<SessionRow>,
    /// The user's workspaces (every admin of any of them sees these sessions).
    pub workspaces: Vec<Named>,
}

pub async fn list(ctx: &AppCtx, may: &OnUser<SessionsView>) -> Result<UserSessions, AppError> {
    let (live, ended) = store::sessions::for_user(&ctx.db, may.user(), clock::now(), HISTORY).await?;
    Ok(UserSessions { live, ended, workspaces: may.workspaces().to_vec() })
}

/// Options of a kill.
#[derive(Debug, Clone, Default)]
pub struct KillOptions {
    /// Email the user that an admin ended their session.
    pub notify: bool,
    pub reason: Option<String>,
}

fn clean_reason(reason: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(r) = reason else { return Ok(None) };
    if let Some(why) = domain::text::problem(r, domain::text::Lines::Many) {
        return Err(AppError::invalid("reason", why));
    }
    if domain::text::is_blank(r) {
        return Ok(None);
    }
    let r = r.trim();
    if r.chars().count() > 500 {
        return Err(AppError::invalid("reason", "must be at most 500 characters"));
    }
    Ok(Some(r.to_owned()))
}

/// Ends one session of the user (or all with `session = None`). 404 when that session is
/// not a live session of this user. Returns how many sessions ended.
pub async fn kill(
    ctx: &AppCtx,
    may: &OnUser<SessionsKill>,
    session: Option<SessionId>,
    options: &KillOptions,
) -> Result<usize, AppError> {
    let reason = clean_reason(options.reason.as_deref())?;
    let which = session.map_or(Which::All, Which::One);
    let ending = Ending {
        by_user: Some(may.actor.user),
        for_workspace: may.actor.workspace,
        cause: domain::closed::EndCause::Killed,
        reason: reason.clone(),
        at: clock::now(),
    };
    let what = if session.is_some() {
        domain::closed::AuditAction::SessionKilled
    } else {
        domain::closed::AuditAction::SessionsKilledAll
    };
    let event = audit::by(
        &may.actor,
        what,
        Some(may.user()),
        json!({"session_id": session, "reason": reason, "notified": options.notify}),
    );
    // The notice is written before the sessions end and queued in that transaction: it
    // leaves exactly when the kill committed, with the number of sessions it ended.
    let notice =
        if options.notify { Some(Notice::new(ctx, &may.actor, may.user(), reason.as_deref()).await?) } else { None };
    let mail = |count: usize| notice.iter().map(|n| n.mail(count)).collect();
    let ended = store::sessions::end_and_mail(&ctx.db, may.user(), which, &ending, Some(&event), mail).await?;
    if session.is_some() && ended.is_empty() {
        return Err(AppError::NotFound(What::Session));
    }
    ctx.mailer.wake();
    Ok(ended.len())
}

async fn workspace_name(ctx: &AppCtx, account: AccountId, w: Option<WorkspaceId>) -> Result<String, AppError> {
    let all = store::lookups::workspaces(&ctx.db, account).await?;
    Ok(w.and_then(|w| all.into_iter().find(|x| x.id == w.0)).map_or_else(|| "your organization".into(), |w| w.name))
}

/// The email telling a user an admin ended their sessions, but for how many.
struct Notice {
    account: AccountId,
    user: UserId,
    to: String,
    first_name: String,
    workspace: String,
    reason: String,
    contact: String,
}

impl Notice {
    async fn new(ctx: &AppCtx, actor: &Actor, user: UserId, reason: Option<&str>) -> Result<Self, AppError> {
        let target = store::users::find(&ctx.db, actor.account, user).await?.ok_or(AppError::NotFound(What::User))?;
        let admin =
            store::users::find(&ctx.db, actor.account, actor.user).await?.ok_or(AppError::NotFound(What::User))?;
        Ok(Self {
            account: actor.account,
            user,
            to: target.email,
            first_name: target.first_name,
            workspace: workspace_name(ctx, actor.account, actor.workspace).await?,
            reason: reason.unwrap_or("none given").to_owned(),
            contact: format!("{} {} <{}>", admin.first_name, admin.last_name, admin.email),
        })
    }

    fn mail(&self, count: usize) -> store::outbox::NewMail {
        let Self { workspace, .. } = self;
        let sessions = if count == 1 { "one of your sessions".to_owned() } else { format!("{count} of your sessions") };
        let body = format!(
            "Hello {},\n\nAn administrator of the {workspace} workspace ended {sessions} in Roster.\n\
             You will need to sign in again on those devices.\n\nReason: {}\n\n\
             If you have questions, contact {}.\n",
            self.first_name, self.reason, self.contact
        );
        let subject = format!("An administrator of {workspace} ended your session");
        queued(self.account, Some(self.user), MailKind::SessionEnded, Mail { to: self.to.clone(), subject, body })
    }
}

/// The signed-in user's own sessions, with which one is this one.
pub async fn mine(ctx: &AppCtx, me: &Principal) -> Result<(Vec<SessionRow>, Vec<SessionRow>), AppError> {
    Ok(store::sessions::for_user(&ctx.db, me.user_id, clock::now(), HISTORY).await?)
}

/// Signs out one of the user's own sessions (`Some`) or all the others (`None`).
pub async fn end_mine(ctx: &AppCtx, me: &Principal, session: Option<SessionId>) -> Result<usize, AppError> {
    let which = session.map_or(Which::AllBut(me.session_id), Which::One);
    let ending = Ending {
        by_user: Some(me.user_id),
        for_workspace: None,
        cause: domain::closed::EndCause::SignedOut,
        reason: None,
        at: clock::now(),
    };
    let event = audit::by(
        &Actor::of(me),
        domain::closed::AuditAction::SessionSignedOut,
        Some(me.user_id),
        json!({"session_id": session, "others": session.is_none()}),
    );
    let ended = store::sessions::end(&ctx.db, me.user_id, which, &ending, Some(&event)).await?;
    if session.is_some() && ended.is_empty() {
        return Err(AppError::NotFound(What::Session));
    }
    Ok(ended.len())
}

/// Reports one of the user's own sessions as not theirs: ends it, records it, and alerts
/// the admins of the user's workspaces by email.
pub async fn report(ctx: &AppCtx, me: &Principal, session: SessionId) -> Result<(), AppError> {
    if session == me.session_id {
        return Err(AppError::Conflict("this is the session you are using; report another one".into()));
    }
    let (live, _) = store::sessions::for_user(&ctx.db, me.user_id, clock::now(), 0).await?;
    let reported = live.into_iter().find(|s| s.id == session.0).ok_or(AppError::NotFound(What::Session))?;
    let ending = Ending {
        by_user: Some(me.user_id),
        for_workspace: None,
        cause: domain::closed::EndCause::Reported,
        reason: Some("reported as suspicious by the user".into()),
        at: clock::now(),
    };
    let details = json!({"session_id": session, "ip": reported.ip, "device": reported.device_type, "browser": reported.browser, "os": reported.os});
    let event = audit::by(&Actor::of(me), domain::closed::AuditAction::SessionReported, Some(me.user_id), details);
    let workspaces: Vec<WorkspaceId> =
        store::lookups::user_workspaces(&ctx.db, me.user_id).await?.into_iter().map(|w| WorkspaceId(w.id)).collect();
    let mut alerts = Vec::new();
    for to in alert_recipients(ctx, me.account_id, &workspaces).await? {
        let body = format!(
            "{} <{}> reported a session as suspicious; Roster ended it.\n\n\
             Device: {} ({} on {})\nIP address: {}\nStarted: {}\nLast activity: {}\n\n\
             Review the user's other sessions in Roster and consider resetting their password.\n",
            me.display_name,
            me.email,
            reported.device_type,
            reported.browser,
            reported.os,
            reported.ip,
            clock::rfc3339(reported.created_at),
            clock::rfc3339(reported.last_activity_at),
        );
        let mail = Mail { to, subject: format!("Suspicious session reported by {}", me.email), body };
        alerts.push(queued(me.account_id, Some(me.user_id), MailKind::SessionReported, mail));
    }
    // The alerts leave with the session's end, or not at all.
    store::sessions::end_and_mail(&ctx.db, me.user_id, Which::One(session), &ending, Some(&event), |_| alerts).await?;
    ctx.mailer.wake();
    Ok(())
}

/// Active admins who may kill sessions and whose scope covers one of `workspaces`.
async fn alert_recipients(
    ctx: &AppCtx,
    account: AccountId,
    workspaces: &[WorkspaceId],
) -> Result<Vec<String>, AppError> {
    let mut to = Vec::new();
    for admin in store::lookups::admin_contacts(&ctx.db, account).await? {
        let covered = if admin.is_primary_admin {
            true
        } else if let Some(role_id) = admin.admin_role_id {
            match store::lookups::role(&ctx.db, account, AdminRoleId(role_id)).await? {
                Some(r) if r.kind == domain::role::DefinedRole::Master => true,
                Some(r) => {
                    r.permissions.iter().any(|p| p == Permission::SessionsKill.as_str())
                        && (r.all_workspaces || r.workspaces.iter().any(|w| workspaces.contains(&WorkspaceId(*w))))
                }
                None => false,
            }
        } else {
            false
        };
        if covered {
            to.push(admin.email);
        }
    }
    Ok(to)
}

/// Switches the workspace the signed-in user acts for: one of theirs (400 naming
/// `workspace` otherwise), or `None` — all workspaces — for an admin whose scope is every
/// workspace ([`crate::authz::Console::all_workspaces`]; 403 for anyone else).
pub async fn switch_workspace(ctx: &AppCtx, me: &Principal, workspace: Option<WorkspaceId>) -> Result<(), AppError> {
    match workspace {
        None if !crate::authz::console(me).all_workspaces => {
            return Err(AppError::Forbidden("only an admin of every workspace may act for all workspaces".into()));
        }
        None => {}
        Some(w) => {
            let mine = store::lookups::user_workspaces(&ctx.db, me.user_id).await?;
            if !mine.iter().any(|m| m.id == w.0) {
                return Err(AppError::invalid("workspace", "is not one of your workspaces"));
            }
        }
    }
    store::sessions::set_current_workspace(&ctx.db, me.session_id, workspace).await?;
    Ok(())
}

/// The workspaces the signed-in user can switch between.
pub fn my_workspaces(me: &Principal) -> &[Named] {
    &me.workspaces
}

/// Ends sessions past their absolute lifetime (cause `expired`), in batches of 1,000, so
/// they stop counting as live. Returns how many. Idle sessions end at their next request.
pub async fn end_expired(ctx: &AppCtx, now: clock::Micros) -> Result<u64, AppError> {
    const BATCH: i64 = 1_000;
    let mut total = 0;
    loop {
        let n = store::session_tallies::end_expired(&ctx.db, now, BATCH).await?;
        total += n;
        if n < BATCH as u64 {
            return Ok(total);
        }
    }
}
