//! Editing a user's profile (names, Bot Builder access, groups, admin role) under optimistic
//! concurrency, and handing over the Primary Master Admin role.
//!
//! Role rules ([`domain::authority`]): the role granted and the role revoked must lie within
//! the editor's authority, and one equal to Master Admin (under any name) is granted or
//! revoked only by the Primary Master Admin; nobody changes their own role or Bot Builder
//! access here; the Primary Master Admin's own role changes only by handing it over. A
//! workspace-scoped role goes only to a member of each of its workspaces (400 naming
//! `admin_role_id`). Bot Builder access rises only up to the editor's own level unless they
//! hold `bots.assign` on all workspaces (403). Groups of workspaces outside the editor's
//! scope are neither added nor removed (403, nothing saved).
//!
//! An edit that changes nothing writes nothing (no audit event) and answers the unchanged
//! version.

use crate::audit;
use crate::authz::{Granter, HandOverPrimary, OnUser, RoleChangeRefusal, UsersManage};
use crate::profile_values::{self, Editor};
use crate::{AppCtx, AppError, Input};
use domain::ids::{AdminRoleId, GroupId, WorkspaceId};
use domain::role::AdminRole;
use domain::user::{BuilderAccess, PersonName, UserStatus};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use store::profile::{ProfileOutcome, ProfileUpdate};
use uuid::Uuid;

/// An edit as it arrives; absent fields stay as they are.
#[derive(Debug, Clone, Default)]
pub struct ProfileEdit {
    /// The version the edit is based on (from `If-Match` or the form).
    pub version: i64,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub builder_access: Option<String>,
    /// The complete new list of group ids.
    pub groups: Option<Vec<String>>,
    /// `Some(None)`: no admin role; `Some(Some(id))`: the Master Admin or a custom role.
    pub admin_role_id: Option<Option<String>>,
    /// New values of controlled profile fields by key (empty clears one); only fields the
    /// User Settings enable.
    pub fields: BTreeMap<String, String>,
}

/// The message of a stale edit.
pub const STALE: &str = "someone else changed this user; reload to get the current version and try again";

fn parse_id(field: &str, raw: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw.trim()).map_err(|_| AppError::invalid(field, format!("{raw:?} is not an id (UUID)")))
}

/// Applies `edit` (refused whole, naming every bad field, when any went unread) to the user
/// of `may` unless someone changed them since `edit.version`
/// (412). Controlled fields must be enabled in the account's User Settings as they are now
/// (the console follows them at once; only users' own sessions keep their copy). Returns
/// the new version.
pub async fn update(
    ctx: &AppCtx,
    may: &OnUser<UsersManage>,
    granter: &Granter,
    edit: Input<ProfileEdit>,
) -> Result<i64, AppError> {
    // Every field is read before any is refused, so one answer names them all, with the
    // fields the request's reader could not read.
    let (edit, mut problems) = edit.open();
    let target = may.target();
    let settings = &target.profile_settings;
    let user = &target.row;
    let first_name =
        problems.check(PersonName::parse("first_name", edit.first_name.as_deref().unwrap_or(&user.first_name)))?;
    let last_name =
        problems.check(PersonName::parse("last_name", edit.last_name.as_deref().unwrap_or(&user.last_name)))?;
    let old_access = target.row.builder_access;
    let builder_access = match &edit.builder_access {
        Some(a) => problems.check(a.trim().parse::<BuilderAccess>())?,
        None => Some(old_access),
    };
    if let Some(access) = builder_access
        && access != old_access
    {
        may.refuse_self("change your own Bot Builder access")?;
        granter.may_set_builder(old_access, access)?;
    }
    let old_role = user.admin_role_id.map(AdminRoleId);
    // The new role's name, for the audit log's line ("… changed X's admin role to Support").
    let mut new_role_label = None;
    let admin_role_id = match &edit.admin_role_id {
        None => Some(old_role),
        Some(raw) => {
            let new_role = problems.check(
                raw.as_deref().filter(|s| !s.trim().is_empty()).map(|r| parse_id("admin_role_id", r)).transpose(),
            )?;
            let new_role = new_role.map(|r| r.map(AdminRoleId));
            if let Some(new_role) = new_role
                && new_role != old_role
            {
                new_role_label = problems.check(check_role_change(ctx, may, granter, new_role).await)?;
            }
            new_role
        }
    };
    let old_groups: BTreeSet<Uuid> = target.groups.iter().map(|g| g.id).collect();
    let groups = match &edit.groups {
        None => Some(None),
        Some(raw) => problems.check(check_groups(ctx, may, granter, &old_groups, raw).await)?.map(Some),
    };

    let doc = profile_values::parse_doc(&user.profile);
    let fields = problems.check(profile_values::apply(
        (&user.first_name, &user.last_name),
        &doc,
        &edit.fields,
        settings,
        Editor::Admin,
    ))?;
    problems.finish()?;
    if user.version != edit.version {
        return Err(AppError::Stale(STALE.into()));
    }
    let (Some(first_name), Some(last_name), Some(builder_access), Some(admin_role_id), Some(groups), Some(fields)) =
        (first_name, last_name, builder_access, admin_role_id, groups, fields)
    else {
        return Err(AppError::Internal("a refused field was not reported".into()));
    };

    let mut changes = fields.changes.clone();
    let mut note = |field: &str, old: Value, new: Value| {
        if old != new {
            changes.insert(field.to_owned(), json!({"old": old, "new": new}));
        }
    };
    note("first_name", json!(user.first_name), json!(first_name.as_str()));
    note("last_name", json!(user.last_name), json!(last_name.as_str()));
    note("builder_access", json!(old_access), json!(builder_access));
    note("admin_role_id", json!(old_role), json!(admin_role_id));
    if let Some(g) = &groups {
        let new: BTreeSet<Uuid> = g.iter().map(|g| g.0).collect();
        note("groups", json!(old_groups), json!(new));
    }
    if let Some(label) = new_role_label {
        changes.insert("admin_role".into(), json!({"old": target.role.label(), "new": label}));
    }
    if changes.is_empty() {
        return Ok(edit.version);
    }
    let event = audit::by(&may.actor, domain::closed::AuditAction::UserUpdated, Some(may.user), Value::Object(changes));
    let update = ProfileUpdate {
        user: may.user,
        version: edit.version,
        first_name,
        last_name,
        email: user.email.clone(),
        builder_access,
        admin_role_id,
        grants_role: admin_role_id != old_role,
        groups,
        profile: (!fields.changes.is_empty()).then(|| Value::Object(fields.doc).to_string()),
    };
    match store::profile::update(&ctx.db, &update, &event).await? {
        ProfileOutcome::Updated => {}
        ProfileOutcome::Stale => return Err(AppError::Stale(STALE.into())),
        // The role's scope changed after it was judged above (a concurrent role edit).
        ProfileOutcome::RoleOutOfReach => {
            return Err(AppError::invalid(
                "admin_role_id",
                "the role's scope changed meanwhile and now reaches a workspace the user is not a member of; a workspace-scoped role goes only to members of each of its workspaces",
            ));
        }
    }
    Ok(edit.version + 1)
}

/// The role change of an edit: not one's own, and by the console's one rule
/// ([`Granter::check_role_change`]): not the Primary Master Admin's, both the role revoked
/// and the role granted within the editor's authority (403), a workspace-scoped role only to
/// a member of each of its workspaces (400 naming `admin_role_id`). The granted role's name.
async fn check_role_change(
    ctx: &AppCtx,
    may: &OnUser<UsersManage>,
    granter: &Granter,
    new_role: Option<AdminRoleId>,
) -> Result<String, AppError> {
    let target = may.target();
    if target.role != AdminRole::PrimaryMasterAdmin {
        may.refuse_self("change your own admin role")?;
    }
    let refused = |r: RoleChangeRefusal, new: &str, workspaces: &[String]| {
        let why = r.sentence(&target.name(), target.role.label(), new, workspaces);
        match r {
            RoleChangeRefusal::NotMember(_) => AppError::invalid("admin_role_id", why),
            _ => AppError::Forbidden(why),
        }
    };
    // The role held is judged before the new one is read (an unknown id is a 400 after it).
    granter.check_role_change(target, None).map_err(|r| refused(r, "", &[]))?;
    let Some(id) = new_role else { return Ok(AdminRole::Member.label().to_owned()) };
    let new = role_by_id(ctx, may.account, id).await?;
    match granter.check_role_change(target, Some(&new)) {
        Ok(()) => Ok(new.label().to_owned()),
        Err(r @ RoleChangeRefusal::NotMember(_)) => {
            let names = r.workspace_names(ctx, may.account).await?;
            Err(refused(r, new.label(), &names))
        }
        Err(r) => Err(refused(r, new.label(), &[])),
    }
}

/// The admin role `id` of `account` (400 naming `admin_role_id` when there is none).
async fn role_by_id(ctx: &AppCtx, account: domain::ids::AccountId, id: AdminRoleId) -> Result<AdminRole, AppError> {
    let record = store::lookups::role(&ctx.db, account, id)
        .await?
        .ok_or_else(|| AppError::invalid("admin_role_id", "there is no such admin role"))?;
    Ok(crate::roles::role_of(&record))
}

async fn check_groups(
    ctx: &AppCtx,
    may: &OnUser<UsersManage>,
    granter: &Granter,
    old: &BTreeSet<Uuid>,
    raw: &[String],
) -> Result<Vec<GroupId>, AppError> {
    // The groups the editor can see: those of their scope, and those of the user's
    // workspaces (the Edit form shows them, disabled outside the scope). Any other id
    // answers as one that does not exist, so the answer does not tell which ids are groups
    // outside the editor's scope, nor their names.
    let target = may.target();
    let member_of = target.workspace_ids();
    let user_ws: BTreeSet<Uuid> = target.workspaces.iter().map(|w| w.id).collect();
    let all: Vec<_> = store::lookups::groups(&ctx.db, may.account)
        .await?
        .into_iter()
        .filter(|g| {
            granter.scope().includes(WorkspaceId(g.workspace_id))
                || user_ws.contains(&g.workspace_id)
                || old.contains(&g.id)
        })
        .collect();
    let mut wanted = BTreeSet::new();
    // Every bad id is named, in one refusal of `groups`.
    let mut whys = Vec::new();
    for r in raw {
        let Ok(id) = Uuid::parse_str(r.trim()) else {
            whys.push(format!("{r:?} is not an id (UUID)"));
            continue;
        };
        match all.iter().find(|g| g.id == id) {
            None => whys.push(format!("there is no group {id}")),
            Some(group) => match domain::group::may_join(&member_of, WorkspaceId(group.workspace_id)) {
                Ok(()) => {
                    wanted.insert(id);
                }
                Err(r) => whys.push(format!("{:?}: {}", group.name, r.sentence(&target.name(), &group.workspace_name))),
            },
        }
    }
    if !whys.is_empty() {
        return Err(AppError::invalid("groups", whys.join("; ")));
    }
    for changed in wanted.symmetric_difference(old) {
        if let Some(g) = all.iter().find(|g| g.id == *changed)
            && !granter.scope().includes(WorkspaceId(g.workspace_id))
        {
            return Err(AppError::Forbidden(format!(
                "group {:?} is in workspace {:?}, outside your scope: you can neither add nor remove it",
                g.name, g.workspace_name
            )));
        }
    }
    Ok(wanted.into_iter().map(GroupId).collect())
}

/// Makes the user of `on` the Primary Master Admin; the holder of `may` (the current one)
/// becomes a Master Admin. Who may do it is [`crate::authz::hand_over_primary`]'s to decide
/// (403 otherwise); 409 when the user is the holder already or not active.
pub async fn make_primary(ctx: &AppCtx, may: &HandOverPrimary, on: &OnUser<UsersManage>) -> Result<(), AppError> {
    if may.actor.user == on.user {
        return Err(AppError::Conflict("you already are the Primary Master Admin".into()));
    }
    let status = on.target().row.status;
    if status != UserStatus::Active {
        return Err(AppError::Conflict(format!(
            "only an active user can become the Primary Master Admin; this user is {}",
            status.as_str()
        )));
    }
    let master = store::roles::master_role(&ctx.db, on.account)
        .await?
        .ok_or_else(|| AppError::Internal("the account has no Master Admin role".into()))?;
    let event = audit::by(
        &may.actor,
        domain::closed::AuditAction::PrimaryAdminHandedOver,
        Some(on.user),
        json!({"old": may.actor.user, "new": on.user}),
    );
    if !store::profile::hand_over_primary(&ctx.db, on.account, may.actor.user, on.user, master, &event).await? {
        return Err(AppError::Conflict("the primary role or the user's status changed meanwhile; reload".into()));
    }
    Ok(())
}

/// What the profile edit form offers: the groups of the user's workspaces (and which the
/// user is in, and which the editor may change), the admin roles the editor may grant and
/// the user may hold (the Master Admin role first; plus the one held), and the Bot Builder
/// levels the editor may set — exactly what [`update`] accepts.
#[derive(Debug, Clone)]
pub struct EditChoices {
    pub groups: Vec<GroupChoice>,
    pub roles: Vec<store::lookups::Named>,
    pub builder_levels: Vec<BuilderAccess>,
}

/// A group of the Edit form.
#[derive(Debug, Clone)]
pub struct GroupChoice {
    pub group: store::lookups::GroupRow,
    /// Whether the user is in it.
    pub member: bool,
    /// Whether the editor may add or remove it (its workspace lies in their scope).
    pub editable: bool,
}

/// What the profile editor needs to know of the editor and the account, read in one
/// statement: the editor's [`Granter`] and the account's workspaces, groups and roles.
#[derive(Debug, Clone)]
pub struct Editing {
    pub granter: Granter,
    account: store::lookups::AccountChoices,
}

impl Editing {
    /// Whether the account signs in through SSO (password steps are shown disabled then).
    pub fn sso_on(&self) -> bool {
        self.account.sso_enabled
    }
}

/// The [`Editing`] of `p`. Errors: the database's.
pub async fn editing(ctx: &AppCtx, p: &crate::authz::Principal) -> Result<Editing, AppError> {
    let account = store::lookups::account_choices(&ctx.db, p.account_id).await?;
    Ok(Editing { granter: crate::authz::granter_knowing(p, &account.workspaces), account })
}

/// The Edit form's choices for the user `may` holds, from what [`editing`] read.
pub fn edit_choices<P>(may: &OnUser<P>, editing: &Editing) -> EditChoices {
    let granter = &editing.granter;
    let user_ws: BTreeSet<Uuid> = may.target().workspaces.iter().map(|w| w.id).collect();
    let mine: BTreeSet<Uuid> = may.target().groups.iter().map(|g| g.id).collect();
    let scope = granter.scope();
    let groups = editing
        .account
        .groups
        .iter()
        .filter(|g| user_ws.contains(&g.workspace_id))
        .map(|g| GroupChoice {
            member: mine.contains(&g.id),
            editable: scope.includes(WorkspaceId(g.workspace_id)),
            group: g.clone(),
        })
        .collect();
    // Only the roles the editor may grant (the authority rule) and the user may hold (a
    // member of each of its workspaces), plus the one the user holds.
    let current = may.target().row.admin_role_id;
    let user_ws = may.target().workspace_ids();
    let roles = editing
        .account
        .roles
        .iter()
        .filter(|r| {
            let role = crate::roles::role_of(r);
            Some(r.id) == current || (granter.can_grant(&role) && role.scope().workspaces_not_in(&user_ws).is_empty())
        })
        .map(|r| store::lookups::Named { id: r.id, name: r.name.clone() })
        .collect();
    let builder_levels = granter.builder_levels(may.target().row.builder_access);
    EditChoices { groups, roles, builder_levels }
}
