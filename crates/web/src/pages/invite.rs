//! `/admin/users/invite`: invite people by email (one per line or comma separated) or by
//! pasted CSV (`email,first_name,last_name,workspace,groups`, groups `;`-separated); the
//! answer is a table with one result per row.

use crate::csrf::check_form_token;
use crate::extract::PageUser;
use crate::pages::{Nav, error_page, expired_form};
use crate::state::AppState;
use app::authz::Principal;
use app::invitations::{InviteOptions, InviteRow, Outcome};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/users/invite", get(show).post(submit))
}

/// One line of the result table.
struct ResultView {
    row: usize,
    email: String,
    status: &'static str,
    detail: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "invite.html")]
struct InvitePage {
    nav: Option<Nav>,
    csrf: String,
    emails: String,
    csv: String,
    error: Option<String>,
    results: Vec<ResultView>,
}

async fn page(state: &AppState, me: &Principal, status: StatusCode, page: InvitePage) -> Response {
    let nav = Nav::load(&state.ctx, me, "users", "/admin/users/invite").await;
    (status, InvitePage { nav: Some(nav), ..page }).into_response()
}

fn empty(me: &Principal) -> InvitePage {
    InvitePage {
        nav: None,
        csrf: me.csrf_token.clone(),
        emails: String::new(),
        csv: String::new(),
        error: None,
        results: Vec::new(),
    }
}

async fn show(State(state): State<AppState>, PageUser(me): PageUser) -> Response {
    if let Err(e) = app::authz::invite_users(&me) {
        return error_page(&e, Some(Nav::load(&state.ctx, &me, "users", "/admin/users").await));
    }
    page(&state, &me, StatusCode::OK, empty(&me)).await
}

#[derive(Deserialize)]
struct InviteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    emails: String,
    #[serde(default)]
    csv: String,
}

async fn submit(State(state): State<AppState>, PageUser(me): PageUser, Form(f): Form<InviteForm>) -> Response {
    let nav = async || Nav::load(&state.ctx, &me, "users", "/admin/users/invite").await;
    if !check_form_token(&me.csrf_token, &f.csrf) {
        return expired_form(nav().await);
    }
    let may = match app::authz::invite_users(&me) {
        Ok(may) => may,
        Err(e) => return error_page(&e, Some(nav().await)),
    };
    let mut refused: Vec<ResultView> = Vec::new();
    let mut rows: Vec<(usize, InviteRow)> = f
        .emails
        .split(['\n', ',', ';'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .enumerate()
        .map(|(i, e)| (i + 1, InviteRow { email: e.to_owned(), ..InviteRow::default() }))
        .collect();
    if !f.csv.trim().is_empty() {
        match app::invitations::csv::read(f.csv.as_bytes()) {
            Ok(csv_rows) => {
                for (line, row) in csv_rows {
                    let line = usize::try_from(line).unwrap_or(0);
                    match row {
                        Ok(row) => rows.push((line, row)),
                        Err(reason) => {
                            refused.push(ResultView {
                                row: line,
                                email: String::new(),
                                status: "invalid",
                                detail: reason,
                            });
                        }
                    }
                }
            }
            Err(e) => {
                let p = InvitePage { error: Some(e.to_string()), emails: f.emails, csv: f.csv, ..empty(&me) };
                return page(&state, &me, StatusCode::BAD_REQUEST, p).await;
            }
        }
    }
    if rows.is_empty() && refused.is_empty() {
        let p = InvitePage { error: Some("Enter at least one email address.".into()), ..empty(&me) };
        return page(&state, &me, StatusCode::BAD_REQUEST, p).await;
    }
    let (numbers, rows): (Vec<usize>, Vec<InviteRow>) = rows.into_iter().unzip();
    let results = match app::invitations::invite(&state.ctx, &may, rows, &InviteOptions::new(&state.public_url)).await {
        Ok(r) => r,
        Err(e) => return error_page(&e, Some(nav().await)),
    };
    let mut views: Vec<ResultView> = numbers
        .into_iter()
        .zip(results)
        .map(|(row, r)| {
            let (status, detail) = match r.outcome {
                Outcome::Invited(_) => ("invited", "Invitation sent".to_owned()),
                Outcome::Exists => ("exists", "Already a user; not invited again".to_owned()),
                Outcome::Invalid(reason) => ("invalid", reason),
            };
            ResultView { row, email: r.email, status, detail }
        })
        .collect();
    views.extend(refused);
    page(&state, &me, StatusCode::OK, InvitePage { results: views, ..empty(&me) }).await
}
