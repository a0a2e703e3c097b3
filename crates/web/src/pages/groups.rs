//! `/admin/groups`: list, create, rename and delete groups (deletion only when empty, with
//! the refusal shown), and add or remove members by email. Members themselves are listed by
//! the users list filtered on the group (keyset-paged), never inline: a group may have
//! tens of thousands.

use crate::csrf::CsrfForm;
use crate::error::{PageError, status_of};
use crate::extract::{AppPath, Page};
use crate::pages::Nav;
use crate::pages::notice::{Notice, back_with_notice};
use crate::routes::{Routes, get, post};
use app::AppError;
use app::authz::{GroupsManage, InScope};
use app::groups::{NewGroup, Who};
use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::ids::{GroupId, UserId};
use serde::Deserialize;

pub fn routes() -> Routes {
    Routes::new()
        .route("/admin/groups", get(show).post(create))
        .route("/admin/groups/{id}/rename", post(rename))
        .route("/admin/groups/{id}/delete", post(delete))
        .route("/admin/groups/{id}/members", post(add_member))
        .route("/admin/groups/{id}/members/remove", post(remove_member_by_email))
        .route("/admin/groups/{id}/members/{user}/remove", post(remove_member))
}

struct GroupView {
    id: String,
    name: String,
    workspace: String,
    member_count: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "groups.html")]
struct GroupsPage {
    nav: Option<Nav>,
    csrf: String,
    notice: Option<&'static str>,
    error: Option<String>,
    groups: Vec<GroupView>,
    workspaces: Vec<(String, String)>,
}

/// A request of the groups page: the viewer may manage the groups of their workspaces.
type On = Page<InScope<GroupsManage>>;

const HERE: &str = "/admin/groups";

async fn render(page: &On, notice: Option<&'static str>, error: Option<&AppError>) -> Result<Response, PageError> {
    let Page { state, me, may } = page;
    let groups = app::groups::list(&state.ctx, may)
        .await?
        .into_iter()
        .map(|g| GroupView {
            id: g.id.to_string(),
            name: g.name,
            workspace: g.workspace_name,
            member_count: g.member_count,
        })
        .collect();
    let workspaces =
        app::groups::workspaces(&state.ctx, may).await?.into_iter().map(|w| (w.id.to_string(), w.name)).collect();
    let page = GroupsPage {
        nav: Some(Nav::load(me, HERE)),
        csrf: me.csrf_token.clone(),
        notice,
        error: error.map(ToString::to_string),
        groups,
        workspaces,
    };
    Ok((error.map_or(StatusCode::OK, status_of), page).into_response())
}

async fn show(page: On, notice: Notice) -> Result<Response, PageError> {
    let notice = notice.pick(&[
        ("created", "Group created."),
        ("renamed", "Group renamed."),
        ("deleted", "Group deleted."),
        ("added", "Member added."),
        ("removed", "Member removed."),
    ]);
    render(&page, notice, None).await
}

/// Back to the list with `notice`, or the list again with the reason it was refused.
async fn answer(page: &On, notice: &str, result: Result<(), AppError>) -> Result<Response, PageError> {
    back_with_notice(HERE, notice, result, async |e| render(page, None, Some(&e)).await).await
}

#[derive(Deserialize)]
struct GroupForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    workspace_id: String,
    #[serde(default)]
    email: String,
}

async fn create(page: On, CsrfForm(f): CsrfForm<GroupForm>) -> Result<Response, PageError> {
    let result = app::groups::create(
        &page.state.ctx,
        &page.may,
        app::Input::whole(NewGroup { workspace_id: f.workspace_id, name: f.name }),
    )
    .await
    .map(|_| ());
    answer(&page, "created", result).await
}

async fn rename(
    page: On,
    AppPath(group): AppPath<GroupId>,
    CsrfForm(f): CsrfForm<GroupForm>,
) -> Result<Response, PageError> {
    let result = app::groups::rename(&page.state.ctx, &page.may, group, app::Input::whole(f.name)).await.map(|_| ());
    answer(&page, "renamed", result).await
}

async fn delete(page: On, AppPath(group): AppPath<GroupId>, _: CsrfForm) -> Result<Response, PageError> {
    let result = app::groups::delete(&page.state.ctx, &page.may, group).await;
    answer(&page, "deleted", result).await
}

async fn add_member(
    page: On,
    AppPath(group): AppPath<GroupId>,
    CsrfForm(f): CsrfForm<GroupForm>,
) -> Result<Response, PageError> {
    let result = app::groups::add_member(&page.state.ctx, &page.may, group, &Who::Email(&f.email)).await.map(|_| ());
    answer(&page, "added", result).await
}

async fn remove_member(
    page: On,
    AppPath((group, user)): AppPath<(GroupId, UserId)>,
    _: CsrfForm,
) -> Result<Response, PageError> {
    let result = app::groups::remove_member(&page.state.ctx, &page.may, group, &Who::Id(user)).await;
    answer(&page, "removed", result).await
}

async fn remove_member_by_email(
    page: On,
    AppPath(group): AppPath<GroupId>,
    CsrfForm(f): CsrfForm<GroupForm>,
) -> Result<Response, PageError> {
    let result = app::groups::remove_member(&page.state.ctx, &page.may, group, &Who::Email(&f.email)).await;
    answer(&page, "removed", result).await
}
