//! `POST /admin/users/bulk`: the users list's bulk actions (suspend, activate, unlock,
//! resend invitation, add to group, delete). Runs the same use case as `POST
//! /api/v1/users/bulk` and answers with a page listing every selected user with "done" or
//! the reason it was refused; one refusal never aborts the rest.

use crate::csrf::{CsrfForm, one_or_many};
use crate::error::{ApiError, PageError};
use crate::extract::PageUser;
use crate::pages::Nav;
use crate::redirect::same_origin_path_or_home;
use crate::routes::{Routes, post};
use crate::state::AppState;
use app::AppError;
use app::bulk::{BulkAction, BulkOptions};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use domain::closed::ClosedSet;
use serde::Deserialize;

pub fn routes() -> Routes {
    Routes::new().route("/admin/users/bulk", post(apply))
}

/// One selected user and what happened to them.
struct Outcome {
    id: String,
    name: String,
    email: String,
    done: bool,
    reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "bulk_result.html")]
struct BulkResultPage {
    nav: Option<Nav>,
    action: &'static str,
    done: usize,
    refused: usize,
    outcomes: Vec<Outcome>,
    back: String,
}

fn label(action: BulkAction) -> &'static str {
    match action {
        BulkAction::Suspend => "Suspend",
        BulkAction::Activate => "Activate",
        BulkAction::Unlock => "Unlock",
        BulkAction::ResendInvitation => "Resend invitation",
        BulkAction::AddToGroup => "Add to group",
        BulkAction::Delete => "Delete",
    }
}

/// The fields of the form: `ids` repeats, the rest are single.
#[derive(Deserialize)]
struct BulkForm {
    #[serde(default)]
    action: String,
    group_id: Option<String>,
    #[serde(default)]
    back: String,
    #[serde(default, deserialize_with = "one_or_many")]
    ids: Vec<String>,
}

/// Where to return to: the list with the filters it was showing.
fn back_to_list(back: &str) -> String {
    let back = same_origin_path_or_home(Some(back));
    if back == "/admin/users" || back.starts_with("/admin/users?") { back } else { "/admin/users".to_owned() }
}

/// The reason a user was refused, worded as the API words it.
fn reason(e: AppError) -> String {
    let problem = serde_json::to_value(ApiError::from(e)).unwrap_or_default();
    problem["detail"].as_str().filter(|d| !d.is_empty()).unwrap_or("Refused.").to_owned()
}

async fn apply(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    CsrfForm(form): CsrfForm<BulkForm>,
) -> Result<Response, PageError> {
    if !app::authz::user_tabs(&me).bulk {
        return Err(
            AppError::Forbidden("the users list's bulk actions need an admin permission on users".into()).into()
        );
    }
    let back = back_to_list(&form.back);
    let ids: Vec<String> = form.ids.into_iter().filter(|id| !id.is_empty()).collect();
    if ids.is_empty() {
        let sep = match back.find('?') {
            None => "?",
            Some(_) if back.ends_with(['?', '&']) => "",
            Some(_) => "&",
        };
        return Ok(Redirect::to(&format!("{back}{sep}notice=none_selected")).into_response());
    }
    let action =
        BulkAction::parse(&form.action).map_err(|_| AppError::invalid("action", "must be chosen from the list"))?;
    let ids = app::bulk::parse_ids(&ids)?;
    // Names are read before the action runs, so deleted users still show who they were.
    let mut people = Vec::with_capacity(ids.len());
    for &id in &ids {
        let who = match app::authz::on_user::<app::authz::UsersView>(&state.ctx, &me, id).await {
            Ok(may) => Some(app::users::get_user(&may)),
            Err(_) => None,
        };
        people.push(who.map_or_else(
            || (String::new(), String::new()),
            |d| (format!("{} {}", d.user.first_name, d.user.last_name), d.user.email),
        ));
    }
    let opts = BulkOptions { public_url: state.public_url.clone(), group_id: form.group_id.filter(|g| !g.is_empty()) };
    let results = app::bulk::run(&state.ctx, &me, action, &ids, &opts).await?;
    let outcomes: Vec<Outcome> = results
        .into_iter()
        .zip(people)
        .map(|((id, outcome), (name, email))| {
            let (done, reason) = match outcome {
                Ok(()) => (true, String::new()),
                Err(e) => (false, reason(e)),
            };
            let name = if name.is_empty() { "Unknown user".to_owned() } else { name };
            Outcome { id: id.to_string(), name, email, done, reason }
        })
        .collect();
    let done = outcomes.iter().filter(|o| o.done).count();
    let page = BulkResultPage {
        nav: Some(Nav::load(&me, "/admin/users")),
        action: label(action),
        done,
        refused: outcomes.len() - done,
        outcomes,
        back,
    };
    Ok(page.into_response())
}
