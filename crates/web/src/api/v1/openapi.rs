//! The OpenAPI 3.1 document of `/api/v1`, served at `GET /api/v1/openapi.json`. It is derived
//! from the handlers themselves — each carries `#[utoipa::path]` naming its parameters, body
//! and answers, whose schemas are the handlers' own types (`ToSchema`, `IntoParams`) — and
//! completed here with what every route shares, so no part of it is written by hand:
//! - the two ways to authenticate: the session cookie (`session`) and an API token
//!   (`bearer`, `Authorization: Bearer roster_pat_…`);
//! - the problem+json answers (RFC 9457, [`crate::error::ApiError`]) any operation can give:
//!   400 with `invalid_params` naming every refused field, 401, 403, 404, 429; 413 and 415
//!   where a body is read.
//!
//! The route-table test (`crates/roster/tests/openapi.rs`) fails when a route is served but
//! not described, or described but not served.

use crate::cookie::SESSION_COOKIE;
use crate::routes::{Routes, get};
use axum::http::header;
use axum::response::IntoResponse;
use std::sync::LazyLock;
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, OpenApi as Document, Ref, RefOr};
use utoipa::{Modify, OpenApi, ToSchema};

pub fn routes() -> Routes {
    Routes::new().route("/openapi.json", get(openapi_json).public())
}

/// The problem+json answers every operation may give, by status.
const COMMON: [(&str, &str); 5] = [
    ("400", "Bad input: `invalid_params` names every refused field or parameter, and nothing changed."),
    ("401", "Not signed in: no session cookie or API token, or one that is not valid (any more)."),
    ("403", "Signed in, but not allowed to do this (a permission, the workspace scope, or a rule)."),
    ("404", "No such resource (or none the caller may see)."),
    ("429", "Too many requests (per API token, or sign-in attempts): try again after `Retry-After`."),
];

/// The answers of operations that read a request body.
const WITH_BODY: [(&str, &str); 2] = [
    ("413", "The request body is larger than the route accepts."),
    ("415", "The request body is not of a media type the route reads."),
];

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Roster API",
        description = "User management for bot builders: users, invitations, groups, admin roles, bots, \
                       sessions, settings, audit and API tokens. Authenticate with the session cookie of \
                       `POST /auth/login`, or with `Authorization: Bearer <API token>` (created under \
                       Security → API access, or `POST /api-tokens`).",
    ),
    servers((url = "/api/v1")),
    security(("session" = []), ("bearer" = [])),
    modifiers(&Conventions),
    paths(
        openapi_json,
        super::auth::login,
        super::auth::logout,
        super::password::forgot_password,
        super::password::reset_password,
        super::sso::get_sso,
        super::sso::put_sso,
        super::sso::patch_sso,
        super::sso::test_connection,
        super::scim_settings::get_scim,
        super::scim_settings::put_scim,
        super::me::me,
        super::users::list_users,
        super::users::get_user,
        super::users::unlock_user,
        super::users::suspend_user,
        super::users::activate_user,
        super::user_actions::delete_user,
        super::user_actions::restore_user,
        super::user_actions::reset_password,
        super::user_actions::bulk_users,
        super::user_actions::export_users,
        super::deleted_users::list_deleted,
        super::profile::patch_user,
        super::profile::make_primary,
        super::invitations::create_invitations,
        super::invitations::resend_invitation,
        super::groups::list,
        super::groups::create,
        super::groups::show,
        super::groups::rename,
        super::groups::delete_group,
        super::groups::members,
        super::groups::add_member,
        super::groups::remove_member,
        super::admin_roles::list,
        super::admin_roles::create,
        super::admin_roles::show,
        super::admin_roles::update,
        super::admin_roles::delete_role,
        super::sessions::list_user_sessions,
        super::sessions::kill_all_sessions,
        super::sessions::kill_session,
        super::sessions::list_my_sessions,
        super::sessions::end_my_other_sessions,
        super::sessions::end_my_session,
        super::sessions::report_session,
        super::sessions::switch_workspace,
        super::settings::get_security,
        super::settings::put_security,
        super::settings::patch_security,
        super::user_settings::read,
        super::user_settings::update,
        super::user_settings::patch,
        super::user_settings::preview,
        super::bots::list,
        super::bots::create,
        super::bots::candidates,
        super::bots::user_bots,
        super::bots::set_role,
        super::bots::remove_role,
        super::bots::transfer,
        super::bots::transfer_and_delete,
        super::my_profile::show,
        super::my_profile::update,
        super::my_profile::my_picture,
        super::my_profile::put_my_picture,
        super::my_profile::remove_my_picture,
        super::my_profile::change_password,
        super::my_profile::user_picture,
        super::my_profile::put_user_picture,
        super::my_profile::remove_user_picture,
        super::audit::list_events,
        super::audit::export_events,
        super::audit::people,
        super::api_tokens::list_tokens,
        super::api_tokens::create_token,
        super::api_tokens::revoke_token,
    )
)]
struct ApiDoc;

/// What every operation shares (see the module docs).
struct Conventions;

impl Modify for Conventions {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme("session", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            SESSION_COOKIE,
            "The session cookie `POST /auth/login` sets (state-changing requests from a browser also need a same-origin `Origin`).",
        ))));
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("roster_pat_…")
                    .description(Some(
                        "An API token: its rights are the intersection of its own and its creator's current ones.",
                    ))
                    .build(),
            ),
        );
        let mut problems = Vec::new();
        <crate::error::ApiError as ToSchema>::schemas(&mut problems);
        problems.push((
            <crate::error::ApiError as ToSchema>::name().into_owned(),
            <crate::error::ApiError as utoipa::PartialSchema>::schema(),
        ));
        components.schemas.extend(problems);
        for item in doc.paths.paths.values_mut() {
            for op in
                [&mut item.get, &mut item.put, &mut item.post, &mut item.patch, &mut item.delete].into_iter().flatten()
            {
                add_problems(op);
            }
        }
    }
}

fn add_problems(op: &mut Operation) {
    let reads_body = op.request_body.is_some();
    let extra = if reads_body { &WITH_BODY[..] } else { &[] };
    for (status, description) in COMMON.iter().chain(extra) {
        op.responses.responses.entry((*status).to_owned()).or_insert_with(|| problem(description));
    }
}

/// A problem+json answer described by `description`.
pub(crate) fn problem(description: &str) -> RefOr<utoipa::openapi::Response> {
    let content = Content::new(Some(Ref::from_schema_name("Problem")));
    RefOr::T(ResponseBuilder::new().description(description).content("application/problem+json", content).build())
}

/// The document (built once).
pub fn document() -> &'static Document {
    static DOC: LazyLock<Document> = LazyLock::new(ApiDoc::openapi);
    &DOC
}

/// This document, as JSON (OpenAPI 3.1).
#[utoipa::path(get, path = "/openapi.json", tag = "meta", security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document of this API.", content_type = "application/json", body = Object)))]
async fn openapi_json() -> impl IntoResponse {
    static JSON: LazyLock<String> = LazyLock::new(|| document().to_json().unwrap_or_default());
    ([(header::CONTENT_TYPE, "application/json")], JSON.as_str())
}
