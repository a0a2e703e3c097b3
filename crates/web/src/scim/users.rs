//! `/scim/v2/Users` (RFC 7644 §3.3–§3.6): query, create, read, replace, patch, delete — the
//! verbs of [`super::resource`] over the use cases of [`app::scim::users`].

use super::reply::{ReadParams, ScimReply};
use super::resource::{Change, Page, Resource, location};
use crate::state::AppState;
use app::authz::Scim;
use app::clock::rfc3339;
use app::scim::users::ScimUser;
use domain::ids::UserId;
use domain::scim::USER_SCHEMA;
use domain::scim::user::UserView;
use serde_json::Value;

/// The User resource of `u`.
fn user_json(state: &AppState, u: &ScimUser) -> Value {
    UserView {
        id: u.row.id.to_string(),
        email: &u.row.email,
        given_name: &u.row.first_name,
        family_name: &u.row.last_name,
        external_id: u.row.external_id.as_deref(),
        active: u.active(),
        profile: u.profile(),
        groups: u.groups.iter().map(|(id, name)| (id.to_string(), name.clone())).collect(),
        created: rfc3339(u.row.created_at),
        last_modified: rfc3339(u.row.updated_at),
        version: u.row.version,
        location: location(state, ScimUser::ENDPOINT, &u.row.id),
    }
    .to_json()
}

impl Resource for ScimUser {
    type Id = UserId;
    const ENDPOINT: &'static str = "Users";
    const SCHEMA: &'static str = USER_SCHEMA;

    fn id(&self) -> uuid::Uuid {
        self.row.id
    }

    fn version(&self) -> i64 {
        self.row.version
    }

    fn to_json(&self, state: &AppState) -> Value {
        user_json(state, self)
    }

    async fn list(state: &AppState, may: &Scim, params: &ReadParams) -> Result<Page<Self>, ScimReply> {
        let listed = app::scim::users::list(&state.ctx, may, &params.query()?).await?;
        Ok(Page { total: listed.total, start_index: listed.start_index, items: listed.users })
    }

    async fn get(state: &AppState, may: &Scim, id: UserId) -> Result<Self, ScimReply> {
        Ok(app::scim::users::get(&state.ctx, may, id).await?)
    }

    async fn create(state: &AppState, may: &Scim, body: &Value) -> Result<Self, ScimReply> {
        Ok(app::scim::users::create(&state.ctx, may, body, &state.public_url).await?)
    }

    async fn change(
        state: &AppState,
        may: &Scim,
        id: UserId,
        how: Change,
        body: &Value,
        if_match: Option<i64>,
    ) -> Result<Self, ScimReply> {
        let (ctx, url) = (&state.ctx, state.public_url.as_str());
        Ok(match how {
            Change::Replace => app::scim::users::replace(ctx, may, id, body, if_match, url).await?,
            Change::Patch => {
                let render = |u: &ScimUser| user_json(state, u);
                app::scim::users::patch(ctx, may, id, body, if_match, url, render).await?
            }
        })
    }

    async fn delete(state: &AppState, may: &Scim, id: UserId, if_match: Option<i64>) -> Result<(), ScimReply> {
        Ok(app::scim::users::delete(&state.ctx, may, id, if_match).await?)
    }
}
