//! SCIM Groups (RFC 7643 §4.2): the Roster groups of the workspace the SCIM settings name.
//! Members are users of the account in that workspace (as in the console); PATCH adds and
//! removes many in one request and one transaction. DELETE is the console's: only an empty
//! group (409 otherwise: remove the members first).

use super::users::Query;
use super::{ScimFail, check_version, settings, stale};
use crate::authz::{self, GroupsManage, InScope, Scim};
use crate::error::What;
use crate::{AppCtx, AppError, audit, clock};
use domain::closed::AuditAction;
use domain::ids::{GroupId, UserId, WorkspaceId};
use domain::scim::filter::{self, get_ci};
use domain::scim::patch::{self, OpKind, PatchOp, PatchPath};
use domain::scim::{GROUP_SCHEMA, ScimError};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use store::scim::groups::{GroupChange, GroupChanged, ScimGroupRow};
use uuid::Uuid;

/// A group with its members (`(user id, email)`), ready to render.
#[derive(Debug, Clone)]
pub struct ScimGroup {
    pub row: ScimGroupRow,
    pub members: Vec<(Uuid, String)>,
}

async fn scope(ctx: &AppCtx, may: &Scim) -> Result<(InScope<GroupsManage>, WorkspaceId), ScimFail> {
    let in_scope = authz::in_scope::<GroupsManage>(&may.principal)?;
    let s = settings::read(ctx, may.account()).await?;
    let ws = settings::workspace(ctx, may.account(), &s).await?;
    if !in_scope.covers(ws) {
        return Err(AppError::Forbidden("the SCIM workspace is outside the token's scope".into()).into());
    }
    Ok((in_scope, ws))
}

async fn with_members(ctx: &AppCtx, rows: Vec<ScimGroupRow>, members: bool) -> Result<Vec<ScimGroup>, ScimFail> {
    let ids: Vec<Uuid> = if members { rows.iter().map(|r| r.id).collect() } else { Vec::new() };
    let all = store::scim::groups::members(&ctx.db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let members = all.iter().filter(|(g, _, _)| *g == row.id).map(|(_, u, e)| (*u, e.clone())).collect();
            ScimGroup { row, members }
        })
        .collect())
}

async fn load(ctx: &AppCtx, ws: WorkspaceId, id: GroupId) -> Result<ScimGroup, ScimFail> {
    let row = store::scim::groups::find(&ctx.db, ws, id).await?.ok_or(AppError::NotFound(What::Group))?;
    Ok(with_members(ctx, vec![row], true).await?.remove(0))
}

/// One group (`groups.manage`).
pub async fn get(ctx: &AppCtx, may: &Scim, id: GroupId) -> Result<ScimGroup, ScimFail> {
    let (_, ws) = scope(ctx, may).await?;
    load(ctx, ws, id).await
}

/// The groups matching the query, one page (a workspace has few groups: the page is cut
/// from the matching list); `members` false leaves members out (`excludedAttributes`).
pub async fn list(ctx: &AppCtx, may: &Scim, q: &Query, members: bool) -> Result<(i64, u64, Vec<ScimGroup>), ScimFail> {
    let (_, ws) = scope(ctx, may).await?;
    let parsed = q.filter.as_deref().filter(|f| !f.trim().is_empty()).map(filter::parse).transpose()?;
    let rows = store::scim::groups::list(&ctx.db, ws, parsed.as_ref()).await??;
    let total = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let start = u64::try_from(q.start_index.unwrap_or(1).max(1)).unwrap_or(1);
    let count = q.count.unwrap_or(i64::from(super::users::DEFAULT_COUNT)).clamp(0, i64::from(super::users::MAX_COUNT));
    let page: Vec<ScimGroupRow> = rows
        .into_iter()
        .skip(usize::try_from(start - 1).unwrap_or(usize::MAX))
        .take(usize::try_from(count).unwrap_or(0))
        .collect();
    Ok((total, start, with_members(ctx, page, members).await?))
}

/// What a Group document asks for.
struct GroupAttrs {
    name: String,
    external_id: Option<String>,
    members: BTreeSet<Uuid>,
}

fn read_attrs(doc: &Map<String, Value>) -> Result<GroupAttrs, ScimFail> {
    let name = match get_ci(doc, "displayName") {
        Some(Value::String(s)) => crate::groups::group_name(s).map_err(|e| {
            ScimError::invalid_value(format!("displayName: {}", e.to_string().trim_start_matches("name: ")))
        })?,
        _ => return Err(ScimError::invalid_value("displayName is required").into()),
    };
    let external_id = match get_ci(doc, "externalId") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Some(_) => return Err(ScimError::invalid_value("externalId must be a string").into()),
    };
    let mut members = BTreeSet::new();
    match get_ci(doc, "members") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for m in items {
                let value = m.as_object().and_then(|o| get_ci(o, "value")).and_then(Value::as_str).unwrap_or_default();
                let id = value
                    .trim()
                    .parse::<Uuid>()
                    .map_err(|_| ScimError::invalid_value(format!("members: {value:?} is not the id of a user")))?;
                members.insert(id);
            }
        }
        Some(_) => return Err(ScimError::invalid_value("members must be an array").into()),
    }
    Ok(GroupAttrs { name, external_id, members })
}

/// Checks that each of `users` may join a group of `ws`: a user of the account in the
/// caller's scope, member of the workspace ([`domain::group::may_join`]). 400 `invalidValue`
/// naming the first that is not.
async fn check_joiners(
    ctx: &AppCtx,
    may: &InScope<GroupsManage>,
    ws: WorkspaceId,
    users: &[UserId],
) -> Result<(), ScimFail> {
    for u in users {
        let target = match authz::user_in_scope(ctx, may, *u).await {
            Ok(t) => t,
            Err(AppError::NotFound(_)) => {
                return Err(ScimError::invalid_value(format!("members: there is no user {}", u.0)).into());
            }
            Err(e) => return Err(e.into()),
        };
        if let Err(refused) = domain::group::may_join(&target.workspace_ids(), ws) {
            let why = crate::groups::not_in_workspace(ctx, may.account, refused, &format!("user {}", u.0)).await?;
            return Err(ScimError::invalid_value(format!("members: {why}")).into());
        }
    }
    Ok(())
}

/// Creates a group (`groups.manage`) with its members. 409 `uniqueness` for a name the
/// workspace already has.
pub async fn create(ctx: &AppCtx, may: &Scim, body: &Value) -> Result<ScimGroup, ScimFail> {
    let (in_scope, ws) = scope(ctx, may).await?;
    let doc =
        body.as_object().ok_or_else(|| ScimError::bad_request("invalidSyntax", "the body must be a JSON object"))?;
    let attrs = read_attrs(doc)?;
    save(ctx, may, &in_scope, ws, Saving::New(GroupId::new()), attrs).await
}

/// Saves `change` and reads the group back: 409 `uniqueness` for a name the workspace has,
/// 412 when the group changed meanwhile.
async fn commit(ctx: &AppCtx, change: &GroupChange) -> Result<ScimGroup, ScimFail> {
    match store::scim::groups::save(&ctx.db, change).await? {
        GroupChanged::Changed => load(ctx, change.workspace, change.group).await,
        GroupChanged::NameTaken => Err(super::taken("the workspace already has a group with this displayName")),
        GroupChanged::Stale => Err(stale()),
    }
}

fn member_event(
    actor: &authz::Actor,
    action: AuditAction,
    user: UserId,
    group: GroupId,
    name: &str,
) -> store::audit::NewAuditEvent {
    audit::by(actor, action, Some(user), json!({"group_id": group, "group": name, "via": "scim"}))
}

/// The group as a document PATCH operations apply to.
fn doc_of(g: &ScimGroup) -> Map<String, Value> {
    let mut doc = Map::new();
    doc.insert("displayName".into(), json!(g.row.name));
    if let Some(x) = &g.row.external_id {
        doc.insert("externalId".into(), json!(x));
    }
    doc.insert(
        "members".into(),
        Value::Array(g.members.iter().map(|(u, _)| json!({"value": u.to_string()})).collect()),
    );
    doc
}

/// Replaces the group's name, externalId and members (PUT).
pub async fn replace(
    ctx: &AppCtx,
    may: &Scim,
    id: GroupId,
    body: &Value,
    if_match: Option<i64>,
) -> Result<ScimGroup, ScimFail> {
    let (in_scope, ws) = scope(ctx, may).await?;
    let current = load(ctx, ws, id).await?;
    check_version(if_match, current.row.version)?;
    let doc =
        body.as_object().ok_or_else(|| ScimError::bad_request("invalidSyntax", "the body must be a JSON object"))?;
    let attrs = read_attrs(doc)?;
    save(ctx, may, &in_scope, ws, Saving::Over(&current), attrs).await
}

/// Entra ID removes members with `{"op":"Remove","path":"members","value":[{"value":id}]}`:
/// as many `members[value eq "id"]` removals, so the generic PATCH does not drop them all.
fn entra_removals(ops: Vec<PatchOp>) -> Vec<PatchOp> {
    let mut out = Vec::with_capacity(ops.len());
    for op in ops {
        let listed = match (&op.kind, &op.path, &op.value) {
            (OpKind::Remove, Some(p), Some(Value::Array(items)))
                if p.filter.is_none() && p.attr.sub.is_none() && p.attr.name.eq_ignore_ascii_case("members") =>
            {
                items.clone()
            }
            _ => {
                out.push(op);
                continue;
            }
        };
        for item in listed {
            let value = item
                .as_object()
                .and_then(|o| get_ci(o, "value"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let path = PatchPath::parse(&format!("members[value eq {}]", Value::String(value)));
            if let Ok(path) = path {
                out.push(PatchOp { kind: OpKind::Remove, path: Some(path), value: None });
            }
        }
    }
    out
}

/// Applies PATCH operations (add/remove many members, rename) in one transaction.
pub async fn patch(
    ctx: &AppCtx,
    may: &Scim,
    id: GroupId,
    body: &Value,
    if_match: Option<i64>,
) -> Result<ScimGroup, ScimFail> {
    let (in_scope, ws) = scope(ctx, may).await?;
    let current = load(ctx, ws, id).await?;
    check_version(if_match, current.row.version)?;
    let ops = entra_removals(patch::parse_request(body)?);
    let mut doc = doc_of(&current);
    patch::apply(&mut doc, GROUP_SCHEMA, &ops)?;
    let attrs = read_attrs(&doc)?;
    save(ctx, may, &in_scope, ws, Saving::Over(&current), attrs).await
}

/// What [`save`] writes: a new group, or over the group as it was read.
enum Saving<'a> {
    New(GroupId),
    Over(&'a ScimGroup),
}

/// Saves `attrs` as the group (created or changed), auditing the creation or rename and each
/// member added or removed; nothing when nothing changes.
async fn save(
    ctx: &AppCtx,
    may: &Scim,
    in_scope: &InScope<GroupsManage>,
    ws: WorkspaceId,
    saving: Saving<'_>,
    attrs: GroupAttrs,
) -> Result<ScimGroup, ScimFail> {
    let (id, current) = match saving {
        Saving::New(id) => (id, None),
        Saving::Over(g) => (GroupId(g.row.id), Some(g)),
    };
    let have: BTreeSet<Uuid> = current.iter().flat_map(|g| g.members.iter().map(|(u, _)| *u)).collect();
    let add: Vec<UserId> = attrs.members.difference(&have).map(|u| UserId(*u)).collect();
    let remove: Vec<UserId> = have.difference(&attrs.members).map(|u| UserId(*u)).collect();
    if let Some(g) = current
        && add.is_empty()
        && remove.is_empty()
        && attrs.name == g.row.name
        && attrs.external_id == g.row.external_id
    {
        return Ok(g.clone());
    }
    check_joiners(ctx, in_scope, ws, &add).await?;
    let actor = authz::Actor::of(&may.principal);
    let mut events = Vec::new();
    match current {
        None => events.push(audit::by(
            &actor,
            AuditAction::GroupCreated,
            None,
            json!({"group_id": id, "workspace_id": ws, "name": attrs.name, "via": "scim"}),
        )),
        Some(g) if attrs.name != g.row.name => events.push(audit::by(
            &actor,
            AuditAction::GroupRenamed,
            None,
            json!({"group_id": id, "old": g.row.name, "new": attrs.name, "via": "scim"}),
        )),
        Some(_) => {}
    }
    events.extend(add.iter().map(|u| member_event(&actor, AuditAction::GroupMemberAdded, *u, id, &attrs.name)));
    events.extend(remove.iter().map(|u| member_event(&actor, AuditAction::GroupMemberRemoved, *u, id, &attrs.name)));
    let change = GroupChange {
        group: id,
        workspace: ws,
        version: current.map(|g| g.row.version),
        name: attrs.name,
        external_id: attrs.external_id,
        add,
        remove,
        at: clock::now(),
        audit: events,
    };
    commit(ctx, &change).await
}

/// Deletes an empty group (the console's rule); 409 while it has members.
pub async fn delete(ctx: &AppCtx, may: &Scim, id: GroupId, if_match: Option<i64>) -> Result<(), ScimFail> {
    let (in_scope, ws) = scope(ctx, may).await?;
    let current = load(ctx, ws, id).await?;
    check_version(if_match, current.row.version)?;
    Ok(crate::groups::delete(ctx, &in_scope, id).await?)
}
