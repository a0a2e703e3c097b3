//! `/admin/users/deleted`: the account's soft-deleted users, newest deletion first, with who
//! deleted them and until when they can be restored, and a Restore button per row. Account-
//! wide admins with `users.delete` only (the same rule as the restore itself).

use crate::csrf::CsrfForm;
use crate::error::{PageError, status_of};
use crate::extract::{AppPath, Page};
use crate::pages::Nav;
use crate::pages::format::when;
use crate::pages::notice::{Notice, back_with_notice};
use crate::routes::{Routes, get, post};
use app::AppError;
use app::authz::{AccountWide, UsersDelete};
use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::ids::UserId;

const HERE: &str = "/admin/users/deleted";

pub fn routes() -> Routes {
    Routes::new().route(HERE, get(show)).route("/admin/users/deleted/{id}/restore", post(restore))
}

/// One deleted user, ready for a table row.
struct DeletedView {
    id: String,
    name: String,
    email: String,
    deleted_at: String,
    deleted_by: String,
    restorable_until: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "deleted_users.html")]
struct DeletedUsersPage {
    nav: Option<Nav>,
    csrf: String,
    notice: Option<&'static str>,
    error: Option<String>,
    rows: Vec<DeletedView>,
    retention_days: i64,
}

/// A request of the deleted users page: the viewer may delete (and so restore) users
/// account-wide.
type On = Page<AccountWide<UsersDelete>>;

async fn render(page: &On, notice: Option<&'static str>, error: Option<&AppError>) -> Result<Response, PageError> {
    let Page { state, me, may } = page;
    let rows = app::deletion::list_deleted(&state.ctx, may)
        .await?
        .into_iter()
        .map(|u| DeletedView {
            id: u.id.to_string(),
            name: format!("{} {}", u.first_name, u.last_name),
            email: u.email,
            deleted_at: when(u.deleted_at),
            deleted_by: u.deleted_by_email.unwrap_or_else(|| "a removed admin".to_owned()),
            restorable_until: when(u.restorable_until),
        })
        .collect();
    let page = DeletedUsersPage {
        nav: Some(Nav::load(me, HERE)),
        csrf: me.csrf_token.clone(),
        notice,
        error: error.map(ToString::to_string),
        rows,
        retention_days: state.ctx.auth.deletion_retention / app::clock::DAY,
    };
    Ok((error.map_or(StatusCode::OK, status_of), page).into_response())
}

async fn show(page: On, notice: Notice) -> Result<Response, PageError> {
    render(&page, notice.pick(&[("restored", "Restored. The user can sign in again.")]), None).await
}

/// Restores one user, then back to the list with a notice; a refusal (such as 409 once the
/// retention window has passed) shows the list with the reason and the API's status.
async fn restore(page: On, AppPath(user): AppPath<UserId>, _: CsrfForm) -> Result<Response, PageError> {
    let may = app::authz::on_deleted_user(&page.state.ctx, &page.me, user).await?;
    let result = match app::deletion::restore(&page.state.ctx, &may).await {
        Err(e @ AppError::Conflict(_)) => Err(e),
        other => Ok(other?),
    };
    back_with_notice(HERE, "restored", result, async |e| render(&page, None, Some(&e)).await).await
}
