//! `/scim/v2/Groups` (RFC 7643 §4.2): the groups of the SCIM workspace and their members —
//! the verbs of [`super::resource`] over the use cases of [`app::scim::groups`].

use super::reply::{ReadParams, ScimReply};
use super::resource::{Change, Page, Resource, location};
use crate::state::AppState;
use app::authz::Scim;
use app::clock::rfc3339;
use app::scim::groups::ScimGroup;
use app::scim::users::ScimUser;
use domain::ids::GroupId;
use domain::scim::GROUP_SCHEMA;
use domain::scim::user::etag;
use serde_json::{Value, json};

/// Whether a response shows members at all (Okta and Entra ID leave them out of lists).
fn wants_members(params: &ReadParams) -> bool {
    let listed =
        |raw: Option<&str>| domain::scim::projection::paths(raw).iter().any(|p| p.name.eq_ignore_ascii_case("members"));
    let attributes = params.attributes.as_deref().is_some_and(|a| !a.trim().is_empty());
    !listed(params.excluded_attributes.as_deref()) && (!attributes || listed(params.attributes.as_deref()))
}

impl Resource for ScimGroup {
    type Id = GroupId;
    const ENDPOINT: &'static str = "Groups";
    const SCHEMA: &'static str = GROUP_SCHEMA;

    fn id(&self) -> uuid::Uuid {
        self.row.id
    }

    fn version(&self) -> i64 {
        self.row.version
    }

    fn to_json(&self, state: &AppState) -> Value {
        let g = self;
        let mut doc = json!({
            "schemas": [GROUP_SCHEMA],
            "id": g.row.id.to_string(),
            "displayName": g.row.name,
            "members": g.members.iter().map(|(u, _)| json!({
                "value": u.to_string(),
                "type": "User",
                "$ref": location(state, ScimUser::ENDPOINT, u),
            })).collect::<Vec<_>>(),
            "meta": {
                "resourceType": "Group",
                "created": rfc3339(g.row.created_at),
                "lastModified": rfc3339(g.row.updated_at.unwrap_or(g.row.created_at)),
                "version": etag(g.row.version),
                "location": location(state, Self::ENDPOINT, &g.row.id),
            },
        });
        if let Some(x) = &g.row.external_id {
            doc["externalId"] = json!(x);
        }
        doc
    }

    async fn list(state: &AppState, may: &Scim, params: &ReadParams) -> Result<Page<Self>, ScimReply> {
        let (total, start_index, items) =
            app::scim::groups::list(&state.ctx, may, &params.query()?, wants_members(params)).await?;
        Ok(Page { total, start_index, items })
    }

    async fn get(state: &AppState, may: &Scim, id: GroupId) -> Result<Self, ScimReply> {
        Ok(app::scim::groups::get(&state.ctx, may, id).await?)
    }

    async fn create(state: &AppState, may: &Scim, body: &Value) -> Result<Self, ScimReply> {
        Ok(app::scim::groups::create(&state.ctx, may, body).await?)
    }

    async fn change(
        state: &AppState,
        may: &Scim,
        id: GroupId,
        how: Change,
        body: &Value,
        if_match: Option<i64>,
    ) -> Result<Self, ScimReply> {
        let ctx = &state.ctx;
        Ok(match how {
            Change::Replace => app::scim::groups::replace(ctx, may, id, body, if_match).await?,
            Change::Patch => app::scim::groups::patch(ctx, may, id, body, if_match).await?,
        })
    }

    async fn delete(state: &AppState, may: &Scim, id: GroupId, if_match: Option<i64>) -> Result<(), ScimReply> {
        Ok(app::scim::groups::delete(&state.ctx, may, id, if_match).await?)
    }
}
