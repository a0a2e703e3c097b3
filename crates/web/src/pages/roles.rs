//! `/admin/roles`: list the admin roles, create a custom one (permissions and scope),
//! rename or delete it (deletion only while nobody holds it, with the refusal shown).

use crate::csrf::check_form_token;
use crate::extract::{PageUser, parse_query};
use crate::pages::sessions::NoticeQuery;
use crate::pages::{Nav, error_page, expired_form};
use crate::state::AppState;
use app::AppError;
use app::authz::{Principal, RolesManage};
use app::roles::{RoleInput, role_id};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::permission::Permission;
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/roles", get(show).post(create))
        .route("/admin/roles/{id}/rename", post(rename))
        .route("/admin/roles/{id}/delete", post(delete))
}

struct RoleRow {
    id: String,
    name: String,
    editable: bool,
    permissions: String,
    scope: String,
    holders: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "roles.html")]
struct RolesPage {
    nav: Option<Nav>,
    csrf: String,
    notice: Option<&'static str>,
    error: Option<String>,
    roles: Vec<RoleRow>,
    permissions: Vec<&'static str>,
    workspaces: Vec<(String, String)>,
}

async fn render(state: &AppState, me: &Principal, notice: Option<&'static str>, error: Option<&AppError>) -> Response {
    let nav = Nav::load(&state.ctx, me, "roles", "/admin/roles").await;
    let loaded = async {
        let may = app::authz::in_account::<RolesManage>(me)?;
        let roles = app::roles::list(&state.ctx, &may).await?;
        let workspaces = app::roles::workspaces(&state.ctx, &may).await?;
        Ok::<_, AppError>((roles, workspaces))
    };
    let (roles, workspaces) = match loaded.await {
        Ok(v) => v,
        Err(e) => return error_page(&e, Some(nav)),
    };
    let ws_name =
        |id: &uuid::Uuid| workspaces.iter().find(|w| w.id == *id).map_or_else(|| id.to_string(), |w| w.name.clone());
    let roles = roles
        .iter()
        .map(|r| {
            let rec = &r.record;
            let master = rec.kind == "master";
            RoleRow {
                id: rec.id.to_string(),
                name: rec.name.clone(),
                editable: !master,
                permissions: if master { "all permissions".into() } else { rec.permissions.join(", ") },
                scope: if rec.all_workspaces {
                    "all workspaces".into()
                } else {
                    rec.workspaces.iter().map(ws_name).collect::<Vec<_>>().join(", ")
                },
                holders: r.holders,
            }
        })
        .collect();
    let status = error.map_or(StatusCode::OK, crate::error::status_of);
    let page = RolesPage {
        nav: Some(nav),
        csrf: me.csrf_token.clone(),
        notice,
        error: error.map(ToString::to_string),
        roles,
        permissions: Permission::ALL.iter().map(|p| p.as_str()).collect(),
        workspaces: workspaces.into_iter().map(|w| (w.id.to_string(), w.name)).collect(),
    };
    (status, page).into_response()
}

async fn show(State(state): State<AppState>, PageUser(me): PageUser, RawQuery(raw): RawQuery) -> Response {
    let notice = match NoticeQuery::from_raw(raw.as_deref()).notice.as_deref() {
        Some("created") => Some("Admin role created."),
        Some("renamed") => Some("Admin role renamed."),
        Some("deleted") => Some("Admin role deleted."),
        _ => None,
    };
    render(&state, &me, notice, None).await
}

/// Parses the form, checks its CSRF token; `Err` is the response to send.
async fn form(state: &AppState, me: &Principal, body: &str) -> Result<BTreeMap<String, String>, Response> {
    let fields: BTreeMap<String, String> = parse_query(body).unwrap_or_default();
    if check_form_token(&me.csrf_token, fields.get("csrf").map_or("", String::as_str)) {
        Ok(fields)
    } else {
        Err(expired_form(Nav::load(&state.ctx, me, "roles", "/admin/roles").await))
    }
}

async fn done(state: &AppState, me: &Principal, result: Result<(), AppError>, notice: &str) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!("/admin/roles?notice={notice}")).into_response(),
        Err(e) => render(state, me, None, Some(&e)).await,
    }
}

async fn create(State(state): State<AppState>, PageUser(me): PageUser, body: String) -> Response {
    let fields = match form(&state, &me, &body).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let pick =
        |prefix: &str| fields.keys().filter_map(|k| k.strip_prefix(prefix)).map(str::to_owned).collect::<Vec<_>>();
    let scope = if fields.get("scope").map(String::as_str) == Some("listed") { Some(pick("ws_")) } else { None };
    let input = RoleInput { name: fields.get("name").cloned(), permissions: Some(pick("perm_")), scope: Some(scope) };
    let result = async {
        let may = app::authz::in_account::<RolesManage>(&me)?;
        app::roles::create(&state.ctx, &may, &app::authz::granter(&me), &input).await.map(|_| ())
    }
    .await;
    done(&state, &me, result, "created").await
}

async fn rename(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    body: String,
) -> Response {
    let fields = match form(&state, &me, &body).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let input = RoleInput { name: fields.get("name").cloned(), ..RoleInput::default() };
    let result = async {
        let may = app::authz::in_account::<RolesManage>(&me)?;
        app::roles::update(&state.ctx, &may, &app::authz::granter(&me), role_id(&id)?, &input).await.map(|_| ())
    }
    .await;
    done(&state, &me, result, "renamed").await
}

async fn delete(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    body: String,
) -> Response {
    if let Err(r) = form(&state, &me, &body).await {
        return r;
    }
    let result = async {
        let may = app::authz::in_account::<RolesManage>(&me)?;
        app::roles::delete(&state.ctx, &may, role_id(&id)?).await
    }
    .await;
    done(&state, &me, result, "deleted").await
}
