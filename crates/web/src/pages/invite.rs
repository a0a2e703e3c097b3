//! `/admin/users/invite`: invite people by email (one per line or comma separated) or by
//! pasted CSV (`email,first_name,last_name,workspace,groups`, groups `;`-separated); the
//! answer is a table with one result per row. The CSV may also come as an uploaded file
//! (`multipart/form-data`, at most 5 MB of UTF-8).

use crate::csrf::{CsrfUpload, Upload};
use crate::error::PageError;
use crate::extract::PageUser;
use crate::pages::Nav;
use crate::routes::{Routes, get};
use crate::state::AppState;
use app::authz::Principal;
use app::invitations::{InviteOptions, InviteRow, Outcome};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::body_limit::CSV_FILE as MAX_CSV_FILE;

pub fn routes() -> Routes {
    // The body may hold the file plus the other fields; a bigger body is cut off and
    // refused beside the file field.
    Routes::new().route(
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
    /// A deleted user the viewer may restore (shown with a Restore button).
    restore: Option<String>,
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

fn page(me: &Principal, status: StatusCode, page: InvitePage) -> Response {
    let nav = Nav::load(me, "/admin/users/invite");
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

async fn show(PageUser(me): PageUser) -> Result<Response, PageError> {
    app::authz::invite_users(&me)?;
    Ok(page(&me, StatusCode::OK, empty(&me)))
}

#[derive(Deserialize, Default)]
struct InviteForm {
    #[serde(default)]
    emails: String,
    #[serde(default)]
    csv: String,
}

/// The text of the uploaded CSV file (`csv_file`), if one was chosen; the reason when it is
/// too big, unreadable or not UTF-8. A leading byte-order mark is dropped.
fn csv_file(up: &Upload) -> Result<Option<String>, String> {
    let too_big = || "The file is larger than 5 MB.".to_owned();
    if let Some(unread) = &up.unread {
        return Err(if unread.too_large { too_big() } else { "The upload could not be read; try again.".to_owned() });
    }
    let Some(file) = up.file("csv_file").filter(|f| !f.bytes.is_empty()) else { return Ok(None) };
    if file.bytes.len() > MAX_CSV_FILE {
        return Err(too_big());
    }
    let text = std::str::from_utf8(&file.bytes).map_err(|_| "The file is not a UTF-8 CSV file.".to_owned())?;
    Ok(Some(text.strip_prefix('\u{feff}').unwrap_or(text).to_owned()))
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
                refused.push(ResultView {
                    row: line,
                    email: String::new(),
                    status: "invalid",
                    detail: reason,
                    restore: None,
                });
            }
        }
    }
    Ok(())
}

/// Invites the typed emails, the pasted CSV and the uploaded file's rows (either form
/// encoding: the file needs multipart).
async fn submit(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    CsrfUpload(up): CsrfUpload,
) -> Result<Response, PageError> {
    let may = app::authz::invite_users(&me)?;
    let f: InviteForm = up.parse()?;
    let file = match csv_file(&up) {
        Ok(file) => file,
        Err(e) => {
            let p = InvitePage { file_error: Some(e), emails: f.emails, csv: f.csv, ..empty(&me) };
            return Ok(page(&me, StatusCode::BAD_REQUEST, p));
        }
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
        return Ok(page(&me, StatusCode::BAD_REQUEST, p));
    }
    if let Some(text) = file.as_deref().filter(|t| !t.trim().is_empty())
        && let Err(e) = read_csv(text, &mut rows, &mut refused)
    {
        let p = InvitePage { file_error: Some(e.to_string()), emails: f.emails, csv: f.csv, ..empty(&me) };
        return Ok(page(&me, StatusCode::BAD_REQUEST, p));
    }
    if rows.is_empty() && refused.is_empty() {
        let p = InvitePage { error: Some("Enter at least one email address.".into()), ..empty(&me) };
        return Ok(page(&me, StatusCode::BAD_REQUEST, p));
    }
    let (numbers, rows): (Vec<usize>, Vec<InviteRow>) = rows.into_iter().unzip();
    let options = InviteOptions::new(&state.public_url, state.ctx.auth.invitation_lifetime);
    let results = app::invitations::invite(&state.ctx, &may, rows, &options).await?;
    let may_restore = app::authz::account_wide::<app::authz::UsersDelete>(&me).is_ok();
    let mut views: Vec<ResultView> = numbers
        .into_iter()
        .zip(results)
        .map(|(row, r)| {
            let restore = match &r.outcome {
                Outcome::Exists(e) if may_restore && e.restorable_until.is_some() => e.user_id.map(|u| u.to_string()),
                _ => None,
            };
            ResultView { row, status: r.outcome.status(), detail: r.outcome.detail(true), email: r.email, restore }
        })
        .collect();
    views.extend(refused);
    Ok(page(&me, StatusCode::OK, InvitePage { results: views, ..empty(&me) }))
}
