//! `GET/PUT /settings/scim` (`settings.manage`): the SCIM settings — `workspace` (the id
//! of the workspace whose groups SCIM Groups are and which provisioned users join; `null`:
//! the account's first workspace by name) and `new_users` (`auto`: Active without a
//! password when SSO is on, else Invited with an email; `invited`; `active`).

use super::document;
use crate::error::ApiError;
use crate::extract::{ApiUser, JsonDoc};
use crate::routes::{Routes, get};
use crate::state::AppState;
use app::authz::SettingsManage;
use app::scim::settings::ScimSettings;
use axum::Json;
use axum::extract::State;
use utoipa::ToSchema;

/// How a user provisioned over SCIM starts.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)] // Only described: `app::scim::settings::NewUsers` is what is exchanged.
pub enum NewUsersDoc {
    /// Active without a password when SSO is on, else Invited with an email.
    Auto,
    Invited,
    Active,
}

/// The SCIM settings.
#[derive(ToSchema)]
#[allow(dead_code)] // Only described: `app::scim::settings::ScimSettings` is what is exchanged.
pub struct ScimSettingsDoc {
    /// The workspace whose groups SCIM Groups are and which provisioned users join; `null`:
    /// the account's first workspace by name.
    workspace: Option<uuid::Uuid>,
    new_users: Option<NewUsersDoc>,
}

pub fn routes() -> Routes {
    Routes::new().route("/settings/scim", get(get_scim).put(put_scim))
}

#[utoipa::path(get, path = "/settings/scim", tag = "settings",
    responses((status = 200, description = "The SCIM settings.", body = ScimSettingsDoc)))]
pub(super) async fn get_scim(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<ScimSettings>, ApiError> {
    let may = app::authz::in_account::<SettingsManage>(&me)?;
    Ok(Json(app::scim::settings::get(&state.ctx, &may).await?))
}

#[utoipa::path(put, path = "/settings/scim", tag = "settings", request_body = ScimSettingsDoc,
    responses((status = 200, description = "Saved.", body = ScimSettingsDoc)))]
pub(super) async fn put_scim(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    JsonDoc(body): JsonDoc,
) -> Result<Json<ScimSettings>, ApiError> {
    let may = app::authz::in_account::<SettingsManage>(&me)?;
    // Every field is a closed value the reader judges: nothing more for the use case to name.
    let new: ScimSettings = document::typed(body)?.complete()?;
    Ok(Json(app::scim::settings::update(&state.ctx, &may, new).await?))
}
