//! `/admin/roles`: list the admin roles, create a custom one (permissions and scope),
//! rename or delete it (deletion only while nobody holds it, with the refusal shown).

use crate::csrf::CsrfForm;
use crate::error::{PageError, status_of};
use crate::extract::{AppPath, Page};
use crate::pages::Nav;
use crate::pages::notice::{Notice, back_with_notice};
use crate::routes::{Routes, get, post};
use app::AppError;
use app::authz::{InAccount, RolesManage};
use app::roles::RoleInput;
use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::ids::AdminRoleId;
use domain::permission::Permission;
use std::collections::BTreeMap;

pub fn routes() -> Routes {
    Routes::new()
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

/// A request of the admin roles page: the viewer may manage the account's admin roles.
type On = Page<InAccount<RolesManage>>;

const HERE: &str = "/admin/roles";

async fn render(page: &On, notice: Option<&'static str>, error: Option<&AppError>) -> Result<Response, PageError> {
    let Page { state, me, may } = page;
    let roles = app::roles::list(&state.ctx, may).await?;
    let granter = app::authz::granter(&state.ctx, me).await?;
    let workspaces = app::roles::workspaces(&state.ctx, may).await?;
    let ws_name =
        |id: &uuid::Uuid| workspaces.iter().find(|w| w.id == *id).map_or_else(|| id.to_string(), |w| w.name.clone());
    let roles = roles
        .iter()
        .map(|r| {
            let rec = &r.record;
            let master = rec.kind == domain::role::DefinedRole::Master;
            RoleRow {
                id: rec.id.to_string(),
                name: rec.name.clone(),
                editable: app::roles::may_manage(&granter, rec),
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
    let page = RolesPage {
        nav: Some(Nav::load(me, HERE)),
        csrf: me.csrf_token.clone(),
        notice,
        error: error.map(ToString::to_string),
        roles,
        permissions: Permission::ALL.iter().map(|p| p.as_str()).collect(),
        workspaces: workspaces.into_iter().map(|w| (w.id.to_string(), w.name)).collect(),
    };
    Ok((error.map_or(StatusCode::OK, status_of), page).into_response())
}

async fn show(page: On, notice: Notice) -> Result<Response, PageError> {
    let notice = notice.pick(&[
        ("created", "Admin role created."),
        ("renamed", "Admin role renamed."),
        ("deleted", "Admin role deleted."),
    ]);
    render(&page, notice, None).await
}

/// Back to the list with `notice`, or the list again with the reason it was refused.
async fn answer(page: &On, notice: &str, result: Result<(), AppError>) -> Result<Response, PageError> {
    back_with_notice(HERE, notice, result, async |e| render(page, None, Some(&e)).await).await
}

/// The create form: `name`, `perm_<permission>` and `ws_<id>` checkboxes, and `scope`
/// (`listed` limits the role to the ticked workspaces).
async fn create(page: On, CsrfForm(fields): CsrfForm<BTreeMap<String, String>>) -> Result<Response, PageError> {
    let pick =
        |prefix: &str| fields.keys().filter_map(|k| k.strip_prefix(prefix)).map(str::to_owned).collect::<Vec<_>>();
    let scope = if fields.get("scope").map(String::as_str) == Some("listed") { Some(pick("ws_")) } else { None };
    let input = RoleInput { name: fields.get("name").cloned(), permissions: Some(pick("perm_")), scope: Some(scope) };
    let granter = app::authz::granter(&page.state.ctx, &page.me).await?;
    let result = app::roles::create(&page.state.ctx, &page.may, &granter, app::Input::whole(input)).await.map(|_| ());
    answer(&page, "created", result).await
}

async fn rename(
    page: On,
    AppPath(role): AppPath<AdminRoleId>,
    CsrfForm(fields): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let input = RoleInput { name: fields.get("name").cloned(), ..RoleInput::default() };
    let granter = app::authz::granter(&page.state.ctx, &page.me).await?;
    let result =
        app::roles::update(&page.state.ctx, &page.may, &granter, role, app::Input::whole(input)).await.map(|_| ());
    answer(&page, "renamed", result).await
}

async fn delete(page: On, AppPath(role): AppPath<AdminRoleId>, _: CsrfForm) -> Result<Response, PageError> {
    let granter = app::authz::granter(&page.state.ctx, &page.me).await?;
    let result = app::roles::delete(&page.state.ctx, &page.may, &granter, role).await;
    answer(&page, "deleted", result).await
}
