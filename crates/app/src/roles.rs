//! Custom admin roles: a named permission set (PRODUCT.md §6) on all workspaces or listed
//! ones. Needs `roles.manage`; nobody creates, changes or deletes a role whose authority
//! (permissions and scope, before and after the change) does not lie within their own, and
//! a role equal to Master Admin (under any name) is minted only by the Primary Master Admin
//! ([`domain::authority`]). A scope change that would leave a holder outside one of the
//! role's workspaces is refused (400 naming `scope` and the holder count): a workspace-scoped
//! role is held only by members of each of its workspaces. The built-in Master Admin role
//! is not editable.

use crate::audit;
use crate::authz::{Granter, InAccount, RolesManage};
use crate::error::What;
use crate::{AppCtx, AppError, Input, clock};
use domain::authority::Authority;
use domain::ids::{AdminRoleId, WorkspaceId};
use domain::permission::{Permission, PermissionSet, Scope};
use domain::role::{AdminRole, DefinedRole};
use serde_json::{Value, json};
use store::StoreError;
use store::lookups::RoleRecord;
use store::roles::NewRole;
pub use store::roles::RoleSummary;
use uuid::Uuid;

/// A role as it arrives: `scope` is `None` for all workspaces, else the listed ids.
#[derive(Debug, Clone, Default)]
pub struct RoleInput {
    pub name: Option<String>,
    pub permissions: Option<Vec<String>>,
    pub scope: Option<Option<Vec<String>>>,
}

/// A role with its permissions and scope, and how many hold it, as shown.
pub type RoleView = RoleSummary;

fn role_name(raw: &str) -> Result<String, AppError> {
    let name = domain::text::required_line("name", raw, 100)?;
    let name = name.as_str();
    if ["master admin", "primary master admin", "member"].contains(&name.to_lowercase().as_str()) {
        return Err(AppError::invalid("name", "is the name of a built-in role"));
    }
    Ok(name.to_owned())
}

fn permission_set(raw: &[String]) -> Result<PermissionSet, AppError> {
    let mut set = PermissionSet::default();
    let mut unknown = Vec::new();
    for name in raw.iter().map(|p| p.trim()) {
        match name.parse::<Permission>() {
            Ok(p) => set.insert(p),
            Err(_) => unknown.push(format!("{name:?}")),
        }
    }
    if !unknown.is_empty() {
        return Err(AppError::invalid("permissions", format!("unknown permissions: {}", unknown.join(", "))));
    }
    if set.is_empty() {
        return Err(AppError::invalid("permissions", "must list at least one permission"));
    }
    Ok(set)
}

async fn scope_of(ctx: &AppCtx, may: &InAccount<RolesManage>, raw: Option<&Vec<String>>) -> Result<Scope, AppError> {
    let Some(list) = raw else { return Ok(Scope::AllWorkspaces) };
    let known = store::lookups::workspaces(&ctx.db, may.account).await?;
    let mut ws = std::collections::BTreeSet::new();
    let mut strangers = Vec::new();
    for r in list {
        match Uuid::parse_str(r.trim()).ok().filter(|id| known.iter().any(|w| w.id == *id)) {
            Some(id) => {
                ws.insert(WorkspaceId(id));
            }
            None => strangers.push(format!("{r:?}")),
        }
    }
    if !strangers.is_empty() {
        return Err(AppError::invalid("scope", format!("not workspaces of this account: {}", strangers.join(", "))));
    }
    if ws.is_empty() {
        return Err(AppError::invalid("scope", "must be \"all\" or list at least one workspace"));
    }
    Ok(Scope::Workspaces(ws))
}

fn duplicate(e: StoreError, name: &str) -> AppError {
    match e {
        StoreError::Conflict(_) => AppError::Conflict(format!("an admin role named {name:?} already exists")),
        other => other.into(),
    }
}

fn scope_json(scope: &Scope) -> Value {
    match scope {
        Scope::AllWorkspaces => json!("all"),
        Scope::Workspaces(ws) => json!(ws),
    }
}

/// Parses a role id from the path.
pub fn role_id(raw: &str) -> Result<AdminRoleId, AppError> {
    Uuid::parse_str(raw.trim()).map(AdminRoleId).map_err(|_| AppError::invalid("id", "must be an admin role id (UUID)"))
}

/// Every admin role of the account with its holders.
pub async fn list(ctx: &AppCtx, may: &InAccount<RolesManage>) -> Result<Vec<RoleView>, AppError> {
    Ok(store::roles::list(&ctx.db, may.account).await?)
}

/// One admin role (404 when absent).
pub async fn get(ctx: &AppCtx, may: &InAccount<RolesManage>, id: AdminRoleId) -> Result<RoleView, AppError> {
    store::roles::list(&ctx.db, may.account)
        .await?
        .into_iter()
        .find(|s| s.record.id == id.0)
        .ok_or(AppError::NotFound(What::Role))
}

/// Creates a custom role. Every bad field is refused at once, with those that went unread,
/// and nothing is written.
pub async fn create(
    ctx: &AppCtx,
    may: &InAccount<RolesManage>,
    granter: &Granter,
    input: Input<RoleInput>,
) -> Result<RoleView, AppError> {
    let (input, mut problems) = input.open();
    let name = problems.check(role_name(input.name.as_deref().unwrap_or("")))?;
    let permissions = problems.check(permission_set(input.permissions.as_deref().unwrap_or(&[])))?;
    let scope = problems.check(scope_of(ctx, may, input.scope.as_ref().and_then(Option::as_ref)).await)?;
    problems.finish()?;
    let (Some(name), Some(permissions), Some(scope)) = (name, permissions, scope) else {
        return Err(AppError::Internal("a refused field was not reported".into()));
    };
    granter.may_grant(&format!("the role {name:?}"), &Authority::new(permissions, scope.clone()))?;
    let role =
        NewRole { id: AdminRoleId::new(), account_id: may.account, name, permissions, scope, created_at: clock::now() };
    let event = audit::by(
        &may.actor,
        domain::closed::AuditAction::RoleCreated,
        None,
        json!({"role_id": role.id, "name": role.name, "permissions": permissions.iter().map(Permission::as_str).collect::<Vec<_>>(), "scope": scope_json(&role.scope)}),
    );
    store::roles::create_audited(&ctx.db, &role, &event).await.map_err(|e| duplicate(e, &role.name))?;
    get(ctx, may, role.id).await
}

fn editable(record: &RoleRecord) -> Result<(), AppError> {
    if record.kind == DefinedRole::Custom {
        Ok(())
    } else {
        Err(AppError::Forbidden("the built-in Master Admin role cannot be changed".into()))
    }
}

fn stored_permissions(record: &RoleRecord) -> PermissionSet {
    record.permissions.iter().filter_map(|p| p.parse::<Permission>().ok()).collect()
}

fn stored_scope(record: &RoleRecord) -> Scope {
    if record.all_workspaces {
        Scope::AllWorkspaces
    } else {
        Scope::Workspaces(record.workspaces.iter().copied().map(WorkspaceId).collect())
    }
}

/// Whether the caller may rename or delete the role `record`: a custom role (the built-in
/// Master Admin is fixed) within their authority — the page offers exactly that.
pub fn may_manage(granter: &Granter, record: &RoleRecord) -> bool {
    record.kind == DefinedRole::Custom && granter.can_grant(&role_of(record))
}

/// The role a stored record describes: the built-in Master Admin, or a custom role.
pub(crate) fn role_of(record: &RoleRecord) -> AdminRole {
    if record.kind == DefinedRole::Master {
        return AdminRole::MasterAdmin;
    }
    AdminRole::Custom {
        id: AdminRoleId(record.id),
        name: record.name.clone(),
        permissions: stored_permissions(record),
        scope: stored_scope(record),
    }
}

/// Changes a custom role's name, permissions or scope (absent fields stay). Every bad field
/// is refused at once, with those that went unread, and nothing is written.
pub async fn update(
    ctx: &AppCtx,
    may: &InAccount<RolesManage>,
    granter: &Granter,
    id: AdminRoleId,
    input: Input<RoleInput>,
) -> Result<RoleView, AppError> {
    let (input, mut problems) = input.open();
    let old = get(ctx, may, id).await?.record;
    editable(&old)?;
    let old_permissions = stored_permissions(&old);
    let old_scope = stored_scope(&old);
    granter.may_grant(&format!("the role {:?}", old.name), &Authority::new(old_permissions, old_scope.clone()))?;
    let name = match &input.name {
        Some(n) => problems.check(role_name(n))?,
        None => Some(old.name.clone()),
    };
    let permissions = match &input.permissions {
        Some(p) => problems.check(permission_set(p))?,
        None => Some(old_permissions),
    };
    let scope = match &input.scope {
        Some(s) => problems.check(scope_of(ctx, may, s.as_ref()).await)?,
        None => Some(old_scope.clone()),
    };
    problems.finish()?;
    let (Some(name), Some(permissions), Some(scope)) = (name, permissions, scope) else {
        return Err(AppError::Internal("a refused field was not reported".into()));
    };
    granter.may_grant(&format!("the role {name:?}"), &Authority::new(permissions, scope.clone()))?;
    if name == old.name && permissions == old_permissions && scope == old_scope {
        // Nothing changes: nothing is written, no audit event.
        return get(ctx, may, id).await;
    }
    let names = |s: PermissionSet| s.iter().map(Permission::as_str).collect::<Vec<_>>();
    let event = audit::by(
        &may.actor,
        domain::closed::AuditAction::RoleUpdated,
        None,
        json!({
            "role_id": id,
            "name": {"old": old.name, "new": name},
            "permissions": {"old": names(old_permissions), "new": names(permissions)},
            "scope": {"old": scope_json(&old_scope), "new": scope_json(&scope)},
        }),
    );
    // Holders are counted under the role's lock inside the write: a grant racing this
    // change is either counted or sees the new scope (store::roles::update).
    let outside =
        store::roles::update(&ctx.db, id, &name, permissions, &scope, &event).await.map_err(|e| duplicate(e, &name))?;
    if outside > 0 {
        return Err(holders_outside(outside));
    }
    get(ctx, may, id).await
}

/// 400 naming `scope`: `outside` holders of the role are not members of each workspace
/// of the scope asked for.
fn holders_outside(outside: i64) -> AppError {
    let (who, is) = if outside == 1 { ("1 holder".to_owned(), "is") } else { (format!("{outside} holders"), "are") };
    AppError::invalid(
        "scope",
        format!(
            "would reach workspaces that {who} of this role {is} not a member of; a workspace-scoped role is held only by members of each of its workspaces (add them to those workspaces or give them another role first)"
        ),
    )
}

/// Deletes a custom role (within the caller's authority); 409 while anyone holds it.
pub async fn delete(
    ctx: &AppCtx,
    may: &InAccount<RolesManage>,
    granter: &Granter,
    id: AdminRoleId,
) -> Result<(), AppError> {
    let old = get(ctx, may, id).await?.record;
    editable(&old)?;
    granter.may_grant(
        &format!("the role {:?}", old.name),
        &Authority::new(stored_permissions(&old), stored_scope(&old)),
    )?;
    let event =
        audit::by(&may.actor, domain::closed::AuditAction::RoleDeleted, None, json!({"role_id": id, "name": old.name}));
    let holders = store::roles::delete_if_unused(&ctx.db, id, &event).await?;
    if holders > 0 {
        let s = if holders == 1 { "" } else { "s" };
        return Err(AppError::Conflict(format!(
            "admin role {:?} is still held by {holders} user{s}; give them another role first",
            old.name
        )));
    }
    Ok(())
}

/// The account's workspaces, to pick a role's scope from.
pub async fn workspaces(ctx: &AppCtx, may: &InAccount<RolesManage>) -> Result<Vec<store::lookups::Named>, AppError> {
    Ok(store::lookups::workspaces(&ctx.db, may.account).await?)
}
