//! SCIM Users (RFC 7644 §3.3–§3.6): read, query, create, replace, patch, delete.

use super::paging::{self, PageKey};
use super::settings::{self, NewUsers};
use super::{ScimFail, check_version, stale, taken};
use crate::authz::{self, Scim, UsersManage, UsersView};
use crate::clock;
use crate::error::What;
use crate::invitations::{InviteOptions, InviteRow};
use crate::{AppCtx, AppError, audit, profile_values};
use domain::closed::AuditAction;
use domain::ids::{UserId, WorkspaceId};
use domain::profile::ProfileField;
use domain::role::AdminRole;
use domain::scim::user::{self, MAPPED, UserAttrs};
use domain::scim::{ENTERPRISE_SCHEMA, ScimError, filter, patch};
use domain::user::{BuilderAccess, Email, PersonName, UserStatus};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use store::scim::users::{Changed, Created, NewScimUser, ScimChange, ScimPage, ScimSort, ScimUserRow};
use store::sessions::Ending;
use store::users::{NewUser, Then};
use uuid::Uuid;

/// A user with the SCIM groups they are in (`(id, name)`), ready to render.
#[derive(Debug, Clone)]
pub struct ScimUser {
    pub row: ScimUserRow,
    pub groups: Vec<(Uuid, String)>,
}

impl ScimUser {
    /// The controlled profile values SCIM shows.
    pub fn profile(&self) -> BTreeMap<ProfileField, String> {
        let doc = profile_values::parse_doc(&self.row.profile);
        MAPPED.iter().filter_map(|f| profile_values::value_of(&doc, *f).map(|v| (*f, v))).collect()
    }

    /// `active`: every status but Suspended (an invited or locked user is not deprovisioned).
    pub fn active(&self) -> bool {
        self.row.status != UserStatus::Suspended
    }
}

async fn with_groups(ctx: &AppCtx, may: &Scim, rows: Vec<ScimUserRow>) -> Result<Vec<ScimUser>, ScimFail> {
    let s = settings::read(ctx, may.account()).await?;
    let ws = settings::workspace(ctx, may.account(), &s).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let memberships = store::scim::users::groups_of(&ctx.db, ws, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let groups = memberships.iter().filter(|(u, _, _)| *u == row.id).map(|(_, g, n)| (*g, n.clone())).collect();
            ScimUser { row, groups }
        })
        .collect())
}

async fn load(ctx: &AppCtx, may: &Scim, id: UserId) -> Result<ScimUser, ScimFail> {
    let row = store::scim::users::find(&ctx.db, may.account(), id).await?.ok_or(AppError::NotFound(What::User))?;
    Ok(with_groups(ctx, may, vec![row]).await?.remove(0))
}

/// One user (`users.view`). 404 outside the account.
pub async fn get(ctx: &AppCtx, may: &Scim, id: UserId) -> Result<ScimUser, ScimFail> {
    authz::on_user::<UsersView>(ctx, &may.principal, id).await?;
    load(ctx, may, id).await
}

/// A query's parameters (RFC 7644 §3.4.2), as given.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub filter: Option<String>,
    pub sort_by: Option<String>,
    pub sort_order: Option<String>,
    /// 1-based; values under 1 are 1 (§3.4.2.4).
    pub start_index: Option<i64>,
    /// Negative is 0; above [`MAX_COUNT`] is [`MAX_COUNT`].
    pub count: Option<i64>,
}

/// Most resources one page returns (ServiceProviderConfig `filter.maxResults`).
pub const MAX_COUNT: u32 = 200;
/// Page size when `count` is not given.
pub const DEFAULT_COUNT: u32 = 100;

/// One page of a query.
#[derive(Debug, Clone)]
pub struct Listed {
    pub total: i64,
    pub start_index: u64,
    pub users: Vec<ScimUser>,
}

fn sort_of(q: &Query) -> Result<(ScimSort, bool), ScimError> {
    let sort = match q.sort_by.as_deref().map(str::trim) {
        None | Some("") => ScimSort::Created,
        Some(s) => match filter::AttrPath::parse(s).map(|p| p.key()).as_deref() {
            Some("username" | "emails" | "emails.value") => ScimSort::UserName,
            Some("meta.lastmodified") => ScimSort::LastModified,
            Some("meta.created" | "id") => ScimSort::Created,
            _ => return Err(ScimError::invalid_value("sortBy takes userName or meta.lastModified")),
        },
    };
    let descending = match q.sort_order.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("" | "ascending") => false,
        Some("descending") => true,
        Some(_) => return Err(ScimError::invalid_value("sortOrder is ascending or descending")),
    };
    Ok((sort, descending))
}

/// The users matching the query (`users.view` on all workspaces), one page: `totalResults`,
/// `startIndex` and the page. 400 `invalidFilter` for a filter it cannot answer. Pages
/// start by index seek and `totalResults` is counted once per pass ([`paging`]).
pub async fn list(ctx: &AppCtx, may: &Scim, q: &Query) -> Result<Listed, ScimFail> {
    authz::list_users(&may.principal)?;
    let parsed = q.filter.as_deref().filter(|f| !f.trim().is_empty()).map(filter::parse).transpose()?;
    let (sort, descending) = sort_of(q)?;
    let start_index = u64::try_from(q.start_index.unwrap_or(1).max(1)).unwrap_or(1);
    let count = u32::try_from(q.count.unwrap_or(i64::from(DEFAULT_COUNT)).clamp(0, i64::from(MAX_COUNT))).unwrap_or(0);
    let key = PageKey::new(may, q.filter.as_deref().unwrap_or(""), sort, descending);
    let remembered = paging::total(&key, start_index);
    let total = match remembered {
        Some(t) => t,
        None => store::scim::users::count(&ctx.db, may.account(), parsed.as_ref()).await??,
    };
    if count == 0 {
        paging::remember(key, total, remembered.is_none(), None);
        return Ok(Listed { total, start_index, users: Vec::new() });
    }
    let page = ScimPage { sort, descending, start: paging::start(&key, start_index), count };
    let rows = store::scim::users::list(&ctx.db, may.account(), parsed.as_ref(), &page).await??;
    let next = rows
        .last()
        .filter(|_| rows.len() == count as usize)
        .map(|last| (start_index + u64::from(count), sort.key_of(last), last.id));
    paging::remember(key, total, remembered.is_none(), next);
    Ok(Listed { total, start_index, users: with_groups(ctx, may, rows).await? })
}

fn object(body: &Value) -> Result<&Map<String, Value>, ScimError> {
    body.as_object().ok_or_else(|| ScimError::bad_request("invalidSyntax", "the body must be a JSON object"))
}

fn email_of(attrs: &UserAttrs) -> Result<Email, ScimError> {
    Email::try_from(attrs.user_name.as_str()).map_err(|e| ScimError::invalid_value(format!("userName: {e}")))
}

fn name(field: &'static str, raw: &str) -> Result<PersonName, ScimError> {
    let scim = if field == "first_name" { "name.givenName" } else { "name.familyName" };
    PersonName::parse(field, raw).map_err(|e| ScimError::invalid_value(format!("{scim}: {e}")))
}

/// The profile document `doc` with the mapped fields set as `attrs` says.
fn merged_profile(doc: &Map<String, Value>, attrs: &UserAttrs) -> Map<String, Value> {
    let mut doc = doc.clone();
    for (f, v) in &attrs.profile {
        match v {
            Some(v) => doc.insert(f.key().to_owned(), Value::String(v.clone())),
            None => doc.remove(f.key()),
        };
    }
    doc
}

/// Creates a user from a SCIM User (`users.invite`): Active without a password or Invited
/// with an email, as the settings say (`active: false` creates them suspended). 409
/// `uniqueness` when the account has a user with this email (also a deleted one, until
/// restored or purged).
pub async fn create(ctx: &AppCtx, may: &Scim, body: &Value, public_url: &str) -> Result<ScimUser, ScimFail> {
    let invite = authz::invite_users(&may.principal)?;
    let attrs = UserAttrs::from_json(object(body)?)?;
    let email = email_of(&attrs)?;
    let s = settings::read(ctx, may.account()).await?;
    let workspace: WorkspaceId = settings::workspace(ctx, may.account(), &s).await?;
    if !invite.covers(workspace) {
        return Err(AppError::Forbidden("the SCIM workspace is outside the token's scope".into()).into());
    }
    let (first, last) = guessed_names(&attrs, &email)?;
    let sso = store::password_reset::sso_enabled(&ctx.db, may.account()).await?;
    let status = match (attrs.active, s.new_users) {
        (Some(false), _) => UserStatus::Suspended,
        (_, NewUsers::Active) => UserStatus::Active,
        (_, NewUsers::Auto) if sso => UserStatus::Active,
        (_, NewUsers::Invited | NewUsers::Auto) => UserStatus::Invited,
    };
    let now = clock::now();
    let id = UserId::new();
    let actor = &may_actor(may);
    let user = NewUser {
        id,
        account_id: may.account(),
        email,
        first_name: first,
        last_name: last,
        status,
        builder_access: BuilderAccess::None,
        is_primary_admin: false,
        admin_role_id: None,
        password_hash: None,
        invited_at: (status == UserStatus::Invited).then_some(now),
        last_login_at: None,
        created_at: now,
        workspaces: vec![workspace],
    };
    let details = json!({"email": user.email.as_str(), "status": status, "via": "scim"});
    let (invitation, audit) = if status == UserStatus::Invited {
        let opts = InviteOptions::new(public_url, ctx.auth.invitation_lifetime);
        let full_name = format!("{} {}", user.first_name, user.last_name);
        let fresh = crate::invitations::fresh(may.account(), id, &user.email, &full_name, &opts);
        (Some((fresh.token, Some(fresh.mail))), audit::by(actor, AuditAction::UserInvited, Some(id), details))
    } else {
        (None, audit::by(actor, AuditAction::UserProvisioned, Some(id), details))
    };
    let profile = Value::Object(merged_profile(&Map::new(), &attrs)).to_string();
    let new = NewScimUser { user, external_id: attrs.external_id.clone(), profile, invitation, audit };
    match store::scim::users::create(&ctx.db, &new).await? {
        Created::Created => {}
        Created::EmailTaken => return Err(taken("the account already has a user with this userName (email)")),
    }
    ctx.mailer.wake();
    load(ctx, may, id).await
}

fn may_actor(may: &Scim) -> authz::Actor {
    authz::Actor::of(&may.principal)
}

/// The names to create a user with: as given, else guessed from the email like an
/// invitation's (`ann.lee@…` → Ann Lee).
fn guessed_names(attrs: &UserAttrs, email: &Email) -> Result<(PersonName, PersonName), ScimError> {
    let row = InviteRow {
        email: email.as_str().to_owned(),
        first_name: attrs.given_name.clone().unwrap_or_default(),
        last_name: attrs.family_name.clone().unwrap_or_default(),
        ..InviteRow::default()
    };
    crate::invitations::names(&row, email).map_err(ScimError::invalid_value)
}

/// Replaces the user's SCIM attributes (PUT, `users.manage`). `if_match`: the version an
/// `If-Match` named (412 when stale); `public_url`: where a fresh invitation's link points
/// (an activation back to Invited, see [`UserStatus::activate`]).
pub async fn replace(
    ctx: &AppCtx,
    may: &Scim,
    id: UserId,
    body: &Value,
    if_match: Option<i64>,
    public_url: &str,
) -> Result<ScimUser, ScimFail> {
    let on = authz::on_user::<UsersManage>(ctx, &may.principal, id).await?;
    let current = load(ctx, may, id).await?;
    check_version(if_match, current.row.version)?;
    let attrs = UserAttrs::from_json(object(body)?)?;
    save(ctx, may, &on, &current, &attrs, public_url).await
}

/// Applies PATCH operations (RFC 7644 §3.5.2, `users.manage`) to the user's SCIM document
/// and saves the result as [`replace`] would ([`user::apply_patch`]). What RFC 7643
/// defines and Roster does not keep is accepted and changes nothing (no save, no audit
/// event, no new version when nothing kept changed); every other change must be one Roster
/// can hold (400 `invalidPath`, `invalidValue`, `mutability`; `noTarget` for a `replace`
/// selecting nothing), and a changed `emails` value changes the email.
pub async fn patch(
    ctx: &AppCtx,
    may: &Scim,
    id: UserId,
    body: &Value,
    if_match: Option<i64>,
    public_url: &str,
    render: impl Fn(&ScimUser) -> Value,
) -> Result<ScimUser, ScimFail> {
    let on = authz::on_user::<UsersManage>(ctx, &may.principal, id).await?;
    let current = load(ctx, may, id).await?;
    check_version(if_match, current.row.version)?;
    let ops = patch::parse_request(body)?;
    let Value::Object(mut doc) = render(&current) else { unreachable!("a user renders as an object") };
    // The extension's object, even empty, so a path naming it whole finds it.
    doc.entry(ENTERPRISE_SCHEMA).or_insert_with(|| Value::Object(Map::new()));
    user::apply_patch(&mut doc, &ops)?;
    let attrs = UserAttrs::from_json(&doc)?;
    save(ctx, may, &on, &current, &attrs, public_url).await
}

/// The status `active` asks for, by the console's rules ([`UserStatus::suspend`] and
/// [`UserStatus::activate`]: an invited user can be deactivated, and comes back Invited
/// when they cannot sign in): the Primary Master Admin's never changes (409), nor does the
/// token creator's own (403); a change the current status does not allow is a 409 with the
/// reason.
async fn next_status(
    ctx: &AppCtx,
    on: &authz::OnUser<UsersManage>,
    from: UserStatus,
    active: Option<bool>,
) -> Result<Option<UserStatus>, ScimFail> {
    let wanted = match active {
        Some(false) if from != UserStatus::Suspended => false,
        Some(true) if from == UserStatus::Suspended => true,
        _ => return Ok(None),
    };
    if on.target().role == AdminRole::PrimaryMasterAdmin {
        return Err(AppError::Conflict("the Primary Master Admin cannot be suspended".into()).into());
    }
    on.refuse_self("change your own status")?;
    let to =
        if wanted { from.activate(store::users::sign_in_means(&ctx.db, on.user()).await?) } else { from.suspend() };
    Ok(Some(to.map_err(|e| AppError::Conflict(e.to_string()))?))
}

async fn save(
    ctx: &AppCtx,
    may: &Scim,
    on: &authz::OnUser<UsersManage>,
    current: &ScimUser,
    attrs: &UserAttrs,
    public_url: &str,
) -> Result<ScimUser, ScimFail> {
    let row = &current.row;
    let email = email_of(attrs)?;
    let first = match &attrs.given_name {
        Some(g) => name("first_name", g)?,
        None => name("first_name", &row.first_name)?,
    };
    let last = match &attrs.family_name {
        Some(f) => name("last_name", f)?,
        None => name("last_name", &row.last_name)?,
    };
    let old_doc = profile_values::parse_doc(&row.profile);
    let doc = merged_profile(&old_doc, attrs);
    let mut changes = Map::new();
    let mut note = |key: &str, old: Option<&str>, new: Option<&str>| {
        if old != new {
            changes.insert(key.to_owned(), json!({"old": old, "new": new}));
        }
    };
    note("email", Some(&row.email), Some(email.as_str()));
    note("first_name", Some(&row.first_name), Some(first.as_str()));
    note("last_name", Some(&row.last_name), Some(last.as_str()));
    note("external_id", row.external_id.as_deref(), attrs.external_id.as_deref());
    for f in MAPPED {
        note(f.key(), profile_values::value_of(&old_doc, f).as_deref(), profile_values::value_of(&doc, f).as_deref());
    }
    let to = next_status(ctx, on, row.status, attrs.active).await?;
    if changes.is_empty() && to.is_none() {
        return Ok(current.clone());
    }
    let actor = may_actor(may);
    let mut events = Vec::new();
    if !changes.is_empty() {
        events.push(audit::by(
            &actor,
            AuditAction::UserUpdated,
            Some(on.user()),
            json!({"changes": changes, "via": "scim"}),
        ));
    }
    let mut then = Then::Nothing;
    if let Some(to) = to {
        let action = if to == UserStatus::Suspended { AuditAction::UserSuspended } else { AuditAction::UserActivated };
        events.push(audit::by(&actor, action, Some(on.user()), json!({"from": row.status, "to": to, "via": "scim"})));
        then = match to {
            UserStatus::Suspended => Then::EndSessions(Ending {
                by_user: Some(actor.user),
                for_workspace: actor.workspace,
                cause: domain::closed::EndCause::Suspended,
                reason: Some("the user was suspended".into()),
                at: clock::now(),
            }),
            UserStatus::Invited => {
                let opts = InviteOptions::new(public_url, ctx.auth.invitation_lifetime);
                let full_name = format!("{first} {last}");
                Then::Invite(crate::invitations::fresh(may.account(), on.user(), &email, &full_name, &opts))
            }
            UserStatus::Active | UserStatus::Locked => Then::Nothing,
        };
    }
    let change = ScimChange {
        user: on.user(),
        version: row.version,
        email,
        first_name: first,
        last_name: last,
        external_id: attrs.external_id.clone(),
        profile: Value::Object(doc).to_string(),
        status: to.map(|to| (row.status, to)),
        then,
        at: clock::now(),
        audit: events,
    };
    match store::scim::users::change(&ctx.db, &change).await? {
        Changed::Changed => {
            ctx.mailer.wake();
            load(ctx, may, on.user()).await
        }
        Changed::Stale => Err(stale()),
        Changed::EmailTaken => Err(taken("another user of the account has this userName (email)")),
    }
}

/// Deletes the user (`users.delete` on all workspaces): the console's soft delete, with its
/// restore window. 409 for the Primary Master Admin and for a bot owner (naming the bots),
/// 412 for a stale `If-Match` — compared again in the deleting statement, so a change
/// committed after the check still refuses the delete. A token scoped to some workspaces
/// never gets here ([`authz::scim`] refuses it); were it to, the console's removal from its
/// workspaces would be refused (403) rather than done and answered as an error.
pub async fn delete(ctx: &AppCtx, may: &Scim, id: UserId, if_match: Option<i64>) -> Result<(), ScimFail> {
    let del = authz::delete_user(ctx, &may.principal, id).await?;
    if del.within.is_some() {
        return Err(AppError::Forbidden("SCIM deletes with users.delete on all workspaces".into()).into());
    }
    if let Some(v) = if_match {
        let current =
            store::scim::users::find(&ctx.db, may.account(), id).await?.ok_or(AppError::NotFound(What::User))?;
        check_version(Some(v), current.version)?;
    }
    match crate::deletion::delete_at_version(ctx, &del, if_match).await {
        Ok(crate::deletion::Outcome::Deleted) => Ok(()),
        Ok(crate::deletion::Outcome::RemovedFrom(_)) => {
            Err(AppError::Internal("an account-wide SCIM token removed a user from workspaces".into()).into())
        }
        Err(AppError::Stale(_)) => Err(stale()),
        Err(e) => Err(e.into()),
    }
}
