//! `GET/PUT/PATCH /settings/security`: PUT takes the whole document, PATCH a merge patch
//! (see [`super::document`]).

use super::document::{self, Change};
use crate::error::ApiError;
use crate::extract::{ApiUser, JsonDoc};
use crate::routes::{Routes, get};
use crate::state::AppState;
use app::AppError;
use app::authz::{Principal, SettingsManage};
use axum::Json;
use axum::extract::State;
use domain::security::SecuritySettings;
use serde_json::Value;

pub fn routes() -> Routes {
    Routes::new().route("/settings/security", get(get_security).put(put_security).patch(patch_security))
}

#[utoipa::path(get, path = "/settings/security", tag = "settings",
    responses((status = 200, description = "The account's security settings.", body = SecuritySettings)))]
pub(super) async fn get_security(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<SecuritySettings>, ApiError> {
    let may = app::authz::in_account::<SettingsManage>(&me)?;
    Ok(Json(app::settings::read_security(&state.ctx, &may).await?))
}

#[utoipa::path(put, path = "/settings/security", tag = "settings", request_body = SecuritySettings,
    responses((status = 200, description = "Saved (the whole document).", body = SecuritySettings)))]
pub(super) async fn put_security(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    JsonDoc(body): JsonDoc,
) -> Result<Json<SecuritySettings>, ApiError> {
    save(&state, &me, body, Change::Replace).await
}

#[utoipa::path(patch, path = "/settings/security", tag = "settings",
    request_body(description = "A merge patch (RFC 7396): only the fields to change.",
        content((SecuritySettings = "application/merge-patch+json"), (SecuritySettings = "application/json"))),
    responses((status = 200, description = "Saved.", body = SecuritySettings)))]
pub(super) async fn patch_security(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    JsonDoc(patch): JsonDoc,
) -> Result<Json<SecuritySettings>, ApiError> {
    save(&state, &me, patch, Change::Merge).await
}

async fn save(state: &AppState, me: &Principal, body: Value, how: Change) -> Result<Json<SecuritySettings>, ApiError> {
    let may = app::authz::in_account::<SettingsManage>(me)?;
    let current = app::settings::read_security(&state.ctx, &may).await?;
    let current = serde_json::to_value(current).map_err(|e| AppError::Internal(e.to_string()))?;
    let doc = document::changed(&current, body, how, &[])?;
    let new = document::typed::<SecuritySettings>(doc)?;
    Ok(Json(app::settings::update_security(&state.ctx, &may, new).await?))
}
