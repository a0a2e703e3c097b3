//! `/scim/v2/Groups` (RFC 7643 §4.2): the groups of the SCIM workspace and their members.

use super::reply::{self, ReadParams, ScimReply, body_json, if_match, path_id, resource};
use super::users::location;
use crate::extract::{ApiUser, AppQuery};
use crate::routes::{Routes, get};
use crate::state::AppState;
use app::clock::rfc3339;
use app::scim::groups::ScimGroup;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use domain::ids::GroupId;
use domain::scim::GROUP_SCHEMA;
use domain::scim::user::etag;
use serde_json::{Value, json};

pub fn routes() -> Routes {
    Routes::new()
        .route("/Groups", get(list_groups).post(create_group))
        .route("/Groups/{id}", get(get_group).put(replace_group).patch(patch_group).delete(delete_group))
}

fn group_json(state: &AppState, g: &ScimGroup) -> Value {
    let mut doc = json!({
        "schemas": [GROUP_SCHEMA],
        "id": g.row.id.to_string(),
        "displayName": g.row.name,
        "members": g.members.iter().map(|(u, _)| json!({
            "value": u.to_string(),
            "type": "User",
            "$ref": location(state, "Users", u),
        })).collect::<Vec<_>>(),
        "meta": {
            "resourceType": "Group",
            "created": rfc3339(g.row.created_at),
            "lastModified": rfc3339(g.row.updated_at.unwrap_or(g.row.created_at)),
            "version": etag(g.row.version),
            "location": location(state, "Groups", &g.row.id),
        },
    });
    if let Some(x) = &g.row.external_id {
        doc["externalId"] = json!(x);
    }
    doc
}

fn one(state: &AppState, status: StatusCode, g: &ScimGroup, params: &ReadParams) -> Response {
    let body = params.project(group_json(state, g), GROUP_SCHEMA);
    let loc = (status == StatusCode::CREATED).then(|| location(state, "Groups", &g.row.id));
    resource(status, &body, Some(etag(g.row.version)), loc.as_deref())
}

/// Whether a response shows members at all (Okta and Entra ID leave them out of lists).
fn wants_members(params: &ReadParams) -> bool {
    let listed =
        |raw: Option<&str>| domain::scim::projection::paths(raw).iter().any(|p| p.name.eq_ignore_ascii_case("members"));
    let attributes = params.attributes.as_deref().is_some_and(|a| !a.trim().is_empty());
    !listed(params.excluded_attributes.as_deref()) && (!attributes || listed(params.attributes.as_deref()))
}

async fn list_groups(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    AppQuery(params): AppQuery<ReadParams>,
) -> Result<Response, ScimReply> {
    let may = app::authz::scim(&p)?;
    let (total, start, groups) =
        app::scim::groups::list(&state.ctx, &may, &params.query()?, wants_members(&params)).await?;
    let items: Vec<Value> = groups.iter().map(|g| params.project(group_json(&state, g), GROUP_SCHEMA)).collect();
    Ok(reply::list(total, start, &items))
}

async fn get_group(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
    AppQuery(params): AppQuery<ReadParams>,
) -> Result<Response, ScimReply> {
    let may = app::authz::scim(&p)?;
    let id = GroupId(path_id(&id, "group")?);
    let g = app::scim::groups::get(&state.ctx, &may, id).await?;
    Ok(one(&state, StatusCode::OK, &g, &params))
}

async fn create_group(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    AppQuery(params): AppQuery<ReadParams>,
    body: Bytes,
) -> Result<Response, ScimReply> {
    let may = app::authz::scim(&p)?;
    let g = app::scim::groups::create(&state.ctx, &may, &body_json(&body)?).await?;
    Ok(one(&state, StatusCode::CREATED, &g, &params))
}

async fn replace_group(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
    AppQuery(params): AppQuery<ReadParams>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ScimReply> {
    let may = app::authz::scim(&p)?;
    let id = GroupId(path_id(&id, "group")?);
    let g = app::scim::groups::replace(&state.ctx, &may, id, &body_json(&body)?, if_match(&headers)?).await?;
    Ok(one(&state, StatusCode::OK, &g, &params))
}

async fn patch_group(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
    AppQuery(params): AppQuery<ReadParams>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ScimReply> {
    let may = app::authz::scim(&p)?;
    let id = GroupId(path_id(&id, "group")?);
    let g = app::scim::groups::patch(&state.ctx, &may, id, &body_json(&body)?, if_match(&headers)?).await?;
    Ok(one(&state, StatusCode::OK, &g, &params))
}

async fn delete_group(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ScimReply> {
    let may = app::authz::scim(&p)?;
    let id = GroupId(path_id(&id, "group")?);
    app::scim::groups::delete(&state.ctx, &may, id, if_match(&headers)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
