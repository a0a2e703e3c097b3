//! `GET/PUT/PATCH /settings/sso` — the account's single sign-on settings and switch, a
//! settings document (see [`super::document`]) — and `POST /settings/sso/test`, the
//! connection test. `settings.manage`, account-wide.
//!
//! The document: `enabled`, `issuer`, `client_id`, `scopes`, `email_claim`,
//! `require_email_verified`, `provider_name`, `create_users`, `mapping` (`mode`:
//! `full_sync`|`inclusion_only`, `claim`, `groups`, `admin_roles`, `builder_access`: claim value →
//! group name / admin role name / builder access), plus what GET adds and writes ignore:
//! `client_secret_set`, `connection_tested`, `redirect_uri`, `trust_refusal`. The secret is
//! write-only: a body may carry `client_secret` (a string replaces it); it is never returned.
//!
//! Only the Primary Master Admin changes the trust settings (`enabled`, `issuer`,
//! `client_id`, `client_secret`, `email_claim`, `require_email_verified`, `create_users`),
//! and a mapping hands out only what its saver may grant: anything else is a 403 whose
//! `invalid_params` names each refused field (see `app::authz::sso`). A bad or refused entry
//! of a map is named by its claim value (`mapping.groups.CN=Eng,OU=Groups,DC=corp`); a map
//! refused whole (a permission missing, an empty claim value) by the map (`mapping.groups`).

use super::document::Change;
use crate::error::ApiError;
use crate::extract::{ApiUser, JsonDoc};
use crate::routes::{Routes, get, post};
use crate::state::AppState;
use app::authz::Principal;
use app::sso::settings::{SsoUpdate, SsoView};
use axum::Json;
use axum::extract::State;
use domain::sso::SsoSettings;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

pub fn routes() -> Routes {
    Routes::new()
        .route("/settings/sso", get(get_sso).put(put_sso).patch(patch_sso))
        .route("/settings/sso/test", post(test_connection))
}

/// The SSO settings document: what GET shows, PUT replaces and PATCH merges into.
#[derive(ToSchema)]
#[allow(dead_code)] // Only described: the document is built as JSON (`view_json`).
pub struct SsoDocument {
    enabled: bool,
    /// The provider's issuer URL, exactly as its discovery document publishes it.
    issuer: String,
    client_id: String,
    /// Write-only: a string replaces the secret; absent keeps it. Never returned.
    #[schema(write_only)]
    client_secret: Option<String>,
    scopes: Vec<String>,
    /// The claim carrying the email (default `email`).
    email_claim: String,
    require_email_verified: bool,
    provider_name: String,
    /// Create unknown users at their first SSO sign-in.
    create_users: bool,
    /// `mode` (`full_sync` or `inclusion_only`), `claim`, and claim value → group name,
    /// admin role name and Bot Builder access.
    #[schema(value_type = Object)]
    mapping: Value,
    #[schema(read_only)]
    client_secret_set: Option<bool>,
    #[schema(read_only)]
    connection_tested: Option<bool>,
    /// The redirect URI to register at the provider.
    #[schema(read_only)]
    redirect_uri: Option<String>,
    /// Why the caller may not change the trust settings (null: they may).
    #[schema(read_only)]
    trust_refusal: Option<String>,
}

/// What the connection test found.
#[derive(Serialize, ToSchema)]
pub struct ConnectionReport {
    /// Whether discovery and the provider's keys were fetched and valid.
    ok: bool,
    /// What was found, or exactly what failed.
    message: String,
}

/// The document's maps (claim value → name or level): each one value, whose entries a
/// PUT may leave out and a PATCH may remove with `null` ([`super::document`]).
const MAPS: [&str; 3] = ["mapping.groups", "mapping.admin_roles", "mapping.builder_access"];

/// Fields GET shows that a write does not set.
const READ_ONLY: [&str; 4] = ["client_secret_set", "connection_tested", "redirect_uri", "trust_refusal"];

/// The document as GET shows it.
pub(crate) fn view_json(v: &SsoView) -> Value {
    let mut doc = writable(v);
    doc["client_secret_set"] = json!(v.client_secret_set);
    doc["connection_tested"] = json!(v.connection_tested);
    doc["redirect_uri"] = json!(v.redirect_uri);
    doc["trust_refusal"] = json!(v.trust_refusal);
    doc
}

/// The fields a write sets (every one required by PUT).
fn writable(v: &SsoView) -> Value {
    let mut doc = serde_json::to_value(&v.settings).unwrap_or_default();
    if let Some(o) = doc.as_object_mut() {
        // The secret is write-only; who saved the mapping is the save's to record.
        o.remove("client_secret");
        o.remove("mapping_saved_by");
    }
    doc["enabled"] = json!(v.enabled);
    doc
}

/// Saves the document `body` asks for (PUT: the whole document; PATCH: a merge patch).
async fn save(state: &AppState, me: &Principal, body: Value, how: Change) -> Result<Json<Value>, ApiError> {
    let may = app::authz::sso_settings(&state.ctx, me).await?;
    let current = app::sso::settings::view(&state.ctx, &may, &state.public_url).await?;
    let mut doc = super::document::changed(&writable(&current), body, how, &MAPS)?;
    let Some(fields) = doc.as_object_mut() else {
        return Err(ApiError::invalid("body", "must be a JSON object"));
    };
    for key in READ_ONLY.into_iter().chain(["mapping_saved_by"]) {
        fields.remove(key);
    }
    let mut bad = Vec::new();
    let enabled = fields.remove("enabled").and_then(|v| v.as_bool());
    if enabled.is_none() {
        bad.push(("enabled".to_owned(), "must be true or false".to_owned()));
    }
    let client_secret = match fields.remove("client_secret") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => {
            bad.push(("client_secret".to_owned(), "must be a string (write-only: it is never shown)".to_owned()));
            None
        }
    };
    // The switch and the secret are read here, the rest as the settings' type: the use case
    // names every field that went unread with every value it refuses.
    let change = super::document::typed::<SsoSettings>(doc)?.also_unreadable(bad).map(|settings| SsoUpdate {
        enabled: enabled.unwrap_or_default(),
        settings,
        client_secret,
    });
    let saved = app::sso::settings::update(&state.ctx, &may, change, &state.public_url).await?;
    Ok(Json(view_json(&saved)))
}

#[utoipa::path(get, path = "/settings/sso", tag = "settings",
    responses((status = 200, description = "The SSO settings (never the secret).", body = SsoDocument)))]
pub(super) async fn get_sso(State(state): State<AppState>, ApiUser(me): ApiUser) -> Result<Json<Value>, ApiError> {
    let may = app::authz::sso_settings(&state.ctx, &me).await?;
    Ok(Json(view_json(&app::sso::settings::view(&state.ctx, &may, &state.public_url).await?)))
}

#[utoipa::path(put, path = "/settings/sso", tag = "settings", request_body = SsoDocument,
    responses((status = 200, description = "Saved (the whole document).", body = SsoDocument)))]
pub(super) async fn put_sso(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    JsonDoc(body): JsonDoc,
) -> Result<Json<Value>, ApiError> {
    save(&state, &me, body, Change::Replace).await
}

#[utoipa::path(patch, path = "/settings/sso", tag = "settings",
    request_body(description = "A merge patch (RFC 7396): only the fields to change.",
        content((SsoDocument = "application/merge-patch+json"), (SsoDocument = "application/json"))),
    responses((status = 200, description = "Saved.", body = SsoDocument)))]
pub(super) async fn patch_sso(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    JsonDoc(patch): JsonDoc,
) -> Result<Json<Value>, ApiError> {
    save(&state, &me, patch, Change::Merge).await
}

/// What the discovery and key fetch found, exactly.
#[utoipa::path(post, path = "/settings/sso/test", tag = "settings",
    responses((status = 200, description = "The connection test's result (a pass unlocks the switch).", body = ConnectionReport)))]
pub(super) async fn test_connection(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<ConnectionReport>, ApiError> {
    let may = app::authz::sso_settings(&state.ctx, &me).await?;
    let report = app::sso::settings::test_connection(&state.ctx, &may).await?;
    Ok(Json(ConnectionReport { ok: report.ok, message: report.message }))
}
