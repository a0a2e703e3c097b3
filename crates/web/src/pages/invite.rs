//! `/admin/users/invite`: invite people by email (one per line or comma separated) or by
//! pasted CSV (`email,first_name,last_name,workspace,groups`, groups `;`-separated); the
//! answer is a table with one result per row. The CSV may also come as an uploaded file
//! (`multipart/form-data`, at most 5 MB of UTF-8; `;`- or tab-separated, LF or CRLF).
//! The page says which workspace invitees join and offers exactly the workspaces `authz`
//! lets this admin invite into (`workspace_id`); CSV rows naming a workspace join that one.

use crate::csrf::{CsrfUpload, Upload};
use crate::error::PageError;
use crate::extract::PageUser;
use crate::pages::Nav;
use crate::routes::{Routes, get};
use crate::state::AppState;
use app::authz::{InviteUsers, Principal};
use app::invitations::import::ReportLine;
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

/// One workspace invitees may join.
struct WorkspaceOption {
    id: String,
    name: String,
    selected: bool,
}

/// One line of the result table.
struct ResultView {
    /// The line of the CSV (the header is line 1), or the typed address's position.
    row: u64,
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
    /// The workspaces invitees may join; the selected one is where they go.
    workspaces: Vec<WorkspaceOption>,
    /// Why the chosen workspace was refused (beside the choice).
    workspace_error: Option<String>,
}

/// Renders `page` with the frame and the workspace choices, `chosen` (an id as sent, or
/// blank) selected, else the default.
async fn page(
    state: &AppState,
    me: &Principal,
    may: &InviteUsers,
    chosen: &str,
    status: StatusCode,
    page: InvitePage,
) -> Result<Response, PageError> {
    let nav = Nav::load(me, "/admin/users/invite");
    let offered = app::invitations::workspaces::choices(&state.ctx, may).await?;
    let chosen = Some(chosen.trim())
        .filter(|c| offered.choices.iter().any(|w| w.id.to_string() == *c))
        .map(str::to_owned)
        .or_else(|| offered.default.map(|d| d.to_string()));
    let workspaces = offered
        .choices
        .into_iter()
        .map(|w| {
            let id = w.id.to_string();
            WorkspaceOption { selected: chosen.as_ref() == Some(&id), id, name: w.name }
        })
        .collect();
    Ok((status, InvitePage { nav: Some(nav), workspaces, ..page }).into_response())
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
        workspaces: Vec::new(),
        workspace_error: None,
    }
}

async fn show(State(state): State<AppState>, PageUser(me): PageUser) -> Result<Response, PageError> {
    let may = app::authz::invite_users(&me)?;
    page(&state, &me, &may, "", StatusCode::OK, empty(&me)).await
}

#[derive(Deserialize, Default)]
struct InviteForm {
    #[serde(default)]
    emails: String,
    #[serde(default)]
    csv: String,
    /// The workspace invitees join (rows naming one join that one); blank: the default.
    #[serde(default)]
    workspace_id: String,
}

/// The bytes of the uploaded CSV file (`csv_file`), if one was chosen; the reason when it
/// is too big or unreadable. Its text is judged by the CSV reader, row by row.
fn csv_file(up: &Upload) -> Result<Option<Vec<u8>>, String> {
    let too_big = || "The file is larger than 5 MB.".to_owned();
    if let Some(unread) = &up.unread {
        return Err(if unread.too_large { too_big() } else { "The upload could not be read; try again.".to_owned() });
    }
    let Some(file) = up.file("csv_file").filter(|f| !f.bytes.is_empty()) else { return Ok(None) };
    if file.bytes.len() > MAX_CSV_FILE {
        return Err(too_big());
    }
    Ok(Some(file.bytes.to_vec()))
}

/// One line of the result table from the import report.
fn view(line: ReportLine, may_restore: bool) -> ResultView {
    let restore = match &line.outcome {
        Outcome::Exists(e) if may_restore && e.restorable_until.is_some() => e.user_id.map(|u| u.to_string()),
        _ => None,
    };
    ResultView {
        row: line.line,
        status: line.outcome.status(),
        detail: line.outcome.detail(true),
        email: line.email,
        restore,
    }
}

/// Invites the typed emails, then the pasted CSV's rows, then the uploaded file's (either
/// form encoding: the file needs multipart). CSV rows are reported exactly as `roster user
/// import` reports the same file (one report, [`app::invitations::import`]).
async fn submit(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    CsrfUpload(up): CsrfUpload,
) -> Result<Response, PageError> {
    let may = app::authz::invite_users(&me)?;
    let f: InviteForm = up.parse()?;
    let ws = f.workspace_id.clone();
    let file = match csv_file(&up) {
        Ok(file) => file.filter(|bytes| !bytes.iter().all(u8::is_ascii_whitespace)),
        Err(e) => {
            let p = InvitePage { file_error: Some(e), emails: f.emails, csv: f.csv, ..empty(&me) };
            return page(&state, &me, &may, &ws, StatusCode::BAD_REQUEST, p).await;
        }
    };
    let typed: Vec<InviteRow> = f
        .emails
        .split(['\n', ',', ';'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|e| InviteRow { email: e.to_owned(), ..InviteRow::default() })
        .collect();
    let pasted = Some(f.csv.clone().into_bytes()).filter(|t| !t.trim_ascii().is_empty());
    if typed.is_empty() && pasted.is_none() && file.is_none() {
        let p = InvitePage { error: Some("Enter at least one email address.".into()), ..empty(&me) };
        return page(&state, &me, &may, &ws, StatusCode::BAD_REQUEST, p).await;
    }
    // A file refused as a whole (no header naming email, UTF-16) changes nothing: checked
    // before anyone is invited.
    for (text, is_file) in [(&pasted, false), (&file, true)] {
        if let Some(Err(e)) = text.as_deref().map(app::invitations::csv::read) {
            let why = Some(capitalized(e.to_string().trim_start_matches("csv: ")));
            let p = if is_file {
                InvitePage { file_error: why, emails: f.emails, csv: f.csv, ..empty(&me) }
            } else {
                InvitePage { error: why, emails: f.emails, csv: f.csv, ..empty(&me) }
            };
            return page(&state, &me, &may, &ws, StatusCode::BAD_REQUEST, p).await;
        }
    }
    let mut options = InviteOptions::new(&state.public_url, state.ctx.auth.invitation_lifetime);
    if let Err(e) = app::invitations::workspaces::choose(&state.ctx, &may, &ws, &mut options).await {
        let why = super::refusals::Refusals::of_error(e)?;
        let message = why.of("workspace_id").map(|m| format!("That workspace {m}."));
        let p = InvitePage { workspace_error: message, emails: f.emails, csv: f.csv, ..empty(&me) };
        return page(&state, &me, &may, "", StatusCode::BAD_REQUEST, p).await;
    }
    let may_restore = app::authz::account_wide::<app::authz::UsersDelete>(&me).is_ok();
    let mut views: Vec<ResultView> = Vec::new();
    if !typed.is_empty() {
        let results = app::invitations::invite(&state.ctx, &may, typed, &options).await?;
        views.extend(
            results
                .into_iter()
                .zip(1..)
                .map(|(r, line)| view(ReportLine { line, email: r.email, outcome: r.outcome }, may_restore)),
        );
    }
    for text in [pasted, file].into_iter().flatten() {
        let mut lines = Vec::new();
        app::invitations::import::import(&state.ctx, &may, text.as_slice(), &options, |batch| {
            lines.extend_from_slice(batch);
        })
        .await?;
        views.extend(lines.into_iter().map(|l| view(l, may_restore)));
    }
    page(&state, &me, &may, &ws, StatusCode::OK, InvitePage { results: views, ..empty(&me) }).await
}

/// "the file is …" → "The file is ….", for a sentence on its own.
fn capitalized(message: &str) -> String {
    let mut c = message.chars();
    let first: String = c.next().map(|f| f.to_uppercase().collect()).unwrap_or_default();
    format!("{first}{}.", c.as_str().trim_end_matches('.'))
}
