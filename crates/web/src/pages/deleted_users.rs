//! `/admin/users/deleted`: the account's soft-deleted users, newest deletion first, with who
//! deleted them and until when they can be restored, and a Restore button per row. Account-
//! wide admins with `users.delete` only (the same rule as the restore itself).

use crate::csrf::check_form_token;
use crate::extract::PageUser;
use crate::pages::sessions::NoticeQuery;
use crate::pages::users::when;
use crate::pages::{Nav, error_page, expired_form};
use crate::state::AppState;
use app::AppError;
use app::authz::Principal;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::ids::UserId;
use serde::Deserialize;

const HERE: &str = "/admin/users/deleted";

pub fn router() -> Router<AppState> {
    Router::new().route(HERE, get(show)).route("/admin/users/deleted/{id}/restore", post(restore))
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
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

async fn render(state: &AppState, me: &Principal, notice: Option<&'static str>, error: Option<&AppError>) -> Response {
    let nav = Nav::load(&state.ctx, me, "users", HERE).await;
    let loaded = async {
        let may = app::authz::account_wide::<app::authz::UsersDelete>(me)?;
        app::deletion::list_deleted(&state.ctx, &may).await
    };
    let users = match loaded.await {
        Ok(u) => u,
        Err(e) => return error_page(&e, Some(nav)),
    };
    let rows = users
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
    let status = error.map_or(StatusCode::OK, crate::error::status_of);
    let page = DeletedUsersPage {
        nav: Some(nav),
        csrf: me.csrf_token.clone(),
        notice,
        error: error.map(ToString::to_string),
        rows,
        retention_days: state.ctx.auth.deletion_retention / app::clock::DAY,
    };
    (status, page).into_response()
}

async fn show(State(state): State<AppState>, PageUser(me): PageUser, RawQuery(raw): RawQuery) -> Response {
    let notice = match NoticeQuery::from_raw(raw.as_deref()).notice.as_deref() {
        Some("restored") => Some("Restored. The user can sign in again."),
        _ => None,
    };
    render(&state, &me, notice, None).await
}

/// Restores one user, then back to the list with a notice; a refusal (such as 409 once the
/// retention window has passed) shows the list with the reason and the API's status.
async fn restore(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !check_form_token(&me.csrf_token, &form.csrf) {
        return expired_form(Nav::load(&state.ctx, &me, "users", HERE).await);
    }
    let result = async {
        let user = id.parse::<UserId>().map_err(|_| AppError::NotFound)?;
        let may = app::authz::on_deleted_user(&state.ctx, &me, user).await?;
        app::deletion::restore(&state.ctx, &may).await
    };
    match result.await {
        Ok(()) => Redirect::to(&format!("{HERE}?notice=restored")).into_response(),
        Err(e @ AppError::Conflict(_)) => render(&state, &me, None, Some(&e)).await,
        Err(e) => error_page(&e, Some(Nav::load(&state.ctx, &me, "users", HERE).await)),
    }
}
