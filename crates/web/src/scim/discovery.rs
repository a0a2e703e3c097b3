//! The discovery endpoints (RFC 7644 §4): `ServiceProviderConfig`, `ResourceTypes` and
//! `Schemas` (RFC 7643 §5–§7). The schemas list exactly the attributes Roster keeps, with
//! their mutability, from [`domain::scim::schema`] (the table PATCH is checked against):
//! `emails`, `displayName` and `groups` are read-only (the email is written as `userName`,
//! though a PATCH of the one `emails` value changes it too; the display name is made of the
//! given and family names; membership is changed on the group).

use super::reply::{ScimReply, list, resource};
use super::scim_error;
use crate::extract::ApiUser;
use crate::routes::{Routes, get, post};
use crate::state::AppState;
use app::scim::users::MAX_COUNT;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::scim::{ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA, schema};
use serde_json::{Value, json};

pub fn routes() -> Routes {
    Routes::new()
        .route("/ServiceProviderConfig", get(service_provider_config))
        .route("/ResourceTypes", get(resource_types))
        .route("/ResourceTypes/{id}", get(resource_type))
        .route("/Schemas", get(schemas))
        .route("/Schemas/{id}", get(schema))
        .route("/.search", post(search_everything))
}

/// `POST /.search` across resource types (RFC 7644 §3.4.3) is not offered: 501, as the
/// RFC answers an unsupported operation. Queries are `GET /Users` and `GET /Groups`.
async fn search_everything(ApiUser(p): ApiUser) -> Result<Response, ScimReply> {
    app::authz::scim(&p)?;
    Ok(scim_error(501, None, "searching several resource types at once is not supported; query /Users or /Groups"))
}

const SPC_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RT_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCHEMA_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

fn base(state: &AppState) -> String {
    format!("{}{}", state.public_url.trim_end_matches('/'), super::PREFIX)
}

fn schema_doc(id: &str, name: &str, description: &str, attrs: &[schema::Attr]) -> Value {
    json!({
        "schemas": [SCHEMA_SCHEMA], "id": id, "name": name, "description": description,
        "attributes": attrs.iter().map(schema::Attr::to_json).collect::<Vec<_>>(),
    })
}

fn with_meta(mut doc: Value, kind: &str, location: &str) -> Value {
    doc["meta"] = json!({"resourceType": kind, "location": location});
    doc
}

fn all_schemas(state: &AppState) -> Vec<Value> {
    [
        schema_doc(USER_SCHEMA, "User", "Roster user", schema::USER),
        schema_doc(
            ENTERPRISE_SCHEMA,
            "EnterpriseUser",
            "Enterprise user: organization (Company), department, employeeNumber",
            schema::ENTERPRISE,
        ),
        schema_doc(GROUP_SCHEMA, "Group", "Roster group of the SCIM workspace", schema::GROUP),
    ]
    .into_iter()
    .map(|s| {
        let loc = format!("{}/Schemas/{}", base(state), s["id"].as_str().unwrap_or_default());
        with_meta(s, "Schema", &loc)
    })
    .collect()
}

fn all_resource_types(state: &AppState) -> Vec<Value> {
    let user = json!({
        "schemas": [RT_SCHEMA], "id": "User", "name": "User", "endpoint": "/Users",
        "description": "User Account", "schema": USER_SCHEMA,
        "schemaExtensions": [{"schema": ENTERPRISE_SCHEMA, "required": false}],
    });
    let group = json!({
        "schemas": [RT_SCHEMA], "id": "Group", "name": "Group", "endpoint": "/Groups",
        "description": "Group", "schema": GROUP_SCHEMA, "schemaExtensions": [],
    });
    [user, group]
        .into_iter()
        .map(|r| {
            let loc = format!("{}/ResourceTypes/{}", base(state), r["id"].as_str().unwrap_or_default());
            with_meta(r, "ResourceType", &loc)
        })
        .collect()
}

async fn service_provider_config(State(state): State<AppState>, ApiUser(p): ApiUser) -> Result<Response, ScimReply> {
    app::authz::scim(&p)?;
    let body = json!({
        "schemas": [SPC_SCHEMA],
        "documentationUri": format!("{}/docs", state.public_url.trim_end_matches('/')),
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_COUNT},
        "changePassword": {"supported": false},
        "sort": {"supported": true},
        "etag": {"supported": true},
        "authenticationSchemes": [{
            "type": "oauthbearertoken", "name": "API token", "primary": true,
            "description": "A Roster API token holding the scim permission, as Authorization: Bearer",
        }],
        "meta": {"resourceType": "ServiceProviderConfig", "location": format!("{}/ServiceProviderConfig", base(&state))},
    });
    Ok(resource(StatusCode::OK, &body, None, None))
}

async fn resource_types(State(state): State<AppState>, ApiUser(p): ApiUser) -> Result<Response, ScimReply> {
    app::authz::scim(&p)?;
    let all = all_resource_types(&state);
    Ok(list(i64::try_from(all.len()).unwrap_or(0), 1, &all))
}

async fn resource_type(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, ScimReply> {
    app::authz::scim(&p)?;
    Ok(match all_resource_types(&state).into_iter().find(|r| r["id"] == id.as_str()) {
        Some(r) => resource(StatusCode::OK, &r, None, None),
        None => scim_error(404, None, "no such resource type").into_response(),
    })
}

async fn schemas(State(state): State<AppState>, ApiUser(p): ApiUser) -> Result<Response, ScimReply> {
    app::authz::scim(&p)?;
    let all = all_schemas(&state);
    Ok(list(i64::try_from(all.len()).unwrap_or(0), 1, &all))
}

async fn schema(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, ScimReply> {
    app::authz::scim(&p)?;
    Ok(match all_schemas(&state).into_iter().find(|s| s["id"] == id.as_str()) {
        Some(s) => resource(StatusCode::OK, &s, None, None),
        None => scim_error(404, None, "no such schema").into_response(),
    })
}
