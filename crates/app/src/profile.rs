//! Editing a user's profile (names, Bot Builder access, groups, admin role) under optimistic
//! concurrency, and handing over the Primary Master Admin role.
//!
//! Role rules: only the Primary Master Admin grants or removes Master Admin; nobody grants
//! a custom role holding permissions (or a scope) they do not hold themselves; the Primary
//! Master Admin's own role changes only by handing the primary role over.

use crate::audit::{self, action};
use crate::authz::{Granter, OnUser, UsersManage};
use crate::profile_values::{self, Editor};
use crate::{AppCtx, AppError};
use domain::ids::{AdminRoleId, GroupId, WorkspaceId};
use domain::permission::{Permission, PermissionSet, Scope};
use domain::user::{BuilderAccess, PersonName, UserStatus};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use store::profile::ProfileUpdate;
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

/// Applies `edit` to the user of `may` unless someone changed them since `edit.version`
/// (412). Controlled fields must be enabled in the account's User Settings as they are now
/// (the console follows them at once; only users' own sessions keep their copy). Returns
/// the new version.
pub async fn update(
    ctx: &AppCtx,
    may: &OnUser<UsersManage>,
    granter: &Granter,
    edit: &ProfileEdit,
) -> Result<i64, AppError> {
    let settings = &crate::user_settings::current(ctx, may.account).await?;
    let user = store::users::find(&ctx.db, may.account, may.user).await?.ok_or(AppError::NotFound)?;
    if user.version != edit.version {
        return Err(AppError::Stale(STALE.into()));
    }
    let first_name = PersonName::parse("first_name", edit.first_name.as_deref().unwrap_or(&user.first_name))?;
    let last_name = PersonName::parse("last_name", edit.last_name.as_deref().unwrap_or(&user.last_name))?;
    let old_access: BuilderAccess = user.builder_access.parse()?;
    let builder_access: BuilderAccess = match &edit.builder_access {
        Some(a) => a.trim().parse()?,
        None => old_access,
    };
    let old_role = user.admin_role_id.map(AdminRoleId);
    let admin_role_id = match &edit.admin_role_id {
        None => old_role,
        Some(raw) => {
            let new_role = raw
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(|r| parse_id("admin_role_id", r))
                .transpose()?
                .map(AdminRoleId);
            if new_role != old_role {
                check_role_change(ctx, may, granter, user.is_primary_admin, old_role, new_role).await?;
            }
            new_role
        }
    };
    let old_groups: BTreeSet<Uuid> =
        store::lookups::user_groups(&ctx.db, may.user).await?.into_iter().map(|g| g.id).collect();
    let groups = match &edit.groups {
        None => None,
        Some(raw) => Some(check_groups(ctx, may, granter, &old_groups, raw).await?),
    };

    let doc = profile_values::parse_doc(&user.profile);
    let fields =
        profile_values::apply((&user.first_name, &user.last_name), &doc, &edit.fields, settings, Editor::Admin)?;

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
    let event = audit::by(&may.actor, action::USER_UPDATED, Some(may.user), Value::Object(changes));
    let update = ProfileUpdate {
        user: may.user,
        version: edit.version,
        first_name,
        last_name,
        email: user.email.clone(),
        builder_access,
        admin_role_id,
        groups,
        profile: (!fields.changes.is_empty()).then(|| Value::Object(fields.doc).to_string()),
    };
    if !store::profile::update(&ctx.db, &update, &event).await? {
        return Err(AppError::Stale(STALE.into()));
    }
    Ok(edit.version + 1)
}

async fn check_role_change(
    ctx: &AppCtx,
    may: &OnUser<UsersManage>,
    granter: &Granter,
    target_is_primary: bool,
    old_role: Option<AdminRoleId>,
    new_role: Option<AdminRoleId>,
) -> Result<(), AppError> {
    if target_is_primary {
        return Err(AppError::Forbidden(
            "the Primary Master Admin's role cannot be changed here; hand over the primary role first".into(),
        ));
    }
    let master = store::roles::master_role(&ctx.db, may.account).await?;
    let touches_master = master.is_some() && (old_role == master || new_role == master);
    if touches_master && !granter.primary {
        return Err(AppError::Forbidden("only the Primary Master Admin may grant or remove Master Admin".into()));
    }
    if let Some(id) = new_role
        && Some(id) != master
    {
        let role = store::lookups::role(&ctx.db, may.account, id)
            .await?
            .ok_or_else(|| AppError::invalid("admin_role_id", "there is no such admin role"))?;
        let permissions: PermissionSet = role.permissions.iter().filter_map(|p| p.parse::<Permission>().ok()).collect();
        let scope = if role.all_workspaces {
            Scope::AllWorkspaces
        } else {
            Scope::Workspaces(role.workspaces.into_iter().map(WorkspaceId).collect())
        };
        granter.may_grant(permissions, &scope)?;
    }
    Ok(())
}

async fn check_groups(
    ctx: &AppCtx,
    may: &OnUser<UsersManage>,
    granter: &Granter,
    old: &BTreeSet<Uuid>,
    raw: &[String],
) -> Result<Vec<GroupId>, AppError> {
    let all = store::lookups::groups(&ctx.db, may.account).await?;
    let user_ws: BTreeSet<Uuid> = may.workspaces.iter().map(|w| w.id).collect();
    let mut wanted = BTreeSet::new();
    for r in raw {
        let id = parse_id("groups", r)?;
        let group = all
            .iter()
            .find(|g| g.id == id)
            .ok_or_else(|| AppError::invalid("groups", format!("there is no group {id}")))?;
        if !user_ws.contains(&group.workspace_id) {
            return Err(AppError::invalid(
                "groups",
                format!("{:?} is in workspace {:?}, which the user is not in", group.name, group.workspace_name),
            ));
        }
        wanted.insert(id);
    }
    for changed in wanted.symmetric_difference(old) {
        if let Some(g) = all.iter().find(|g| g.id == *changed)
            && !granter.scope.includes(WorkspaceId(g.workspace_id))
        {
            return Err(AppError::Forbidden(format!("group {:?} is outside your workspaces", g.name)));
        }
    }
    Ok(wanted.into_iter().map(GroupId).collect())
}

/// Makes the user of `may` the Primary Master Admin; the caller (the current one) becomes
/// a Master Admin. Only the Primary Master Admin may; the new one must be active.
pub async fn make_primary(ctx: &AppCtx, may: &OnUser<UsersManage>, granter: &Granter) -> Result<(), AppError> {
    if !granter.primary {
        return Err(AppError::Forbidden("only the Primary Master Admin may hand over the primary role".into()));
    }
    if granter.user == may.user {
        return Err(AppError::Conflict("you already are the Primary Master Admin".into()));
    }
    let user = store::users::find(&ctx.db, may.account, may.user).await?.ok_or(AppError::NotFound)?;
    let status: UserStatus = user.status.parse()?;
    if status != UserStatus::Active {
        return Err(AppError::Conflict(format!(
            "only an active user can become the Primary Master Admin; this user is {}",
            user.status
        )));
    }
    let master = store::roles::master_role(&ctx.db, may.account)
        .await?
        .ok_or_else(|| AppError::Internal("the account has no Master Admin role".into()))?;
    let event = audit::by(
        &may.actor,
        action::PRIMARY_ADMIN_HANDED_OVER,
        Some(may.user),
        json!({"old": granter.user, "new": may.user}),
    );
    if !store::profile::hand_over_primary(&ctx.db, may.account, granter.user, may.user, master, &event).await? {
        return Err(AppError::Conflict("the primary role or the user's status changed meanwhile; reload".into()));
    }
    Ok(())
}

/// What the profile edit form offers: the groups of the user's workspaces (and which the
/// user is in), and the admin roles (the Master Admin role first).
#[derive(Debug, Clone)]
pub struct EditChoices {
    pub groups: Vec<(store::lookups::GroupRow, bool)>,
    pub roles: Vec<store::lookups::Named>,
}

pub async fn edit_choices<P>(ctx: &AppCtx, may: &OnUser<P>) -> Result<EditChoices, AppError> {
    let user_ws: BTreeSet<Uuid> = may.workspaces.iter().map(|w| w.id).collect();
    let mine: BTreeSet<Uuid> =
        store::lookups::user_groups(&ctx.db, may.user).await?.into_iter().map(|g| g.id).collect();
    let groups = store::lookups::groups(&ctx.db, may.account)
        .await?
        .into_iter()
        .filter(|g| user_ws.contains(&g.workspace_id))
        .map(|g| {
            let member = mine.contains(&g.id);
            (g, member)
        })
        .collect();
    let mut roles = Vec::new();
    if let Some(m) = store::roles::master_role(&ctx.db, may.account).await? {
        roles.push(store::lookups::Named { id: m.0, name: "Master Admin".into() });
    }
    roles.extend(store::lookups::custom_roles(&ctx.db, may.account).await?);
    Ok(EditChoices { groups, roles })
}
