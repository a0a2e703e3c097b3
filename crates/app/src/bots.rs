//! Bots as user management sees them: creating one with its Owner, listing them per
//! workspace, a user's Developer/Tester roles (the Manage Bots tab), and Transfer Ownership.
//!
//! Rules: exactly one Owner per bot (the schema forbids a second, every write keeps one); the Owner role is set at
//! creation and moves only by transfer, which only the Primary Master Admin may do; every
//! role needs membership of the bot's workspace; bots outside an admin's scope look absent.

use crate::audit;
use crate::authz::{BotsAssign, BotsView, InScope, OnUser, Principal, TransferOwnership};
use crate::error::What;
use crate::{AppCtx, AppError, Input};
use domain::bot::BotRole;
use domain::ids::{AccountId, BotId, UserId, WorkspaceId};
use domain::user::{BuilderAccess, Email, UserStatus};
use serde_json::json;
use store::bots::{BotRow, Candidate, Transfer};
use store::users::PersonKey;

pub use store::bots::{BotRow as Bot, Candidate as OwnerCandidate, UserBot};

/// A bot of the account inside the holder's scope, or 404.
async fn bot_in_scope<P>(ctx: &AppCtx, account: AccountId, may: &InScope<P>, bot: BotId) -> Result<BotRow, AppError> {
    let row = store::bots::find(&ctx.db, account, bot).await?.ok_or(AppError::NotFound(What::Bot))?;
    if may.covers(WorkspaceId(row.workspace_id)) { Ok(row) } else { Err(AppError::NotFound(What::Bot)) }
}

/// What creating a bot takes.
#[derive(Debug, Clone, Default)]
pub struct NewBot {
    pub workspace_id: String,
    pub name: String,
    /// Email or id of the Owner; empty: the creator.
    pub owner: Option<String>,
}

/// Creates a bot. An admin with `bots.assign` creates one in a workspace of their scope for
/// any active member of it (`owner`: email, id or unique name; default the admin); anyone
/// with "builder access + new bot creation" creates one they own in a workspace they are in.
/// Every bad field is refused at once, with those that went unread, and nothing is written.
pub async fn create(ctx: &AppCtx, p: &Principal, new: Input<NewBot>) -> Result<BotRow, AppError> {
    // Name, workspace and Owner are each read before any is refused: one answer names all.
    let (new, mut problems) = new.open();
    let name = problems.check(domain::text::required_line("name", &new.name, 100))?;
    let workspace = problems.check(
        new.workspace_id
            .trim()
            .parse::<WorkspaceId>()
            .map_err(|_| AppError::invalid("workspace_id", "is not a workspace id")),
    )?;
    let assign = crate::authz::in_scope::<BotsAssign>(p).ok();
    let as_admin = workspace.is_some_and(|w| assign.as_ref().is_some_and(|may| may.covers(w)));
    let owner_raw = new.owner.as_deref().map(str::trim).filter(|s| !s.is_empty());
    // A workspace the caller can reach neither as an admin (bots.assign in its scope) nor
    // as a member looks absent: the same 400 as one that does not exist, so the answer
    // does not tell which ids are workspaces of the account.
    let workspace = match workspace {
        None => None,
        Some(w) => {
            let exists = store::lookups::workspaces(&ctx.db, p.account_id).await?.iter().any(|k| k.id == w.0);
            let reachable =
                as_admin || store::lookups::user_workspaces(&ctx.db, p.user_id).await?.iter().any(|k| k.id == w.0);
            if exists && reachable {
                Some(w)
            } else {
                problems.refuse("workspace_id", "there is no such workspace");
                None
            }
        }
    };
    let me = p.user_id.to_string();
    let owner = match workspace {
        // The Owner is judged within a workspace, so only once it is known.
        None => None,
        Some(workspace) if as_admin => {
            problems.check(resolve_member(ctx, p.account_id, workspace, "owner", owner_raw.unwrap_or(&me)).await)?
        }
        Some(workspace) => {
            if owner_raw.is_some_and(|o| !o.eq_ignore_ascii_case(&p.email) && o != me) {
                return Err(AppError::Forbidden(
                    "creating a bot for someone else requires the bots.assign permission in its workspace".into(),
                ));
            }
            let user =
                store::users::find(&ctx.db, p.account_id, p.user_id).await?.ok_or(AppError::NotFound(What::User))?;
            if user.builder_access != BuilderAccess::BuilderAndCreate {
                return Err(AppError::Forbidden(
                    "creating bots requires Bot Builder access with new bot creation, or the bots.assign permission"
                        .into(),
                ));
            }
            let own = resolve_member(ctx, p.account_id, workspace, "workspace_id", &me).await.map_err(|e| match e {
                AppError::Invalid { .. } => {
                    AppError::Conflict("you are not a member of that workspace; a bot's Owner must be".into())
                }
                other => other,
            })?;
            Some(own)
        }
    };
    problems.finish()?;
    let (Some(name), Some(workspace), Some(owner)) = (name, workspace, owner) else {
        return Err(AppError::Internal("a refused field was not reported".into()));
    };
    if as_admin && owner.id != p.user_id.0 {
        // Making someone a bot's Owner is giving them bot access: only to a user within
        // the caller's authority, as the Manage Bots tab decides (the same 403).
        crate::authz::on_user::<BotsAssign>(ctx, p, UserId(owner.id)).await?;
    }
    let name = name.as_str();
    let id = BotId::new();
    let event = audit::by(
        &crate::authz::Actor::of(p),
        domain::closed::AuditAction::BotCreated,
        Some(UserId(owner.id)),
        json!({"bot_id": id, "bot": name, "workspace_id": workspace}),
    );
    let created = store::bots::create_owned(&ctx.db, id, workspace, name, UserId(owner.id), &event).await.map_err(
        |e| match e {
            store::StoreError::Conflict(_) => {
                AppError::Conflict(format!("a bot named {name:?} already exists in this workspace"))
            }
            other => other.into(),
        },
    )?;
    if !created {
        return Err(AppError::Conflict(
            "the Owner changed meanwhile (status or workspaces); reload and try again".into(),
        ));
    }
    store::bots::find(&ctx.db, p.account_id, id).await?.ok_or(AppError::NotFound(What::Bot))
}

/// The workspaces of the holder's scope (for filters and the create form).
pub async fn workspaces(ctx: &AppCtx, may: &InScope<BotsView>) -> Result<Vec<store::lookups::Named>, AppError> {
    let all = store::lookups::workspaces(&ctx.db, may.account).await?;
    Ok(all.into_iter().filter(|w| may.covers(WorkspaceId(w.id))).collect())
}

/// The bots of the holder's scope, optionally of one workspace.
pub async fn list(ctx: &AppCtx, may: &InScope<BotsView>, workspace: Option<&str>) -> Result<Vec<BotRow>, AppError> {
    let rows = store::bots::list(&ctx.db, may.account, may.within.as_deref()).await?;
    let Some(w) = workspace.map(str::trim).filter(|w| !w.is_empty()) else { return Ok(rows) };
    let w = w.parse::<WorkspaceId>().map_err(|_| AppError::invalid("workspace_id", "is not a workspace id"))?;
    Ok(rows.into_iter().filter(|b| b.workspace_id == w.0).collect())
}

/// The bots the user of `on` can access, limited to the admin's scope (`scope`).
pub async fn of_user(ctx: &AppCtx, on: &OnUser<BotsView>, scope: &InScope<BotsView>) -> Result<Vec<UserBot>, AppError> {
    let rows = store::bots::of_user(&ctx.db, on.user).await?;
    Ok(rows.into_iter().filter(|b| scope.covers(WorkspaceId(b.workspace_id))).collect())
}

/// Bots the user of `on` could be given a role on: in the admin's scope and the user's
/// workspaces, where they have no role yet.
/// `theirs`: the bots the user has a role on, as the caller just read them ([`of_user`]).
pub async fn assignable(
    ctx: &AppCtx,
    on: &OnUser<BotsAssign>,
    scope: &InScope<BotsAssign>,
    theirs: &[uuid::Uuid],
) -> Result<Vec<BotRow>, AppError> {
    let user_ws: Vec<uuid::Uuid> = on.workspaces().iter().map(|w| w.id).collect();
    let rows = store::bots::list(&ctx.db, scope.account, scope.within.as_deref()).await?;
    Ok(rows.into_iter().filter(|b| user_ws.contains(&b.workspace_id) && !theirs.contains(&b.id)).collect())
}

const OWNER_FIXED: &str =
    "this user is the bot's Owner; the Owner role cannot be changed or removed here, only moved by Transfer Ownership";

/// Gives the user of `on` the Developer or Tester role on a bot (assign or change).
pub async fn set_role(
    ctx: &AppCtx,
    on: &OnUser<BotsAssign>,
    scope: &InScope<BotsAssign>,
    bot: BotId,
    role: &str,
) -> Result<(), AppError> {
    let bot = bot_in_scope(ctx, on.account, scope, bot).await?;
    let role: BotRole = role.trim().parse()?;
    if !role.is_assignable() {
        return Err(AppError::invalid(
            "role",
            "must be developer or tester; the Owner role moves only by Transfer Ownership",
        ));
    }
    if !on.workspaces().iter().any(|w| w.id == bot.workspace_id) {
        return Err(AppError::Conflict(format!(
            "the user is not a member of workspace {:?}, where bot {:?} lives; add them to the workspace first",
            bot.workspace_name, bot.name
        )));
    }
    let old = store::bots::role_of(&ctx.db, BotId(bot.id), on.user).await?;
    if old == Some(BotRole::Owner) {
        return Err(AppError::Conflict(OWNER_FIXED.into()));
    }
    if old == Some(role) {
        return Ok(());
    }
    let event = audit::by(
        &on.actor,
        domain::closed::AuditAction::BotRoleSet,
        Some(on.user),
        json!({"bot_id": bot.id, "bot": bot.name, "old": old.map(BotRole::as_str), "new": role.as_str()}),
    );
    if store::bots::set_role(&ctx.db, BotId(bot.id), on.user, role, &event).await? {
        Ok(())
    } else {
        Err(AppError::Conflict(OWNER_FIXED.into()))
    }
}

/// Takes the user's Developer or Tester role on a bot away (404 when they have none).
pub async fn remove_role(
    ctx: &AppCtx,
    on: &OnUser<BotsAssign>,
    scope: &InScope<BotsAssign>,
    bot: BotId,
) -> Result<(), AppError> {
    let bot = bot_in_scope(ctx, on.account, scope, bot).await?;
    match store::bots::role_of(&ctx.db, BotId(bot.id), on.user).await? {
        None => return Err(AppError::NotFound(What::Bot)),
        Some(BotRole::Owner) => return Err(AppError::Conflict(OWNER_FIXED.into())),
        Some(BotRole::Developer | BotRole::Tester) => {}
    }
    let event = audit::by(
        &on.actor,
        domain::closed::AuditAction::BotRoleRemoved,
        Some(on.user),
        json!({"bot_id": bot.id, "bot": bot.name}),
    );
    if store::bots::remove_role(&ctx.db, BotId(bot.id), on.user, &event).await? {
        Ok(())
    } else {
        Err(AppError::Conflict("the user's role on this bot changed meanwhile; reload".into()))
    }
}

/// Finds the active member of `workspace` meant by `who`: an email, a user id, or a full
/// name only one of them has. Errors name `field`.
pub async fn resolve_member(
    ctx: &AppCtx,
    account: AccountId,
    workspace: WorkspaceId,
    field: &'static str,
    who: &str,
) -> Result<Candidate, AppError> {
    let who = domain::text::line(field, who, 320)?
        .ok_or_else(|| AppError::invalid(field, "is required: an email or a name"))?;
    let who = who.as_str();
    let not_member = || AppError::invalid(field, format!("{who:?} is not an active member of the bot's workspace"));
    if let Ok(id) = who.parse::<UserId>() {
        let user = store::users::find(&ctx.db, account, id).await?.ok_or_else(not_member)?;
        let member = store::lookups::user_workspaces(&ctx.db, id).await?.iter().any(|w| w.id == workspace.0);
        if !member || user.status != UserStatus::Active {
            return Err(not_member());
        }
        return Ok(Candidate {
            id: user.id,
            email: user.email,
            first_name: user.first_name,
            last_name: user.last_name,
        });
    }
    // An email is matched by its key; anything else as a full name ("first last").
    let name_key = who.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let email_key = Email::canonical_key(who).ok();
    let key = email_key.as_deref().map_or(PersonKey::Name(&name_key), PersonKey::Email);
    let exact = store::bots::active_members_keyed(&ctx.db, account, workspace, key).await?;
    match exact.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(not_member()),
        many => Err(AppError::invalid(
            field,
            format!(
                "{} active members are called {who:?}; use an email, such as: {}",
                // The lookup stops at 10, so 10 means "10 or more".
                if many.len() >= 10 { "10 or more".to_owned() } else { many.len().to_string() },
                many.iter().map(|c| c.email.as_str()).collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

/// Suggestions for a bot's new Owner: active members of its workspace matching `q`.
pub async fn owner_candidates(
    ctx: &AppCtx,
    may: &InScope<BotsView>,
    bot: BotId,
    q: &str,
) -> Result<Vec<Candidate>, AppError> {
    let q = domain::text::search_term("q", q, crate::users::MAX_QUERY_CHARS)?.unwrap_or_default();
    let bot = bot_in_scope(ctx, may.account, may, bot).await?;
    Ok(store::bots::owner_candidates(&ctx.db, may.account, WorkspaceId(bot.workspace_id), &q, 20).await?)
}

/// One planned change of Owner, checked, with its audit event.
pub(crate) async fn plan_transfer(
    ctx: &AppCtx,
    may: &TransferOwnership,
    from: UserId,
    bot: BotId,
    new_owner: &str,
) -> Result<(Transfer, Vec<store::audit::NewAuditEvent>), AppError> {
    let row = store::bots::find(&ctx.db, may.account, bot).await?.ok_or(AppError::NotFound(What::Bot))?;
    if row.owner_id != Some(from.0) {
        return Err(AppError::Conflict(format!("this user is not the Owner of bot {:?}", row.name)));
    }
    let to = resolve_member(ctx, may.account, WorkspaceId(row.workspace_id), "new_owner", new_owner).await?;
    if to.id == from.0 {
        return Err(AppError::invalid("new_owner", "is already the Owner of this bot"));
    }
    // One event about each user, so filtering the log by either of them finds the transfer.
    let details = json!({"bot_id": row.id, "bot": row.name, "from": from, "to": to.id, "to_email": to.email});
    let events = vec![
        audit::by(&may.actor, domain::closed::AuditAction::BotOwnershipTransferred, Some(from), details.clone()),
        audit::by(&may.actor, domain::closed::AuditAction::BotOwnershipReceived, Some(UserId(to.id)), details),
    ];
    Ok((Transfer { bot, from, to: UserId(to.id) }, events))
}

/// Makes `new_owner` (email, id or unique name) the Owner of `bot`, which `from` owns now;
/// `from` stays on the bot as Developer. One transaction, audited with both users.
pub async fn transfer(
    ctx: &AppCtx,
    may: &TransferOwnership,
    from: UserId,
    bot: BotId,
    new_owner: &str,
) -> Result<(), AppError> {
    let (t, event) = plan_transfer(ctx, may, from, bot, new_owner).await?;
    if store::bots::transfer(&ctx.db, &t, &event).await? {
        Ok(())
    } else {
        Err(AppError::Conflict(
            "the bot's Owner or the new Owner's status changed meanwhile; reload and try again".into(),
        ))
    }
}
