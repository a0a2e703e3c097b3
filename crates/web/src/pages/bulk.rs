//! `POST /admin/users/bulk`: the users list's bulk actions (suspend, activate, unlock,
//! resend invitation, add to group, delete). Runs the same use case as `POST
//! /api/v1/users/bulk` and answers with a page listing every selected user with "done" or
//! the reason it was refused; one refusal never aborts the rest.

use crate::csrf::check_form_token;
use crate::error::ApiError;
use crate::extract::{PageUser, parse_query};
use crate::pages::{Nav, error_page, expired_form, local_path};
use crate::state::AppState;
use app::AppError;
use app::bulk::{BulkAction, BulkOptions};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/users/bulk", post(apply))
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
struct BulkForm {
    csrf: String,
    action: String,
    group_id: Option<String>,
    back: String,
    ids: Vec<String>,
}

fn read_form(body: &str) -> Option<BulkForm> {
    let mut f =
        BulkForm { csrf: String::new(), action: String::new(), group_id: None, back: String::new(), ids: Vec::new() };
    for pair in body.split('&').filter(|p| !p.is_empty()) {
        let one = parse_query::<BTreeMap<String, String>>(pair).ok()?;
        for (k, v) in one {
            match k.as_str() {
                "csrf" => f.csrf = v,
                "action" => f.action = v,
                "group_id" => f.group_id = Some(v).filter(|g| !g.is_empty()),
                "back" => f.back = v,
                "ids" if !v.is_empty() => f.ids.push(v),
                _ => {}
            }
        }
    }
    Some(f)
}

/// Where to return to: the list with the filters it was showing.
fn back_to_list(back: &str) -> String {
    let back = local_path(Some(back));
    if back == "/admin/users" || back.starts_with("/admin/users?") {
        back.to_owned()
    } else {
        "/admin/users".to_owned()
    }
}

/// The reason a user was refused, worded as the API words it.
fn reason(e: AppError) -> String {
    let problem = serde_json::to_value(ApiError::from(e)).unwrap_or_default();
    problem["detail"].as_str().filter(|d| !d.is_empty()).unwrap_or("Refused.").to_owned()
}

async fn apply(State(state): State<AppState>, PageUser(me): PageUser, body: String) -> Response {
    let nav = async || Nav::load(&state.ctx, &me, "users", "/admin/users").await;
    let Some(form) = read_form(&body) else {
        return error_page(&AppError::invalid("body", "is not a form"), Some(nav().await));
    };
    if !check_form_token(&me.csrf_token, &form.csrf) {
        return expired_form(nav().await);
    }
    let back = back_to_list(&form.back);
    if form.ids.is_empty() {
        let sep = match back.find('?') {
            None => "?",
            Some(_) if back.ends_with(['?', '&']) => "",
            Some(_) => "&",
        };
        return Redirect::to(&format!("{back}{sep}notice=none_selected")).into_response();
    }
    let Ok(action) = BulkAction::parse(&form.action) else {
        return error_page(&AppError::invalid("action", "must be chosen from the list"), Some(nav().await));
    };
    let ids = match app::bulk::parse_ids(&form.ids) {
        Ok(ids) => ids,
        Err(e) => return error_page(&e, Some(nav().await)),
    };
    // Names are read before the action runs, so deleted users still show who they were.
    let mut people = Vec::with_capacity(ids.len());
    for &id in &ids {
        let who = match app::authz::on_user::<app::authz::UsersView>(&state.ctx, &me, id).await {
            Ok(may) => app::users::get_user(&state.ctx, &may).await.ok(),
            Err(_) => None,
        };
        people.push(who.map_or_else(
            || (String::new(), String::new()),
            |d| (format!("{} {}", d.user.first_name, d.user.last_name), d.user.email),
        ));
    }
    let opts = BulkOptions { public_url: state.public_url.clone(), group_id: form.group_id };
    let results = match app::bulk::run(&state.ctx, &me, action, &ids, &opts).await {
        Ok(r) => r,
        Err(e) => return error_page(&e, Some(nav().await)),
    };
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
        nav: Some(nav().await),
        action: label(action),
        done,
        refused: outcomes.len() - done,
        outcomes,
        back,
    };
    page.into_response()
}
