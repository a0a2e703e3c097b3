//! Who an SSO sign-in is: the user of the account with the token's verified email
//! (canonical form), activated when invited, created when unknown and the account allows
//! it — and what the attribute mapping changes for them.

use super::SsoFailure;
use crate::authz::{MappingAsk, MappingReach, RoleAsk};
use crate::{AppCtx, AppError, audit, clock};
use domain::closed::AuditAction;
use domain::ids::{AccountId, AdminRoleId, GroupId, UserId, WorkspaceId};
use domain::security::SecuritySettings;
use domain::sso::{RoleChange, SsoSettings, UserAttributes, same_name};
use domain::user::{BuilderAccess, Email, PersonName, SignInRefusal, SsoSignIn, UserStatus};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The user a sign-in opens a session for.
pub(crate) struct Matched {
    pub user: UserId,
    pub security: SecuritySettings,
}

type Refusal = (Option<UserId>, SsoFailure);

/// Matches `email` within `account`: active users sign in; invited ones become active
/// (their invitation spent, no password set); suspended, locked and deleted ones are refused;
/// unknown ones are refused naming the admins to ask, or created active in the default
/// workspace when the account creates users on first sign-in (two first sign-ins racing:
/// the second finds the user the first created). A lock whose time has run out is lifted
/// first, as at a password sign-in ([`crate::lockout`]). The mapping is applied to whoever signs in (`groups`: the mapped claim's values, `None` when
/// absent).
pub(crate) async fn match_user(
    ctx: &AppCtx,
    account: AccountId,
    s: &SsoSettings,
    email: &Email,
    raw: &Value,
    groups: Option<&[String]>,
    ip: &str,
) -> Result<Matched, Refusal> {
    let internal = |e: AppError| (None, SsoFailure::Internal(e));
    let found = store::sso::find_user(&ctx.db, account, &email.key()).await.map_err(|e| internal(e.into()))?;
    let u = match found {
        Some(u) => u,
        None if !s.create_users => {
            let admins = store::lookups::admin_contacts(&ctx.db, account).await.map_err(|e| internal(e.into()))?;
            let mut ask: Vec<String> = admins.iter().filter(|a| a.is_primary_admin).map(|a| a.email.clone()).collect();
            ask.extend(admins.iter().filter(|a| !a.is_primary_admin).map(|a| a.email.clone()).take(2));
            return Err((None, SsoFailure::Unknown { email: email.as_str().to_owned(), ask }));
        }
        None => match create(ctx, account, email, raw, ip).await {
            Ok(user) => {
                let now = UserAttributes {
                    groups: BTreeSet::new(),
                    admin_role: None,
                    builder_access: BuilderAccess::None,
                    is_primary_admin: false,
                };
                apply_mapping(ctx, account, user, s, groups, &now, ip).await.map_err(internal)?;
                let security = crate::settings::security(ctx, account).await.map_err(internal)?;
                return Ok(Matched { user, security });
            }
            // Another first sign-in of the same person created them a moment ago (the
            // unique email index refused ours): they are that user now.
            Err(AppError::Store(store::StoreError::Conflict(_))) => {
                store::sso::find_user(&ctx.db, account, &email.key())
                    .await
                    .map_err(|e| internal(e.into()))?
                    .ok_or_else(|| internal(AppError::Internal("a conflicting user vanished".into())))?
            }
            Err(e) => return Err(internal(e)),
        },
    };
    let user = UserId(u.id);
    let refused = |f: SsoFailure| (Some(user), f);
    if u.deleted {
        return Err(refused(SsoFailure::Deleted));
    }
    // A lock whose time is up is lifted (the one timer rule); a running one refuses, as a
    // suspension does.
    let status = crate::lockout::status_at_sign_in(ctx, account, user, u.status, u.lock_until, clock::now())
        .await
        .map_err(internal)?;
    let verdict = status.sso_sign_in().map_err(|r| match r {
        SignInRefusal::Locked => refused(SsoFailure::Locked { unlocks_at: u.lock_until }),
        _ => refused(SsoFailure::Suspended),
    });
    match verdict? {
        SsoSignIn::AcceptInvitation => {
            let event =
                audit::unattended(account, AuditAction::InvitationAccepted, Some(user), ip, json!({"method": "sso"}));
            let activated = store::sso::activate_invited(&ctx.db, user, clock::now(), &event)
                .await
                .map_err(|e| internal(e.into()))?;
            // Not activated by us: another first sign-in of theirs (a second tab) may have
            // done it a moment ago — then they are in; else an admin acted meanwhile.
            if !activated {
                let again =
                    store::sso::find_user(&ctx.db, account, &email.key()).await.map_err(|e| internal(e.into()))?;
                if !again.is_some_and(|a| a.status == UserStatus::Active && !a.deleted) {
                    return Err(refused(SsoFailure::Suspended));
                }
            }
        }
        SsoSignIn::Enter => {}
    }
    let now = UserAttributes {
        // The default workspace's, read by `apply_mapping`: the groups the mapping governs.
        groups: BTreeSet::new(),
        admin_role: u.admin_role.clone(),
        builder_access: u.builder_access,
        is_primary_admin: u.is_primary_admin,
    };
    apply_mapping(ctx, account, user, s, groups, &now, ip).await.map_err(internal)?;
    Ok(Matched { user, security: crate::settings::parse_security(u.security_settings.as_deref()) })
}

/// Creates the unknown `email` as an active user without a password, in the account's
/// default workspace, named from the token's `given_name`/`family_name` (else the address).
async fn create(ctx: &AppCtx, account: AccountId, email: &Email, raw: &Value, ip: &str) -> Result<UserId, AppError> {
    let workspace = store::sso::default_workspace(&ctx.db, account)
        .await?
        .ok_or_else(|| AppError::Internal("the account has no workspace".into()))?;
    let local = email.as_str().split('@').next().unwrap_or("user").to_owned();
    let name = |claim: &str, field: &'static str, fallback: &str| {
        raw.get(claim)
            .and_then(Value::as_str)
            .and_then(|n| PersonName::parse(field, n).ok())
            .or_else(|| PersonName::parse(field, fallback).ok())
    };
    let first = name("given_name", "first_name", &local).ok_or_else(|| AppError::Internal("no first name".into()))?;
    let last = name("family_name", "last_name", "-").ok_or_else(|| AppError::Internal("no last name".into()))?;
    let id = UserId::new();
    let now = clock::now();
    let user = store::users::NewUser {
        id,
        account_id: account,
        email: email.clone(),
        first_name: first,
        last_name: last,
        status: UserStatus::Active,
        builder_access: BuilderAccess::None,
        is_primary_admin: false,
        admin_role_id: None,
        password_hash: None,
        invited_at: None,
        last_login_at: None,
        created_at: now,
        workspaces: vec![workspace],
    };
    let event = audit::unattended(account, AuditAction::SsoUserCreated, Some(id), ip, json!({"method": "sso"}));
    store::sso::create_user(&ctx.db, &user, &event).await?;
    Ok(id)
}

/// Applies the attribute mapping for one sign-in, audited as `user.sso_mapping_applied`
/// when it changes anything or would have. Group names resolve in the account's default
/// workspace and role names among its admin roles by [`domain::sso::same_name`] — the
/// comparison the plan itself makes, so what Full sync resolves it also removes; names that
/// match nothing are skipped and listed in the event. The mapping acts only with what its
/// saver may grant now ([`crate::authz::mapping_reach`]): each part they could not make on
/// the console — the role, the Bot Builder level, the groups — is skipped, and the event's
/// `skipped` names it with why (`admin_role`/`admin_role_reason`,
/// `builder_access`/`builder_access_reason`, `join`/`leave`/`groups_reason`).
async fn apply_mapping(
    ctx: &AppCtx,
    account: AccountId,
    user: UserId,
    s: &SsoSettings,
    values: Option<&[String]>,
    now: &UserAttributes,
    ip: &str,
) -> Result<(), AppError> {
    let workspace = store::sso::default_workspace(&ctx.db, account).await?;
    let mut now = now.clone();
    let groups: Vec<store::lookups::GroupRow> = store::lookups::groups(&ctx.db, account)
        .await?
        .into_iter()
        .filter(|g| Some(g.workspace_id) == workspace.map(|w| w.0))
        .collect();
    // Only the default workspace's groups are the mapping's to govern: a group of the same
    // name in another workspace is another group.
    let current = store::lookups::user_groups(&ctx.db, user).await?;
    now.groups = current.into_iter().filter(|g| groups.iter().any(|d| d.id == g.id)).map(|g| g.name).collect();
    let mut plan = s.mapping.plan(values, &now);
    if plan.is_empty() {
        return Ok(());
    }
    let roles = store::roles::list(&ctx.db, account).await?;
    // The role asked for, resolved: `Some(None)` takes the role away.
    let role = match &plan.role {
        None => None,
        Some(RoleChange::Revoke) => Some(None),
        Some(RoleChange::Grant(name)) => roles
            .iter()
            .find(|r| same_name(&r.record.name, name))
            .map(|r| Some((AdminRoleId(r.record.id), r.record.name.clone(), crate::roles::role_of(&r.record)))),
    };
    let ask = MappingAsk {
        role: role.as_ref().map(|r| r.as_ref().map_or(RoleAsk::Revoke, |(_, _, role)| RoleAsk::Grant(role))),
        builder_access: plan.builder_access,
        groups: !plan.join.is_empty() || !plan.leave.is_empty(),
    };
    let reach = crate::authz::mapping_reach(ctx, account, s.mapping_saved_by, user, workspace, ask).await?;
    let mut skipped = skip_beyond_reach(&mut plan, &reach);
    if !plan.join.is_empty()
        && let Some(why) = join_refused(ctx, account, user, workspace).await?
    {
        let join = std::mem::take(&mut plan.join);
        if let Value::Null = skipped {
            skipped = json!({});
        }
        skipped["join"] = json!(join);
        skipped["groups_reason"] = json!(why);
    }
    let role = role.filter(|_| plan.role.is_some());
    let group_id = |n: &String| groups.iter().find(|g| same_name(&g.name, n)).map(|g| GroupId(g.id));
    let unknown: Vec<&String> = plan.join.iter().filter(|n| group_id(n).is_none()).collect();
    let change = store::sso::MappingChange {
        join: plan.join.iter().filter_map(group_id).collect(),
        leave: plan.leave.iter().filter_map(group_id).collect(),
        role: role.as_ref().map(|r| r.as_ref().map(|(id, _, _)| *id)),
        builder_access: plan.builder_access,
    };
    let nothing = change.join.is_empty() && change.leave.is_empty() && change.role.is_none();
    if nothing && change.builder_access.is_none() && skipped.is_null() {
        return Ok(());
    }
    let details = json!({
        "method": "sso",
        "mode": s.mapping.mode,
        "joined": plan.join.iter().filter(|n| group_id(n).is_some()).collect::<Vec<_>>(),
        "left": plan.leave,
        "admin_role": role.map(|r| json!({"old": now.admin_role, "new": r.map(|(_, name, _)| name)})),
        "builder_access": plan.builder_access.map(|b| json!({"old": now.builder_access, "new": b})),
        "unknown_groups": unknown,
        "skipped": skipped,
    });
    let event = audit::unattended(account, AuditAction::SsoMappingApplied, Some(user), ip, details);
    store::sso::apply_mapping(&ctx.db, user, &change, clock::now(), &event).await?;
    Ok(())
}

/// Why `user` may join no group of `workspace`, the account's default whose groups the
/// mapping governs (`None`: there is none), or `None` when they may: as on the console
/// (409), a group takes only members of its workspace ([`domain::group::may_join`]).
async fn join_refused(
    ctx: &AppCtx,
    account: AccountId,
    user: UserId,
    workspace: Option<WorkspaceId>,
) -> Result<Option<String>, AppError> {
    const GOVERNED: &str = "the default workspace, whose groups the mapping governs";
    let Some(workspace) = workspace else { return Ok(Some(format!("the account has no {GOVERNED}"))) };
    let member_of: Vec<WorkspaceId> =
        store::lookups::user_workspaces(&ctx.db, user).await?.iter().map(|w| WorkspaceId(w.id)).collect();
    match domain::group::may_join(&member_of, workspace) {
        Ok(()) => Ok(None),
        Err(refused) => {
            let why = crate::groups::not_in_workspace(ctx, account, refused, "the user").await?;
            Ok(Some(format!("{why} ({GOVERNED})")))
        }
    }
}

/// Takes out of `plan` each part `reach` refuses, returning what was taken and why (`null`
/// when nothing was), for the audit event: `admin_role` (`{"grant": name}` or `"revoke"`)
/// with `admin_role_reason`, `builder_access` with `builder_access_reason`, `join` and
/// `leave` with `groups_reason`.
fn skip_beyond_reach(plan: &mut domain::sso::MappingPlan, reach: &MappingReach) -> Value {
    let mut skipped = serde_json::Map::new();
    if let Some(why) = &reach.admin_role
        && let Some(role) = plan.role.take()
    {
        let role = match role {
            RoleChange::Grant(name) => json!({"grant": name}),
            RoleChange::Revoke => json!("revoke"),
        };
        skipped.insert("admin_role".into(), role);
        skipped.insert("admin_role_reason".into(), json!(why));
    }
    if let Some(why) = &reach.builder_access
        && let Some(level) = plan.builder_access.take()
    {
        skipped.insert("builder_access".into(), json!(level));
        skipped.insert("builder_access_reason".into(), json!(why));
    }
    if let Some(why) = &reach.groups
        && (!plan.join.is_empty() || !plan.leave.is_empty())
    {
        skipped.insert("join".into(), json!(std::mem::take(&mut plan.join)));
        skipped.insert("leave".into(), json!(std::mem::take(&mut plan.leave)));
        skipped.insert("groups_reason".into(), json!(why));
    }
    if skipped.is_empty() { Value::Null } else { Value::Object(skipped) }
}
