//! Invitations: invite people by email (one, a list, or rows with names, workspace and
//! groups), resend an invitation, and accept one by setting a password.
//!
//! Each row is judged on its own: an invalid row (bad email, unknown workspace or group,
//! outside the inviter's scope, repeated) is reported with its reason and never stops the
//! others; an email that already belongs to a user is reported as existing and left alone
//! (the store's unique index decides). Invited users get a single-use link, stored hashed,
//! that expires after [`INVITATION_LIFETIME`] unless the caller sets another lifetime.
//!
//! The invitation email is queued in the transaction that creates the user (the mail
//! outbox, [`crate::mail::outbox`]): a row reported `invited` committed, and its email
//! leaves even if the process dies right after. A user still invited whose email never left
//! (imported without email, or given up on) is sent a new link when invited again.

mod accept;
pub mod csv;
pub mod import;
mod prepare;
mod request;
pub mod workspaces;
pub(crate) use prepare::names;
use prepare::prepare;

pub use accept::{AcceptRequest, Invitee, accept, check};
pub use request::{InviteRequest, MAX_ROWS, invite_request};

use crate::audit;
use crate::authz::{InviteUsers, OnUser, UsersInvite};
use crate::clock::{self, DAY, Micros};
use crate::mail::Mail;
use crate::mail::outbox::{MailKind, queued};
use crate::{AppCtx, AppError, tokens};
use domain::ids::{AccountId, GroupId, UserId, WorkspaceId};
use domain::user::{Email, UserStatus};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use store::audit::NewAuditEvent;
use store::invitations::{FreshInvitation, Inserted, NewInvitation, Reissue};
use store::tokens::{NewToken, TokenPurpose};

/// How long an invitation link works by default: 7 days.
pub const INVITATION_LIFETIME: Micros = 7 * DAY;

/// Rows written per transaction.
pub const BATCH_SIZE: usize = 1000;

/// One person to invite, as given.
#[derive(Debug, Clone, Default)]
pub struct InviteRow {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// A workspace name; empty for the default workspace.
    pub workspace: String,
    /// Group names in that workspace.
    pub groups: Vec<String>,
}

/// How invitations are made.
#[derive(Debug, Clone)]
pub struct InviteOptions {
    /// Where links point: `<public_url>/invitations/accept?token=…`.
    pub public_url: String,
    /// The workspace of rows that name none (else the inviter's current workspace).
    pub default_workspace: Option<String>,
    pub send_email: bool,
    pub lifetime: Micros,
    /// Set while the account uses SSO (the invitation says to sign in with the provider,
    /// not to set a password): filled in by the invitation use cases.
    pub sso: Option<crate::sso::settings::SsoInvitation>,
}

impl InviteOptions {
    /// Options for links to `public_url` that work for `lifetime` (see
    /// `AuthSettings::invitation_lifetime`).
    pub fn new(public_url: &str, lifetime: Micros) -> Self {
        Self {
            public_url: public_url.trim_end_matches('/').to_owned(),
            default_workspace: None,
            send_email: true,
            lifetime,
            sso: None,
        }
    }
}

/// What became of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The user was created (committed) and the invitation email queued with it (or not,
    /// when the import was told not to send email); its delivery shows on the user's page.
    Invited(UserId),
    /// The address belongs to a user who is still invited but whose invitation email never
    /// left: a new link was queued for them (the older one stops working).
    Resent(UserId),
    /// The account already has a user with this email (its canonical form).
    Exists(Existing),
    /// Refused, with the reason.
    Invalid(String),
}

impl Outcome {
    /// The status word every interface shows (the API's `status`).
    pub fn status(&self) -> &'static str {
        match self {
            Self::Invited(_) => "invited",
            Self::Resent(_) => "resent",
            Self::Exists(_) => "exists",
            Self::Invalid(_) => "invalid",
        }
    }

    /// The sentence the page and the command line show beside the status.
    pub fn detail(&self, send_email: bool) -> String {
        match self {
            Self::Invited(_) if send_email => "invited; invitation email queued for delivery".to_owned(),
            Self::Invited(_) => "invited (no email sent)".to_owned(),
            Self::Resent(u) => {
                format!("still invited (user {u}) but never emailed; a new invitation email is queued for delivery")
            }
            Self::Invalid(reason) => reason.clone(),
            Self::Exists(e) => e.describe(),
        }
    }
}

/// The user who already holds an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Existing {
    /// `None` only when that user vanished while the row was judged.
    pub user_id: Option<UserId>,
    /// For a soft-deleted user: until when they can be restored (after that the address is
    /// free again).
    pub restorable_until: Option<Micros>,
}

impl Existing {
    /// A sentence for people naming the user: "already a user (user <id>)…" or "belongs to
    /// a deleted user (user <id>), restorable until <UTC date>…".
    pub fn describe(&self) -> String {
        let who = self.user_id.map(|u| format!(" (user {u})")).unwrap_or_default();
        match self.restorable_until {
            None => format!("already a user{who}; not invited again"),
            Some(until) => format!(
                "belongs to a deleted user{who}, restorable until {} (UTC); restore them instead, or wait until then",
                clock::rfc3339(until).get(..10).unwrap_or_default()
            ),
        }
    }
}

/// One row's result.
#[derive(Debug, Clone)]
pub struct InviteResult {
    pub email: String,
    pub outcome: Outcome,
}

/// The account's workspaces and groups by lower-cased name, loaded once per import.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    workspaces: HashMap<String, (WorkspaceId, String)>,
    groups: HashMap<(WorkspaceId, String), GroupId>,
    /// Every email key judged so far, to report repeats.
    seen: HashSet<String>,
}

/// Loads what rows are resolved against.
pub async fn directory(ctx: &AppCtx, may: &InviteUsers) -> Result<Directory, AppError> {
    let workspaces = store::lookups::workspaces(&ctx.db, may.account)
        .await?
        .into_iter()
        .map(|w| (w.name.to_lowercase(), (WorkspaceId(w.id), w.name)))
        .collect();
    let groups = store::lookups::groups(&ctx.db, may.account)
        .await?
        .into_iter()
        .map(|g| ((WorkspaceId(g.workspace_id), g.name.to_lowercase()), GroupId(g.id)))
        .collect();
    Ok(Directory { workspaces, groups, seen: HashSet::new() })
}

/// Invites `rows` (any number, written [`BATCH_SIZE`] per transaction); one result per row,
/// in order.
pub async fn invite(
    ctx: &AppCtx,
    may: &InviteUsers,
    rows: Vec<InviteRow>,
    opts: &InviteOptions,
) -> Result<Vec<InviteResult>, AppError> {
    let mut dir = directory(ctx, may).await?;
    let mut results = Vec::with_capacity(rows.len());
    // Rows are moved into batches; the results come back in the same order.
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<InviteRow> = rows.by_ref().take(BATCH_SIZE).collect();
        results.extend(invite_batch(ctx, may, &mut dir, batch, opts).await?);
    }
    Ok(results)
}

/// A valid row, ready to insert (its email, carrying the secret link, inside).
pub(crate) struct Prepared {
    invitation: NewInvitation,
}

/// Invites one batch in one transaction, the invitation emails queued with it. An address
/// held by a user deleted longer ago than the retention window is free: that user is purged
/// (audited) and the row invited. An address held by a user still invited whose email never
/// left gets a new link queued (when this import sends email).
pub async fn invite_batch(
    ctx: &AppCtx,
    may: &InviteUsers,
    dir: &mut Directory,
    rows: Vec<InviteRow>,
    opts: &InviteOptions,
) -> Result<Vec<InviteResult>, AppError> {
    let opts = &crate::sso::settings::for_invitations(ctx, may.account, opts).await?;
    let now = clock::now();
    let mut results = Vec::with_capacity(rows.len());
    let mut prepared: Vec<(usize, Prepared)> = Vec::new();
    for row in rows {
        let email = row.email.trim().to_owned();
        match prepare(may, dir, &row, opts, now) {
            Ok(p) => {
                prepared.push((results.len(), p));
                // Decided below, once the batch is written.
                results.push(InviteResult { email, outcome: Outcome::Invalid(String::new()) });
            }
            Err(reason) => results.push(InviteResult { email, outcome: Outcome::Invalid(reason) }),
        }
    }
    let mut inserted = insert(ctx, &prepared).await?;
    if purge_expired_holders(ctx, may.account, &inserted).await? {
        inserted = insert(ctx, &prepared).await?;
    }
    let retention = ctx.auth.deletion_retention;
    let live_holders: Vec<UserId> = inserted
        .iter()
        .filter_map(|i| match *i {
            Inserted::Exists { user_id: Some(u), deleted_at: None } if opts.send_email => Some(u),
            _ => None,
        })
        .collect();
    let never_emailed: HashSet<UserId> =
        store::outbox::invited_never_emailed(&ctx.db, may.account, &live_holders).await?.into_iter().collect();
    for ((index, p), inserted) in prepared.into_iter().zip(inserted) {
        results[index].outcome = match inserted {
            Inserted::Exists { user_id: Some(user), deleted_at: None } if never_emailed.contains(&user) => {
                if resend_unsent(ctx, may, user, opts).await? {
                    Outcome::Resent(user)
                } else {
                    Outcome::Exists(Existing { user_id: Some(user), restorable_until: None })
                }
            }
            Inserted::Exists { user_id, deleted_at } => {
                Outcome::Exists(Existing { user_id, restorable_until: deleted_at.map(|t| t + retention) })
            }
            Inserted::Created => Outcome::Invited(p.invitation.user.id),
        };
    }
    ctx.mailer.wake();
    Ok(results)
}

/// Queues a new invitation for `user` if they are still invited and no invitation email of
/// theirs left or waits (checked in the transaction). True when one was queued.
async fn resend_unsent(ctx: &AppCtx, may: &InviteUsers, user: UserId, opts: &InviteOptions) -> Result<bool, AppError> {
    let Some(found) = store::users::find(&ctx.db, may.account, user).await? else { return Ok(false) };
    let details = json!({"email": found.email, "reason": "never emailed"});
    let event = match &may.actor {
        Some(actor) => audit::by(actor, domain::closed::AuditAction::InvitationResent, Some(user), details),
        None => audit::unattended(may.account, domain::closed::AuditAction::InvitationResent, Some(user), "", details),
    };
    reissue(ctx, may.account, &found, event, opts, Reissue::IfNeverEmailed).await
}

async fn insert(ctx: &AppCtx, prepared: &[(usize, Prepared)]) -> Result<Vec<Inserted>, AppError> {
    let invitations: Vec<NewInvitation> = prepared.iter().map(|(_, p)| p.invitation.clone()).collect();
    Ok(store::invitations::insert_batch(&ctx.db, &invitations).await?)
}

/// Purges the deleted users past their retention window who hold addresses of this batch
/// (the hourly purge would; an invitation should not wait for it). True when any was.
async fn purge_expired_holders(ctx: &AppCtx, account: AccountId, inserted: &[Inserted]) -> Result<bool, AppError> {
    let cutoff = clock::now() - ctx.auth.deletion_retention;
    let mut purged = false;
    for i in inserted {
        if let Inserted::Exists { user_id: Some(user), deleted_at: Some(at) } = *i
            && at < cutoff
        {
            purged |= crate::deletion::purge_one(ctx, account, user, cutoff).await?;
        }
    }
    Ok(purged)
}

/// Queues a new link for an invited user; the previous one stops working. 409 for users
/// who are not invited (any more).
pub async fn resend(ctx: &AppCtx, may: &OnUser<UsersInvite>, opts: &InviteOptions) -> Result<(), AppError> {
    let opts = &crate::sso::settings::for_invitations(ctx, may.account, opts).await?;
    let user = &may.target().row;
    let status = may.target().row.status;
    if status != UserStatus::Invited {
        return Err(not_invited(status));
    }
    let event = audit::by(
        &may.actor,
        domain::closed::AuditAction::InvitationResent,
        Some(may.user),
        json!({"email": user.email}),
    );
    if !reissue(ctx, may.account, user, event, opts, Reissue::Always).await? {
        return Err(AppError::Conflict("the user is no longer invited; reload and try again".into()));
    }
    Ok(())
}

/// A new invitation token for `user` with its email queued, in one transaction (see
/// [`store::invitations::reissue`]); wakes the mail worker. False when nothing was issued.
async fn reissue(
    ctx: &AppCtx,
    account: AccountId,
    user: &store::users::UserDetailRow,
    event: NewAuditEvent,
    opts: &InviteOptions,
    when: Reissue,
) -> Result<bool, AppError> {
    let email = Email::from_stored(&user.email)?;
    let name = format!("{} {}", user.first_name, user.last_name);
    let fresh = fresh(account, UserId(user.id), &email, &name, opts);
    let done = store::invitations::reissue(&ctx.db, &fresh.token, &event, &fresh.mail, when).await?;
    ctx.mailer.wake();
    Ok(done)
}

/// A new invitation for `user`: a link token valid for `opts.lifetime` from now, and its
/// email to `email` (greeting `full_name`), queued for `account`. Written by the caller's
/// transaction; wake the mail worker after it commits.
pub(crate) fn fresh(
    account: AccountId,
    user: UserId,
    email: &Email,
    full_name: &str,
    opts: &InviteOptions,
) -> FreshInvitation {
    let secret = tokens::generate();
    let now = clock::now();
    let token = NewToken {
        token_hash: tokens::hash(&secret),
        user_id: user,
        purpose: TokenPurpose::Invitation,
        created_at: now,
        expires_at: now + opts.lifetime,
    };
    let mail = invitation_mail(email, full_name, &secret, token.expires_at, opts);
    FreshInvitation { token, mail: queued(account, Some(user), MailKind::Invitation, mail) }
}

fn not_invited(status: UserStatus) -> AppError {
    AppError::Conflict(format!(
        "only invited users can be sent an invitation; this user is {} ({})",
        status.as_str(),
        status.label()
    ))
}

pub(crate) fn invitation_mail(
    email: &Email,
    name: &str,
    token: &str,
    expires_at: Micros,
    opts: &InviteOptions,
) -> Mail {
    if let Some(sso) = &opts.sso {
        return Mail {
            to: email.delivery_address().to_owned(),
            subject: "You are invited to Roster".into(),
            body: format!(
                "Hello {name},\n\nyou have been invited to Roster. Your organization signs you in with {}: open\n\n  {}\n\nand choose \"Sign in with {}\". There is no password to set.\n",
                sso.provider, sso.login_url, sso.provider
            ),
        };
    }
    let link = format!("{}/invitations/accept?token={token}", opts.public_url);
    Mail {
        to: email.delivery_address().to_owned(),
        subject: "You are invited to Roster".into(),
        body: format!(
            "Hello {name},\n\nyou have been invited to Roster. Open this link to choose your password and sign in:\n\n  {link}\n\nThe link works once and expires on {}.\n",
            clock::rfc3339(expires_at)
        ),
    }
}
