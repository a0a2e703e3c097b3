//! `POST /admin/users/bulk`: the users list's bulk actions (suspend, activate, unlock,
//! resend invitation, add to group, delete). Every one asks first (issue 13): the first POST
//! answers a confirm page naming how many users, the first few, and which of them hold an
//! admin role ([`crate::pages::confirm`]); the confirmed POST runs the same use case as
//! `POST /api/v1/users/bulk` and answers with a page listing every selected user with "done"
//! or the reason it was refused; one refusal never aborts the rest.

use crate::csrf::{CsrfForm, one_or_many};
use crate::error::{ApiError, PageError};
use crate::extract::PageUser;
use crate::pages::Nav;
use crate::pages::confirm::{Question, ask};
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
    /// "yes" once the admin confirmed ([`crate::pages::confirm`]).
    #[serde(default)]
    confirmed: String,
}

/// How many selected users the confirm step names; the rest are counted.
const NAMED: usize = 5;

/// A selected user as the confirm step and the results name them.
struct Selected {
    name: String,
    email: String,
    /// Their admin role's label ("Master Admin"), `None` for a member.
    admin_role: Option<String>,
}

/// What `action` does to the selected users, in a sentence.
fn consequence(action: BulkAction) -> &'static str {
    match action {
        BulkAction::Suspend => "They cannot sign in until activated, and every session of theirs ends at once.",
        BulkAction::Activate => {
            "They can sign in again; those without a password get a fresh invitation to choose one."
        }
        BulkAction::Unlock => "Their failed sign-ins are forgotten and they can sign in again.",
        BulkAction::ResendInvitation => "Each invited user gets a new invitation email; earlier links stop working.",
        BulkAction::AddToGroup => "They join the chosen group.",
        BulkAction::Delete => {
            "They lose access at once; they can be restored from Deleted users until they are purged."
        }
    }
}

/// The confirm step of `action` on `people` (`fields`: the form, to post again).
fn question(action: BulkAction, people: &[Selected], back: &str, fields: Vec<(String, String)>) -> Question {
    let n = people.len();
    let users = if n == 1 { "1 user".to_owned() } else { format!("{n} users") };
    let mut items: Vec<String> = people
        .iter()
        .take(NAMED)
        .map(|p| if p.email.is_empty() { "Unknown user".to_owned() } else { format!("{} ({})", p.name, p.email) })
        .collect();
    if n > NAMED {
        items.push(format!("… and {} more", n - NAMED));
    }
    let admins: Vec<String> =
        people.iter().filter_map(|p| p.admin_role.as_ref().map(|role| format!("{} ({role})", p.name))).collect();
    let warning = (!admins.is_empty()).then(|| {
        let count =
            if admins.len() == 1 { "1 of them holds".to_owned() } else { format!("{} of them hold", admins.len()) };
        format!("{count} an admin role: {}.", admins.join(", "))
    });
    Question {
        heading: format!("{} {users}?", label(action)),
        detail: consequence(action).to_owned(),
        button: label(action),
        action: "/admin/users/bulk".to_owned(),
        back: back.to_owned(),
        fields,
        items,
        warning,
    }
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
    let parsed = app::bulk::parse_ids(&ids)?;
    // Names are read before the action runs, so deleted users still show who they were.
    let mut people = Vec::with_capacity(parsed.len());
    for &id in &parsed {
        let who = match app::authz::on_user::<app::authz::UsersView>(&state.ctx, &me, id).await {
            Ok(may) => Some(app::users::get_user(&may)),
            Err(_) => None,
        };
        people.push(who.map_or_else(
            || Selected { name: String::new(), email: String::new(), admin_role: None },
            |d| Selected {
                name: format!("{} {}", d.user.first_name, d.user.last_name),
                email: d.user.email,
                admin_role: (d.role_kind != domain::role::RoleKind::Member).then_some(d.account_role),
            },
        ));
    }
    if form.confirmed != "yes" {
        let mut fields = vec![("action".to_owned(), form.action.clone()), ("back".to_owned(), back.clone())];
        fields.extend(form.group_id.iter().map(|g| ("group_id".to_owned(), g.clone())));
        fields.extend(ids.iter().map(|id| ("ids".to_owned(), id.clone())));
        let q = question(action, &people, &back, fields);
        return Ok(ask(Nav::load(&me, "/admin/users"), q));
    }
    let ids = parsed;
    let opts = BulkOptions { public_url: state.public_url.clone(), group_id: form.group_id.filter(|g| !g.is_empty()) };
    let results = app::bulk::run(&state.ctx, &me, action, &ids, &opts).await?;
    let outcomes: Vec<Outcome> = results
        .into_iter()
        .zip(people)
        .map(|((id, outcome), Selected { name, email, .. })| {
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
