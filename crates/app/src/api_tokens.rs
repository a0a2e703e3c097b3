//! API tokens (PRODUCT.md §6, §10): made by holders of `tokens.manage` with permissions and
//! a scope within their own, shown once, stored as SHA-256 of the secret; listed and revoked
//! within the holder's authority; and turned into a [`Principal`] on every bearer request.
//!
//! A token's rights are recomputed at each request from its creator's *current* role
//! ([`domain::api_token::effective_role`]): a creator demoted loses the token's rights with
//! them, and one suspended, locked, invited again or deleted makes it fail like an unknown
//! token. Every refusal of a presented token (malformed, unknown, expired, revoked, creator
//! gone) is the same [`AppError::Unauthenticated`], so the answer never tells whether a
//! token existed.
//!
//! SHA-256 rather than Argon2: the secret is 32 random bytes, not a guessable password, so a
//! fast hash loses nothing and keeps the per-request check one indexed lookup.

use crate::authz::{ManageTokens, Principal, TokenRef};
use crate::clock::{self, Micros};
use crate::error::What;
use crate::{AppCtx, AppError, Input, Problems, audit, tokens};
use domain::api_token::{self as rules, SECRET_PREFIX};
use domain::closed::AuditAction;
use domain::ids::{AccountId, ApiTokenId, SessionId, UserId, WorkspaceId};
use domain::permission::{Permission, PermissionSet, Scope};
use domain::user::UserStatus;
use serde::Deserialize;
use serde_json::json;
pub use store::api_tokens::ApiTokenRow as ApiToken;
use store::api_tokens::NewApiToken;

/// How often a token's last use (time and address) is saved, at most.
pub const LAST_USED_EVERY: Micros = clock::MINUTE;

/// What creating a token takes, as it arrives (JSON body or form).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewToken {
    #[serde(default)]
    pub name: String,
    /// RFC 3339 time, or a date (the end of that UTC day is not implied: midnight UTC).
    pub expires_at: Option<String>,
    /// Whole days from now, 1 to 365 (instead of `expires_at`).
    pub expires_in_days: Option<i64>,
    #[serde(default)]
    pub permissions: Vec<String>,
    /// Workspace ids; omitted: the creator's whole scope (all workspaces for an unscoped admin).
    pub workspaces: Option<Vec<String>>,
}

/// A token's state at a moment: the one table of its texts (API, pages, API document).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStatus {
    Active,
    /// Its creator lends it no rights (suspended; [`domain::user::UserStatus::may_use_api_tokens`]): no
    /// effect until they are active again.
    Inactive,
    Expired,
    Revoked,
}

impl TokenStatus {
    pub const ALL: [Self; 4] = [Self::Active, Self::Inactive, Self::Expired, Self::Revoked];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Inactive => "inactive",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }

    /// `t`'s state at `now` (µs): revoked, else expired, else inactive while its creator
    /// lends it no rights, else active.
    pub fn of(t: &ApiToken, now: Micros) -> Self {
        if t.revoked_at.is_some() {
            Self::Revoked
        } else if t.expires_at <= now {
            Self::Expired
        } else if t.creator_lends {
            Self::Active
        } else {
            Self::Inactive
        }
    }

    /// Whether a token in this state can still be revoked (neither revoked nor expired).
    pub fn revocable(self) -> bool {
        matches!(self, Self::Active | Self::Inactive)
    }
}

/// A token just made, with its secret: shown this once, never again.
#[derive(Debug, Clone)]
pub struct Created {
    pub token: ApiToken,
    pub secret: String,
}

fn expiry(new: &NewToken, now: Micros, problems: &mut Problems) -> Option<Micros> {
    let at = match (new.expires_at.as_deref().map(str::trim).filter(|s| !s.is_empty()), new.expires_in_days) {
        (None, None) => {
            // An expiry given but unreadable (`expires_in_days: 1.5`) is already reported.
            if !problems.has("expires_in_days") {
                problems.refuse("expires_at", "is required (or give expires_in_days)");
            }
            return None;
        }
        (Some(_), Some(_)) => {
            problems.refuse("expires_in_days", "give either expires_at or expires_in_days, not both");
            return None;
        }
        (None, Some(days)) => {
            if !(1..=rules::MAX_LIFETIME_DAYS).contains(&days) {
                problems.refuse("expires_in_days", "must be a whole number from 1 to 365");
                return None;
            }
            return Some(now + days * clock::DAY);
        }
        (Some(raw), None) => {
            let parsed =
                time::OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339).ok().or_else(|| {
                    time::Date::parse(raw, time::macros::format_description!("[year]-[month]-[day]"))
                        .ok()
                        .map(|d| d.midnight().assume_utc())
                });
            let Some(parsed) = parsed else {
                problems.refuse("expires_at", "must be a date (2027-01-31) or an RFC 3339 time");
                return None;
            };
            clock::to_micros(parsed)
        }
    };
    match rules::expiry_problem(now, at) {
        Some(why) => {
            problems.refuse("expires_at", why);
            None
        }
        None => Some(at),
    }
}

fn permissions(may: &ManageTokens, raw: &[String], problems: &mut Problems) -> PermissionSet {
    let held = may.role().permissions();
    let mut set = PermissionSet::default();
    let (mut unknown, mut not_held) = (Vec::new(), Vec::new());
    for name in raw.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        match name.parse::<Permission>() {
            Ok(p) if held.contains(p) => set.insert(p),
            Ok(p) => not_held.push(p.as_str()),
            Err(_) => unknown.push(format!("{name:?}")),
        }
    }
    let mut whys = Vec::new();
    if !unknown.is_empty() {
        whys.push(format!("unknown permissions: {}", unknown.join(", ")));
    }
    if !not_held.is_empty() {
        whys.push(format!("a token holds only permissions you hold; you do not hold {}", not_held.join(", ")));
    }
    if !whys.is_empty() {
        problems.refuse("permissions", whys.join("; "));
    } else if set.is_empty() {
        problems.refuse("permissions", "choose at least one permission");
    }
    set
}

async fn scope(
    ctx: &AppCtx,
    may: &ManageTokens,
    raw: Option<&[String]>,
    problems: &mut Problems,
) -> Result<Scope, AppError> {
    let mine = may.role().scope();
    let Some(raw) = raw else { return Ok(mine) };
    let known: Vec<uuid::Uuid> = store::lookups::workspaces(&ctx.db, may.account).await?.iter().map(|w| w.id).collect();
    let (mut ids, mut outside) = (std::collections::BTreeSet::new(), Vec::new());
    for w in raw.iter().map(|w| w.trim()).filter(|w| !w.is_empty()) {
        // A workspace outside the account and one outside the creator's scope look alike.
        match w.parse::<WorkspaceId>() {
            Ok(id) if known.contains(&id.0) && mine.includes(id) => {
                ids.insert(id);
            }
            _ => outside.push(format!("{w:?}")),
        }
    }
    if !outside.is_empty() {
        problems.refuse("workspaces", format!("not workspaces of your scope: {}", outside.join(", ")));
        return Ok(mine);
    }
    if ids.is_empty() {
        problems.refuse("workspaces", "choose at least one workspace, or leave it out for your whole scope");
    }
    Ok(Scope::Workspaces(ids))
}

/// What a new token may hold, for the create form: the holder's permissions, and the
/// workspaces of their scope (by name).
pub async fn choices(
    ctx: &AppCtx,
    may: &ManageTokens,
) -> Result<(Vec<Permission>, Vec<store::lookups::Named>), AppError> {
    let scope = may.role().scope();
    let workspaces = store::lookups::workspaces(&ctx.db, may.account).await?;
    let workspaces = workspaces.into_iter().filter(|w| scope.includes(WorkspaceId(w.id))).collect();
    Ok((may.role().permissions().iter().collect(), workspaces))
}

/// Creates a token: `name` (1–100 characters), an expiry (`expires_at` or
/// `expires_in_days`, in the future and at most 365 days ahead), `permissions` (at least
/// one, each held by the creator) and `workspaces` (within the creator's scope). Every bad
/// field is reported at once ([`AppError::InvalidFields`]), with those that went unread, and
/// nothing is written. Audited as `api_token.created`.
pub async fn create(ctx: &AppCtx, may: &ManageTokens, new: Input<NewToken>) -> Result<Created, AppError> {
    let now = ctx.clock.now();
    // A field that could not be read is reported as such, not as what its blank stands for.
    let (new, mut problems) = new.open();
    let name = problems.check(domain::text::required_line("name", &new.name, rules::NAME_MAX_CHARS))?;
    let expires_at = expiry(&new, now, &mut problems);
    let permissions = permissions(may, &new.permissions, &mut problems);
    let scope = scope(ctx, may, new.workspaces.as_deref(), &mut problems).await?;
    problems.finish()?;
    let (Some(name), Some(expires_at)) = (name, expires_at) else {
        return Err(AppError::Internal("a refused field was not reported".into()));
    };
    let secret = format!("{SECRET_PREFIX}{}", tokens::generate());
    let token = NewApiToken {
        id: ApiTokenId::new(),
        account: may.account,
        creator: may.actor.user,
        name,
        secret_hash: tokens::hash(&secret),
        permissions,
        scope,
        created_at: now,
        expires_at,
    };
    let event = audit::by(
        &may.actor,
        AuditAction::ApiTokenCreated,
        None,
        json!({"api_token_id": token.id, "name": token.name,
        "permissions": token.permissions.iter().map(Permission::as_str).collect::<Vec<_>>(),
        // What the token may reach: "all" workspaces or these ids.
        "scope": match &token.scope {
            domain::permission::Scope::AllWorkspaces => json!("all"),
            domain::permission::Scope::Workspaces(ws) => json!(ws),
        },
        "expires_at": clock::rfc3339(expires_at)}),
    );
    store::api_tokens::create(&ctx.db, &token, &event).await?;
    let row = store::api_tokens::find(&ctx.db, may.account, token.id).await?.ok_or(AppError::NotFound(What::Token))?;
    Ok(Created { token: row, secret })
}

/// The tokens the holder reaches ([`ManageTokens::reaches`]), newest first, revoked and
/// expired ones included.
pub async fn list(ctx: &AppCtx, may: &ManageTokens) -> Result<Vec<ApiToken>, AppError> {
    let all = store::api_tokens::list(&ctx.db, may.account, None).await?;
    Ok(all.into_iter().filter(|t| may.reaches(t.creator, t.permissions, &t.scope)).collect())
}

/// Revokes token `id` (404 when absent or out of the holder's reach). Revoking a revoked
/// token changes nothing and records nothing. Audited as `api_token.revoked`.
pub async fn revoke(ctx: &AppCtx, may: &ManageTokens, id: ApiTokenId) -> Result<ApiToken, AppError> {
    let token = store::api_tokens::find(&ctx.db, may.account, id)
        .await?
        .filter(|t| may.reaches(t.creator, t.permissions, &t.scope))
        .ok_or(AppError::NotFound(What::Token))?;
    let now = ctx.clock.now();
    let event = audit::by(
        &may.actor,
        AuditAction::ApiTokenRevoked,
        None,
        json!({"api_token_id": token.id, "name": token.name, "creator": token.creator}),
    );
    store::api_tokens::revoke(&ctx.db, id, may.actor.user, now, &event).await?;
    store::api_tokens::find(&ctx.db, may.account, id).await?.ok_or(AppError::NotFound(What::Token))
}

/// Why a presented bearer secret was refused. Every cause answers the same 401; the cause
/// is only logged (with the token's id when there is one, never the secret), so that an
/// operator can tell a revoked token from a locked creator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not `roster_pat_` and a secret body.
    Malformed,
    /// No token has this secret.
    Unknown,
    Revoked,
    Expired,
    /// The creator is deleted.
    CreatorDeleted,
    /// The creator lends it no rights (suspended, invited: not
    /// [`UserStatus::may_use_api_tokens`]).
    CreatorLendsNothing,
}

impl Refusal {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::Unknown => "unknown",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
            Self::CreatorDeleted => "creator deleted",
            Self::CreatorLendsNothing => "creator suspended or invited",
        }
    }

    /// The cause behind a token that [`store::api_tokens::find_live`] did not return, from its
    /// standing at `now` (µs): revoked, else expired, else its creator deleted. `None` when
    /// the standing says it is live (it changed between the two reads).
    pub fn of(standing: &store::api_tokens::TokenStanding, now: Micros) -> Option<Self> {
        if standing.revoked_at.is_some() {
            Some(Self::Revoked)
        } else if standing.expires_at <= now {
            Some(Self::Expired)
        } else if standing.creator_deleted_at.is_some() {
            Some(Self::CreatorDeleted)
        } else {
            None
        }
    }
}

/// Logs why a bearer token was refused (`token`: its id, when the secret named one; the
/// creator's status when that is the cause) and returns the one answer every cause gets.
fn refuse(why: Refusal, token: Option<uuid::Uuid>, creator: Option<UserStatus>, ip: &str) -> AppError {
    tracing::info!(reason = why.as_str(), token = ?token, creator_status = creator.map(UserStatus::as_str), ip,
        "API token refused");
    AppError::Unauthenticated
}

/// The principal behind a presented bearer secret, or [`AppError::Unauthenticated`] for
/// anything but a live token of a creator who lends it rights
/// ([`domain::user::UserStatus::may_use_api_tokens`]: active, or locked by failed
/// passwords); the cause is logged at info, see [`Refusal`]. Its role is the token's rights
/// intersected with the creator's current ones. Saves the last use (time, `ip`) at most once
/// a [`LAST_USED_EVERY`].
pub async fn authenticate(ctx: &AppCtx, presented: &str, ip: &str) -> Result<Principal, AppError> {
    if rules::secret_body(presented).is_none() {
        return Err(refuse(Refusal::Malformed, None, None, ip));
    }
    let now = ctx.clock.now();
    let hash = tokens::hash(presented);
    let Some(t) = store::api_tokens::find_live(&ctx.db, &hash, now).await? else {
        // Only a refused secret costs this second read, which tells the cause for the log.
        let standing = store::api_tokens::standing(&ctx.db, &hash).await?;
        let why = standing.as_ref().map_or(Some(Refusal::Unknown), |s| Refusal::of(s, now));
        return Err(refuse(why.unwrap_or(Refusal::Unknown), standing.map(|s| s.id), None, ip));
    };
    if !t.creator.status.may_use_api_tokens() {
        return Err(refuse(Refusal::CreatorLendsNothing, Some(t.id), Some(t.creator.status), ip));
    }
    let id = ApiTokenId(t.id);
    if t.last_used_at.is_none_or(|at| now - at >= LAST_USED_EVERY) {
        store::api_tokens::touch(&ctx.db, id, now, ip, now - LAST_USED_EVERY + 1).await?;
    }
    let creator = t.creator.role.admin_role()?;
    let role = rules::effective_role(&creator, id, &t.name, t.permissions(), &t.scope());
    let workspaces = t.creator.user_workspaces()?;
    let account = AccountId(t.account_id);
    Ok(Principal {
        user_id: UserId(t.creator_user_id),
        account_id: account,
        session_id: SessionId(t.id),
        // No form is ever checked against it: bearer requests read no forms.
        csrf_token: tokens::generate(),
        email: t.creator.email,
        display_name: format!("{} {}", t.creator.first_name, t.creator.last_name),
        role,
        builder_access: t.creator.builder_access,
        workspace: workspaces.first().map(|w| WorkspaceId(w.id)),
        ip: ip.to_owned(),
        profile_settings: crate::user_settings::current(ctx, account).await?,
        workspaces,
        api_token: Some(TokenRef { id, name: t.name }),
    })
}

#[cfg(test)]
mod tests {
    use super::Refusal;
    use store::api_tokens::TokenStanding;

    #[test]
    fn a_dead_tokens_cause_is_revoked_then_expired_then_its_creator_deleted() {
        let at = |revoked_at, expires_at, creator_deleted_at| TokenStanding {
            id: uuid::Uuid::nil(),
            revoked_at,
            expires_at,
            creator_deleted_at,
        };
        assert_eq!(Refusal::of(&at(Some(1), 5, Some(1)), 10), Some(Refusal::Revoked));
        assert_eq!(Refusal::of(&at(None, 10, Some(1)), 10), Some(Refusal::Expired), "expired at its instant");
        assert_eq!(Refusal::of(&at(None, 11, Some(1)), 10), Some(Refusal::CreatorDeleted));
        assert_eq!(Refusal::of(&at(None, 11, None), 10), None, "live: it changed between the reads");
        let names: Vec<&str> = [Refusal::Malformed, Refusal::Unknown, Refusal::CreatorLendsNothing]
            .into_iter()
            .map(Refusal::as_str)
            .collect();
        assert_eq!(names, ["malformed", "unknown", "creator suspended or invited"]);
    }
}
