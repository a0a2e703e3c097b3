//! `/admin/users/invite`: invite people by email (one per line or comma separated) or by
//! pasted CSV (`email,first_name,last_name,workspace,groups`, groups `;`-separated); the
//! answer is a table with one result per row. The CSV may also come as an uploaded file
//! (`multipart/form-data`, at most 5 MB of UTF-8).

use crate::csrf::check_form_token;
use crate::extract::PageUser;
use crate::pages::{Nav, error_page, expired_form};
use crate::state::AppState;
use app::authz::Principal;
use app::invitations::{InviteOptions, InviteRow, Outcome};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

use crate::body_limit::CSV_FILE as MAX_CSV_FILE;

pub fn router() -> Router<AppState> {
    // The body may hold the file plus the other fields; a bigger body is cut off and
    // refused beside the file field.
    Router::new().route(
        "/admin/users/invite",
        get(show).post(submit).layer(DefaultBodyLimit::max(crate::body_limit::CSV_UPLOAD)),
    )
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
    /// Why the uploaded file was refused (shown beside the file field).
    file_error: Option<String>,
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
        file_error: None,
        results: Vec::new(),
    }
}

async fn show(State(state): State<AppState>, PageUser(me): PageUser) -> Response {
    if let Err(e) = app::authz::invite_users(&me) {
        return error_page(&e, Some(Nav::load(&state.ctx, &me, "users", "/admin/users").await));
    }
    page(&state, &me, StatusCode::OK, empty(&me)).await
}

#[derive(Deserialize, Default)]
struct InviteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    emails: String,
    #[serde(default)]
    csv: String,
    /// The uploaded CSV file's text (multipart only).
    #[serde(skip)]
    file: Option<String>,
}

/// Reads a `multipart/form-data` invite form. A file that is too big, unreadable or not
/// UTF-8 gives the reason (the fields read so far are kept).
async fn read_multipart(mut m: Multipart) -> (InviteForm, Option<String>) {
    let too_big = || "The file is larger than 5 MB.".to_owned();
    let mut f = InviteForm::default();
    loop {
        let mut field = match m.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return (f, None),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return (f, Some(too_big())),
            Err(_) => return (f, Some("The upload could not be read; try again.".to_owned())),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "csv_file" {
            let mut bytes = Vec::new();
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => {
                        if bytes.len() + chunk.len() > MAX_CSV_FILE {
                            return (f, Some(too_big()));
                        }
                        bytes.extend_from_slice(&chunk);
                    }
                    Ok(None) => break,
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return (f, Some(too_big())),
                    Err(_) => return (f, Some("The upload could not be read; try again.".to_owned())),
                }
            }
            if bytes.is_empty() {
                continue;
            }
            match String::from_utf8(bytes) {
                Ok(text) if text.starts_with('\u{feff}') => f.file = Some(text['\u{feff}'.len_utf8()..].to_owned()),
                Ok(text) => f.file = Some(text),
                Err(_) => return (f, Some("The file is not a UTF-8 CSV file.".to_owned())),
            }
            continue;
        }
        let Ok(value) = field.text().await else {
            return (f, Some("The upload could not be read; try again.".to_owned()));
        };
        match name.as_str() {
            "csrf" => f.csrf = value,
            "emails" => f.emails = value,
            "csv" => f.csv = value,
            _ => {}
        }
    }
}

/// Adds the rows of one CSV text; refused lines go to `refused`.
fn read_csv(
    text: &str,
    rows: &mut Vec<(usize, InviteRow)>,
    refused: &mut Vec<ResultView>,
) -> Result<(), app::AppError> {
    for (line, row) in app::invitations::csv::read(text.as_bytes())? {
        let line = usize::try_from(line).unwrap_or(0);
        match row {
            Ok(row) => rows.push((line, row)),
            Err(reason) => {
                refused.push(ResultView { row: line, email: String::new(), status: "invalid", detail: reason });
            }
        }
    }
    Ok(())
}

async fn submit(State(state): State<AppState>, PageUser(me): PageUser, req: Request) -> Response {
    let nav = async || Nav::load(&state.ctx, &me, "users", "/admin/users/invite").await;
    let multipart = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    let (f, file_error) = if multipart {
        match Multipart::from_request(req, &state).await {
            Ok(m) => read_multipart(m).await,
            Err(e) => return e.into_response(),
        }
    } else {
        match Form::<InviteForm>::from_request(req, &state).await {
            Ok(Form(f)) => (f, None),
            Err(e) => return e.into_response(),
        }
    };
    if !check_form_token(&me.csrf_token, &f.csrf) {
        return expired_form(nav().await);
    }
    if let Some(e) = file_error {
        let p = InvitePage { file_error: Some(e), emails: f.emails, csv: f.csv, ..empty(&me) };
        return page(&state, &me, StatusCode::BAD_REQUEST, p).await;
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
    if !f.csv.trim().is_empty()
        && let Err(e) = read_csv(&f.csv, &mut rows, &mut refused)
    {
        let p = InvitePage { error: Some(e.to_string()), emails: f.emails, csv: f.csv, ..empty(&me) };
        return page(&state, &me, StatusCode::BAD_REQUEST, p).await;
    }
    if let Some(text) = f.file.as_deref().filter(|t| !t.trim().is_empty())
        && let Err(e) = read_csv(text, &mut rows, &mut refused)
    {
        let p = InvitePage { file_error: Some(e.to_string()), emails: f.emails, csv: f.csv, ..empty(&me) };
        return page(&state, &me, StatusCode::BAD_REQUEST, p).await;
    }
    if rows.is_empty() && refused.is_empty() {
        let p = InvitePage { error: Some("Enter at least one email address.".into()), ..empty(&me) };
        return page(&state, &me, StatusCode::BAD_REQUEST, p).await;
    }
    let (numbers, rows): (Vec<usize>, Vec<InviteRow>) = rows.into_iter().unzip();
    let results = match app::invitations::invite(
        &state.ctx,
        &may,
        rows,
        &InviteOptions::new(&state.public_url, state.ctx.auth.invitation_lifetime),
    )
    .await
    {
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
