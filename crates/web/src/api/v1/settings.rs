//! `GET/PUT /settings/security`.

use crate::error::ApiError;
use crate::extract::{ApiUser, AppJson};
use crate::routes::{Routes, get};
use crate::state::AppState;
use app::authz::SettingsManage;
use axum::Json;
use axum::extract::State;
use domain::security::SecuritySettings;

pub fn routes() -> Routes {
    Routes::new().route("/settings/security", get(get_security).put(put_security))
}

async fn get_security(State(state): State<AppState>, ApiUser(me): ApiUser) -> Result<Json<SecuritySettings>, ApiError> {
    let may = app::authz::in_account::<SettingsManage>(&me)?;
    Ok(Json(app::settings::read_security(&state.ctx, &may).await?))
}

async fn put_security(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppJson(new): AppJson<SecuritySettings>,
) -> Result<Json<SecuritySettings>, ApiError> {
    let may = app::authz::in_account::<SettingsManage>(&me)?;
    Ok(Json(app::settings::update_security(&state.ctx, &may, &new).await?))
}
